"""Who may write through the API: staff holding the model permission the admin would ask for."""

from rest_framework import permissions


class CanWriteBriefs(permissions.BasePermission):
    """POST needs `add_article`, PATCH `change_article`; reads are open (the queryset scopes them)."""

    message = "Your account may not write briefs: ask an editor for the Curator group."
    required = {"POST": "articles.add_article", "PATCH": "articles.change_article"}

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        if not (user and user.is_authenticated):
            return False  # DRF turns this into a 401 with the WWW-Authenticate challenge
        needed = self.required.get(request.method)
        return bool(user.is_staff and (needed is None or user.has_perm(needed)))


class IsStaff(permissions.BasePermission):
    message = "Only staff can run workflow steps."

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_staff)


class CanIngestSources(permissions.BasePermission):
    """ "Ingest now" is an editor's lever: it needs the right to change sources, as in the admin."""

    message = "Your account may not start ingestion: ask an editor."

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.is_staff and user.has_perm("articles.change_source"))
