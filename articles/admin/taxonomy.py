"""The taxonomy in the curation panel: areas and their subfields, topics, roles."""

from django.contrib import admin
from django.db.models import Case, When

from articles import facets
from articles.models import Field, Role, Topic


class SubfieldInline(admin.TabularInline):
    model = Field
    fk_name = "parent"
    fields = ("name", "slug", "position")
    prepopulated_fields = {"slug": ("name",)}
    extra = 0
    verbose_name = "subfield"
    verbose_name_plural = "Subfields"


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug", "published_briefs", "position")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "parent__name")
    prepopulated_fields = {"slug": ("name",)}
    list_select_related = ("parent",)
    autocomplete_fields = ("parent",)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The kept counts (articles/facets.py), as the site's fields index shows them: an area counts
            # each brief in it or its subfields once. Counting links here took a second at 100,000 briefs.
            .annotate(
                published_count=Case(
                    When(parent__isnull=True, then=facets.kept_count("area")), default=facets.kept_count("field")
                )
            )
            .order_by("parent__position", "parent__name", "position", "name")
        )

    def get_inlines(self, request, obj):
        return (SubfieldInline,) if obj is not None and obj.is_area else ()

    @admin.display(description="Published briefs", ordering="published_count")
    def published_briefs(self, obj):
        return obj.published_count


class TaxonomyAdmin(admin.ModelAdmin):
    facet = ""
    list_display = ("name", "slug", "published_briefs")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            # The kept counts (articles/facets.py): counting links here took a second at 100,000 briefs, on
            # every keystroke of the brief form's autocomplete too, which pages on this queryset.
            .annotate(published_count=facets.kept_count(self.facet))
            .order_by(*self.model._meta.ordering)
        )

    @admin.display(description="Published briefs", ordering="published_count")
    def published_briefs(self, obj):
        return obj.published_count


@admin.register(Topic)
class TopicAdmin(TaxonomyAdmin):
    facet = "topic"


@admin.register(Role)
class RoleAdmin(TaxonomyAdmin):
    facet = "role"
    list_display = ("name", "slug", "position", "published_briefs")
