"""quickstart's fast path to a new SQLite database builds the schema `migrate` builds."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# viewflow's migrations leave the task_previous link columns typed INTEGER where the model
# says bigint; in SQLite both are the same integer affinity.
SAME_IN_SQLITE = {
    ("viewflow_task_previous", "from_task_id"),
    ("viewflow_task_previous", "to_task_id"),
}


def _build(data_dir: Path, code: str) -> Path:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env |= {"LOIVE_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}
    command = [sys.executable, "-c", f"import django; django.setup(); {code}"]
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)
    return data_dir / "loive.sqlite3"


def _schema(path: Path) -> dict:
    db = sqlite3.connect(path)
    found = {}
    for name, kind, sql in db.execute(
        "SELECT name, type, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
    ):
        if kind == "table":
            columns = {
                (row[1], "bigint" if (name, row[1]) in SAME_IN_SQLITE else row[2], row[3], row[5])
                for row in db.execute(f'PRAGMA table_info("{name}")')
            }
            keys = {row[2:5] for row in db.execute(f'PRAGMA foreign_key_list("{name}")')}
            found[(kind, name)] = (columns, keys)
        elif kind == "index":
            columns = [row[2] for row in db.execute(f'PRAGMA index_info("{name}")')]
            found[(kind, name)] = (columns, " ".join((sql or "").split()))
        else:
            found[(kind, name)] = " ".join((sql or "").split())
    for query in (
        "SELECT app, name FROM django_migrations",
        "SELECT app_label, model FROM django_content_type",
        "SELECT c.app_label, c.model, p.codename FROM auth_permission p "
        "JOIN django_content_type c ON c.id = p.content_type_id",
        "SELECT name FROM auth_group",
        "SELECT code, name, valid_from, valid_until, merged_into_id FROM places_province",
        "SELECT rulebook_id, step, version, responsible_kinds, deadline, citation "
        "FROM rulebooks_rulestep",
        "SELECT rulebook_id, beneficiary, service, citation FROM rulebooks_serviceeligibility",
    ):
        found[query] = sorted(db.execute(query).fetchall())
    return found


def test_the_fast_path_builds_the_schema_and_data_migrate_builds(tmp_path):
    migrated = _build(
        tmp_path / "migrate",
        "from django.core.management import call_command; call_command('migrate', verbosity=0)",
    )
    fast = _build(
        tmp_path / "fast",
        "from demo import fastschema; assert fastschema.may_use(); fastschema.create_schema(); "
        "assert not fastschema.may_use()",
    )
    expected, built = _schema(migrated), _schema(fast)
    assert len(expected) > 150
    assert {k: v for k, v in built.items() if expected.get(k) != v} == {}
    assert set(built) == set(expected)
