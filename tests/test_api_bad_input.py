"""Bad input to every API endpoint gives a JSON error (400/403/404/409), never a 500.

Garbage is never accepted: a body that is not a JSON object, malformed JSON, or an object whose
values all have the wrong type, is refused with a 4xx. Only a JSON object drawn at random may
happen to be valid (`{}` is a complete rescue request), so only there is a 2xx allowed.
"""

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
    "counterpart",
    "gate",
    "documents",
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
REFUSED = {400, 403, 404, 405, 409, 415}
# Endpoints whose every field is optional: an object of unrelated keys is a valid request.
ALL_OPTIONAL = {"rescues", "rescue-done"}

# A value of the wrong JSON type for each key: no serializer field may accept it.
_text_typed = st.lists(st.integers(), max_size=2) | st.dictionaries(
    st.text(max_size=3), st.integers(), max_size=2
)
_list_typed = st.integers() | st.text(max_size=5) | st.dictionaries(st.text(max_size=3), st.none())
_object_typed = st.lists(st.integers(), max_size=2) | st.integers() | st.text(max_size=5)
WRONG_TYPE = {key: _text_typed for key in KEYS} | {
    "indicators": _list_typed,
    "field_groups": _list_typed,
    "documents": _list_typed,
    "victim": _object_typed,
    "reporter": _object_typed,
}
wrongly_typed_objects = st.fixed_dictionaries({}, optional=WRONG_TYPE)
not_objects = json_values.filter(lambda value: not isinstance(value, dict))


@pytest.fixture
def caller(api, cast):
    client = api(cast.border_guard)
    return client, open_case(client)["id"]


def _paths(case_id: str) -> list[str]:
    crossborder = ["/api/v1/crossborder/requests/", "/api/v1/crossborder/handovers/"]
    return ["/api/v1/intakes/", "/api/v1/referrals/", *crossborder] + [
        f"/api/v1/cases/{case_id}/{tail}/" for tail in CASE_POSTS
    ]


def _refused(response):
    """A 4xx with the JSON error shape of DESIGN.md §4."""
    assert response.status_code in REFUSED, response.content[:300]
    assert set(response.json()) == {"error", "detail"}, response.content[:300]


def _check(response, body):
    """Never a 500; a 2xx only for a JSON object, which may happen to be a valid request."""
    if isinstance(body, dict) and response.status_code in (200, 201):
        return
    _refused(response)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=shaped_bodies | json_values)
def test_intake_and_case_endpoints_never_fail_on_bad_json(caller, body):
    client, case_id = caller
    for path in _paths(case_id):
        _check(client.post(path, json.dumps(body), content_type="application/json"), body)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=wrongly_typed_objects | not_objects)
def test_garbage_is_refused_by_every_endpoint(caller, body):
    client, case_id = caller
    for path in _paths(case_id):
        if isinstance(body, dict) and path.rstrip("/").rsplit("/", 1)[-1] in ALL_OPTIONAL:
            continue
        _refused(client.post(path, json.dumps(body), content_type="application/json"))


@pytest.mark.django_db
def test_malformed_bodies_and_ids(caller):
    client, case_id = caller
    for raw in ["{", "null", "[]", '"x"', "\x00", "1e999999"]:
        _refused(client.post("/api/v1/intakes/", raw, content_type="application/json"))
    _refused(
        client.post("/api/v1/intakes/", "a=b", content_type="application/x-www-form-urlencoded")
    )
    for path in [
        "/api/v1/cases/not-a-uuid/",
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/",
        "/api/v1/cases/00000000-0000-0000-0000-000000000000/timeline/",
    ]:
        response = client.get(path)
        refused(response, 404, "not_found")
    listed = client.get("/api/v1/cases/?state=nonsense&limit=-5&offset=abc")
    if listed.status_code != 200:  # a lenient list may ignore what it does not understand
        _refused(listed)
