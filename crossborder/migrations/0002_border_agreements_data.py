"""The agreements, their reply limits, the counterparts and the border gates, with sources.

Neither Plan 37/KH-BCĐ nor Quảng Trị's plan sets a time limit for a reply: every limit below
is a configurable default (is_default=True), never presented as law; an administrator
changes them as data.
"""

from datetime import timedelta

from django.db import migrations

PLAN_37 = (
    "Kế hoạch 37/KH-BCĐ ngày 12/02/2020 của Ban Chỉ đạo 138/CP triển khai Hiệp định giữa "
    "Việt Nam và Căm-pu-chia về hợp tác song phương trong phòng, chống mua bán người và bảo "
    "vệ nạn nhân bị mua bán (trao đổi thông tin; giải cứu, bảo vệ, hồi hương nạn nhân)"
)
QT_2023 = (
    "Kế hoạch thực hiện công tác phòng, chống mua bán người năm 2023 của Ban Chỉ đạo 138 tỉnh "
    "Quảng Trị, mục 6.2: đường dây nóng với các tỉnh Savannakhét, Salavan (Lào) để trao đổi "
    "thông tin và hỗ trợ hồi hương nạn nhân"
)
AGREEMENTS = [
    (
        "vn-kh-trafficking",
        "Hiệp định Việt Nam – Căm-pu-chia về hợp tác song phương trong phòng, chống mua bán "
        "người và bảo vệ nạn nhân bị mua bán",
        "KH",
        PLAN_37,
    ),
    (
        "qt-lao-hotlines",
        "Đường dây nóng giữa lực lượng chức năng tỉnh Quảng Trị và các tỉnh Savannakhét, "
        "Salavan (Lào)",
        "LA",
        QT_2023,
    ),
]
NO_LIMIT = "Không quy định thời hạn trả lời; mặc định có thể cấu hình"
# kind -> days: configurable defaults, the same for both agreements.
DEFAULT_DAYS = {
    "identity_verification": 30,
    "nationality_verification": 30,
    "repatriation": 30,
    "handover": 15,
}
COUNTERPARTS = [
    (
        "kh-competent-authorities",
        "Cơ quan chức năng Căm-pu-chia (theo Hiệp định)",
        "KH",
        "vn-kh-trafficking",
        None,
        PLAN_37,
    ),
    (
        "la-savannakhet",
        "Lực lượng chức năng tỉnh Savannakhét (Lào)",
        "LA",
        "qt-lao-hotlines",
        "n-quang-tri",
        QT_2023,
    ),
    (
        "la-salavan",
        "Lực lượng chức năng tỉnh Salavan (Lào)",
        "LA",
        "qt-lao-hotlines",
        "n-quang-tri",
        QT_2023,
    ),
]
GATES = [
    ("lao-bao", "Cửa khẩu quốc tế Lao Bảo", "n-quang-tri", "LA", "Đen-sa-vẳn (Savannakhét)"),
    ("la-lay", "Cửa khẩu quốc tế La Lay", "n-quang-tri", "LA", "La Lay (Salavan)"),
    ("moc-bai", "Cửa khẩu quốc tế Mộc Bài", "n-tay-ninh", "KH", "Ba-vét (Svay Rieng)"),
]


def load(apps, schema_editor):
    Agreement = apps.get_model("crossborder", "Agreement")
    AgreementTerm = apps.get_model("crossborder", "AgreementTerm")
    Counterpart = apps.get_model("crossborder", "Counterpart")
    BorderGate = apps.get_model("crossborder", "BorderGate")
    for code, title, country, citation in AGREEMENTS:
        agreement = Agreement.objects.create(
            code=code, title=title, partner_country=country, citation=citation
        )
        for kind, days in DEFAULT_DAYS.items():
            AgreementTerm.objects.create(
                agreement=agreement,
                request_kind=kind,
                reply_within=timedelta(days=days),
                wording=NO_LIMIT,
                is_default=True,
                citation=citation,
            )
    for code, name, country, agreement, province, citation in COUNTERPARTS:
        Counterpart.objects.create(
            code=code,
            name=name,
            country=country,
            agreement_id=agreement,
            paired_province_id=province,
            citation=citation,
        )
    for code, name, province, country, facing in GATES:
        BorderGate.objects.create(
            code=code,
            name=name,
            province_id=province,
            partner_country=country,
            facing_gate=facing,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("crossborder", "0001_initial"),
        ("places", "0002_provinces_63_and_34"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
