"""Story 05: the same facts under the old and the new rules (Quảng Trị)."""

from datetime import timedelta

import pytest
from django.utils.dateparse import parse_datetime

from rulebooks.selectors import rule_for
from rulebooks.services import change_deadline
from security.models import AuditEvent
from tests.cast import open_case, read, refer, send

pytestmark = pytest.mark.django_db

FACTS = {
    "channel": "border_handover",
    "purposes": ["forced_labour"],
    "destination_country": "LA",
    "victim": {"full_name": "Hồ Thị Pơi", "stated_age": 30, "sex": "female"},
}


def test_story_05(api, cast):
    commune = api(cast.named("qt-commune_committee-caseworker"))
    case_a = open_case(commune, {**FACTS, "received_at": "2024-11-20T09:00:00+07:00"})
    case_b = open_case(commune, {**FACTS, "received_at": "2025-08-20T09:00:00+07:00"})

    # 1. Each case shows its rulebook and why.
    assert case_a["rulebook"] == "qcph-2548" and "2024-11-20" in case_a["rulebook_reason"]
    assert case_b["rulebook"] == "law-2024" and "2025-08-20" in case_b["rulebook_reason"]

    # 2. The commune notifies a different kind of unit, each with its rulebook's deadline.
    assert rule_for("qcph-2548", "notify_social_protection").responsible_kinds[0] == "labour_social"
    assert (
        rule_for("law-2024", "notify_social_protection").responsible_kinds[0] == "health_department"
    )
    sent = {}
    for case, unit in ((case_a, "qt-labour_social"), (case_b, "qt-health_department")):
        sent[case["rulebook"]] = refer(
            commune,
            case["id"],
            unit,
            "reception",
            step="notify_social_protection",
            legal_basis="Duty to notify the social-protection body",
        )
    assert "2548" in sent["qcph-2548"]["citation"] or "01/2014" in sent["qcph-2548"]["citation"]
    assert "53/2024" in sent["law-2024"]["citation"]
    verification = {r: rule_for(r, "initial_reception_verification") for r in sent}
    assert verification["qcph-2548"].responsible_level == "district"
    assert verification["law-2024"].responsible_level == "province"

    # 3. An administrator's change applies to new deadlines only, and is audited.
    before = parse_datetime(sent["law-2024"]["due_at"])
    change_deadline(
        "law-2024",
        "notify_social_protection",
        timedelta(hours=12),
        actor=cast.admin,
        citation="Decision of the provincial SC 138",
        reason="Faster notification in Quảng Trị",
    )
    old = read(commune, f"referrals/{sent['law-2024']['id']}/")
    assert parse_datetime(old["due_at"]) == before
    new_case = send(
        commune,
        "intakes/",
        {
            **FACTS,
            "received_at": "2025-08-21T09:00:00+07:00",
            "victim": {"full_name": "Người khác", "stated_age": 31},
        },
    )["case"]
    fresh = refer(
        commune,
        new_case["id"],
        "qt-health_department",
        "reception",
        step="notify_social_protection",
        legal_basis="Duty to notify",
    )
    assert parse_datetime(fresh["due_at"]) - parse_datetime(fresh["sent_at"]) == timedelta(hours=12)
    assert AuditEvent.objects.filter(action="rulebook.change").count() == 1
