"""The OpenAPI description of the errors, validators and cache headers every operation shares."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema_serializer
from rest_framework import serializers


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Stable machine-readable code: invalid, not_found, throttled …")
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems per body field or query parameter (`insights.2` for a list item); empty otherwise.",
    )


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A bad filter value",
            value={
                "error": {
                    "status": 400,
                    "code": "invalid",
                    "message": "Check these fields: role.",
                    "fields": {"role": ["Select a valid choice. That choice is not one of the available choices."]},
                }
            },
        )
    ]
)
class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


ERROR_DESCRIPTIONS = {
    400: "The request or a query parameter is not valid; `error.fields` names each one.",
    401: "No credentials, or a token that is unknown, expired or revoked.",
    403: "Authenticated, but the account lacks the permission for this.",
    404: "No such object (or not visible to you).",
    409: "The brief's state or content does not allow this step; `error.message` says why.",
    412: "`If-Match` does not match the brief's current ETag: it changed since you read it.",
    429: "Too many requests; retry after the number of seconds in `Retry-After`.",
}

CACHE_HEADERS = [
    OpenApiParameter("ETag", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], description="Validator."),
    OpenApiParameter(
        "Cache-Control", OpenApiTypes.STR, OpenApiParameter.HEADER, response=[200], description="Caching rule."
    ),
]
RETRY_AFTER = OpenApiParameter(
    "Retry-After", OpenApiTypes.INT, OpenApiParameter.HEADER, response=[429], description="Seconds to wait."
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="An ETag you hold; 304 if still current."
)
IF_MATCH = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, description="The ETag you read; 412 if it is stale."
)


class ApiAutoSchema(AutoSchema):
    def _is_read(self) -> bool:
        return self.method == "GET"

    def _has_lookup(self) -> bool:
        return "{" in self.path

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), RETRY_AFTER]
        if self._is_read():
            parameters += [*CACHE_HEADERS, IF_NONE_MATCH]
        if self.method == "PATCH":
            parameters.append(IF_MATCH)
        return parameters

    def _error_codes(self) -> list[int]:
        codes = [429]
        action = getattr(self.view, "action", None)
        if not self._is_read() or action == "list":
            codes.append(400)
        if not self._is_read():
            codes += [401, 403]
        if self._has_lookup():
            codes.append(404)
        if self.method == "PATCH":
            codes += [409, 412]
        if self.method == "POST" and self._has_lookup():
            codes.append(409)
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if not self.path.startswith("/api/v1/"):
            return responses
        for code in self._error_codes():
            responses.setdefault(
                str(code),
                self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[code]), str(code)
                ),
            )
        if self._is_read():
            responses.setdefault("304", {"description": "Not modified: your copy (If-None-Match) is current."})
        return responses
