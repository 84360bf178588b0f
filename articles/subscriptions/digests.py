"""Email digests: double opt-in, one-click unsubscribe, and one digest per subscriber and period.

Sending is safe to run twice. `send_digest` decides, inside one transaction holding the
subscriber's row, whether there is anything to send; if there is, it records a
`DigestDelivery` (unique per subscriber and period) in that same transaction and only then
talks to the mail server. A second run finds the record and sends nothing:

- sent                     → nothing more to do;
- failed (the server said no, or could not be reached) → sent again by the retry;
- still "being sent" after the task's hard time limit → the worker died during the SMTP
  conversation, so whether the reader got it is unknown: it is marked *uncertain* and not
  sent again (no duplicate), and its briefs come back in the next digest (nothing lost),
  because a digest covers what was published since the last one known to be sent.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Min, Prefetch, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from articles import anatomy
from articles.models import (
    Article,
    DigestDelivery,
    DigestRequest,
    DigestSubscription,
    Field,
    Frequency,
    Role,
    Topic,
)
from articles.subscriptions import absolute

logger = logging.getLogger(__name__)

CONFIRM_SALT = "articles.digest.confirm"


class SignUpRefused(Exception):
    """A sign-up that cannot be taken as asked; the message is written for the reader."""


class ConfirmationRefused(Exception):
    """A confirmation link that does not work (expired, damaged); the message says which."""


class DigestNotSent(Exception):
    """The mail server refused the digest or could not be reached; trying again may help."""


# --- Sign-up and confirmation -------------------------------------------------------------


def request_digest(
    *, email: str, frequency: str, roles=(), fields=(), topics=(), now: datetime | None = None
) -> DigestRequest:
    """Record a sign-up; nothing is sent to the address but the confirmation (queued by the caller)."""
    now = now or timezone.now()
    email = email.strip()
    if frequency not in Frequency.values:
        raise SignUpRefused(f"Choose daily or weekly, not {frequency!r}.")
    if not (roles or fields or topics):
        raise SignUpRefused("Choose at least one role, field or topic to hear about.")
    recent = DigestRequest.objects.filter(email__iexact=email, created_at__gte=now - timedelta(hours=1)).count()
    if recent >= settings.DIGEST_CONFIRMATIONS_PER_HOUR:
        raise SignUpRefused(
            "We have already sent several confirmation emails to this address in the last hour; "
            "please use the newest one, or try again later."
        )
    return DigestRequest.objects.create(
        email=email,
        frequency=frequency,
        role_ids=sorted(role.pk for role in roles),
        field_ids=sorted(field.pk for field in fields),
        topic_ids=sorted(topic.pk for topic in topics),
        created_at=now,
    )


def confirmation_token(digest_request: DigestRequest) -> str:
    return signing.dumps(digest_request.pk, salt=CONFIRM_SALT)


def confirmation_url(digest_request: DigestRequest) -> str:
    return absolute(reverse("articles:email_confirm", kwargs={"token": confirmation_token(digest_request)}))


def unsubscribe_url(subscription: DigestSubscription) -> str:
    return absolute(reverse("articles:email_unsubscribe", kwargs={"key": subscription.key}))


def request_for_token(token: str) -> DigestRequest:
    """The sign-up a confirmation link stands for, or ConfirmationRefused saying why not."""
    max_age = timedelta(hours=settings.DIGEST_CONFIRM_HOURS)
    try:
        request_id = signing.loads(token, salt=CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ConfirmationRefused(
            f"This confirmation link has expired (links work for {settings.DIGEST_CONFIRM_HOURS} hours). "
            "Sign up again and we will send a new one."
        ) from None
    except signing.BadSignature:
        raise ConfirmationRefused(
            "This confirmation link is not valid; it may have been cut short. Copy the whole link from the email."
        ) from None
    digest_request = DigestRequest.objects.filter(pk=request_id).first()
    if digest_request is None:
        raise ConfirmationRefused("This sign-up no longer exists. Sign up again and we will send a new link.")
    return digest_request


def confirm_digest(*, token: str, now: datetime | None = None) -> DigestSubscription:
    """Follow a confirmation link: the address's subscription now has the choices of that sign-up.

    Following the same link twice changes nothing the second time.
    """
    now = now or timezone.now()
    with transaction.atomic():
        digest_request = request_for_token(token)
        digest_request = DigestRequest.objects.select_for_update().get(pk=digest_request.pk)
        existing = DigestSubscription.objects.filter(email__iexact=digest_request.email).first()
        if digest_request.confirmed_at is not None and existing is not None:
            return existing
        subscription = existing or DigestSubscription(email=digest_request.email)
        subscription.frequency = digest_request.frequency
        subscription.confirmed_at = now
        subscription.unsubscribed_at = None
        subscription.save()
        subscription.roles.set(Role.objects.filter(pk__in=digest_request.role_ids))
        subscription.fields.set(Field.objects.filter(pk__in=digest_request.field_ids))
        subscription.topics.set(Topic.objects.filter(pk__in=digest_request.topic_ids))
        digest_request.confirmed_at = now
        digest_request.save(update_fields=["confirmed_at"])
    return subscription


def unsubscribe(*, key: str, now: datetime | None = None) -> DigestSubscription | None:
    """Stop the digests of the subscriber holding `key`; None when no subscriber has it. Idempotent."""
    subscription = DigestSubscription.objects.filter(key=key).first()
    if subscription is None:
        return None
    DigestSubscription.objects.filter(pk=subscription.pk, unsubscribed_at__isnull=True).update(
        unsubscribed_at=now or timezone.now()
    )
    subscription.refresh_from_db(fields=["unsubscribed_at"])
    return subscription


def chosen_names(digest_request: DigestRequest) -> list[str]:
    names = list(Role.objects.filter(pk__in=digest_request.role_ids).values_list("name", flat=True))
    names += [str(f) for f in Field.objects.filter(pk__in=digest_request.field_ids).select_related("parent")]
    names += list(Topic.objects.filter(pk__in=digest_request.topic_ids).values_list("name", flat=True))
    return names


def confirmation_message(digest_request: DigestRequest) -> EmailMultiAlternatives:
    context = {
        "site_name": settings.SITE_NAME,
        "frequency": digest_request.get_frequency_display().lower(),
        "choices": chosen_names(digest_request),
        "confirm_url": confirmation_url(digest_request),
        "hours": settings.DIGEST_CONFIRM_HOURS,
    }
    message = EmailMultiAlternatives(
        subject=f"Confirm your {context['frequency']} {settings.SITE_NAME} digest",
        body=render_to_string("email/digest_confirm.txt", context),
        to=[digest_request.email],
    )
    message.attach_alternative(render_to_string("email/digest_confirm.html", context), "text/html")
    return message


def send_confirmation(*, digest_request: DigestRequest, now: datetime | None = None) -> bool:
    """Send the confirmation email once; False when it had already been sent (a repeated task)."""
    now = now or timezone.now()
    claimed = DigestRequest.objects.filter(pk=digest_request.pk, confirmation_sent_at__isnull=True).update(
        confirmation_sent_at=now
    )
    if not claimed:
        return False
    try:
        confirmation_message(digest_request).send()
    except (SMTPException, OSError) as exc:
        DigestRequest.objects.filter(pk=digest_request.pk).update(confirmation_sent_at=None)
        raise DigestNotSent(f"The confirmation to {digest_request.email} was not sent: {exc}") from exc
    return True


def forget_stale_requests(now: datetime | None = None) -> int:
    """Delete sign-ups never confirmed whose link has expired: an address nobody confirmed is not kept."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.DIGEST_CONFIRM_HOURS + 24)
    deleted, _ = DigestRequest.objects.filter(confirmed_at__isnull=True, created_at__lt=cutoff).delete()
    return deleted


# --- Which digests are due ----------------------------------------------------------------


def current_period(frequency: str, now: datetime) -> str:
    """The period whose digest is due at `now`: the last send moment (DIGEST_SEND_HOUR, and
    DIGEST_WEEKLY_DAY for weekly) at or before `now`, as 2026-12-02 or 2026-W49."""
    local = timezone.localtime(now)
    moment = local.replace(hour=settings.DIGEST_SEND_HOUR, minute=0, second=0, microsecond=0)
    if frequency == Frequency.WEEKLY:
        moment -= timedelta(days=(local.weekday() - settings.DIGEST_WEEKLY_DAY) % 7)
        if moment > local:
            moment -= timedelta(days=7)
        year, week, _day = moment.date().isocalendar()
        return f"{year}-W{week:02d}"
    if moment > local:
        moment -= timedelta(days=1)
    return moment.date().isoformat()


def period_length(frequency: str) -> timedelta:
    return timedelta(days=7 if frequency == Frequency.WEEKLY else 1)


def due_digests(now: datetime | None = None) -> list[tuple[int, str]]:
    """(subscriber id, period) for every active subscriber whose current period is not settled yet."""
    now = now or timezone.now()
    due = []
    for frequency in Frequency.values:
        period = current_period(frequency, now)
        ids = (
            DigestSubscription.objects.active()
            .filter(frequency=frequency)
            .exclude(settled_period=period)
            .values_list("pk", flat=True)
        )
        due += [(pk, period) for pk in ids]
    return due


# --- Sending one digest --------------------------------------------------------------------


def briefs_for(subscription: DigestSubscription, *, published_after: datetime, published_until: datetime):
    """Published briefs in the window that match any of the subscriber's roles, fields (an area with
    its subfields) or topics, newest first."""
    roles = list(subscription.roles.all())
    fields = list(subscription.fields.all())
    topics = list(subscription.topics.all())
    match = Q(pk__in=[])
    if roles:
        match |= Q(roles__in=roles)
    if fields:
        match |= Q(fields__in=fields) | Q(fields__parent__in=[f for f in fields if f.parent_id is None])
    if topics:
        match |= Q(topics__in=topics)
    matching_ids = (
        Article.objects.published()
        .filter(published_at__gt=published_after, published_at__lte=published_until)
        .filter(match)
        .values("pk")
    )
    return (
        Article.objects.filter(pk__in=matching_ids)
        .with_taxonomy()
        .defer("content_html", "content_text")
        .order_by("-published_at", "-pk")
    )


@dataclass(frozen=True)
class DigestOutcome:
    """What `send_digest` did: sent, nothing_new, already_sent, in_progress, uncertain or inactive."""

    state: str
    delivery: DigestDelivery | None = None
    briefs: int = 0


def window_start(subscription: DigestSubscription, now: datetime) -> datetime:
    """Where the next digest starts: the end of the last one known to be sent (the first digest looks
    back one period), or earlier if a later one never certainly arrived, so its briefs come again."""
    previous = subscription.deliveries.filter(state=DigestDelivery.State.SENT).order_by("-covered_until").first()
    start = previous.covered_until if previous else now - period_length(subscription.frequency)
    missed = subscription.deliveries.exclude(state=DigestDelivery.State.SENT)
    if previous:
        missed = missed.filter(covered_until__gt=previous.covered_until)
    earliest = missed.aggregate(earliest=Min("covered_from"))["earliest"]
    return min(start, earliest) if earliest else start


def send_digest(*, subscription_id: int, period: str, now: datetime | None = None) -> DigestOutcome:
    """Send `period`'s digest to one subscriber, at most once; see the module's docstring.

    Raises DigestNotSent when the mail server refused or could not be reached; the delivery
    is then recorded as failed and a second call sends it again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        subscription = (
            DigestSubscription.objects.select_for_update()
            .prefetch_related("roles", "fields", "topics")  # for the choice of briefs and the subject
            .filter(pk=subscription_id)
            .first()
        )
        if subscription is None or not subscription.is_active:
            return DigestOutcome("inactive")
        delivery = subscription.deliveries.filter(period=period).first()
        if delivery is None:
            since = window_start(subscription, now)
            briefs = list(
                briefs_for(subscription, published_after=since, published_until=now).values_list("pk", flat=True)
            )
            if not briefs:
                subscription.settled_period = period
                subscription.save(update_fields=["settled_period"])
                return DigestOutcome("nothing_new")
            try:
                with transaction.atomic():
                    delivery = DigestDelivery.objects.create(
                        subscription=subscription, period=period, covered_from=since, covered_until=now, claimed_at=now
                    )
            except IntegrityError:  # another worker recorded it a moment ago (SQLite has no row lock)
                return DigestOutcome("in_progress")
            delivery.briefs.set(briefs)
            subscription.settled_period = period
            subscription.save(update_fields=["settled_period"])
        elif delivery.state == DigestDelivery.State.SENT:
            return DigestOutcome("already_sent", delivery)
        elif delivery.state == DigestDelivery.State.UNCERTAIN:
            return DigestOutcome("uncertain", delivery)
        elif delivery.state == DigestDelivery.State.SENDING:
            lease = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
            if delivery.claimed_at > now - lease:
                return DigestOutcome("in_progress", delivery)
            delivery.state = DigestDelivery.State.UNCERTAIN
            delivery.error = (
                "The worker stopped while talking to the mail server; the reader may or may not have it, "
                "so it is not sent again. Its briefs are included in the next digest."
            )
            delivery.save(update_fields=["state", "error"])
            logger.warning("Digest %s for %s left uncertain after an interrupted send.", period, subscription.email)
            return DigestOutcome("uncertain", delivery)
        else:  # failed: the server said no or was unreachable, so the reader does not have it
            delivery.state = DigestDelivery.State.SENDING
            delivery.attempts += 1
            delivery.claimed_at = now
            delivery.save(update_fields=["state", "attempts", "claimed_at"])
    # The record is committed before the mail server hears anything.
    return _deliver(delivery, now=now)


def _notes_for_roles(roles) -> list[Prefetch]:
    """Prefetches of the per-role sections' notes (articles/anatomy.py) for `roles` only."""
    return [
        Prefetch(
            section.name,
            queryset=Article._meta.get_field(section.name)
            .related_model.objects.filter(role__in=roles)
            .select_related("role"),
        )
        for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE)
    ]


def _deliver(delivery: DigestDelivery, *, now: datetime) -> DigestOutcome:
    # A subscriber who follows roles reads the editors' "Why it matters" note for each of them.
    roles = list(delivery.subscription.roles.all())
    briefs = list(
        Article.objects.filter(pk__in=delivery.briefs.values("pk"))
        .with_taxonomy()
        .prefetch_related(*_notes_for_roles(roles))
        .defer("content_html", "content_text")
        .order_by("-published_at", "-pk")
    )
    message = digest_message(delivery, briefs)
    try:
        message.send()
    except (SMTPException, OSError) as exc:
        DigestDelivery.objects.filter(pk=delivery.pk).update(
            state=DigestDelivery.State.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        raise DigestNotSent(
            f"The {delivery.period} digest to {delivery.subscription.email} was not sent: {exc}"
        ) from exc
    delivery.state, delivery.sent_at = DigestDelivery.State.SENT, timezone.now()
    delivery.error, delivery.message_id = "", message.extra_headers["Message-ID"]
    delivery.save(update_fields=["state", "sent_at", "error", "message_id"])
    return DigestOutcome("sent", delivery, briefs=len(briefs))


def digest_message(delivery: DigestDelivery, briefs: list[Article]) -> EmailMultiAlternatives:
    """The digest as an email: plain text and HTML, with RFC 2369 / RFC 8058 unsubscribe headers."""
    subscription = delivery.subscription
    shown = briefs[: settings.DIGEST_MAX_BRIEFS]
    frequency = subscription.get_frequency_display()
    scope = subscription.scope_label()
    unsubscribe = unsubscribe_url(subscription)
    context = {
        "site_name": settings.SITE_NAME,
        "frequency": frequency.lower(),
        "scope": scope,
        "items": [
            {
                "title": brief.title,
                "takeaway": brief.takeaway,
                "notes": [
                    (section.heading_for(note.role), note.text)
                    for section in anatomy.sections(kind=anatomy.Kind.PER_ROLE)
                    for note in anatomy.value_of(brief, section)
                ],
                "url": absolute(brief.get_absolute_url()),
                "source": brief.source.name,
            }
            for brief in shown
        ],
        "more": len(briefs) - len(shown),
        "all_url": absolute(reverse("articles:briefs")),
        "unsubscribe_url": unsubscribe,
        "signup_url": absolute(reverse("articles:email_signup")),
    }
    count = len(briefs)
    domain = settings.SITE_URL.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    message = EmailMultiAlternatives(
        subject=f"{settings.SITE_NAME} {frequency.lower()} digest: {count} new brief{'s' if count != 1 else ''} "
        f"for {scope}",
        body=render_to_string("email/digest.txt", context),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "List-Id": f"{settings.SITE_NAME} {frequency.lower()} digest <{frequency.lower()}-digest.{domain}>",
            # The same on a resend after a failure, so a mailbox that got it after all can drop the copy.
            "Message-ID": f"<digest-{delivery.pk}-{delivery.period}@{domain}>",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("email/digest.html", context), "text/html")
    return message
