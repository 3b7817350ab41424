"""The reports page: the period's downloads and the day the province must submit the report,
as the rulebook sets it (Plan 19's 20th nationally, Quảng Trị's own 17th)."""

import pytest

pytestmark = pytest.mark.django_db
REPORTS = "/reports/"


def test_lao_cai_submits_on_plan_19s_day(client_for):
    response = client_for("demo-supervisor").get(REPORTS, {"period": "2026-Q1"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nộp trước ngày 20/03/2026." in html
    assert "Kế hoạch 19/KH-BCĐ138/CP" in html  # the citation of the day
    assert "?period=2026-Q1&amp;format=pdf" in html


def test_quang_tri_submits_on_its_own_17th(client_for):
    html = client_for("qt-steering_committee-supervisor").get(REPORTS, {"period": "2026-Q3"})
    html = html.content.decode()
    assert "Nộp trước ngày 17/09/2026." in html and "20/09/2026" not in html
    assert "Quảng Trị" in html and "17/9" in html  # the plan's wording, cited


def test_a_quarter_without_its_own_report_names_the_one_it_goes_into(client_for):
    html = client_for("demo-supervisor").get(REPORTS, {"period": "2026-Q2"}).content.decode()
    assert "2026-H1" in html and "20/06/2026" in html


def test_a_bad_period_is_explained(client_for):
    response = client_for("demo-supervisor").get(REPORTS, {"period": "2026-Q9"})
    assert response.status_code == 400 and "2026-Q9" in response.content.decode()


@pytest.mark.parametrize("username", ["demo-police", "demo-hotline"])
def test_only_supervisors_see_it(client_for, username):
    assert client_for(username).get(REPORTS).status_code == 403
