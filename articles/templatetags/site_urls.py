"""`{% site_url 'articles:briefs' %}`: the address of a page that takes no arguments, reversed once and kept.

Every page's header and footer name the same nine addresses; `{% url %}` reverses each on every render (about
50 µs each here, most of it reading the request's URL configuration, script prefix and language), which was a
fifth of rendering a search page. The kept address is keyed by all three, so a request with another script
prefix or URL configuration gets its own.
"""

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

_reversed: dict[tuple, str] = {}


@register.simple_tag
def site_url(name: str) -> str:
    key = (name, get_urlconf(), get_script_prefix(), get_language())
    found = _reversed.get(key)
    if found is None:
        found = _reversed[key] = reverse(name)
    return found
