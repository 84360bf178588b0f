"""Form pieces shared by the curation panel: the brief's form, derived from the anatomy."""

from django import forms

from articles import anatomy, workflow
from articles.models import Article

# The brief's form: its sections (articles/anatomy.py), then what is not a section.
OTHER_FIELDS = [
    "slug",
    "reading_minutes",
    "source",
    "original_url",
    "guid",
    "author",
    "original_published_at",
    "language",
]


class LinesField(forms.CharField):
    """An ordered list edited as text, one item per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):
        # The model's JSONField offers its JSON encoder and decoder; the list is edited as lines instead.
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(value)
        return value

    def to_python(self, value):
        if isinstance(value, list):
            return value
        text = super().to_python(value) or ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data):
        return self.to_python(initial or []) != self.to_python(data)


def form_options() -> dict:
    """`fields`, `labels`, `help_texts`, `widgets` and `field_classes` of the brief's form, as the anatomy says now."""
    # A per-role section is edited as rows of its own (the admin's inline), not as a field of the brief.
    sections = [section for section in anatomy.sections() if section.is_model_field]
    return {
        "fields": [section.name for section in sections] + OTHER_FIELDS,
        "labels": {section.name: section.label for section in sections},
        "help_texts": {section.name: section.help for section in sections if section.help},
        "widgets": {
            section.name: forms.Textarea(attrs={"rows": section.lines, "class": "vLargeTextField"})
            for section in anatomy.sections(kind=anatomy.Kind.TEXT)
            if section.lines > 1
        },
        "field_classes": {section.name: LinesField for section in anatomy.sections(kind=anatomy.Kind.LIST)},
    }


_OPTIONS = form_options()


class ArticleAdminForm(forms.ModelForm):
    class Meta:
        model = Article
        fields = _OPTIONS["fields"]
        labels = _OPTIONS["labels"]
        help_texts = _OPTIONS["help_texts"]
        widgets = _OPTIONS["widgets"]
        field_classes = _OPTIONS["field_classes"]

    # Who is editing; the admin sets it on the form class it makes for each request.
    actor = None
    # Set by clean(): what the edit leaves on record (an originality override) and whether the
    # refusal could be lifted with one (the change form then offers the override box).
    edit = workflow.Edit()

    def clean_original_url(self):
        # The same canonical form ingestion and the API store, so one piece has one address everywhere. (Imported
        # here: the admin imports this module in every process, and the ingestion modules are only needed here.)
        from articles.ingest.addresses import RefusedAddress, original_address

        try:
            return original_address(self.cleaned_data["original_url"], stored=self.instance.original_url or None)
        except RefusedAddress as refusal:
            raise forms.ValidationError(str(refusal)) from None

    originality_refused = False

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            try:
                # The instance still holds the stored values: the form applies its own after clean().
                self.edit = workflow.check_edit(
                    article=self.instance,
                    actor=self.actor,
                    changes=cleaned,
                    override_originality=bool(self.data.get("_override_originality")),
                    reason=self.data.get("_step_reason", ""),
                )
            except workflow.EditRefused as refusal:
                self.originality_refused = refusal.needs_override
                raise forms.ValidationError(str(refusal)) from None
        return cleaned
