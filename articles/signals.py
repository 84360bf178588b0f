"""Receivers that keep derived state in step with the models."""

from django.core.management import call_command
from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_cache_table(sender, using="default", verbosity=1, **kwargs):
    # The embedded mode caches in a database table (no Redis); create it with the schema
    # so `migrate` is the only set-up step, in the tests too.
    if sender.name == "articles":
        call_command("createcachetable", database=using, verbosity=0)
