"""Ingestion: sources in, briefs out (DESIGN.md "Data flow" and "Ingestion rules").

fetch.py      HTTP with the SSRF guard, conditional GET, redirects checked per hop, size cap,
              at most INGEST_PER_HOST_CONCURRENCY requests per host across all workers; one client
              per process (kept-alive connections, one TLS context), the guard on every new connection
parse.py      RSS / Atom / RDF through feedparser (DOCTYPE internal subsets cut first), JSON Feed 1.0/1.1
normalize.py  canonical address, nh3 sanitizing, plain text, full text (trafilatura), reading time, hash
pipeline.py   entries → Articles (new ones inserted together with their history rows), IngestionRun records,
              source health and backoff; returns an IngestOutcome
              (the tasks queue what follows; locks live in articles/locks.py)
pages.py      single pages a curator adds ("Add a single page")
opml.py       OPML import and export of feed sources
(the curation panel's side of it is articles/admin/sources.py)

Settings (environment variable = setting, default):
INGEST_USER_AGENT            "<SITE_NAME>/0.1 (Distillery feed reader; +<SITE_URL>)"
INGEST_CONNECT_TIMEOUT       10 s      INGEST_READ_TIMEOUT   20 s (per read)
INGEST_TOTAL_TIMEOUT         60 s for a whole response (a slow-drip server is cut off)
INGEST_MAX_BYTES             10 MiB body cap (after decompression)
INGEST_PER_HOST_CONCURRENCY  2         INGEST_HOST_SLOT_WAIT 30 s before giving up as "busy"
INGEST_ALLOW_LOOPBACK        false — only tests and a local demo may fetch from this machine
INGEST_MAX_BACKOFF_MINUTES   1440 (a failing source waits interval × 2^failures, at most this)
INGEST_TASK_RETRIES          3 retries for timeouts and 5xx, exponential backoff with jitter
INGEST_MAX_DELIVERIES        5 deliveries of one message before it is dropped as poison
INGEST_LOCK_SECONDS          30 s lease of a task lock, renewed while its holder lives
"""
