"""`{% site_url 'articles:briefs' %}`: `{% url %}` for an address without arguments, reversed once and kept
(`articles.models.base.address`)."""

from django import template

from articles.models.base import address

register = template.Library()


@register.simple_tag
def site_url(name: str) -> str:
    return address(name)
