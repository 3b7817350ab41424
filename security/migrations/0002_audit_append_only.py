"""Make the audit ledger append-only in the database itself, and create its chain head."""

from django.db import migrations

from security.db import trigger_sql


def create_triggers(apps, schema_editor):
    create, _drop = trigger_sql(schema_editor.connection.vendor, version=1)
    for statement in create:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _create, drop = trigger_sql(schema_editor.connection.vendor, version=1)
    for statement in drop:
        schema_editor.execute(statement)


def create_chain_head(apps, schema_editor):
    head = apps.get_model("security", "AuditChainHead")
    head.objects.get_or_create(pk=1, defaults={"sequence": 0, "hash": "0" * 64})


class Migration(migrations.Migration):
    dependencies = [("security", "0001_initial")]

    operations = [
        migrations.RunPython(create_triggers, drop_triggers),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
