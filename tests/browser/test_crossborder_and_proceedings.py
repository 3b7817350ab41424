"""The cross-border lines of a case's timeline and the criminal track's pages, at 1366×768
and on a phone (360×740): shot to var/screenshots/ (looked at by a person), nothing scrolls
sideways, tables stack on the phone, countries by their Vietnamese names."""

from datetime import timedelta

import pytest
from django.utils import timezone

from crossborder.models import Counterpart
from crossborder.services import answer_request, send_request
from proceedings import services as track
from proceedings.models import CriminalCase
from referrals.models import Referral
from referrals.services import accept_referral

from .conftest import BROWSER_TEST
from .test_web_journeys import _first_call, _shoot, _sign_in

pytestmark = BROWSER_TEST


@pytest.fixture
def police_case(user_named):
    """Story 02's case held by Lào Cai police, who asked Cambodia to verify the identity."""
    police = user_named("demo-police")
    case = _first_call(user_named("demo-hotline"))
    accept_referral(police, Referral.objects.get(case=case))
    cambodia = Counterpart.objects.get(code="kh-competent-authorities")
    asked = send_request(
        police,
        case,
        counterpart=cambodia,
        kind="identity_verification",
        direction="outgoing",
        channel="official_letter",
        reference="123/CV-CA",
        sent_at=timezone.now() - timedelta(days=1),
    )
    answer_request(police, asked, outcome="confirmed")
    return case


def _stacked(page, selector: str) -> bool:
    """At 360 px a table's header row is hidden and each cell carries its column's name."""
    head = page.locator(f"{selector} thead").bounding_box()
    return head is None or head["width"] <= 1


def test_the_cross_border_lines_of_the_case_timeline(page, live_server, police_case):
    _sign_in(page, live_server.url, "demo-police")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{police_case.uuid}/#timeline")
    _shoot(page, "x1-case-crossborder")
    timeline = page.locator("#timeline").inner_text()
    # Which way the request went, what it asked and what came back, in words; to whom.
    assert "Yêu cầu gửi cơ quan nước bạn" in timeline
    assert "Cơ quan nước bạn trả lời" in timeline
    assert "Xác minh nhân thân: Xác nhận đúng" in timeline
    assert "identity_verification" not in timeline
    assert "Cơ quan chức năng Căm-pu-chia (theo Hiệp định)" in timeline
    # The tabs stay on top at 1366 px: a section jumped to is not hidden under them.
    page.click("nav.tabs a[href='#timeline']")
    page.wait_for_timeout(300)
    heading = page.locator("#timeline h2").bounding_box()
    tabs = page.locator("nav.tabs").bounding_box()
    assert heading["y"] >= tabs["y"] + tabs["height"] - 1, (heading, tabs)
    page.set_viewport_size({"width": 360, "height": 740})
    assert _stacked(page, "#timeline table")


def test_the_referral_form_offers_the_chosen_kinds_units(page, live_server, police_case):
    _sign_in(page, live_server.url, "demo-police")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{police_case.uuid}/")
    page.click("#referrals details summary")
    page.select_option("select[name=to_kind]", "justice_legal_aid")
    kind = page.eval_on_selector("select[name=to_kind]", "s => s.selectedOptions[0].text")
    groups = "select[name=to_unit] optgroup:not([disabled])"
    shown = page.eval_on_selector_all(groups, "gs => gs.map(g => g.label)")
    assert shown == [kind]  # only the chosen kind's units
    units = page.eval_on_selector_all(f"{groups} option", "os => os.map(o => o.text)")
    assert units == ["Sở Tư pháp tỉnh Lào Cai"]
    page.locator("#referrals").scroll_into_view_if_needed()
    _shoot(page, "x6-referral-form")


def test_the_criminal_track_pages(page, live_server, police_case, user_named):
    police = user_named("demo-police")
    tip = track.record_tip(
        police,
        track.TipData(
            kind="denunciation",
            content="Tố giác đường dây đưa người sang Campuchia làm việc cho sòng bạc trực tuyến.",
            offence="art150",
            victim_case=police_case,
        ),
    )
    track.transition_tip(police, tip, "start_verification")
    track.resolve_tip(police, tip, outcome="case_opened", decision_number="07/QĐ-KTVA")
    cc = CriminalCase.objects.get(tip=tip)
    track.add_offender(
        police, cc, track.OffenderData(role="recruiter", full_name="Lê Văn Tư", birth_year="1984")
    )
    track.add_route(
        police,
        cc,
        track.RouteData(
            destination_country="KH",
            transit_countries=["LA"],
            origin_province_id=police.unit.province_id,
            sector="online_scam",
        ),
    )
    _sign_in(page, live_server.url, "demo-police")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/proceedings/tips/")
    _shoot(page, "x2-tips")
    page.goto(f"{live_server.url}/proceedings/tips/{tip.uuid}/")
    _shoot(page, "x3-tip")
    page.goto(f"{live_server.url}/proceedings/cases/")
    _shoot(page, "x4-criminal-cases")
    page.goto(f"{live_server.url}/proceedings/cases/{cc.uuid}/")
    _shoot(page, "x5-criminal-case")
    route = page.locator("[data-route]").inner_text()
    assert "Lào Cai → Lào → Campuchia" in route, route  # countries by name, not LA, KH
    steps_taken = page.locator("[data-steps-taken]").inner_text()
    assert "07/QĐ-KTVA" in steps_taken and "—" not in steps_taken  # the opening is a step
    page.set_viewport_size({"width": 360, "height": 740})
    for table in ("table.offenders",):
        assert _stacked(page, table)
    for path in ("/proceedings/tips/", "/proceedings/cases/"):
        page.goto(f"{live_server.url}{path}")
        assert _stacked(page, "table.inbox"), path
