"""A further call about a case already taken (the operator adds it to the case): never a
hold of the case for the hotline; once the case has been handed over, the call's screening
answers are recorded with it and the people of the unit holding the case are told."""

import pytest

from cases.models import CaseHolding, Intake, Screening
from notifications.models import OutboxMessage
from referrals.models import Referral

from .test_intake import SECOND_CALL

pytestmark = pytest.mark.django_db


def _follow_up(client_for, case):
    return client_for("demo-hotline").post(
        "/intake/", SECOND_CALL | {"link_to_case": str(case.uuid)}, follow=True
    )


def _hotline_holds(case) -> bool:
    return CaseHolding.objects.filter(
        case=case, unit__code="hotline-111", until__isnull=True
    ).exists()


@pytest.fixture
def handed_over(hotline_case, client_for):
    referral = Referral.objects.get(case=hotline_case)
    client_for("demo-police").post(f"/referrals/{referral.uuid}/accept/")
    assert not _hotline_holds(hotline_case)
    return hotline_case


def test_a_follow_up_after_the_handover_does_not_give_the_hotline_the_case(handed_over, client_for):
    response = _follow_up(client_for, handed_over)
    assert response.status_code == 200
    assert not _hotline_holds(handed_over)
    assert Referral.objects.filter(case=handed_over).count() == 1  # not handed over again
    police = client_for("demo-police").get(f"/cases/{handed_over.uuid}/").content.decode()
    assert 'data-transition="start_verification"' in police  # police still work it


def test_the_follow_up_records_its_screening_and_tells_the_holder(handed_over, client_for):
    _follow_up(client_for, handed_over)
    call = Intake.objects.filter(case=handed_over, linked_as_duplicate=True).get()
    latest = Screening.objects.filter(case=handed_over).latest("id")
    assert latest.indicators == ["restriction_of_movement"]
    assert latest.screened_by == call.received_by
    told = OutboxMessage.objects.filter(idempotency_key__startswith=f"follow-up:{call.pk}:")
    assert {m.recipient.unit.code for m in told} == {"lc-police"}
    message = told.first()
    assert handed_over.number in message.subject
    assert "Nguyễn Văn Nam" not in message.subject + message.body  # never who the victim is


def test_before_the_handover_the_follow_up_tells_nobody(hotline_case, client_for):
    _follow_up(client_for, hotline_case)
    assert not OutboxMessage.objects.filter(idempotency_key__startswith="follow-up:").exists()
    assert Screening.objects.filter(case=hotline_case).count() == 2
