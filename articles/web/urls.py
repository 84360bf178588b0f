from django.urls import include, path
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from articles.web import email_digests, feeds, indexes, readers, subscribe, views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("briefs/", views.all_briefs, name="briefs"),
    path("briefs/<slug:slug>/", views.brief_detail, name="brief"),
    path("roles/", indexes.roles_index, name="roles"),
    path("fields/", indexes.fields_index, name="fields"),
    path("topics/", indexes.topics_index, name="topics"),
    path("sources/", indexes.sources_index, name="sources"),
    path("roles/<slug:slug>/", views.role_listing, name="role"),
    path("fields/<slug:slug>/", views.field_listing, name="field"),
    path("topics/<slug:slug>/", views.topic_listing, name="topic"),
    path("sources/<slug:slug>/", views.source_listing, name="source"),
    path("depth/<slug:level>/", views.depth_listing, name="depth"),
    path("search/", views.search_page, name="search"),
    path("for-me/", readers.choose_roles, name="for_me"),
    path("subscribe/", subscribe.subscribe, name="subscribe"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("feeds/rss/", feeds.site_rss, name="feed_rss"),
    path("feeds/atom/", feeds.site_atom, name="feed_atom"),
    path("feeds/json/", feeds.site_json_feed, name="feed_json"),
    path("subscribe/email/", include(email_digests)),
]

# /roles/<slug>/rss/, /roles/<slug>/atom/ and the same for fields, topics and sources.
for scope in feeds.SCOPES:
    urlpatterns += [
        path(f"{scope}s/<slug:slug>/rss/", feeds.feed_view(Rss201rev2Feed, scope), name=f"{scope}_rss"),
        path(f"{scope}s/<slug:slug>/atom/", feeds.feed_view(Atom1Feed, scope), name=f"{scope}_atom"),
    ]
