"""The legal basis a step's handover may rest on before the victim has consented, as rule
data: verification's is urgent verification with the police (Law 53/2024/QH15 Art. 27(2)),
which the hotline's handover of a call used to name in code."""

import django.db.models.deletion
from django.db import migrations, models

VERIFICATION, URGENT_VERIFICATION = "verification", "urgent-verification"


def name_verification_basis(apps, schema_editor):
    RuleStep = apps.get_model("rulebooks", "RuleStep")
    RuleStep.objects.filter(step=VERIFICATION).update(sharing_basis_id=URGENT_VERIFICATION)


class Migration(migrations.Migration):
    dependencies = [("rulebooks", "0007_reports2_reporting_deadlines_data")]

    operations = [
        migrations.AddField(
            model_name="rulestep",
            name="sharing_basis",
            field=models.ForeignKey(
                blank=True,
                help_text=(
                    "What lets the step's handover share a case before the victim has "
                    "consented, e.g. urgent verification; empty when only consent allows it."
                ),
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rulebooks.legalbasis",
                verbose_name="legal basis to hand over without consent",
            ),
        ),
        migrations.RunPython(name_verification_basis, migrations.RunPython.noop),
    ]
