"""Webhooks, delivered to a real HTTP receiver on loopback (pytest-httpserver) that checks each signature
with the snippet the README gives integrators."""

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from werkzeug import Response

from articles import workflow
from articles.api.events import UNPUBLISHED_FIELDS
from articles.models import Status, WebhookDelivery, WebhookEndpoint
from articles.subscriptions import webhooks
from articles.subscriptions.receivers import record_brief_event
from articles.tests.factories import make_article

pytestmark = pytest.mark.django_db

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_verifier():
    """The `verify_signature` function exactly as the README prints it."""
    text = README.read_text()
    section = text[text.index("**Webhooks.**") :]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(code, namespace)
    return namespace["verify_signature"]


class Receiver:
    """An integrator's endpoint: checks every signature, answers from a script of responses, keeps the bodies."""

    def __init__(self, httpserver, secret: str, path: str = "/hooks/distillery"):
        self.verify = readme_verifier()
        self.secret = secret
        self.url = httpserver.url_for(path)
        self.answers: list[Response] = []
        self.events: list[dict] = []
        self.headers: list[dict] = []
        self.bad_signatures = 0
        httpserver.expect_request(path, method="POST").respond_with_handler(self.handle)

    def handle(self, request):
        body = request.get_data()
        if not self.verify(
            self.secret, request.headers["X-Distillery-Timestamp"], request.headers["X-Distillery-Signature"], body
        ):
            self.bad_signatures += 1
            return Response("bad signature", status=401)
        self.events.append(json.loads(body))
        self.headers.append(dict(request.headers))
        return self.answers.pop(0) if self.answers else Response(status=204)


@pytest.fixture
def webhook_settings(settings):
    settings.WEBHOOK_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0
    settings.WEBHOOK_TIMEOUT_SECONDS = 3
    settings.SITE_URL = "https://briefs.example.org"
    return settings


@pytest.fixture
def receiver(httpserver, webhook_settings):
    endpoint = WebhookEndpoint.objects.create(name="Intranet", url=httpserver.url_for("/hooks/distillery"))
    hook = Receiver(httpserver, endpoint.secret)
    hook.endpoint = endpoint
    return hook


@pytest.fixture
def retries_in_process(eager_tasks):
    """Eager retries run in place only when a task's Retry is not propagated as an error."""
    eager_tasks.conf.task_eager_propagates = False
    return eager_tasks


@pytest.fixture
def in_process(eager_tasks, django_capture_on_commit_callbacks):
    """Run what is queued after commit, and the queued tasks, right here."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_publishing_a_brief_posts_a_signed_event_with_the_briefs_api_representation(
    receiver, editor, in_process, client
):
    brief = make_article(title="Evaluation debt", takeaway="Budget for evals.")

    in_process(lambda: workflow.publish(article=brief, actor=editor))

    assert receiver.bad_signatures == 0
    [event] = receiver.events
    [headers] = receiver.headers
    delivery = WebhookDelivery.objects.get()
    assert headers["X-Distillery-Event"] == "brief.published"
    assert headers["X-Distillery-Delivery"] == event["id"] == str(delivery.event_id)
    assert headers["Content-Type"] == "application/json"
    assert event["event"] == "brief.published"
    api = client.get(reverse("api:brief-detail", kwargs={"slug": brief.slug})).json()
    assert event["brief"].keys() == api.keys()
    for name in ("slug", "title", "takeaway", "summary", "status", "roles", "fields", "topics", "original_url"):
        assert event["brief"][name] == api[name]
    assert event["brief"]["url"] == f"https://briefs.example.org/briefs/{brief.slug}/"
    assert event["brief"]["api_url"] == f"https://briefs.example.org/api/v1/articles/{brief.slug}/"
    assert delivery.state == WebhookDelivery.State.SUCCEEDED
    assert (delivery.response_status, delivery.attempts) == (204, 1)
    assert delivery.response_ms is not None


def test_editing_a_published_brief_sends_updated_and_unpublishing_sends_only_what_identifies_it(
    receiver, editor, in_process
):
    brief = make_article(status=Status.PUBLISHED, title="Before")

    def edit():
        brief.title = "After"
        brief.save()

    in_process(edit)
    in_process(lambda: workflow.unpublish(article=brief, actor=editor))

    assert [event["event"] for event in receiver.events] == ["brief.updated", "brief.unpublished"]
    assert receiver.events[0]["brief"]["title"] == "After"
    assert set(receiver.events[1]["brief"]) == set(UNPUBLISHED_FIELDS)
    assert receiver.events[1]["brief"]["status"] == "draft"


def test_saving_a_draft_or_the_publishing_step_itself_sends_no_updated_event(receiver, editor, in_process):
    brief = make_article(title="Still a draft")

    def edit():
        brief.summary = "Rewritten."
        brief.save()

    in_process(edit)
    in_process(lambda: workflow.publish(article=brief, actor=editor))

    assert [event["event"] for event in receiver.events] == ["brief.published"]


def test_an_endpoint_gets_only_the_events_it_chose(receiver, editor, in_process):
    receiver.endpoint.events = ["brief.unpublished"]
    receiver.endpoint.save()
    brief = make_article()

    in_process(lambda: workflow.publish(article=brief, actor=editor))
    in_process(lambda: workflow.unpublish(article=brief, actor=editor))

    assert [event["event"] for event in receiver.events] == ["brief.unpublished"]


def test_a_server_error_is_retried_until_delivered_with_the_same_delivery_id(
    receiver, editor, in_process, retries_in_process
):
    receiver.answers = [Response(status=503), Response(status=500)]
    brief = make_article()

    in_process(lambda: workflow.publish(article=brief, actor=editor))

    assert len(receiver.events) == 3
    assert len({headers["X-Distillery-Delivery"] for headers in receiver.headers}) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("succeeded", 3, 204)


def test_retries_back_off_exponentially_and_never_sooner_than_retry_after(receiver, webhook_settings):
    webhook_settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.answers = [
        Response(status=502),
        Response(status=502),
        Response(status=429, headers={"Retry-After": "600"}),
    ]
    delivery = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]

    waits = [webhooks.deliver(delivery_id=delivery.pk).retry_in for _ in range(3)]

    assert 22.5 <= waits[0] <= 30
    assert 45 <= waits[1] <= 60
    assert waits[2] >= 600
    delivery.refresh_from_db()
    assert delivery.state == WebhookDelivery.State.RETRYING
    assert delivery.response_status == 429
    assert delivery.next_attempt_at >= timezone.now() + timedelta(seconds=590)


def test_a_retry_after_longer_than_we_hold_retries_fails_the_delivery_with_the_reason(receiver, webhook_settings):
    receiver.answers = [Response(status=429, headers={"Retry-After": "86400"})]
    delivery = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]

    outcome = webhooks.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert outcome.state == "failed"
    assert "asked to wait 86400 seconds" in delivery.error


def test_a_client_error_is_not_retried(receiver, editor, in_process):
    receiver.answers = [Response(status=410)]
    brief = make_article()

    in_process(lambda: workflow.publish(article=brief, actor=editor))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_status) == ("failed", 1, 410)
    assert "HTTP 410" in delivery.error


def test_delivery_gives_up_after_the_last_attempt(receiver, editor, in_process, webhook_settings, retries_in_process):
    webhook_settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.answers = [Response(status=500)] * 5
    brief = make_article()

    in_process(lambda: workflow.publish(article=brief, actor=editor))

    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert "Gave up after 3 attempts" in delivery.error
    assert len(receiver.events) == 3


def test_a_redelivered_task_does_not_post_a_delivered_event_again(receiver, editor, in_process):
    from articles import tasks

    brief = make_article()
    in_process(lambda: workflow.publish(article=brief, actor=editor))

    tasks.deliver_webhook.delay(WebhookDelivery.objects.get().pk)

    assert len(receiver.events) == 1


def test_delivery_to_a_loopback_address_is_refused_unless_webhooks_allow_it(receiver, webhook_settings):
    webhook_settings.WEBHOOK_ALLOW_LOOPBACK = False
    webhook_settings.INGEST_ALLOW_LOOPBACK = True  # ingestion's own allowance does not open webhooks
    delivery = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]

    outcome = webhooks.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert outcome.state == "failed"
    assert "loopback" in delivery.error
    assert receiver.events == []


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://10.1.2.3/hook", "a private network address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://[::ffff:127.0.0.1]:8080/hook", "a loopback address"),
        ("http://localhost:8080/hook", "a loopback address"),
        ("ftp://example.org/hook", "only http and https"),
    ],
)
def test_registering_an_endpoint_refuses_addresses_the_ingestion_guard_refuses(admin_client, url, reason):
    response = admin_client.post(
        reverse("admin:articles_webhookendpoint_add"),
        {"name": "Sneaky", "url": url, "events": ["brief.published"], "is_active": "on"},
    )

    assert response.status_code == 200
    assert reason in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_editor_registers_an_endpoint_and_gets_a_secret(client, editor, webhook_settings, httpserver):
    client.force_login(editor)
    response = client.post(
        reverse("admin:articles_webhookendpoint_add"),
        {"name": "Newsroom", "url": httpserver.url_for("/in"), "events": ["brief.published", "brief.updated"]},
    )

    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["brief.published", "brief.updated"]
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.created_by == editor
    page = client.get(reverse("admin:articles_webhookendpoint_change", args=[endpoint.pk]))
    assert endpoint.secret in page.content.decode()


def test_resend_in_the_curation_panel_posts_the_same_event_again_as_a_new_log_entry(
    receiver, editor, in_process, client
):
    receiver.answers = [Response(status=400)]
    brief = make_article()
    in_process(lambda: workflow.publish(article=brief, actor=editor))
    failed = WebhookDelivery.objects.get()
    assert failed.state == "failed"
    client.force_login(editor)

    response = in_process(
        lambda: client.post(
            reverse("admin:articles_webhookdelivery_changelist"),
            {"action": "resend", "_selected_action": [failed.pk]},
        )
    )

    assert response.status_code == 302
    assert len(receiver.events) == 2  # the first answered 400, the resend 204
    assert receiver.events[0] == receiver.events[1]
    resent = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert (resent.state, resent.event_id) == ("succeeded", failed.event_id)
    log = client.get(reverse("admin:articles_webhookdelivery_changelist")).content.decode()
    assert "HTTP 400" in log and "Delivered" in log


def test_the_openapi_description_documents_the_webhooks(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").content.decode()

    for words in ("brief.published", "brief.updated", "brief.unpublished", "X-Distillery-Signature", "HMAC-SHA256"):
        assert words in schema


def test_a_redirect_is_not_followed(receiver, httpserver, webhook_settings):
    receiver.answers = [Response(status=307, headers={"Location": "http://10.0.0.5/internal"})]
    delivery = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]

    outcome = webhooks.deliver(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert outcome.state == "failed"
    assert (delivery.response_status, delivery.attempts) == (307, 1)
    assert "redirects are not followed" in delivery.error


def test_rejecting_a_published_brief_tells_integrators_it_was_unpublished(receiver, editor, in_process):
    brief = make_article(status=Status.PUBLISHED)

    in_process(lambda: workflow.reject(article=brief, actor=editor, reason="Wrong source"))

    assert [(event["event"], event["brief"]["status"]) for event in receiver.events] == [
        ("brief.unpublished", "rejected")
    ]


def test_the_curation_panel_lists_deliveries_and_subscribers(admin_client, receiver, editor, in_process):
    from articles.models import DigestSubscription

    in_process(lambda: workflow.publish(article=make_article(title="Logged brief"), actor=editor))
    DigestSubscription.objects.create(email="reader@example.net", confirmed_at=timezone.now())

    deliveries = admin_client.get(reverse("admin:articles_webhookdelivery_changelist")).content.decode()
    endpoints = admin_client.get(reverse("admin:articles_webhookendpoint_changelist")).content.decode()
    subscribers = admin_client.get(reverse("admin:articles_digestsubscription_changelist")).content.decode()

    assert "Logged brief" in deliveries and "brief.published" in deliveries and "Delivered" in deliveries
    assert "Intranet" in endpoints and "Delivered (brief.published" in endpoints
    assert "reader@example.net" in subscribers


def test_a_delivery_whose_task_was_lost_is_queued_again_by_the_beat(receiver, eager_tasks):
    from articles import tasks

    lost = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]
    WebhookDelivery.objects.filter(pk=lost.pk).update(created_at=timezone.now() - timedelta(hours=1))
    fresh = record_brief_event("brief.published", make_article(status=Status.PUBLISHED).pk)[0]

    assert tasks.requeue_stalled_webhooks.delay().get() == 1

    assert [event["id"] for event in receiver.events] == [str(lost.event_id)]
    assert WebhookDelivery.objects.get(pk=fresh.pk).state == "pending"  # its own task is on its way


def test_a_deliverys_own_page_has_a_resend_button_that_posts_the_event_again(receiver, editor, in_process, client):
    receiver.answers = [Response(status=400)]
    brief = make_article()
    in_process(lambda: workflow.publish(article=brief, actor=editor))
    failed = WebhookDelivery.objects.get()
    client.force_login(editor)
    page = client.get(reverse("admin:articles_webhookdelivery_change", args=[failed.pk])).content.decode()
    resend_url = reverse("admin:articles_webhookdelivery_resend", args=[failed.pk])
    assert f'action="{resend_url}"' in page and ">Resend</button>" in page

    assert client.get(resend_url).status_code == 405  # only a POST resends
    response = in_process(lambda: client.post(resend_url))

    assert response.status_code == 302
    resent = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert (resent.state, resent.event_id) == ("succeeded", failed.event_id)
    assert receiver.events[-1] == receiver.events[0]
