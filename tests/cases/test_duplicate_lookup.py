"""The duplicate lookup (POST /api/v1/intakes/duplicates/) as a caseworker types a call: what
it answers and what it costs the database (issue 15)."""

import pytest
from django.db import connection

from agencies.models import Role, User
from cases.inputs import IntakeData, PersonData
from cases.models import Case, CaseState, Intake, Person
from cases.selectors import case_scope, duplicates_of_intake, visible_cases
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
    rows = cases.order_by("received_at", "pk").values_list("uuid", "number", "state")
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


def _taken_since_analyze(telephony: User, count: int) -> None:
    """`count` cases whose intakes the telephony account took after the planner's statistics
    were last gathered (copies of one case and its intake, made in SQL: as many through the
    services would take minutes)."""
    case = Case.objects.latest("pk")
    new = {"uuid": "gen_random_uuid()", "number": "number || '-' || n"}
    columns = [f.column for f in Case._meta.concrete_fields if f.column != "id"]
    values = ", ".join(new.get(column, f'"{column}"') for column in columns)
    quoted = ", ".join(f'"{column}"' for column in columns)
    intake_columns = [f.column for f in Intake._meta.concrete_fields if f.column != "id"]
    intake_new = {"uuid": "gen_random_uuid()", "case_id": "copy.id", "received_by_id": "%s"}
    intake_values = ", ".join(intake_new.get(c, f'i."{c}"') for c in intake_columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case ({quoted}) SELECT {values} FROM cases_case,"  # noqa: S608
            " generate_series(1, %s) n WHERE id = %s RETURNING id",
            [count, case.pk],
        )
        copies = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            f"INSERT INTO cases_intake ({', '.join(intake_columns)})"  # noqa: S608
            f" SELECT {intake_values} FROM cases_intake i, unnest(%s::bigint[]) copy(id)"
            " WHERE i.case_id = %s",
            [telephony.pk, copies, case.pk],
        )


def _intake_rows_read() -> int:
    """Rows of intakes this transaction has read so far, through any index or scan."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT idx_tup_fetch + seq_tup_read FROM pg_stat_xact_user_tables"
            " WHERE relname = 'cases_intake'"
        )
        return cursor.fetchone()[0]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner")
@pytest.mark.parametrize("shared", [False, True], ids=["no-match", "a-match"])
def test_the_check_does_not_read_the_intakes_a_telephony_account_took_since_analyze(
    cast, make_user, shared
):
    """The check starts from the persons' blind indexes, whatever the planner believes of the
    user's scope: it believed an account that had taken none at the last ANALYZE still had
    taken one after thousands, and read all of them for every intake (issue 15)."""
    telephony = make_user(cast.hotline.unit, Role.INTEGRATION, "telephony")
    body = {**INTAKE, "victim": {"full_name": "Gọi Lại", "phone": PHONE}}
    first = api(telephony).post("/api/v1/intakes/", body, format="json")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE cases_case, cases_intake, cases_person")
    _taken_since_analyze(telephony, 3000)
    before = _intake_rows_read()
    for n in range(8):  # past the statement's custom plans, to its generic one
        phone = PHONE if shared else f"0988 000 00{n}"
        found = duplicates_of_intake(telephony, IntakeData("hotline", PersonData(phone=phone)))
        assert [str(case.uuid) for case in found] == (
            [first.json()["case"]["id"]] if shared else []
        )
    assert _intake_rows_read() - before < 50
