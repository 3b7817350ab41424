"""Logging: JSON lines with the request id; refusals on one line; identifying numbers masked."""

import logging
import re

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

REFUSALS = frozenset({400, 401, 403, 404, 405})


class RefusalsOnOneLine(logging.Filter):
    """Drop the traceback Django attaches to a refused request (PermissionDenied, Http404...):
    the line already says what was refused, where, and with which status."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in REFUSALS:
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


# A phone or identity-card number standing alone (9 to 12 digits, or +84 and 9 to 10 digits):
# never part of a UUID, a request id or a case number, which are bounded by letters or hyphens.
IDENTIFIER_DIGITS = re.compile(r"(?<![\w.+-])(?:\+84\d{9,10}|\d{9,12})(?![\w-])")


class ScrubIdentifiers(logging.Filter):
    """Mask phone and identity numbers in a log line, whoever wrote it (a library's message
    quoting a query string, a validation error quoting input). Identity fields are encrypted
    and never logged on purpose; this is the net under that rule, not the rule."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = IDENTIFIER_DIGITS.sub("[number]", message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


def json_formatter() -> JsonFormatter:
    """One JSON object per line: time, level, logger, message, request_id and the record's
    extras, except the request object (its repr carries the query string) and Celery's task
    data (a task's arguments and return value)."""
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(correlation_id)s",
        timestamp="time",  # ISO 8601 in UTC
        rename_fields={
            "levelname": "level",
            "name": "logger",
            "correlation_id": "request_id",
        },
        reserved_attrs=[*RESERVED_ATTRS, "request", "data"],
    )
