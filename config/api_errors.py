"""Render every API error as {"error": code, "detail": text}, with its HTTP status.

The status of a domain error is decided here, not by the error: services know nothing of HTTP.
"""

import logging

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db import InterfaceError, OperationalError, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from security.audit import record_event
from security.crypto import CryptoError

from .errors import (
    Conflict,
    DomainError,
    IdempotencyKeyReused,
    InvalidInput,
    NotAllowed,
    NotFound,
)
from .limits import too_large_body

# Domain errors (config.errors) → HTTP status (DESIGN.md §4).
DOMAIN_STATUS = {
    InvalidInput: 400,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    IdempotencyKeyReused: 422,
}
# A value that will not decrypt (wrong or missing key, tampered row) is the server's failure,
# not the client's: 500, logged with the field and record (pseudonymous), never a traceback.
UNREADABLE_STATUS = 500

logger = logging.getLogger(__name__)

RETRY = {"Retry-After": "5"}

_CODES = {
    status.HTTP_400_BAD_REQUEST: "invalid",
    status.HTTP_401_UNAUTHORIZED: "not_authenticated",
    status.HTTP_403_FORBIDDEN: "forbidden",
    status.HTTP_404_NOT_FOUND: "not_found",
    status.HTTP_405_METHOD_NOT_ALLOWED: "method_not_allowed",
    status.HTTP_409_CONFLICT: "conflict",
    status.HTTP_415_UNSUPPORTED_MEDIA_TYPE: "unsupported_media_type",
    status.HTTP_422_UNPROCESSABLE_ENTITY: "unprocessable",
    status.HTTP_429_TOO_MANY_REQUESTS: "throttled",
}


DATABASE_ERRORS = (OperationalError, InterfaceError)


def database_unavailable() -> dict:
    """The error body while the database is unreachable (restarting, failing over)."""
    return {"error": "database_unavailable", "detail": _("The database is unavailable; retry.")}


def exception_handler(exc, context):
    response = _render(exc, context)
    if response is not None and response.status_code in (403, 404):
        _audit_refusal(context["request"], response.status_code)
    return response


def _audit_refusal(request, status_code: int) -> None:
    """Every refusal of a signed-in user is audited (after the refused change rolled back)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    with transaction.atomic():
        record_event(
            "access.refused",
            actor=user,
            details={"method": request.method, "path": request.path, "status": status_code},
        )


def _render(exc, context):
    if isinstance(exc, DATABASE_ERRORS):
        # The database is unreachable (restarting, failing over): nothing was written, since
        # every service writes in one transaction; the client may retry the same request.
        return Response(
            database_unavailable(), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=RETRY
        )
    if isinstance(exc, CryptoError):
        logger.error(
            "data_unreadable %s %s: %s", context["request"].method, context["request"].path, exc
        )
        detail = _("This record cannot be read now; the administrators were told.")
        return Response({"error": "data_unreadable", "detail": detail}, status=UNREADABLE_STATUS)
    if isinstance(exc, RequestDataTooBig):
        return Response(too_large_body(), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, DomainError):
        status_code = next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))
        return Response({"error": exc.code, "detail": exc.detail}, status=status_code)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            detail=exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    detail = response.data
    if isinstance(detail, dict) and set(detail) == {"detail"}:
        detail = detail["detail"]
    response.data = {"error": _CODES.get(response.status_code, "error"), "detail": detail}
    return response
