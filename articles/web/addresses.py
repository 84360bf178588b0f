"""The addresses of pages that take no arguments, reversed once and kept (`address`, `{% site_url %}`).

Every page's header, footer, feed links and breadcrumbs name the same few addresses; `reverse` costs about
50 µs each here, most of it reading the request's URL configuration, script prefix and language through
thread-local storage, which was a fifth of rendering a search page. The kept address is keyed by all three,
so a request with another script prefix or URL configuration gets its own.
"""

from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

_reversed: dict[tuple, str] = {}


def address(name: str) -> str:
    """`reverse(name)` for a URL name without arguments, kept per URL configuration, script prefix and language."""
    key = (name, get_urlconf(), get_script_prefix(), get_language())
    found = _reversed.get(key)
    if found is None:
        found = _reversed[key] = reverse(name)
    return found
