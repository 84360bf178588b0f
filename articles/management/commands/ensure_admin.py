"""Create the first admin login for the embedded run, and print it."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Create an admin account if there is none, and print how to log in."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        User = get_user_model()
        password_file = settings.VAR_DIR / "admin-password.txt"
        user = User.objects.filter(username=username).first()
        if user is None:
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write("An admin account already exists; log in with it at /admin/.")
                return
            password = secrets.token_urlsafe(12)
            user = User.objects.create_superuser(username=username, email="", password=password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
            self.remember_hash(user, password_file)
        elif password_file.exists() and self.still_valid(user, password_file):
            password = password_file.read_text().strip()
        else:
            self.stdout.write(f"Log in at /admin/ as {username!r} with the password you set.")
            return
        self.stdout.write(
            self.style.SUCCESS(f"Admin login: user {username!r}, password {password!r} (kept in {password_file}).")
        )

    @staticmethod
    def hash_file(password_file):
        return password_file.with_name(password_file.name + ".hash")

    def remember_hash(self, user, password_file) -> None:
        # The stored hash changes whenever the password does: comparing it saves checking the
        # password itself (a deliberately slow hash) on every start of `make run`.
        marker = self.hash_file(password_file)
        marker.write_text(user.password)
        marker.chmod(0o600)

    def still_valid(self, user, password_file) -> bool:
        marker = self.hash_file(password_file)
        if marker.exists() and marker.read_text() == user.password:
            return True
        if user.check_password(password_file.read_text().strip()):
            self.remember_hash(user, password_file)
            return True
        return False
