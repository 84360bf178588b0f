"""Facet counts of published briefs, kept up to date instead of counted on every page.

Counting "how many published briefs per topic, within this role" over a whole library is a
join of every published brief with its taxonomy; at 100,000 briefs that is seconds a page.
These two tables hold the answer: `FacetCount` has, for no scope and for every single scope
(one role, one area, one topic …), how many published briefs carry each facet value; the
`FacetSnapshot` of each published brief remembers which values it was counted under, so a
change adds and removes exactly its own contribution; the brief's row keeps the same values
(`Article.facet_values`) for search. Written by `articles/facets.py` only.
"""

import json

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


class DatedFacetValue(models.Model):
    """A published brief's role, area, subfield or topic, as its kept value ("role:3", "topic:12", one of
    `Article.facet_values`; `search_index.DATED_FACETS`), with its publication date: one row each. A search filtered
    by one walks that value's briefs newest first, in the primary key's order, instead of walking every brief and
    testing each for the value (`ArticleQuerySet.holding_latest_first`).

    PostgreSQL only, written by a trigger from the brief's own row (`search_index`), so every write of the row
    keeps it in step (`update()`, bulk writes and restores included), as the search vector is kept; the
    backup leaves it out. Empty on SQLite, whose search never reads it.
    """

    pk = models.CompositePrimaryKey("value", "published_at", "article")
    value = models.CharField(max_length=40)
    published_at = models.DateTimeField()
    # No foreign key constraint and nothing for Django to cascade: the trigger removes a deleted brief's rows.
    article = models.ForeignKey(
        "Article", on_delete=models.DO_NOTHING, db_constraint=False, related_name="dated_values"
    )

    def __str__(self):
        return f"{self.value} of brief {self.article_id}, published {self.published_at:%Y-%m-%d}"


class FacetValuesField(models.Field):
    """The "facet:value" strings a published brief is counted under, kept in the brief's own row: a `text[]`
    on PostgreSQL (GIN-indexed, with the planner's per-value statistics), JSON text on SQLite.

    Search reads it in the scan that finds the matches: a filter is tested in the row itself, and the
    facet counts of the matches come from the rows already read (see `articles/search.py`).
    """

    description = "Facet values of a published brief"

    def db_type(self, connection):
        return "text[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        values = sorted(value)
        return values if connection.vendor == "postgresql" else json.dumps(values)

    def from_db_value(self, value, expression, connection):
        if value is None or isinstance(value, list):
            return value
        return json.loads(value)

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(value)
        return value


@FacetValuesField.register_lookup
class HasFacetValue(models.Lookup):
    """`facet_values__has="topic:12"`: the brief carries that value. PostgreSQL can answer it from the GIN
    index (`@>`), or test it in the row; SQLite looks through the JSON list."""

    lookup_name = "has"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [value]

    def postgresql_sql(self, lhs: str, rhs: str) -> str:
        return f"{lhs} @> ARRAY[{rhs}]::text[]"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            return self.postgresql_sql(lhs, rhs), [*lhs_params, *rhs_params]
        return f"EXISTS (SELECT 1 FROM json_each({lhs}) AS kept WHERE kept.value = {rhs})", [*lhs_params, *rhs_params]


@FacetValuesField.register_lookup
class HoldsFacetValue(HasFacetValue):
    """`facet_values__holds="role:3"`: as `has`, but always tested in the row on PostgreSQL (`= ANY`, which the
    GIN index cannot answer; the planner still estimates it from the column's per-value statistics).

    For a value many briefs hold: intersecting its long list in the index with a rare word's costs more than
    testing the few rows the word finds (8-18 ms against 0.1 ms for a role held by 38,000 briefs)."""

    lookup_name = "holds"

    def postgresql_sql(self, lhs: str, rhs: str) -> str:
        return f"{rhs} = ANY({lhs})"
