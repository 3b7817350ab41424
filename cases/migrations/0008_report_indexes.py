"""Indexes for the periodic report (issue 15): a case's first victim, the closures of a
period, the services of each kind provided in a period."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0007_perf_case_list_order")]

    operations = [
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("role", "victim")),
                fields=["case", "id"],
                name="person_first_victim",
            ),
        ),
        migrations.AddIndex(
            model_name="statechange",
            index=models.Index(fields=["transition", "at"], name="statechange_transition_at"),
        ),
        migrations.AddIndex(
            model_name="supportservice",
            index=models.Index(
                condition=models.Q(("status", "provided")),
                fields=["kind", "provided_at"],
                name="service_provided_kind_at",
            ),
        ),
    ]
