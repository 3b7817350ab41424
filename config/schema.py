"""The OpenAPI schema tells the truth: what each operation reads, and every error it answers.

AutoSchema (DEFAULT_SCHEMA_CLASS): a text field that refuses blank says so (minLength 1), a
list that refuses empty says so (minItems 1), and
a view on the default parsers documents JSON only (form encodings cannot carry the nested
objects those views read; the upload view, on multipart, documents multipart).

document_errors (a drf-spectacular postprocessing hook):
Every operation documents the error statuses it can answer, each with the one error shape
{"error": code, "detail": text or field messages} (DESIGN.md §4, config/api_errors.py):

- 401, 403 and 503 on every operation: not signed in; not allowed (need-to-know, role, a
  missing second factor); the database unavailable (retry after Retry-After);
- 400 wherever input is read: a body, query parameters;
- 404 wherever the path or a change's body names a record;
- 409, 413 and 415 on every change: a concurrent or out-of-order change, a body over the limit,
  a body in another format than JSON or multipart;
- 422 where an Idempotency-Key header is accepted: the key reused for another request.
"""

from drf_spectacular import openapi
from rest_framework import serializers
from rest_framework.settings import api_settings

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "A stable code: invalid, not_found, ..."},
        "detail": {
            "description": "A sentence for people, or the messages of each invalid field.",
            "oneOf": [
                {"type": "string"},
                {"type": "object", "additionalProperties": True},
                {"type": "array", "items": {}},
            ],
        },
    },
}
REASONS = {
    400: "Invalid input; nothing was changed.",
    401: "Not signed in.",
    403: "Not allowed.",
    404: "No such record, or not one you may see.",
    409: "Conflicts with the record's current state or a concurrent change.",
    413: "The request body is too large.",
    415: "The body is not JSON (or multipart, for uploads).",
    422: "This Idempotency-Key was already used for a different request.",
    503: "The database is unavailable; retry.",
}
CHANGES = {"post", "put", "patch", "delete"}
JSON = "application/json"


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False) -> dict:
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        refuses_blank = isinstance(field, serializers.CharField) and not field.allow_blank
        if refuses_blank and direction == "request" and schema.get("type") == "string":
            schema.setdefault("minLength", 1)
            # Spaces alone are trimmed to blank, so they are refused too.
            if field.trim_whitespace:
                schema.setdefault("pattern", r"\S")
            # Left out, the field is blank; sent blank, it is refused: "" is no example to send.
            if schema.get("default") == "":
                del schema["default"]
        if getattr(field, "allow_empty", True) is False and schema.get("type") == "array":
            schema.setdefault("minItems", 1)
        return schema

    def map_parsers(self) -> list[str]:
        parsers = super().map_parsers()
        if self.view.parser_classes == api_settings.DEFAULT_PARSER_CLASSES:
            return [JSON]
        return parsers


def error_statuses(method: str, operation: dict) -> list[int]:
    """The error statuses this operation can answer (see the module's docstring)."""
    places = {parameter["in"]: parameter["name"] for parameter in operation.get("parameters", [])}
    headers = {
        parameter["name"].lower()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "header"
    }
    statuses = {401, 403, 503}
    if method in CHANGES or "query" in places:
        statuses.add(400)
    if "path" in places or method in CHANGES or names_a_record(operation):
        statuses.add(404)
    if method in CHANGES:
        statuses |= {409, 413, 415}
    if "idempotency-key" in headers:
        statuses.add(422)
    return sorted(statuses)


def names_a_record(operation: dict) -> bool:
    """A query parameter naming a record by its id (`?case=<uuid>`): it may not exist."""
    return any(
        parameter["in"] == "query" and parameter.get("schema", {}).get("format") == "uuid"
        for parameter in operation.get("parameters", [])
    )


def document_errors(result: dict, generator, request, public) -> dict:
    """Postprocessing hook: the Error component, and each operation's error responses."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            for status in error_statuses(method, operation):
                responses.setdefault(
                    str(status), {"description": REASONS[status], "content": error}
                )
    return result
