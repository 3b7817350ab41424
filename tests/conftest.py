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


@pytest.fixture
def api_for(db):
    """An API client signed in with a real token, as the given user."""
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    def make(user) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}", HTTP_ACCEPT_LANGUAGE="en")
        return client

    return make


@pytest.fixture
def demo_org(db):
    """The demo organisation: units in Lào Cai, Quảng Trị, Hà Tĩnh and national bodies."""
    from demo import organisation

    units = organisation.seed_units()
    organisation.seed_users(units, "x-Test-pass-42")
    return units


@pytest.fixture
def user_named(demo_org):
    from agencies.models import User

    return lambda username: User.objects.select_related("unit").get(username=username)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a slow password hash would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
