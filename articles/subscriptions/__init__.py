"""Subscriptions that reach people outside the website.

digests.py    email digests: sign-up with double opt-in, confirmation, one-click unsubscribe,
              which period is due, and sending one digest exactly once per period
webhooks.py   webhook events for integrators: signing, recording and delivering them
receivers.py  the signals (workflow.status_changed, the brief's saves) that raise webhook events,
              with the brief as the API shows it (articles/api/events.py)

Functions here do the work and return what happened; articles/tasks.py queues them.
"""

from django.conf import settings


def absolute(path: str) -> str:
    """A site path as a full address (SITE_URL): emails and webhook payloads have no request to ask."""
    return f"{settings.SITE_URL}{path}"
