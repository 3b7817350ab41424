"""The signed report as a PDF: Vietnamese with its diacritics, the font embedded, cells under 3
victims suppressed, the signature block; one page saved as PNG to look at."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader

from security.models import AuditEvent

from .conftest import get_report

pytestmark = pytest.mark.django_db


def pdf_of(client, period: str) -> PdfReader:
    response = get_report(client, period, format="pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="bao-cao-dinh-ky-{period}.pdf"' in response["Content-Disposition"]
    return PdfReader(io.BytesIO(response.content))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_is_in_vietnamese_with_its_diacritics(story, supervisor):
    text = text_of(pdf_of(supervisor, "2025-Q4"))
    for words in (
        "Ban Chỉ đạo 138",
        "BÁO CÁO ĐỊNH KỲ",
        "Nạn nhân được xác định",
        "Tin báo tiếp nhận",
        "Lào Cai",
        "Độc lập - Tự do - Hạnh phúc",
    ):
        assert words in text, words


def test_the_font_is_embedded(story, supervisor):
    reader = pdf_of(supervisor, "2025-Q4")
    fonts = [
        font.get_object() for page in reader.pages for font in page["/Resources"]["/Font"].values()
    ]
    assert fonts
    for font in fonts:
        descendant = font["/DescendantFonts"][0].get_object()
        assert "DejaVu" in descendant["/BaseFont"]
        assert "/FontFile2" in descendant["/FontDescriptor"].get_object()


def test_cells_under_three_victims_are_suppressed(story, supervisor):
    """Q4 in Lào Cai: 2 reports received, 1 victim identified: both print as "<3"."""
    lines = text_of(pdf_of(supervisor, "2025-Q4")).splitlines()
    for label in ("Tin báo tiếp nhận", "Nạn nhân được xác định"):
        total = next(line for line in lines if line.startswith(label))
        assert "<3" in total and not total.rstrip().endswith((" 1", " 2")), total
    assert any("ít hơn 3 nạn nhân" in line for line in lines)


def test_the_signature_block(story, supervisor, cast):
    text = text_of(pdf_of(supervisor, "2025"))
    assert "THỦ TRƯỞNG ĐƠN VỊ" in text and "(Ký, ghi rõ họ tên, đóng dấu)" in text
    assert "Chức vụ:" in text and "Họ và tên:" in text
    assert "Lào Cai, ngày" in text
    assert cast.supervisor.username in text or cast.supervisor.get_full_name() in text


def test_the_national_pdf_has_no_province_and_is_audited(story, central_supervisor):
    text = text_of(pdf_of(central_supervisor, "2025-H2"))
    assert "Toàn quốc" in text and "Ban Chỉ đạo 138/CP" in text
    event = AuditEvent.objects.filter(action="export").latest("id")
    assert event.details == {"report": "periodic", "period": "2025-H2", "format": "pdf"}


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="pdftoppm (poppler-utils) not installed")
def test_a_page_as_png_to_look_at(story, supervisor, tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(get_report(supervisor, "2025", format="pdf").content)
    shots = Path(settings.DATA_DIR) / "screenshots"
    shots.mkdir(exist_ok=True)
    for first, name in ((1, "report-page-1"), (-1, "report-last-page")):
        page = first if first > 0 else len(PdfReader(pdf).pages)
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "80",
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(shots / name),
            ],
            check=True,
        )
        assert (shots / f"{name}.png").stat().st_size > 10_000


def test_quang_tri_keeps_its_diacritics(story, api, cast):
    """The province's name, with its hook above and dot below, comes back out of the PDF's
    text as it went in (glyphs of the embedded font, mapped back to the same characters)."""
    quang_tri = api(cast.named("qt-steering_committee-supervisor"))
    text = text_of(pdf_of(quang_tri, "2025-Q4"))
    assert "Quảng Trị" in text
    assert "Quang Tri" not in text and "Qu?ng Tr?" not in text
