"""Email digests, sent through a real SMTP server on loopback (aiosmtpd) and read back as the reader's
mail program would: headers, recipients, both parts of the body."""

import re
import time
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from articles import tasks
from articles.models import DigestDelivery, DigestRequest, DigestSubscription, Frequency, RoleNote
from articles.subscriptions import digests
from articles.tests.factories import make_topic
from portal.tests.test_settings import run_manage

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # a Wednesday, after the 07:00 send hour
READER = "reader@example.net"
# Lock and read the subscriber with its choices, find the window and the briefs, record the delivery,
# load the briefs with their taxonomy and their notes for the reader's roles, mark it sent: 22 with
# savepoints, whatever the number of briefs.
QUERIES_PER_DIGEST = 22


def subscribe(*, email=READER, frequency=Frequency.DAILY, roles=(), fields=(), topics=(), at=NOW - timedelta(days=30)):
    digest_request = digests.request_digest(
        email=email, frequency=frequency, roles=roles, fields=fields, topics=topics, now=at
    )
    return digests.confirm_digest(token=digests.confirmation_token(digest_request), now=at)


def body_parts(message):
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    return text.replace("\r\n", "\n"), html.replace("\r\n", "\n")


# --- Sign-up and double opt-in ------------------------------------------------------------------


def test_signing_up_sends_only_a_confirmation_and_no_digest_before_it_is_confirmed(
    client, smtp_server, taxonomy, publish_brief, eager_tasks, django_capture_on_commit_callbacks
):
    publish_brief("Fresh for CTOs", at=NOW - timedelta(hours=2), roles=[taxonomy["cto"]])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("articles:email_signup"),
            {"email": READER, "frequency": "daily", "roles": ["cto"], "topics": ["agents"]},
        )
    assert response.status_code == 302
    assert response["Location"] == reverse("articles:email_sent")

    [confirmation] = smtp_server.received
    assert confirmation.rcpt_tos == [READER]
    assert confirmation.message["To"] == READER
    assert confirmation.message["Subject"] == "Confirm your daily Distillery digest"
    text, html = body_parts(confirmation.message)
    assert "- CTO\n- Agents\n" in text
    assert "https://briefs.example.org/subscribe/email/confirm/" in text
    assert "confirm/" in html

    # Nothing is subscribed yet, so the beat finds nothing due and the reader gets nothing more.
    assert not DigestSubscription.objects.exists()
    assert digests.due_digests(NOW + timedelta(days=1)) == []
    tasks.queue_due_digests.delay()
    assert len(smtp_server.received) == 1


def test_the_confirmation_link_asks_first_and_subscribes_on_confirm(client, taxonomy):
    digest_request = digests.request_digest(
        email=READER, frequency=Frequency.WEEKLY, roles=[taxonomy["cto"]], fields=[taxonomy["area"]]
    )
    url = reverse("articles:email_confirm", kwargs={"token": digests.confirmation_token(digest_request)})

    page = client.get(url)  # what a mail scanner following the link does
    assert page.status_code == 200
    assert b"Confirm your digest" in page.content
    assert not DigestSubscription.objects.exists()

    done = client.post(url)
    assert done.status_code == 200
    assert b"You are subscribed" in done.content
    subscription = DigestSubscription.objects.get(email=READER)
    assert subscription.frequency == Frequency.WEEKLY
    assert list(subscription.roles.all()) == [taxonomy["cto"]]
    assert list(subscription.fields.all()) == [taxonomy["area"]]

    assert client.post(url).status_code == 200  # a second click changes nothing
    assert DigestSubscription.objects.count() == 1


def test_an_expired_confirmation_link_is_refused_with_the_reason(client, taxonomy, monkeypatch, settings):
    digest_request = digests.request_digest(email=READER, frequency=Frequency.DAILY, roles=[taxonomy["cto"]])
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - (settings.DIGEST_CONFIRM_HOURS + 1) * 3600)
    token = digests.confirmation_token(digest_request)
    monkeypatch.setattr(time, "time", real_time)

    response = client.post(reverse("articles:email_confirm", kwargs={"token": token}))

    assert response.status_code == 400
    assert b"This confirmation link has expired" in response.content
    assert not DigestSubscription.objects.exists()


def test_a_tampered_confirmation_link_is_refused(client, taxonomy):
    digest_request = digests.request_digest(email=READER, frequency=Frequency.DAILY, roles=[taxonomy["cto"]])
    forged = signing.dumps(digest_request.pk + 1, salt="someone else's salt")

    response = client.post(reverse("articles:email_confirm", kwargs={"token": forged}))

    assert response.status_code == 400
    assert b"not valid" in response.content
    assert not DigestSubscription.objects.exists()


def test_signing_up_without_choosing_anything_is_refused(client, taxonomy):
    response = client.post(reverse("articles:email_signup"), {"email": READER, "frequency": "weekly"})

    assert response.status_code == 400
    assert b"Choose at least one role, field or topic" in response.content
    assert not DigestRequest.objects.exists()


def test_one_address_gets_a_limited_number_of_confirmation_emails_per_hour(client, taxonomy, settings):
    settings.DIGEST_CONFIRMATIONS_PER_HOUR = 2
    form = {"email": READER, "frequency": "weekly", "roles": ["cto"]}
    statuses = [client.post(reverse("articles:email_signup"), form).status_code for _ in range(3)]

    assert statuses == [302, 302, 400]
    assert DigestRequest.objects.filter(email=READER).count() == 2


def test_the_sign_up_form_arrives_with_the_choices_named_in_its_address(client, taxonomy):
    page = client.get(reverse("articles:email_signup") + "?role=cto&topic=agents")

    html = page.content.decode()
    assert page.status_code == 200
    assert re.search(r'<input[^>]*value="cto"[^>]*checked', html)
    assert re.search(r'<input[^>]*value="agents"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="policy-maker"[^>]*checked', html)


# --- The digest itself ---------------------------------------------------------------------------


def test_a_digest_lists_each_new_matching_brief_with_its_takeaway_and_link_and_one_click_unsubscribe(
    smtp_server, taxonomy, publish_brief
):
    subscription = subscribe(roles=[taxonomy["cto"]], topics=[taxonomy["agents"]])
    bets = publish_brief(
        "Platform bets for 2027", at=NOW - timedelta(hours=3), roles=[taxonomy["cto"]], takeaway="Bet small."
    )
    # The editors' note for a role the reader follows comes along; one for another role does not.
    RoleNote.objects.create(article=bets, role=taxonomy["cto"], text="Fund one bet, not five.")
    RoleNote.objects.create(article=bets, role=taxonomy["policy"], text="Not for this reader.")
    publish_brief("Agents that plan", at=NOW - timedelta(hours=1), topics=[taxonomy["agents"]], takeaway="Plan first.")
    publish_brief("Policy only", at=NOW - timedelta(hours=2), roles=[taxonomy["policy"]])
    publish_brief("Old news for CTOs", at=NOW - timedelta(days=3), roles=[taxonomy["cto"]])

    outcome = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    assert outcome.state == "sent"
    [mail] = smtp_server.received
    message = mail.message
    unsubscribe = f"https://briefs.example.org/subscribe/email/unsubscribe/{subscription.key}/"
    assert mail.mail_from == "digest@briefs.example.org"
    assert mail.rcpt_tos == [READER]
    assert message["From"] == "Distillery <digest@briefs.example.org>"
    assert message["To"] == READER
    assert message["Subject"] == "Distillery daily digest: 2 new briefs for CTO and Agents"
    # A long header is folded after the colon (RFC 5322 FWS); the value itself is exact.
    assert message["List-Unsubscribe"].strip() == f"<{unsubscribe}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"] == f"<digest-{outcome.delivery.pk}-2026-12-02@briefs.example.org>"
    assert message.get_content_type() == "multipart/alternative"

    text, html = body_parts(message)
    newest, older = "Agents that plan", "Platform bets for 2027"
    assert text.index(newest) < text.index(older)
    assert "1. Agents that plan\n   Key takeaway: Plan first.\n" in text
    assert (
        "2. Platform bets for 2027\n   Key takeaway: Bet small.\n   Why it matters for CTO: Fund one bet, not five.\n"
        in text
    )
    assert "<strong>Why it matters for CTO:</strong> Fund one bet, not five." in html
    assert "Not for this reader." not in text + html
    for title in ("Agents that plan", "Platform bets for 2027"):
        assert title in html
    assert "Policy only" not in text and "Old news" not in text
    brief_url = "https://briefs.example.org" + outcome.delivery.briefs.get(title=newest).get_absolute_url()
    assert f"Read the brief: {brief_url}" in text
    assert f'<a href="{brief_url}">Agents that plan</a>' in html
    assert f"Unsubscribe with one click: {unsubscribe}" in text
    assert f'<a href="{unsubscribe}">Unsubscribe</a>' in html


def test_an_area_subscription_includes_briefs_of_its_subfields(smtp_server, taxonomy, publish_brief):
    subscription = subscribe(fields=[taxonomy["area"]])
    publish_brief("Inside the subfield", at=NOW - timedelta(hours=1), fields=[taxonomy["ai"]])

    digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    [mail] = smtp_server.received
    assert "Inside the subfield" in body_parts(mail.message)[0]


def test_nothing_is_sent_when_nothing_is_new_since_the_last_digest(smtp_server, taxonomy, publish_brief):
    subscription = subscribe(roles=[taxonomy["cto"]])
    publish_brief("Monday's brief", at=NOW - timedelta(days=1, hours=2), roles=[taxonomy["cto"]])
    digests.send_digest(subscription_id=subscription.pk, period="2026-12-01", now=NOW - timedelta(days=1))
    assert len(smtp_server.received) == 1

    outcome = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    assert outcome.state == "nothing_new"
    assert len(smtp_server.received) == 1
    assert digests.due_digests(NOW) == []  # the period is settled: the beat does not ask again


def test_a_retried_task_sends_nothing_twice(smtp_server, taxonomy, publish_brief, eager_tasks):
    subscription = subscribe(roles=[taxonomy["cto"]])
    publish_brief("Only once", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])

    first = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)
    tasks.send_digest.delay(subscription.pk, "2026-12-02")  # redelivered message
    again = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW + timedelta(minutes=5))

    assert (first.state, again.state) == ("sent", "already_sent")
    assert len(smtp_server.received) == 1
    assert DigestDelivery.objects.filter(subscription=subscription).count() == 1


def test_a_digest_the_mail_server_refused_is_sent_by_the_retry_exactly_once(
    smtp_server, taxonomy, publish_brief, eager_tasks
):
    subscription = subscribe(roles=[taxonomy["cto"]])
    publish_brief("Worth the wait", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])
    smtp_server.refuse = 1

    with pytest.raises(digests.DigestNotSent):
        digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)
    delivery = DigestDelivery.objects.get(subscription=subscription)
    assert delivery.state == DigestDelivery.State.FAILED
    assert "451" in delivery.error
    assert smtp_server.received == []

    tasks.send_digest.delay(subscription.pk, "2026-12-02")  # the retry
    tasks.send_digest.delay(subscription.pk, "2026-12-02")  # and a duplicate of it

    [mail] = smtp_server.received
    assert "Worth the wait" in body_parts(mail.message)[0]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DigestDelivery.State.SENT, 2)


def test_a_send_interrupted_by_a_dead_worker_is_not_repeated_and_its_briefs_come_in_the_next_digest(
    smtp_server, taxonomy, publish_brief, settings
):
    subscription = subscribe(roles=[taxonomy["cto"]])
    brief = publish_brief("Maybe delivered", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])
    # The worker recorded its decision, started the SMTP conversation and was killed: no answer recorded.
    interrupted = DigestDelivery.objects.create(
        subscription=subscription,
        period="2026-12-02",
        covered_from=NOW - timedelta(days=1),
        covered_until=NOW,
        claimed_at=NOW,
    )
    interrupted.briefs.set([brief])
    later = NOW + timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 120)

    outcome = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=later)

    assert outcome.state == "uncertain"
    assert smtp_server.received == []
    next_day = digests.send_digest(subscription_id=subscription.pk, period="2026-12-03", now=NOW + timedelta(days=1))
    assert next_day.state == "sent"
    assert "Maybe delivered" in body_parts(smtp_server.received[0].message)[0]


def test_a_send_still_within_its_time_limit_is_left_to_the_worker_doing_it(smtp_server, taxonomy, publish_brief):
    subscription = subscribe(roles=[taxonomy["cto"]])
    publish_brief("In flight", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])
    DigestDelivery.objects.create(
        subscription=subscription,
        period="2026-12-02",
        covered_from=NOW - timedelta(days=1),
        covered_until=NOW,
        claimed_at=NOW - timedelta(minutes=1),
    )

    outcome = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    assert outcome.state == "in_progress"
    assert smtp_server.received == []


def test_the_beat_task_sends_each_due_digest_once(smtp_server, taxonomy, publish_brief, eager_tasks, monkeypatch):
    daily = subscribe(email="daily@example.net", roles=[taxonomy["cto"]])
    subscribe(email="weekly@example.net", frequency=Frequency.WEEKLY, roles=[taxonomy["cto"]])
    publish_brief("For everyone", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])
    monkeypatch.setattr(digests.timezone, "now", lambda: NOW)

    assert tasks.queue_due_digests.delay().get() == 2
    assert tasks.queue_due_digests.delay().get() == 0  # the next tick finds both settled

    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.received) == ["daily@example.net", "weekly@example.net"]
    assert DigestSubscription.objects.get(pk=daily.pk).settled_period == "2026-12-02"


def test_digest_periods_start_at_the_send_hour_and_weekly_ones_on_the_send_day(settings):
    settings.DIGEST_SEND_HOUR = 7
    settings.DIGEST_WEEKLY_DAY = 0  # Monday
    wednesday_early = datetime(2026, 12, 2, 6, 59, tzinfo=UTC)
    monday_morning = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)

    assert digests.current_period(Frequency.DAILY, wednesday_early) == "2026-12-01"
    assert digests.current_period(Frequency.DAILY, NOW) == "2026-12-02"
    assert digests.current_period(Frequency.WEEKLY, monday_morning) == "2026-W49"
    assert digests.current_period(Frequency.WEEKLY, monday_morning - timedelta(minutes=1)) == "2026-W48"
    assert digests.current_period(Frequency.WEEKLY, NOW) == "2026-W49"


def test_the_digest_task_is_on_the_beat_schedule(settings):
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "articles.tasks.queue_due_digests" in tasks_scheduled


# --- Unsubscribing ---------------------------------------------------------------------------------


def test_one_click_unsubscribe_needs_no_csrf_token_and_answers_the_same_twice(taxonomy):
    subscription = subscribe(roles=[taxonomy["cto"]])
    mail_provider = Client(enforce_csrf_checks=True)
    url = reverse("articles:email_unsubscribe", kwargs={"key": subscription.key})

    first = mail_provider.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    second = mail_provider.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert (first.status_code, second.status_code) == (200, 200)
    subscription.refresh_from_db()
    assert not subscription.is_active
    assert digests.due_digests(NOW + timedelta(days=2)) == []


def test_opening_the_unsubscribe_link_asks_before_unsubscribing(client, taxonomy):
    subscription = subscribe(roles=[taxonomy["cto"]])

    page = client.get(reverse("articles:email_unsubscribe", kwargs={"key": subscription.key}))

    assert page.status_code == 200
    assert b'<form method="post"><button type="submit">Unsubscribe</button>' in page.content
    subscription.refresh_from_db()
    assert subscription.is_active


def test_an_unknown_unsubscribe_key_is_not_found(client, db):
    assert client.post(reverse("articles:email_unsubscribe", kwargs={"key": "nope"})).status_code == 404


def test_an_unsubscribed_reader_gets_no_digest(smtp_server, taxonomy, publish_brief):
    subscription = subscribe(roles=[taxonomy["cto"]])
    digests.unsubscribe(key=subscription.key)
    publish_brief("Not for them any more", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]])

    outcome = digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    assert outcome.state == "inactive"
    assert smtp_server.received == []


def test_confirming_again_after_unsubscribing_needs_a_new_sign_up(taxonomy):
    digest_request = digests.request_digest(email=READER, frequency=Frequency.DAILY, roles=[taxonomy["cto"]])
    token = digests.confirmation_token(digest_request)
    subscription = digests.confirm_digest(token=token)
    digests.unsubscribe(key=subscription.key)

    again = digests.confirm_digest(token=token)  # an old link clicked again

    assert not again.is_active


# --- The embedded default: messages as files under var/mail/ ------------------------------------


def test_without_an_smtp_host_the_embedded_run_writes_mail_as_files_under_var(tmp_path):
    result = run_manage("sendtestemail", "reader@example.net", env_overrides={}, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    [written] = (tmp_path / "mail").iterdir()
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == "reader@example.net"
    assert message["From"] == "Distillery <digest@localhost>"


def test_with_an_smtp_host_mail_goes_through_smtp_with_the_settings_from_the_environment(tmp_path):
    show = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"
    environment = {"EMAIL_HOST": "smtp.example.org", "EMAIL_USE_TLS": "true", "EMAIL_HOST_USER": "digest"}

    result = run_manage("shell", "--no-imports", "-c", show, env_overrides=environment, tmp_path=tmp_path)

    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "smtp.example.org", "587", "True"]


def test_a_digest_written_by_the_file_backend_is_the_whole_message(settings, tmp_path, taxonomy, publish_brief):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    subscription = subscribe(roles=[taxonomy["cto"]])
    publish_brief("Filed away", at=NOW - timedelta(hours=1), roles=[taxonomy["cto"]], takeaway="Read it later.")

    assert digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW).state == "sent"

    [written] = tmp_path.iterdir()
    message = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert message["To"] == READER
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert subscription.key in message["List-Unsubscribe"]
    assert "1. Filed away\n   Key takeaway: Read it later.\n" in body_parts(message)[0]


def test_sign_ups_never_confirmed_are_forgotten_once_their_link_has_expired(taxonomy, settings):
    stale = digests.request_digest(
        email="never@example.net", frequency=Frequency.DAILY, roles=[taxonomy["cto"]], now=NOW - timedelta(days=5)
    )
    fresh = digests.request_digest(
        email="soon@example.net", frequency=Frequency.DAILY, roles=[taxonomy["cto"]], now=NOW
    )

    assert digests.forget_stale_requests(NOW) == 1
    assert list(DigestRequest.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert not DigestRequest.objects.filter(pk=stale.pk).exists()


def test_the_sign_up_page_runs_a_fixed_number_of_queries(client, taxonomy, django_assert_num_queries):
    for n in range(5):
        make_topic(f"Extra topic {n}")
    # Roles, fields with their areas, and topics: one query each, whatever their number.
    with django_assert_num_queries(3):
        page = client.get(reverse("articles:email_signup"))
    assert page.status_code == 200
    assert b"Extra topic 4" in page.content


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_SSL"),
        ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT"),
        ({"SITE_URL": "briefs.example.org"}, "SITE_URL"),
        ({"DIGEST_SEND_HOUR": "25"}, "DIGEST_SEND_HOUR"),
        ({"DIGEST_WEEKLY_DAY": "someday"}, "DIGEST_WEEKLY_DAY"),
    ],
)
def test_bad_mail_and_digest_settings_stop_with_one_line_naming_the_variable(variables, named, tmp_path):
    result = run_manage("check", env_overrides=variables, tmp_path=tmp_path)

    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("Configuration error: ") and named in line


@pytest.mark.parametrize("briefs", [2, 12])
def test_sending_a_digest_takes_the_same_number_of_queries_however_many_briefs_it_lists(
    briefs, taxonomy, publish_brief, mailoutbox, django_assert_num_queries
):
    subscription = subscribe(roles=[taxonomy["cto"]], topics=[taxonomy["agents"]])
    for n in range(briefs):
        publish_brief(f"Brief {n}", at=NOW - timedelta(minutes=n + 1), roles=[taxonomy["cto"]])

    with django_assert_num_queries(QUERIES_PER_DIGEST):
        digests.send_digest(subscription_id=subscription.pk, period="2026-12-02", now=NOW)

    [message] = mailoutbox
    assert f"{briefs} new briefs" in message.subject
