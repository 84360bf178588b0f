"""The brief page's sections, in the order and with the values the anatomy declares."""

from django import template

from articles import anatomy

register = template.Library()


@register.simple_tag
def brief_sections(brief, place="body"):
    """[(section, value)] of the brief's filled sections at `place` (see articles/anatomy.py)."""
    return anatomy.shown(brief, place=anatomy.Place(place))
