"""The brief page's sections, in the order and with the values the anatomy declares."""

from django import template

from articles import anatomy

register = template.Library()


@register.simple_tag
def brief_sections(brief, place="body", roles=None):
    """[(section, value)] of the brief's filled sections at `place` (see articles/anatomy.py).

    `roles` (slugs): a per-role section shows only its notes for them; None shows every note.
    """
    return anatomy.shown(brief, place=anatomy.Place(place), roles=roles)
