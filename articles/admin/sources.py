"""Sources in the curation panel: health, recent runs, "Ingest now", OPML import and export,
"Add a single page"; and the read-only record of ingestion runs."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from articles import tasks
from articles.models import Article, IngestionRun, Source

# The ingestion modules (the fetcher's httpx, feedparser, nh3, lxml) are imported by the views and forms that use
# them: Django imports this module in every process (the admin's autodiscovery), and most never ingest.

RECENT_RUNS = 10


class OPMLImportForm(forms.Form):
    file = forms.FileField(label="OPML file", help_text="Exported from a feed reader; feeds already here are skipped.")
    activate = forms.BooleanField(label="Start polling the new sources at once", required=False, initial=True)

    def clean_file(self):
        from articles.ingest.opml import MAX_OPML_BYTES

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
        from articles.ingest.addresses import RefusedAddress, feed_address

        try:
            return feed_address(self.cleaned_data["url"])
        except RefusedAddress as refusal:
            raise forms.ValidationError(str(refusal)) from None


class SourceForm(forms.ModelForm):
    """The source's address is checked as the fetcher will check it, and stored canonical."""

    class Meta:
        model = Source
        fields = (
            "name",
            "slug",
            "kind",
            "url",
            "site_url",
            "description",
            "is_active",
            "poll_interval_minutes",
            "fetch_full_text",
        )

    def clean_url(self):
        url = self.cleaned_data["url"]
        if self.instance.pk and url == self.instance.url:
            return url  # unchanged: a source entered before this check keeps its address
        from articles.ingest.addresses import RefusedAddress, feed_address

        try:
            return feed_address(url)
        except RefusedAddress as refusal:
            raise forms.ValidationError(str(refusal)) from None


class SourceAdminForm(SourceForm):
    """SourceForm's address rules, and an active feed whose address does not answer a readable feed
    is refused on save with the reason."""

    preview = None  # what the address gave when it was checked on this save

    def clean(self):
        cleaned = super().clean()
        url = cleaned.get("url")
        checking = not self.instance.pk or {"url", "is_active", "kind"} & set(self.changed_data)
        if cleaned.get("kind") == Source.Kind.FEED and cleaned.get("is_active") and url and checking:
            from articles.ingest.preview import preview_feed

            self.preview = preview_feed(url)
            if not self.preview.ok:
                active = Source._meta.get_field("is_active").verbose_name
                self.add_error(
                    "url",
                    f"{self.preview.problem} Nothing was saved. To keep this address anyway, untick "
                    f"“{active}” and save: the source is kept paused until you switch it on.",
                )
        return cleaned


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = SourceAdminForm
    change_form_template = "admin/articles/source/change_form.html"
    list_display = (
        "name",
        "kind",
        "is_active",
        "health",
        "last_fetched_at",
        "last_success_at",
        "consecutive_failures",
        "items_ingested",
        "next_fetch_at",
    )
    list_filter = ("is_active", "kind", "fetch_full_text")
    search_fields = ("name", "url", "site_url")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = (
        "health",
        "last_fetched_at",
        "last_success_at",
        "next_fetch_at",
        "consecutive_failures",
        "last_error",
        "etag",
        "last_modified",
        "items_ingested",
        "recent_runs",
    )
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "url", "site_url", "description")}),
        ("Polling", {"fields": ("is_active", "poll_interval_minutes", "fetch_full_text")}),
        (
            "Health",
            {
                "fields": (
                    "health",
                    "last_fetched_at",
                    "last_success_at",
                    "next_fetch_at",
                    "consecutive_failures",
                    "last_error",
                    "items_ingested",
                    "etag",
                    "last_modified",
                )
            },
        ),
        ("Recent ingestion runs", {"fields": ("recent_runs",)}),
    )
    change_list_template = "admin/articles/source/change_list.html"
    actions = ("activate", "deactivate", "ingest_now", "export_selected_opml")

    def get_fieldsets(self, request, obj=None):
        # A source being added has no health and no runs yet: the form is what to fill in and Test feed.
        if obj is None:
            return self.fieldsets[:2]
        return self.fieldsets

    def get_queryset(self, request):
        # Each source's items counted from the (source, status) index, not by grouping a join of every brief.
        items = Article.objects.filter(source=OuterRef("pk")).order_by().values("source").annotate(n=Count("pk"))
        return (
            super()
            .get_queryset(request)
            .annotate(items_count=Coalesce(Subquery(items.values("n")), 0))
            .order_by("name")
        )

    @admin.display(description="Items ingested", ordering="items_count")
    def items_ingested(self, obj):
        return obj.items_count

    @admin.display(description="Recent ingestion runs")
    def recent_runs(self, obj):
        runs = obj.runs.order_by("-started_at")[:RECENT_RUNS]
        if not runs:
            return "No runs yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    timezone.localtime(run.started_at).strftime("%Y-%m-%d %H:%M"),
                    run.get_status_display(),
                    run.http_status or "—",
                    run.items_seen,
                    run.items_new,
                    run.items_updated,
                    run.error[:160] or "—",
                )
                for run in runs
            ),
        )
        all_runs = reverse("admin:articles_ingestionrun_changelist") + f"?source__id__exact={obj.pk}"
        return format_html(
            "<table><thead><tr><th>Started</th><th>Outcome</th><th>HTTP</th><th>Seen</th><th>New</th>"
            '<th>Updated</th><th>Error</th></tr></thead><tbody>{}</tbody></table><p><a href="{}">All runs</a></p>',
            rows,
            all_runs,
        )

    @admin.display(description="Health")
    def health(self, obj):
        if not obj.is_active:
            return "Paused"
        if obj.consecutive_failures:
            return format_html(
                '<strong style="color:#a1262b">Failing ({}×)</strong>: {}',
                obj.consecutive_failures,
                (obj.last_error or "")[:200],
            )
        if obj.last_success_at is None:
            return "Not fetched yet"
        return format_html('<span style="color:#1d6b2f">OK</span>')

    @admin.action(description="Switch on polling for the selected sources", permissions=["change"])
    def activate(self, request, queryset):
        count = queryset.update(is_active=True, next_fetch_at=None)
        self.message_user(request, f"{count} source{'s' if count != 1 else ''} will be polled from now on.")

    @admin.action(description="Pause polling for the selected sources", permissions=["change"])
    def deactivate(self, request, queryset):
        count = queryset.update(is_active=False)
        self.message_user(request, f"{count} source{'s' if count != 1 else ''} paused.")

    def get_urls(self):
        own = [
            path("import-opml/", self.admin_site.admin_view(self.import_opml_view), name="articles_source_import_opml"),
            path("export-opml/", self.admin_site.admin_view(self.export_opml_view), name="articles_source_export_opml"),
            path("add-page/", self.admin_site.admin_view(self.add_page_view), name="articles_source_add_page"),
            path("test-feed/", self.admin_site.admin_view(self.test_feed_view), name="articles_source_test_feed"),
        ]
        return own + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import_opml": self.has_add_permission(request),
            "can_add_page": request.user.has_perm("articles.add_article"),
        }
        return super().changelist_view(request, extra_context)

    def test_feed_view(self, request):
        """POST `url`: fetch it now and answer what ingesting it would import, or the problem in a sentence."""
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        if request.method != "POST":
            return JsonResponse({"error": "Send a POST with the feed's address as `url`."}, status=405)
        url = request.POST.get("url", "").strip()
        if not url:
            return JsonResponse({"ok": False, "problem": "Type the feed's address first."})
        from articles.ingest.preview import preview_feed

        return JsonResponse(preview_feed(url).as_dict())

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        preview = form.preview
        if preview is not None and preview.teaser_only and not obj.fetch_full_text:
            full_text = Source._meta.get_field("fetch_full_text").verbose_name
            self.message_user(
                request,
                f"This feed gives teasers only ({preview.teasers} of its {preview.item_count} items are a few "
                f"lines or stop at “Read more”): tick “{full_text}” on “{obj}” so each article's page is "
                "fetched for its text.",
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        if "_ingest_now" in request.POST and obj.kind == Source.Kind.FEED:
            tasks.queue_ingestion(source=obj)
            self.message_user(request, f"“{obj}” was added and is being ingested; its drafts enter the work queue.")
            return HttpResponseRedirect(reverse("admin:articles_workqueueitem_changelist"))
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if "_ingest_now" in request.POST and obj.kind == Source.Kind.FEED:
            tasks.queue_ingestion(source=obj)
            self.message_user(
                request, f"“{obj}” is being ingested now; the run appears under “Recent ingestion runs” below."
            )
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    @admin.action(description="Ingest now (selected sources)", permissions=["change"])
    def ingest_now(self, request, queryset):
        feeds = list(queryset.filter(kind=Source.Kind.FEED))
        for source in feeds:
            tasks.queue_ingestion(source=source)
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
        from articles.ingest.opml import export_opml

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
            from articles.ingest.opml import OPMLError, import_opml

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
            "admin/articles/source/form_page.html",
            {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form, "title": "Import OPML"},
        )

    def add_page_view(self, request):
        if not request.user.has_perm("articles.add_article"):
            raise PermissionDenied
        form = AddPageForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            url = form.cleaned_data["url"]
            from articles.ingest.pages import page_source_for

            source = page_source_for(url)
            tasks.queue_page(source=source, url=url)
            self.message_user(
                request,
                f"Fetching {url} in the background; it will enter the work queue as a draft "
                f"(its run is recorded on the source “{source}”).",
            )
            return HttpResponseRedirect(reverse("admin:articles_workqueueitem_changelist"))
        return TemplateResponse(
            request,
            "admin/articles/source/form_page.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "form": form,
                "title": "Add a single page",
            },
        )


@admin.register(IngestionRun)
class IngestionRunAdmin(admin.ModelAdmin):
    list_display = (
        "source",
        "started_at",
        "status",
        "http_status",
        "items_seen",
        "items_new",
        "items_updated",
        "items_unchanged",
        "items_failed",
        "items_deferred",
        "duration",
    )
    list_filter = ("status", ("source", admin.RelatedOnlyFieldListFilter), "started_at")
    list_select_related = ("source",)
    search_fields = ("source__name", "error")
    date_hierarchy = "started_at"

    # A run is a record of what happened: nobody edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in IngestionRun._meta.fields]
