"""Facet counts of published briefs, kept up to date instead of counted on every page.

Counting "how many published briefs per topic, within this role" over a whole library is a
join of every published brief with its taxonomy; at 100,000 briefs that is seconds a page.
These two tables hold the answer: `FacetCount` has, for no scope and for every single scope
(one role, one area, one topic …), how many published briefs carry each facet value; the
`FacetSnapshot` of each published brief remembers which values it was counted under, so a
change adds and removes exactly its own contribution. Written by `articles/facets.py` only.
"""

from django.db import models


class FacetCount(models.Model):
    """Published briefs in `scope`=`scope_value` that have `facet`=`value` (scope "" is the whole library).

    The row with facet "" and value "" holds the number of published briefs in the scope.
    Values are primary keys (roles, fields, topics, sources) or choices (level, length).
    """

    scope = models.CharField(max_length=10, blank=True)
    scope_value = models.CharField(max_length=40, blank=True)
    facet = models.CharField(max_length=10, blank=True)
    value = models.CharField(max_length=40, blank=True)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "scope_value", "facet", "value"], name="facetcount_unique_key"),
        ]

    def __str__(self):
        scope = f"{self.scope}={self.scope_value}" if self.scope else "all"
        return f"{scope}: {self.facet}={self.value} → {self.count}"


class FacetSnapshot(models.Model):
    """The facet values a published brief is counted under, as "facet:value" strings."""

    article = models.OneToOneField("Article", primary_key=True, on_delete=models.CASCADE, related_name="+")
    values = models.JSONField(default=list)

    def __str__(self):
        return f"Facets of brief {self.article_id}"
