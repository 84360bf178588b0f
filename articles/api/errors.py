"""One JSON shape for every API error, including 404s and 500s that never reached DRF.

    {"error": {"status": 400, "code": "invalid", "message": "…", "fields": {"role": ["…"]}}}

`fields` names each offending body field or query parameter ("insights.2" for an item of
a list); it is empty when the error is not about a particular field.
"""

import logging

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"

CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    415: "unsupported_media_type",
    428: "precondition_required",
    429: "throttled",
    500: "server_error",
}


class Conflict(exceptions.APIException):
    """The request is well formed but the brief's state does not allow it (a workflow refusal)."""

    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The brief's current state does not allow this."


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = "The brief has changed since you read it; fetch it again and reapply your change."


def error_body(*, status_code: int, message: str, code: str | None = None, fields: dict | None = None) -> dict:
    return {
        "error": {
            "status": status_code,
            "code": code or CODES.get(status_code, "error"),
            "message": message,
            "fields": fields or {},
        }
    }


def _flatten(detail, path=()) -> dict[str, list[str]]:
    """{"insights": {2: ["…"]}} → {"insights.2": ["…"]}; bare lists go under "non_field_errors"."""
    if isinstance(detail, dict):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            flat.update(_flatten(value, (*path, str(key))))
        return flat
    if isinstance(detail, list) and any(isinstance(item, dict | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            if item:
                flat.update(_flatten(item, (*path, str(index))))
        return flat
    messages = [str(item) for item in detail] if isinstance(detail, list) else [str(detail)]
    return {".".join(path) or "non_field_errors": messages}


def _first_code(codes) -> str | None:
    while isinstance(codes, dict | list):
        if not codes:
            return None
        codes = next(iter(codes.values())) if isinstance(codes, dict) else codes[0]
    return codes


def exception_handler(exc, context):
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # Django's handler500 answers, in the same shape for /api/ paths.
    detail = exc.detail if isinstance(exc, exceptions.APIException) else None
    fields: dict = {}
    if isinstance(exc, exceptions.ValidationError) and isinstance(exc.detail, dict | list):
        fields = _flatten(exc.detail)
        names = ", ".join(name for name in fields if name != "non_field_errors")
        if names:
            message = f"Check these fields: {names}."
        else:
            message = " ".join(fields.get("non_field_errors", ["The request is not valid."]))
        code = "invalid"
    else:
        message = str(detail) if detail is not None else str(response.data.get("detail", ""))
        code = _first_code(exc.get_codes()) if isinstance(exc, exceptions.APIException) else None
        if response.status_code in CODES:
            code = CODES[response.status_code] if code in (None, "error", "invalid") else code
    response.data = error_body(status_code=response.status_code, message=message, code=code, fields=fields)
    return response


def is_api_request(request) -> bool:
    return request.path.startswith(API_PREFIX)


def handler400(request, exception=None):
    if is_api_request(request):
        return JsonResponse(error_body(status_code=400, message="The request could not be understood."), status=400)
    return defaults.bad_request(request, exception)


def handler404(request, exception=None):
    if is_api_request(request):
        return JsonResponse(
            error_body(status_code=404, message=f"There is no API endpoint at {request.path}."), status=404
        )
    return defaults.page_not_found(request, exception)


def handler500(request):
    if is_api_request(request):
        return JsonResponse(
            error_body(status_code=500, message="Something went wrong on our side; it has been logged."), status=500
        )
    return defaults.server_error(request)


__all__ = [
    "Conflict",
    "PreconditionFailed",
    "error_body",
    "exception_handler",
    "handler400",
    "handler404",
    "handler500",
]
