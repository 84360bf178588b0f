"""Static files as production serves them: hashed, compressed, cached for a long time by browsers."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_stylesheet_is_served_hashed_compressed_and_cached_far_ahead(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Only our own files: compressing the admin's and the API docs' would be slow and tell us nothing more.
    call_command(
        "collectstatic",
        interactive=False,
        verbosity=0,
        ignore_patterns=["admin", "rest_framework", "drf_spectacular_sidecar", "django_filters"],
    )

    client = Client()  # a new handler, so whitenoise reads the collected files
    html = client.get(reverse("articles:home")).content.decode()
    href = re.search(r'<link rel="stylesheet" href="(/static/css/site\.[0-9a-f]{12}\.css)">', html).group(1)

    response = client.get(href, headers={"accept-encoding": "gzip"})
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "max-age=315360000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
