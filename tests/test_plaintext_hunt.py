"""A plaintext hunt: no seeded name, phone or ID number in a pg_dump or the application log."""

import shutil
import subprocess

import pytest
from django.conf import settings
from django.db import connection

from demo.stories import seed_story, seeded_secrets


def _seeded_secrets(world) -> list[str]:
    secrets = seeded_secrets(world)
    phones = [s for s in secrets if s.startswith("09")]
    return [*secrets, *(f"+84{p[1:]}" for p in phones)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not installed")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_identity_in_a_database_dump_or_the_log(demo_org):
    world = seed_story()
    db = connection.settings_dict
    dump = subprocess.run(
        [
            "pg_dump",
            "-h",
            db["HOST"] or "127.0.0.1",
            "-p",
            str(db["PORT"] or 5432),
            "-U",
            db["USER"],
            db["NAME"],
        ],
        capture_output=True,
        check=True,
        env={"PGPASSWORD": db["PASSWORD"] or ""},
    ).stdout.decode("utf-8", "replace")
    assert "COPY public.cases_person" in dump
    log = (settings.DATA_DIR / "loive.log").read_text(errors="replace")
    for secret in _seeded_secrets(world):
        assert secret not in dump, "a seeded value is in the dump"
        assert secret not in log, "a seeded value is in the log"
