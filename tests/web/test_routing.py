"""The routing page: a supervisor of the addressed kind in the addressed province names the
unit that takes a referral sent to "the kind in the province" (referrals.route_referral)."""

import pytest

from agencies.models import AgencyKind, Unit, UnitLevel
from places.models import Province
from referrals.models import Referral
from tests.cast import give_consent, open_case, refer

pytestmark = pytest.mark.django_db

RETURNEE = {
    "channel": "border_handover",
    "received_at": "2025-12-01T08:00:00+07:00",
    "purposes": ["forced_labour"],
    "victim": {"full_name": "Lò Văn Pó", "birth_year": 1990, "sex": "male"},
}
KIND = AgencyKind.HEALTH_DEPARTMENT


@pytest.fixture
def to_kind(cast, api) -> Referral:
    """Hà Tĩnh's border guard refers a returnee to "the health department of Hà Tĩnh", which
    has two units there: its supervisors choose."""
    Unit.objects.create(
        code="ht-social-centre",
        name="Trung tâm Công tác xã hội Hà Tĩnh",
        kind=KIND,
        level=UnitLevel.PROVINCE,
        province=Province.objects.get(code="42"),
    )
    border = api(cast.named("ht-border_guard-caseworker"))
    case_id = open_case(border, RETURNEE)["id"]
    give_consent(border, case_id, KIND)
    sent = refer(border, case_id, to_unit=None, to_kind=KIND, to_province="42")
    return Referral.objects.get(uuid=sent["id"])


def test_the_supervisor_of_the_kind_sees_the_referral_and_only_its_units(to_kind, client_for):
    html = client_for("ht-health_department-supervisor").get("/routing/").content.decode()
    assert to_kind.case.number in html
    offered = {unit.code for unit in Unit.objects.all() if f'value="{unit.pk}"' in html}
    assert offered == {"ht-social-centre", "ht-health_department"}  # not another kind or province
    assert f'for="id_{to_kind.uuid}-to_unit"' in html


@pytest.mark.parametrize(
    "username", ["ht-steering_committee-supervisor", "demo-supervisor", "ht-police-supervisor"]
)
def test_other_supervisors_have_nothing_to_route(to_kind, client_for, username):
    html = client_for(username).get("/routing/").content.decode()
    assert to_kind.case.number not in html


@pytest.mark.parametrize("username", ["ht-health_department-caseworker", "demo-hotline"])
def test_only_supervisors_route(to_kind, client_for, username):
    client = client_for(username)
    assert client.get("/routing/").status_code == 403
    target = {f"{to_kind.uuid}-to_unit": Unit.objects.get(code="ht-social-centre").pk}
    assert client.post(f"/routing/{to_kind.uuid}/", target).status_code == 403
    to_kind.refresh_from_db()
    assert to_kind.to_unit is None


def test_routing_names_the_unit_that_takes_it(to_kind, client_for):
    client = client_for("ht-health_department-supervisor")
    centre = Unit.objects.get(code="ht-social-centre")
    response = client.post(f"/routing/{to_kind.uuid}/", {f"{to_kind.uuid}-to_unit": centre.pk})
    assert response.status_code == 302 and response.url == "/routing/"
    to_kind.refresh_from_db()
    assert to_kind.to_unit == centre
    assert to_kind.case.number not in client.get("/routing/").content.decode()


def test_a_unit_of_another_kind_is_refused_and_nothing_changes(to_kind, client_for):
    client = client_for("ht-health_department-supervisor")
    police = Unit.objects.get(code="ht-police")
    response = client.post(
        f"/routing/{to_kind.uuid}/", {f"{to_kind.uuid}-to_unit": police.pk}, follow=True
    )
    assert "Kiểm tra lại biểu mẫu" in response.content.decode()
    to_kind.refresh_from_db()
    assert to_kind.to_unit is None
