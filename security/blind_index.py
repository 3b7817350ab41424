"""Blind indexes: keyed hashes that allow exact-match search over encrypted values.

HMAC-SHA256 with a key per purpose, derived by HKDF from the blind-index root key (as
CipherSweet does), so an index for phone numbers can never be compared with one for names.
Inputs are normalised first so that the way a hotline operator types a value does not hide a
duplicate: diacritics, case, spacing and phone formats are folded.
"""

import hashlib
import hmac
import re
import unicodedata

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.utils.translation import gettext as _

from config.errors import InvalidInput

from .keys import index_root_key

PHONE = "phone"
ID_NUMBER = "id_number"
NAME_BIRTH_YEAR = "name_birth_year"

_SEPARATORS = re.compile(r"[\W_]+")
# Đ/đ do not decompose under NFD; Ð/ð (eth) and Ɖ/ɖ are look-alikes typed in their place.
_D_LOOKALIKES = str.maketrans("ĐđÐðƉɖ", "dddddd")
_NON_DIGIT = re.compile(r"\D+")


def purpose_key(purpose: str) -> bytes:
    hkdf = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"loive-blind-index-v1:" + purpose.encode(),
    )
    return hkdf.derive(index_root_key())


def blind_index(purpose: str, normalised: str) -> str:
    return hmac.new(purpose_key(purpose), normalised.encode(), hashlib.sha256).hexdigest()


def normalise_name(raw: str) -> str:
    """'Nguyễn  Văn Nam' -> 'nguyen van nam': no diacritics (đ -> d), casefolded, spaced once."""
    text = unicodedata.normalize("NFD", raw).translate(_D_LOOKALIKES)
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn").casefold()
    return " ".join(_SEPARATORS.sub(" ", text).split())


def normalise_phone(raw: str) -> str:
    """E.164 with +84 as the default country: '0912 345 678' -> '+84912345678'."""
    text = raw.strip()
    digits = _NON_DIGIT.sub("", text)
    if not digits:
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("84") and len(digits) >= 11:
        return "+" + digits
    return "+84" + digits.removeprefix("0")


def normalise_id_number(raw: str) -> str:
    """Digits only (CCCD 12 digits, CMND 9): spaces, dots and dashes are typing noise."""
    return _NON_DIGIT.sub("", raw)


def phone_index(raw: str | None) -> str | None:
    normalised = normalise_phone(raw or "")
    return blind_index(PHONE, normalised) if normalised else None


def id_number_index(raw: str | None) -> str | None:
    normalised = normalise_id_number(raw or "")
    return blind_index(ID_NUMBER, normalised) if normalised else None


def name_birth_year_index(name: str | None, birth_year: int | str | None) -> str | None:
    """Name + year of birth: a name alone collides too often to be a useful duplicate signal."""
    normalised = normalise_name(name or "")
    if not normalised or birth_year in (None, ""):
        return None
    year = str(birth_year).strip()
    if not (year.isdigit() and len(year) == 4):
        raise InvalidInput(_("The year of birth must have four digits."))
    return blind_index(NAME_BIRTH_YEAR, f"{normalised}|{year}")
