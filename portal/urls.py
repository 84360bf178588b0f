from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles.page_cache import cached_public_page
from articles.sitemaps import SITEMAPS
from articles.views import robots_txt

admin.site.site_header = f"{settings.SITE_NAME} curation"
admin.site.site_title = f"{settings.SITE_NAME} curation"
admin.site.index_title = "Curation panel"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("sitemap.xml", cached_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("articles.urls")),
]
