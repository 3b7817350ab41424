"""A database outage answers API clients 503 `database_unavailable` in the API's error format,
whether the view or a middleware (reading the session) meets it. Runs everywhere; the fault
test against a real restarting PostgreSQL is test_fault_3_postgres_restart.py."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from ..cases.test_intake_api import CALL, post_intake

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_a_database_error_inside_a_view_is_a_503_json_error(api, cast, error):
    client = api(cast.hotline)
    with mock.patch("cases.services.create_intake", side_effect=error("connection refused")):
        response = post_intake(client, CALL)
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"
    assert response["Retry-After"] == "5"


def test_a_database_error_in_a_middleware_is_a_503_json_error(client, cast):
    client.raise_request_exception = False
    with mock.patch(
        "security.middleware.needs_second_factor", side_effect=OperationalError("server closed")
    ):
        response = client.get("/api/v1/cases/")
    assert response.status_code == 503
    assert response.json()["error"] == "database_unavailable"


def test_other_errors_stay_500(client, cast):
    client.raise_request_exception = False
    with mock.patch("security.middleware.needs_second_factor", side_effect=RuntimeError("bug")):
        response = client.get("/api/v1/cases/")
    assert response.status_code == 500
    assert response.json()["error"] == "server_error"
