"""Cursor pagination whose order comes from the validated `ordering` parameter."""

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
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

    def _invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError(
            {self.cursor_query_param: ["This cursor is not valid; use the `next` or `previous` link as given."]}
        )

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except exceptions.NotFound:
            raise self._invalid_cursor() from None
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise self._invalid_cursor()  # PostgreSQL refuses NUL in any query
        return cursor

    def paginate_queryset(self, queryset, request, view=None):
        # The position inside a cursor is the client's to edit: one that is not a value of
        # the ordering column ("yesterday" for a date) is a bad cursor, not a server error.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            if not request.query_params.get(self.cursor_query_param):
                raise  # not the client's cursor: a real fault, keep it visible
            raise self._invalid_cursor() from None
