"""A backup restored into an empty database (and an empty documents storage) reproduces every
case and every document file, decrypts every value and every file and passes verify_audit; a
tampered backup, or a backup of tampered data or files, fails verification."""

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from backups.services import _seal
from cases.models import Case
from security.models import AuditEvent

from ..cases.test_intake_api import CALL, post_intake

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
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


def manage(*args: str, database: str, data_dir: Path) -> subprocess.CompletedProcess:
    """manage.py against `database`, with `data_dir` as its data directory (so its documents
    storage); the master key is the test's, as the operator would supply it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    key_file = data_dir / Path(settings.LOIVE_KEY_FILE).name
    if not key_file.exists():
        shutil.copy(settings.LOIVE_KEY_FILE, key_file)
    env = os.environ | {"DATABASE_URL": _url(database), "LOIVE_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def source_data_dir(settings, tmp_path) -> Path:
    """The backed-up installation's data directory: its documents storage is the test's."""
    data_dir = tmp_path / "source"
    settings.STORAGES = settings.STORAGES | {
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": data_dir / "documents"},
        }
    }
    return data_dir


def stored_files(documents: Path) -> dict[str, str]:
    """File name -> SHA-256 of every file in a documents storage directory."""
    if not documents.exists():
        return {}
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in documents.rglob("*")
        if p.is_file()
    }


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
        case_id = response.json()["case"]["id"]
        upload = SimpleUploadedFile(f"Nguyễn Văn {n}.pdf", PDF + bytes([n]) * 40)
        attached = client.post(
            f"/api/v1/cases/{case_id}/documents/",
            {"file": upload, "kind": "other"},
            format="multipart",
        )
        assert attached.status_code == 201, attached.json()
    path = tmp_path / "loive.backup"
    call_command("backup", str(path), stdout=io.StringIO())
    return path


def test_restore_reproduces_every_case_and_file_decrypts_everything_and_the_chain_holds(
    backup, empty_database, source_data_dir, tmp_path
):
    with tarfile.open(backup) as archive:
        manifest = json.loads(archive.extractfile("manifest.json").read())
        names = sorted(archive.getnames())
    originals = stored_files(source_data_dir / "documents")
    assert len(originals) == 3
    assert names == ["database.dump"] + sorted(f"documents/{n}" for n in originals) + [
        "manifest.json"
    ]
    # Each file with its checksum in the sealed manifest.
    assert {e["name"]: e["sha256"] for e in manifest["files"]} == originals
    # The key metadata, never the master key (nor the development key file's content).
    master_key = json.loads(Path(settings.LOIVE_KEY_FILE).read_text())["master_key"]
    assert master_key.encode() not in backup.read_bytes()
    assert manifest["keys"]["data_keys"]["live"] == 3
    assert manifest["cases"] == Case.objects.count() == 3
    assert manifest["format"] == "loive-backup/2"
    # Sealed before the dump (the backup's own event included): the manifest's head vouches
    # for every event the intakes wrote.
    assert not AuditEvent.objects.filter(hash__isnull=True).exists()
    assert manifest["audit_head"]["sequence"] == AuditEvent.objects.count()

    target, restored_dir = empty_database(), tmp_path / "restored"
    result = manage("restore", str(backup), database=target, data_dir=restored_dir)
    assert result.returncode == 0, result.stderr
    assert "3 cases" in result.stdout and "audit ledger intact" in result.stdout
    assert "3 document files decrypted" in result.stdout
    assert _case_uuids(target) == {str(u) for u in Case.objects.values_list("uuid", flat=True)}
    # The files are back, byte for byte, in the new installation's (empty) documents storage.
    assert stored_files(restored_dir / "documents") == originals
    # The restored database is a working one: its own verify_audit passes.
    verify = manage("verify_audit", database=target, data_dir=restored_dir)
    assert verify.returncode == 0, verify.stderr


def test_restore_refuses_a_database_that_is_not_empty(backup, tmp_path):
    result = manage(
        "restore",
        str(backup),
        database=connection.settings_dict["NAME"],
        data_dir=tmp_path / "restored",
    )
    assert result.returncode != 0
    assert "not empty" in result.stderr


def _rewrite(backup: Path, out: Path, *, dump=None, manifest=None, file=None) -> Path:
    with tarfile.open(backup) as archive:
        members = {name: archive.extractfile(name).read() for name in archive.getnames()}
    if dump:
        members["database.dump"] = dump(members["database.dump"])
    if file:
        name = min(n for n in members if n.startswith("documents/"))
        members[name] = file(members[name])
    if manifest:
        members["manifest.json"] = json.dumps(
            manifest(json.loads(members["manifest.json"]), members)
        ).encode()
    with tarfile.open(out, "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out


def _public_tables(dbname: str) -> int:
    with _admin(dbname) as db:
        return db.execute("SELECT count(*) FROM pg_tables WHERE schemaname='public'").fetchone()[0]


def _flip_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1 :]


def test_an_altered_dump_is_refused_before_anything_is_restored(backup, empty_database, tmp_path):
    tampered = _rewrite(backup, tmp_path / "t.backup", dump=_flip_byte)
    target = empty_database()
    result = manage("restore", str(tampered), database=target, data_dir=tmp_path / "restored")
    assert result.returncode != 0
    assert "checksum" in result.stderr
    assert _public_tables(target) == 0


def test_an_altered_document_file_is_refused_before_anything_is_restored(
    backup, empty_database, tmp_path
):
    tampered = _rewrite(backup, tmp_path / "t.backup", file=_flip_byte)
    target, restored_dir = empty_database(), tmp_path / "restored"
    result = manage("restore", str(tampered), database=target, data_dir=restored_dir)
    assert result.returncode != 0
    assert "document file" in result.stderr and "checksum" in result.stderr
    assert _public_tables(target) == 0
    assert stored_files(restored_dir / "documents") == {}


def _rechecksum(manifest, members):
    manifest["database"]["sha256"] = hashlib.sha256(members["database.dump"]).hexdigest()
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(members[f"documents/{entry['name']}"]).hexdigest()
    return manifest


def test_a_dump_and_manifest_altered_together_fail_the_seal(backup, empty_database, tmp_path):
    tampered = _rewrite(backup, tmp_path / "t.backup", dump=_flip_byte, manifest=_rechecksum)
    result = manage(
        "restore", str(tampered), database=empty_database(), data_dir=tmp_path / "restored"
    )
    assert result.returncode != 0
    assert "seal" in result.stderr


def test_a_file_and_manifest_altered_together_fail_the_seal(backup, empty_database, tmp_path):
    tampered = _rewrite(backup, tmp_path / "t.backup", file=_flip_byte, manifest=_rechecksum)
    restored_dir = tmp_path / "restored"
    result = manage("restore", str(tampered), database=empty_database(), data_dir=restored_dir)
    assert result.returncode != 0
    assert "seal" in result.stderr
    assert stored_files(restored_dir / "documents") == {}


def test_a_backup_of_tampered_data_fails_decryption_and_the_audit_chain(
    backup, empty_database, tmp_path
):
    """The restore proves the data itself: a ciphertext changed in the database, a document
    file changed in the storage and an audit event rewritten, then backed up by the command
    (so the manifest is sealed), fail."""
    first, first_dir = empty_database(), tmp_path / "first"
    assert manage("restore", str(backup), database=first, data_dir=first_dir).returncode == 0
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
    stored = min((first_dir / "documents").iterdir())
    stored.write_bytes(_flip_byte(stored.read_bytes()))
    again = backup.with_name("again.backup")
    made = manage("backup", str(again), database=first, data_dir=first_dir)
    assert made.returncode == 0, made.stderr
    result = manage("restore", str(again), database=empty_database(), data_dir=tmp_path / "second")
    assert result.returncode != 0
    assert "decryption" in result.stderr
    assert "document file: file of documents.Document" in result.stderr
    assert "authentication failed" in result.stderr
    assert "audit ledger broken at sequence 1" in result.stderr


def test_a_missing_document_file_fails_the_restore(backup, empty_database, tmp_path):
    """A format-1 style backup without its files: the restore finds the documents' files
    missing and says so (the database alone does not pass)."""

    def without_files(manifest, members):
        for name in [n for n in members if n.startswith("documents/")]:
            del members[name]
        manifest["files"] = []
        manifest.pop("seal")
        return manifest

    # Resealing needs the KEK: the test has it (the operator of a real backup would too).
    def resealed(manifest, members):
        body = without_files(manifest, members)
        return {**body, "seal": _seal(body)}

    stripped = _rewrite(backup, tmp_path / "t.backup", manifest=resealed)
    result = manage(
        "restore", str(stripped), database=empty_database(), data_dir=tmp_path / "restored"
    )
    assert result.returncode != 0
    assert "is missing" in result.stderr
