from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Briefs and sources"

    def ready(self):
        from django.db.models.signals import post_migrate

        from articles import search_index, signals, tasks  # noqa: F401  (connects the receivers)
        from articles.subscriptions import receivers as subscription_receivers  # noqa: F401
        from articles.web import page_cache  # noqa: F401

        post_migrate.connect(search_index.reinstall_after_migrate, sender=self)
