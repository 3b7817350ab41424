"""Encrypt free text about a victim or a case (issue 9, point 4).

Support service notes, stage change reasons and a person's relationship to the victim move
from clear columns to encrypted fields under the case's data key; services and stage changes
become encrypted records (uuid + data key) like the other records of a case.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models

import security.fields
from security.migration_helpers import decrypt_column, encrypt_column, fill_record_keys

# model, field, max_length, verbose name
FREE_TEXT = [
    ("supportservice", "note", 500, "note"),
    ("statechange", "reason", 500, None),
    ("person", "relationship", 64, "relationship to the victim"),
]
NEW_RECORDS = ["supportservice", "statechange"]


def encrypt(apps, schema_editor):
    for name in NEW_RECORDS:
        fill_record_keys(apps.get_model("cases", name))
    for name, field, *_ in FREE_TEXT:
        encrypt_column(apps.get_model("cases", name), f"{field}_plain", field)


def decrypt(apps, schema_editor):
    for name, field, *_ in FREE_TEXT:
        decrypt_column(apps.get_model("cases", name), field, f"{field}_plain")


def _record_fields(name):
    return [
        migrations.AddField(
            model_name=name,
            name="uuid",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name=name,
            name="data_key",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="security.datakey",
            ),
        ),
    ]


def _final_record_fields(name):
    return [
        migrations.AlterField(
            model_name=name,
            name="uuid",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
        migrations.AlterField(
            model_name=name,
            name="data_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="security.datakey",
            ),
        ),
    ]


class Migration(migrations.Migration):
    # On PostgreSQL the rows written by the data step leave deferred foreign-key checks
    # pending, and a table with pending trigger events cannot be altered in the same
    # transaction: each operation commits on its own (the data step in one transaction).
    atomic = False

    dependencies = [
        ("cases", "0001_initial"),
        ("security", "0002_audit_append_only"),
    ]

    operations = [
        *[op for name in NEW_RECORDS for op in _record_fields(name)],
        *[
            op
            for name, field, length, verbose_name in FREE_TEXT
            for op in (
                migrations.RenameField(model_name=name, old_name=field, new_name=f"{field}_plain"),
                migrations.AddField(
                    model_name=name,
                    name=field,
                    field=security.fields.EncryptedCharField(
                        blank=True,
                        max_length=length,
                        null=True,
                        verbose_name=verbose_name,
                    ),
                ),
            )
        ],
        migrations.RunPython(encrypt, decrypt, atomic=True),
        *[
            migrations.RemoveField(model_name=name, name=f"{field}_plain")
            for name, field, *_ in FREE_TEXT
        ],
        *[op for name in NEW_RECORDS for op in _final_record_fields(name)],
        # New rows default to "" (encrypted like any value); a database default would have
        # to be ciphertext, so the default is set only now, after the columns exist.
        *[
            migrations.AlterField(
                model_name=name,
                name=field,
                field=security.fields.EncryptedCharField(
                    blank=True,
                    default="",
                    max_length=length,
                    null=True,
                    verbose_name=verbose_name,
                ),
            )
            for name, field, length, verbose_name in FREE_TEXT
        ],
    ]
