"""Backups that prove themselves: a pg_dump with the key metadata, restored and verified.

A backup is one tar file holding `database.dump` (pg_dump, custom format) and `manifest.json`:
the dump's SHA-256, the id of the key-encryption key (KEK) that wraps every data key, a digest
of the wrapped data keys (they are rows of the dump, already wrapped), the number of cases and
the audit ledger's head. The manifest is sealed by the KEK (the key provider wraps its digest),
so nobody without the master key can alter the dump and its manifest together. The master key
itself is never written: a backup is unreadable without it, by design.

A restore goes into an empty database only, then decrypts every encrypted value
(security.selectors.verify_encryption), verifies the audit hash chain (security.audit.verify_chain)
and compares the counts with the manifest. Any failure raises BackupInvalid.
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
from django.db import connection, transaction

from cases.models import Case
from security.audit import record_event, seal_pending, verify_chain
from security.crypto import DecryptionError, KeyUnavailable
from security.keys import get_key_provider
from security.models import AuditChainHead, DataKey
from security.selectors import verify_encryption

FORMAT = "loive-backup/1"
DUMP_NAME, MANIFEST_NAME = "database.dump", "manifest.json"


class BackupInvalid(Exception):
    """The backup or the database restored from it failed verification."""


@dataclass
class RestoreReport:
    cases: int = 0
    values_decrypted: int = 0
    values_erased: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)


def create_backup(out: Path, *, actor=None) -> dict:
    """Dump the database into `out` (a tar file) with its sealed manifest; return the manifest."""
    _require_postgresql()
    with transaction.atomic():
        record_event("backup.create", actor=actor, details={"file": Path(out).name})
    seal_pending()  # the dump holds a sealed ledger, this backup's own event included
    with tempfile.TemporaryDirectory(prefix="loive-backup-") as tmp:
        dump = Path(tmp) / DUMP_NAME
        _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump)], _dbname_args())
        body = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "database": {"file": DUMP_NAME, "sha256": _sha256_file(dump)},
            "keys": _key_metadata(),
            "cases": Case.objects.count(),
            "audit_head": _audit_head(),
        }
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
        partial.chmod(0o600)
        partial.replace(out)
    return manifest


def restore_backup(source: Path) -> RestoreReport:
    """Check the backup, restore it into the (empty) configured database, then verify it."""
    _require_postgresql()
    with tempfile.TemporaryDirectory(prefix="loive-restore-") as tmp:
        manifest, dump = _open_backup(Path(source), Path(tmp))
        if connection.introspection.table_names():
            raise BackupInvalid("the target database is not empty; restore into an empty one")
        connection.close()
        _run(
            ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"],
            [*_dbname_args(flag="--dbname"), str(dump)],
        )
    connection.close()
    report = verify_restored(manifest)
    if report.problems:
        raise BackupInvalid("; ".join(report.problems))
    with transaction.atomic():
        record_event("backup.restore", details={"created_at": manifest["created_at"]})
    return report


def verify_restored(manifest: dict) -> RestoreReport:
    """Decrypt every value, verify the audit chain, compare what the manifest promised."""
    report = RestoreReport(cases=Case.objects.count())
    encryption = verify_encryption()
    report.values_decrypted, report.values_erased = encryption.checked, encryption.erased
    report.problems += [f"decryption: {failure}" for failure in encryption.failures[:20]]
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


def _open_backup(source: Path, tmp: Path) -> tuple[dict, Path]:
    try:
        with tarfile.open(source) as archive:
            manifest = json.loads(archive.extractfile(MANIFEST_NAME).read())
            member = archive.getmember(DUMP_NAME)
            dump = tmp / DUMP_NAME
            with archive.extractfile(member) as src, dump.open("wb") as dst:
                shutil.copyfileobj(src, dst)
    except (tarfile.TarError, KeyError, AttributeError, ValueError) as exc:
        raise BackupInvalid(f"not a readable backup: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise BackupInvalid(f"unknown backup format {manifest.get('format')!r}")
    body = {key: value for key, value in manifest.items() if key != "seal"}
    _check_seal(body, manifest.get("seal", ""))
    if _sha256_file(dump) != manifest["database"]["sha256"]:
        raise BackupInvalid("the database dump does not match its checksum: altered or damaged")
    return manifest, dump


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
    digest = hashlib.sha256()
    with path.open("rb") as handle:
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
