"""Who is a child, as rulebook data: anyone under 18 (Law on Children 102/2016/QH13 Art. 1)."""

from django.db import migrations, models

CHILDREN_LAW = "Law on Children 102/2016/QH13 Art. 1"


class Migration(migrations.Migration):
    dependencies = [("workflows", "0003_caseprocess_casetask")]

    operations = [
        migrations.AddField(
            model_name="rulebook",
            name="child_age",
            field=models.PositiveSmallIntegerField(
                default=18,
                help_text="A person younger than this is a child.",
                verbose_name="child age limit",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="rulebook",
            name="child_age_citation",
            field=models.CharField(
                default=CHILDREN_LAW, max_length=300, verbose_name="legal source of the child age"
            ),
            preserve_default=False,
        ),
    ]
