"""Audit events written unsealed and chained later by one sealer (issue 15).

Sequence and hash become nullable (an unsealed event has neither); the triggers move from V1
(no update at all) to V2 (only the sealing update of an unsealed row). Events already written
are sealed and stay as they are.
"""

from django.db import migrations, models

from security.db import trigger_sql


def _run(statements, schema_editor):
    for statement in statements:
        schema_editor.execute(statement)


def drop_v1(apps, schema_editor):
    _run(trigger_sql(schema_editor.connection.vendor, version=1)[1], schema_editor)


def create_v1(apps, schema_editor):
    _run(trigger_sql(schema_editor.connection.vendor, version=1)[0], schema_editor)


def create_v2(apps, schema_editor):
    _run(trigger_sql(schema_editor.connection.vendor, version=2)[0], schema_editor)


def drop_v2(apps, schema_editor):
    _run(trigger_sql(schema_editor.connection.vendor, version=2)[1], schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('security', '0003_api_token_proxy'),
    ]

    operations = [
        migrations.RunPython(drop_v1, create_v1),
        migrations.AlterModelOptions(
            name='auditevent',
            options={'ordering': ['id'], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
        migrations.RemoveIndex(
            model_name='auditevent',
            name='security_au_case_uu_068481_idx',
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='prev_hash',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.AlterField(
            model_name='auditevent',
            name='sequence',
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(fields=['case_uuid', 'id'], name='security_audit_case_id'),
        ),
        migrations.AddIndex(
            model_name='auditevent',
            index=models.Index(condition=models.Q(('hash__isnull', True)), fields=['id'], name='security_audit_unsealed'),
        ),
        migrations.RunPython(create_v2, drop_v2),
    ]
