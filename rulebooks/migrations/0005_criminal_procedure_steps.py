"""The time limits of criminal proceedings against trafficking, as rule steps with citations.

The Criminal Procedure Code 2015 (101/2015/QH13, in force 2018-01-01) sets them; before it the
2003 Code (19/2003/QH11) set the same figures, so the qcph-2548 rulebook carries a version 1
citing the 2003 Code and a version 2 citing the 2015 Code. Trafficking in persons (Penal Code
2015 Art. 150, 151) is a very serious or particularly serious crime, so the longest limits for
those crimes apply. Where the law counts in months, the figure in days is our conversion and
so a configurable default (is_default=True), never shown as law.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations, models

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DAY = timedelta(days=1)
CPC_2003 = "Criminal Procedure Code 2003 (19/2003/QH11)"
CPC_2015 = "Criminal Procedure Code 2015 (101/2015/QH13)"
INVESTIGATING_KINDS = ["police", "border_guard", "coast_guard"]

# step → (kinds, deadline, wording, is_default, article of the 2003 Code, of the 2015 Code)
STEPS = {
    "tip_resolution": (
        INVESTIGATING_KINDS,
        20 * DAY,
        "within 20 days of receiving the tip, report or petition",
        False,
        "Art. 103(2)",
        "Art. 147(1)",
    ),
    "tip_resolution_extended": (
        INVESTIGATING_KINDS,
        60 * DAY,
        "up to 02 months when the matter is complex or verified in many places (counted as 60 days)",
        True,
        "Art. 103(2)",
        "Art. 147(2)",
    ),
    "investigation": (
        INVESTIGATING_KINDS,
        120 * DAY,
        "not more than 04 months for very serious and particularly serious crimes, from the "
        "opening decision to the end of the investigation (counted as 120 days)",
        True,
        "Art. 119(1)",
        "Art. 172(1)",
    ),
    "prosecution_decision": (
        ["procuracy"],
        30 * DAY,
        "within 30 days of receiving the file, for very serious and particularly serious crimes",
        False,
        "Art. 166(1)",
        "Art. 240",
    ),
    "trial": (
        ["court"],
        75 * DAY,
        "02 months to prepare the trial of a very serious crime, then the trial within 15 days "
        "of the decision to bring it (counted as 75 days)",
        True,
        "Art. 176",
        "Art. 277",
    ),
}
# rulebook → [(version, in force from, code, which article column)]
VERSIONS = {
    "qcph-2548": [(1, date(2012, 1, 1), CPC_2003, 4), (2, date(2018, 1, 1), CPC_2015, 5)],
    "law-2024": [(1, date(2025, 7, 1), CPC_2015, 5)],
}


def load_steps(apps, schema_editor):
    RuleStep = apps.get_model("rulebooks", "RuleStep")
    for rulebook, versions in VERSIONS.items():
        for version, first_day, code, column in versions:
            for step, row in STEPS.items():
                kinds, deadline, wording, is_default = row[:4]
                RuleStep.objects.create(
                    rulebook_id=rulebook,
                    step=step,
                    version=version,
                    responsible_kinds=kinds,
                    responsible_level="province",
                    deadline=deadline,
                    wording=wording,
                    is_default=is_default,
                    citation=f"{code} {row[column]}",
                    effective_from=datetime.combine(first_day, time(), tzinfo=VIETNAM_TZ),
                )


def unload_steps(apps, schema_editor):
    apps.get_model("rulebooks", "RuleStep").objects.filter(step__in=STEPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("rulebooks", "0004_legal_bases_data"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rulestep",
            name="step",
            field=models.CharField(
                choices=[
                    ("bring_to_commune", "Bring the person to the commune People's Committee"),
                    ("notify_social_protection", "Notify the social-protection body"),
                    (
                        "initial_reception_verification",
                        "Initial reception, support and verification",
                    ),
                    (
                        "police_verification_without_document",
                        "Police verification when no victim document exists",
                    ),
                    ("shelter_essential_needs", "Essential-needs support in a shelter"),
                    ("certificate_of_return", "Certificate of return from abroad"),
                    ("tip_resolution", "Resolving a tip or report of a crime"),
                    ("tip_resolution_extended", "Resolving a tip or report of a crime, extended"),
                    ("investigation", "Investigating a criminal case"),
                    ("prosecution_decision", "Deciding on prosecution"),
                    ("trial", "Bringing a criminal case to trial"),
                    ("verification", "Verification"),
                    ("identification", "Identification"),
                    ("rescue", "Rescue"),
                    ("protection", "Protection"),
                    ("support", "Support"),
                ],
                max_length=64,
                verbose_name="step",
            ),
        ),
        migrations.RunPython(load_steps, unload_steps),
    ]
