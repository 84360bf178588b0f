"""Reader pages and the API list at 1,000 and 100,000 briefs, side by side in one run.

    .venv/bin/python bench/scale.py [--sizes 1000 100000] [--seconds 10] [--concurrency 4]

With DATABASE_URL set (a PostgreSQL server), each size gets a database of its own on that
server (`<name>_bench_<size>`), created, migrated and filled by `generate_briefs` the first
time; otherwise SQLite files under BENCH_DIR (default /tmp/distillery-bench).
BENCH_DATABASE_URLS="1000=postgres://…,100000=postgres://…" names ready databases instead.

One gunicorn per size (portal/gunicorn.conf.py, 2 workers, page cache off: cold) serves at
the same time, and wrk (Debian's package) measures every request against each size in turn,
interleaved, on loopback at a fixed concurrency. Then, at the largest size, the floors (a
static file, a bare `.values()` JSON view of the same 20 rows) and the pages served from the
page cache. Not a test: it prints a markdown report and writes it to bench/scale.md, and draws
each request's p50 and p95 at every size in bench/charts/latency_by_size.png (matplotlib, a
development dependency imported only then; `--no-charts` skips it).
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DIR = Path(os.environ.get("BENCH_DIR", "/tmp/distillery-bench"))
SECRET = "bench-only-secret-key-never-used-for-anything-real-0123456789"

DEEP_PAGE = "`/briefs/?page=200` (or the last full page)"
FRESH = "bench/fresh_query.lua"
FRESH_COMMON = "search, a common word, each asked once"
PAGE_SIZE = 20  # WEB_PAGE_SIZE's default
# (label, path); {brief}, {role}, {area}, {rare}, {topic} and {deep} are filled from each database ({role}: the role
# with the most published briefs, {few_role}: the one with the fewest; {topic}: the topic whose share of the published
# briefs is nearest a tenth).
COLD_REQUESTS = [
    ("home", "/"),
    ("`/briefs/` page 1", "/briefs/"),
    # Page 200, or the last full page where there are fewer (at 1,000 briefs, 825 published: page 41);
    # page=200 there would answer the last page, with 5 briefs.
    (DEEP_PAGE, "/briefs/?page={deep}"),
    ("a role listing", "/roles/{role}/"),
    ("an area listing", "/fields/{area}/"),
    ("the roles index", "/roles/"),
    ("the fields index", "/fields/"),
    ("the topics index", "/topics/"),
    ("the sources index", "/sources/"),
    ("a brief page", "/briefs/{brief}/"),
    ("`sitemap.xml` (index)", "/sitemap.xml"),
    ("API list, 20 per page", "/api/v1/articles/"),
    ("API list by title, 20 per page", "/api/v1/articles/?ordering=title"),
    # Last: a slow search must not hold the workers while the other requests are measured.
    ("search, a common word", "/search/?q=model"),
    ("search, two common words and a role", "/search/?q=curriculum+treaty&role={role}"),
    # The generated text draws every word from one small vocabulary: the number in a title is the rare term.
    ("search, a rare term", "/search/?q={rare}"),
    # The rows above repeat one query, which the search keeps (WEB_SEARCH_KEEP_SECONDS); these never repeat one.
    (FRESH_COMMON, "/search/?q=model", FRESH),
    ("search, two common words and a role, each asked once", "/search/?q=curriculum+treaty&role={role}", FRESH),
    # A role few briefs have: its walk reads further before it has a page (bench/REPORT.md, "Search, eleventh pass").
    (
        "search, two common words and the least-held role, each asked once",
        "/search/?q=curriculum+treaty&role={few_role}",
        FRESH,
    ),
    # A topic about a tenth of the briefs hold: its search walks the topic's own briefs ("thirteenth pass").
    ("search, two common words and a topic, each asked once", "/search/?q=curriculum+treaty&topic={topic}", FRESH),
]
TOPIC_NEAR_A_TENTH = """
from django.db.models import Count, Q
from articles.models import Article, Topic
tenth = Article.objects.published().count() / 10
held = Topic.objects.annotate(n=Count("articles", filter=Q(articles__status="published"))).filter(n__gt=0)
print(min(held.values_list("n", "slug"), key=lambda pair: (abs(pair[0] - tenth), pair[1]))[1])
"""
FLOORS = [("static file", "/static/css/site.css"), ("bare `.values()` view, 20 rows", "/bench/bare-values/")]
CACHED = [("home, cached", "/"), ("a brief page, cached", "/briefs/{brief}/")]


def free_port() -> int:
    """A free loopback port: from BENCH_PORTS ("8110-8119") when given, else any."""
    low, _, high = os.environ.get("BENCH_PORTS", "0-0").partition("-")
    for port in range(int(low), int(high or low) + 1):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    sys.exit(f"No free port in BENCH_PORTS={os.environ['BENCH_PORTS']}")


def environment(database_url: str, **extra) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DISTILLERY_VAR_DIR": str(BENCH_DIR / "var"),
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "PYTHONPATH": str(ROOT),
        "LOG_LEVEL": "WARNING",
        # The throttle still runs on every API request; at its default rate it would answer 429s here.
        "API_THROTTLE_ANON_RATE": "100000000/min",
        **extra,
    }
    # BENCH_REDIS_URL: the scaled mode's caches (pages, versions, the API's kept representations) in Redis;
    # without it they are the database cache tables of the embedded mode.
    env.pop("REDIS_URL", None)
    if os.environ.get("BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["BENCH_REDIS_URL"]
    env.update({key: value for key, value in extra.items() if key == "REDIS_URL"})
    return env


def in_process(database_url: str, *, page_cache_seconds: int):
    """The project's WSGI application in this process, with the bench's environment: a function answering a
    GET of a path with its status line (the body read and closed, as a server would)."""
    import io

    os.environ.update(environment(database_url, WEB_PAGE_CACHE_SECONDS=str(page_cache_seconds)))
    sys.path.insert(0, str(ROOT))
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()

    def get(path: str) -> str:
        statuses = []
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
        }
        body = application(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(body)
        body.close()
        return statuses[0]

    return get


def manage(database_url: str, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=environment(database_url), capture_output=True, text=True
    )
    if result.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def database_urls(sizes: list[int]) -> dict[int, str]:
    named = os.environ.get("BENCH_DATABASE_URLS", "").strip()
    if named:
        pairs = dict(part.split("=", 1) for part in named.split(","))
        return {size: pairs[str(size)] for size in sizes}
    base = os.environ.get("DATABASE_URL", "").strip()
    if not base:
        BENCH_DIR.mkdir(parents=True, exist_ok=True)
        return {size: f"sqlite:///{BENCH_DIR}/bench-{size}.sqlite3" for size in sizes}
    import psycopg

    parts = urlsplit(base)
    name = parts.path.lstrip("/")
    urls = {}
    with psycopg.connect(base, autocommit=True) as connection:
        for size in sizes:
            database = f"{name}_bench_{size}"
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
                connection.execute(f'CREATE DATABASE "{database}"')
            urls[size] = urlunsplit(parts._replace(path=f"/{database}"))
    return urls


def prepare(size: int, database_url: str) -> None:
    manage(database_url, "migrate", "--noinput", "-v0")
    have = int(
        manage(database_url, "shell", "-c", "from articles.models import Article; print(Article.objects.count())")
        .strip()
        .splitlines()[-1]
    )
    if have < size:
        print(f"Generating {size - have:,} briefs for the {size:,} library …", flush=True)
        manage(database_url, "generate_briefs", "--count", str(size - have), "--sources", str(max(20, size // 100)))


class Server:
    """gunicorn with the repository's configuration, on a free loopback port."""

    def __init__(self, database_url: str, *, page_cache_seconds: int):
        self.port = free_port()
        env = environment(
            database_url,
            GUNICORN_BIND=f"127.0.0.1:{self.port}",
            WEB_CONCURRENCY="2",
            GUNICORN_ACCESS_LOG="",
            WEB_PAGE_CACHE_SECONDS=str(page_cache_seconds),
        )
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "portal.wsgi", "-c", "portal/gunicorn.conf.py"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.url("/robots.txt"), timeout=5).read()
                return
            except OSError:
                time.sleep(0.5)
        self.stop()
        sys.exit("gunicorn did not start within 60 s")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get_json(self, path: str) -> dict:
        return json.loads(urllib.request.urlopen(self.url(path), timeout=60).read())

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)


def wrk(url: str, *, seconds: int, concurrency: int, script: str = "bench/latency.lua") -> dict:
    command = ["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "60s", "-s", script, url]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("JSON "))
    result = json.loads(line[5:])
    result["rps"] = result["requests"] / result["seconds"]
    return result


def fill(path: str, names: dict) -> str:
    return path.format(**names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100000])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per request and size")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="WORDS",
        help="measure only the requests whose label contains one of these (no floors, no cached pages; "
        "prints a table and leaves bench/scale.md alone)",
    )
    parser.add_argument("--no-charts", action="store_true", help="leave bench/charts/ alone")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    urls = database_urls(args.sizes)
    for size, database_url in urls.items():
        prepare(size, database_url)
    manage(urls[args.sizes[0]], "collectstatic", "--noinput", "-v0")

    servers = {size: Server(url, page_cache_seconds=0) for size, url in urls.items()}
    try:
        names = {}
        for size, server in servers.items():
            newest = server.get_json("/api/v1/articles/?page_size=1")["results"][0]
            roles = server.get_json("/api/v1/roles/")
            roles = roles["results"] if isinstance(roles, dict) else roles
            areas = server.get_json("/api/v1/fields/")
            numbered = re.search(r"\((\d+)\)", newest["title"])
            published = int(
                manage(
                    urls[size],
                    "shell",
                    "-c",
                    "from articles.models import Article; print(Article.objects.published().count())",
                )
                .strip()
                .splitlines()[-1]
            )
            topic = manage(urls[size], "shell", "-c", TOPIC_NEAR_A_TENTH).strip().splitlines()[-1]
            names[size] = {
                "topic": topic,
                "deep": min(200, max(1, published // PAGE_SIZE)),
                "brief": newest["slug"],
                "role": max(roles, key=lambda r: r["published_count"])["slug"],
                "few_role": min((r for r in roles if r["published_count"]), key=lambda r: r["published_count"])["slug"],
                "area": max(areas, key=lambda a: a["published_count"])["slug"],
                "rare": numbered.group(1) if numbered else newest["slug"].split("-")[0],
            }
        rows = []
        requests = [(label, path, *script) for label, path, *script in COLD_REQUESTS]
        if args.only:
            requests = [request for request in requests if any(word in request[0] for word in args.only)]
        for label, path, *script in requests:
            script = script[0] if script else "bench/latency.lua"
            measured = {}
            for size, server in servers.items():  # interleaved: every request at every size in turn
                target = server.url(fill(path, names[size]))
                wrk(
                    target, seconds=2, concurrency=args.concurrency, script=script
                )  # warm the connection and the database
                measured[size] = wrk(target, seconds=args.seconds, concurrency=args.concurrency, script=script)
            rows.append((label, measured))
            print(label, {s: f"{m['p50'] / 1000:.1f} ms p50" for s, m in measured.items()}, flush=True)
        largest = max(args.sizes)
        if args.only:
            print(render_rows(args, rows, largest))
            if "a brief page" in dict(rows):
                print(search_ratios(rows, largest))
            return
        floors = []
        for label, path in FLOORS:
            target = servers[largest].url(path)
            wrk(target, seconds=2, concurrency=args.concurrency)
            floors.append((label, wrk(target, seconds=args.seconds, concurrency=args.concurrency)))
    finally:
        for server in servers.values():
            server.stop()
    warm = Server(urls[largest], page_cache_seconds=600)
    try:
        cached = []
        for label, path in CACHED:
            target = warm.url(fill(path, names[largest]))
            wrk(target, seconds=2, concurrency=args.concurrency)
            cached.append((label, wrk(target, seconds=args.seconds, concurrency=args.concurrency)))
    finally:
        warm.stop()
    report = render(args, rows, floors, cached, largest, names)
    print(report)
    (ROOT / "bench" / "scale.md").write_text(report)
    if not args.no_charts:
        print(f"Chart: {draw_chart(args, rows).relative_to(ROOT)}")


def draw_chart(args, rows) -> Path:
    """Horizontal bars, one group per request: p50 at each size, p95 as a thin line beyond it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = ROOT / "bench" / "charts"
    charts.mkdir(exist_ok=True)
    labels = [label.replace("`", "") for label, _measured in rows]
    height = 0.8 / len(args.sizes)
    colours = ["#9bbbe0", "#2b6cb0", "#1a365d"]
    figure, axes = plt.subplots(figsize=(11, 0.55 * len(rows) + 1.4))
    for number, size in enumerate(args.sizes):
        positions = [row + number * height for row in range(len(rows))]
        p50 = [measured[size]["p50"] / 1000 for _label, measured in rows]
        p95 = [measured[size]["p95"] / 1000 for _label, measured in rows]
        colour = colours[number % len(colours)]
        axes.barh(positions, p50, height=height, color=colour, label=f"p50 at {size:,} briefs")
        axes.hlines(positions, p50, p95, color=colour, linewidth=1)
        axes.plot(p95, positions, "|", color=colour, markersize=7)
    axes.set_yticks([row + height * (len(args.sizes) - 1) / 2 for row in range(len(rows))], labels)
    axes.invert_yaxis()
    axes.set_xscale("log")
    axes.set_xlabel("milliseconds, log scale (bar: p50; line to the tick: p95)")
    axes.set_title(f"Cold requests: gunicorn, 2 workers; wrk, {args.concurrency} connections", fontsize=10)
    axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    figure.tight_layout()
    path = charts / "latency_by_size.png"
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def render_rows(args, rows, largest) -> str:
    """The table of every request at every size."""
    smallest = min(args.sizes)
    lines = [
        f"wrk, {args.concurrency} connections, {args.seconds} s per request and size, gunicorn with 2 workers, "
        "page cache off (cold) unless marked cached; p50 / p95 in milliseconds.",
        "",
        "| request | "
        + " | ".join(f"p50 / p95 at {size:,}" for size in args.sizes)
        + f" | growth p50 | req/s at {largest:,} | errors |",
        "|---|" + "---|" * (len(args.sizes) + 3),
    ]
    for label, measured in rows:
        cells = [f"{m['p50'] / 1000:.1f} / {m['p95'] / 1000:.1f}" for m in measured.values()]
        growth = measured[largest]["p50"] / max(measured[smallest]["p50"], 1)
        errors = sum(m["non2xx"] + m["failed"] for m in measured.values())
        lines.append(f"| {label} | {' | '.join(cells)} | {growth:.2f}× | {measured[largest]['rps']:.0f} | {errors} |")
    return "\n".join(lines)


def render(args, rows, floors, cached, largest, names) -> str:
    lines = [
        render_rows(args, rows, largest),
        "",
        f"At {largest:,} briefs:",
        "",
        "| request | req/s | p50 ms | share of the static file's req/s |",
        "|---|---|---|---|",
    ]
    static_rps = floors[0][1]["rps"]
    brief_cold = dict(rows)["a brief page"][largest]
    api_cold = dict(rows)["API list, 20 per page"][largest]
    for label, m in [*floors, *cached, ("a brief page, cold", brief_cold), ("API list, cold", api_cold)]:
        lines.append(f"| {label} | {m['rps']:.0f} | {m['p50'] / 1000:.1f} | {m['rps'] / static_rps:.0%} |")
    bare_rps = floors[1][1]["rps"]
    lines += ["", f"API list at {api_cold['rps'] / bare_rps:.0%} of the bare `.values()` view's req/s."]
    by_label = dict(rows)
    pages = ", ".join(f"page {names[size]['deep']} at {size:,}" for size in args.sizes)
    lines.append(f"The deep page is {pages} (each full, {PAGE_SIZE} briefs).")
    for size in args.sizes:
        first, deep = by_label["`/briefs/` page 1"][size], by_label[DEEP_PAGE][size]
        lines.append(f"At {size:,} briefs, the deep page's p50 is {deep['p50'] / max(first['p50'], 1):.2f}× page 1's.")
    lines.append(search_ratios(rows, largest))
    return "\n".join(lines) + "\n"


def search_ratios(rows, largest) -> str:
    brief_p95 = max(dict(rows)["a brief page"][largest]["p95"], 1)
    searches = [(label, m[largest]) for label, m in rows if label.startswith("search")]
    ratios = "; ".join(f"{label} {m['p95'] / brief_p95:.1f}×" for label, m in searches)
    return f"Search p95 against the cold brief page's p95 at {largest:,} briefs: {ratios}."


if __name__ == "__main__":
    main()
