"""What the curation panel shows of the machine's work: the draft with provenance, originality, the story."""

from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from articles import anatomy
from articles.enrich.originality import check_article
from articles.models import Suggestion

OPEN_STATES = (Suggestion.State.PENDING, Suggestion.State.APPLIED)
# Below this the editor folds a suggestion away under "less sure" (it can still be opened and used).
LOW_CONFIDENCE = 0.5


def _brief_field(suggestion) -> str:
    section = anatomy.for_suggestion(suggestion.section)
    return section.name if section else ""


def machine_draft(article) -> str:
    """The latest draft's suggestions, each with where it came from, how sure, and accept/discard buttons."""
    run = article.enrichment_runs.first()
    if run is None:
        return "No machine draft yet. Use the “Re-run enrichment” action to make one."
    tokens = (
        format_html(" Language model: {} tokens read, {} written.", run.prompt_tokens or 0, run.completion_tokens or 0)
        if run.prompt_tokens is not None or run.completion_tokens is not None
        else ""
    )
    header = format_html(
        "<p>{} draft of {}.{}{}</p>",
        run.get_backend_display(),
        run.created_at.strftime("%Y-%m-%d %H:%M"),
        tokens,
        format_html(" <strong>{}</strong>", run.fallback_reason) if run.fallback_reason else "",
    )
    suggestions = article.suggestions.select_related("topic", "field__parent", "role").order_by(
        "section", "position", "pk"
    )
    rows = format_html_join(
        "",
        '<tr class="suggestion{}" data-section="{}" data-suggestion="{}" data-text="{}" data-paragraph="{}" '
        'data-start="{}" data-end="{}">'
        '<td>{}</td><td class="suggestion-text">{}</td><td>{}</td><td>{}%</td><td class="suggestion-state">{}</td>'
        '<td class="suggestion-buttons">{}</td></tr>',
        (
            (
                " low-confidence" if s.confidence < LOW_CONFIDENCE else "",
                _brief_field(s),
                s.pk,
                s.text,
                s.paragraph or "",
                "" if s.char_start is None else s.char_start,
                "" if s.char_end is None else s.char_end,
                s.get_section_display(),
                f"{s.role.name}: {s.text}" if s.section == Suggestion.Section.ROLE_NOTE and s.role else s.text,
                s.provenance or "—",
                round(s.confidence * 100),
                s.get_state_display(),
                _buttons(s),
            )
            for s in suggestions
        ),
    )
    return format_html(
        "{}<table><thead><tr><th>Section</th><th>Suggestion</th><th>Where from</th><th>Confidence</th>"
        "<th>State</th><th></th></tr></thead><tbody>{}</tbody></table>"
        '<p class="help">Accepting adds the suggestion after what the brief already says (your changes on this '
        "page are saved first); nothing you wrote is replaced.</p>",
        header,
        rows,
    )


def _buttons(suggestion) -> str:
    if suggestion.state not in OPEN_STATES:
        return ""
    # Without the editor's script these save the form and reload; with it they act in place.
    section = anatomy.for_suggestion(suggestion.section)
    writing = section is not None and section.kind in (anatomy.Kind.TEXT, anatomy.Kind.LIST)
    insert = mark_safe('<button type="button" class="suggestion-insert" hidden>Insert</button> ') if writing else ""
    return format_html(
        '{}<button type="submit" name="_accept_suggestion" value="{}" data-decision="accept">Accept</button> '
        '<button type="submit" name="_discard_suggestion" value="{}" data-decision="discard">Discard</button>',
        insert,
        suggestion.pk,
        suggestion.pk,
    )


def originality(article) -> str:
    report = check_article(article)
    limit = round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)
    verdict = (
        format_html(
            '<strong style="color:#a1262b">Above the limit of {}%: publishing needs an override.</strong>', limit
        )
        if report.exceeds()
        else format_html('<span style="color:#1d6b2f">Within the limit of {}%.</span>', limit)
    )
    overrides = format_html_join(
        "",
        "<li>{}: {} published at {}% verbatim (limit {}%): “{}”</li>",
        (
            (
                o.created_at.strftime("%Y-%m-%d %H:%M"),
                o.actor or "someone since removed",
                round(o.shared_share * 100),
                round(o.limit * 100),
                o.reason,
            )
            for o in article.originality_overrides.select_related("actor")
        ),
    )
    history = format_html("<p>Overrides:</p><ul>{}</ul>", overrides) if overrides else ""
    figures = report.describe()
    return format_html("<p>{}.</p><p>{}</p>{}", figures[:1].upper() + figures[1:].rstrip("."), verdict, history)


def story(article) -> str:
    cluster = article.story_cluster
    if cluster is None:
        return "—"
    if "articles" in getattr(cluster, "_prefetched_objects_cache", {}):
        members = cluster.articles.all()  # the queue prefetched them, in this order, for all its rows
    else:
        members = cluster.articles.select_related("source").order_by("created_at", "pk")
    # Each source links to its piece, where an editor can make it the lead instead.
    return format_html_join(
        ", ",
        '<a href="{}">{}</a>{}',
        (
            (
                reverse("admin:articles_article_change", args=[member.pk]),
                member.source.name,
                " (lead)" if member.pk == cluster.lead_id else "",
            )
            for member in members
        ),
    )
