"""Demo service providers: a few per demo province, each a unit with a caseworker and a
supervisor (`<code>-caseworker`, `<code>-supervisor`).

Names are the usual names of such bodies; places and languages are invented for the demo.
"""

from dataclasses import dataclass, field

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_users
from providers.models import Provider, ProviderType
from rulebooks.models import SupportServiceKind as S

from .organisation import DEMO_PROVINCES, _province


@dataclass(frozen=True)
class DemoProvider:
    suffix: str
    name: str  # "{province}" is replaced by the province's name
    kind: str
    provider_type: str
    services: list[str]
    capacity: int | None
    languages: list[str] = field(default_factory=lambda: ["Vietnamese"])
    takes_children: bool = True
    takes_men: bool = True


SHELTER_SERVICES = [S.ESSENTIAL_NEEDS, S.MEDICAL, S.PSYCHOLOGICAL, S.TRAVEL_COSTS]
COMMON = [
    DemoProvider(
        "shelter",
        "Cơ sở bảo trợ xã hội tổng hợp tỉnh {province}",
        AgencyKind.HEALTH_DEPARTMENT,
        ProviderType.SOCIAL_PROTECTION_CENTRE,
        SHELTER_SERVICES,
        capacity=6,
    ),
    DemoProvider(
        "hospital",
        "Bệnh viện Đa khoa tỉnh {province}",
        AgencyKind.HEALTH_DEPARTMENT,
        ProviderType.HOSPITAL,
        [S.MEDICAL, S.PSYCHOLOGICAL],
        capacity=10,
    ),
    DemoProvider(
        "legal-aid-centre",
        "Trung tâm Trợ giúp pháp lý nhà nước tỉnh {province}",
        AgencyKind.JUSTICE_LEGAL_AID,
        ProviderType.LEGAL_AID_CENTRE,
        [S.LEGAL_COUNSELLING, S.LEGAL_AID],
        capacity=None,
    ),
]
# Province key → its own providers, beside the common ones.
OWN = {
    "lc": [
        DemoProvider(
            "ngo-shelter",
            "Nhà tạm lánh cho phụ nữ và trẻ em – {province}",
            AgencyKind.HEALTH_DEPARTMENT,
            ProviderType.NGO_SHELTER,
            [S.ESSENTIAL_NEEDS, S.PSYCHOLOGICAL, S.INTERPRETATION, S.SCHOOLING],
            capacity=4,
            languages=["Vietnamese", "Hmong", "Dao"],
            takes_men=False,
        )
    ],
    "ht": [
        DemoProvider(
            "vocational-centre",
            "Trung tâm Dịch vụ việc làm tỉnh {province}",
            AgencyKind.HEALTH_DEPARTMENT,
            ProviderType.SOCIAL_PROTECTION_CENTRE,
            [S.VOCATIONAL_TRAINING, S.HARDSHIP_ALLOWANCE_AND_LOAN],
            capacity=None,
            languages=["Vietnamese", "Lao"],
            takes_children=False,
        )
    ],
}


def seed_providers(password: str) -> list[Provider]:
    """The demo providers of every demo province, their units and their staff."""
    providers, staff = [], []
    for key in DEMO_PROVINCES:
        province = _province(key)
        for demo in [*COMMON, *OWN.get(key, [])]:
            unit = Unit.objects.get_or_create(
                code=f"{key}-{demo.suffix}",
                defaults={
                    "name": demo.name.format(province=province.name),
                    "kind": demo.kind,
                    "level": UnitLevel.PROVINCE,
                    "province": province,
                },
            )[0]
            providers.append(_provider(unit, demo))
            staff += [
                (f"{unit.code}-{role}", role, unit) for role in (Role.CASEWORKER, Role.SUPERVISOR)
            ]
    create_users(staff, password=password)
    return providers


def _provider(unit: Unit, demo: DemoProvider) -> Provider:
    return Provider.objects.get_or_create(
        unit=unit,
        defaults={
            "provider_type": demo.provider_type,
            "services": list(demo.services),
            "languages": demo.languages,
            "takes_children": demo.takes_children,
            "takes_men": demo.takes_men,
            "capacity": demo.capacity,
        },
    )[0]
