"""The periodic report says when it must be submitted: the national days, or the province's."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province

from .conftest import get_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def quang_tri_supervisor(api, cast):
    unit = Unit.objects.create(
        code="qt-bcd-test",
        name="Ban Chỉ đạo 138 tỉnh Quảng Trị",
        kind=AgencyKind.STEERING_COMMITTEE,
        level=UnitLevel.PROVINCE,
        province=Province.objects.get(code="n-quang-tri"),
    )
    user = create_user(
        username="qt-bcd-test", password="x-Test-pass-42", role=Role.SUPERVISOR, unit=unit
    )
    return api(user, "vi")


def test_a_quang_tri_report_is_due_on_the_17th_as_its_plan_says(quang_tri_supervisor):
    period = get_report(quang_tri_supervisor, "2025-Q3").json()["period"]
    assert period["due_before"] == period["submit_before"] == "2025-09-17"
    assert period["schedule"] == "Nộp trước ngày 17/09/2025."
    assert "Quảng Trị" in period["citation"] and "17/9" in period["wording"]


def test_a_lao_cai_report_follows_the_national_days(supervisor):
    period = get_report(supervisor, "2025-Q2").json()["period"]
    assert period["due_before"] is None and period["included_in"] == "2025-H1"
    assert period["submit_before"] == "2025-06-20"
    assert period["citation"] == "Kế hoạch 19/KH-BCĐ138/CP (15/01/2024), mục III.2"
