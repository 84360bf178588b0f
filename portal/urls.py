from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.SITE_NAME} curation"
admin.site.site_title = f"{settings.SITE_NAME} curation"
admin.site.index_title = "Curation panel"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("articles.urls")),
]
