from django.db import migrations


def mark_withdrawn_holdings(apps, schema_editor):
    """The holds of withdrawn referrals ended as withdrawn: their units see nothing more."""
    Referral = apps.get_model("referrals", "Referral")
    CaseHolding = apps.get_model("cases", "CaseHolding")
    withdrawn = Referral.objects.filter(status="withdrawn", holding__isnull=False)
    CaseHolding.objects.filter(
        pk__in=withdrawn.values("holding_id"), until__isnull=False
    ).update(ended_as="withdrawn")


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0002_encrypt_reason"),
        ("cases", "0003_holding_ended_as"),
    ]

    operations = [migrations.RunPython(mark_withdrawn_holdings, migrations.RunPython.noop)]
