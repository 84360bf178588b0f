"""The filter panel's options (listings and search), written in one pass.

A panel has up to seven lists of up to 30 options; rendered through template nodes, its options
were most of what rendering a search's panel cost (three variables, an `if` and a loop step each).
Escaped by the standard library's `html.escape`, which Django's `escape` calls, without its lazy-string wrapper.
"""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def filter_options(facet):
    """`facet`'s options as <option> elements, each "Label (count)", the chosen one selected."""
    return mark_safe(
        "".join(
            f'<option value="{escape(str(option.value))}"{" selected" if option.selected else ""}>'
            f"{escape(str(option.label))} ({int(option.count)})</option>\n"
            for option in facet.options
        )
    )
