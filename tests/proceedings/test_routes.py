"""A route of the trafficking is coded for the statistics: bad codes are refused, named."""

import pytest
from django.utils import translation

from agencies.models import AgencyKind
from config.errors import InvalidInput
from proceedings import services
from proceedings.models import Route
from proceedings.services import RouteData

from .test_services import _opened

pytestmark = pytest.mark.django_db
POLICE = AgencyKind.POLICE


@pytest.mark.parametrize(
    ("data", "named"),
    [
        (RouteData(destination_country="KH", sector="casino"), "casino"),
        (RouteData(destination_country="Cambodia"), "Cambodia"),
        (RouteData(destination_country="kh"), "kh"),
        (RouteData(destination_country="KH", transit_countries=["LA", "XXX"]), "XXX"),
        (RouteData(destination_country="KH", origin_province_id="no-such"), "no-such"),
        (RouteData(destination_country="KH", crossing_point="x" * 101), "100"),
    ],
)
def test_a_route_with_a_bad_code_is_refused_with_what_is_wrong(track, data, named):
    _units, people = track
    cc = _opened(track)
    with translation.override("vi"), pytest.raises(InvalidInput) as refused:
        services.add_route(people[POLICE], cc, data)
    assert named in str(refused.value.detail)
    assert not Route.objects.filter(criminal_case=cc).exists()


def test_a_coded_route_is_kept(track):
    _units, people = track
    cc = _opened(track)
    route = services.add_route(
        people[POLICE],
        cc,
        RouteData(destination_country="KH", transit_countries=["LA"], sector="online_scam"),
    )
    assert route.sector == "online_scam" and route.transit_countries == ["LA"]
