from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from articles.web import ops, sitemaps
from articles.web.page_cache import cached_public_page
from articles.web.sitemaps import SITEMAPS
from articles.web.views import robots_txt

admin.site.site_header = f"{settings.SITE_NAME} curation"
admin.site.site_title = f"{settings.SITE_NAME} curation"
admin.site.index_title = "Curation panel"

urlpatterns = [
    path("admin/", admin.site.urls),
    # An index of one sitemap per section, each paginated (?p=2 …), so every brief is listed at any size.
    path(
        "sitemap.xml",
        cached_public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cached_public_page(sitemaps.sitemap_section),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("robots.txt", robots_txt, name="robots"),
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("api/", include("articles.api.urls")),
    path("api/auth/", include("rest_framework.urls")),  # log in/out of the browsable API
    path("", include("articles.web.urls")),
]

# JSON errors under /api/, the usual pages elsewhere.
handler400 = "articles.api.errors.handler400"
handler404 = "articles.api.errors.handler404"
handler500 = "articles.api.errors.handler500"
