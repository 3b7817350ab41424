"""A referral's legal basis becomes a code from the rulebook's closed list, plus a typed
justification (the former free text is kept as the justification).

Referrals recorded before the closed list existed, on a free-text basis, are linked to an
inactive basis `legacy-free-text` (never offered for new referrals), so nothing is lost and
the constraints hold.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

LEGACY = "legacy-free-text"


def link_legacy(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    LegalBasis = apps.get_model("rulebooks", "LegalBasis")
    legacy = Referral.objects.filter(consent__isnull=True)
    if not legacy.exists():
        return
    LegalBasis.objects.get_or_create(
        code=LEGACY,
        defaults={
            "title": "Free-text legal basis recorded before the closed list",
            "citation": "(see the referral's justification)",
            "override_roles": [],
            "override_kinds": [],
            "override_is_default": True,
            "is_active": False,
        },
    )
    legacy.update(legal_basis_id=LEGACY)
    legacy.filter(justification="").update(justification="(not recorded)")


def unlink_legacy(apps, schema_editor):
    apps.get_model("referrals", "Referral").objects.update(legal_basis=None)


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0003_withdrawn_holdings"),
        ("rulebooks", "0004_legal_bases_data"),
        ("cases", "0004_consent_recipient_purpose_unit_informed"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="referral", name="referral_consent_or_legal_basis"),
        migrations.RenameField(
            model_name="referral", old_name="legal_basis", new_name="justification"
        ),
        migrations.AlterField(
            model_name="referral",
            name="justification",
            field=models.TextField(blank=True, verbose_name="why the legal basis applies"),
        ),
        migrations.AddField(
            model_name="referral",
            name="legal_basis",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rulebooks.legalbasis",
                verbose_name="legal basis to share without consent",
            ),
        ),
        migrations.AddField(
            model_name="referral",
            name="consent_override",
            field=models.BooleanField(
                default=False,
                verbose_name=(
                    "shared on a legal basis after the victim refused or withdrew consent"
                ),
            ),
        ),
        migrations.RunPython(link_legacy, unlink_legacy),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=Q(consent__isnull=False) | Q(legal_basis__isnull=False),
                name="referral_consent_or_legal_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="referral",
            constraint=models.CheckConstraint(
                condition=Q(legal_basis__isnull=True) | ~Q(justification=""),
                name="referral_legal_basis_justified",
            ),
        ),
    ]
