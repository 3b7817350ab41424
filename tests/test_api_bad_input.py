"""Bad input to every API endpoint gives a JSON error (400/403/404/409), never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cast import open_case, refused

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Bodies shaped like the real ones, with wrong values, so validation goes deep.
KEYS = [
    "channel",
    "victim",
    "reporter",
    "transition",
    "closure_reason",
    "indicators",
    "kind",
    "status",
    "outcome",
    "is_victim",
    "purpose",
    "to_unit",
    "case",
    "reason",
    "full_name",
    "stated_age",
    "link_to_case",
    "expected_version",
    "amount",
    "currency",
    "field_groups",
]
shaped_bodies = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)

CASE_POSTS = [
    "transitions",
    "screenings",
    "verifications",
    "identifications",
    "rescues",
    "rescue-done",
    "protections",
    "services",
    "consents",
    "services/999999",
    "no-such-record",
]
ALLOWED = {200, 201, 400, 403, 404, 405, 409}


@pytest.fixture
def caller(api, cast):
    client = api(cast.border_guard)
    return client, open_case(client)["id"]


def _check(response):
    assert response.status_code in ALLOWED, response.content[:300]
    body = response.json()
    if response.status_code >= 400:
        assert set(body) == {"error", "detail"}


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=shaped_bodies | json_values)
def test_intake_and_case_endpoints_never_fail_on_bad_json(caller, body):
    client, case_id = caller
    paths = ["/api/v1/intakes/", "/api/v1/referrals/"] + [
        f"/api/v1/cases/{case_id}/{tail}/" for tail in CASE_POSTS
    ]
    for path in paths:
        _check(client.post(path, json.dumps(body), content_type="application/json"))


@pytest.mark.django_db
def test_malformed_bodies_and_ids(caller):
    client, case_id = caller
    for raw in ["{", "null", "[]", '"x"', "\x00", "1e999999"]:
        _check(client.post("/api/v1/intakes/", raw, content_type="application/json"))
    _check(client.post("/api/v1/intakes/", "a=b", content_type="application/x-www-form-urlencoded"))
    for path in [
        "/api/v1/cases/not-a-uuid/",
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/",
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/timeline/",
    ]:
        response = client.get(path)
        refused(response, 404, "not_found")
    _check(client.get("/api/v1/cases/?state=nonsense&limit=-5&offset=abc"))
