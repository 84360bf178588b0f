from django.urls import path

from articles import views

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("briefs/<slug:slug>/", views.brief_detail, name="brief"),
    path("roles/<slug:slug>/", views.role_listing, name="role"),
    path("fields/<slug:slug>/", views.field_listing, name="field"),
    path("topics/<slug:slug>/", views.topic_listing, name="topic"),
    path("sources/<slug:slug>/", views.source_listing, name="source"),
]
