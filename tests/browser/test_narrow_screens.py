"""The web interface at 360×740 (a phone) and 1366×768: nothing scrolls sideways, tables
become stacked rows, and the operator links a second call to the case it duplicates.
Screenshots go to var/screenshots/ (looked at by a person; see README)."""

import re

from agencies.models import AgencyKind, Unit, UnitLevel
from cases.models import Case, Intake
from cases.services import IntakeData, PersonData, create_intake, record_consent
from demo.providers import seed_providers
from places.models import Province
from referrals.models import Referral
from referrals.services import accept_referral, send_referral
from web import views

from .conftest import BROWSER_TEST
from .test_web_journeys import (
    MOTHER_PHONE,
    PASSWORD,
    SHOTS,
    _code_from_setup_link,
    _first_call,
    _shoot,
    _sign_in,
)

pytestmark = BROWSER_TEST


def _sideways_overflow(page) -> int:
    """How many pixels the page is wider than the window (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_the_case_page_and_its_forms_fit_a_phone(page, live_server, user_named):
    case = _first_call(user_named("demo-hotline"))
    accept_referral(user_named("demo-police"), Referral.objects.get(case=case))
    _sign_in(page, live_server.url, "demo-police")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/{case.uuid}/")
    _shoot(page, "n1-case")
    page.set_viewport_size({"width": 360, "height": 740})
    assert _sideways_overflow(page) == 0
    timeline = page.locator("#timeline table tbody tr").first
    assert page.locator("#timeline thead").bounding_box()["width"] <= 1  # headers become labels
    cell = timeline.locator("td").first
    label = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Thời điểm"', label  # the column name, in Vietnamese
    page.click("details[data-record=consent] summary")
    assert _sideways_overflow(page) == 0
    page.locator("details[data-record=consent]").screenshot(
        path=str(SHOTS / "n1-consent-form-phone.png")
    )
    page.click("#referrals details summary")
    assert _sideways_overflow(page) == 0
    page.locator("#referrals").screenshot(path=str(SHOTS / "n1-referral-form-phone.png"))


def test_the_operator_links_a_second_call_to_the_case(page, live_server, user_named):
    operator = user_named("demo-hotline")
    first = _first_call(operator)
    base = live_server.url
    _sign_in(page, base, operator.username)
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/intake/")
    page.fill("#id_caller_name", "Trần Thị Hoa")
    page.fill("#id_caller_phone", MOTHER_PHONE)
    page.fill("#id_narrative", "Gọi lại: con trai bị chuyển sang khu khác.")
    same = page.locator(f"button.link-case[data-case='{first.uuid}']")
    same.wait_for()
    _shoot(page, "n2-operator-duplicate-link")
    # Enter in a field submits with the form's first submit button: opening a case, not linking.
    default = "document.querySelector('form.intake [type=submit]').id"
    assert page.evaluate(default) == "open-case"
    page.set_viewport_size({"width": 360, "height": 740})
    assert _sideways_overflow(page) == 0
    same.click()
    page.wait_for_url(re.compile(rf"/intake/{first.uuid}/$"))
    assert "không bàn giao lại" in page.locator("main").inner_text()
    _shoot(page, "n2-operator-linked")
    assert Case.objects.count() == 1 and Referral.objects.count() == 1
    assert Intake.objects.filter(case=first, linked_as_duplicate=True).count() == 1


def _refer_to_kind(border, province) -> Referral:
    """A returnee's case opened by the border guard, referred with consent to a kind."""
    kind = AgencyKind.HEALTH_DEPARTMENT
    returnee = PersonData(full_name="Lò Văn Pó", birth_year="1990")
    case = create_intake(border, IntakeData(channel="border_handover", victim=returnee)).case
    consent = record_consent(
        border,
        case,
        recipient_kind=kind,
        purpose="reception",
        status="given",
        informed_how="orally",
        informed_language="vi",
    )
    return send_referral(
        border, case, purpose="reception", to_kind=kind, to_province=province, consent=consent
    )


def test_a_supervisor_routes_a_referral_on_a_phone(page, live_server, user_named):
    """Hà Tĩnh's border guard refers a returnee to "the health department of Hà Tĩnh"; its
    supervisor, on a phone, names the social work centre."""
    centre = Unit.objects.create(
        code="ht-social-centre",
        name="Trung tâm Công tác xã hội Hà Tĩnh",
        kind=AgencyKind.HEALTH_DEPARTMENT,
        level=UnitLevel.PROVINCE,
        province=Province.objects.get(code="42"),
    )
    referral = _refer_to_kind(user_named("ht-border_guard-caseworker"), centre.province)
    base = live_server.url
    page.set_viewport_size({"width": 360, "height": 740})
    _sign_in(page, base, "ht-health_department-supervisor")
    page.wait_for_url(re.compile(r"/security/two-factor/"))
    page.click("summary")
    page.fill("input[name=token]", _code_from_setup_link(page))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.click("nav.areas a[data-area=routing]")
    page.wait_for_url(f"{base}/routing/")
    row = page.locator(f"tr[data-case='{referral.case.number}']")
    row.wait_for()
    assert _sideways_overflow(page) == 0
    _shoot(page, "n3-supervisor-routing")
    row.get_by_label("Đơn vị tiếp nhận").select_option(label=centre.name)
    row.locator("button[type=submit]").click()
    page.wait_for_url(f"{base}/routing/")
    referral.refresh_from_db()
    assert referral.to_unit == centre


def test_a_supervisor_reads_shelter_occupancy_on_a_phone(page, live_server, demo_org):
    """The providers' occupancy page (issue 12, part 2) in Vietnamese fits a phone."""
    seed_providers(PASSWORD)
    base = live_server.url
    _sign_in(page, base, "demo-supervisor")
    page.wait_for_url(re.compile(r"/security/two-factor/"))
    page.click("summary")
    page.fill("input[name=token]", _code_from_setup_link(page))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/providers/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("table.providers.stack tbody tr").count() > 1
    assert "Số chỗ" in page.inner_text("table.occupancy thead")  # beds, not "place names"
    _shoot(page, "n4-supervisor-occupancy")


def test_the_case_list_goes_page_by_page_on_a_phone(page, live_server, user_named, monkeypatch):
    monkeypatch.setattr(views, "CASES_PAGE", 2)
    operator = user_named("demo-hotline")
    for n in range(3):
        victim = PersonData(full_name=f"Người {n}", phone=f"09120000{n}1")
        create_intake(operator, IntakeData(channel="hotline", victim=victim, narrative="Lời kể"))
    oldest = Case.objects.order_by("received_at").first()
    _sign_in(page, live_server.url, "demo-hotline")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/cases/")
    _shoot(page, "n5-case-list")
    assert oldest.number not in page.content()
    page.click("a[rel=next]")  # "Hồ sơ cũ hơn"
    page.wait_for_url(f"{live_server.url}/cases/?page=2")
    _shoot(page, "n5-case-list-older")
    assert oldest.number in page.content() and page.locator("a[rel=prev]").count() == 1
