"""Holdings carry their case's received_at, the case list's order (issue 15): added empty,
filled from the cases, then required."""

from django.db import migrations, models

FILL = (
    'UPDATE "cases_caseholding" SET "case_received_at" = (SELECT "cases_case"."received_at"'
    ' FROM "cases_case" WHERE "cases_case"."id" = "cases_caseholding"."case_id")'
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_intake_taker_case"),
    ]

    operations = [
        migrations.AddField(
            model_name="caseholding",
            name="case_received_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="caseholding",
            name="case_received_at",
            field=models.DateTimeField(editable=False),
        ),
        migrations.AddIndex(
            model_name="caseholding",
            index=models.Index(
                condition=models.Q(("ended_as__in", ["", "completed", "handed_over"])),
                fields=["unit", "-case_received_at", "-case"],
                name="holding_sighted_list_order",
            ),
        ),
    ]
