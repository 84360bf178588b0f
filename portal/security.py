"""Protections for every request: the Content-Security-Policy of the reader's pages, and the
client address that login throttling (django-axes) counts failures against.

The reader's pages run no script of ours at all and load nothing from elsewhere, so their
policy can be strict: nothing inline (a script that slipped past sanitizing would not run),
nothing from another origin, no framing, no <base> or plugin tricks. The admin and the API
(browsable pages, Swagger, ReDoc) are Django's and the libraries' own pages and are left out.
"""

import base64
import hashlib
import re
from functools import cache

from django.conf import settings
from django.shortcuts import render

# Inline <style> blocks allowed by their hash, for pages that must render without static files.
PAGES_WITH_INLINE_STYLE = ("500.html",)


def client_address(request) -> str:
    """The address a request came from: the socket's, or the one our own HTTPS proxy appended.

    X-Forwarded-For is only read behind our proxy (BEHIND_HTTPS_PROXY), and only its last entry,
    the one the proxy wrote: anything before it is whatever the client chose to send.
    """
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.SECURE_PROXY_SSL_HEADER and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers once a user name and address are locked out: the login page with
    a sentence saying how long to wait (429), instead of the form."""
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit
    from django.contrib import admin

    minutes = max(1, round(get_cool_off(request).total_seconds() / 60))
    context = {
        **admin.site.each_context(request),
        "title": "Signing in is locked",
        "username": get_client_username(request, credentials) or "",
        "failure_limit": get_failure_limit(request, credentials),
        "wait": f"{minutes} minute{'s' if minutes != 1 else ''}",
    }
    return render(request, "admin/locked_out.html", context, status=429)


@cache
def inline_style_hashes() -> tuple[str, ...]:
    """CSP source expressions ('sha256-…') for the <style> blocks of PAGES_WITH_INLINE_STYLE."""
    hashes = []
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for name in PAGES_WITH_INLINE_STYLE:
            path = directory / name
            if not path.exists():
                continue
            for block in re.findall(r"<style>(.*?)</style>", path.read_text(encoding="utf-8"), flags=re.S):
                digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
                hashes.append(f"'sha256-{digest}'")
    return tuple(hashes)


def policy() -> str:
    """The policy from CONTENT_SECURITY_POLICY, with the error page's own style hash added to style-src."""
    configured = settings.CONTENT_SECURITY_POLICY.strip()
    hashes = " ".join(inline_style_hashes())
    if not hashes or "style-src" not in configured:
        return configured
    return re.sub(r"(style-src[^;]*)", lambda match: f"{match.group(1).rstrip()} {hashes}", configured, count=1)


class ContentSecurityPolicyMiddleware:
    """Adds CONTENT_SECURITY_POLICY to every response outside CSP_EXEMPT_PATHS (admin, API)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not settings.CONTENT_SECURITY_POLICY or request.path.startswith(tuple(settings.CSP_EXEMPT_PATHS)):
            return response
        response.headers.setdefault("Content-Security-Policy", policy())
        return response
