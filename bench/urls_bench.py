"""The product's URLs plus a floor: the same 20 newest briefs as bare `.values()` JSON, no framework."""

from django.http import JsonResponse
from django.urls import include, path

from articles.models import Article


def bare_values(request):
    rows = Article.objects.published().latest_first().values("slug", "title", "summary", "takeaway", "published_at")
    return JsonResponse({"results": list(rows[:20])})


urlpatterns = [path("bench/bare-values/", bare_values), path("", include("portal.urls"))]
