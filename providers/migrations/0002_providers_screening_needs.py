"""What an indicator found at screening suggests the victim may need: a tool's default.

Not law: the matching tool's starting table (ScreeningNeed.is_default), which an
administrator may change; the services are those of Law 53/2024/QH15 Art. 37.
"""

from django.db import migrations

SUGGESTED = {
    "abuse_of_vulnerability": ["essential_needs", "psychological"],
    "deception": ["legal_counselling"],
    "restriction_of_movement": ["essential_needs", "psychological"],
    "isolation": ["psychological"],
    "physical_sexual_violence": ["medical", "psychological"],
    "intimidation_threats": ["psychological"],
    "retention_of_documents": ["legal_counselling"],
    "withholding_of_wages": ["legal_aid"],
    "debt_bondage": ["legal_aid"],
    "abusive_conditions": ["essential_needs", "medical"],
    "excessive_overtime": ["medical"],
}


def load_needs(apps, schema_editor):
    ScreeningNeed = apps.get_model("providers", "ScreeningNeed")
    for indicator, services in SUGGESTED.items():
        for service in services:
            ScreeningNeed.objects.get_or_create(
                indicator=indicator, service=service, defaults={"is_default": True}
            )


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0001_providers_initial"),
    ]

    operations = [
        migrations.RunPython(load_needs, migrations.RunPython.noop),
    ]
