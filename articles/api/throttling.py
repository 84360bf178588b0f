"""Rates per anonymous client address and per token, read from settings at each request.

DRF's own throttles copy their rates into a class attribute at import, so a changed
setting would never reach them; these read `settings` when they run.
"""

from django.conf import settings
from django.core.cache import caches
from rest_framework.throttling import SimpleRateThrottle

from articles.models.tokens import ApiToken


class SettingsRateThrottle(SimpleRateThrottle):
    """A budget of requests per fixed window (a minute for "120/min"), counted in the cache.

    DRF's own throttle keeps the time of every request in the window, read and written whole on
    each request: its cost grows with the budget (1,200 times for a token's minute). A count
    per window is one round trip to Redis whatever the budget; a client may spend one window's
    budget at its end and the next at its start.
    """

    @property
    def cache(self):
        alias = settings.API_THROTTLE_CACHE
        # Test settings may replace CACHES wholesale; the default cache then holds the counters.
        return caches[alias] if alias in settings.CACHES else caches["default"]

    def allow_request(self, request, view):
        counter = self.counter(request, view)
        return counter is None or self.allows(self.count(counter))

    def counter(self, request, view) -> str | None:
        """The key counting this client's requests in the current window; None when this throttle
        does not count `request` (another one does, or there is no rate)."""
        if self.rate is None:
            return None
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return None
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        return f"{self.key}:{window}"

    @property
    def keep(self) -> int:
        """How long a counter is kept: its window, and a second for clocks a little apart."""
        return self.duration + 1

    def allows(self, count: int) -> bool:
        """Whether the request that brought the count to `count` is within the budget."""
        return count <= self.num_requests

    def count(self, key: str) -> int:
        """Count one more request under the counter `key`; the new count."""
        cache, keep = self.cache, self.keep
        if hasattr(cache, "count_hit"):  # Redis (portal/redis_cache.py): one round trip
            return cache.count_hit(key, timeout=keep)
        if cache.add(key, 1, timeout=keep):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between the two calls: a new window's first request
            cache.add(key, 1, timeout=keep)
            return 1

    def wait(self):
        return max(self.window_ends - self.now, 1)


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
