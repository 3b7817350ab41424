"""Shared fixtures: the organisation every test stands on."""

import pytest

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province


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
