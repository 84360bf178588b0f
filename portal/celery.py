"""The Celery app. Its settings are the CELERY_* names in portal/settings.py."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("distillery")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
