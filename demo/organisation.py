"""Demo organisation: units in Lào Cai, Quảng Trị and Hà Tĩnh, national bodies, demo users.

Only for `seed_demo` and the tests; never used with production settings.
"""

from dataclasses import dataclass

from agencies.models import AgencyKind, Role, Unit, UnitLevel, User
from agencies.services import create_users
from places.models import Province

# Provinces as they are since 2025-07-01 (codes from places' data).
DEMO_PROVINCES = {
    "lc": ("n-lao-cai", "Lào Cai", "LC"),
    "qt": ("n-quang-tri", "Quảng Trị", "QT"),
    "ht": ("42", "Hà Tĩnh", "HT"),
}
# Each province's international border gate (its Border Guard post) and border commune.
BORDER_GATES = {"lc": "Lào Cai", "qt": "Lao Bảo", "ht": "Cầu Treo"}
BORDER_COMMUNES = {"lc": "Bát Xát", "qt": "Lao Bảo", "ht": "Sơn Kim 1"}
# Units as their staff call them, in Vietnamese ({p}: the province, {gate}, {commune}).
UNIT_NAMES = {
    AgencyKind.POLICE: "Công an tỉnh {p}",
    AgencyKind.BORDER_GUARD: "Đồn Biên phòng Cửa khẩu Quốc tế {gate}",
    AgencyKind.HEALTH_DEPARTMENT: "Sở Y tế tỉnh {p}",
    AgencyKind.LABOUR_SOCIAL: "Sở Lao động – Thương binh và Xã hội tỉnh {p}",
    AgencyKind.JUSTICE_LEGAL_AID: "Sở Tư pháp tỉnh {p}",
    AgencyKind.COMMUNE_COMMITTEE: "Ủy ban nhân dân xã {commune}",
    AgencyKind.STEERING_COMMITTEE: "Ban Chỉ đạo 138 tỉnh {p}",
    AgencyKind.PROCURACY: "Viện kiểm sát nhân dân tỉnh {p}",
    AgencyKind.COURT: "Tòa án nhân dân tỉnh {p}",
}
PROVINCIAL_KINDS = [
    AgencyKind.POLICE,
    AgencyKind.BORDER_GUARD,
    AgencyKind.HEALTH_DEPARTMENT,
    AgencyKind.LABOUR_SOCIAL,
    AgencyKind.JUSTICE_LEGAL_AID,
    AgencyKind.COMMUNE_COMMITTEE,
    AgencyKind.STEERING_COMMITTEE,
    # The criminal track: the provincial People's Procuracy and People's Court.
    AgencyKind.PROCURACY,
    AgencyKind.COURT,
]
NATIONAL_UNITS = [
    ("hotline-111", "Tổng đài quốc gia 111", AgencyKind.HOTLINE, UnitLevel.CENTRAL),
    ("mofa-consular", "Cục Lãnh sự – Bộ Ngoại giao", AgencyKind.FOREIGN_AFFAIRS, UnitLevel.CENTRAL),
    (
        "embassy-phnom-penh",
        "Đại sứ quán Việt Nam tại Campuchia",
        AgencyKind.FOREIGN_AFFAIRS,
        UnitLevel.MISSION_ABROAD,
    ),
]


@dataclass(frozen=True)
class NamedDemoUser:
    username: str
    role: str
    unit_code: str


NAMED_USERS = [
    NamedDemoUser("demo-hotline", Role.HOTLINE_OPERATOR, "hotline-111"),
    NamedDemoUser("demo-police", Role.CASEWORKER, "lc-police"),
    NamedDemoUser("demo-borderguard", Role.CASEWORKER, "lc-border_guard"),
    NamedDemoUser("demo-social", Role.CASEWORKER, "lc-health_department"),
    NamedDemoUser("demo-justice", Role.CASEWORKER, "lc-justice_legal_aid"),
    NamedDemoUser("demo-foreign", Role.CASEWORKER, "mofa-consular"),
    NamedDemoUser("demo-supervisor", Role.SUPERVISOR, "lc-steering_committee"),
]


def _province(key: str) -> Province:
    code, name, abbreviation = DEMO_PROVINCES[key]
    return Province.objects.get_or_create(
        code=code, defaults={"name": name, "abbreviation": abbreviation}
    )[0]


def unit_name(key: str, kind: str, province: Province) -> str:
    return UNIT_NAMES[kind].format(
        p=province.name, gate=BORDER_GATES[key], commune=BORDER_COMMUNES[key]
    )


def seed_units() -> dict[str, Unit]:
    units = {}
    for key in DEMO_PROVINCES:
        province = _province(key)
        for kind in PROVINCIAL_KINDS:
            code = f"{key}-{kind}"
            units[code] = Unit.objects.get_or_create(
                code=code,
                defaults={
                    "name": unit_name(key, kind, province),
                    "kind": kind,
                    "level": UnitLevel.COMMUNE
                    if kind == AgencyKind.COMMUNE_COMMITTEE
                    else UnitLevel.PROVINCE,
                    "province": province,
                },
            )[0]
    for code, name, kind, level in NATIONAL_UNITS:
        units[code] = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "level": level}
        )[0]
    return units


def seed_users(units: dict[str, Unit], password: str) -> list[User]:
    """The named demo users, then one user per role per agency kind."""
    wanted = [(u.username, u.role, units[u.unit_code]) for u in NAMED_USERS]
    wanted.append(("demo-admin", Role.ADMINISTRATOR, None))
    for code, unit in units.items():
        for role in (Role.CASEWORKER, Role.SUPERVISOR):
            wanted.append((f"{code}-{role}", role, unit))
    wanted.append(("hotline-111-hotline_operator", Role.HOTLINE_OPERATOR, units["hotline-111"]))
    return create_users(wanted, password=password)
