"""The ingestion side of the curation panel: "Ingest now", OPML import and export, "Add a single page".

It extends the foundation's SourceAdmin rather than editing it, and replaces its registration.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from articles import tasks
from articles.admin import SourceAdmin
from articles.ingest import pipeline
from articles.ingest.fetch import UnsafeURL, check_url
from articles.ingest.opml import MAX_OPML_BYTES, OPMLError, export_opml, import_opml
from articles.ingest.pages import page_source_for
from articles.models import Source


class OPMLImportForm(forms.Form):
    file = forms.FileField(label="OPML file", help_text="Exported from a feed reader; feeds already here are skipped.")
    activate = forms.BooleanField(label="Start polling the new sources at once", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_OPML_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_OPML_BYTES // (1024 * 1024)} MB.")
        return upload


class AddPageForm(forms.Form):
    url = forms.URLField(
        label="Address of the article",
        max_length=2000,
        assume_scheme="https",
        help_text="The page is fetched in the background and enters the work queue as a draft.",
    )

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            check_url(url)
        except UnsafeURL as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return url


class IngestSourceAdmin(SourceAdmin):
    change_list_template = "admin/articles/source/change_list.html"
    actions = (*SourceAdmin.actions, "ingest_now", "export_selected_opml")

    def get_urls(self):
        own = [
            path("import-opml/", self.admin_site.admin_view(self.import_opml_view), name="articles_source_import_opml"),
            path("export-opml/", self.admin_site.admin_view(self.export_opml_view), name="articles_source_export_opml"),
            path("add-page/", self.admin_site.admin_view(self.add_page_view), name="articles_source_add_page"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_opml": self.has_add_permission(request),
            "can_add_page": request.user.has_perm("articles.add_article"),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Ingest now (selected sources)", permissions=["change"])
    def ingest_now(self, request, queryset):
        feeds = list(queryset.filter(kind=Source.Kind.FEED))
        for source in feeds:
            pipeline.queue_ingestion(source=source)
        skipped = queryset.exclude(kind=Source.Kind.FEED).count()
        self.message_user(
            request,
            f"{len(feeds)} source{'s' if len(feeds) != 1 else ''} queued for ingestion; "
            "the runs appear under “Recent ingestion runs” on each source.",
        )
        if skipped:
            self.message_user(request, f"{skipped} single-page source(s) skipped: they have no feed.", messages.WARNING)

    @admin.action(description="Export selected sources as OPML", permissions=["view"])
    def export_selected_opml(self, request, queryset):
        return self._opml_response(queryset.order_by("name"))

    def export_opml_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return self._opml_response(Source.objects.filter(kind=Source.Kind.FEED).order_by("name"))

    def _opml_response(self, sources):
        from django.conf import settings

        response = HttpResponse(
            export_opml(sources, title=f"{settings.SITE_NAME} sources"), content_type="text/x-opml; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="sources-{timezone.now():%Y-%m-%d}.opml"'
        return response

    def import_opml_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = OPMLImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                report = import_opml(form.cleaned_data["file"].read(), activate=form.cleaned_data["activate"])
            except OPMLError as problem:
                form.add_error("file", str(problem))
            else:
                level = messages.WARNING if report.refused else messages.SUCCESS
                self.message_user(request, f"OPML import: {report.summary()}", level)
                return HttpResponseRedirect(reverse("admin:articles_source_changelist"))
        return TemplateResponse(
            request,
            "admin/articles/source/import_opml.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "title": "Import OPML"},
        )

    def add_page_view(self, request):
        if not request.user.has_perm("articles.add_article"):
            raise PermissionDenied
        form = AddPageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            url = form.cleaned_data["url"]
            source = page_source_for(url)
            transaction.on_commit(lambda: tasks.ingest_page.delay(source.pk, url))
            self.message_user(
                request,
                f"Fetching {url} in the background; it will enter the work queue as a draft "
                f"(its run is recorded on the source “{source}”).",
            )
            return HttpResponseRedirect(reverse("admin:articles_workqueueitem_changelist"))
        return TemplateResponse(
            request,
            "admin/articles/source/add_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "title": "Add a single page",
            },
        )


admin.site.unregister(Source)
admin.site.register(Source, IngestSourceAdmin)
