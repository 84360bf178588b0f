"""The brief editor in Debian's Chromium: two people on one brief lose nothing, and the editor passes axe-core."""

import pytest
from django.test import Client

from articles.models import Status
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import make_article, make_staff
from articles.tests.web.test_browser import AXE, CHROMIUM, CHROMIUM_ARGS, capture
from conftest import require_or_skip

# serialized_rollback: the Curator and Editor groups (a data migration) outlive each test's flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def people(db):
    """A draft and two colleagues, each with a signed-in session cookie (made before the browser starts:
    Playwright's event loop then owns this thread, where Django refuses ORM calls)."""
    brief = make_article(
        status=Status.DRAFT,
        title="Moving orders from batch jobs to an event stream",
        summary="The summary as the machine drafted it.",
        content_text=KNOWN_TEXT,
    )
    # More of the queue, so its screenshots show rows of every kind.
    make_article(
        status=Status.IN_REVIEW,
        title="A brief in review whose title is long enough to need a second line "
        "when the queue is read on a phone held upright",
    )
    make_article(status=Status.DRAFT, complete=False, title="Fresh from a feed, nothing written yet")
    sessions = {}
    for name, group in (("alice", "Curator"), ("bob", "Editor")):
        user = make_staff(group, username=name, first_name=name.title())
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies["sessionid"].value
    return {"brief": brief, "sessions": sessions}


@pytest.fixture
def chromium(people, live_server):
    require_or_skip(CHROMIUM.exists(), f"needs Debian's Chromium at {CHROMIUM} (apt-get install chromium)")
    require_or_skip(AXE.exists(), f"needs axe-core at {AXE}: run `npm ci` (make test does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def session_page(chromium, live_server, cookie):
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def editor_url(live_server, brief):
    return f"{live_server.url}/admin/articles/article/{brief.pk}/change/"


def test_one_brief_open_in_two_sessions_loses_neither_edit(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    alice = session_page(chromium, live_server, sessions["alice"])
    bob = session_page(chromium, live_server, sessions["bob"])
    alice.goto(editor_url(live_server, brief))
    bob.goto(editor_url(live_server, brief))
    # Each sees the other: Bob at once (Alice's page had spoken first), Alice at her next heartbeat.
    assert "Also open by Alice" in bob.locator("#editor-presence").inner_text()

    alice.fill("#id_summary", "Alice's summary: orders flow through a stream now.")
    alice.click("#editor-bar input[name=_continue]")
    assert "was changed successfully" in alice.locator(".messagelist").inner_text()

    bob.fill("#id_summary", "Bob's summary: the batch job is gone.")
    bob.click("#editor-bar input[name=_continue]")
    conflict = bob.locator("#editor-conflict")
    assert "Alice's summary" in conflict.inner_text() and "Bob's summary" in conflict.inner_text()
    assert bob.input_value("#id_summary") == "Bob's summary: the batch job is gone."

    # Bob keeps both, in his words, and saves: nothing of either is lost.
    bob.fill("#id_summary", "Alice's summary: orders flow through a stream now. Bob's summary: the batch job is gone.")
    bob.click("#editor-bar input[name=_continue]")
    assert "was changed successfully" in bob.locator(".messagelist").inner_text()
    alice.goto(editor_url(live_server, brief))
    assert alice.input_value("#id_summary") == (
        "Alice's summary: orders flow through a stream now. Bob's summary: the batch job is gone."
    )
    assert alice.errors == [] and bob.errors == []


def test_what_was_typed_before_the_session_ran_out_is_offered_back(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    page = session_page(chromium, live_server, sessions["alice"])
    page.goto(editor_url(live_server, brief))
    page.fill("#id_summary", "Typed for an hour, then the session timed out.")
    page.context.clear_cookies()  # the session is gone: the next page asks to log in
    page.goto(editor_url(live_server, brief))
    assert "/admin/login/" in page.url
    page.context.add_cookies([{"name": "sessionid", "value": sessions["alice"], "url": live_server.url}])
    page.goto(editor_url(live_server, brief))
    assert page.locator("#editor-restore").is_visible()
    page.click("#editor-restore-button")
    assert page.input_value("#id_summary") == "Typed for an hour, then the session timed out."


def test_the_editor_updates_its_bar_as_you_type_and_passes_axe_at_both_widths(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    page = session_page(chromium, live_server, sessions["bob"])
    page.goto(editor_url(live_server, brief))
    page.fill("#id_summary", KNOWN_TEXT[:600])
    page.wait_for_selector("#copied-summary")
    assert "copied from the original" in page.locator("#copied-summary").inner_text()
    page.fill("#id_summary", "")
    page.wait_for_function("document.getElementById('editor-missing').textContent.includes('summary')")
    page.fill("#id_summary", "Our own words on the move to a stream.")
    page.wait_for_function("document.getElementById('editor-missing').textContent === 'Nothing blocks publishing.'")
    capture(page, "curation-editor")
    assert page.errors == []


def test_the_queue_is_worked_from_the_keyboard_and_passes_axe_at_both_widths(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    page = session_page(chromium, live_server, sessions["bob"])
    page.goto(f"{live_server.url}/admin/articles/workqueueitem/")
    assert "j next row" in page.locator("#queue-keys").inner_text()
    capture(page, "curation-queue")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(f"**/articles/workqueueitem/{brief.pk}/change/**")
    assert page.locator("#editor-bar").is_visible()
    assert page.errors == []
