"""The reader's journey in Debian's Chromium, with screenshots and an axe-core accessibility check.

home → a role → filter by area → a brief → a related brief → search → subscribe; the ways in,
the phone layout, "for my role" and dark mode.
"""

import re
from contextlib import contextmanager
from pathlib import Path

import feedparser
import pytest

from conftest import PROJECT_ROOT, require_or_skip

CHROMIUM = Path("/usr/bin/chromium")
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__tests__/axe.min.js"
SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@contextmanager
def launched_chromium():
    """Debian's Chromium under Playwright (never a downloaded browser), with axe-core at hand.

    Playwright's sync API runs an event loop in this thread, where Django refuses ORM calls: a
    fixture using this makes its data and starts the live server first.
    """
    require_or_skip(CHROMIUM.exists(), f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    require_or_skip(AXE.exists(), f"needs axe-core at {AXE}: run `npm ci` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser(catalogue, live_server):
    with launched_chromium() as chromium:
        yield chromium


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900})
    page = context.new_page()
    # axe-core is served as if from the site itself, so the pages' strict Content-Security-Policy
    # (script-src 'self', nothing inline) stays on while it runs, and any violation shows below.
    serve_axe(context)
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.console_problems = problems
    yield page
    context.close()


def serve_axe(context):
    """Answer axe-core's address in `context` from node_modules, once per browser context."""
    if not getattr(context, "axe_served", False):
        context.route(f"**{AXE_PATH}", lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"))
        context.axe_served = True


def check_accessibility(page, label):
    # Pages opened in contexts of their own (phone, dark mode, second session) need the route too.
    serve_axe(page.context)
    origin = "/".join(page.url.split("/", 3)[:3])
    page.add_script_tag(url=origin + AXE_PATH)
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]}
        })"""
    )
    # A reader's page may have no violation at all; the curation panel (Django's admin markup) none serious.
    counted = ("serious", "critical") if "/admin/" in page.url else ("minor", "moderate", "serious", "critical")
    serious = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] if node["target"] else "?" for node in violation["nodes"][:3])
        for violation in result["violations"]
        if violation["impact"] in counted
    ]
    assert serious == [], f"accessibility problems on {label}: {serious}"


def capture(page, name):
    """Screenshot at phone and desktop widths, and check accessibility at both."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width_name}-{width}.png"), full_page=True)
        check_accessibility(page, f"{name} at {width}px")
    page.set_viewport_size({"width": WIDTHS["desktop"], "height": 900})


def test_reader_journey_from_home_to_a_feed(page, live_server, catalogue):
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text() == "Briefs worth your time"
    capture(page, "home")

    # Pick a role.
    page.get_by_role("region", name="Best for").get_by_role("link", name=re.compile(r"^CTO")).click()
    page.wait_for_url(re.compile(r"/roles/cto/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Best for CTO"
    assert page.locator(".card").count() == 2

    # Filter by area with the keyboard-usable form.
    page.get_by_label("Area").select_option("public-policy")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"area=public-policy"))
    assert page.locator(".card").count() == 1

    # Open the brief.
    page.get_by_role("link", name="Distillation is a technique, not an attack").click()
    page.wait_for_url(re.compile(r"/briefs/distillation-is-a-technique-not-an-attack/$"))
    assert page.get_by_role("heading", name="Key takeaway").is_visible()
    capture(page, "brief")

    # Follow a related brief.
    page.get_by_role("region", name="Related on Distillery").get_by_role(
        "link", name="Drafting rules for open weights"
    ).click()
    page.wait_for_url(re.compile(r"/briefs/drafting-rules-for-open-weights/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Drafting rules for open weights"

    # Search for a word from another brief's summary.
    search_box = page.get_by_role("searchbox", name="Search briefs")
    search_box.fill("accelerators")
    search_box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=accelerators"))
    result = page.locator(".card").first
    assert result.get_by_role("link").inner_text() == "Where the GPUs went"
    assert result.locator("mark").first.inner_text().lower() == "accelerators"
    capture(page, "search")

    # Subscribe: the menu opens a page that explains the feeds; the address it gives is a valid feed.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Subscribe").click()
    page.wait_for_url(re.compile(r"/subscribe/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Subscribe"
    capture(page, "subscribe")
    feed_url = page.get_by_label("RSS", exact=True).input_value()
    response = page.request.get(feed_url)
    assert response.ok
    feed = feedparser.parse(response.body())
    assert not feed.bozo
    assert feed.version == "rss20"
    assert "Where the GPUs went" in {entry.title for entry in feed.entries}

    assert page.console_problems == []


def test_filters_work_with_the_keyboard_alone(page, live_server, catalogue):
    page.goto(live_server.url + "/briefs/")
    page.get_by_label("Level").focus()
    page.keyboard.press("ArrowDown")  # first real choice after "Any"
    chosen = page.get_by_label("Level").input_value()
    assert chosen
    page.keyboard.press("Tab")
    while page.evaluate("document.activeElement.tagName") == "SELECT":
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Apply filters"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"level={chosen}"))
    assert page.locator(".card").count() == 1
    assert page.console_problems == []


def test_every_other_reader_page_passes_axe_at_phone_and_desktop_widths(page, live_server, catalogue):
    # The pages the journeys below do not reach, with axe at 390 and 1280 px (one browser page for all).
    for path in ("/roles/", "/fields/", "/topics/", "/sources/", "/for-me/"):
        page.goto(live_server.url + path)
        assert page.get_by_role("navigation", name="Breadcrumb").is_visible(), path
        capture(page, path.strip("/") + "-index" if path != "/for-me/" else "for-me")
    pages = {
        # Every listing shares one template (the journeys check role and filtered lists): two more scopes.
        "topic-listing": ("/topics/open-models/", 200),
        "source-listing": ("/sources/interconnects-weekly/", 200),
        "search-empty": ("/search/", 200),
        "email-signup": ("/subscribe/email/?role=cto", 200),
        "email-sent": ("/subscribe/email/sent/", 200),
        "email-confirm-unknown": ("/subscribe/email/confirm/not-a-token/", None),
        "email-unsubscribe-unknown": ("/subscribe/email/unsubscribe/not-a-key/", None),
        "not-found": ("/briefs/no-such-brief/", 404),
    }
    for name, (path, status) in pages.items():
        response = page.goto(live_server.url + path)
        if status is not None:
            assert response.status == status, path
        capture(page, name)
    # The unknown links and the missing brief answer 400 and 404 on purpose; nothing else may complain.
    assert [text for text in page.console_problems if "status of 40" not in text] == []


def test_reader_pages_render_under_their_content_security_policy(page, live_server, catalogue):
    brief = catalogue["briefs"]["distillation"]
    for path in ("/", "/briefs/?level=advanced", brief.get_absolute_url(), "/search/?q=accelerators", "/nowhere/"):
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        assert page.locator("h1").first.is_visible(), path
        # The stylesheet applied: nothing was refused, so the page is laid out as designed.
        assert page.evaluate("getComputedStyle(document.body).margin") != "8px", path
    violations = [text for text in page.console_problems if "Content Security Policy" in text]
    assert violations == []
    assert [text for text in page.console_problems if "404" not in text] == []


PHONE = {"width": 390, "height": 844}


def menu_links(page):
    return page.get_by_role("navigation", name="Main").get_by_role("link").all()


def test_fields_index_leads_to_a_subfield_listing_with_breadcrumbs(page, live_server, catalogue):
    page.goto(live_server.url + "/fields/")
    page.get_by_role("link", name="Regulation").click()
    page.wait_for_url(re.compile(r"/fields/regulation/$"))
    crumbs = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link")
    assert crumbs.all_inner_texts() == ["Home", "Fields", "Public Policy"]


def test_on_a_phone_one_search_box_and_folded_filters_leave_the_first_result_above_the_fold(browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    for path in ("/briefs/", "/roles/cto/?level=advanced", "/search/?q=distillation"):
        page.goto(live_server.url + path)
        # The menu's six entries on one line, "Subscribe" included.
        tops = {round(link.bounding_box()["y"]) for link in menu_links(page)}
        assert len(tops) == 1, f"the menu wraps at 390 px on {path}: {tops}"
        visible_search_boxes = [box for box in page.get_by_role("searchbox").all() if box.is_visible()]
        assert len(visible_search_boxes) == 1, path
        assert not page.get_by_label("Level", exact=True).is_visible(), path  # folded behind "Filters"
        first = page.locator(".card").first.bounding_box()
        assert first["y"] + 40 < PHONE["height"], f"first result below the fold on {path}: {first}"
    capture(page, "search-phone-fold")  # leaves the page at desktop width
    tops = {round(link.bounding_box()["y"]) for link in menu_links(page)}
    assert len(tops) == 1, f"the menu wraps at 1280 px: {tops}"
    page.set_viewport_size(PHONE)

    # Unfold the filters, pick one, apply: the list narrows and says what is on.
    page.goto(live_server.url + "/briefs/")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Level", exact=True).select_option("introductory")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(re.compile(r"level=introductory"))
    assert page.locator(".card").count() == 1
    assert page.get_by_role("list", name="Active filters").is_visible()
    capture(page, "listing-filtered")
    context.close()


@pytest.fixture
def policy_note(catalogue):
    from articles.models import RoleNote

    return RoleNote.objects.create(
        article=catalogue["briefs"]["distillation"],
        role=catalogue["roles"]["policy_maker"],
        text="Write the rule about API abuse, not about the technique.",
    )


def test_a_reader_chooses_roles_on_home_and_their_briefs_and_notes_come_first(policy_note, browser, live_server):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(live_server.url + "/")
    chooser = page.get_by_role("group", name=re.compile("Pick one or more roles"))
    first_card = page.locator(".card").first.bounding_box()
    assert chooser.bounding_box()["y"] < first_card["y"]  # the chooser is near the top
    assert page.locator(".card .card-title").first.inner_text() == "Drafting rules for open weights"
    chooser.get_by_text("Policy Maker").click()
    page.get_by_role("button", name="Put my roles first").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_role("heading", name="Reading as Policy Maker").is_visible()
    titles = page.locator(".card .card-title").all_inner_texts()
    assert titles[:2] == ["Drafting rules for open weights", "Distillation is a technique, not an attack"]
    capture(page, "home-for-my-role")

    page.get_by_role("link", name="Distillation is a technique, not an attack").click()
    assert page.get_by_role("heading", name="Why it matters for Policy Maker").is_visible()
    capture(page, "brief-for-my-role")

    # Another reader (no cookie) never gets this reader's order from the cache.
    other = browser.new_context(viewport=PHONE).new_page()
    other.goto(live_server.url + "/briefs/")
    assert other.locator(".card .card-title").all_inner_texts()[1] == "Where the GPUs went"
    other.context.close()
    context.close()


def test_dark_mode_pages_are_accessible(browser, live_server, catalogue):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    for name, path in {"home": "/", "listing": "/briefs/?level=advanced", "subscribe": "/subscribe/"}.items():
        page.goto(live_server.url + path)
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(18, 20, 23)", path
        capture(page, f"dark-{name}")
    context.close()
