"""The targets dashboard and the reports page in Chromium, at 1366 and 360 pixels wide: the
charts are drawn, fit the screen, and carry their text alternative; the day the report is due
and its citation fit a phone. Screenshots go to var/screenshots/."""

import re

import pytest

from tests.reports.test_province_targets import phu_tho  # noqa: F401 (a fixture)

from .test_story_04_supervisor import _code_from_setup_link
from .test_web_journeys import PASSWORD, SHOTS, SIZES

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_dashboard_at_desktop_and_phone_widths(page, live_server, phu_tho):  # noqa: F811
    supervisor = phu_tho[0]
    supervisor.set_password(PASSWORD)
    supervisor.save()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/security/two-factor/"))
    page.click("summary")
    page.fill("input[name=token]", _code_from_setup_link(page))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/reports/dashboard/?period=2026-Q2")
    assert page.locator("h1").inner_text() == "Bảng theo dõi chỉ tiêu"
    charts = page.locator("svg.chart")
    assert charts.count() == 8
    assert page.locator("#chart-tried-title").text_content() == "Vụ án được xét xử: tỷ lệ theo quý"
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        box = charts.first.bounding_box()
        assert box["width"] > 200 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"dashboard-{label}.png"), full_page=True)

    page.goto(f"{live_server.url}/reports/?period=2026-Q2")
    due = page.locator("p.due")
    # Q2 has no report of its own: the longest line the page shows, the one to fit a phone.
    assert "báo cáo 2026-H1, nộp trước ngày 20/06/2026." in due.inner_text()
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        box = due.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SHOTS / f"reports-{label}.png"), full_page=True)
