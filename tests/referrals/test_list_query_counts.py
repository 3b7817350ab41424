"""Every list endpoint costs the same queries for one row as for several (no N+1, issue 15):
the sender's referrals, the receiver's referrals, notifications and tasks, the supervisor's
overdue list and the case list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications.outbox import drain_outbox
from tests.cast import open_case

from .conftest import RETURNEE, give_consent, refer
from .test_scenario_overdue_handoff import backdate
from .test_speed_pages import SENT

pytestmark = pytest.mark.django_db

LISTS = [
    ("border", "/api/v1/referrals/"),
    ("border", "/api/v1/cases/"),
    ("social", "/api/v1/referrals/"),
    ("social", "/api/v1/notifications/"),
    ("social", "/api/v1/tasks/"),
    ("steering", "/api/v1/supervision/overdue/"),
]


def _referred(border, count: int) -> None:
    for _ in range(count):
        case_id = open_case(border, RETURNEE)["id"]
        give_consent(border, case_id, "health_department")
        backdate(refer(border, case_id)["id"], SENT)
    drain_outbox()


def _queries(clients: dict) -> dict[tuple[str, str], int]:
    counts = {}
    for who, path in LISTS:
        with CaptureQueriesContext(connection) as captured:
            response = clients[who].get(path)
        assert response.status_code == 200, (who, path, response.content[:300])
        counts[(who, path)] = len(captured.captured_queries)
    return counts


def test_lists_cost_the_same_queries_for_one_row_or_several(api, people, border):
    clients = {"border": border, **{who: api(people[who]) for who in ("social", "steering")}}
    _referred(border, 1)
    _queries(clients)  # warm: sessions, content types, translations
    one = _queries(clients)
    _referred(border, 3)
    assert _queries(clients) == one
    assert max(one.values()) <= 10, one
