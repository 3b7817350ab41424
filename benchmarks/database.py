"""The benchmark's own database, beside the configured one and of the same engine.

Migrating and loading the demo story take a minute; both depend only on the code, so they are
done once into a template (a SQLite file in the data directory, a PostgreSQL template
database) named by a hash of the migrations and the demo's code, and every run starts from a
fresh copy of it. A run never touches the working database.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg
from django.conf import settings

from security.keys import get_key_provider, index_root_key, kek_id_for

BASE_DIR = Path(settings.BASE_DIR)
_SEEDED_FROM = ("migrations", "demo", "places", "rulebooks")
_SKIPPED = {"tests", "var", "node_modules", "__pycache__", "docs", "static", "locale"}


def code_hash() -> str:
    """A hash of everything the template's content follows from: every migration and the
    demo's code and data (places and rulebooks hold data the migrations load), and the keys
    its values are encrypted and indexed under (the bench decrypts them to copy them)."""
    digest = hashlib.sha256()
    digest.update(get_key_provider().current_kek_id().encode())
    digest.update(kek_id_for(index_root_key()).encode())
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIPPED)
        parts = Path(root).relative_to(BASE_DIR).parts
        if not any(part in _SEEDED_FROM for part in parts):
            continue
        for name in sorted(files):
            if name.endswith((".py", ".json", ".yaml", ".csv")):
                digest.update(f"{root}/{name}".encode())
                digest.update((Path(root) / name).read_bytes())
    return digest.hexdigest()[:12]


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout.strip()


def _build(env: dict, url: str) -> None:
    env = {**env, "DATABASE_URL": url}
    manage(env, "migrate", "--verbosity", "0")
    manage(env, "seed_demo")


def _sqlite(env: dict, log) -> str:
    data_dir = Path(settings.DATA_DIR)
    template = data_dir / f"bench-template-{code_hash()}.sqlite3"
    if not template.exists():
        log(f"Building the benchmark template {template.name} (migrate, seed_demo; once)")
        building = template.with_suffix(f".{os.getpid()}.building")
        building.unlink(missing_ok=True)
        _build(env, f"sqlite:///{building}")
        with sqlite3.connect(building) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        os.replace(building, template)  # atomic: a parallel run sees it whole or not at all
    path = data_dir / f"bench-{os.getpid()}.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def _postgres(env: dict, current: str, log) -> str:
    config = dj_database_url.parse(current)
    base = current.rsplit("/", 1)[0]
    template = f"{config['NAME']}_bt_{code_hash()}"
    name = f"{config['NAME']}_bench"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
        if exists.fetchone() is None:
            log(f"Building the benchmark template database {template} (migrate, seed_demo; once)")
            building = f"{template}_building"
            admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{building}"')
            _build(env, f"{base}/{building}")
            admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{template}"')
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return f"{base}/{name}"


def fresh_database(env: dict, log) -> str:
    """The URL of a fresh benchmark database holding the demo story, same engine as the
    configured one."""
    current = os.environ.get("DATABASE_URL", "")
    if current.startswith("postgres"):
        return _postgres(env, current, log)
    return _sqlite(env, log)


def drop(url: str) -> None:
    """Remove the benchmark database (SQLite file; PostgreSQL database kept for inspection)."""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
