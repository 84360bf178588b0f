"""`{% site_url 'articles:briefs' %}`: `{% url %}` for an address without arguments, reversed once and kept
(see `articles.web.addresses`)."""

from django import template

from articles.web.addresses import address

register = template.Library()


@register.simple_tag
def site_url(name: str) -> str:
    return address(name)
