"""A small world of providers around the demo organisation (Lào Cai, Quảng Trị, Hà Tĩnh)."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from providers.models import Provider, ProviderType
from tests.cast import INTAKE, PASSWORD, open_case, record

LAO_CAI, QUANG_TRI, HA_TINH = "n-lao-cai", "n-quang-tri", "42"
# The Hmong girl of tests/cast.py INTAKE, found locked in at the border.
SCREENING = {"indicators": ["restriction_of_movement", "deception"], "purposes": []}
SECOND_GIRL = {
    **INTAKE,
    "received_at": "2025-09-20T10:00:00+07:00",
    "victim": {
        **INTAKE["victim"],
        "full_name": "Vàng Thị Say",
        "birth_year": 2010,
        "stated_age": 15,
    },
}


@pytest.fixture
def make_provider(db):
    """make_provider(code, province_code, services, capacity, ...): a provider unit with a
    caseworker `<code>-caseworker`."""

    def make(code: str, province: str, services: list[str], capacity: int | None, **extra):
        unit = Unit.objects.create(
            code=code,
            name=f"Provider {code}",
            kind=extra.pop("kind", AgencyKind.HEALTH_DEPARTMENT),
            level=UnitLevel.PROVINCE,
            province=Province.objects.get(code=province),
        )
        create_user(
            username=f"{code}-caseworker", password=PASSWORD, role=Role.CASEWORKER, unit=unit
        )
        return Provider.objects.create(
            unit=unit,
            provider_type=extra.pop("provider_type", ProviderType.STATE_SHELTER),
            services=services,
            capacity=capacity,
            **{"takes_children": True, "languages": ["Vietnamese"], **extra},
        )

    return make


@pytest.fixture
def shelters(cast, make_provider) -> dict[str, Provider]:
    """One bed in Lào Cai where Hmong is spoken; more in Hà Tĩnh and Quảng Trị (further);
    a men's shelter in Lào Cai; a hospital without beds to give in Lào Cai."""
    return {
        "lc": make_provider(
            "lc-shelter-t",
            LAO_CAI,
            ["essential_needs", "interpretation", "psychological"],
            1,
            languages=["Vietnamese", "Hmong"],
        ),
        "ht": make_provider("ht-shelter-t", HA_TINH, ["essential_needs", "interpretation"], 3),
        "qt": make_provider("qt-shelter-t", QUANG_TRI, ["essential_needs", "interpretation"], 3),
        "lc_men": make_provider(
            "lc-men-shelter-t",
            LAO_CAI,
            ["essential_needs", "interpretation"],
            5,
            takes_women=False,
            takes_children=False,
        ),
        "lc_legal": make_provider(
            "lc-legal-t",
            LAO_CAI,
            ["legal_counselling", "legal_aid"],
            None,
            kind=AgencyKind.JUSTICE_LEGAL_AID,
            provider_type=ProviderType.LEGAL_AID_CENTRE,
        ),
    }


@pytest.fixture
def border(cast, api):
    return api(cast.border_guard)


@pytest.fixture
def screened_case(border):
    """open_and_screen(body): a case opened by Lào Cai's Border Guard and screened."""

    def open_and_screen(body: dict = INTAKE) -> str:
        case_id = open_case(border, body)["id"]
        record(border, case_id, "screenings", SCREENING)
        return case_id

    return open_and_screen
