"""What the API reads (`Brief…Serializer`) and what it accepts (`BriefWriteSerializer`), kept apart.

The brief's sections and their fields come from the anatomy (articles/anatomy.py): each
serializer lists them once, in page order, and builds each one from its kind.
"""

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Prefetch
from django.utils.text import capfirst
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers
from rest_framework.validators import UniqueValidator

from articles import anatomy
from articles.api.examples import BRIEF_EXAMPLE, WRITE_EXAMPLE
from articles.api.fields import (
    AbsoluteUrlField,
    ApiUrlField,
    CanonicalUrlField,
    OptionalChoiceField,
    SafeSlugRelatedField,
    SlugsField,
    StrictBooleanField,
    StrictCharField,
    absolute_url,
)
from articles.models import ROLE_NOTE_MAX_LENGTH, Article, Field, RelatedLink, Role, Source, Status, Topic
from articles.models.role_notes import replace_role_notes

LIST_ITEM_MAX_LENGTH = 2000
LIST_MAX_ITEMS = 50


# --- Taxonomy and sources ---------------------------------------------------------------


class AreaRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Field
        fields = ["slug", "name"]


class FieldRefSerializer(serializers.ModelSerializer):
    area = AreaRefSerializer(
        source="parent", read_only=True, allow_null=True, help_text="The area of a subfield; null for an area."
    )

    class Meta:
        model = Field
        fields = ["slug", "name", "area"]


class NamedRefSerializer(serializers.Serializer):
    slug = serializers.SlugField(read_only=True)
    name = serializers.CharField(read_only=True)


class SourceRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Source
        fields = ["id", "slug", "name", "site_url"]


class SubfieldSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    published_count = serializers.IntegerField(read_only=True, help_text="Published briefs in this subfield.")

    class Meta:
        model = Field
        fields = ["slug", "name", "description", "url", "published_count"]


class AreaSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    published_count = serializers.IntegerField(
        read_only=True, help_text="Published briefs in the area or any of its subfields, each counted once."
    )
    subfields = SubfieldSerializer(many=True, read_only=True, source="subfield_list")

    class Meta:
        model = Field
        fields = ["slug", "name", "description", "url", "published_count", "subfields"]


class FieldDetailSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    area = AreaRefSerializer(source="parent", read_only=True, allow_null=True)
    published_count = serializers.IntegerField(read_only=True)
    subfields = SubfieldSerializer(many=True, read_only=True, source="subfield_list")

    class Meta:
        model = Field
        fields = ["slug", "name", "description", "url", "area", "published_count", "subfields"]


class TopicSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    published_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ["slug", "name", "description", "url", "published_count"]


class RoleSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    published_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Role
        fields = ["slug", "name", "description", "url", "published_count"]


class SourceSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField()
    published_count = serializers.IntegerField(read_only=True, source="articles_published")

    class Meta:
        model = Source
        fields = ["id", "slug", "name", "kind", "site_url", "description", "url", "published_count"]


# --- Briefs -----------------------------------------------------------------------------


class RelatedBriefSerializer(serializers.Serializer):
    slug = serializers.CharField(source="to_article.slug", read_only=True)
    title = serializers.CharField(source="to_article.title", read_only=True)
    url = serializers.SerializerMethodField(help_text="The related brief's page on the site.")
    api_url = ApiUrlField(attribute="to_article")
    score = serializers.FloatField(read_only=True, help_text="Similarity from 0 to 1.")
    kind = serializers.CharField(read_only=True, help_text="`pinned` by a curator or `computed`.")

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, link):
        return absolute_url(self.context.get("request"), link.to_article.get_absolute_url())


class RoleNoteSerializer(serializers.Serializer):
    role = NamedRefSerializer(read_only=True)
    text = serializers.CharField(read_only=True, help_text="Why the brief matters for readers in this role.")


class RoleNoteWriteSerializer(serializers.Serializer):
    role = SafeSlugRelatedField(slug_field="slug", queryset=Role.objects.all(), help_text="Role slug.")
    text = StrictCharField(allow_blank=False, max_length=ROLE_NOTE_MAX_LENGTH, help_text="The note, plain text.")


class RoleNotesWriteField(serializers.ListField):
    """A per-role section as written: a JSON array of {role, text}, one per role; it replaces the stored notes."""

    child = RoleNoteWriteSerializer()

    def to_internal_value(self, data):
        notes = super().to_internal_value(data)
        # A PATCH makes every nested field optional (DRF reads `partial` from the root): a note needs both anyway.
        for position, note in enumerate(notes):
            missing = [name for name in ("role", "text") if name not in note]
            if missing:
                raise serializers.ValidationError({position: {name: ["This field is required."] for name in missing}})
        roles = [note["role"] for note in notes]
        if len(roles) != len(set(roles)):
            raise serializers.ValidationError("Give at most one note per role.")
        return notes


class SearchMatchSerializer(serializers.Serializer):
    rank = serializers.FloatField(help_text="Higher is a better match; comparable within one search only.")
    snippet = serializers.CharField(help_text="Escaped HTML: the matched words are wrapped in <mark>.")


RELATED_PER_BRIEF = 5
# The original's full text is kept for search and enrichment, never sent: do not load it.
UNSHOWN_FIELDS = ("content_html", "content_text", "search_vector")
# A related brief shows only its slug and title: only those are loaded (not whole briefs and their sources).
RELATED_COLUMNS = ("from_article", "to_article", "kind", "score", "position", "to_article__slug", "to_article__title")


def related_prefetch() -> Prefetch:
    """The related briefs BriefSerializer shows (`shown_related`), for a queryset of briefs."""
    # Sliced per brief (a window function), so a page costs one query for all its related links.
    links = RelatedLink.objects.shown().select_related(None).select_related("to_article").only(*RELATED_COLUMNS)
    return Prefetch("related_links", queryset=links[:RELATED_PER_BRIEF], to_attr="shown_related")


@extend_schema_serializer(examples=[OpenApiExample("A published brief", value=BRIEF_EXAMPLE, response_only=True)])
class BriefSerializer(serializers.ModelSerializer):
    url = AbsoluteUrlField(help_text="The brief's page on the site.")
    api_url = ApiUrlField()
    depth = serializers.CharField(source="depth_label", read_only=True, help_text="Level and length, as shown.")
    source = SourceRefSerializer(read_only=True)
    attribution = serializers.CharField(read_only=True, help_text="Always shown with the brief.")
    related = RelatedBriefSerializer(many=True, read_only=True, source="shown_related")
    search = serializers.SerializerMethodField(
        help_text="With `q`: how well the brief matches and a snippet with <mark> around the matched words."
    )

    class Meta:
        model = Article
        fields = [
            "slug",
            *anatomy.names(),
            "status",
            "url",
            "api_url",
            "reading_minutes",
            "depth",
            "source",
            "attribution",
            "original_url",
            "author",
            "original_published_at",
            "published_at",
            "updated_at",
            "related",
            "search",
        ]
        read_only_fields = fields

    def build_field(self, field_name, info, model_class, nested_depth):
        # The brief's sections, by kind; everything else as DRF builds it from the model.
        section = _section_named(field_name)
        if section is None or section.kind == anatomy.Kind.TEXT:
            return super().build_field(field_name, info, model_class, nested_depth)
        if section.kind == anatomy.Kind.LIST:
            return serializers.ListField, {"child": serializers.CharField()}
        if section.kind == anatomy.Kind.TAXONOMY:
            entry = _taxonomy_model(section)
            return REF_SERIALIZERS.get(entry, NamedRefSerializer), {"many": True, "help_text": section.label}
        if section.kind == anatomy.Kind.PER_ROLE:
            return RoleNoteSerializer, {
                "many": True,
                "read_only": True,
                "help_text": f"“{section.label} <role>”, optional, one per role: {section.help}",
            }
        choices = Article._meta.get_field(section.name).choices
        return OptionalChoiceField, {"choices": choices, "help_text": f"{section.label}; null until it is set."}

    @extend_schema_field(SearchMatchSerializer(allow_null=True))
    def get_search(self, article):
        if not hasattr(article, "search_rank"):
            return None
        return {"rank": article.search_rank, "snippet": str(article.search_snippet)}


# How a brief's taxonomy entries are shown: a field names its area; the others slug and name.
REF_SERIALIZERS = {Field: FieldRefSerializer}


def _section_named(name: str) -> anatomy.Section | None:
    try:
        return anatomy.section(name)
    except KeyError:
        return None


def _taxonomy_model(section: anatomy.Section):
    return Article._meta.get_field(section.name).related_model


def _write_field(section: anatomy.Section):
    """(field class, its arguments) for a section a curator writes through the API (not for text: the model's)."""
    if section.kind == anatomy.Kind.PER_ROLE:
        return RoleNotesWriteField, {
            "required": False,
            "max_length": LIST_MAX_ITEMS,
            "help_text": f"“{section.label} <role>”: a JSON array of {{role, text}} (role slug), at most one per "
            "role; replaces the brief's notes.",
        }
    if section.kind == anatomy.Kind.LIST:
        child = StrictCharField(allow_blank=False, max_length=LIST_ITEM_MAX_LENGTH)
        return serializers.ListField, {
            "child": child,
            "required": False,
            "max_length": LIST_MAX_ITEMS,
            "help_text": f"{section.label}: a JSON array of texts, in the order shown.",
        }
    if section.kind == anatomy.Kind.TAXONOMY:
        entry = _taxonomy_model(section)
        plural = str(entry._meta.verbose_name_plural)
        named = "" if section.label.lower() == plural.lower() else f" ({section.label})"
        return SlugsField, {
            "slug_field": "slug",
            "queryset": entry.objects.all(),
            "many": True,
            "required": False,
            "help_text": f"{capfirst(entry._meta.verbose_name)} slugs{named}.",
        }
    return serializers.ChoiceField, {
        "choices": Article._meta.get_field(section.name).choices,
        "required": False,
        "allow_blank": True,
        "help_text": section.help,
    }


@extend_schema_serializer(examples=[OpenApiExample("A new draft", value=WRITE_EXAMPLE, request_only=True)])
class BriefWriteSerializer(serializers.ModelSerializer):
    """A draft as a curator writes it; taxonomy and source by slug, ordered lists as JSON arrays."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
    }

    source = SafeSlugRelatedField(slug_field="slug", queryset=Source.objects.all(), help_text="Source slug.")
    original_url = CanonicalUrlField(
        max_length=2000,
        validators=[
            URLValidator(schemes=["http", "https"], message="Give the original's web address (http or https)."),
            UniqueValidator(Article.objects.all(), message="Another brief already has this original address."),
        ],
        help_text=(
            "Address of the original piece (http or https); stored canonical: tracking parameters, "
            "fragment and default port removed, scheme and host in lower case."
        ),
    )

    class Meta:
        model = Article
        fields = [
            *anatomy.names(),
            "source",
            "original_url",
            "reading_minutes",
            "author",
            "original_published_at",
            "language",
        ]
        extra_kwargs = {"reading_minutes": {"min_value": 1, "max_value": 32767}}

    def build_field(self, field_name, info, model_class, nested_depth):
        section = _section_named(field_name)
        if section is None or section.kind == anatomy.Kind.TEXT:
            return super().build_field(field_name, info, model_class, nested_depth)
        return _write_field(section)

    def validate_title(self, value):
        if not value.strip():
            raise serializers.ValidationError("A brief needs a title.")
        return value.strip()

    def create(self, validated_data):
        validated_data["status"] = Status.DRAFT
        return self._save(Article(), validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, article, validated_data):
        # save(change_reason=…): the history's reason when the edit needs its own (an originality override).
        change_reason = validated_data.pop("change_reason", "Written through the API")
        taxonomy = {
            name: validated_data.pop(name)
            for name in anatomy.names(kind=anatomy.Kind.TAXONOMY)
            if name in validated_data
        }
        per_role = {
            name: validated_data.pop(name)
            for name in anatomy.names(kind=anatomy.Kind.PER_ROLE)
            if name in validated_data
        }
        for name, value in validated_data.items():
            setattr(article, name, value)
        actor = self.context["request"].user
        article._history_user = actor
        article._change_reason = change_reason
        article.save()
        for name, values in taxonomy.items():
            getattr(article, name).set(values)
        for name, notes in per_role.items():
            replace_role_notes(getattr(article, name), {note["role"]: note["text"] for note in notes})
        return article


class EnrichQueuedSerializer(serializers.Serializer):
    brief = serializers.SlugField(help_text="The brief's slug.")
    queued = serializers.BooleanField()


class TransitionSerializer(serializers.Serializer):
    reason = StrictCharField(
        required=False, allow_blank=True, max_length=500, help_text="Kept in the brief's history with the step."
    )
    override_originality = StrictBooleanField(
        required=False,
        default=False,
        help_text="Publish only: an editor publishes although the brief copies more of the original than "
        "ENRICH_ORIGINALITY_MAX_SHARE allows; needs a reason, and is recorded.",
    )
