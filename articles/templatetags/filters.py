"""The filter panel's lists (listings and search), written in one pass.

A panel has up to seven lists of up to 30 options; rendered through template nodes, its options
were most of what rendering a search's panel cost (three variables, an `if` and a loop step each),
and then the lists themselves (a loop step, an `if` and five variables each) half of what was left.
Escaped by the standard library's `html.escape`, which Django's `escape` calls, without its lazy-string wrapper.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


def _options(facet) -> str:
    """`facet`'s options as <option> elements, each "Label (count)", the chosen one selected."""
    return "".join(
        f'<option value="{escape(str(option.value))}"{" selected" if option.selected else ""}>'
        f"{escape(str(option.label))} ({int(option.count)})</option>\n"
        for option in facet.options
    )


@register.simple_tag
def filter_lists(facets):
    """A labelled list for each facet that is not fixed by the page and has options, "Any" first."""
    html = []
    for facet in facets:
        if facet.fixed or not facet.options:
            continue
        name, label = escape(str(facet.name)), escape(str(facet.label))
        html.append(
            f'\n    <div class="filter">\n      <label for="filter-{name}">{label}</label>\n'
            f'      <select id="filter-{name}" name="{name}">\n        <option value="">Any</option>\n'
            f"        {_options(facet)}\n      </select>\n    </div>\n    "
        )
    return mark_safe("".join(html))
