"""Errors that services raise, whatever the interface (DESIGN.md §4).

A service never returns a half-done change: it raises one of these inside its transaction.
Each carries a stable code and a translated detail; the interfaces decide what they become
(the API's exception handler, config.api_errors, maps them to HTTP statuses).
"""


class DomainError(Exception):
    code = "invalid"

    def __init__(self, detail: str, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class InvalidInput(DomainError):
    """The request cannot be done as given: missing or wrong data."""

    code = "invalid"


class NotAllowed(DomainError):
    """The actor may not do this."""

    code = "forbidden"


class NotFound(DomainError):
    """Unknown, or not visible to the actor (no existence leak)."""

    code = "not_found"


class Conflict(DomainError):
    """Not allowed from the current state, or lost to a concurrent change."""

    code = "conflict"


class IdempotencyKeyReused(DomainError):
    """An Idempotency-Key sent again with a different request (IETF Idempotency-Key draft)."""

    code = "idempotency_key_reused"
