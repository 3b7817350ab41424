"""The overdue page's SQL is compiled once per supervisor's scope and page shape and then only
run with the time and the page's cursor (config.sql.CompiledRead, issue 15). A cache that handed
one supervisor's page to another would be a confidentiality breach: every supervisor below
reads, from a cold cache and again in the reverse order from the warm one, exactly the
overdue referrals, with their escalations, that the ORM's visibility lets them see (medical
care only where their need-to-know reaches), a page at a time or all at once."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from agencies.models import Role
from config.sql import CompiledRead
from referrals.models import Escalation, Referral, ReferralStatus
from referrals.selectors import visible_referrals
from referrals.services import sweep_overdue
from supervision import selectors as supervision_selectors
from supervision.selectors import overdue_page
from tests.cast import open_case

from .conftest import RETURNEE, give_consent, refer
from .test_scenario_overdue_handoff import backdate
from .test_speed_pages import OVERDUE, SENT

pytestmark = pytest.mark.django_db


def _sent(client, purpose: str, to_unit: str, days: int) -> None:
    """A referral of a new case, `days` after SENT and long past its deadline."""
    case_id = open_case(client, RETURNEE)["id"]
    give_consent(client, case_id, "health_department", purpose=purpose)
    sent = refer(client, case_id, purpose=purpose, to_unit=to_unit)
    backdate(sent["id"], SENT + timedelta(days=days))


@pytest.fixture
def supervisors(api, people, cast, border) -> dict:
    """Overdue referrals in Hà Tĩnh (one for medical care) and in Lào Cai, escalated, and
    the supervisors who read the overdue page: of both provinces' Steering Committees, of the
    sending and the receiving unit, and the central one."""
    _sent(border, "reception", "ht-health_department", 0)
    _sent(border, "medical", "ht-health_department", 1)
    _sent(border, "reception", "ht-health_department", 2)
    _sent(api(cast.named("lc-police-caseworker")), "reception", "lc-health_department", 3)
    sweep_overdue()
    return {
        "ht_steering": people["steering"],
        "lc_steering": people["lao_cai_steering"],
        "ht_sender": cast.named("ht-border_guard-supervisor"),
        "ht_receiver": people["social_supervisor"],
        "central": cast.national_supervisor,
    }


@pytest.fixture
def cold():
    """The overdue pages compiled by the process (and its other tests) forgotten."""
    for read in (supervision_selectors._OVERDUE_PAGES, supervision_selectors._ESCALATIONS):
        read._compiled.clear()


def _visible(user) -> list[tuple[str, list[str]]]:
    """The overdue referrals the ORM's visibility gives the user, oldest first, with the
    levels they were escalated to."""
    overdue = visible_referrals(user).filter(status=ReferralStatus.SENT, due_at__lte=timezone.now())
    return [
        (
            str(referral.uuid),
            list(Escalation.objects.filter(referral=referral).values_list("level", flat=True)),
        )
        for referral in overdue.order_by("sent_at", "id")
    ]


def _read(client, limit: int) -> list[tuple[str, list[str]]]:
    """The whole overdue page, followed a page of `limit` at a time."""
    rows, path = [], f"{OVERDUE}?limit={limit}"
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.json()
        rows += [(row["referral"]["id"], row["escalations"]) for row in response.json()]
        link = response.get("Link")
        path = link[1 : link.index(">")] if link else None
    return rows


def test_each_supervisor_reads_their_own_overdue_page_from_a_warm_cache(api, supervisors, cold):
    expected = {who: _visible(user) for who, user in supervisors.items()}
    # The world is what it was built to be: each sees some and not all the same, the medical
    # referral only the units it is from and to (a supervisor's need-to-know excludes it).
    medical = Referral.objects.get(purpose="medical").uuid
    seeing = {who for who, rows in expected.items() if str(medical) in dict(rows)}
    assert seeing == {"ht_sender", "ht_receiver"}
    assert all(expected.values()) and len({str(rows) for rows in expected.values()}) == 4
    assert all(levels for rows in expected.values() for _, levels in rows)
    clients = {who: api(user) for who, user in supervisors.items()}
    for order in (list(clients), list(reversed(clients))):
        for who in order:
            for limit in (1, 2, 50):
                assert _read(clients[who], limit) == expected[who], (who, limit)


def test_the_page_is_compiled_once_per_scope_and_shape(
    api, supervisors, make_user, monkeypatch, cold
):
    compiled = []
    compile_ = CompiledRead._compile
    monkeypatch.setattr(CompiledRead, "_compile", lambda *a: compiled.append(1) or compile_(*a))
    steering = api(supervisors["ht_steering"])
    steering.get(f"{OVERDUE}?limit=7")
    assert len(compiled) == 2  # the page and its escalations
    steering.get(f"{OVERDUE}?limit=7")
    colleague = make_user(supervisors["ht_steering"].unit, Role.SUPERVISOR, "ht-steering-colleague")
    assert api(colleague).get(f"{OVERDUE}?limit=7").json()  # the same scope: the same SQL
    assert len(compiled) == 2
    api(supervisors["lc_steering"]).get(f"{OVERDUE}?limit=7")
    assert len(compiled) == 3  # another scope: its own page, the escalations' as they were


def test_the_overdue_page_costs_exactly_its_reads(api, supervisors):
    steering = api(supervisors["ht_steering"])
    steering.get(OVERDUE)  # warm: sessions, content types, translations, compiled pages
    with CaptureQueriesContext(connection) as first:
        link = steering.get(f"{OVERDUE}?limit=1")["Link"]
    tables = [_table(query["sql"]) for query in first.captured_queries]
    # The signed-in user (session, user with their unit, second factor), then the page: the
    # unit's referrals as columns, their escalations.
    assert tables == [
        "django_session",
        "agencies_user",
        "otp_totp_totpdevice",
        "referrals_referral",
        "referrals_escalation",
    ]
    later = link[1 : link.index(">")]
    steering.get(later)  # compiled: the continued page
    with CaptureQueriesContext(connection) as reads:
        assert len(steering.get(later).json()) == 1
    # A later page first finds where it continues.
    assert [_table(query["sql"]) for query in reads.captured_queries] == [
        *tables[:3],
        "referrals_referral",
        *tables[3:],
    ]


def _table(sql: str) -> str:
    """The table of a query's first column of a table ("table"."column"): the page's own,
    inside the small tables' lookups around it."""
    return re.search(r'"(\w+)"\."', sql).group(1)


def test_an_inactive_supervisor_sees_nothing(supervisors):
    """No scope at all: the page compiles to nothing and reads nothing."""
    steering = supervisors["ht_steering"]
    assert overdue_page(steering)
    steering.is_active = False
    with CaptureQueriesContext(connection) as reads:
        assert overdue_page(steering) == []
    assert reads.captured_queries == []


def test_the_page_is_written_for_one_generic_plan(api, supervisors, cold):
    """Waiting is written into the page's SQL and its time is a scalar subquery, so that
    PostgreSQL, once the statement is prepared, can settle on one generic plan that walks
    the index of waiting referrals (status = 'sent'), instead of planning every read: on the
    100,000-case database a generic plan with the status as a parameter could not use that
    index and took 30 ms, and a custom plan costs ~2.5 ms of planning (config.sql.Slot)."""
    assert api(supervisors["ht_steering"]).get(OVERDUE).status_code == 200
    [page] = [read.sql for read in supervision_selectors._OVERDUE_PAGES._compiled.values()]
    assert '"referrals_referral"."status" = (\'sent\')' in page
    assert '"referrals_referral"."due_at" <= (SELECT %s)' in page
