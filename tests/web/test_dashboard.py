"""The supervisors' targets dashboard: rates against goals, SVG trend charts drawn on the
server with a text alternative, the day the report is due; refused to other roles."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Unit
from tests.reports.test_proceedings_figures import tip
from tests.reports.test_province_targets import phu_tho  # noqa: F401 (a fixture)
from web.charts import bar_chart

pytestmark = pytest.mark.django_db
DASHBOARD = "/reports/dashboard/"


@pytest.fixture
def phu_tho_client(phu_tho):  # noqa: F811
    from django.test import Client

    from security.testing import force_verified_login

    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    force_verified_login(client, phu_tho[0])
    return client


def _card(html: str, key: str) -> str:
    return html.split(f'id="target-{key}"', 1)[1].split("</li>", 1)[0]


def test_each_target_with_its_rate_goal_and_quarterly_chart(phu_tho_client):
    response = phu_tho_client.get(DASHBOARD, {"period": "2026-Q2"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "báo cáo 2026-H1, nộp trước ngày 20/06/2026." in html  # Q2: the half-year report
    assert "Từ 01/04/2026 đến 30/06/2026" in html
    tried = _card(html, "phu_tho_tried")
    # Before the Court in 2026-Q2: the case indicted 10/02 (tried 01/05), the one indicted 01/04.
    assert "Tối thiểu 95%." in tried and "1 trên 2." in tried and ">50%" in tried
    svg = tried.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    assert [m for m in re.findall(r">(Quý \d/\d{4})<", svg)] == [
        "Quý 3/2025",
        "Quý 4/2025",
        "Quý 1/2026",
        "Quý 2/2026",
    ]
    assert 'class="goal"' in svg
    assert "<script" not in html and "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    table = tried.split('<table class="trend">', 1)[1]
    assert '<th scope="row">2026-Q1</th><td>0%</td><td>0/1</td><td>Không đạt</td>' in table
    assert '<th scope="row">2026-Q2</th><td>50%</td><td>1/2</td><td>Không đạt</td>' in table
    assert "Chỉ tiêu 5" in tried


def test_a_rising_target_has_no_fixed_goal_line(phu_tho_client):
    html = phu_tho_client.get(DASHBOARD, {"period": "2026-Q1"}).content.decode()
    rise = _card(html, "phu_tho_prosecution_rate_rises")
    assert "Tăng ít nhất 2 điểm so với 2025-Q1." in rise and 'class="goal"' not in rise
    assert "Không đạt" in rise


def test_coordinates_are_plain_numbers_even_in_vietnamese(phu_tho_client):
    html = phu_tho_client.get(DASHBOARD, {"period": "2026"}).content.decode()
    attributes = re.findall(r' (?:x|y|x1|x2|y1|y2|width|height)="([^"]*)"', html)
    assert attributes and all(re.fullmatch(r"-?\d+", value) for value in attributes)
    assert "66,7%" in html  # figures the Vietnamese way in the text


def test_a_bad_period_is_explained(phu_tho_client):
    response = phu_tho_client.get(DASHBOARD, {"period": "2026-Q9"})
    assert response.status_code == 400 and "2026-Q9" in response.content.decode()


@pytest.mark.parametrize("username", ["demo-police", "demo-hotline", "demo-admin"])
def test_only_supervisors_see_it(client_for, username):
    assert client_for(username).get(DASHBOARD).status_code == 403


def test_the_queries_do_not_grow_with_the_rows(phu_tho, phu_tho_client):  # noqa: F811
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            phu_tho_client.get(DASHBOARD, {"period": "2026"})
        return len(captured)

    before = queries()
    org = ({"pt": Unit.objects.get(code="pt-police")}, phu_tho[0], None)
    for day in range(1, 6):
        tip(org, "pt", f"2026-07-{day:02d}", resolved=f"2026-07-{day + 10:02d}")
    assert queries() == before


def test_the_bars_scale_to_the_rate():
    chart = bar_chart([("a", 100.0, "met"), ("b", 50.0, "not_met"), ("c", None, "no_reports")], 90)
    full, half, empty = chart.bars
    assert full.height == 2 * half.height and empty.height == 0
    assert full.y == chart.ticks[-1].y and chart.goal_y < half.y
