"""Start-up stays light: the site, the admin and every command load without the numeric libraries.

Drafting needs scikit-learn and numpy; they cost seconds to import, so they load inside
the functions that draft, never when a process starts.
"""

import json
import os
import subprocess
import sys

import pytest

from conftest import PROJECT_ROOT

HEAVY = ("sklearn", "numpy", "scipy", "trafilatura")

LOAD_EVERYTHING_A_PROCESS_STARTS_WITH = """
import json, sys
import django
django.setup()
from django.conf import settings
from django.contrib import admin
from django.core.management import get_commands, load_command_class
from django.urls import get_resolver

def walk(patterns):
    for pattern in patterns:
        walk(getattr(pattern, "url_patterns", []))

walk(get_resolver(settings.ROOT_URLCONF).url_patterns)
admin.autodiscover()
commands = get_commands()
for name, app in commands.items():
    load_command_class(app, name)
import portal.celery, portal.wsgi, articles.tasks
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"commands": len(commands), "heavy": heavy}))
"""


def _in_a_fresh_process(script: str, names, tmp_path) -> dict:
    """Run `script` with `names` as its arguments in a new Python with the real settings; its last line as JSON."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DISTILLERY_VAR_DIR": str(tmp_path / "var")}
    done = subprocess.run(
        [sys.executable, "-c", script, *names],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_site_the_admin_and_every_command_load_without_scikit_learn_or_numpy(tmp_path):
    loaded = _in_a_fresh_process(LOAD_EVERYTHING_A_PROCESS_STARTS_WITH, HEAVY, tmp_path)
    assert loaded["commands"] > 20  # Django's own and ours: the walk did reach them
    assert loaded["heavy"] == []


# What a drafting process (`manage.py enrich`, its system checks included) has no use for: the fetcher's and the
# model client's HTTP library, the feed parser, the model card's schema validator, the API's serializers, the website.
NOT_FOR_DRAFTING = ("httpx", "feedparser", "jsonschema", "articles.api.serializers", "articles.web.views")
# What an ingesting process (`manage.py ingest`) has no use for: the API's serializers, the website.
NOT_FOR_INGESTING = ("articles.api.serializers", "articles.web.views")

START_COMMAND = """
import json, sys
import django
django.setup()
from django.core.management import load_command_class
command = load_command_class("articles", sys.argv[1])
command.check(tags=command.requires_system_checks)
loaded = sorted(name for name in sys.argv[2:] if name in sys.modules)
print(json.dumps({"checks": command.requires_system_checks, "loaded": loaded}))
"""


@pytest.mark.parametrize(
    ("command", "not_needed"), [("enrich", NOT_FOR_DRAFTING), ("ingest", NOT_FOR_INGESTING)], ids=["enrich", "ingest"]
)
def test_a_drafting_or_ingesting_process_starts_without_the_api_or_the_website(command, not_needed, tmp_path):
    started = _in_a_fresh_process(START_COMMAND, [command, *not_needed], tmp_path)
    # Its checks are all of Django's but the addresses' (and the database's, left out by default too).
    assert {"models", "admin", "templates", "security"} <= set(started["checks"])
    assert "urls" not in started["checks"]
    assert started["loaded"] == []
