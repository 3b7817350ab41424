"""Errors that services raise and every interface maps the same way (DESIGN.md §4).

A service never returns a half-done change: it raises one of these inside its transaction,
and the API answers {"error": code, "detail": text} with the status below.
"""


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, detail: str, code: str | None = None):
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code


class InvalidInput(DomainError):
    status = 400
    code = "invalid"


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
