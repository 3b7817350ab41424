"""Schemathesis over the whole OpenAPI schema, as a hotline operator and as a supervisor
(two-factor verified): no 5xx, no status or body the schema does not document, no request the
schema allows refused for a field the schema says is fine.

A few examples per operation (the same on every run) keep it to well under a minute per user on
SQLite and on PostgreSQL; path parameters are now and then the operator's real case, so that
reads and changes of a real record are tried too.
"""

import contextlib
import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from tests.cast import api, open_case

pytestmark = [pytest.mark.django_db]

EXAMPLES = 4


def session_of(user) -> dict:
    """A signed-in browser session's cookies and CSRF header, as schemathesis sends them."""
    token = _get_new_csrf_string()
    return {
        "cookies": {"sessionid": api(user).cookies["sessionid"].value, "csrftoken": token},
        "headers": {"X-CSRFToken": token, "Accept-Language": "en"},
    }


# DRF's messages for what a schema does say (presence, type, format, length, choices): a
# schema-valid request refused with one of them means the schema lies. Rules the schema cannot
# say (a moment in the future, a record that does not exist, a rule across fields) may refuse.
SCHEMA_MESSAGES = (
    "This field is required",
    "may not be blank",
    "may not be null",
    "Not a valid",
    "A valid",
    "Must be a valid",
    "is not a valid choice",
    "Ensure this field has",
    "Ensure this value",
    "Expected a list",
    "Expected a dictionary",
    "has wrong format",
    "Invalid data",
    "may not be empty",
)


def messages_in(detail) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in messages_in(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in messages_in(value)]
    return [str(detail)]


def no_valid_request_refused(ctx, response, case) -> None:
    if response.status_code != 400:
        return
    detail = json.loads(response.content).get("detail")
    lies = [m for m in messages_in(detail) if any(s in m for s in SCHEMA_MESSAGES)]
    if isinstance(detail, dict) and lies:
        raise AssertionError(f"schema-valid input refused: {detail}")


@contextlib.contextmanager
def connection_kept():
    """Like Django's test client: a request does not close the test's database connection.

    On PostgreSQL close_old_connections would close it (inside the test's transaction its
    autocommit differs from the setting's), ending the test's transaction: every later request
    then answers 503. Held around schemathesis' calls only, because the test client itself
    (used to sign in and open a case) connects close_old_connections again after each request.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def failures_over_schema(session: dict, real_ids: dict[str, str]) -> tuple[list[str], int]:
    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = get_wsgi_application()
    failures, calls = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), data=st.data())
        @examples(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,  # the same examples on every run: CI never flickers
            suppress_health_check=list(HealthCheck),
        )
        def run(case, data):
            nonlocal calls
            for name in set(case.path_parameters or {}) & set(real_ids):
                if data.draw(st.booleans()):
                    case.path_parameters[name] = real_ids[name]
            calls += 1
            case.call_and_validate(
                **session,
                excluded_checks=[ignored_auth, positive_data_acceptance],
                additional_checks=[no_valid_request_refused],
            )

        try:
            with connection_kept():
                run()
        except (Exception, BaseExceptionGroup) as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:1500])
    return failures, calls


@pytest.mark.parametrize("who", ["hotline", "supervisor"])
def test_every_operation_keeps_to_the_schema(cast, who):
    real_ids = {"case_id": open_case(api(cast.hotline))["id"]}

    failures, calls = failures_over_schema(session_of(getattr(cast, who)), real_ids)

    assert calls > 100
    assert not failures, "\n\n".join(failures)
