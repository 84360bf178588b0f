"""Rates per anonymous client address and per token, read from settings at each request.

DRF's own throttles copy their rates into a class attribute at import, so a changed
setting would never reach them; these read `settings` when they run.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from articles.models.tokens import ApiToken


class SettingsRateThrottle(SimpleRateThrottle):
    @property
    def cache(self):
        alias = settings.API_THROTTLE_CACHE
        # Test settings may replace CACHES wholesale; the default cache then holds the counters.
        return caches[alias] if alias in settings.CACHES else caches["default"]


class AnonymousRateThrottle(SettingsRateThrottle):
    scope = "anon"

    def get_rate(self):
        return settings.API_THROTTLE_ANON_RATE

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def get_ident(self, request):
        # DRF's own get_ident trusts the whole X-Forwarded-For when NUM_PROXIES is unset, so a
        # client could write a new address on every request and never run out of budget. Only
        # the address our own proxy appended (BEHIND_HTTPS_PROXY) or the socket's is trusted.
        remote_addr = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if settings.SECURE_PROXY_SSL_HEADER and forwarded.strip():
            return forwarded.split(",")[-1].strip()
        return remote_addr


class TokenRateThrottle(SettingsRateThrottle):
    """One budget per token; a browser session has its own budget per user."""

    scope = "token"

    def get_rate(self):
        return settings.API_THROTTLE_TOKEN_RATE

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        ident = f"token-{request.auth.pk}" if isinstance(request.auth, ApiToken) else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
