"""Encrypt the typed justification of a legal basis (issue 9, point 4): it describes the
victim's situation, so it is encrypted under the case's data key like the other free text."""

from django.db import migrations
from django.db.models import Q, CheckConstraint

import security.fields
from security.migration_helpers import decrypt_column, encrypt_column


def encrypt(apps, schema_editor):
    encrypt_column(apps.get_model("referrals", "referral"), "justification_plain", "justification")


def decrypt(apps, schema_editor):
    decrypt_column(apps.get_model("referrals", "referral"), "justification", "justification_plain")


class Migration(migrations.Migration):
    # As in 0002: the data step in a transaction of its own (PostgreSQL pending triggers).
    atomic = False

    dependencies = [("referrals", "0004_legal_basis_from_rulebook")]

    operations = [
        migrations.RemoveConstraint(model_name="referral", name="referral_legal_basis_justified"),
        migrations.RenameField(
            model_name="referral", old_name="justification", new_name="justification_plain"
        ),
        migrations.AddField(
            model_name="referral",
            name="justification",
            field=security.fields.EncryptedTextField(
                blank=True, null=True, verbose_name="why the legal basis applies"
            ),
        ),
        migrations.RunPython(encrypt, decrypt, atomic=True),
        migrations.RemoveField(model_name="referral", name="justification_plain"),
        migrations.AddConstraint(
            model_name="referral",
            constraint=CheckConstraint(
                condition=Q(legal_basis__isnull=True) | Q(justification__isnull=False),
                name="referral_legal_basis_justified",
            ),
        ),
    ]
