"""The two rulebooks as data, with their legal citations (DESIGN.md §2).

Where the law says "immediately" or "on reception", or gives no figure, the deadline is a
configurable default (is_default=True), changed by an administrator through
rulebooks.services.change_deadline. Version 1 of each rule is in force from the rulebook's
first day, 00:00 Vietnam time.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import migrations

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
IMMEDIATELY = timedelta(hours=24)  # configurable default for "immediately" / "on reception"
DAY = timedelta(days=1)

LAW_2011 = "Law 66/2011/QH12"
JC_2014 = "Joint Circular 01/2014"
QCPH = "Regulation 2548/QCPH-LĐTBXH-CA-QP-NG"
LAW_2024 = "Law 53/2024/QH15"
DECREE_162 = "Decree 162/2025/NĐ-CP"
CHILDREN_LAW = "Law on Children 102/2016/QH13 Art. 1"

RULEBOOKS = {
    "qcph-2548": {
        "title": (
            "Quy chế phối hợp 2548/QCPH-LĐTBXH-CA-QP-NG (18/7/2022) "
            "theo Luật Phòng, chống mua bán người 2011"
        ),
        "legal_sources": (
            f"{LAW_2011}; Decree 62/2012/NĐ-CP; Decree 09/2013/NĐ-CP; {JC_2014}; "
            f"Inter-agency {QCPH} (18/7/2022) between MOLISA, Public Security, Defence "
            "(Border Guard) and Foreign Affairs"
        ),
        # The 2011 law came into force on 2012-01-01; the rulebook governs receptions until
        # the 2024 law took over.
        "effective_from": date(2012, 1, 1),
        "effective_until": date(2025, 6, 30),
        # Who is a child: anyone under 18.
        "child_age": 18,
        "child_age_citation": CHILDREN_LAW,
    },
    "law-2024": {
        "title": "Luật Phòng, chống mua bán người 53/2024/QH15 và Nghị định 162/2025/NĐ-CP",
        "legal_sources": f"{LAW_2024} as amended in 2025; {DECREE_162}",
        "effective_from": date(2025, 7, 1),
        "effective_until": None,
        "child_age": 18,
        "child_age_citation": CHILDREN_LAW,
    },
}

SOCIAL = {"qcph-2548": "labour_social", "law-2024": "health_department"}

# (step, kinds, level, deadline, wording, is_default, citation) per rulebook; "{social}" is
# the rulebook's social-protection body.
STEPS = {
    "qcph-2548": [
        ("bring_to_commune", ["commune_committee"], "commune", IMMEDIATELY, "immediately", True, JC_2014),
        ("notify_social_protection", ["{social}"], "district", IMMEDIATELY, "immediately", True, f"{JC_2014}; {QCPH}"),
        ("initial_reception_verification", ["{social}", "police"], "district", 3 * DAY, "within 3 days", False, JC_2014),
        ("police_verification_without_document", ["police"], "district", 20 * DAY, "within 20 days of the request", False, JC_2014),
        ("shelter_essential_needs", ["{social}"], "province", 60 * DAY, "meals for up to 60 days", False, "Decree 09/2013/NĐ-CP Art. 19"),
        ("certificate_of_return", ["border_guard", "police"], "province", IMMEDIATELY, "on reception", True, JC_2014),
        ("verification", ["police", "border_guard", "{social}"], "district", 3 * DAY, "within 3 days", False, JC_2014),
        ("identification", ["police", "border_guard", "foreign_affairs", "procuracy", "court"], "province", 20 * DAY, "no time set; mirrors police verification", True, "Decree 62/2012/NĐ-CP"),
        ("rescue", ["police", "border_guard", "coast_guard", "foreign_affairs"], "province", IMMEDIATELY, "immediately", True, LAW_2011),
        ("protection", ["police", "border_guard", "{social}"], "province", IMMEDIATELY, "immediately", True, f"{LAW_2011}; Decree 62/2012/NĐ-CP"),
        ("support", ["{social}", "justice_legal_aid"], "province", 3 * DAY, "no time set", True, f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP"),
    ],
    "law-2024": [
        ("bring_to_commune", ["commune_committee"], "commune", IMMEDIATELY, "immediately", True, f"{LAW_2024} Art. 27(1)"),
        ("notify_social_protection", ["{social}"], "province", IMMEDIATELY, "immediately", True, f"{LAW_2024} Art. 27(1)"),
        ("initial_reception_verification", ["{social}", "police"], "province", 3 * DAY, "within 3 days", False, f"{LAW_2024} Art. 27(2)"),
        ("police_verification_without_document", ["police"], "province", 20 * DAY, "no time set; mirrors the 20 days of Joint Circular 01/2014", True, f"{LAW_2024}; {DECREE_162}"),
        ("shelter_essential_needs", ["{social}"], "province", 120 * DAY, "up to 120 days, extendable", False, f"{DECREE_162} Art. 17"),
        ("certificate_of_return", ["border_guard", "police"], "province", IMMEDIATELY, "on reception", True, f"{LAW_2024}; {DECREE_162}"),
        ("verification", ["police", "border_guard", "{social}"], "province", 3 * DAY, "within 3 days", False, f"{LAW_2024} Art. 27(2)"),
        ("identification", ["police", "border_guard", "foreign_affairs", "procuracy", "court"], "province", 20 * DAY, "no time set; mirrors police verification", True, f"{LAW_2024}; {DECREE_162}"),
        ("rescue", ["police", "border_guard", "coast_guard", "foreign_affairs"], "province", IMMEDIATELY, "immediately", True, LAW_2024),
        ("protection", ["police", "border_guard", "{social}"], "province", IMMEDIATELY, "immediately", True, LAW_2024),
        ("support", ["{social}", "justice_legal_aid"], "province", 3 * DAY, "no time set", True, f"{LAW_2024} Art. 37; {DECREE_162}"),
    ],
}

SERVICES = [
    "essential_needs",
    "medical",
    "interpretation",
    "legal_counselling",
    "legal_aid",
    "travel_costs",
    "psychological",
    "schooling",
    "vocational_training",
    "hardship_allowance_and_loan",
]
# Points a–k of Law 53/2024/QH15 Art. 37(1), in the order of SERVICES.
POINTS = ["a", "b", "c", "d", "đ", "e", "g", "h", "i", "k"]

# Law 53/2024/QH15 Art. 37: beneficiary → (how many services, in order; clause).
LAW_2024_ELIGIBILITY = {
    "identified_victim": (10, "37(1)"),
    "accompanying_minor": (8, "37(2)"),
    "being_identified_in_viet_nam": (7, "37(3)"),
    "being_identified_abroad": (4, "37(3)"),
}
# The 2011 law's support regime for identified victims (Law 66/2011/QH12 Art. 32); the
# services it did not name, and the other beneficiaries, mirror Law 53/2024 as defaults.
LAW_2011_VICTIM_SERVICES = {
    "essential_needs": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP Art. 19",
    "travel_costs": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
    "medical": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
    "psychological": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
    "legal_aid": f"{LAW_2011} Art. 32",
    "schooling": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
    "vocational_training": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
    "hardship_allowance_and_loan": f"{LAW_2011} Art. 32; Decree 09/2013/NĐ-CP",
}


def _law_2024_rows():
    for beneficiary, (count, clause) in LAW_2024_ELIGIBILITY.items():
        for service, point in zip(SERVICES[:count], POINTS, strict=False):
            yield beneficiary, service, False, f"{LAW_2024} Art. {clause}({point})"


def _qcph_rows():
    for beneficiary, service, _is_default, citation in _law_2024_rows():
        if beneficiary == "identified_victim" and service in LAW_2011_VICTIM_SERVICES:
            yield beneficiary, service, False, LAW_2011_VICTIM_SERVICES[service]
        else:
            yield beneficiary, service, True, f"Mirrors {citation}"


def _start(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=VIETNAM_TZ)


def load_rulebooks(apps, schema_editor):
    Rulebook = apps.get_model("rulebooks", "Rulebook")
    RuleStep = apps.get_model("rulebooks", "RuleStep")
    ServiceEligibility = apps.get_model("rulebooks", "ServiceEligibility")
    for code, fields in RULEBOOKS.items():
        rulebook = Rulebook.objects.create(code=code, **fields)
        for step, kinds, level, deadline, wording, is_default, citation in STEPS[code]:
            RuleStep.objects.create(
                rulebook=rulebook,
                step=step,
                version=1,
                responsible_kinds=[kind.format(social=SOCIAL[code]) for kind in kinds],
                responsible_level=level,
                deadline=deadline,
                wording=wording,
                is_default=is_default,
                citation=citation,
                effective_from=_start(fields["effective_from"]),
            )
        rows = _qcph_rows() if code == "qcph-2548" else _law_2024_rows()
        ServiceEligibility.objects.bulk_create(
            ServiceEligibility(
                rulebook=rulebook,
                beneficiary=beneficiary,
                service=service,
                is_default=is_default,
                citation=citation,
            )
            for beneficiary, service, is_default, citation in rows
        )


class Migration(migrations.Migration):
    dependencies = [
        ("rulebooks", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(load_rulebooks, migrations.RunPython.noop),
    ]
