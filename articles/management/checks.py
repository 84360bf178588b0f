"""System checks for the commands that serve no page: every check but the URLconf's.

Checking the addresses imports every view, the API and its schema: about 0.3 s of CPU, a third of
`enrich`'s start-up (bench/REPORT.md, "Ninth pass: the turn's writes and the process's start-up").
Ingesting and drafting resolve no address, so they leave that check (and the database's, which
Django's default leaves out too) to `manage.py check`, which still runs them all.
"""

from django.core.checks import Tags
from django.core.checks.registry import registry

WITHOUT_URLCONF = sorted(registry.tags_available() - {Tags.urls, Tags.database})
