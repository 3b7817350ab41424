"""Limits on what a request may bring (issue 14): body size, JSON depth, page size.

Every limit answers with the API's JSON error, never a 500 or Django's HTML page: a body over
settings.DATA_UPLOAD_MAX_MEMORY_SIZE is refused before it is read (413 too_large), JSON nested
deeper than MAX_JSON_DEPTH is refused after parsing (400), and a page asks for at most
Pagination.max_limit rows with numeric, bounded limit and offset (400 otherwise).
"""

import io
import itertools
from collections.abc import Callable

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

MAX_JSON_DEPTH = 32
MAX_OFFSET = 1_000_000


def too_large_body(limit: int | None = None) -> dict:
    return {
        "error": "too_large",
        "detail": _("The request body is too large (at most %(size)d bytes).")
        % {"size": limit or settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    }


class BodySizeLimitMiddleware:
    """Refuses an API request whose declared body is over the limit, before reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = _body_limit(request)
        if request.path.startswith("/api/") and _declared_length(request) > limit:
            return JsonResponse(too_large_body(limit), status=413)
        return self.get_response(request)


def _body_limit(request) -> int:
    """Uploads (documents) may be larger than a JSON body; both are held in memory."""
    if request.content_type == "multipart/form-data":
        return settings.FILE_UPLOAD_MAX_MEMORY_SIZE
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, refusing nesting deeper than MAX_JSON_DEPTH as invalid input before
    parsing (deep nesting would otherwise exhaust Python's recursion: a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if json_depth(raw) > MAX_JSON_DEPTH:
            raise exceptions.ParseError(
                _("JSON nested more than %(depth)d levels deep.") % {"depth": MAX_JSON_DEPTH}
            )
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError:  # not expected below the depth limit; never a 500
            raise exceptions.ParseError(_("JSON nested too deeply.")) from None


_DROP = bytes(set(range(256)) - set(b'[]{}"'))
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


def json_depth(raw: bytes) -> int:
    """How deep lists and objects nest in a JSON text, without parsing it: escaped
    backslashes and quotes are dropped, then all but brackets and quotes, then what lies
    between quotes (strings). A megabyte takes milliseconds; deep nesting costs no recursion."""
    unescaped = raw.replace(b"\\\\", b"").replace(b'\\"', b"")
    brackets = b"".join(unescaped.translate(None, _DROP).split(b'"')[::2])
    return max(itertools.accumulate(map(_STEP.get, brackets, itertools.repeat(0))), default=0)


class Pagination(LimitOffsetPagination):
    """limit (1..max_limit, default PAGE_SIZE) and offset (0..MAX_OFFSET); anything else is
    invalid input rather than silently the default or a database error."""

    max_limit = 200

    def get_limit(self, request) -> int:
        return _bounded(request, self.limit_query_param, self.default_limit, 1, self.max_limit)

    def get_offset(self, request) -> int:
        return _bounded(request, self.offset_query_param, 0, 0, MAX_OFFSET)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        """The schema says the bounds the API enforces."""
        bounds = {
            self.limit_query_param: {"minimum": 1, "maximum": self.max_limit},
            self.offset_query_param: {"minimum": 0, "maximum": MAX_OFFSET},
        }
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(bounds.get(parameter["name"], {}))
        return parameters


def _bounded(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or not low <= int(raw) <= high:
        raise exceptions.ValidationError(
            {
                name: [
                    _("Give a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}
                ]
            }
        )
    return int(raw)


class CappedCountPagination(Pagination):
    """Pagination of a long list without counting all of it on every page (issue 15): a page
    reads limit + 1 rows to know whether another follows, and `count` is exact when the whole
    list fits in the page; otherwise counting stops at count_cap rows and `count_capped` says
    that there are more than `count`."""

    count_cap = 1000

    def paginate_queryset(self, queryset, request, view=None):
        return self.paginate_read(
            request,
            lambda offset, limit: list(queryset[offset : offset + limit]),
            lambda most: queryset.order_by().values("pk")[:most].count(),
        )

    def paginate_read(
        self,
        request,
        page: Callable[[int, int], list],
        count: Callable[[int], int],
    ) -> list:
        """The page of a list read by `page(offset, limit)`, which gives at most `limit` rows
        from `offset` on, and counted, when the page does not tell, by `count(most)`, which
        counts at most `most` rows."""
        self.request = request
        self.limit = self.get_limit(request)
        self.offset = self.get_offset(request)
        rows = page(self.offset, self.limit + 1)
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        if self.offset == 0 and not self.has_next:
            self.count, self.count_capped = len(rows), False
        else:
            counted = count(self.count_cap + 1)
            self.count_capped = counted > self.count_cap
            self.count = min(counted, self.count_cap)
        return rows

    def get_next_link(self):
        if not self.has_next:
            return None
        url = self.request.build_absolute_uri()
        url = replace_query_param(url, self.limit_query_param, self.limit)
        return replace_query_param(url, self.offset_query_param, self.offset + self.limit)

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.count,
                "count_capped": self.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        properties["count"]["description"] = (
            f"How many there are: exact unless count_capped, when counting stopped at "
            f"{self.count_cap} and there are more."
        )
        properties["count_capped"] = {
            "type": "boolean",
            "description": f"True when there are more than {self.count_cap} (count is then "
            f"{self.count_cap}); follow next to read on.",
        }
        response["required"] = [*response.get("required", []), "count_capped"]
        return response
