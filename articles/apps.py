from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"
    verbose_name = "Briefs and sources"

    def ready(self):
        from articles import signals  # noqa: F401  (connects the receivers)
        from articles.enrich import receivers  # noqa: F401
