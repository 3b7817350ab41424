"""The 63 → 34 provinces of Resolution 202/2025/QH15, as loaded by the data migration."""

import importlib
import re
from datetime import date

import pytest
from django.apps import apps

from agencies.models import AgencyKind, Unit, UnitLevel
from config.errors import NotFound
from places.models import Province
from places.selectors import current_province, old_to_new_map, province_as_of, provinces_on

LAST_OLD_DAY = date(2025, 6, 30)
FIRST_NEW_DAY = date(2025, 7, 1)
UNCHANGED = {
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
}

pytestmark = pytest.mark.django_db


def test_63_provinces_before_the_merger_and_34_after():
    assert provinces_on(LAST_OLD_DAY).count() == 63
    assert provinces_on(FIRST_NEW_DAY).count() == 34
    assert Province.objects.count() == 63 + 34 - len(UNCHANGED)


def test_eleven_provinces_are_unchanged_and_keep_their_single_row():
    unchanged = Province.objects.filter(valid_from__isnull=True, valid_until__isnull=True)
    assert set(unchanged.values_list("name", flat=True)) == UNCHANGED
    assert unchanged.filter(merged_into__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        ("15", "n-lao-cai", "Lào Cai"),  # Yên Bái
        ("10", "n-lao-cai", "Lào Cai"),
        ("44", "n-quang-tri", "Quảng Trị"),  # Quảng Bình
        ("45", "n-quang-tri", "Quảng Trị"),
        ("70", "n-dong-nai", "Đồng Nai"),  # Bình Phước
        ("74", "n-ho-chi-minh", "Thành phố Hồ Chí Minh"),  # Bình Dương
        ("77", "n-ho-chi-minh", "Thành phố Hồ Chí Minh"),  # Bà Rịa – Vũng Tàu
        ("79", "n-ho-chi-minh", "Thành phố Hồ Chí Minh"),
        ("42", "42", "Hà Tĩnh"),
        ("01", "01", "Hà Nội"),
    ],
)
def test_old_province_becomes_its_new_province_on_1_july_2025(old, new, name):
    assert province_as_of(old, LAST_OLD_DAY).code == old
    after = province_as_of(old, FIRST_NEW_DAY)
    assert (after.code, after.name) == (new, name)
    assert current_province(old).code == new
    assert old_to_new_map()[old] == new


def test_old_to_new_map_covers_the_63_old_provinces_onto_the_34_new():
    mapping = old_to_new_map()
    assert set(mapping) == set(provinces_on(LAST_OLD_DAY).values_list("code", flat=True))
    assert set(mapping.values()) == set(provinces_on(FIRST_NEW_DAY).values_list("code", flat=True))


def test_merged_rows_follow_the_coding_rule():
    absorbed = Province.objects.filter(merged_into__isnull=False)
    assert absorbed.count() == 63 - len(UNCHANGED)
    assert set(absorbed.values_list("valid_until", flat=True)) == {LAST_OLD_DAY}
    for new in Province.objects.filter(valid_from=FIRST_NEW_DAY):
        assert re.fullmatch(r"n-[a-z]+(-[a-z]+)*", new.code)
        assert new.merged_from.count() >= 2
        assert "202/2025/QH15" in new.source


@pytest.mark.parametrize("day", [LAST_OLD_DAY, FIRST_NEW_DAY])
def test_abbreviations_are_two_or_three_letters_and_unique_on_a_day(day):
    abbreviations = list(provinces_on(day).values_list("abbreviation", flat=True))
    assert all(re.fullmatch(r"[A-Z]{2,3}", a) for a in abbreviations)
    assert len(set(abbreviations)) == len(abbreviations)


def test_a_new_province_did_not_exist_before_the_merger():
    with pytest.raises(NotFound):
        province_as_of("n-lao-cai", LAST_OLD_DAY)
    with pytest.raises(NotFound):
        province_as_of("99", FIRST_NEW_DAY)


def test_loading_again_repairs_rows_created_by_the_demo_seed():
    Province.objects.filter(code="n-lao-cai").update(valid_from=None, abbreviation="X")
    migration = importlib.import_module("places.migrations.0002_provinces_63_and_34")
    migration.load_provinces(apps, None)
    lao_cai = Province.objects.get(code="n-lao-cai")
    assert (lao_cai.valid_from, lao_cai.abbreviation) == (FIRST_NEW_DAY, "LC")
    assert provinces_on(FIRST_NEW_DAY).count() == 34


def test_units_reference_the_longer_new_codes():
    unit = Unit.objects.create(
        code="hcm-police",
        name="Công an TP HCM",
        kind=AgencyKind.POLICE,
        level=UnitLevel.PROVINCE,
        province_id="n-ho-chi-minh",
    )
    unit.refresh_from_db()
    assert unit.province.abbreviation == "HCM"
