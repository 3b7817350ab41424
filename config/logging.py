"""Logging filters: refusals are routine, one line each; a traceback is for real errors."""

import logging

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
