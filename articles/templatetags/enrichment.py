"""Template helpers for what enrichment adds to a brief page."""

from django import template

from articles.enrich.clusters import story_sources as sources_of_story

register = template.Library()


@register.simple_tag
def story_sources(brief):
    """The other sources that carried the same story (empty for a story told once), public ones only."""
    return sources_of_story(brief, public_only=True)
