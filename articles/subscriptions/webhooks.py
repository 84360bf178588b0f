"""Webhooks: tell integrators' endpoints when a brief is published, edited while published, or unpublished.

An event is recorded once per listening endpoint as a `WebhookDelivery` holding the JSON body
(the brief as the API shows it, fixed at the moment of the event), then POSTed by a task.
Each attempt is signed afresh:

    X-Distillery-Timestamp: <unix seconds>
    X-Distillery-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>." + raw body)>

so a receiver can check both who sent it and that it is recent. Delivery is at least once: a
receiver may see the same X-Distillery-Delivery id twice (a retry after a lost answer) and
should ignore the second. Every address goes through the ingestion SSRF guard, when it is
registered and on each connection (loopback only with WEBHOOK_ALLOW_LOOPBACK).
"""

import hashlib
import hmac
import json
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from articles.locks import lock_cache
from articles.models import Article, WebhookDelivery, WebhookEndpoint

EVENT_HEADER = "X-Distillery-Event"
DELIVERY_HEADER = "X-Distillery-Delivery"
TIMESTAMP_HEADER = "X-Distillery-Timestamp"
SIGNATURE_HEADER = "X-Distillery-Signature"
SIGNATURE_VERSION = "v1"
USER_AGENT = "Distillery-Webhooks/1.0"
RETRYABLE_STATUSES = {408, 425, 429, 500, 502, 503, 504}
STALLED_AFTER = timedelta(minutes=15)


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def check_endpoint_address(url: str) -> None:
    """Refuse an address the guard would refuse at delivery (UnsafeURL / FetchError with the reason)."""
    from articles.ingest.fetch import check_url, checked_addresses

    parsed = check_url(url)
    checked_addresses(
        parsed.host,
        parsed.port or (443 if parsed.scheme == "https" else 80),
        allow_loopback=settings.WEBHOOK_ALLOW_LOOPBACK,
    )


# --- Recording events ------------------------------------------------------------------------


def record_event(
    *, event: str, article: Article, brief: dict, endpoints: list[WebhookEndpoint], now: datetime | None = None
) -> list[WebhookDelivery]:
    """One pending delivery of `brief` (the API's representation) per endpoint; the caller queues them."""
    now = now or timezone.now()
    data = json.loads(json.dumps(brief, default=str))
    with transaction.atomic():
        return [
            WebhookDelivery.objects.create(
                endpoint=endpoint,
                event=event,
                article=article,
                created_at=now,
                payload={"event": event, "created_at": now.isoformat(), "brief": data},
            )
            for endpoint in endpoints
        ]


def resend(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """A new delivery of the same event and body to the same endpoint (the log keeps the old one)."""
    return WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        event_id=delivery.event_id,
        article=delivery.article,
        payload=delivery.payload,
    )


def stalled_deliveries(now: datetime | None = None) -> list[int]:
    """Deliveries whose task message was lost (broker restarted, worker killed between retries): still
    waiting STALLED_AFTER past the moment they were due. Queuing them again is safe (see `deliver`)."""
    now = now or timezone.now()
    overdue = now - STALLED_AFTER
    waiting = Q(state=WebhookDelivery.State.PENDING, created_at__lt=overdue) | Q(
        state=WebhookDelivery.State.RETRYING, next_attempt_at__lt=overdue
    )
    return list(WebhookDelivery.objects.filter(waiting).order_by("pk").values_list("pk", flat=True)[:500])


# --- Delivering --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryOutcome:
    """`succeeded`, `failed` (for good), `retry` (after `retry_in` seconds) or `skipped` (nothing to do)."""

    state: str
    retry_in: float = 0.0


def body_of(delivery: WebhookDelivery) -> bytes:
    # The body carries its delivery id too, so a logged body says which delivery it was.
    document = {"id": str(delivery.event_id), **delivery.payload}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def backoff_seconds(attempts: int) -> float:
    """30 s, 60 s, 120 s … (WEBHOOK_RETRY_BASE_SECONDS doubling) with jitter so retries do not stampede."""
    return settings.WEBHOOK_RETRY_BASE_SECONDS * (2 ** (attempts - 1)) * random.uniform(0.75, 1.0)


def deliver(*, delivery_id: int) -> DeliveryOutcome:
    """POST one delivery once and record the answer; the outcome says whether to try again and when."""
    lock = f"webhook-delivery:{delivery_id}"
    if not lock_cache().add(lock, True, timeout=int(settings.WEBHOOK_TIMEOUT_SECONDS * 3) + 30):
        return DeliveryOutcome("skipped")  # the same delivery is being attempted right now
    try:
        delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
        if delivery is None or delivery.state in (WebhookDelivery.State.SUCCEEDED, WebhookDelivery.State.FAILED):
            return DeliveryOutcome("skipped")
        if not delivery.endpoint.is_active:
            _record(delivery, state=WebhookDelivery.State.FAILED, error="The endpoint was switched off; not sent.")
            return DeliveryOutcome("failed")
        return _attempt(delivery)
    finally:
        lock_cache().delete(lock)


def _attempt(delivery: WebhookDelivery) -> DeliveryOutcome:
    # The fetcher's guard and httpx are imported by a delivery: this module is imported in every process (the tasks
    # and the receivers that record events), and only a worker delivering an event sends one.
    import httpx

    from articles.ingest.fetch import FetchError, UnsafeURL, build_client, check_url
    from articles.ingest.fetch import retry_after_seconds as parse_retry_after

    endpoint = delivery.endpoint
    body = body_of(delivery)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.event_id),
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    delivery.attempts += 1
    delivery.last_attempt_at = timezone.now()
    status, retry_after, elapsed_ms = None, 0.0, None
    started = time.monotonic()
    try:
        url = check_url(endpoint.url)
        # Streamed and never read: a receiver's answer body is not ours to download.
        with (
            build_client(allow_loopback=settings.WEBHOOK_ALLOW_LOOPBACK) as client,
            client.stream(
                "POST", url, content=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
            ) as response,
        ):
            status = response.status_code
            retry_after = parse_retry_after(response.headers.get("retry-after", ""))
        elapsed_ms = round((time.monotonic() - started) * 1000)
    except UnsafeURL as refusal:
        return _fail(delivery, f"{refusal} Change the endpoint's address.")
    except FetchError as exc:  # the host name did not resolve
        return _retry_or_fail(delivery, str(exc), status=None, retry_after=0, elapsed_ms=None)
    except httpx.TimeoutException:
        message = f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS:g} seconds."
        return _retry_or_fail(delivery, message, status=None, retry_after=0, elapsed_ms=None)
    except httpx.HTTPError as exc:
        message = f"Could not reach the endpoint ({exc.__class__.__name__}: {exc})."
        return _retry_or_fail(delivery, message, status=None, retry_after=0, elapsed_ms=None)
    if 200 <= status < 300:
        _record(
            delivery,
            state=WebhookDelivery.State.SUCCEEDED,
            status=status,
            elapsed_ms=elapsed_ms,
            delivered_at=timezone.now(),
        )
        return DeliveryOutcome("succeeded")
    if status in RETRYABLE_STATUSES:
        return _retry_or_fail(
            delivery,
            f"The endpoint answered HTTP {status}.",
            status=status,
            retry_after=retry_after,
            elapsed_ms=elapsed_ms,
        )
    if 300 <= status < 400:
        error = (
            f"The endpoint answered HTTP {status} (a redirect); redirects are not followed: register the final address."
        )
    else:
        error = f"The endpoint answered HTTP {status}; not retried (fix the receiver, then resend)."
    return _fail(delivery, error, status=status, elapsed_ms=elapsed_ms)


def _retry_or_fail(delivery, error: str, *, status, retry_after: float, elapsed_ms) -> DeliveryOutcome:
    if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        return _fail(
            delivery, f"{error} Gave up after {delivery.attempts} attempts.", status=status, elapsed_ms=elapsed_ms
        )
    if retry_after > settings.WEBHOOK_MAX_RETRY_AFTER_SECONDS:
        return _fail(
            delivery,
            f"{error} It asked to wait {retry_after:.0f} seconds (Retry-After), longer than the "
            f"{settings.WEBHOOK_MAX_RETRY_AFTER_SECONDS} we hold a retry; resend it later.",
            status=status,
            elapsed_ms=elapsed_ms,
        )
    wait = max(backoff_seconds(delivery.attempts), retry_after)
    _record(
        delivery,
        state=WebhookDelivery.State.RETRYING,
        error=error,
        status=status,
        elapsed_ms=elapsed_ms,
        next_attempt_at=timezone.now() + timedelta(seconds=wait),
    )
    return DeliveryOutcome("retry", retry_in=wait)


def _fail(delivery, error: str, *, status=None, elapsed_ms=None) -> DeliveryOutcome:
    _record(delivery, state=WebhookDelivery.State.FAILED, error=error, status=status, elapsed_ms=elapsed_ms)
    return DeliveryOutcome("failed")


def _record(delivery, *, state, error="", status=None, elapsed_ms=None, delivered_at=None, next_attempt_at=None):
    delivery.state = state
    delivery.error = error[:2000]
    delivery.response_status = status
    delivery.response_ms = elapsed_ms
    delivery.delivered_at = delivered_at
    delivery.next_attempt_at = next_attempt_at
    delivery.save(
        update_fields=[
            "state",
            "error",
            "response_status",
            "response_ms",
            "delivered_at",
            "next_attempt_at",
            "attempts",
            "last_attempt_at",
        ]
    )
