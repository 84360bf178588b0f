"""The email digest pages: sign up (/subscribe/email/), confirm, and unsubscribe.

Confirming and unsubscribing happen on POST only: mail scanners open the links in an email
(GET) before the reader does, and must not subscribe or unsubscribe anyone. The unsubscribe
address is also the RFC 8058 one-click target that mail providers POST to, so it needs no
CSRF token (the key in the address is the authority) and answers the same every time.
"""

from django import forms
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from articles import tasks
from articles.models import DigestSubscription, Field, Frequency, Role, Topic
from articles.subscriptions import digests
from articles.web import seo


class DigestSignUpForm(forms.Form):
    email = forms.EmailField(label="Your email address", max_length=254)
    frequency = forms.ChoiceField(
        label="How often", choices=Frequency.choices, initial=Frequency.WEEKLY, widget=forms.RadioSelect
    )
    roles = forms.ModelMultipleChoiceField(
        label="Roles", queryset=Role.objects.all(), to_field_name="slug", required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    fields = forms.ModelMultipleChoiceField(
        label="Fields",
        # Each area, then its subfields.
        queryset=Field.objects.select_related("parent").order_by(
            Coalesce("parent__position", "position"),
            Coalesce("parent__name", "name"),
            F("parent").asc(nulls_first=True),
            "position",
            "name",
        ),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="An area includes all its subfields.",
    )
    topics = forms.ModelMultipleChoiceField(
        label="Topics", queryset=Topic.objects.all(), to_field_name="slug", required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(name) for name in ("roles", "fields", "topics")):
            raise forms.ValidationError("Choose at least one role, field or topic to hear about.")
        return cleaned


def _meta(request, title: str):
    return seo.page_meta(request, title=title, description=title, noindex=True)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.method == "POST":
        form = DigestSignUpForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic():
                    digest_request = digests.request_digest(
                        email=form.cleaned_data["email"],
                        frequency=form.cleaned_data["frequency"],
                        roles=form.cleaned_data["roles"],
                        fields=form.cleaned_data["fields"],
                        topics=form.cleaned_data["topics"],
                    )
                    request_id = digest_request.pk
                    transaction.on_commit(lambda: tasks.send_digest_confirmation.delay(request_id))
            except digests.SignUpRefused as refusal:
                form.add_error(None, str(refusal))
            else:
                return redirect("articles:email_sent")
    else:
        # /subscribe/email/?role=cto&topic=agents arrives with those already ticked.
        form = DigestSignUpForm(
            initial={
                "roles": Role.objects.filter(slug__in=request.GET.getlist("role")),
                "fields": Field.objects.filter(slug__in=request.GET.getlist("field")),
                "topics": Topic.objects.filter(slug__in=request.GET.getlist("topic")),
            }
        )
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "articles/email_signup.html",
        {"form": form, "meta": _meta(request, "Briefs by email")},
        status=status,
    )


@never_cache
def sent(request):
    return render(request, "articles/email_sent.html", {"meta": _meta(request, "Check your inbox")})


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    try:
        digest_request = digests.request_for_token(token)
    except digests.ConfirmationRefused as refusal:
        context = {"problem": str(refusal), "meta": _meta(request, "This link does not work")}
        return render(request, "articles/email_confirm.html", context, status=400)
    if request.method == "POST":
        try:
            subscription = digests.confirm_digest(token=token)
        except digests.ConfirmationRefused as refusal:
            context = {"problem": str(refusal), "meta": _meta(request, "This link does not work")}
            return render(request, "articles/email_confirm.html", context, status=400)
        context = {"subscription": subscription, "confirmed": True, "meta": _meta(request, "You are subscribed")}
        return render(request, "articles/email_confirm.html", context)
    context = {
        "digest_request": digest_request,
        "choices": digests.chosen_names(digest_request),
        "meta": _meta(request, "Confirm your digest"),
    }
    return render(request, "articles/email_confirm.html", context)


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, key):
    if request.method == "POST":
        subscription = digests.unsubscribe(key=key)
    else:
        subscription = DigestSubscription.objects.filter(key=key).first()
    if subscription is None:
        raise Http404("No subscription has this unsubscribe link.")
    context = {
        "subscription": subscription,
        "done": request.method == "POST",
        "meta": _meta(request, "Unsubscribed" if request.method == "POST" else "Unsubscribe"),
    }
    return render(request, "articles/email_unsubscribe.html", context)


# Included under /subscribe/email/ by articles/web/urls.py (names in the "articles" namespace).
urlpatterns = [
    path("", signup, name="email_signup"),
    path("sent/", sent, name="email_sent"),
    path("confirm/<str:token>/", confirm, name="email_confirm"),
    path("unsubscribe/<str:key>/", unsubscribe, name="email_unsubscribe"),
]
