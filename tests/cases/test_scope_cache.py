"""case_scope's SQL is written once per database and role shape and then reused with each
user's own values (config.sql.CachedCondition, issue 15). A cache that handed one user's
scope to another would be a confidentiality breach: every kind of user below reads, in turn
and again in the reverse order from the warm cache, exactly the cases set out for them."""

import pytest
from django.db import connection
from django.utils import timezone

from agencies.models import Role, Unit
from cases import permissions, services
from cases.models import Case, CaseHolding, CaseState, HoldingEnd, Intake, Person
from cases.selectors import (
    _CASE_COUNTS,
    _CASE_PAGES,
    _HELD_COUNTS,
    _HELD_PAGES,
    _POSSIBLE_DUPLICATES,
    CaseList,
    case_scope,
    get_visible_case,
    possible_duplicates,
    visible_cases,
)
from cases.services import transition_visible_case
from config.errors import InvalidInput, NotFound
from config.sql import CachedCondition
from tests.cast import cast_user

pytestmark = pytest.mark.django_db


def _case(lead: str, province: str, *holders: str, ended: dict | None = None) -> Case:
    """A case led by unit `lead`, received in `province`, held by `holders` (and by the units
    of `ended`, whose hold ended as given), taken by demo-hotline."""
    data = services.IntakeData(
        channel="hotline",
        victim=services.PersonData(full_name="Nạn Nhân", phone="0912000001"),
        narrative="Lời kể",
    )
    case = services.create_intake(cast_user("demo-hotline"), data).case
    Case.objects.filter(pk=case.pk).update(
        lead_unit=Unit.objects.get(code=lead), province_id=province
    )
    case.holdings.all().delete()
    now = timezone.now()
    for code in holders:
        CaseHolding.objects.create(
            case=case, unit=Unit.objects.get(code=code), basis="referral", since=now
        )
    for code, end in (ended or {}).items():
        CaseHolding.objects.create(
            case=case,
            unit=Unit.objects.get(code=code),
            basis="referral",
            since=now,
            **CaseHolding.ending(end, now),
        )
    return case


@pytest.fixture
def world(cast, make_user):
    """Cases across three provinces, and who must see which of them."""
    lc = _case("lc-police", "n-lao-cai", "lc-police", ended={"qt-police": HoldingEnd.WITHDRAWN})
    yen_bai = _case("hotline-111", "15", "hotline-111")  # an old province merged into Lào Cai
    led_from_lc = _case("lc-border_guard", "42", "ht-police")
    qt = _case("qt-police", "n-quang-tri", "qt-police", ended={"lc-police": HoldingEnd.REJECTED})
    qt_seen = _case("qt-police", "n-quang-tri", ended={"lc-police": HoldingEnd.COMPLETED})
    # lc-police's referral was completed, and it holds the case again: listed once.
    done = {"lc-police": HoldingEnd.COMPLETED}
    held_twice = _case("lc-police", "n-lao-cai", "lc-police", ended=done)
    held_by_lc_committee = _case("ht-police", "42", "lc-steering_committee")
    by_system = _case("ht-police", "42", "ht-police")
    telephony = make_user(cast.hotline.unit, Role.INTEGRATION, "telephony")
    Intake.objects.filter(case=by_system).update(received_by=telephony)
    other_operator = cast_user("hotline-111-hotline_operator")
    Intake.objects.filter(case=lc).update(received_by=other_operator)
    inactive = make_user(cast.police.unit, Role.CASEWORKER, "lc-police-left")
    inactive.is_active = False
    inactive.save()
    every = {lc, yen_bai, led_from_lc, qt, qt_seen, held_twice, held_by_lc_committee, by_system}
    return {
        cast.police: {lc, qt_seen, held_twice},
        # a supervisor outside a committee
        cast_user("lc-police-supervisor"): {lc, qt_seen, held_twice},
        cast_user("qt-police-caseworker"): {qt},  # led `qt_seen` but never held it
        cast_user("ht-police-caseworker"): {led_from_lc, by_system},
        cast.supervisor: {lc, yen_bai, led_from_lc, held_twice, held_by_lc_committee},
        cast_user("qt-steering_committee-supervisor"): {qt, qt_seen},
        cast_user("ht-steering_committee-supervisor"): {
            led_from_lc,
            held_by_lc_committee,
            by_system,
        },
        cast.national_supervisor: every,
        cast.hotline: {yen_bai},  # took them all, its unit holds only this one
        other_operator: set(),  # took `lc`, which the hotline no longer holds
        telephony: {by_system},
        inactive: set(),
        cast.admin: set(),
    }


def _seen_by_each(world: dict) -> dict:
    """Through the case itself, through a relation (persons, and holdings: the table of the
    scope's own EXISTS), and one by one."""
    seen = {}
    for user in world:
        cases = set(visible_cases(user))
        ids = {case.pk for case in cases}
        # Evaluated on their own: as a subquery their tables would be relabelled (U0...).
        people = Person.objects.filter(case_scope(user, "case__"))
        assert set(people.values_list("case_id", flat=True)) == ids
        holdings = CaseHolding.objects.filter(case_scope(user, "case__"))
        assert set(holdings.values_list("case_id", flat=True)) <= ids
        seen[user] = cases
    return seen


def test_every_kind_of_user_sees_their_own_cases_from_the_shared_sql(world):
    CachedCondition._written.clear()
    permissions._SEEN._compiled.clear()
    assert _seen_by_each(world) == world
    reversed_world = dict(reversed(world.items()))
    assert _seen_by_each(reversed_world) == world  # now every shape is cached
    for user, cases in (*world.items(), *reversed_world.items()):  # may_see compiled, then warm
        for case in Case.objects.all():
            assert permissions.may_see(user, case) == (case in cases)
            assert _found_by_a_transition(user, case) == (case in cases)
            if case in cases:
                assert get_visible_case(user, case.uuid) == case
            else:
                with pytest.raises(NotFound):
                    get_visible_case(user, case.uuid)


def _found_by_a_transition(user, case) -> bool:
    """Whether a transition of the case by the user gets past 404 (to the unknown name's 400:
    nothing is moved)."""
    try:
        transition_visible_case(user, case.uuid, "no_such_transition")
    except NotFound:
        return False
    except InvalidInput:
        return True
    raise AssertionError("an unknown transition was made")


def test_every_kind_of_user_finds_their_own_open_cases_as_possible_duplicates(world):
    """The duplicate search's SQL is compiled once per connection and shape of its conditions
    (config.sql.CompiledRead): each user's values go in it, cold and warm, in both orders.
    Every case of the world shares the victim's phone; one is closed."""
    closed = Case.objects.order_by("pk").first()
    Case.objects.filter(pk=closed.pk).update(state=CaseState.CLOSED)
    expected = {user: cases - {closed} for user, cases in world.items()}
    CachedCondition._written.clear()
    _POSSIBLE_DUPLICATES._compiled.clear()
    for users in (list(world), list(reversed(world))):
        found = {user: possible_duplicates(user, phones=["+84 912 000 001"]) for user in users}
        assert {user: set(cases) for user, cases in found.items()} == expected
        for cases in found.values():
            assert [case.received_at for case in cases] == sorted(c.received_at for c in cases)


def test_every_kind_of_user_lists_their_own_cases_from_the_shared_sql(world):
    """The case list's page and count are compiled once per shape (config.sql.CompiledRead):
    each user's values go in them, cold and warm, in both orders; the rows are the ORM's
    visible_cases, newest first, in every stage and across pages."""
    Case.objects.filter(pk=Case.objects.order_by("pk").first().pk).update(state=CaseState.CLOSED)
    CachedCondition._written.clear()
    for read in (_CASE_PAGES, _CASE_COUNTS, _HELD_PAGES, _HELD_COUNTS):
        read._compiled.clear()
    listed_in = set()
    for users in (list(world), list(reversed(world))):
        for user in users:
            for state in (None, CaseState.INTAKE, CaseState.CLOSED):
                cases = visible_cases(user).order_by("-received_at", "-id")
                if state:
                    cases = cases.filter(state=state)
                expected = list(cases.values_list("uuid", "state", "lead_unit__code"))
                listed = CaseList(user, ("uuid", "state", "lead_unit_code"), state=state)
                rows = listed.page(0, 2) + listed.page(2, 50)
                assert [tuple(row.values()) for row in rows] == expected, (user, state)
                assert listed.page(len(expected), 2) == []
                assert listed.count(50) == len(expected)
                assert listed.count(1) == min(1, len(expected))
                listed_in |= {state} if expected else set()
    assert listed_in == {None, CaseState.INTAKE, CaseState.CLOSED}  # none of them is vacuous


def test_a_subquery_of_another_users_scope_keeps_each_users_values(cast, world):
    lc, ht = cast.supervisor, cast_user("ht-steering_committee-supervisor")
    both = visible_cases(lc).filter(pk__in=visible_cases(ht).values("pk"))
    assert set(both) == world[lc] & world[ht] != set()


class _Counting(dict):
    """A cache that records what is written into it."""

    def __init__(self):
        super().__init__()
        self.writes = []

    def __setitem__(self, key, value):
        self.writes.append(key)
        super().__setitem__(key, value)


def test_the_sql_is_written_once_per_database_and_shape(cast, monkeypatch):
    monkeypatch.setattr(CachedCondition, "_written", cache := _Counting())
    for username in ("demo-police", "demo-borderguard", "demo-supervisor", "qt-police-caseworker"):
        list(visible_cases(cast_user(username)))
        list(visible_cases(cast_user(username)).filter(state="closed"))
    list(visible_cases(cast.supervisor).filter(pk__in=visible_cases(cast.police).values("pk")))
    vendor = connection.vendor
    assert cache.writes == [(vendor, ("unit",)), (vendor, ("supervisor",))]


def test_a_supervisors_cases_are_read_in_one_query(cast, django_assert_num_queries):
    """The provinces merged into the supervisor's are a subquery, not a query before."""
    with django_assert_num_queries(1):
        list(visible_cases(cast.supervisor))
