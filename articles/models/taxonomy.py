"""The taxonomy readers browse by: fields (area → subfield), topics and roles."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from .base import slug_url, unique_slug


class FieldQuerySet(models.QuerySet):
    def areas(self):
        return self.filter(parent__isnull=True)

    def subfields(self):
        return self.filter(parent__isnull=False)


class Field(models.Model):
    """Two levels: an area ("Technology & Digital") and its subfields ("AI & ML")."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subfields",
        limit_choices_to={"parent__isnull": True},
        verbose_name="area",
        help_text="Leave empty for an area; choose the area for a subfield.",
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order among its siblings.")

    objects = FieldQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="field_unique_name_in_area"),
            models.UniqueConstraint(fields=["name"], condition=Q(parent__isnull=True), name="field_unique_area_name"),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="field_not_own_parent"),
        ]

    def __str__(self):
        return f"{self.parent.name} — {self.name}" if self.parent_id else self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Field, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:field", self.slug)

    @property
    def is_area(self) -> bool:
        return self.parent_id is None

    @property
    def area(self) -> "Field":
        return self.parent if self.parent_id else self

    def clean(self):
        if self.parent_id:
            if self.parent.parent_id:
                raise ValidationError({"parent": "Fields have two levels: choose an area, not a subfield."})
            if self.pk and self.subfields.exists():
                raise ValidationError({"parent": "This area has subfields, so it cannot become a subfield itself."})


class Topic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Topic, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:topic", self.slug)


class Role(models.Model):
    """A reader a brief is best for: CTO, Policy Maker, AI Scientist …"""

    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="Order in lists of roles.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(Role, self.name, exclude_pk=self.pk, max_length=140)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return slug_url("articles:role", self.slug)
