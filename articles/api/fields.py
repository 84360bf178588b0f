"""Serializer fields the API needs beyond DRF's: strict JSON types, absolute addresses, optional choices."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.relations import MANY_RELATION_KWARGS, ManyRelatedField

from articles.ingest.addresses import RefusedAddress, original_address
from articles.models.base import slug_url


def absolute_url(request, path: str) -> str:
    if request is None:
        return path
    # build_absolute_uri validates the host on every call; a list page makes hundreds of addresses.
    root = getattr(request, "_distillery_site_root", None)
    if root is None:
        root = request._distillery_site_root = request.build_absolute_uri("/").removesuffix("/")
    return root + path if path.startswith("/") else request.build_absolute_uri(path)


class AbsoluteUrlField(serializers.Field):
    """The site address of an object (its get_absolute_url), made absolute for the request."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        return absolute_url(self.context.get("request"), value.get_absolute_url())


extend_schema_field(OpenApiTypes.URI)(AbsoluteUrlField)


class ApiUrlField(serializers.Field):
    """The API address of a brief."""

    def __init__(self, *, attribute=None, **kwargs):
        self.attribute = attribute
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value):
        article = getattr(value, self.attribute) if self.attribute else value
        return absolute_url(self.context.get("request"), slug_url("api:brief-detail", article.slug))


extend_schema_field(OpenApiTypes.URI)(ApiUrlField)


class StrictCharField(serializers.CharField):
    """Text only: DRF's CharField would quietly turn 3 or true into "3" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class CanonicalUrlField(serializers.URLField):
    """An original's address stored as ingestion stores it (canonical_url), so the unique
    constraint sees one piece under one address and a later ingest finds the brief, not a twin."""

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        instance = getattr(self.parent, "instance", None)
        try:
            return original_address(value, stored=getattr(instance, self.source, None) if instance else None)
        except RefusedAddress as refusal:
            raise serializers.ValidationError(str(refusal)) from None


class StrictBooleanField(serializers.BooleanField):
    """JSON true or false only: DRF's would also take 0, "yes" or "on"."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictManyRelatedField(ManyRelatedField):
    """A JSON array only: DRF's would take the keys of an object ({"cto": 1}) as the list."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            self.fail("not_a_list", input_type=type(data).__name__)
        return super().to_internal_value(data)


class SafeSlugRelatedField(serializers.SlugRelatedField):
    """A related object by slug; a NUL character (PostgreSQL refuses it in any query) is simply no such slug."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data.replace("\x00", ""))
        return super().to_internal_value(data)


class SlugsField(SafeSlugRelatedField):
    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update({key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS})
        return StrictManyRelatedField(**list_kwargs)


class OptionalChoiceField(serializers.ChoiceField):
    """A choice the brief may not have yet: null rather than an empty string outside the choices."""

    def __init__(self, **kwargs):
        super().__init__(**{"read_only": True, "allow_null": True, **kwargs})

    def to_representation(self, value):
        return value or None
