"""cases.visibility called directly: what one user sees of one case, without the API.

The endpoint tests (tests/test_access_policy_endpoints.py, tests/test_confidentiality_reads.py,
tests/referrals/test_access_after_holding.py) check the same rules through requests; these
name every field of the answer (CaseView, a person, a record), so that a changed branch of
case_view or of the record shapes turns a test red in well under a second.
"""

import datetime

import pytest
from django.utils import timezone

from agencies.models import Role
from cases import services
from cases.models import Case, CaseHolding, HoldingEnd, Person
from cases.visibility import (
    RECORDS,
    CaseView,
    RecordShape,
    _attribute,
    _person,
    case_records,
    case_view,
)
from security.policy import FieldGroup as G
from security.policy import visible_field_groups
from security.services import destroy_data_key
from tests.cast import cast_user

pytestmark = pytest.mark.django_db

POLICE = frozenset({G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.INVESTIGATION, G.REPATRIATION})
SOCIAL = frozenset(
    {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.MEDICAL_PSYCHOLOGICAL, G.REPATRIATION}
)
OPERATOR = frozenset({G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE})


def _hold(case: Case, username: str, **fields) -> CaseHolding:
    fields.setdefault("since", timezone.now())
    return CaseHolding.objects.create(
        case=case, unit=cast_user(username).unit, basis="referral", **fields
    )


def _end(holding: CaseHolding, end: str) -> None:
    CaseHolding.objects.filter(pk=holding.pk).update(**CaseHolding.ending(end, timezone.now()))


@pytest.fixture
def case(demo_org) -> Case:
    """Taken by demo-hotline; the police hold it."""
    intake = services.IntakeData(
        channel="hotline",
        victim=services.PersonData(
            full_name="Lò Thị Mai",
            other_names="Mai",
            birth_year="2001",
            stated_age=24,
            id_number="001301000001",
            phone="0912000001",
            address="Bản Phố, Bắc Hà",
            sex="female",
            province_id="n-lao-cai",
            language="hmn",
            languages=["hmn", "vi"],
            interpreter_needed=True,
        ),
        reporter=services.PersonData(full_name="Lò Văn Sáng", phone="0912000002"),
        narrative="Lời kể",
    )
    case = services.create_intake(cast_user("demo-hotline"), intake).case
    _hold(case, "demo-police")
    return Case.objects.get(pk=case.pk)


def test_a_shredded_case_shows_nothing_and_says_it_was_erased(case):
    police = cast_user("demo-police")
    destroy_data_key(case.data_key, actor=cast_user("demo-admin"), reason="the victim asked")
    case = Case.objects.get(pk=case.pk)
    assert case_view(police, case, reason="Checking") == CaseView(
        frozenset(), "Checking", erased=True, unit_id=police.unit_id
    )
    records = case_records(case, case_view(police, case))
    assert records["identity_erased"] is True
    assert records["field_groups"] == []
    assert all(person["relationship"] is None for person in records["people"])


def test_a_holding_caseworker_sees_what_its_kind_needs(case):
    police = cast_user("demo-police")
    assert case_view(police, case, reason="Why") == CaseView(POLICE, "Why", unit_id=police.unit_id)


def test_a_referral_narrows_what_the_holder_sees_and_an_empty_one_does_not(case):
    social = cast_user("demo-social")
    holding = _hold(case, "demo-social", field_groups=["identity", "medical_psychological"])
    narrowed = frozenset({G.IDENTITY, G.MEDICAL_PSYCHOLOGICAL})
    assert case_view(social, case) == CaseView(narrowed, unit_id=social.unit_id)
    CaseHolding.objects.filter(pk=holding.pk).update(field_groups=[])
    assert case_view(social, case) == CaseView(SOCIAL, unit_id=social.unit_id)


def test_a_caseworker_whose_hold_completed_sees_the_summary_and_own_records(case):
    social = cast_user("demo-social")
    _end(_hold(case, "demo-social"), HoldingEnd.COMPLETED)
    assert case_view(social, case, reason="Follow-up") == CaseView(
        frozenset(),
        "Follow-up",
        unit_id=social.unit_id,
        own_records_only=True,
        ended_as="completed",
    )


@pytest.mark.parametrize("end", [HoldingEnd.WITHDRAWN, HoldingEnd.REJECTED])
def test_a_withdrawn_or_rejected_hold_leaves_nothing(case, end):
    social = cast_user("demo-social")
    _end(_hold(case, "demo-social"), end)
    assert case_view(social, case) == CaseView(frozenset(), unit_id=social.unit_id)


def test_a_unit_that_never_held_the_case_sees_nothing(case):
    justice = cast_user("demo-justice")
    assert case_view(justice, case) == CaseView(frozenset(), unit_id=justice.unit_id)


def test_a_supervisor_is_not_narrowed_to_the_summary_by_an_ended_hold(case):
    """A supervisor reads identity with a typed reason, whatever hold their unit had."""
    supervisor = cast_user("demo-supervisor")
    _end(_hold(case, "demo-supervisor"), HoldingEnd.COMPLETED)
    assert case_view(supervisor, case, reason="Audit") == CaseView(
        frozenset({G.IDENTITY}), "Audit", unit_id=supervisor.unit_id
    )
    assert case_view(supervisor, case) == CaseView(frozenset(), unit_id=supervisor.unit_id)


def test_the_operator_who_took_the_call_keeps_sight_after_handing_over(case, make_user):
    operator = cast_user("demo-hotline")
    other = make_user(operator.unit, Role.HOTLINE_OPERATOR, "hotline-other")
    assert case_view(operator, case) == CaseView(OPERATOR, unit_id=operator.unit_id)
    assert case_view(other, case) == CaseView(frozenset(), unit_id=other.unit_id)
    for holding in case.holdings.filter(unit=operator.unit):
        _end(holding, HoldingEnd.HANDED_OVER)
    assert case_view(operator, case) == CaseView(OPERATOR, unit_id=operator.unit_id)
    assert case_view(other, case) == CaseView(frozenset(), unit_id=other.unit_id)


def test_a_person_is_shown_with_the_groups_of_the_view(case):
    victim = case.people.get(role="victim")
    victim.birth_date = datetime.date(2001, 5, 17)
    victim.relationship = "self"
    victim.save()
    victim = Person.objects.get(pk=victim.pk)
    common = {
        "id": str(victim.uuid),
        "role": "victim",
        "sex": "female",
        "age_group": victim.age_group,
        "nationality": "VN",
        "province": "n-lao-cai",
        "language": "hmn",
        "languages": ["hmn", "vi"],
        "interpreter_needed": True,
    }
    identity = {
        "full_name": "Lò Thị Mai",
        "other_names": "Mai",
        "birth_date": "2001-05-17",
        "birth_year": "2001",
        "stated_age": "24",
        "id_number": "001301000001",
    }
    contacts = {"phone": "0912000001", "address": "Bản Phố, Bắc Hà"}
    assert _person(victim, CaseView(POLICE)) == {
        **common,
        "relationship": "self",
        **identity,
        **contacts,
    }
    assert _person(victim, CaseView(frozenset({G.IDENTITY}))) == {
        **common,
        "relationship": "self",
        **identity,
    }
    assert _person(victim, CaseView(frozenset({G.CONTACTS_RELATIVES}))) == {
        **common,
        "relationship": "self",
    }
    assert _person(victim, CaseView(frozenset(), erased=True)) == {
        **common,
        "relationship": None,
    }


def test_a_reporter_is_shown_only_to_contacts_and_relatives(case):
    """The reporter's name is identity data: shown with their contacts to those who also see
    identity; without contacts and relatives, nothing of the reporter."""
    reporter = case.people.get(role="reporter")
    shown = _person(reporter, CaseView(frozenset({G.CONTACTS_RELATIVES})))
    assert shown["phone"] == "0912000002" and "full_name" not in shown
    assert _person(reporter, CaseView(POLICE))["full_name"] == "Lò Văn Sáng"
    hidden = _person(reporter, CaseView(frozenset({G.IDENTITY})))
    assert "full_name" not in hidden and "phone" not in hidden


def test_a_medical_service_is_shown_to_its_group_and_to_the_units_named():
    view = CaseView(frozenset({G.IDENTITY}), unit_id=7)
    assert view.shows_service("essential_needs")
    assert not view.shows_service("medical")
    assert not view.shows_service("psychological", 8, None)
    assert view.shows_service("psychological", 8, 7)
    assert CaseView(frozenset({G.MEDICAL_PSYCHOLOGICAL})).shows_service("medical", 8)
    assert not CaseView(frozenset()).shows_service("medical")  # no unit, none named
    assert view.shows(G.IDENTITY) and not view.shows(G.NARRATIVE)


def test_after_a_completed_hold_only_the_units_own_records_are_shown(case):
    police = cast_user("demo-police")
    services.record_verification(police, case, outcome="signs_of_trafficking", finding="Dấu hiệu")
    verification = case.verifications.get()
    shape = RECORDS["verifications"]
    assert shape.shows(verification, CaseView(frozenset()))
    assert shape.shows(verification, CaseView(frozenset(), unit_id=police.unit_id))
    own = CaseView(frozenset(), unit_id=police.unit_id, own_records_only=True)
    other = CaseView(frozenset(), unit_id=police.unit_id + 1000, own_records_only=True)
    assert shape.shows(verification, own)
    assert not shape.shows(verification, other)
    unmarked = RecordShape("verifications", {"id": "uuid"})  # no maker kept: never "own"
    assert not unmarked.shows(verification, own)
    assert unmarked.shows(verification, CaseView(frozenset()))
    hidden = RecordShape(
        "verifications", {}, shown_to=lambda record, view: False, made_by="unit_id"
    )
    assert not hidden.shows(verification, own)


def test_a_record_shows_its_protected_fields_to_their_group_only(case):
    police = cast_user("demo-police")
    services.record_verification(police, case, outcome="signs_of_trafficking", finding="Dấu hiệu")
    verification = case.verifications.get()
    shape = RECORDS["verifications"]
    public = {
        "id": str(verification.uuid),
        "outcome": "signs_of_trafficking",
        "unit": "lc-police",
        "recorded_at": verification.recorded_at,
    }
    assert shape.present(verification, CaseView(frozenset({G.NARRATIVE}))) == public
    with_finding = {**public, "finding": "Dấu hiệu"}
    assert shape.present(verification, CaseView(frozenset({G.INVESTIGATION}))) == with_finding


def test_an_attribute_path_stops_at_none_and_gives_uuids_as_text(case):
    holding = case.holdings.filter(unit__code="lc-police").get()
    assert _attribute(holding, "unit.code") == "lc-police"
    assert _attribute(holding, "until") is None
    assert _attribute(holding, "until.year") is None
    assert _attribute(case, "uuid") == str(case.uuid)
    assert _attribute(holding, "case.uuid") == str(case.uuid)
    assert _attribute(holding, "unit_id") == holding.unit_id


def test_the_holders_are_listed_by_when_they_began_with_their_units(case):
    _hold(case, "demo-justice", since=timezone.now() - datetime.timedelta(days=30))
    rows = list(RECORDS["holders"].rows(case))
    assert [row.since for row in rows] == sorted(row.since for row in rows)
    assert rows[0].unit.code == "lc-justice_legal_aid"
    unordered = RecordShape("holdings", {"unit__code": "unit.code"})
    assert sorted(h.pk for h in unordered.rows(case)) == sorted(h.pk for h in rows)


def test_case_records_names_the_groups_sorted_and_every_kind_of_record(case):
    police = cast_user("demo-police")
    view = case_view(police, case)
    records = case_records(case, view)
    assert records["field_groups"] == sorted(POLICE)
    assert records["identity_erased"] is False
    assert [p["role"] for p in records["people"]] == ["victim", "reporter"]
    assert [p["id"] for p in records["people"]] == [str(p.uuid) for p in case.people.order_by("id")]
    assert set(records) == {"field_groups", "identity_erased", "people", *RECORDS}
    assert records["intakes"][0]["narrative"] == "Lời kể"
    assert records["intakes"][0]["unit"] == "hotline-111"
    assert {h["unit__code"] for h in records["holders"]} >= {"hotline-111", "lc-police"}
    summary = CaseView(frozenset(), unit_id=police.unit_id, own_records_only=True)
    assert {h["unit__code"] for h in case_records(case, summary)["holders"]} == {"lc-police"}


def test_records_without_an_order_of_their_own_keep_their_models_order(case):
    """Intakes are listed by when they were received (Intake.Meta.ordering), not as stored."""
    first = case.intakes.get()
    later = first.received_at + datetime.timedelta(hours=1)
    services.create_intake(
        cast_user("demo-hotline"),
        services.IntakeData(
            channel="hotline",
            victim=services.PersonData(full_name="Lò Thị Mai", province_id="n-lao-cai"),
            link_to_case=case,
            received_at=first.received_at - datetime.timedelta(hours=1),
        ),
    )
    type(first).objects.filter(pk=first.pk).update(received_at=later)
    rows = list(RECORDS["intakes"].rows(case))
    assert [row.received_at for row in rows] == sorted(row.received_at for row in rows)
    assert rows[-1].pk == first.pk


def test_a_records_units_are_read_with_the_records(case, django_assert_num_queries):
    """One query per kind of record, however many there are: the units their fields name
    (a service's provider, which may be none) come in the same query."""
    police, social = cast_user("demo-police"), cast_user("demo-social")
    for _ in range(3):
        services.request_service(police, case, kind="essential_needs", provider_unit=social.unit)
    shape = RECORDS["services"]
    view = CaseView(SOCIAL)
    with django_assert_num_queries(1):
        shown = [shape.present(record, view) for record in shape.rows(case)]
    assert [s["provider_unit__code"] for s in shown] == ["lc-health_department"] * 3


@pytest.mark.parametrize(
    ("username", "end"),
    [
        ("demo-supervisor", None),
        ("demo-supervisor", HoldingEnd.COMPLETED),
        ("demo-hotline", None),
        ("demo-hotline", HoldingEnd.COMPLETED),
        ("demo-social", None),
    ],
)
def test_the_view_follows_the_hold_only_for_a_caseworker(case, username, end):
    """case_view reads no hold for a supervisor or an operator: the policy gives them the
    same groups whatever their unit's hold (current or ended, narrowed by a referral); a
    caseworker's view is narrowed by it."""
    user = cast_user(username)
    holding = case.holdings.filter(unit=user.unit).first() or _hold(case, username)
    CaseHolding.objects.filter(pk=holding.pk).update(field_groups=[G.NARRATIVE])
    if end:
        _end(holding, end)
    case = Case.objects.select_related("data_key").get(pk=case.pk)
    for reason in ("", "Kiểm tra"):
        held = visible_field_groups(
            user,
            holds_case=True,
            referral_groups={G.NARRATIVE},
            reason=reason,
            created_intake=user.role == Role.HOTLINE_OPERATOR,
        )
        assert case_view(user, case, reason=reason) == CaseView(
            frozenset(held), reason, unit_id=user.unit_id
        )


def test_a_supervisors_view_reads_nothing(case, django_assert_num_queries):
    supervisor = cast_user("demo-supervisor")
    _hold(case, "demo-supervisor")
    case = Case.objects.select_related("data_key").get(pk=case.pk)
    with django_assert_num_queries(0):
        view = case_view(supervisor, case, reason="Kiểm tra")
    assert G.IDENTITY in view.groups


@pytest.mark.parametrize(
    ("role", "username", "queries", "seen"),
    [
        # The hold decides: read (one query), and its end leaves the summary.
        (Role.CASEWORKER, "demo-social", 1, "summary"),
        # A role that sees no field group is still narrowed to its unit's own records.
        (Role.ADMINISTRATOR, None, 1, "summary"),
        (Role.INTEGRATION, None, 1, "summary"),
        # Their own act decides (a typed reason; the intake they took): the hold is not read,
        # the operator's one query is whether they took an intake of the case.
        (Role.SUPERVISOR, "demo-supervisor", 0, {G.IDENTITY}),
        (Role.HOTLINE_OPERATOR, "demo-hotline", 1, OPERATOR),
    ],
)
def test_the_hold_is_read_for_the_roles_whose_sight_it_decides(
    case, make_user, django_assert_num_queries, role, username, queries, seen
):
    """Whatever the role, an ended hold (completed) of the user's unit is in the database:
    security.policy.holding_decides_sight says whether case_view reads it."""
    user = cast_user(username) if username else make_user(cast_user("demo-social").unit, role)
    holding = case.holdings.filter(unit=user.unit).first() or _hold(case, "demo-social")
    _end(holding, HoldingEnd.COMPLETED)
    case = Case.objects.select_related("data_key").get(pk=case.pk)
    with django_assert_num_queries(queries):
        view = case_view(user, case, reason="Kiểm tra")
    if seen == "summary":
        expected = CaseView(
            frozenset(),
            "Kiểm tra",
            unit_id=user.unit_id,
            own_records_only=True,
            ended_as=HoldingEnd.COMPLETED,
        )
    else:
        expected = CaseView(frozenset(seen), "Kiểm tra", unit_id=user.unit_id)
    assert view == expected
