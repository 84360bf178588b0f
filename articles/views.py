from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from articles.models import Article, Field, RelatedLink, Role, Source, Topic

PAGE_SIZE = 20


def home(request):
    briefs = Article.objects.published().with_taxonomy().latest_first()[:PAGE_SIZE]
    return render(request, "articles/home.html", {"briefs": briefs})


def brief_detail(request, slug):
    brief = get_object_or_404(Article.objects.visible_to(request.user).with_taxonomy(), slug=slug)
    related = RelatedLink.objects.shown_for(brief)
    return render(request, "articles/brief.html", {"brief": brief, "related": related})


def _listing(request, *, heading, briefs):
    page = Paginator(briefs.with_taxonomy().latest_first(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "articles/listing.html", {"heading": heading, "page": page})


def role_listing(request, slug):
    role = get_object_or_404(Role, slug=slug)
    return _listing(request, heading=f"Best for {role.name}", briefs=Article.objects.published().for_role(role))


def field_listing(request, slug):
    field = get_object_or_404(Field.objects.select_related("parent"), slug=slug)
    return _listing(request, heading=str(field), briefs=Article.objects.published().for_field(field))


def topic_listing(request, slug):
    topic = get_object_or_404(Topic, slug=slug)
    return _listing(request, heading=topic.name, briefs=Article.objects.published().for_topic(topic))


def source_listing(request, slug):
    source = get_object_or_404(Source, slug=slug)
    return _listing(request, heading=source.name, briefs=Article.objects.published().for_source(source))
