"""A backup restored into an empty database reproduces every case, decrypts every value and
passes verify_audit; a tampered backup, or a backup of tampered data, fails verification."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from cases.models import Case
from security.models import AuditEvent

from ..cases.test_intake_api import CALL, post_intake

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="backups are pg_dump archives: they need PostgreSQL (DATABASE_URL)",
    ),
]


def _admin(dbname: str = "postgres", autocommit: bool = True) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        dbname=dbname,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        autocommit=autocommit,
    )


def _url(dbname: str) -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


@pytest.fixture
def empty_database():
    """Fresh empty databases on the same server, dropped afterwards."""
    names = []

    def make() -> str:
        name = f"loive_restore_{uuid.uuid4().hex[:12]}"
        with _admin() as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        names.append(name)
        return name

    yield make
    with _admin() as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(*args: str, database: str) -> subprocess.CompletedProcess:
    env = os.environ | {"DATABASE_URL": _url(database)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def _case_uuids(dbname: str) -> set[str]:
    with _admin(dbname) as db:
        return {str(row[0]) for row in db.execute("SELECT uuid FROM cases_case")}


@pytest.fixture
def backup(api, cast, tmp_path) -> Path:
    client = api(cast.hotline)
    for n in range(3):
        victim = {**CALL["victim"], "full_name": f"Nguyễn Văn {n}", "phone": f"091234500{n}"}
        response = post_intake(client, {**CALL, "victim": victim})
        assert response.status_code == 201, response.json()
    path = tmp_path / "loive.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def test_restore_reproduces_every_case_decrypts_every_value_and_the_chain_holds(
    backup, empty_database
):
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        assert sorted(archive.getnames()) == ["database.dump", "manifest.json"]
    # The key metadata, never the master key (nor the development key file's content).
    master_key = json.loads(Path(settings.LOIVE_KEY_FILE).read_text())["master_key"]
    assert master_key.encode() not in backup.read_bytes()
    assert manifest["keys"]["data_keys"]["live"] == 3
    assert manifest["cases"] == Case.objects.count() == 3
    # Sealed before the dump (the backup's own event included): the manifest's head vouches
    # for every event the intakes wrote.
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    assert manifest["audit_head"]["sequence"] == AuditEvent.objects.count()

    target = empty_database()
    result = manage("restore", str(backup), database=target)
    assert result.returncode == 0, result.stderr
    assert "3 cases" in result.stdout and "audit ledger intact" in result.stdout
    assert _case_uuids(target) == {str(u) for u in Case.objects.values_list("uuid", flat=True)}
    # The restored database is a working one: its own verify_audit passes.
    verify = manage("verify_audit", database=target)
    assert verify.returncode == 0, verify.stderr


def test_restore_refuses_a_database_that_is_not_empty(backup):
    result = manage("restore", str(backup), database=connection.settings_dict["NAME"])
    assert result.returncode != 0
    assert "not empty" in result.stderr


def _rewrite(backup: Path, out: Path, *, dump=None, manifest=None) -> Path:
    with tarfile.open(backup) as archive:
        members = {name: archive.extractfile(name).read() for name in archive.getnames()}
    if dump:
        members["database.dump"] = dump(members["database.dump"])
    if manifest:
        members["manifest.json"] = json.dumps(
            manifest(json.loads(members["manifest.json"]), members["database.dump"])
        ).encode()
    with tarfile.open(out, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out


def _flip_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def test_an_altered_dump_is_refused_before_anything_is_restored(backup, empty_database, tmp_path):
    tampered = _rewrite(backup, tmp_path / "t.backup", dump=_flip_byte)
    target = empty_database()
    result = manage("restore", str(tampered), database=target)
    assert result.returncode != 0
    assert "checksum" in result.stderr
    with _admin(target) as db:
        assert (
            db.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'").fetchone()[0]
            == 0
        )


def test_a_dump_and_manifest_altered_together_fail_the_seal(backup, empty_database, tmp_path):
    import hashlib

    def rechecksum(manifest, dump):
        manifest["database"]["sha256"] = hashlib.sha256(dump).hexdigest()
        return manifest

    tampered = _rewrite(backup, tmp_path / "t.backup", dump=_flip_byte, manifest=rechecksum)
    result = manage("restore", str(tampered), database=empty_database())
    assert result.returncode != 0
    assert "seal" in result.stderr


def test_a_backup_of_tampered_data_fails_decryption_and_the_audit_chain(backup, empty_database):
    """The restore proves the data itself: a ciphertext changed in the database and an audit
    event rewritten, then backed up by the command (so the manifest is sealed), fail."""
    first = empty_database()
    assert manage("restore", str(backup), database=first).returncode == 0
    with _admin(first) as db:
        db.execute(
            "UPDATE cases_person SET full_name = overlay(full_name placing '\\xff'::bytea "
            "from 20 for 1) WHERE id = (SELECT min(id) FROM cases_person)"
        )
        db.execute("ALTER TABLE security_auditevent DISABLE TRIGGER USER")
        db.execute(
            "UPDATE security_auditevent SET action = 'case.view' "
            "WHERE sequence = (SELECT min(sequence) FROM security_auditevent)"
        )
        db.execute("ALTER TABLE security_auditevent ENABLE TRIGGER USER")
    again = backup.with_name("again.backup")
    made = manage("backup", str(again), database=first)
    assert made.returncode == 0, made.stderr
    result = manage("restore", str(again), database=empty_database())
    assert result.returncode != 0
    assert "decryption" in result.stderr
    assert "audit ledger broken at sequence 1" in result.stderr
