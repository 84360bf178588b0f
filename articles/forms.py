"""Form pieces shared by the curation panel."""

from django import forms
from django.conf import settings

from articles import workflow
from articles.enrich.originality import edit_copies_more
from articles.ingest.addresses import RefusedAddress, original_address
from articles.models import Article, Status


class LinesField(forms.CharField):
    """An ordered list edited as text, one item per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 5, "class": "vLargeTextField"})

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


class ArticleAdminForm(forms.ModelForm):
    insights = LinesField(label="Key insights", required=False, help_text="One insight per line, most important first.")
    principles = LinesField(required=False, help_text="One principle per line.")
    in_practice = LinesField(label="In practice", required=False, help_text="One concrete application per line.")

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "summary",
            "takeaway",
            "insights",
            "principles",
            "method",
            "in_practice",
            "fields",
            "topics",
            "roles",
            "level",
            "length",
            "reading_minutes",
            "source",
            "original_url",
            "guid",
            "author",
            "original_published_at",
            "language",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6, "class": "vLargeTextField"}),
            "takeaway": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
            "method": forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
        }

    def clean_original_url(self):
        # The same canonical form ingestion and the API store, so one piece has one address everywhere.
        try:
            return original_address(self.cleaned_data["original_url"], stored=self.instance.original_url or None)
        except RefusedAddress as refusal:
            raise forms.ValidationError(str(refusal)) from None

    # Set by clean(): the edit takes a published brief past the originality limit, with the editor's override.
    originality_override = False
    originality_refused = False

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.status == Status.PUBLISHED:
            try:
                workflow.check_published_stays_complete(article=self.instance, changes=cleaned)
            except workflow.TransitionRefused as refusal:
                raise forms.ValidationError(str(refusal)) from None
            self.originality_override = self._check_originality(cleaned)
        return cleaned

    def _check_originality(self, cleaned) -> bool:
        """Editing a live brief past the originality limit needs the override and a reason, as publishing does."""
        # The instance still holds the stored values: the form applies its own after clean().
        report = edit_copies_more(self.instance, cleaned)
        if report is None:
            return False
        self.originality_refused = True
        limit = round(settings.ENRICH_ORIGINALITY_MAX_SHARE * 100)
        if not self.data.get("_override_originality"):
            raise forms.ValidationError(
                f"This brief is published and the edit copies more of the original: {report.describe()}; "
                f"the limit is {limit}%. Rewrite the copied parts in your own words, or tick the originality "
                "override below and give a reason."
            )
        if not self.data.get("_step_reason", "").strip():
            raise forms.ValidationError(
                f"Saving this published brief over the originality limit ({report.percent}% copied, limit {limit}%) "
                "needs a reason for the history: write it in the note below."
            )
        return True
