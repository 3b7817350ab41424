"""Rulebooks as data: choice by reception date, scenario 05's facts, versioned changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import path
from django.utils import timezone

from agencies.models import AgencyKind, Role, UnitLevel
from config.errors import InvalidInput, NotAllowed
from places.models import VIETNAM_TZ
from rulebooks.models import Rulebook, RuleStep, ServiceEligibility, StepCode, SupportServiceKind
from rulebooks.selectors import (
    deadline_for,
    eligible_services,
    rule_for,
    rulebook_for,
)
from rulebooks.services import change_deadline
from security import audit
from security.testing import force_verified_login

VN = VIETNAM_TZ
UTC = ZoneInfo("UTC")
DAY = timedelta(days=1)
SERVICES = SupportServiceKind.values

pytestmark = pytest.mark.django_db

# The admin alone, so that these tests do not depend on the other apps' URLs.
urlpatterns = [path("admin/", admin.site.urls)]


@pytest.fixture
def administrator(make_user):
    return make_user(None, Role.ADMINISTRATOR, username="rule-admin")


# Choosing the rulebook ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received_at", "code"),
    [
        (datetime(2025, 6, 30, 23, 59, tzinfo=VN), "qcph-2548"),
        (datetime(2025, 7, 1, 0, 0, tzinfo=VN), "law-2024"),
        (datetime(2025, 6, 30, 16, 59, tzinfo=UTC), "qcph-2548"),  # 23:59 in Viet Nam
        (datetime(2025, 6, 30, 17, 0, tzinfo=UTC), "law-2024"),  # 00:00 in Viet Nam
        (datetime(2024, 11, 20, 9, 0, tzinfo=VN), "qcph-2548"),
        (datetime(2025, 8, 20, 9, 0, tzinfo=VN), "law-2024"),
    ],
)
def test_rulebook_is_chosen_by_the_vietnam_date_of_reception(received_at, code):
    assert rulebook_for(received_at).code == code


def test_a_reception_before_the_2011_law_has_no_rulebook():
    with pytest.raises(InvalidInput):
        rulebook_for(datetime(2011, 12, 31, 12, 0, tzinfo=VN))


def test_a_naive_moment_is_refused():
    with pytest.raises(ValueError):
        rulebook_for(datetime(2025, 7, 1, 12, 0))


# Scenario 05: the same story under the old and the new rules ----------------------------

CASE_A = datetime(2024, 11, 20, 10, 0, tzinfo=VN)  # Quảng Trị, qcph-2548
CASE_B = datetime(2025, 8, 20, 10, 0, tzinfo=VN)  # Quảng Trị, law-2024


@pytest.mark.parametrize(
    ("received_at", "step", "kinds", "level", "deadline", "is_default", "citation"),
    [
        (
            CASE_A,
            "notify_social_protection",
            [AgencyKind.LABOUR_SOCIAL],
            UnitLevel.DISTRICT,
            timedelta(hours=24),
            True,
            "Thông tư liên tịch 01/2014",
        ),
        (
            CASE_A,
            "initial_reception_verification",
            [AgencyKind.LABOUR_SOCIAL, AgencyKind.POLICE],
            UnitLevel.DISTRICT,
            3 * DAY,
            False,
            "Thông tư liên tịch 01/2014",
        ),
        (
            CASE_A,
            "police_verification_without_document",
            [AgencyKind.POLICE],
            UnitLevel.DISTRICT,
            20 * DAY,
            False,
            "Thông tư liên tịch 01/2014",
        ),
        (
            CASE_A,
            "shelter_essential_needs",
            [AgencyKind.LABOUR_SOCIAL],
            UnitLevel.PROVINCE,
            60 * DAY,
            False,
            "Nghị định 09/2013/NĐ-CP, Điều 19",
        ),
        (
            CASE_B,
            "notify_social_protection",
            [AgencyKind.HEALTH_DEPARTMENT],
            UnitLevel.PROVINCE,
            timedelta(hours=24),
            True,
            "Luật 53/2024/QH15, khoản 1 Điều 27",
        ),
        (
            CASE_B,
            "initial_reception_verification",
            [AgencyKind.HEALTH_DEPARTMENT, AgencyKind.POLICE],
            UnitLevel.PROVINCE,
            3 * DAY,
            False,
            "Luật 53/2024/QH15, khoản 2 Điều 27",
        ),
        (
            CASE_B,
            "police_verification_without_document",
            [AgencyKind.POLICE],
            UnitLevel.PROVINCE,
            20 * DAY,
            True,
            "Luật 53/2024/QH15",
        ),
        (
            CASE_B,
            "shelter_essential_needs",
            [AgencyKind.HEALTH_DEPARTMENT],
            UnitLevel.PROVINCE,
            120 * DAY,
            False,
            "Nghị định 162/2025/NĐ-CP, Điều 17",
        ),
    ],
)
def test_each_rulebook_sends_the_handoff_to_its_own_kind_of_unit_with_its_deadline(
    received_at, step, kinds, level, deadline, is_default, citation
):
    rulebook = rulebook_for(received_at)
    due_at, rule = deadline_for(rulebook, step, received_at)
    assert rule.responsible_kinds == kinds
    assert rule.responsible_level == level
    assert due_at == received_at + deadline
    assert rule.is_default is is_default
    assert citation in rule.citation


@pytest.mark.parametrize("code", ["qcph-2548", "law-2024"])
def test_every_step_has_a_rule_with_known_kinds_and_a_citation(code):
    first_day = rulebook_for(CASE_A if code == "qcph-2548" else CASE_B).effective_from
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=VN)
    for step in StepCode.values:
        rule = rule_for(code, step, at=start)
        assert rule.version == 1
        assert rule.responsible_kinds
        assert set(rule.responsible_kinds) <= set(AgencyKind.values)
        assert rule.citation and rule.wording
        assert rule.deadline > timedelta(0)


@pytest.mark.parametrize("code", ["qcph-2548", "law-2024"])
def test_immediately_is_a_short_configurable_default_never_law(code):
    immediate = RuleStep.objects.filter(
        rulebook_id=code, wording__in=["ngay", "ngay khi tiếp nhận"]
    )
    assert immediate.count() >= 3
    for rule in immediate:
        assert rule.is_default
        assert rule.deadline == timedelta(hours=24)


def test_a_stage_is_held_by_the_social_protection_body_of_its_rulebook():
    assert AgencyKind.LABOUR_SOCIAL in rule_for("qcph-2548", "support").responsible_kinds
    assert AgencyKind.HEALTH_DEPARTMENT in rule_for("law-2024", "support").responsible_kinds
    assert AgencyKind.LABOUR_SOCIAL not in rule_for("law-2024", "verification").responsible_kinds


def test_an_unknown_step_has_no_rule():
    with pytest.raises(InvalidInput):
        rule_for("law-2024", "no_such_step")


# Changing a deadline --------------------------------------------------------------------


def test_a_deadline_change_applies_to_new_deadlines_only_and_is_versioned(administrator):
    step = "police_verification_without_document"
    earlier = timezone.now() - DAY
    set_before, old_rule = deadline_for("law-2024", step, earlier)

    new_rule = change_deadline(
        "law-2024",
        step,
        15 * DAY,
        actor=administrator,
        citation="Provincial steering committee decision 12/QĐ-BCĐ (test)",
        reason="Shorter police verification agreed with the provincial police",
    )

    assert (new_rule.version, new_rule.deadline) == (2, 15 * DAY)
    assert new_rule.changed_by == administrator
    old_rule.refresh_from_db()
    assert (old_rule.version, old_rule.deadline) == (1, 20 * DAY)
    assert deadline_for("law-2024", step, earlier) == (set_before, old_rule)
    start = timezone.now()
    assert deadline_for("law-2024", step, start) == (start + 15 * DAY, new_rule)
    assert deadline_for("qcph-2548", step, start)[1].deadline == 20 * DAY

    event = audit.AuditEvent.objects.get(action="rulebook.change")
    assert event.actor_id == administrator.pk
    assert event.object_id == str(new_rule.pk)
    assert event.details["old_deadline"] == "P20DT00H00M00S"
    assert event.details["new_deadline"] == "P15DT00H00M00S"
    assert event.details["citation"] == new_rule.citation
    assert event.details["old_citation"] == old_rule.citation


def test_only_administrators_change_deadlines(make_user, police_unit):
    caseworker = make_user(police_unit)
    with pytest.raises(NotAllowed):
        change_deadline("law-2024", "verification", DAY, actor=caseworker, citation="x", reason="y")
    assert RuleStep.objects.filter(rulebook_id="law-2024", step="verification").count() == 1


def test_a_change_needs_a_citation_and_a_reason(administrator):
    with pytest.raises(InvalidInput):
        change_deadline(
            "law-2024", "verification", DAY, actor=administrator, citation="", reason="y"
        )


def test_a_rule_row_is_never_edited_in_place():
    rule = rule_for("law-2024", "verification")
    rule.deadline = DAY
    with pytest.raises(ValidationError):
        rule.save()


@pytest.mark.urls(__name__)
def test_the_admin_saves_a_new_version_through_the_service(client, administrator):
    administrator.is_staff = True
    administrator.save()
    force_verified_login(client, administrator)
    rule = rule_for("law-2024", "bring_to_commune")
    assert client.get("/admin/rulebooks/rulestep/").status_code == 200
    assert b'name="reason"' in client.get(f"/admin/rulebooks/rulestep/{rule.pk}/change/").content

    response = client.post(
        f"/admin/rulebooks/rulestep/{rule.pk}/change/",
        {
            "deadline": "12:00:00",
            "wording": "immediately",
            "is_default": "on",
            "citation": "Law 53/2024/QH15 Art. 27(1); 12 hours agreed by the province",
            "reason": "Night-time handovers at the border gate",
        },
    )

    assert response.status_code == 302
    current = rule_for("law-2024", "bring_to_commune")
    assert (current.version, current.deadline, current.is_default) == (2, timedelta(hours=12), True)
    rule.refresh_from_db()
    assert rule.deadline == timedelta(hours=24)
    assert audit.AuditEvent.objects.filter(action="rulebook.change").count() == 1
    old_version_page = client.get(f"/admin/rulebooks/rulestep/{rule.pk}/change/")
    assert old_version_page.status_code == 200
    assert b'name="deadline"' not in old_version_page.content  # older versions are read-only


# Support services -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flags", "count"),
    [
        ({"identified": True, "accompanying_minor": False, "abroad": False}, 10),
        ({"identified": True, "accompanying_minor": False, "abroad": True}, 10),
        ({"identified": True, "accompanying_minor": True, "abroad": False}, 8),
        ({"identified": False, "accompanying_minor": False, "abroad": False}, 7),
        ({"identified": False, "accompanying_minor": True, "abroad": False}, 7),
        ({"identified": False, "accompanying_minor": False, "abroad": True}, 4),
        ({"identified": False, "accompanying_minor": True, "abroad": True}, 4),
    ],
)
@pytest.mark.parametrize("code", ["qcph-2548", "law-2024"])
def test_eligible_services_follow_law_53_2024_article_37(code, flags, count):
    assert eligible_services(code, **flags) == SERVICES[:count]


def test_the_ten_services_are_in_the_order_of_article_37():
    assert SERVICES == [
        "essential_needs",
        "medical",
        "interpretation",
        "legal_counselling",
        "legal_aid",
        "travel_costs",
        "psychological",
        "schooling",
        "vocational_training",
        "hardship_allowance_and_loan",
    ]


def test_law_2024_eligibility_is_law_and_2011_gaps_are_marked_defaults():
    law = ServiceEligibility.objects.filter(rulebook_id="law-2024")
    assert not law.filter(is_default=True).exists()
    assert law.get(beneficiary="identified_victim", service="legal_aid").citation == (
        "Luật 53/2024/QH15, điểm đ khoản 1 Điều 37"
    )
    old_victim = ServiceEligibility.objects.filter(
        rulebook_id="qcph-2548", beneficiary="identified_victim"
    )
    defaults = set(old_victim.filter(is_default=True).values_list("service", flat=True))
    assert defaults == {"interpretation", "legal_counselling"}
    assert all(row.citation for row in ServiceEligibility.objects.all())


@pytest.mark.django_db
def test_who_is_a_child_is_rulebook_data_with_its_source():
    for rulebook in Rulebook.objects.all():
        assert rulebook.child_age == 18
        assert "102/2016/QH13" in rulebook.child_age_citation
