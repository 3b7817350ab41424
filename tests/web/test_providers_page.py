"""The service providers' page: supervisors see places and places taken per province."""

import re

import pytest

from demo.providers import seed_providers
from providers.models import Provider
from tests.cast import PASSWORD

pytestmark = pytest.mark.django_db


def test_supervisors_see_occupancy_per_province_others_may_not(client_for):
    seed_providers(PASSWORD)
    Provider.objects.filter(unit__code="lc-shelter").update(occupied=2)
    supervisor = client_for("demo-supervisor")
    assert 'href="/providers/"' in supervisor.get("/").content.decode()
    html = supervisor.get("/providers/").content.decode()
    assert "Cơ sở bảo trợ xã hội tổng hợp tỉnh Lào Cai" in html
    assert "2 / 6" in html  # the Lào Cai shelter: two of six places taken
    occupancy = html.split('class="occupancy stack"', 1)[1].split("</table>", 1)[0]
    lao_cai = next(row for row in occupancy.split("<tr>") if ">Lào Cai</td>" in row)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", lao_cai)
    assert cells == ["Lào Cai", "4", "20", "2", "18", "1"]
    assert client_for("demo-police").get("/providers/").status_code == 403
    assert 'href="/providers/"' not in client_for("demo-police").get("/").content.decode()
