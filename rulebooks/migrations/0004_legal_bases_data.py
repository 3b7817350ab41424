"""The closed list of legal bases to share a victim's data without consent, with citations.

Each basis is law (its citation); who may invoke it after the victim refused or withdrew
consent is not set by law: those role and agency-kind lists are configurable defaults
(override_is_default=True), changed by an administrator, never presented as law.
"""

from django.db import migrations

CASEWORKER, SUPERVISOR = "caseworker", "supervisor"
POLICE, BORDER_GUARD, COAST_GUARD = "police", "border_guard", "coast_guard"
LABOUR_SOCIAL, HEALTH = "labour_social", "health_department"
FOREIGN_AFFAIRS, STEERING = "foreign_affairs", "steering_committee"

LEGAL_BASES = [
    {
        "code": "urgent-verification",
        "title": "Urgent verification of a report with the police (initial reception)",
        "citation": "Law 53/2024/QH15 Art. 27(2); Joint Circular 01/2014 (qcph-2548)",
        "override_roles": [CASEWORKER, SUPERVISOR],
        "override_kinds": [POLICE, BORDER_GUARD, COAST_GUARD],
    },
    {
        "code": "notify-social-protection",
        "title": "Duty to bring the person to the commune and notify the social-protection body",
        "citation": "Law 53/2024/QH15 Art. 27(1); Law 66/2011/QH12 (qcph-2548)",
        "override_roles": [SUPERVISOR],
        "override_kinds": [POLICE, BORDER_GUARD, COAST_GUARD, LABOUR_SOCIAL, HEALTH],
    },
    {
        "code": "child-protection",
        "title": "Protection of a child (a person under 18) at risk of harm",
        "citation": "Law on Children 102/2016/QH13, Chapter IV (child protection)",
        "override_roles": [CASEWORKER, SUPERVISOR],
        "override_kinds": [POLICE, BORDER_GUARD, LABOUR_SOCIAL, HEALTH],
    },
    {
        "code": "crime-report",
        "title": "Receiving and verifying a report of the crime",
        "citation": "Criminal Procedure Code 2015 Art. 145",
        "override_roles": [CASEWORKER, SUPERVISOR],
        "override_kinds": [POLICE, BORDER_GUARD],
    },
    {
        "code": "repatriation-abroad",
        "title": "Verification of citizenship and repatriation of a victim abroad",
        "citation": "Law 53/2024/QH15; Decree 162/2025/NĐ-CP; Decree 62/2012/NĐ-CP (qcph-2548)",
        "override_roles": [SUPERVISOR],
        "override_kinds": [FOREIGN_AFFAIRS, BORDER_GUARD, POLICE],
    },
]


def add(apps, schema_editor):
    LegalBasis = apps.get_model("rulebooks", "LegalBasis")
    for basis in LEGAL_BASES:
        LegalBasis.objects.update_or_create(
            code=basis["code"], defaults={**basis, "override_is_default": True}
        )


def remove(apps, schema_editor):
    apps.get_model("rulebooks", "LegalBasis").objects.filter(
        code__in=[b["code"] for b in LEGAL_BASES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("rulebooks", "0003_legal_bases")]

    operations = [migrations.RunPython(add, remove)]
