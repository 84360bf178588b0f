"""Cursor pagination whose order comes from the validated `ordering` parameter."""

from django.conf import settings
from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections
from django.db.models.query import ValuesIterable
from rest_framework import exceptions
from rest_framework.pagination import CursorPagination

# SQL of the list's page query by shape: building and compiling it was a tenth of an anonymous list request's
# CPU. A shape is the SQL of its filters (with their parameters left out: a cursor's position, a filter's
# value), its columns, order and slice; some orderings × page sizes × cursor offsets × filter combinations.
_KEPT_SQL: dict[tuple, str] = {}
_KEPT_SQL_LIMIT = 2000


class KeptSQLValues(ValuesIterable):
    """`.values()` rows of a one-table query, on PostgreSQL through its SQL kept per shape (see _KEPT_SQL).

    Only a query whose parameters are all its filters' is kept, and only when no column needs converting
    from what the driver reads: its rows are then what the ORM would have made. Any other query, and every
    query on another database, is run as `.values()` runs it.
    """

    def __iter__(self):
        queryset = self.queryset
        query = queryset.query
        connection = connections[queryset.db]
        if connection.vendor != "postgresql" or len(query.alias_map) != 1 or query.distinct or query.extra:
            yield from super().__iter__()
            return
        compiler = query.get_compiler(queryset.db)
        try:
            where_sql, where_params = compiler.compile(query.where)
        except (EmptyResultSet, FullResultSet):
            yield from super().__iter__()
            return
        shape = (
            queryset.db,
            query.model,
            where_sql,
            tuple(query.selected or ()),
            tuple(query.annotations),
            query.order_by,
            query.standard_ordering,
            query.low_mark,
            query.high_mark,
        )
        sql = _KEPT_SQL.get(shape)
        if sql is None:
            sql, params = compiler.as_sql()
            converted = compiler.get_converters([column for column, _, _ in compiler.select])
            if list(params) != list(where_params) or converted or not query.selected:
                yield from super().__iter__()
                return
            if len(_KEPT_SQL) < _KEPT_SQL_LIMIT:
                _KEPT_SQL[shape] = sql
        names = list(query.selected)
        with connection.cursor() as cursor:
            cursor.execute(sql, where_params)
            rows = cursor.fetchall()
        for row in rows:
            yield dict(zip(names, row, strict=True))


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
