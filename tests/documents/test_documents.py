"""Documents attached to a case (issue 12, part 1): cleaned, encrypted at rest under the
victim's data key, shown by need-to-know, every download audited, bad uploads refused whole."""

import io
from pathlib import Path

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image
from PIL.PngImagePlugin import PngInfo

from agencies.models import Unit
from cases.models import Case, CaseHolding
from cases.services import erase_identity
from documents.models import Document
from security.models import AuditEvent

from ..cast import open_case, record, refused
from ..test_plaintext_hunt import _pg_dump, needs_pg_dump

pytestmark = pytest.mark.django_db
GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def storage_dir(settings, tmp_path) -> Path:
    location = tmp_path / "documents"
    settings.STORAGES = settings.STORAGES | {
        "documents": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": location},
        }
    }
    return location


@pytest.fixture
def border(api, cast):
    return api(cast.border_guard)


@pytest.fixture
def case_id(border) -> str:
    return open_case(border)["id"]


def photo(fmt: str = "JPEG", size=(64, 48), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, format=fmt, **save)
    return out.getvalue()


def geotagged_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[GPS_IFD] = {1: "N", 2: (21.0, 1.0, 0.0), 3: "E", 4: (105.0, 50.0, 0.0)}
    return photo("JPEG", exif=exif)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(client, case_id, content: bytes, name="scan.jpg", kind="identity_paper", **extra):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post(
        f"/api/v1/cases/{case_id}/documents/",
        {"file": upload, "kind": kind, **extra},
        format="multipart",
    )


def stored_files(location: Path) -> list[Path]:
    return [p for p in location.rglob("*") if p.is_file()] if location.exists() else []


def test_a_photo_is_stored_encrypted_and_comes_back_without_its_location(
    border, case_id, storage_dir
):
    response = attach(border, case_id, geotagged_jpeg(), name="Giàng Thị Mỷ - CCCD.jpg")

    assert response.status_code == 201, response.json()
    document = response.json()
    assert document["content_type"] == "image/jpeg"
    assert document["field_group"] == "identity"
    [stored] = stored_files(storage_dir)
    raw = stored.read_bytes()
    assert b"\xff\xd8\xff" not in raw[:64] and b"PhoneMaker" not in raw  # ciphertext only
    assert "Giàng" not in stored.name

    download = border.get(f"/api/v1/cases/{case_id}/documents/{document['id']}/")
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    image = Image.open(io.BytesIO(download.content))
    assert image.size == (64, 48)
    assert GPS_IFD not in image.getexif() and 0x010F not in image.getexif()
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "document.attach" in actions and "document.read" in actions


def test_the_file_name_is_encrypted_in_the_database(border, case_id):
    attach(border, case_id, PDF, name="Giàng Thị Mỷ.pdf", kind="consent_form")

    raw = Document.objects.values_list("filename", flat=True).get()
    assert "Giàng".encode() not in raw.stored
    assert Document.objects.get().filename == "Giàng Thị Mỷ.pdf"


def test_a_heic_photo_from_a_phone_becomes_a_plain_jpeg(border, case_id):
    pillow_heif.register_heif_opener()
    response = attach(border, case_id, photo("HEIF"), name="IMG_0001.HEIC")

    assert response.status_code == 201, response.json()
    assert response.json()["content_type"] == "image/jpeg"


def test_a_png_loses_its_text_chunks(border, case_id):
    info = PngInfo()
    info.add_text("Comment", "shelter at 12 Tran Phu")
    response = attach(border, case_id, photo("PNG", pnginfo=info), name="map.png")

    download = border.get(f"/api/v1/cases/{case_id}/documents/{response.json()['id']}/")
    assert download["Content-Type"] == "image/png"
    assert b"Tran Phu" not in download.content


def test_the_type_is_read_from_the_bytes_not_the_name(border, case_id):
    response = attach(border, case_id, PDF, name="photo.jpg", kind="verification_reply")

    assert response.status_code == 201
    assert response.json()["content_type"] == "application/pdf"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"PK\x03\x04" + b"\x00" * 200, "unsupported_type"),  # a zip archive
        (b"MZ\x90\x00" + b"\x00" * 200, "unsupported_type"),  # a Windows program
        (PDF[:-7], "truncated"),
        (geotagged_jpeg()[:300], "truncated"),
    ],
    ids=["zip", "exe", "truncated-pdf", "truncated-jpeg"],
)
def test_bad_uploads_are_refused_whole(border, case_id, storage_dir, content, code):
    response = attach(border, case_id, content)

    refused(response, 400, code)
    assert not Document.objects.exists()
    assert stored_files(storage_dir) == []


@pytest.mark.parametrize("limit", [60_000_000, 1_000_000], ids=["default", "configured"])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    border, case_id, storage_dir, settings, limit
):
    settings.LOIVE_DOCUMENT_MAX_PIXELS = limit
    side = 10_000 if limit > 10_000_000 else 2_000
    bomb = io.BytesIO()
    Image.new("1", (side, side)).save(bomb, format="PNG")  # many pixels in a few kilobytes
    assert len(bomb.getvalue()) < 100_000

    response = attach(border, case_id, bomb.getvalue(), name="x.png")

    refused(response, 400, "image_too_large")
    assert stored_files(storage_dir) == []


def test_a_file_over_the_size_limit_is_refused(border, case_id, settings, storage_dir):
    settings.LOIVE_DOCUMENT_MAX_BYTES = 1_000

    response = attach(border, case_id, PDF + b"%" * 2_000 + b"\n%%EOF\n")

    refused(response, 400, "too_large")
    assert stored_files(storage_dir) == []


def test_a_medical_report_is_hidden_from_the_police(api, cast, case_id):
    case = Case.objects.get(uuid=case_id)
    for code in ("lc-police", "lc-health_department"):
        CaseHolding.objects.create(
            case=case, unit=Unit.objects.get(code=code), basis="referral", since=timezone.now()
        )
    social, police = api(cast.social), api(cast.police)
    medical = attach(social, case_id, PDF, name="kham.pdf", kind="medical_report").json()
    attach(police, case_id, PDF, name="xac-minh.pdf", kind="verification_reply")

    listed = police.get(f"/api/v1/cases/{case_id}/documents/").json()
    assert [d["kind"] for d in listed] == ["verification_reply"]
    hidden = police.get(f"/api/v1/cases/{case_id}/documents/{medical['id']}/")
    refused(hidden, 404, "not_found")
    assert AuditEvent.objects.filter(action="document.read_refused").count() == 1
    kinds = [d["kind"] for d in social.get(f"/api/v1/cases/{case_id}/documents/").json()]
    assert kinds == ["medical_report"]


def test_nobody_attaches_a_document_they_could_not_see(api, cast, case_id):
    case = Case.objects.get(uuid=case_id)
    CaseHolding.objects.create(
        case=case, unit=Unit.objects.get(code="lc-police"), basis="referral", since=timezone.now()
    )
    police = api(cast.police)

    response = attach(police, case_id, PDF, kind="medical_report")

    refused(response, 403, "document_not_allowed")
    assert not Document.objects.exists()


def test_only_a_unit_holding_the_case_attaches(api, cast, case_id):
    police = api(cast.police)

    response = attach(police, case_id, PDF)

    refused(response, 404, "not_found")  # the case is not visible to a unit not holding it
    assert not Document.objects.exists()


def test_the_proven_record_must_be_on_this_case(border, case_id):
    other = open_case(border)["id"]
    verification = record(border, other, "verifications", {"outcome": "inconclusive"})
    foreign_id = verification["verifications"][0]["id"]

    response = attach(
        border,
        case_id,
        PDF,
        kind="verification_reply",
        record_kind="verification",
        record_id=foreign_id,
    )

    refused(response, 404, "not_found")
    assert not Document.objects.exists()


def test_erasing_the_victim_erases_their_documents(border, case_id, cast):
    document = attach(border, case_id, PDF, kind="consent_form").json()
    case = Case.objects.get(uuid=case_id)

    erase_identity(cast.admin, case, reason="victim asked (Law 53/2024)")

    response = border.get(f"/api/v1/cases/{case_id}/documents/{document['id']}/")
    refused(response, 404, "not_found")
    assert border.get(f"/api/v1/cases/{case_id}/documents/").json() == []


def test_a_file_swapped_with_another_documents_file_does_not_open(border, case_id, storage_dir):
    first = attach(border, case_id, PDF, kind="consent_form").json()
    attach(border, case_id, PDF.replace(b"1.4", b"1.7"), kind="consent_form")
    a, b = Document.objects.order_by("id")
    (storage_dir / a.storage_name).write_bytes((storage_dir / b.storage_name).read_bytes())

    response = border.get(f"/api/v1/cases/{case_id}/documents/{first['id']}/")
    refused(response, 500, "data_unreadable")


@needs_pg_dump
def test_no_plaintext_of_a_document_in_storage_or_a_database_dump(api, cast, storage_dir):
    """The file lives encrypted in storage; the database holds only its encrypted name."""
    border = api(cast.border_guard)
    marker = "MARKER-DOCUMENT-7Q"
    scan = PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())
    case_id = open_case(border)["id"]
    response = attach(border, case_id, scan, name=f"{marker}.pdf", kind="consent_form")
    assert response.status_code == 201, response.json()
    download = border.get(f"/api/v1/cases/{case_id}/documents/{response.json()['id']}/")
    assert marker.encode() in download.content  # the marker went in: its absence below counts

    [stored] = stored_files(storage_dir)
    assert marker.encode() not in stored.read_bytes() and marker not in stored.name
    dump = _pg_dump()
    assert "COPY public.documents_document" in dump
    assert marker not in dump
