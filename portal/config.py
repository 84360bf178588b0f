"""Reading settings from the environment, with one clear line when a value is wrong.

`settings.py` calls these helpers; a bad value raises `ConfigurationError`, which
`manage.py`, `wsgi.py` and `celery.py` turn into a single line on stderr and exit 1.
"""

import os
import secrets
from pathlib import Path

import dj_database_url


class ConfigurationError(Exception):
    """A setting taken from the environment is missing or malformed."""


TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ConfigurationError(f"{name} must be true or false (1/0, yes/no, on/off), got {raw!r}.")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, got {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_float(name: str, default: float, *, minimum: float = 0.0) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {raw!r}.") from None
    if value < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, got {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


SUPPORTED_DATABASE_ENGINES = {
    "django.db.backends.postgresql",
    "django.db.backends.sqlite3",
}


def database_from_url(url: str) -> dict:
    """Parse DATABASE_URL; only PostgreSQL and SQLite are supported."""
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except Exception as exc:  # dj-database-url raises several types for junk
        raise ConfigurationError(
            f"DATABASE_URL is not a database URL ({exc}); "
            "expected postgres://user:password@host:5432/name or sqlite:////absolute/path.db."
        ) from None
    engine = config.get("ENGINE")
    if engine not in SUPPORTED_DATABASE_ENGINES:
        raise ConfigurationError(
            f"DATABASE_URL uses an unsupported database ({engine or 'unknown scheme'}); "
            "Distillery runs on PostgreSQL (postgres://…) or SQLite (sqlite:///…)."
        )
    if engine == "django.db.backends.postgresql" and not config.get("NAME"):
        raise ConfigurationError(
            "DATABASE_URL names no database: add it after the host, e.g. postgres://host/distillery."
        )
    if engine == "django.db.backends.sqlite3":
        config.update(sqlite_options())
    return config


def sqlite_options() -> dict:
    # WAL lets the web process read while the worker writes; IMMEDIATE transactions take
    # the write lock at BEGIN so two writers queue instead of failing with "database is locked".
    return {
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000; PRAGMA foreign_keys=ON;"
            ),
        },
    }


def embedded_secret_key(var_dir: Path) -> str:
    """The embedded run keeps a generated key in var/ so sessions survive restarts."""
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Create exclusively so two processes starting together agree on one key.
    try:
        with open(path, "x") as handle:
            handle.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
