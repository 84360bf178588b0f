"""API tokens: the secret is shown once when issued; only its SHA-256 hash is stored.

A token reads `dst_<prefix>_<secret>`. The prefix finds the row (it is not secret and
shows in the admin so a curator can tell tokens apart); the hash of the whole token
proves possession.
"""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

TOKEN_SCHEME = "dst"
PREFIX_BYTES = 4  # 8 hex characters: enough to find a row, too short to matter if it leaks
SECRET_BYTES = 32
MAX_DAYS = 3650


class TokenRefused(Exception):
    """A token may not be issued (or revoked) as asked; the message says why."""


def hash_token(plaintext: str) -> str:
    # A fast unsalted hash is enough: the secret is 256 random bits, not a password to guess.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def split_token(plaintext: str) -> str | None:
    """The lookup prefix of a well-formed token, or None for anything else."""
    parts = plaintext.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_SCHEME or len(parts[1]) != PREFIX_BYTES * 2 or not parts[2]:
        return None
    # Issued prefixes are lowercase hex; anything else (a NUL byte would crash PostgreSQL) finds nothing.
    if not all(char in "0123456789abcdef" for char in parts[1]):
        return None
    return parts[1]


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The staff member the token acts as; it has exactly their permissions.",
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “Newsletter builder”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)
    token_hash = models.CharField("SHA-256 of the token", max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField(help_text="After this moment the token is refused.")
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        app_label = "articles"
        verbose_name = "API token"
        verbose_name_plural = "API tokens"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.display_prefix}…, {self.user})"

    @property
    def display_prefix(self) -> str:
        return f"{TOKEN_SCHEME}_{self.prefix}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_usable(self) -> bool:
        return not self.is_revoked and not self.is_expired

    def matches(self, plaintext: str) -> bool:
        return secrets.compare_digest(self.token_hash, hash_token(plaintext))


def issue_token(*, user, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Create a token for a staff member; returns (token, plaintext). The plaintext is never stored."""
    if not (user.is_active and user.is_staff):
        raise TokenRefused(f"{user} is not an active staff member; only staff can hold API tokens.")
    name = name.strip()
    if not name:
        raise TokenRefused("Give the token a name that says what it is for.")
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise TokenRefused(f"A token must be valid for 1 to {MAX_DAYS} days, not {days}.")
    for _attempt in range(5):
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    plaintext = f"{TOKEN_SCHEME}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=hash_token(plaintext),
        expires_at=timezone.now() + timedelta(days=days),
    )
    return token, plaintext


def revoke_token(*, token: ApiToken) -> ApiToken:
    """Revoke a token from now on; revoking twice keeps the first moment."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
