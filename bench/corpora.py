"""The shared evaluation texts, loaded the way the portal itself would see them.

CNN/DailyMail and BBC come from ../shared/corpora/summaries; the real feeds go through
the portal's own parser and normalizer (`articles.ingest`), so the drafts measured here
are drafted from exactly the `content_text` ingestion would store. Only the English feeds
are used (the drafting is English-only), each publication once (dustri and Daring
Fireball are in the corpus twice, in two formats), and items of at least 80 words.
"""

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

CORPORA = ROOT.parent / "shared" / "corpora"
SUMMARIES = CORPORA / "summaries"
REALFEEDS = CORPORA / "realfeeds"
LABELLED = CORPORA / "labelled"
ENGLISH_FEEDS = (
    "feedjira__SamRuby.atom.xml",
    "feedjira__TechCrunch.xml",
    "feedjira__lukedorny_jsonfeed11.json",
    "miniflux__dustri_large_atom.xml",
    "netnewswire__DaringFireball.atom",
    "netnewswire__biorxiv_rss10.rdf",
    "netnewswire__google_cloudblog.rss",
    "netnewswire__macworld.rss",
    "netnewswire__scriptingNews.rss",
    "rssparser__guardian.rss",
)
MIN_WORDS = 80


@dataclass(frozen=True)
class Piece:
    id: str
    title: str
    text: str


def module_at(commit: str, path: str):
    """The project's module at `path` (e.g. "articles/enrich/text.py") as it was at `commit`, loaded apart
    from today's, so a bench can run the code before a change beside the code after it."""
    import importlib.util
    import subprocess
    import tempfile

    source = subprocess.run(
        ["git", "show", f"{commit}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    name = f"{Path(path).stem}_at_{commit}"
    copy = Path(tempfile.mkdtemp()) / f"{name}.py"
    copy.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, copy)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def require(path: Path):
    if not path.exists():
        sys.exit(f"Evaluation data not found at {path} (it lives in ../shared/corpora beside the project).")


def summaries(name: str) -> list[dict]:
    path = SUMMARIES / name
    require(path)
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def cnndm() -> list[Piece]:
    return [Piece(f"cnndm:{r['id']}", r["title"], r["text"]) for r in summaries("cnndm_test_frank_250.jsonl")]


def realfeeds() -> list[Piece]:
    """Every English feed item of the corpus with at least 80 words, as ingestion would store it."""
    import django

    django.setup()
    from articles.enrich.text import word_count
    from articles.ingest.normalize import normalize_entry
    from articles.ingest.parse import parse_feed

    require(REALFEEDS)
    pieces = []
    for name in ENGLISH_FEEDS:
        url = f"https://feeds.example.org/{name}"
        parsed = parse_feed((REALFEEDS / name).read_bytes(), url=url)
        for index, entry in enumerate(parsed.entries):
            if not entry.link:
                continue
            item = normalize_entry(entry, feed_url=url)
            if word_count(item.content_text) >= MIN_WORDS:
                pieces.append(Piece(f"realfeeds:{name}#{index}", entry.title, item.content_text))
    return pieces


def labelled() -> list[dict]:
    """The labelled items of labelled/dev.jsonl, each with its `text` loaded as ingestion would store it."""
    path = LABELLED / "dev.jsonl"
    require(path)
    items = [json.loads(line) for line in path.open(encoding="utf-8")]
    feeds = {}
    by_id = {}
    for item in items:
        group, _, key = item["id"].partition(":")
        if group == "realfeeds":
            name, _, index = key.rpartition("#")
            feeds.setdefault(name, None)
    for name in feeds:
        feeds[name] = _feed_texts(name)
    for name, rows in (("cnndm", "cnndm_test_frank_250.jsonl"), ("bbc", "bbc_news_summary_500.jsonl")):
        for row in summaries(rows):
            by_id[f"{name}:{row['id']}"] = row["text"]
    for item in items:
        group, _, key = item["id"].partition(":")
        if group == "realfeeds":
            name, _, index = key.rpartition("#")
            item["text"] = feeds[name][int(index)]
        else:
            item["text"] = by_id[item["id"]]
    return items


def half_of(item_id: str) -> str:
    """The deterministic half a labelled item belongs to: "tuning" (constants may be set on it) or "held-out" (never).
    bench/taxonomy.py and bench/defects.py split labelled/dev.jsonl the same way."""
    import hashlib

    return "tuning" if int(hashlib.sha256(item_id.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def _feed_texts(name: str) -> list[str]:
    """content_text of each entry of a feed, in the order the labels index them."""
    import django

    django.setup()
    from articles.ingest.normalize import html_to_text, sanitize_html

    raw = (REALFEEDS / name).read_bytes()
    if name.endswith(".json"):  # the labels index JSON Feed items by their place in `items`
        items = json.loads(raw)["items"]
        return [
            html_to_text(sanitize_html(i.get("content_html") or i.get("content_text") or i.get("summary") or ""))
            for i in items
        ]
    import feedparser

    texts = []
    for entry in feedparser.parse(raw).entries:
        bodies = [c.value for c in entry.get("content", [])] + [entry.get("summary", "")]
        texts.append(max((html_to_text(sanitize_html(b)) for b in bodies), key=len))
    return texts
