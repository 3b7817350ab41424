"""One time zone for people (issue 9, point 7): dates in Viet Nam time, and every datetime the
API writes is ISO 8601 with +07:00."""

import re

import pytest

from tests.cast import INTAKE, give_consent, open_case, refer
from tests.referrals.conftest import RETURNEE

pytestmark = pytest.mark.django_db
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _datetimes(value) -> list[str]:
    if isinstance(value, dict):
        return [d for item in value.values() for d in _datetimes(item)]
    if isinstance(value, list):
        return [d for item in value for d in _datetimes(item)]
    return [value] if isinstance(value, str) and ISO_DATETIME.match(value) else []


def test_the_rulebook_reason_gives_the_viet_nam_date(api, cast):
    border = api(cast.named("demo-borderguard"))
    case = open_case(border, {**INTAKE, "received_at": "2025-07-01T01:30:00+07:00"})
    detail = border.get(f"/api/v1/cases/{case['id']}/").json()
    assert "2025-07-01" in detail["rulebook_reason"]
    assert "2025-06-30" not in detail["rulebook_reason"]


def test_every_datetime_in_case_referral_and_timeline_responses_is_in_viet_nam_time(api, cast):
    border = api(cast.named("ht-border_guard-caseworker"))
    social = api(cast.named("ht-health_department-caseworker"))
    case_id = border.post("/api/v1/intakes/", RETURNEE, format="json").json()["case"]["id"]
    give_consent(border, case_id, "health_department")
    referral = refer(border, case_id)
    social.post(f"/api/v1/referrals/{referral['id']}/accept/")
    responses = [
        border.get(f"/api/v1/cases/{case_id}/"),
        border.get(f"/api/v1/cases/{case_id}/timeline/"),
        border.get("/api/v1/referrals/"),
        border.get(f"/api/v1/referrals/{referral['id']}/"),
        social.get(f"/api/v1/referrals/{referral['id']}/"),
    ]
    found = []
    for response in responses:
        assert response.status_code == 200, response.json()
        found += _datetimes(response.json())
    assert len(found) > 10
    assert [d for d in found if not d.endswith("+07:00")] == []
