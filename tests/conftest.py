"""Shared fixtures: the organisation every test stands on."""

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from security.two_factor import SECOND_FACTOR_ROLES


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


def signed_in(user, *, second_factor: bool = True) -> APIClient:
    """An API client signed in as a person does: a session, and for supervisors and
    administrators a verified second factor (a confirmed TOTP device bound to the session,
    as django_otp.login does). Integration accounts use tokens: see tests/security."""
    client = APIClient()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if second_factor and (user.role in SECOND_FACTOR_ROLES or user.is_superuser):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        device = device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.credentials(HTTP_ACCEPT_LANGUAGE="en")
    return client


@pytest.fixture
def api_for(db):
    """An API client signed in with a session (two factors where the role needs them)."""
    return signed_in


@pytest.fixture
def demo_org(db):
    """The demo organisation: units in Lào Cai, Quảng Trị, Hà Tĩnh and national bodies."""
    from agencies import demo

    units = demo.seed_units()
    demo.seed_users(units, "x-Test-pass-42")
    return units


@pytest.fixture
def user_named(demo_org):
    from agencies.models import User

    return lambda username: User.objects.select_related("unit").get(username=username)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a slow password hash would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
