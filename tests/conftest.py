"""Shared fixtures: the organisation and the cast every test stands on."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from tests import cast as cast_module


@pytest.fixture
def province(db) -> Province:
    return Province.objects.get_or_create(
        code="10", defaults={"name": "Lào Cai", "abbreviation": "LC"}
    )[0]


@pytest.fixture
def make_unit(db, province):
    def make(kind: str, code: str | None = None, level: str = UnitLevel.PROVINCE, **extra) -> Unit:
        return Unit.objects.create(
            code=code or f"{kind}-{province.code}",
            name=f"{kind} {province.name}",
            kind=kind,
            level=level,
            province=extra.pop("province", province),
            **extra,
        )

    return make


@pytest.fixture
def make_user(db):
    def make(unit: Unit | None, role: str = Role.CASEWORKER, username: str | None = None):
        name = username or f"{unit.code if unit else 'admin'}-{role}"
        return create_user(username=name, password="x-Test-pass-42", role=role, unit=unit)

    return make


@pytest.fixture
def police_unit(make_unit) -> Unit:
    return make_unit(AgencyKind.POLICE)


@pytest.fixture
def demo_org(db):
    """The demo organisation: units in Lào Cai, Quảng Trị, Hà Tĩnh and national bodies."""
    from agencies import demo

    units = demo.seed_units()
    demo.seed_users(units, cast_module.PASSWORD)
    return units


@pytest.fixture
def cast(demo_org) -> cast_module.Cast:
    """The fixed cast of tests/cast.py, in the demo organisation."""
    return cast_module.seed_cast()


@pytest.fixture
def api(db):
    """`api(user)`: an API client signed in as the user with a session (tests/cast.py)."""
    return cast_module.api


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a slow password hash would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
