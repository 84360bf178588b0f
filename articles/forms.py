"""Form pieces shared by the curation panel."""

from django import forms

from articles.models import Article


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
