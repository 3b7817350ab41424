"""Twenty people of the receiving unit accept the same referral at once: one wins."""

import threading

import pytest
from django.db import connection

from agencies.models import Role
from cases.models import CaseHolding
from referrals.models import Referral
from tests.cast import give_consent, refer

ACCEPTORS = 20


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers: concurrent row locks need PostgreSQL (DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_accepts_exactly_one_wins(border, case_id, api, make_user, people):
    give_consent(border, case_id, "health_department")
    referral_id = refer(border, case_id)["id"]
    unit = people["social"].unit
    clients = [
        api(make_user(unit, Role.CASEWORKER, username=f"acceptor-{n}")) for n in range(ACCEPTORS)
    ]
    barrier = threading.Barrier(ACCEPTORS)
    statuses: list[int] = []

    def accept(client) -> None:
        try:
            barrier.wait()
            response = client.post(f"/api/v1/referrals/{referral_id}/accept")
            statuses.append((response.status_code, response.json().get("error")))
        finally:
            connection.close()

    threads = [threading.Thread(target=accept, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses, key=str) == [(200, None)] + [(409, "transition_not_allowed")] * (
        ACCEPTORS - 1
    )
    referral = Referral.objects.get(uuid=referral_id)
    assert referral.status == "accepted"
    assert referral.accepted_by.username.startswith("acceptor-")
    assert CaseHolding.objects.filter(basis="referral").count() == 1
