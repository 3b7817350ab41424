"""What an upload really is, read from its bytes (never its name), and its clean form.

Accepted: PDF, JPEG, PNG, and HEIC/HEIF photos from phones. Photos are decoded and saved again
without their metadata, so no EXIF GPS position (where a victim sheltered) survives; HEIC is
converted to JPEG on the way, as browsers cannot show it. A picture whose pixel count could
exhaust memory when decoded (a decompression bomb) is refused before it is decoded.
"""

import io
import warnings
from dataclasses import dataclass

import pillow_heif
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from config.errors import InvalidInput

pillow_heif.register_heif_opener()

PDF, JPEG, PNG = "application/pdf", "image/jpeg", "image/png"
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}


@dataclass(frozen=True)
class CleanFile:
    content: bytes
    content_type: str


def require_size(size: int) -> None:
    if size > settings.LOIVE_DOCUMENT_MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)d MB.")
            % {"mb": settings.LOIVE_DOCUMENT_MAX_BYTES // 1_000_000},
            "too_large",
        )


def clean_upload(data: bytes) -> CleanFile:
    """The file as it will be stored, or InvalidInput saying plainly what is wrong with it."""
    require_size(len(data))
    kind = sniff(data)
    if kind == PDF:
        return CleanFile(_checked_pdf(data), PDF)
    if kind in (JPEG, PNG, "image/heif"):
        return _clean_image(data)
    raise InvalidInput(
        _("Only PDF files and JPEG, PNG or HEIC photos can be attached."), "unsupported_type"
    )


def sniff(data: bytes) -> str:
    """The type the bytes say they are ("" when none we accept)."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS:
        return "image/heif"
    return ""


def _checked_pdf(data: bytes) -> bytes:
    # A PDF ends with %%EOF (possibly followed by a newline); a cut-off upload does not.
    if b"%%EOF" not in data[-1024:]:
        raise InvalidInput(_("The PDF file is incomplete (truncated)."), "truncated")
    return data


def _clean_image(data: bytes) -> CleanFile:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            _refuse_bombs(image)
            image.load()
            is_png = image.format == "PNG"
            image = ImageOps.exif_transpose(image)  # keep the photo upright without its EXIF
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except (OSError, UnidentifiedImageError, SyntaxError, ValueError):
        raise InvalidInput(
            _("The picture cannot be read: it is damaged or incomplete."), "truncated"
        ) from None
    return _without_metadata(image, is_png)


def _refuse_bombs(image: Image.Image) -> None:
    width, height = image.size
    if width * height > settings.LOIVE_DOCUMENT_MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> InvalidInput:
    return InvalidInput(
        _("The picture has too many pixels to be processed safely."), "image_too_large"
    )


def _without_metadata(image: Image.Image, is_png: bool) -> CleanFile:
    """Save the pixels again with no EXIF, XMP, ICC or text chunks."""
    image.info = {}
    out = io.BytesIO()
    if is_png:
        image.save(out, format="PNG")
        return CleanFile(out.getvalue(), PNG)
    image.convert("RGB").save(out, format="JPEG", quality=90)
    return CleanFile(out.getvalue(), JPEG)
