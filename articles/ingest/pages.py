"""Single pages a curator submits ("Add a single page"): each becomes a brief of its site's page source.

Like the feed pipeline it queues nothing: `ingest_page` returns an `IngestOutcome` and the task
hands the new brief to enrichment.
"""

import logging

from django.db import IntegrityError, transaction

from articles.ingest.fetch import FetchError, fetch
from articles.ingest.normalize import NotAWebAddress, canonical_url, extract_page, normalize_entry
from articles.ingest.parse import Entry, FeedError
from articles.ingest.pipeline import (
    IngestOutcome,
    Outcome,
    RunCounts,
    fail_run,
    finish_successful_run,
    store_item,
)
from articles.locks import run_lease, source_lock
from articles.models import IngestionRun, Source

logger = logging.getLogger(__name__)


def page_source_for(url: str) -> Source:
    """The "single pages" source of the site `url` belongs to, created on first use."""
    page_url = canonical_url(url)
    host = page_url.split("/")[2]
    home = f"{page_url.split('/')[0]}//{host}/"
    source = Source.objects.filter(url=home).first()
    if source is None:
        try:
            with transaction.atomic():
                source = Source.objects.create(name=host, url=home, site_url=home, kind=Source.Kind.PAGE)
        except IntegrityError:
            source = Source.objects.get(url=home)
    return source


def ingest_page(*, source_id: int, url: str) -> IngestOutcome:
    """Fetch one web page a curator submitted and store it as a brief of the page source `source_id`."""
    with source_lock(f"page:{url}"):
        source = Source.objects.get(pk=source_id)
        run = IngestionRun.objects.create(source=source, status=Outcome.RUNNING)
        with run_lease(run.pk):
            return _run_page(source, run, url)


def _run_page(source: Source, run: IngestionRun, url: str) -> IngestOutcome:
    counts = RunCounts(seen=1)
    http_status = None
    try:
        result = fetch(url)
        http_status = result.status
        page = extract_page(result.content, url=result.url)
        if not page.html:
            raise FeedError(f"No article text could be found on {url}.")
        # After redirects (a short link, an old address) the page's own address is the original,
        # and its site the source the brief credits.
        entry = Entry(
            link=result.url, title=page.title, content_html=page.html, author=page.author, published=page.published
        )
        item = normalize_entry(entry, feed_url=result.url)
        owner = source if result.url == url else page_source_for(result.url)
        outcome, article_id = store_item(source=owner, item=item)
    except (FetchError, FeedError, NotAWebAddress) as exc:
        counts.failed = 1
        http_status = getattr(exc, "http_status", None) or http_status
        return fail_run(run, source=source, counts=counts, http_status=http_status, error=str(exc), cause=exc)
    except Exception as exc:
        logger.exception("Ingesting the page %s failed", url)
        counts.failed = 1
        error = f"Unexpected error while ingesting {url}: {exc.__class__.__name__}: {exc}"
        return fail_run(run, source=source, counts=counts, http_status=http_status, error=error, cause=exc)
    setattr(counts, outcome, 1)
    finish_successful_run(run, source=source, status=Outcome.SUCCEEDED, counts=counts, http_status=http_status)
    return IngestOutcome(run=run, to_enrich=(article_id,) if outcome in ("new", "updated") else ())
