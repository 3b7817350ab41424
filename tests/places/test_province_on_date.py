"""A place known by today's province is stored as the province it was on the event's date."""

from datetime import date

import pytest

from places.models import Province
from places.selectors import province_on_date

pytestmark = pytest.mark.django_db


def test_before_the_merger_a_new_province_is_its_namesake():
    lao_cai = Province.objects.get(code="n-lao-cai")
    assert province_on_date(lao_cai, date(2024, 11, 20)).code == "10"
    assert province_on_date(lao_cai, date(2025, 7, 1)).code == "n-lao-cai"


def test_an_unchanged_province_is_itself():
    ha_tinh = Province.objects.get(code="42")
    assert province_on_date(ha_tinh, date(2020, 1, 1)) == ha_tinh


def test_cases_store_the_province_as_it_was_when_received(api, cast):
    from tests.cast import INTAKE, open_case

    client = api(cast.border_guard)
    old = open_case(client, {**INTAKE, "received_at": "2024-11-20T09:00:00+07:00"})
    new = open_case(client, INTAKE)
    assert (old["province"], new["province"]) == ("10", "n-lao-cai")
