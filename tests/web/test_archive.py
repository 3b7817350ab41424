"""The inbox's archive: the stage tasks the unit's people completed, with viewflow's task
status in Vietnamese (our catalogue supplies what viewflow ships no Vietnamese for)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.models import Referral
from workflows.services import finished_tasks, sync_pending_processes

from .conftest import CALL

pytestmark = pytest.mark.django_db


def _police_start_verification(client, case) -> None:
    """The police accept the handover and move the case on: its intake task is done (by the
    process dispatcher, which ran since the intake and runs again seconds after the move)."""
    sync_pending_processes()
    referral = Referral.objects.get(case=case)
    client.post(f"/referrals/{referral.uuid}/accept/")
    base = f"/cases/{case.uuid}"
    client.post(f"{base}/records/screening/", {"indicators": ["deception"]})
    client.post(f"{base}/transitions/start_verification/", {})
    sync_pending_processes()


def _archive(html: str) -> str:
    return html.split('id="archive"', 1)[1]


def test_the_unit_finds_the_tasks_it_completed_in_the_archive(hotline_case, client_for):
    police = client_for("demo-police")
    assert hotline_case.number not in _archive(police.get("/inbox/").content.decode())
    _police_start_verification(police, hotline_case)
    archive = _archive(police.get("/inbox/").content.decode())
    assert f'data-case="{hotline_case.number}"' in archive
    assert "Tiếp nhận" in archive  # the task: the intake stage
    assert 'data-label="Trạng thái">Hoàn thành<' in archive  # viewflow's STATUS "Done"
    assert "demo-police" in archive
    other = client_for("demo-borderguard").get("/inbox/").content.decode()
    assert hotline_case.number not in _archive(other)


def test_archive_queries_do_not_grow_with_tasks(hotline_case, client_for, user_named):
    from cases.models import Case

    police = client_for("demo-police")
    _police_start_verification(police, hotline_case)
    officer = user_named("demo-police")

    def shown() -> list[tuple]:
        return [
            (t.process.artifact.number, str(t.title), t.owner.username)
            for t in finished_tasks(officer)
        ]

    with CaptureQueriesContext(connection) as one:
        assert len(shown()) == 1
    operator = client_for("demo-hotline")
    for n in range(2, 4):
        operator.post("/intake/", CALL | {"caller_phone": "", "victim_phone": f"090000100{n}"})
        _police_start_verification(police, Case.objects.latest("received_at"))
    with CaptureQueriesContext(connection) as three:
        assert len(shown()) == 3
    assert len(three) == len(one)
    assert _archive(police.get("/inbox/").content.decode()).count("<tr data-case=") == 3
