"""Cursor pagination whose order comes from the validated `ordering` parameter."""

from django.conf import settings
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination


class BriefCursorPagination(CursorPagination):
    page_size_query_param = "page_size"
    cursor_query_description = "Opaque position in the list: copy it from `next` or `previous`."
    page_size_query_description = "Briefs per page (1 to API_MAX_PAGE_SIZE, default API_PAGE_SIZE)."

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        maximum = settings.API_MAX_PAGE_SIZE
        if raw is None:
            return min(settings.API_PAGE_SIZE, maximum)
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= maximum:
            raise exceptions.ValidationError({"page_size": [f"Expected a whole number from 1 to {maximum}."]})
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=settings.API_MAX_PAGE_SIZE)
        return parameters

    def get_ordering(self, request, queryset, view):
        # The view validated `ordering` through its filter set and put the result here.
        return view.cursor_ordering(request, queryset)

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except exceptions.NotFound:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["This cursor is not valid; use the `next` or `previous` link as given."]}
            ) from None
