"""Security tests: a test-only app with encrypted models, and fresh keys for every test."""

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from security.crypto import new_key
from security.keys import encode_key
from security.services import create_data_key

TEST_APP = "tests.security.testapp"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Install the test app for the session and create its tables (it has no migrations)."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, TEST_APP]):
        with django_db_blocker.unblock():
            existing = set(connection.introspection.table_names())
            with connection.schema_editor() as editor:
                for model in apps.get_app_config("security_testapp").get_models():
                    if model._meta.db_table not in existing:
                        editor.create_model(model)
        yield


@pytest.fixture(autouse=True)
def keys(settings):
    """Random master and index keys per test; never the developer's key file."""
    settings.LOIVE_MASTER_KEY = encode_key(new_key())
    settings.LOIVE_OLD_MASTER_KEYS = []
    settings.LOIVE_INDEX_KEY = encode_key(new_key())
    settings.LOIVE_REQUIRE_MASTER_KEY = False
    return settings


@pytest.fixture
def make_victim(db):
    from tests.security.testapp.models import Victim

    def make(**values) -> Victim:
        values.setdefault("full_name", "Nguyễn Thị Lan")
        return Victim.objects.create(data_key=create_data_key(), **values)

    return make
