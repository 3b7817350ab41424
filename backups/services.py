"""Backups that prove themselves: a pg_dump with the key metadata, restored and verified.

A backup (format 2) is one tar file holding `database.dump` (pg_dump, custom format), every
encrypted document file under `documents/` (as stored: ciphertext, sealed under its case's data
key by security.blobs) and `manifest.json`: the dump's SHA-256, each file's name, size and
SHA-256, the id of the key-encryption key (KEK) that wraps every data key, a digest of the
wrapped data keys (they are rows of the dump, already wrapped), the number of cases and the
audit ledger's head. The dump and the list of files are taken from one snapshot of the database
(pg_dump --snapshot), so a document attached meanwhile is in both or in neither. The manifest is
sealed by the KEK (the key provider wraps its digest), so nobody without the master key can
alter the dump, the files and the manifest together. The master key itself is never written: a
backup is unreadable without it, by design.

A restore checks every checksum before it writes anything, goes into an empty database only,
writes the document files back into the documents storage, then decrypts every encrypted value
(security.selectors.verify_encryption) and every document file (security.blobs.open_file),
verifies the audit hash chain (security.audit.verify_chain) and compares the counts with the
manifest. Any failure raises BackupInvalid.
"""

import base64
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection, transaction

from cases.models import Case
from documents.models import Document
from security.audit import record_event, seal_pending, verify_chain
from security.blobs import open_file
from security.crypto import DataErased, DecryptionError, KeyUnavailable
from security.keys import get_key_provider
from security.models import AuditChainHead, DataKey
from security.selectors import verify_encryption

FORMAT = "loive-backup/2"
# Format 1 (the database only) is still restored; its documents, if any, must already be in
# the storage, or the file check fails.
READABLE_FORMATS = ("loive-backup/1", FORMAT)
DUMP_NAME, MANIFEST_NAME, FILES_DIR = "database.dump", "manifest.json", "documents"


class BackupInvalid(Exception):
    """The backup or the database restored from it failed verification."""


@dataclass
class RestoreReport:
    cases: int = 0
    values_decrypted: int = 0
    values_erased: int = 0
    files_decrypted: int = 0
    files_erased: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)


def create_backup(out: Path, *, actor=None) -> dict:
    """Dump the database and copy every document file into `out` (a tar file) with its
    sealed manifest; return the manifest."""
    _require_postgresql()
    if connection.in_atomic_block:
        raise BackupInvalid("a backup takes its own snapshot: not inside a transaction")
    with transaction.atomic():
        record_event("backup.create", actor=actor, details={"file": Path(out).name})
    seal_pending()  # the dump holds a sealed ledger, this backup's own event included
    with tempfile.TemporaryDirectory(prefix="loive-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAME
        with transaction.atomic():
            # One snapshot for the dump, the list of files, the counts and the key metadata.
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot()")
                (snapshot,) = cursor.fetchone()
            _run(
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}"]
                + ["--file", str(dump)],
                _dbname_args(),
            )
            names = list(Document.objects.order_by("pk").values_list("storage_name", flat=True))
            body = {
                "format": FORMAT,
                "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
                "database": {"file": DUMP_NAME, "sha256": _sha256_file(dump)},
                "keys": _key_metadata(),
                "cases": Case.objects.count(),
                "audit_head": _audit_head(),
            }
        files = _copy_files(names, Path(tmp) / FILES_DIR)
        body["files"] = [
            {"name": name, "size": path.stat().st_size, "sha256": _sha256_file(path)}
            for name, path in files
        ]
        manifest = {**body, "seal": _seal(body)}
        data = json.dumps(manifest, indent=2, sort_keys=True).encode()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            info = tarfile.TarInfo(MANIFEST_NAME)
            info.size, info.mode = len(data), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=DUMP_NAME)
            for name, path in files:
                archive.add(path, arcname=f"{FILES_DIR}/{name}")
        partial.chmod(0o600)
        partial.replace(out)
    return manifest


def _copy_files(names: list[str], into: Path) -> list[tuple[str, Path]]:
    """Each document's stored file (ciphertext), copied out of the documents storage."""
    storage = storages["documents"]
    into.mkdir()
    copied = []
    for n, name in enumerate(names):
        path = into / f"{n}.bin"
        try:
            with storage.open(name, "rb") as src, path.open("wb") as dst:
                shutil.copyfileobj(src, dst)
        except OSError as exc:
            raise BackupInvalid(f"document file {name} cannot be read: {exc}") from None
        copied.append((name, path))
    return copied


def restore_backup(source: Path) -> RestoreReport:
    """Check the backup, restore it into the (empty) configured database and the documents
    storage, then verify it."""
    _require_postgresql()
    with tempfile.TemporaryDirectory(prefix="loive-restore-") as tmp:
        manifest, dump, files = _open_backup(Path(source), Path(tmp))
        if connection.introspection.table_names():
            raise BackupInvalid("the target database is not empty; restore into an empty one")
        _check_storage(files)
        connection.close()
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"],
            [*_dbname_args(flag="--dbname"), str(dump)],
        )
        _write_files(files)
    connection.close()
    report = verify_restored(manifest)
    if report.problems:
        raise BackupInvalid("; ".join(report.problems))
    with transaction.atomic():
        record_event("backup.restore", details={"created_at": manifest["created_at"]})
    return report


def _check_storage(files: list[tuple[dict, Path]]) -> None:
    """A file already in the storage under a backed-up name must be that very file."""
    storage = storages["documents"]
    for entry, _path in files:
        if storage.exists(entry["name"]):
            with storage.open(entry["name"], "rb") as held:
                if _sha256_stream(held) != entry["sha256"]:
                    raise BackupInvalid(
                        f"the documents storage already holds another file named {entry['name']}"
                    )


def _write_files(files: list[tuple[dict, Path]]) -> None:
    storage = storages["documents"]
    for entry, path in files:
        if storage.exists(entry["name"]):
            continue  # the same file (checked before the restore)
        with path.open("rb") as handle:
            saved = storage.save(entry["name"], File(handle))
        if saved != entry["name"]:
            raise BackupInvalid(f"the documents storage renamed {entry['name']} to {saved}")


def verify_restored(manifest: dict) -> RestoreReport:
    """Decrypt every value, verify the audit chain, compare what the manifest promised."""
    report = RestoreReport(cases=Case.objects.count())
    encryption = verify_encryption()
    report.values_decrypted, report.values_erased = encryption.checked, encryption.erased
    report.problems += [f"decryption: {failure}" for failure in encryption.failures[:20]]
    _verify_files(manifest, report)
    chain = verify_chain()
    report.audit_events = chain.checked
    if not chain.ok:
        report.problems.append(
            f"audit ledger broken at sequence {chain.broken_sequence}: {chain.problem}"
        )
    if report.cases != manifest["cases"]:
        report.problems.append(f"{report.cases} cases restored, {manifest['cases']} backed up")
    if _key_metadata() != manifest["keys"]:
        report.problems.append("the data keys differ from the backup's key metadata")
    if _audit_head() != manifest["audit_head"]:
        report.problems.append("the audit ledger's head differs from the backup's")
    return report


def _verify_files(manifest: dict, report: RestoreReport) -> None:
    """Every document's file is in the storage, is the file backed up, and decrypts."""
    storage = storages["documents"]
    backed_up = {entry["name"]: entry["sha256"] for entry in manifest.get("files", [])}
    failures = []
    for document in Document._base_manager.select_related("data_key").order_by("pk"):
        name = document.storage_name
        try:
            with storage.open(name, "rb") as handle:
                stored = handle.read()
        except OSError:
            failures.append(f"document {document.uuid}: its file {name} is missing")
            continue
        if name in backed_up and hashlib.sha256(stored).hexdigest() != backed_up[name]:
            failures.append(f"document {document.uuid}: its file differs from the backup's")
            continue
        try:
            open_file(document, stored)
            report.files_decrypted += 1
        except DataErased:
            report.files_erased += 1
        except DecryptionError as exc:
            failures.append(f"document file: {exc}")
    report.problems += failures[:20]


def _open_backup(source: Path, tmp: Path) -> tuple[dict, Path, list[tuple[dict, Path]]]:
    """The manifest (its seal checked), the dump and the document files, every checksum
    verified; nothing is written to the database or the storage before this passes."""
    try:
        with tarfile.open(source) as archive:
            manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())
            if manifest.get("format") not in READABLE_FORMATS:
                raise BackupInvalid(f"unknown backup format {manifest.get('format')!r}")
            body = {key: value for key, value in manifest.items() if key != "seal"}
            _check_seal(body, manifest.get("seal", ""))
            dump = tmp / DUMP_NAME
            _extract(archive, DUMP_NAME, dump)
            files = []
            (tmp / FILES_DIR).mkdir()
            for n, entry in enumerate(manifest.get("files", [])):
                path = tmp / FILES_DIR / f"{n}.bin"
                _extract(archive, f"{FILES_DIR}/{entry['name']}", path)
                files.append((entry, path))
    except (tarfile.TarError, KeyError, AttributeError, ValueError, TypeError) as exc:
        raise BackupInvalid(f"not a readable backup: {exc}") from None
    if _sha256_file(dump) != manifest["database"]["sha256"]:
        raise BackupInvalid("the database dump does not match its checksum: altered or damaged")
    for entry, path in files:
        if path.stat().st_size != entry["size"] or _sha256_file(path) != entry["sha256"]:
            raise BackupInvalid(
                f"the document file {entry['name']} does not match its checksum: altered or damaged"
            )
    return manifest, dump, files


def _extract(archive: tarfile.TarFile, name: str, path: Path) -> None:
    member = archive.getmember(name)
    if not member.isfile():
        raise BackupInvalid(f"{name} in the backup is not a file")
    with archive.extractfile(member) as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)


def _digest(body: dict) -> bytes:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()


def _seal(body: dict) -> str:
    kek_id, sealed = get_key_provider().wrap(_digest(body))
    assert kek_id == body["keys"]["kek_id"]
    return base64.b64encode(sealed).decode()


def _check_seal(body: dict, seal: str) -> None:
    kek_id = body.get("keys", {}).get("kek_id", "")
    try:
        opened = get_key_provider().unwrap(kek_id, base64.b64decode(seal))
    except (DecryptionError, KeyUnavailable, ValueError) as exc:
        raise BackupInvalid(f"the manifest's seal does not verify: {exc}") from None
    if opened != _digest(body):
        raise BackupInvalid("the manifest does not match its seal: altered")


def _key_metadata() -> dict:
    """Which KEK wraps the data keys and a digest of the wrapped keys; never a key itself."""
    digest = hashlib.sha256()
    counts = {"live": 0, "destroyed": 0}
    for key in DataKey.objects.order_by("pk").iterator(chunk_size=2000):
        digest.update(f"{key.pk}:{key.kek_id}:".encode() + bytes(key.wrapped_key or b""))
        counts["destroyed" if key.destroyed_at else "live"] += 1
    return {
        "kek_id": get_key_provider().current_kek_id(),
        "data_keys": counts,
        "wrapped_keys_sha256": digest.hexdigest(),
    }


def _audit_head() -> dict:
    head = AuditChainHead.objects.filter(pk=1).first()
    return {"sequence": head.sequence, "hash": head.hash} if head else {"sequence": 0, "hash": ""}


def _sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return _sha256_stream(handle)


def _sha256_stream(handle) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def _require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupInvalid("backups need PostgreSQL (pg_dump); this database is not")


def _dbname_args(flag: str = "--dbname") -> list[str]:
    """libpq connection arguments for the configured database; the password goes through the
    environment (_run), never the command line."""
    db = settings.DATABASES["default"]
    args = [f"{flag}={db['NAME']}"]
    if db.get("HOST"):
        args.append(f"--host={db['HOST']}")
    if db.get("PORT"):
        args.append(f"--port={db['PORT']}")
    if db.get("USER"):
        args.append(f"--username={db['USER']}")
    return args


def _run(command: list[str], args: list[str]) -> None:
    program = shutil.which(command[0])
    if program is None:
        raise BackupInvalid(f"{command[0]} is not installed")
    env = os.environ.copy()
    password = settings.DATABASES["default"].get("PASSWORD")
    if password:
        env["PGPASSWORD"] = password
    # pg_dump / pg_restore found on PATH, with the configured database's name and address.
    result = subprocess.run(  # noqa: S603
        [program, *command[1:], *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise BackupInvalid(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")
