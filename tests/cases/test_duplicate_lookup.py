"""The duplicate lookup (POST /api/v1/intakes/duplicates/) as a caseworker types a call: what
it answers and what it costs the database (issue 15)."""

import pytest

from agencies.models import User
from cases.models import Case, CaseState, Person
from cases.selectors import case_scope, visible_cases
from security.blind_index import phone_index
from tests.cast import INTAKE, api, open_case

pytestmark = pytest.mark.django_db

PHONE = "0912 345 678"
LOOKUP = "/api/v1/intakes/duplicates/"


def _call(phone: str) -> dict:
    return {
        "channel": "hotline",
        "narrative": "lookup",
        "victim": {"full_name": "Tra Cứu", "phone": phone},
    }


@pytest.fixture
def police_cases(cast) -> list[Case]:
    """Three cases of the police sharing the victim's phone, one of them closed, and one of
    the border guard's that the police may not know of."""
    client = api(cast.police)
    body = {**INTAKE, "victim": {**INTAKE["victim"], "phone": PHONE}}
    numbers = [open_case(client, body)["number"] for _ in range(3)]
    open_case(api(cast.border_guard), body)
    Case.objects.filter(number=numbers[1]).update(state=CaseState.CLOSED)
    return list(Case.objects.filter(number__in=numbers))


def _expected(user: User, phone: str) -> dict:
    """The answer as the ORM reads it: the user's open cases sharing the phone, oldest first."""
    sharing = Person.objects.filter(phone_index=phone_index(phone)).values("case_id")
    cases = visible_cases(user).filter(pk__in=sharing).exclude(state="closed")
    rows = cases.order_by("received_at").values_list("uuid", "number", "state")
    return {"possible_duplicates": [{"id": str(u), "number": n, "state": s} for u, n, s in rows]}


@pytest.mark.parametrize("phone", [PHONE, "0900 000 000"])
def test_the_lookup_costs_the_session_the_user_and_one_query(
    cast, police_cases, phone, django_assert_num_queries
):
    client = api(cast.police)
    assert client.post(LOOKUP, _call(phone), format="json").status_code == 200  # warm
    with django_assert_num_queries(3):
        response = client.post(LOOKUP, _call(phone), format="json")
    assert response.status_code == 200
    assert response.json() == _expected(cast.police, phone)
    assert len(response.json()["possible_duplicates"]) == (2 if phone == PHONE else 0)


def test_a_caseworkers_scope_reads_nothing(cast, django_assert_num_queries):
    """Only a supervisor's scope depends on their unit (a Steering Committee's province)."""
    police = User.objects.get(pk=cast.police.pk)
    with django_assert_num_queries(0):
        case_scope(police)
