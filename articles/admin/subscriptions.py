"""Subscriptions in the curation panel: webhook endpoints and their delivery log (with "Resend"),
email digest subscribers and the digests sent to them."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from articles import tasks
from articles.models import (
    DigestDelivery,
    DigestSubscription,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from articles.models.subscriptions import new_webhook_secret
from articles.subscriptions import webhooks

# --- Webhooks ----------------------------------------------------------------------------------


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="The events POSTed to this address.",
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["name", "url", "events", "is_active"]

    def clean_url(self):
        from articles.ingest.fetch import FetchError  # (with httpx: see webhooks._attempt)

        url = self.cleaned_data["url"]
        try:
            webhooks.check_endpoint_address(url)
        except FetchError as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    form = WebhookEndpointForm
    list_display = ("name", "url", "event_list", "is_active", "last_delivery")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    readonly_fields = ("secret", "signing", "created_at", "created_by")
    actions = ("rotate_secret",)

    def get_fields(self, request, obj=None):
        fields = ["name", "url", "events", "is_active"]
        return fields if obj is None else [*fields, "secret", "signing", "created_at", "created_by"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.display(description="events")
    def event_list(self, obj):
        return ", ".join(obj.events)

    @admin.display(description="last delivery")
    def last_delivery(self, obj):
        delivery = obj.deliveries.order_by("-created_at", "-pk").first()
        if delivery is None:
            return "—"
        return f"{delivery.get_state_display()} ({delivery.event}, {delivery.created_at:%Y-%m-%d %H:%M})"

    @admin.display(description="how receivers check it")
    def signing(self, obj):
        return format_html(
            "Each POST carries <code>{}</code> (unix seconds) and <code>{}: v1=&lt;hex&gt;</code>, the "
            'HMAC-SHA256 of <code>timestamp + "." + body</code> keyed with the secret above. '
            "The README has a snippet that checks it.",
            webhooks.TIMESTAMP_HEADER,
            webhooks.SIGNATURE_HEADER,
        )

    @admin.action(description="Give the selected endpoints a new secret")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            endpoint.secret = new_webhook_secret()
            endpoint.save(update_fields=["secret"])
        self.message_user(
            request,
            f"{queryset.count()} endpoint(s) have a new secret; deliveries from now on are signed with it. "
            "Give it to the integrator.",
            messages.WARNING,
        )


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "endpoint",
        "event",
        "article",
        "state",
        "response_status",
        "attempts",
        "response_ms",
        "short_error",
    )
    list_filter = ("state", "event", "endpoint")
    list_select_related = ("endpoint", "article")
    date_hierarchy = "created_at"
    actions = ("resend",)
    readonly_fields = (
        "endpoint",
        "event",
        "event_id",
        "article",
        "state",
        "attempts",
        "response_status",
        "response_ms",
        "error",
        "created_at",
        "last_attempt_at",
        "next_attempt_at",
        "delivered_at",
        "payload",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="error")
    def short_error(self, obj):
        return obj.error[:120]

    def has_resend_permission(self, request):
        # Whoever may manage the endpoints may send their events again.
        return request.user.has_perm("articles.change_webhookendpoint")

    @admin.action(description="Resend the selected deliveries", permissions=["resend"])
    def resend(self, request, queryset):
        with transaction.atomic():
            copies = [webhooks.resend(delivery=delivery) for delivery in queryset.select_related("endpoint")]
            ids = [copy.pk for copy in copies]
            transaction.on_commit(lambda: [tasks.deliver_webhook.delay(pk) for pk in ids])
        sent = f"{len(ids)} deliveries" if len(ids) != 1 else "The delivery"
        self.message_user(request, f"{sent} queued again, each as a new entry at the top of the log.")

    # "Resend" on a delivery's own page, beside its response and error.
    change_form_template = "admin/articles/webhookdelivery/change_form.html"

    def get_urls(self):
        resend_one = self.admin_site.admin_view(require_POST(self.resend_one))
        return [
            path("<path:object_id>/resend/", resend_one, name="articles_webhookdelivery_resend"),
            *super().get_urls(),
        ]

    def resend_one(self, request, object_id):
        if not self.has_resend_permission(request):
            raise PermissionDenied
        self.resend(request, WebhookDelivery.objects.filter(pk=object_id))
        return HttpResponseRedirect(reverse("admin:articles_webhookdelivery_changelist"))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["can_resend"] = obj is not None and self.has_resend_permission(request)
        return super().render_change_form(request, context, add, change, form_url, obj)


# --- Email digests ----------------------------------------------------------------------------


class DigestDeliveryInline(admin.TabularInline):
    model = DigestDelivery
    fields = ("period", "state", "attempts", "sent_at", "error")
    readonly_fields = fields
    extra = 0
    max_num = 0
    can_delete = False
    ordering = ("-claimed_at",)
    show_change_link = False


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(admin.ModelAdmin):
    list_display = ("email", "frequency", "follows", "confirmed_at", "unsubscribed_at")
    list_filter = ("frequency", ("unsubscribed_at", admin.EmptyFieldListFilter))
    search_fields = ("email",)
    readonly_fields = ("email", "confirmed_at", "unsubscribed_at", "created_at", "settled_period")
    fields = ("email", "frequency", "roles", "fields", "topics", *readonly_fields[1:])
    filter_horizontal = ("roles", "fields", "topics")
    inlines = (DigestDeliveryInline,)
    actions = ("unsubscribe",)

    def has_add_permission(self, request):
        return False  # only the reader, by confirming their address, subscribes

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles", "fields", "topics")

    @admin.display(description="follows")
    def follows(self, obj):
        return obj.scope_label()

    @admin.action(description="Unsubscribe the selected addresses")
    def unsubscribe(self, request, queryset):
        count = queryset.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())
        self.message_user(request, f"{count} address(es) unsubscribed; they receive no more digests.")
