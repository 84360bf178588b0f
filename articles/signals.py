"""Receivers that keep derived state in step with the models."""

from django.core.management import call_command
from django.db import transaction
from django.db.models.signals import m2m_changed, post_migrate, post_save, pre_delete, pre_save
from django.dispatch import receiver

from articles import facets
from articles.enrich import classify
from articles.models import Article, FacetSnapshot, Field, Status


@receiver(post_migrate)
def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    # The embedded mode caches in a database table (no Redis); create it with the schema
    # so `migrate` is the only set-up step, in the tests too.
    if sender.name == "articles":
        call_command("createcachetable", database=using, verbosity=0)


# --- Facet counts (articles/facets.py) ----------------------------------------------------


@receiver(post_save, sender=Article)
def count_facets_on_save(sender, instance, created, raw=False, **kwargs):
    # A new brief that is not published counts under nothing: no query for ingestion's inserts.
    if raw or (created and instance.status != Status.PUBLISHED):
        return
    using = kwargs.get("using") or instance._state.db
    # Only a published brief has a snapshot, and publishing sets `published_at` for good: the saves
    # of a piece never published (ingestion's, drafting's) look for none.
    if instance.status == Status.PUBLISHED or (
        instance.published_at is not None and FacetSnapshot.objects.using(using).filter(article_id=instance.pk).exists()
    ):
        facets.refresh(instance)
        # Published, edited while published, or just unpublished: what the classifiers learn from changed.
        classify.library_changed()


@receiver(m2m_changed, sender=Article.fields.through)
@receiver(m2m_changed, sender=Article.topics.through)
@receiver(m2m_changed, sender=Article.roles.through)
def count_facets_on_taxonomy_change(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse or instance.status == Status.PUBLISHED:
        classify.library_changed()  # a published brief's labels may have changed
    if not reverse:
        if instance.status == Status.PUBLISHED:
            facets.refresh(instance)
    elif pk_set is None:
        # topic.articles.clear(): which briefs lost it is no longer known; recount them all.
        transaction.on_commit(facets.rebuild)
    else:
        # From the taxonomy's side (topic.articles.add(…)): each published brief named.
        for article in Article.objects.using(kwargs.get("using")).published().filter(pk__in=pk_set):
            facets.refresh(article)


@receiver(pre_delete, sender=Article)
def count_facets_on_delete(sender, instance, **kwargs):
    facets.forget(instance)
    if instance.status == Status.PUBLISHED:
        classify.library_changed()


@receiver(pre_save, sender=Field)
def recount_facets_when_a_field_moves(sender, instance, raw=False, **kwargs):
    # A subfield moved to another area changes the area of every brief filed under it.
    if raw or instance.pk is None:
        return
    moved = Field.objects.filter(pk=instance.pk).exclude(parent_id=instance.parent_id).exists()
    if moved and Article.fields.through.objects.filter(field_id=instance.pk).exists():
        transaction.on_commit(facets.rebuild)


# --- The related-briefs index (articles/enrich/related_index.py) ----------------------------
# A published brief's words are indexed when it is saved; leaving publication takes them out
# (enrich.related.withdraw_related, queued on unpublishing), and so does deleting it.


@receiver(post_save, sender=Article, dispatch_uid="index_related_on_save")
def index_related_on_save(sender, instance, raw=False, **kwargs):
    if raw or instance.status != Status.PUBLISHED:
        return  # no query for ingestion's inserts or a draft's saves
    from articles.enrich import related_index  # scikit-learn loads only where briefs are published

    related_index.refresh(instance)


@receiver(pre_delete, sender=Article, dispatch_uid="index_related_on_delete")
def unindex_related_on_delete(sender, instance, **kwargs):
    if instance.status == Status.PUBLISHED:
        from articles.enrich import related_index

        related_index.remove(instance)
