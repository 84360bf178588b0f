"""WSGI entry point (gunicorn portal.wsgi)."""

import os
import sys

from django.core.wsgi import get_wsgi_application

from portal.config import ConfigurationError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

try:
    application = get_wsgi_application()
except ConfigurationError as exc:
    sys.exit(f"Configuration error: {exc}")
