from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from articles.api.taxonomy import FieldViewSet, RoleViewSet, SourceViewSet, TopicViewSet
from articles.api.views import BriefViewSet

app_name = "api"

router = DefaultRouter(trailing_slash=True)
router.register("articles", BriefViewSet, basename="brief")
router.register("fields", FieldViewSet, basename="field")
router.register("topics", TopicViewSet, basename="topic")
router.register("roles", RoleViewSet, basename="role")
router.register("sources", SourceViewSet, basename="source")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
