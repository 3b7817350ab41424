"""When periodic reports are due: the national schedule and Quảng Trị's own.

Plan 19/KH-BCĐ138/CP (15/01/2024) of the Government's Steering Committee 138, III.2, for the
ministries and provinces; the 2023 plan of Quảng Trị's Steering Committee 138, III.2, for the
units of that province (it reports on the 17th so the province can meet the national days).
The quarters with no day of their own (the second and fourth) go into the six-monthly and the
annual report.
"""

from django.db import migrations

PLAN_19 = "Plan 19/KH-BCĐ138/CP (15/01/2024), III.2"
PLAN_19_WORDING = (
    "Định kỳ hàng quý (trước ngày 20/3 và 20/9), 6 tháng (trước ngày 20/6) và năm "
    "(trước ngày 20/12)"
)
QUANG_TRI_2023 = (
    "Kế hoạch thực hiện công tác phòng, chống mua bán người năm 2023 của Ban Chỉ đạo 138 "
    "tỉnh Quảng Trị, III.2"
)
QUANG_TRI_WORDING = "Định kỳ quý, 06 tháng, 01 năm (trước ngày 17/3, 17/6, 17/9 và 17/12)"
QUANG_TRI = "45"  # the province as it was in 2023 (places: merged into n-quang-tri in 2025)

# (province, part, month, day, wording, citation)
DEADLINES = [
    *[
        (None, part, month, 20, PLAN_19_WORDING, PLAN_19)
        for part, month in (("Q1", 3), ("H1", 6), ("Q3", 9), ("", 12))
    ],
    *[
        (QUANG_TRI, part, month, 17, QUANG_TRI_WORDING, QUANG_TRI_2023)
        for part, month in (("Q1", 3), ("H1", 6), ("Q3", 9), ("", 12))
    ],
]


def add(apps, schema_editor):
    ReportingDeadline = apps.get_model("rulebooks", "ReportingDeadline")
    for province, part, month, day, wording, citation in DEADLINES:
        ReportingDeadline.objects.create(
            province_id=province,
            part=part,
            month=month,
            day=day,
            wording=wording,
            citation=citation,
        )


def remove(apps, schema_editor):
    apps.get_model("rulebooks", "ReportingDeadline").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("places", "0002_provinces_63_and_34"),
        ("rulebooks", "0006_reports2_reporting_deadlines"),
    ]

    operations = [migrations.RunPython(add, remove)]
