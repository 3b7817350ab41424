"""A fast path to a fresh demo database: the schema from the models, not from the history.

`migrate` on an empty database replays some seventy migrations (Django's, viewflow's, axes'
and ours) and renders the models' state again after most of them; on a small machine that is
most of the time before the demo answers. An empty SQLite database needs none of that
history: this creates every table from the current models in one pass, runs the migrations'
data steps (RunPython, RunSQL: the provinces, the rulebooks, the role groups, the audit
ledger's triggers) in migration order, and records every migration as applied, so later
`migrate` runs carry on as usual. tests/demo/test_fastschema.py checks that the result is the
schema `migrate` builds.

Only `quickstart` uses it, only on SQLite and only when the database has no tables at all.
"""

from django.apps import apps as global_apps
from django.core.management.sql import emit_post_migrate_signal, emit_pre_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.operations.special import RunPython, RunSQL
from django.db.migrations.recorder import MigrationRecorder


def may_use() -> bool:
    return connection.vendor == "sqlite" and not connection.introspection.table_names()


def create_schema() -> int:
    """Build the schema of an empty SQLite database; returns how many migrations it covers."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    models = [
        model
        for model in global_apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    emit_pre_migrate_signal(0, False, connection.alias, apps=global_apps, plan=plan)
    with connection.schema_editor() as editor:  # one transaction, foreign keys checked at the end
        for model in models:
            editor.create_model(model)  # with its many-to-many tables, indexes, constraints
        MigrationRecorder(connection).ensure_schema()
        for migration, _backwards in plan:
            for operation in migration.operations:
                if isinstance(operation, RunPython):
                    operation.code(global_apps, editor)
                elif isinstance(operation, RunSQL):
                    operation.database_forwards(migration.app_label, editor, None, None)
        recorder = MigrationRecorder(connection)
        for migration, _backwards in plan:
            recorder.record_applied(migration.app_label, migration.name)
    # What migrate does last: content types and permissions (django.contrib's handlers).
    emit_post_migrate_signal(0, False, connection.alias, apps=global_apps, plan=plan)
    return len(plan)
