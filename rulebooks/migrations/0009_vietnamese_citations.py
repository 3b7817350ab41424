"""The rulebooks' text in Vietnamese, as the people who apply them read it: the legal
wording of each deadline, the citations (Luật, Nghị định, Thông tư liên tịch, Bộ luật Tố tụng
hình sự; "khoản 2 Điều 27") and the titles of the legal bases for sharing without consent.

Citations are rewritten by rule, so versions an administrator added are rewritten too;
wording and titles by a table of the seeded texts (anything else is left as it was typed).
"""

import re

from django.db import migrations

# Names of legal instruments, longest first.
INSTRUMENTS = [
    ("Inter-agency Regulation", "Quy chế phối hợp liên ngành"),
    ("Regulation", "Quy chế phối hợp"),
    ("Criminal Procedure Code", "Bộ luật Tố tụng hình sự"),
    ("Law on Children", "Luật Trẻ em"),
    ("Joint Circular", "Thông tư liên tịch"),
    ("Decree", "Nghị định"),
    ("Law", "Luật"),
    ("Plan", "Kế hoạch"),
]
ARTICLE = re.compile(r"\s+Art\.\s*(\d+(?:–\d+)?)(?:\((\d+)\))?(?:\(([a-zđ])\))?")
PHRASES = [
    ("Mirrors ", "Tương tự "),
    (", Chapter IV (child protection)", ", Chương IV (bảo vệ trẻ em)"),
    ("), III.2", "), mục III.2"),
    (" as amended in 2025", ", sửa đổi năm 2025"),
    (
        " between MOLISA, Public Security, Defence (Border Guard) and Foreign Affairs",
        " giữa Bộ Lao động – Thương binh và Xã hội, Bộ Công an, Bộ Quốc phòng (Bộ đội Biên "
        "phòng) và Bộ Ngoại giao",
    ),
]

WORDING = {
    "immediately": "ngay",
    "on reception": "ngay khi tiếp nhận",
    "within 3 days": "trong thời hạn 03 ngày",
    "within 20 days of the request": "trong thời hạn 20 ngày kể từ ngày nhận yêu cầu",
    "meals for up to 60 days": "hỗ trợ tiền ăn tối đa 60 ngày",
    "no time set": "pháp luật không quy định thời hạn",
    "no time set; mirrors police verification": (
        "pháp luật không quy định thời hạn; lấy theo thời hạn xác minh của công an"
    ),
    "no time set; mirrors the 20 days of Joint Circular 01/2014": (
        "pháp luật không quy định thời hạn; lấy theo thời hạn 20 ngày của Thông tư liên tịch "
        "01/2014"
    ),
    "up to 120 days, extendable": "tối đa 120 ngày, có thể gia hạn",
    "within 20 days of receiving the tip, report or petition": (
        "trong thời hạn 20 ngày kể từ ngày nhận được tố giác, tin báo về tội phạm hoặc kiến "
        "nghị khởi tố"
    ),
    "up to 02 months when the matter is complex or verified in many places "
    "(counted as 60 days)": (
        "có thể kéo dài đến 02 tháng nếu vụ việc phức tạp hoặc phải kiểm tra, xác minh ở nhiều "
        "nơi (tính là 60 ngày)"
    ),
    "not more than 04 months for very serious and particularly serious crimes, from the "
    "opening decision to the end of the investigation (counted as 120 days)": (
        "không quá 04 tháng đối với tội phạm rất nghiêm trọng và đặc biệt nghiêm trọng, kể từ "
        "khi khởi tố vụ án đến khi kết thúc điều tra (tính là 120 ngày)"
    ),
    "within 30 days of receiving the file, for very serious and particularly serious crimes": (
        "trong thời hạn 30 ngày kể từ ngày nhận hồ sơ vụ án, đối với tội phạm rất nghiêm trọng "
        "và đặc biệt nghiêm trọng"
    ),
    "02 months to prepare the trial of a very serious crime, then the trial within 15 days "
    "of the decision to bring it (counted as 75 days)": (
        "02 tháng chuẩn bị xét xử đối với tội phạm rất nghiêm trọng, sau đó mở phiên tòa trong "
        "thời hạn 15 ngày kể từ ngày có quyết định đưa vụ án ra xét xử (tính là 75 ngày)"
    ),
}

TITLES = {
    "urgent-verification": "Xác minh khẩn cấp tin báo với cơ quan công an (tiếp nhận ban đầu)",
    "notify-social-protection": (
        "Nghĩa vụ đưa người đến Ủy ban nhân dân cấp xã và thông báo cho cơ quan bảo trợ xã hội"
    ),
    "child-protection": "Bảo vệ trẻ em (người dưới 18 tuổi) có nguy cơ bị tổn hại",
    "crime-report": "Tiếp nhận, kiểm tra, xác minh tố giác, tin báo về tội phạm",
    "repatriation-abroad": "Xác minh quốc tịch và hồi hương nạn nhân ở nước ngoài",
}


def _article(match: re.Match) -> str:
    article, clause, point = match.groups()
    parts = [f"điểm {point}" if point else "", f"khoản {clause}" if clause else ""]
    return ", " + " ".join([*filter(None, parts), f"Điều {article}"])


def vietnamese(citation: str) -> str:
    """'Law 53/2024/QH15 Art. 37(1)(đ); Decree 162/2025/NĐ-CP' →
    'Luật 53/2024/QH15, điểm đ khoản 1 Điều 37; Nghị định 162/2025/NĐ-CP'."""
    text = citation
    for english, vi in PHRASES:
        text = text.replace(english, vi)
    for english, vi in INSTRUMENTS:
        text = re.sub(rf"(?<![\wÀ-ỹ]){re.escape(english)}(?= \d)", vi, text)
    return ARTICLE.sub(_article, text)


def _rewrite(model, *fields):
    for row in model.objects.all():
        changed = {f: vietnamese(getattr(row, f)) for f in fields}
        if any(changed[f] != getattr(row, f) for f in fields):
            model.objects.filter(pk=row.pk).update(**changed)


def to_vietnamese(apps, schema_editor):
    get = lambda name: apps.get_model("rulebooks", name)  # noqa: E731
    _rewrite(get("Rulebook"), "legal_sources", "child_age_citation")
    _rewrite(get("RuleStep"), "citation")
    _rewrite(get("ServiceEligibility"), "citation")
    _rewrite(get("LegalBasis"), "citation")
    _rewrite(get("ReportingDeadline"), "citation")
    RuleStep = get("RuleStep")
    for english, vi in WORDING.items():
        RuleStep.objects.filter(wording=english).update(wording=vi)
    for code, title in TITLES.items():
        get("LegalBasis").objects.filter(code=code).update(title=title)


class Migration(migrations.Migration):
    dependencies = [("rulebooks", "0008_rulestep_sharing_basis")]

    operations = [migrations.RunPython(to_vietnamese, migrations.RunPython.noop)]
