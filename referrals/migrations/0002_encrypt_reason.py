"""Encrypt a referral's rejection or withdrawal reason (issue 9, point 4): referrals become
encrypted records under the case's data key."""

import django.db.models.deletion
from django.db import migrations, models

import security.fields
from security.migration_helpers import decrypt_column, encrypt_column, fill_record_keys


def encrypt(apps, schema_editor):
    referral = apps.get_model("referrals", "referral")
    fill_record_keys(referral)
    encrypt_column(referral, "reason_plain", "reason")


def decrypt(apps, schema_editor):
    decrypt_column(apps.get_model("referrals", "referral"), "reason", "reason_plain")


class Migration(migrations.Migration):
    # On PostgreSQL the rows written by the data step leave deferred foreign-key checks
    # pending, and a table with pending trigger events cannot be altered in the same
    # transaction: each operation commits on its own (the data step in one transaction).
    atomic = False

    dependencies = [
        ("referrals", "0001_initial"),
        ("cases", "0002_encrypt_free_text"),
        ("security", "0002_audit_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="data_key",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="security.datakey",
            ),
        ),
        migrations.RenameField(model_name="referral", old_name="reason", new_name="reason_plain"),
        migrations.AddField(
            model_name="referral",
            name="reason",
            field=security.fields.EncryptedCharField(
                blank=True,
                max_length=500,
                null=True,
                verbose_name="reason for rejecting or withdrawing",
            ),
        ),
        migrations.RunPython(encrypt, decrypt, atomic=True),
        migrations.RemoveField(model_name="referral", name="reason_plain"),
        migrations.AlterField(
            model_name="referral",
            name="data_key",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="security.datakey",
            ),
        ),
    ]
