"""The drafting indexes: what story clustering and related briefs look up instead of rereading the library.

`StoryKey` holds the locality-sensitive hash keys of each piece's title and opening text, so a
new piece finds the pieces that may tell the same story by an indexed lookup of its own keys.
`RelatedTerm` is the vocabulary of the published briefs with each word's document count, and
`RelatedPosting` each published brief's most weighted words (`RelatedDocument` lists all
its words, for the counts), so related briefs are scored against
the briefs that share a new brief's words without fitting TF-IDF over every brief again. Both
are written by articles/enrich/ (clusters.py, related_index.py) only, one brief at a time.
"""

from django.db import models


class StoryKey(models.Model):
    """One band of a piece's MinHash signature: pieces sharing a key are compared as the same story."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="story_keys")
    key = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["key", "article"], name="storykey_key_idx")]
        constraints = [models.UniqueConstraint(fields=["article", "key"], name="storykey_article_key_unique")]

    def __str__(self):
        return f"Story key {self.key} of brief {self.article_id}"


class RelatedTerm(models.Model):
    """A word of the published briefs and how many of them use it (the empty word counts every brief)."""

    term = models.CharField(max_length=64, unique=True)
    documents = models.IntegerField(default=0)

    def __str__(self):
        return f"{self.term or '(every brief)'}: {self.documents}"


class RelatedDocument(models.Model):
    """A published brief in the related-briefs index: every word it was counted under."""

    article = models.OneToOneField("Article", primary_key=True, on_delete=models.CASCADE, related_name="+")
    terms = models.JSONField(default=list)

    def __str__(self):
        return f"Words of brief {self.article_id}"


class RelatedPosting(models.Model):
    """A word of one published brief with its TF-IDF weight (the brief's vector has length 1)."""

    article = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="+")
    term = models.ForeignKey(RelatedTerm, on_delete=models.CASCADE, related_name="postings")
    weight = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["term", "article", "weight"], name="relatedposting_term_idx")]
        constraints = [models.UniqueConstraint(fields=["article", "term"], name="relatedposting_article_term_unique")]

    def __str__(self):
        return f"{self.term_id} in brief {self.article_id}: {self.weight:.3f}"
