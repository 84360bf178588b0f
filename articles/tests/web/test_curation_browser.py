"""The brief editor in Debian's Chromium: two people on one brief lose nothing, and the editor passes axe-core."""

import importlib

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client

from articles.enrich.text import paragraph_spans
from articles.locks import lock_cache
from articles.models import EnrichmentRun, Status, Suggestion
from articles.tests.enrich.conftest import KNOWN_TEXT
from articles.tests.factories import PASSWORD, make_area, make_article, make_role, make_staff, make_subfield
from articles.tests.ingest.feeds import item, rss
from articles.tests.web.test_browser import (
    capture,
    check_accessibility,
    launched_chromium,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def ensure_staff_groups():
    """The Curator and Editor groups as their data migration makes them: a transactional test's flush
    empties every table, and other tests' flushes may have run before this one."""
    spec = importlib.import_module("articles.migrations.0002_staff_groups")
    for name, rights in (("Curator", spec.CURATOR), ("Editor", spec.CURATOR + spec.EDITOR_EXTRA)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *(
                Permission.objects.get(content_type__app_label=app, codename=f"{action}_{model}")
                for app, model, actions in rights
                for action in actions
            )
        )


@pytest.fixture
def people(db):
    """A draft and two colleagues, each with a signed-in session cookie (made before the browser starts:
    Playwright's event loop then owns this thread, where Django refuses ORM calls)."""
    ensure_staff_groups()
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
    start, _end = paragraph_spans(KNOWN_TEXT)[1]
    run = EnrichmentRun.objects.create(article=brief, backend=EnrichmentRun.Backend.EXTRACTIVE)
    Suggestion.objects.create(
        article=brief,
        run=run,
        section="insight",
        text="A suggested insight.",
        confidence=0.9,
        paragraph=2,
        char_start=start,
        char_end=start + 30,
    )
    sessions = {}
    for name, group in (("alice", "Curator"), ("bob", "Editor")):
        user = make_staff(group, username=name, first_name=name.title())
        client = Client()
        client.force_login(user)
        sessions[name] = client.cookies["sessionid"].value
    return {"brief": brief, "sessions": sessions}


@pytest.fixture
def chromium(people, live_server):
    with launched_chromium() as browser:
        yield browser


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
    page.context.clear_cookies(name="sessionid")  # the session ran out while she typed
    page.click("#editor-bar input[name=_continue]")
    page.wait_for_url("**/admin/login/**")  # the save was not taken: sign in again
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**/articles/article/{brief.pk}/change/")
    assert page.locator("#editor-restore").is_visible()
    page.click("#editor-restore-button")
    assert page.input_value("#id_summary") == "Typed for an hour, then the session timed out."
    page.click("#editor-bar input[name=_continue]")
    assert "was changed successfully" in page.locator(".messagelist").inner_text()
    assert page.input_value("#id_summary") == "Typed for an hour, then the session timed out."
    assert not page.locator("#editor-restore").is_visible()  # saved: nothing left to offer
    assert page.errors == []


def test_the_editor_updates_its_bar_as_you_type_and_passes_axe_at_both_widths(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    page = session_page(chromium, live_server, sessions["bob"])
    page.goto(editor_url(live_server, brief))
    page.fill("#id_summary", KNOWN_TEXT[:600])
    page.wait_for_selector("#copied-summary")
    assert "copied from the original" in page.locator("#copied-summary").inner_text()
    page.fill("#id_summary", "")
    page.wait_for_function("document.getElementById('editor-missing').textContent.includes('summary')")
    # The suggestion sits under its section; pointing at it marks the passage it came from.
    suggestion = page.locator(".field-insights li.suggestion")
    suggestion.hover()
    start, _end = paragraph_spans(KNOWN_TEXT)[1]
    assert page.locator(".brief-original-text mark").inner_text() == KNOWN_TEXT[start : start + 30]
    page.fill("#id_summary", "Our own words on the move to a stream.")
    page.wait_for_function("document.getElementById('editor-missing').textContent === 'Nothing blocks publishing.'")
    capture(page, "curation-editor")
    # Reject asks first; saying no leaves the brief as it was, on the same page.
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("#editor-bar input[name=_step_reject]")
    assert asked and asked[0].startswith("Reject “Moving orders from batch jobs to an event stream”?")
    assert page.locator(".editor-status strong").first.inner_text() == "Draft"
    assert page.errors == []


def test_the_queue_is_worked_from_the_keyboard_and_passes_axe_at_both_widths(people, chromium, live_server):
    brief, sessions = people["brief"], people["sessions"]
    page = session_page(chromium, live_server, sessions["bob"])
    page.goto(f"{live_server.url}/admin/articles/workqueueitem/")
    assert "j next row" in page.locator("#queue-keys").inner_text()
    assert "r reject (asks first)" in page.locator("#queue-step-keys").inner_text()
    capture(page, "curation-queue")
    page.locator("body").click(position={"x": 5, "y": 5})

    # A step that is not open on the chosen row says why instead of acting.
    for key in ("j", "j", "j", "p"):
        page.keyboard.press(key)
    page.wait_for_function("document.getElementById('queue-announce').textContent.includes('waits for')")

    # Reject asks first: Escape keeps the brief, the dialog's button rejects it.
    page.keyboard.press("k")
    page.keyboard.press("r")
    assert page.locator("#queue-confirm").is_visible()
    assert "Reject this brief?" in page.locator("#queue-confirm-heading").inner_text()
    check_accessibility(page, "the queue's confirmation")
    page.keyboard.press("Escape")
    assert not page.locator("#queue-confirm").is_visible()
    page.keyboard.press("r")
    page.keyboard.press("Enter")  # on the dialog's Reject button
    page.wait_for_selector(".messagelist")
    assert "Reject: done for 1 brief." in page.locator(".messagelist").inner_text()
    assert page.locator("#result_list tbody tr").count() == 2
    # The queue keeps its place: the row that took the rejected one's.
    assert "Fresh from a feed" in page.locator("tr.queue-current").inner_text()

    page.keyboard.press("k")
    page.keyboard.press("o")
    page.wait_for_url(f"**/articles/workqueueitem/{brief.pk}/change/**")
    assert page.locator("#editor-bar").is_visible()
    assert page.errors == []


@pytest.fixture
def feed_editor(db, settings, httpserver, eager_tasks):
    """An editor's session, a taxonomy to choose from and a two-item feed on a loopback server;
    ingestion and enrichment run in the server's process when queued (eager)."""
    settings.INGEST_ALLOW_LOOPBACK = True
    lock_cache().clear()  # an enrichment lock left by an earlier run would hold these briefs back
    body = "<p>" + " ".join(f"The team moved service {n} to the stream and measured it." for n in range(40)) + "</p>"
    httpserver.expect_request("/flow.xml").respond_with_data(
        rss(item(1, body=body), item(2, body=body.replace("team", "crew")), title="Loopback weekly"),
        content_type="application/rss+xml",
    )
    ensure_staff_groups()
    make_subfield(make_area("Technology"), "Software delivery")
    make_role("CTO")
    editor = make_staff("Editor", username="erin")
    client = Client()
    client.force_login(editor)
    return {"session": client.cookies["sessionid"].value, "feed": httpserver.url_for("/flow.xml")}


@pytest.fixture
def flow_browser(feed_editor, live_server):
    with launched_chromium() as browser:
        yield browser


def choose(page, field, typed, clicks):
    """Pick a taxonomy entry in an autocomplete box: open it, type, take the first match."""
    clicks.append(f"open {field}")
    page.click(f".field-{field} .select2-selection")
    page.keyboard.type(typed)
    page.wait_for_selector(".select2-results__option--highlighted")
    clicks.append(f"choose {typed}")
    page.keyboard.press("Enter")


def test_a_new_feed_to_a_published_brief_and_on_to_the_next(feed_editor, flow_browser, live_server):
    page = session_page(flow_browser, live_server, feed_editor["session"])
    clicks = []

    def click(selector):
        clicks.append(selector)
        page.click(selector)

    page.goto(f"{live_server.url}/admin/articles/source/add/")
    capture(page, "curation-source-form")
    page.fill("#id_name", "Loopback weekly")
    page.fill("#id_url", feed_editor["feed"])
    click("#feed-test-button")
    page.wait_for_selector("#feed-test-result ul")
    assert "would import 2 items" in page.locator("#feed-test-result").inner_text()
    click("input[name=_ingest_now]")
    page.wait_for_url("**/admin/articles/workqueueitem/")
    page.wait_for_selector("#result_list tbody tr")
    assert page.locator("#result_list tbody tr").count() == 2  # the drafts arrived

    click("#result_list tbody tr:first-child th a")
    page.wait_for_selector("#editor-bar")
    page.fill("#id_summary", "A team moved its services to an event stream and measured what changed.")
    page.fill("#id_takeaway", "Measure before and after a migration, not only after.")
    choose(page, "fields", "Software", clicks)
    choose(page, "roles", "CTO", clicks)
    page.wait_for_function("document.getElementById('editor-missing').textContent === 'Nothing blocks publishing.'")
    click("#editor-bar input[name=_step_publish]")
    assert "is now published" in page.locator(".messagelist").inner_text()
    # Live for readers (a visitor with no session), reached from the message.
    reader = flow_browser.new_page()
    reader.goto(live_server.url + page.get_attribute("#published-link", "href"))
    assert "measured what changed" in reader.locator("main").inner_text()
    reader.close()
    click("#editor-bar input[name=_save_next]")
    page.wait_for_selector("#editor-bar")
    assert "crew" in page.locator(".brief-original-text").inner_text()  # the second piece
    assert page.errors == []
    # Test feed, Save and ingest now, open, two taxonomy choices (open + pick each), publish, next.
    assert len(clicks) == 9, clicks
