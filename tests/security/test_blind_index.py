"""Blind indexes: normalisation folds typing differences; keys separate purposes."""

import pytest

from config.errors import InvalidInput
from security.blind_index import (
    id_number_index,
    name_birth_year_index,
    normalise_id_number,
    normalise_name,
    normalise_phone,
    phone_index,
)
from security.crypto import new_key
from security.keys import encode_key


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Văn Nam", "nguyen van nam"),
        ("  nguyen van  NAM ", "nguyen van nam"),
        ("Đặng Thị Ðào", "dang thi dao"),
        ("Lò Thị Mỷ-Hoa", "lo thi my hoa"),
        ("NGUYỄN\tVĂN\nNAM", "nguyen van nam"),
    ],
)
def test_names_fold_diacritics_case_and_spacing(raw, expected):
    assert normalise_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("912345678", "+84912345678"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("(024) 3825 1234", "+842438251234"),
    ],
)
def test_phones_become_e164_with_vietnam_as_default(raw, expected):
    assert normalise_phone(raw) == expected


def test_id_numbers_keep_digits_only():
    assert normalise_id_number(" 001-098.012 345 ") == "001098012345"


def test_equal_after_normalisation_means_equal_index():
    assert name_birth_year_index("Nguyễn Văn Nam", 1990) == name_birth_year_index(
        "nguyen van  NAM", "1990"
    )
    assert phone_index("0912345678") == phone_index("+84 912 345 678")
    assert id_number_index("001098012345") == id_number_index("001 098 012 345")
    assert name_birth_year_index("Nguyễn Văn Nam", 1990) != name_birth_year_index(
        "Nguyễn Văn Nam", 1991
    )


def test_indexes_are_hex_hmacs_that_do_not_contain_the_value():
    digest = phone_index("0912345678")
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert "912345678" not in digest


def test_purposes_use_different_keys():
    assert phone_index("123456789") != id_number_index("123456789")


def test_empty_input_gives_none():
    assert phone_index("") is None and phone_index(None) is None and phone_index(" - ") is None
    assert id_number_index("  ") is None
    assert name_birth_year_index("", 1990) is None
    assert name_birth_year_index("Nguyễn Văn Nam", None) is None


def test_malformed_birth_year_is_refused():
    with pytest.raises(InvalidInput):
        name_birth_year_index("Nguyễn Văn Nam", "90")


def test_index_depends_on_the_index_key_not_the_master_key(settings):
    before = phone_index("0912345678")
    settings.LOIVE_MASTER_KEY = encode_key(new_key())
    assert phone_index("0912345678") == before
    settings.LOIVE_INDEX_KEY = encode_key(new_key())
    assert phone_index("0912345678") != before
