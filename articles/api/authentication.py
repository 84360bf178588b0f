"""`Authorization: Bearer dst_…` for programs; the session for the browsable API."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from articles.models.tokens import ApiToken, split_token

# Writing last_used_at on every request would turn every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as “Authorization: Bearer <token>”.")
        plaintext = header[1]
        prefix = split_token(plaintext)
        token = ApiToken.objects.select_related("user").filter(prefix=prefix).first() if prefix is not None else None
        if token is None or not token.matches(plaintext):
            raise exceptions.AuthenticationFailed("This API token is not valid.")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed("This API token has been revoked.")
        if token.is_expired:
            raise exceptions.AuthenticationFailed("This API token has expired; ask for a new one.")
        user = token.user
        if not (user.is_active and user.is_staff):
            raise exceptions.AuthenticationFailed("The account of this API token is no longer active staff.")
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return user, token

    def authenticate_header(self, request):
        # Present so that a missing or refused token answers 401 rather than 403.
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "dst_<prefix>_<secret>",
            "description": "A staff member's API token, issued in the admin or with `manage.py api_token issue`.",
        }
