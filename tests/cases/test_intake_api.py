"""Intakes through the API: cases opened, presumed minors, duplicates, idempotency, bad input."""

import threading

import pytest
from django.db import connection

from cases.models import Case, Intake, Person
from tests.cast import refused

pytestmark = pytest.mark.django_db

CALL = {
    "channel": "hotline",
    "received_at": "2025-11-03T22:10:00+07:00",
    "narrative": "Con trai bị giữ ở Sihanoukville",
    "purposes": ["forced_labour", "forced_crime"],
    "destination_country": "KH",
    "is_abroad": True,
    "victim": {
        "full_name": "Nguyễn Văn Nam",
        "birth_year": 2001,
        "stated_age": 24,
        "sex": "male",
        "phone": "0912 345 678",
    },
    "reporter": {"full_name": "Trần Thị Hoa", "phone": "0987654321", "relationship": "mother"},
}


def post_intake(client, body=CALL, **headers):
    return client.post("/api/v1/intakes/", body, format="json", **headers)


def test_hotline_intake_opens_a_case_under_the_rulebook_of_its_date(api, cast):
    response = post_intake(api(cast.hotline))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["created_case"] is True
    case = body["case"]
    assert case["rulebook"] == "law-2024"
    assert case["state"] == "intake"
    assert case["number"].startswith("TW-2025-")
    assert case["presumed_minor"] is False
    assert Person.objects.filter(case__uuid=case["id"]).count() == 2


def test_a_stated_age_under_18_marks_a_presumed_minor(api, cast):
    body = {**CALL, "victim": {"full_name": "Giàng Thị Mỷ", "stated_age": 16, "sex": "female"}}
    case = post_intake(api(cast.border_guard), body).json()["case"]
    assert case["presumed_minor"] is True
    assert case["number"].startswith("LC-2025-")


def test_an_assessed_age_range_counts_its_lowest_age(api, cast):
    victim = {"full_name": "A", "assessed_min_age": 17, "assessed_max_age": 20}
    case = post_intake(api(cast.hotline), {**CALL, "victim": victim}).json()
    assert case["case"]["presumed_minor"] is True


def test_unknown_age_with_signs_of_childhood_is_a_presumed_minor(api, cast):
    victim = {"full_name": "B", "childhood_indicators": True}
    case = post_intake(api(cast.hotline), {**CALL, "victim": victim}).json()
    assert case["case"]["presumed_minor"] is True


def test_second_call_is_flagged_as_possible_duplicate_and_can_be_linked(api, cast):
    client = api(cast.hotline)
    first = post_intake(client).json()["case"]
    second_call = {
        **CALL,
        "victim": {"full_name": "nguyen van  NAM", "birth_year": 2001},
        "reporter": {"full_name": "Trần Thị Hoa", "phone": "+84 987 654 321"},
    }
    flagged = post_intake(client, second_call).json()
    assert [d["id"] for d in flagged["possible_duplicates"]] == [first["id"]]
    linked = post_intake(client, {**second_call, "link_to_case": first["id"]})
    assert linked.status_code == 201
    assert linked.json()["created_case"] is False
    assert linked.json()["case"]["id"] == first["id"]
    assert Intake.objects.filter(case__uuid=first["id"]).count() == 2


def test_duplicates_only_show_cases_the_operator_may_know(api, cast):
    post_intake(api(cast.hotline))
    other = post_intake(api(cast.border_guard)).json()
    assert other["possible_duplicates"] == []


def test_retried_request_with_idempotency_key_creates_one_intake(api, cast):
    client = api(cast.hotline)
    first = post_intake(client, HTTP_IDEMPOTENCY_KEY="call-42")
    again = post_intake(client, HTTP_IDEMPOTENCY_KEY="call-42")
    assert first.status_code == 201
    assert again.status_code == 201  # the first response, replayed
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Intake.objects.count() == 1
    assert Case.objects.count() == 1


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"channel": "pigeon", "victim": {"full_name": "X"}},
        {"channel": "hotline", "victim": {"stated_age": -3, "full_name": "X"}},
        {"channel": "hotline", "victim": "not an object"},
        {"channel": "hotline", "victim": {}},
        {"channel": "hotline", "victim": {"full_name": "X", "province": "zz"}},
        {"channel": "hotline", "victim": {"full_name": "X"}, "received_at": "yesterday"},
        {"channel": "hotline", "victim": {"full_name": "X"}, "link_to_case": "nope"},
        {
            "channel": "hotline",
            "victim": {"full_name": "X", "assessed_min_age": 20, "assessed_max_age": 12},
        },
    ],
)
def test_bad_input_is_a_400_with_a_json_error_and_changes_nothing(api, cast, body):
    response = post_intake(api(cast.hotline), body)
    refused(response, 400, "invalid")
    assert response.json()["error"] in {"invalid"}
    assert Case.objects.count() == 0


def test_linking_to_a_case_you_cannot_see_is_404(api, cast):
    hidden = post_intake(api(cast.border_guard)).json()["case"]["id"]
    response = post_intake(api(cast.hotline), {**CALL, "link_to_case": hidden})
    refused(response, 404, "not_found")


def test_administrators_and_supervisors_take_no_intakes(api, cast):
    for username in ("demo-admin", "demo-supervisor"):
        response = post_intake(api(cast.named(username)))
        refused(response, 403, "forbidden")


def test_unauthenticated_is_refused(client):
    response = client.post("/api/v1/intakes/", {}, content_type="application/json")
    refused(response, 401, "not_authenticated")


def test_identity_is_encrypted_at_rest(api, cast):
    from django.db import connection

    post_intake(api(cast.hotline))
    with connection.cursor() as cursor:
        cursor.execute("SELECT full_name, phone FROM cases_person")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert "Nguy" not in dump and "0912" not in dump and "912345678" not in dump


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent connections")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_intakes_get_distinct_case_numbers(api, cast):
    client = api(cast.hotline)
    statuses = []

    def call():
        statuses.append(post_intake(client).status_code)
        connection.close()

    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [201] * 8
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(set(numbers)) == 8
