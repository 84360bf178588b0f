"""Issue, list and revoke API tokens from the command line."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from articles.models.tokens import ApiToken, TokenRefused, issue_token, revoke_token, split_token


class Command(BaseCommand):
    help = "Issue (the secret is printed once), list or revoke API tokens of staff members."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        issue = actions.add_parser("issue", help="Issue a token for a staff member and print it once.")
        issue.add_argument("username")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument("--days", type=int, default=None, help="Days until it expires (default: setting).")
        listing = actions.add_parser("list", help="List tokens (never their secrets).")
        listing.add_argument("--user", dest="username", default=None)
        revoke = actions.add_parser("revoke", help="Revoke a token by its prefix (dst_xxxxxxxx) or the token.")
        revoke.add_argument("token")

    def handle(self, *args, action, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_issue(self, *, username, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username!r}.")
        try:
            token, plaintext = issue_token(user=user, name=name, days=days)
        except TokenRefused as refusal:
            raise CommandError(str(refusal)) from None
        self.stderr.write(
            f"Issued “{token.name}” for {user}, valid until {token.expires_at:%Y-%m-%d %H:%M %Z}. "
            "Copy it now; it will not be shown again:"
        )
        self.stdout.write(plaintext)

    def handle_list(self, *, username, **options):
        tokens = ApiToken.objects.select_related("user")
        if username:
            tokens = tokens.filter(user__username=username)
        rows = [("PREFIX", "NAME", "USER", "EXPIRES", "LAST USED", "STATE")]
        for token in tokens:
            state = "revoked" if token.is_revoked else "expired" if token.is_expired else "active"
            last_used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            rows.append(
                (token.display_prefix, token.name, str(token.user), f"{token.expires_at:%Y-%m-%d}", last_used, state)
            )
        if len(rows) == 1:
            self.stdout.write("No API tokens.")
            return
        widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
        for row in rows:
            self.stdout.write("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())

    def handle_revoke(self, *, token, **options):
        text = token.strip()
        prefix = split_token(text) or text.removeprefix("dst_")
        found = ApiToken.objects.filter(Q(prefix=prefix)).first()
        if found is None:
            raise CommandError(f"No token has the prefix {prefix!r}; `api_token list` shows them.")
        was_revoked = found.is_revoked
        revoke_token(token=found)
        if was_revoked:
            self.stdout.write(f"{found.display_prefix} (“{found.name}”) was already revoked.")
        else:
            self.stdout.write(f"Revoked {found.display_prefix} (“{found.name}”) of {found.user}.")
