"""Fixtures for digests and webhooks: a real SMTP server and a real HTTP receiver, both on loopback."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from articles.models import Status
from articles.tests.factories import make_article, make_role, make_subfield, make_topic


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class SmtpHandler:
    """Keeps every message it accepts; `refuse` answers the next DATA commands with a temporary error."""

    received: list[Received] = field(default_factory=list)
    refuse: int = 0

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        message = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that Django's SMTP backend sends to."""
    handler = SmtpHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "Distillery <digest@briefs.example.org>"
    settings.SITE_URL = "https://briefs.example.org"
    yield handler
    controller.stop()


@pytest.fixture
def taxonomy(db):
    cto = make_role("CTO")
    policy_maker = make_role("Policy Maker")
    ai = make_subfield(name="AI & ML")
    agents = make_topic("Agents")
    return {"cto": cto, "policy": policy_maker, "ai": ai, "area": ai.parent, "agents": agents}


@pytest.fixture
def publish_brief(db):
    """publish_brief(title, at=…, roles=…, …) → a published brief."""

    def make(title, *, at, roles=(), fields=(), topics=(), **extra):
        return make_article(
            title=title,
            status=Status.PUBLISHED,
            published_at=at,
            roles=list(roles),
            fields=list(fields) or [make_subfield()],
            topics=list(topics),
            **extra,
        )

    return make


@pytest.fixture(scope="session")
def httpserver_listen_address():
    # An explicit IPv4 loopback address: "localhost" could resolve to ::1 first.
    return ("127.0.0.1", 0)
