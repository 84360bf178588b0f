"""The OpenAPI description of the errors, validators and cache headers every operation shares."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from articles.api.examples import DEMO_AREA, DEMO_BRIEF, DEMO_FIELD, DEMO_ROLE, DEMO_SOURCE, DEMO_TOPIC


class ErrorDetailSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="The HTTP status, repeated.")
    code = serializers.CharField(help_text="Stable machine-readable code: invalid, not_found, throttled …")
    message = serializers.CharField(help_text="What went wrong, in words a person can act on.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Problems per body field or query parameter (`insights.2` for a list item); empty otherwise.",
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

ERROR_EXAMPLES = {
    400: ("invalid", "Check these fields: role.", {"role": ["Nothing here has the slug “ceo”."]}),
    401: ("authentication_failed", "This API token has expired; ask for a new one.", {}),
    403: ("permission_denied", "You may not “publish” briefs: ask an editor.", {}),
    404: ("not_found", "No Article matches the given query.", {}),
    409: ("conflict", "“Agents in production” cannot be published yet: it still needs a summary.", {}),
    412: (
        "precondition_failed",
        "The brief has changed since you read it; fetch it again and reapply your change.",
        {},
    ),
    429: ("throttled", "Request was throttled. Expected available in 12 seconds.", {}),
}


def error_response(code: int) -> OpenApiResponse:
    error_code, message, fields = ERROR_EXAMPLES[code]
    example = {"error": {"status": code, "code": error_code, "message": message, "fields": fields}}
    return OpenApiResponse(
        ErrorSerializer,
        description=ERROR_DESCRIPTIONS[code],
        examples=[OpenApiExample(f"{code} {error_code}", value=example, response_only=True, status_codes=[code])],
    )


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


# Example values of path parameters, so generated requests (and readers of the docs) hit real objects.
PATH_EXAMPLES = {
    "/api/v1/articles/{slug}/": ("slug", DEMO_BRIEF, "The brief's slug."),
    "/api/v1/fields/{slug}/": ("slug", DEMO_FIELD, "The field's slug."),
    "/api/v1/topics/{slug}/": ("slug", DEMO_TOPIC, "The topic's slug."),
    "/api/v1/roles/{slug}/": ("slug", DEMO_ROLE, "The role's slug."),
}


# Example values of the list's query parameters; their type and description come from BriefFilter.
QUERY_EXAMPLES = {
    "q": "evaluation",
    "role": DEMO_ROLE,
    "area": DEMO_AREA,
    "field": DEMO_FIELD,
    "topic": DEMO_TOPIC,
    "source": DEMO_SOURCE,
    "published_from": "2026-01-01",
    "published_until": "2026-12-31",
}


def _path_parameter(path: str) -> list[OpenApiParameter]:
    for prefix, (name, value, description) in PATH_EXAMPLES.items():
        if path.startswith(prefix):
            return [
                OpenApiParameter(
                    name,
                    OpenApiTypes.STR,
                    OpenApiParameter.PATH,
                    description=description,
                    examples=[OpenApiExample(value, value=value)],
                )
            ]
    return []


class ApiAutoSchema(AutoSchema):
    def _is_read(self) -> bool:
        return self.method == "GET"

    def _has_lookup(self) -> bool:
        return "{" in self.path

    def get_auth(self):
        auth = super().get_auth()
        # Reads are open to everyone; credentials only widen what staff see.
        if self._is_read() and {} not in auth:
            auth.append({})
        return auth

    def get_override_parameters(self):
        parameters = [*super().get_override_parameters(), *_path_parameter(self.path), RETRY_AFTER]
        if self._is_read():
            parameters += [*CACHE_HEADERS, IF_NONE_MATCH]
        if self.method == "PATCH":
            parameters.append(IF_MATCH)
        return parameters

    # _get_parameters and _get_response_bodies are drf-spectacular's internal hooks (pinned at
    # 0.30.0 in requirements.txt); the schema tests fail loudly if an upgrade changes them.
    def _get_parameters(self):
        parameters = super()._get_parameters()
        if getattr(self.view, "action", None) == "list" and self.path == "/api/v1/articles/":
            for parameter in parameters:
                example = QUERY_EXAMPLES.get(parameter["name"])
                if example is not None and parameter["in"] == "query":
                    parameter["examples"] = {parameter["name"]: {"value": example}}
        return parameters

    def _error_codes(self) -> list[int]:
        codes = [401, 429]  # any request carrying a bad token is a 401, reads included
        action = getattr(self.view, "action", None)
        if not self._is_read() or action == "list":
            codes.append(400)
        if not self._is_read():
            codes.append(403)
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
                self._get_response_for_code(error_response(code), str(code)),
            )
        if self._is_read():
            responses.setdefault("304", {"description": "Not modified: your copy (If-None-Match) is current."})
        return responses
