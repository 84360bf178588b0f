"""API tokens in the admin: issue one (its secret is shown once, in a message) and revoke it."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model

from articles.models.tokens import MAX_DAYS, ApiToken, issue_token, revoke_token


class IssueTokenForm(forms.ModelForm):
    days = forms.IntegerField(
        min_value=1,
        max_value=MAX_DAYS,
        initial=settings.API_TOKEN_DEFAULT_DAYS,
        help_text="How many days the token works; it is refused after that.",
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name"]

    issuer = None  # the admin sets the person filling in the form

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not (user.is_active and user.is_staff):
            raise forms.ValidationError("Only active staff members can hold API tokens.")
        # A token acts with its holder's permissions: only a superuser may issue one for someone else.
        if self.issuer is not None and not self.issuer.is_superuser and user.pk != self.issuer.pk:
            raise forms.ValidationError("You can issue a token only for yourself; ask a superuser for anyone else's.")
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "display_prefix", "user", "created_at", "expires_at", "last_used_at", "state"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    actions = ["revoke"]
    readonly_fields = ["user", "name", "display_prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("IssueTokenForm", (IssueTokenForm,), {"issuer": request.user})
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["user", "name", "days"] if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            staff = get_user_model().objects.filter(is_staff=True, is_active=True)
            kwargs["queryset"] = staff if request.user.is_superuser else staff.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="state")
    def state(self, token):
        if token.is_revoked:
            return "revoked"
        return "expired" if token.is_expired else "active"

    def save_model(self, request, obj, form, change):
        if change:
            return  # a token never changes; it is revoked instead
        token, plaintext = issue_token(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        obj.__dict__.update({k: v for k, v in token.__dict__.items() if not k.startswith("_")})
        self.message_user(
            request,
            f"Token issued. Copy it now; it will not be shown again: {plaintext}",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            revoke_token(token=token)
            count += 1
        self.message_user(request, f"Revoked {count} token{'s' if count != 1 else ''}.", messages.SUCCESS)
