"""Scenario 04's people and case: a Border Guard post in Hà Tĩnh refers a man returned from
Laos to the provincial social-protection body (the health department under law-2024)."""

import pytest

from tests.cast import open_case

RETURNEE = {
    "channel": "border_handover",
    "received_at": "2025-12-01T08:00:00+07:00",
    "purposes": ["forced_labour"],
    "destination_country": "LA",
    "narrative": "Returned from a plantation in Laos",
    "victim": {"full_name": "Lò Văn Pó", "birth_year": 1990, "sex": "male"},
}


@pytest.fixture
def people(cast):
    """Who is who in Hà Tĩnh (demo organisation)."""
    return {
        "border": cast.named("ht-border_guard-caseworker"),
        "social": cast.named("ht-health_department-caseworker"),
        "social_supervisor": cast.named("ht-health_department-supervisor"),
        "steering": cast.named("ht-steering_committee-supervisor"),
        "police": cast.named("ht-police-caseworker"),
        "lao_cai_steering": cast.supervisor,
    }


@pytest.fixture
def border(api, people):
    return api(people["border"])


@pytest.fixture
def case_id(border) -> str:
    """The returnee's case, opened through the intake API by the Border Guard."""
    return open_case(border, RETURNEE)["id"]
