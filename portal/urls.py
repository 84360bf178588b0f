from django.conf import settings
from django.contrib import admin
from django.urls import include, path

admin.site.site_header = f"{settings.SITE_NAME} curation"
admin.site.site_title = f"{settings.SITE_NAME} curation"
admin.site.index_title = "Curation panel"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("articles.api.urls")),
    path("api/auth/", include("rest_framework.urls")),  # log in/out of the browsable API
    path("", include("articles.urls")),
]

# JSON errors under /api/, the usual pages elsewhere.
handler400 = "articles.api.errors.handler400"
handler404 = "articles.api.errors.handler404"
handler500 = "articles.api.errors.handler500"
