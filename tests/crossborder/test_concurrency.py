"""Eight officers record the counterpart's answer to the same request at once: one wins, the
others are told it was already answered, and the answer is recorded once."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from agencies.models import Role
from crossborder.models import CrossBorderRequest
from security.models import AuditEvent
from tests.cast import INTAKE, open_case, send

ANSWERERS = 8


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite serialises writers: concurrent row locks need PostgreSQL (DATABASE_URL)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_answers_record_one(api, cast, make_user):
    border = api(cast.named("qt-border_guard-caseworker"))
    case_id = open_case(border, INTAKE | {"received_at": timezone.now().isoformat()})["id"]
    body = {
        "case": case_id,
        "counterpart": "la-salavan",
        "kind": "identity_verification",
        "channel": "hotline",
    }
    request_id = send(border, "crossborder/requests/", body)["id"]
    unit = border.user.unit
    clients = [
        api(make_user(unit, Role.CASEWORKER, username=f"answerer-{n}")) for n in range(ANSWERERS)
    ]
    barrier = threading.Barrier(ANSWERERS)
    statuses: list[tuple] = []

    def answer(client) -> None:
        try:
            barrier.wait()
            response = client.post(
                f"/api/v1/crossborder/requests/{request_id}/answer/",
                {"outcome": "confirmed"},
                format="json",
            )
            statuses.append((response.status_code, response.json().get("error")))
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses, key=str) == [(200, None)] + [(409, "already_answered")] * (
        ANSWERERS - 1
    )
    answered = CrossBorderRequest.objects.get(uuid=request_id)
    assert answered.answered_by.username.startswith("answerer-")
    assert AuditEvent.objects.filter(action="crossborder.answer").count() == 1
