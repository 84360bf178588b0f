"""The curation panel: where curators and editors work the queue and finish briefs.

briefs.py     briefs, the brief editor and its workflow steps (brief_inlines.py: related briefs, role notes)
queue.py      the work queue: filters, workflow steps on single keys, bulk reject and archive
sources.py    sources and their health, ingestion runs, OPML, single pages
taxonomy.py   areas and subfields, topics, roles
subscriptions.py  webhook endpoints and their delivery log ("Resend"), email digest subscribers
(API tokens are registered by articles/api/admin.py.)
"""

from django.contrib import admin

from articles.admin import briefs, queue, sources, subscriptions, taxonomy  # noqa: F401  (registers the model admins)
from articles.api import admin as api_admin  # noqa: F401  (registers the API token admin)

admin.site.index_template = "admin/distillery_index.html"
