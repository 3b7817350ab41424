"""The case page's referral form: the kind of agency first (the kinds the case's rulebook
makes responsible for a step), then one of that kind's units in the case's province."""

import re

import pytest

from agencies.models import Unit
from referrals.models import Referral

from .conftest import LEGAL_AID_CONSENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_case(hotline_case, client_for):
    """Story 02's case accepted by Lào Cai police, with the victim's consent to legal aid."""
    police = client_for("demo-police")
    referral = Referral.objects.get(case=hotline_case)
    police.post(f"/referrals/{referral.uuid}/accept/")
    police.post(f"/cases/{hotline_case.uuid}/records/consent/", LEGAL_AID_CONSENT)
    return police, hotline_case


def _select(html: str, name: str) -> str:
    return re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)


def test_the_form_offers_the_rulebooks_kinds_then_units_of_the_cases_province(police_case):
    police, case = police_case
    html = police.get(f"/cases/{case.uuid}/").content.decode()
    kinds = re.findall(r'value="([a-z_]+)"', _select(html, "to_kind"))
    # law-2024: social protection is the health department's; the hotline and the steering
    # committee are responsible for no step of the rulebook.
    assert "health_department" in kinds and "police" in kinds and "justice_legal_aid" in kinds
    assert "labour_social" not in kinds and "hotline" not in kinds
    assert "steering_committee" not in kinds
    units = _select(html, "to_unit")
    offered = {Unit.objects.get(pk=pk).code for pk in re.findall(r'value="(\d+)"', units)}
    assert "lc-justice_legal_aid" in offered and "mofa-consular" in offered
    assert not {code for code in offered if code.startswith(("ht-", "qt-"))}
    assert "lc-police" not in offered  # the sender itself
    assert "<optgroup" in units  # grouped by kind, for the page to show the chosen kind's


def test_a_unit_of_another_kind_or_province_is_refused(police_case):
    police, case = police_case
    url = f"/cases/{case.uuid}/referrals/"
    base = {"purpose": "legal_aid", "to_kind": "justice_legal_aid"}
    wrong_kind = Unit.objects.get(code="lc-border_guard").pk
    page = police.post(url, base | {"to_unit": wrong_kind}, follow=True).content.decode()
    assert "không thuộc loại cơ quan đã chọn" in page
    elsewhere = Unit.objects.get(code="ht-justice_legal_aid").pk
    police.post(url, base | {"to_unit": elsewhere})
    assert not Referral.objects.filter(case=case, purpose="legal_aid").exists()


def test_a_unit_of_the_kind_in_the_province_or_the_kind_alone(police_case):
    police, case = police_case
    url = f"/cases/{case.uuid}/referrals/"
    police.post(url, {"purpose": "legal_aid", "to_kind": "justice_legal_aid"})
    sent = Referral.objects.get(case=case, purpose="legal_aid")
    assert sent.to_unit is None and sent.to_kind == "justice_legal_aid"
    assert sent.to_province.name == "Lào Cai"  # its supervisor there routes it
    sent.delete()
    unit = Unit.objects.get(code="lc-justice_legal_aid")
    police.post(url, {"purpose": "legal_aid", "to_kind": "justice_legal_aid", "to_unit": unit.pk})
    assert Referral.objects.get(case=case, purpose="legal_aid").to_unit == unit
