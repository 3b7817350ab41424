"""Shared fixtures: the organisation and the cast every test stands on."""

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from agencies.models import AgencyKind, Role, Unit, UnitLevel
from agencies.services import create_user
from places.models import Province
from rulebooks.selectors import forget_rulebooks
from tests import cast as cast_module


def _kept_test_db() -> Path | None:
    """`make mutate` runs the tests once per mutant: LOIVE_TEST_DB_FILE names a file for the
    SQLite test database, which `--reuse-db` reuses instead of migrating a new one each time."""
    path = os.environ.get("LOIVE_TEST_DB_FILE")
    if path and settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        return Path(path)
    return None


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> None:
    """Every run starts from the pristine copy taken after the first migration: a run's
    transactional tests flush the database and may leave it empty behind them."""
    path = _kept_test_db()
    if path is None:
        return
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(path)
    for stale in (path, path.with_name(f"{path.name}-wal"), path.with_name(f"{path.name}-shm")):
        stale.unlink(missing_ok=True)
    pristine = path.with_name(f"{path.name}.pristine")
    if pristine.exists():
        shutil.copyfile(pristine, path)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    path = _kept_test_db()
    pristine = path and path.with_name(f"{path.name}.pristine")
    if pristine and not pristine.exists():
        with django_db_blocker.unblock():
            connection.ensure_connection()
            with sqlite3.connect(pristine) as copy:
                connection.connection.backup(copy)
    yield


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
    from demo import organisation

    units = organisation.seed_units()
    organisation.seed_users(units, cast_module.PASSWORD)
    return units


@pytest.fixture
def user_named(demo_org):
    """A demo user by username, with the unit."""
    from agencies.models import User

    return lambda username: User.objects.select_related("unit").get(username=username)


@pytest.fixture
def cast(demo_org) -> cast_module.Cast:
    """The fixed cast of tests/cast.py, in the demo organisation."""
    return cast_module.seed_cast()


@pytest.fixture
def api(db):
    """`api(user)`: an API client signed in as the user with a session (tests/cast.py)."""
    return cast_module.api


@pytest.fixture(autouse=True)
def no_rulebook_remembered():
    """A test's rulebook edits are rolled back without a signal: none outlives its test."""
    forget_rulebooks()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; a slow password hash would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
