"""Escalation to the provincial Steering Committee follows the case's province across mergers."""

from datetime import timedelta

import pytest

from notifications.models import OutboxMessage
from referrals.models import Escalation, Referral
from referrals.services import sweep_overdue
from tests.cast import INTAKE, open_case

pytestmark = pytest.mark.django_db


def test_a_case_received_before_the_merger_escalates_to_todays_province(api, cast):
    border = api(cast.border_guard)
    case = open_case(border, {**INTAKE, "received_at": "2024-11-20T09:00:00+07:00"})
    assert case["province"] == "10"  # Lào Cai as it was in 2024
    sent = border.post(
        "/api/v1/referrals/",
        {
            "case": case["id"],
            "purpose": "repatriation",
            "to_unit": "mofa-consular",
            "legal_basis": "Citizenship verification",
        },
        format="json",
    ).json()
    referral = Referral.objects.get(uuid=sent["id"])
    Referral.objects.filter(pk=referral.pk).update(due_at=referral.sent_at - timedelta(hours=1))
    assert sweep_overdue() == 1
    recipients = set(OutboxMessage.objects.values_list("recipient__username", flat=True))
    assert "demo-supervisor" in recipients  # Steering Committee of today's Lào Cai
    assert Escalation.objects.filter(referral=referral).count() == 2
