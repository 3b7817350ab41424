"""The data migrations encrypt free text already stored in clear (issue 9, point 4)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases.models import StateChange, SupportService
from referrals.models import Referral
from tests.cast import give_consent, move, open_case, record, refer

BEFORE = [("cases", "0001_initial"), ("referrals", "0001_initial")]
AFTER = [("cases", "0002_encrypt_free_text"), ("referrals", "0002_encrypt_reason")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_clear_text_is_encrypted_and_reads_back(api, cast):
    border = api(cast.named("ht-border_guard-caseworker"))
    case_id = open_case(border)["id"]
    record(border, case_id, "screenings", {"indicators": ["deception"]})
    move(border, case_id, "start_verification", reason="reason before")
    record(border, case_id, "services", {"kind": "essential_needs", "note": "note before"})
    give_consent(border, case_id, "health_department")
    referral_id = refer(border, case_id)["id"]
    border.post(f"/api/v1/referrals/{referral_id}/withdraw/", {"reason": "withdrawn before"})
    try:
        old = _migrate(BEFORE)
        # As the landed schema stored them: plain columns (re-written in clear here).
        old.get_model("cases", "SupportService").objects.update(note="note before")
        old.get_model("cases", "StateChange").objects.update(reason="reason before")
        old.get_model("referrals", "Referral").objects.update(reason="withdrawn before")
    finally:
        _migrate(AFTER)
        _migrate([("cases", "0002_encrypt_free_text"), ("referrals", "0002_encrypt_reason")])
    assert SupportService.objects.get().note == "note before"
    assert StateChange.objects.get().reason == "reason before"
    assert Referral.objects.get().reason == "withdrawn before"
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM cases_supportservice")
        (stored,) = cursor.fetchone()
    assert b"note before" not in bytes(stored)
