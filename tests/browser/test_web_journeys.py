"""Three journeys through the web interface only, in Debian's Chromium: the hotline operator
takes story 02's call, the receiving police unit works it, a supervisor finds an overdue
handoff. Screenshots at 1366×768 and 360×740 go to var/screenshots/ (artifacts)."""

import base64
import json
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from django.conf import settings
from django.utils import timezone
from django_otp.oath import totp

from cases.models import Case
from cases.services import IntakeData, PersonData
from referrals.hotline import HotlineCall, take_hotline_call
from referrals.models import Referral
from referrals.services import sweep_overdue

from .conftest import BROWSER_TEST

pytestmark = BROWSER_TEST


SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
PASSWORD = "x-Test-pass-42"
MOTHER_PHONE = "0912 345 678"
SIZES = {"desktop": (1366, 768), "phone": (360, 740)}


def _shoot(page, name: str) -> None:
    """The page at both sizes, then back to the desktop size; at neither does the page
    scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        wider = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert wider <= 0, f"{name} scrolls sideways by {wider} px at {width} px"
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def _first_call(user, days_ago: int = 2) -> Case:
    """The mother's first call, two days earlier: the case the second call duplicates."""
    call = HotlineCall(
        intake=IntakeData(
            channel="hotline",
            victim=PersonData(
                full_name="Nguyễn Văn Nam", birth_year="2001", province_id="n-lao-cai"
            ),
            reporter=PersonData(full_name="Trần Thị Hoa", phone=MOTHER_PHONE),
            narrative="Con trai bị giữ ở Campuchia.",
            received_at=timezone.now() - timedelta(days=days_ago),
        )
    )
    return take_hotline_call(user, call).case


# Story 02 typed with the keyboard only, field after field, as the form's tab order runs.
# ("type", text) types characters; ("press", key) presses one key.
TAB = ("press", "Tab")
SPACE = ("press", "Space")
STORY_02 = [
    ("type", "Trần Thị Hoa"),
    TAB,
    ("type", MOTHER_PHONE),
    TAB,
    ("type", "mẹ"),
    TAB,
    ("type", "Nguyễn Văn Nam"),
    TAB,
    ("type", "24"),
    TAB,
    ("type", "2001"),
    TAB,
    ("type", "Nam"),
    TAB,  # sex: type-ahead in the list
    ("type", "+855 12 345 678"),
    TAB,
    TAB,  # no ID number known
    TAB,  # the caller does not say which languages he speaks
    TAB,  # the description does not suggest a child
    (
        "type",
        "Đi Campuchia làm việc nhẹ lương cao, bị giữ hộ chiếu ở Sihanoukville, "
        "bị đánh khi không đạt chỉ tiêu, chủ đòi 8.000 USD.",
    ),
    TAB,
    # purposes: sexual exploitation, forced labour ✓, organs, marriage, childbirth, begging,
    # forced crime ✓, other
    TAB,
    SPACE,
    TAB,
    TAB,
    TAB,
    TAB,
    TAB,
    SPACE,
    TAB,
    TAB,
    ("type", "Lào Cai"),
    TAB,  # home province
    ("type", "Cam"),
    TAB,  # Cambodia
    SPACE,
    TAB,  # abroad now
    # ILO checklist, in the form's order: abuse of vulnerability, deception ✓, restriction of
    # movement ✓, isolation, violence ✓, threats, documents ✓, wages, debt bondage ✓, conditions,
    # overtime
    TAB,
    SPACE,
    TAB,
    SPACE,
    TAB,
    TAB,
    SPACE,
    TAB,
    TAB,
    SPACE,
    TAB,
    TAB,
    SPACE,
    TAB,
    TAB,
    TAB,
    ("press", "ArrowUp"),
    ("press", "ArrowUp"),
    TAB,  # consent: agrees (from "not asked")
    TAB,  # given by: the caller
    ("press", "Enter"),  # on the submit button
]


def _keystrokes(steps) -> int:
    return sum(len(value) if action == "type" else 1 for action, value in steps)


def _measure_intake(page, url: str) -> dict:
    """Requests and bytes over the network for the intake page, in a fresh browser profile
    (first visit: nothing cached) and again (repeat visit); cache hits are not counted."""
    context = page.context.browser.new_context(
        locale="vi-VN", storage_state=page.context.storage_state()
    )
    fresh = context.new_page()
    seen: list = []

    def finished(request) -> None:
        seen.append(request)

    fresh.on("requestfinished", finished)

    def visit() -> dict:
        seen.clear()
        fresh.goto(url, wait_until="networkidle")
        sizes = [r.sizes() for r in seen]
        fetched = [s for s in sizes if s["responseBodySize"] >= 0]  # negative: from cache
        return {
            "requests": len(fetched),
            "from_cache": len(sizes) - len(fetched),
            "bytes": sum(s["responseBodySize"] + s["responseHeadersSize"] for s in fetched),
        }

    first, repeat = visit(), visit()
    context.close()
    return {"first": first, "repeat": repeat}


def test_journey_1_operator_takes_story_02(page, live_server, user_named):
    operator = user_named("demo-hotline")
    first = _first_call(operator)
    base = live_server.url
    _sign_in(page, base, operator.username)
    page.wait_for_url(f"{base}/")
    _shoot(page, "j1-operator-landing")
    page.click("nav.areas a[data-area=intake]")
    page.wait_for_url(f"{base}/intake/")
    measured = _measure_intake(page, f"{base}/intake/")
    assert measured["first"]["requests"] == 3  # the page, its style sheet, htmx
    assert page.evaluate("document.activeElement.id") == "id_caller_name"

    warned = False
    for action, value in STORY_02:
        if action == "type":
            page.keyboard.type(value)
        else:
            if value == "Enter":
                page.wait_for_selector(".flag.duplicate")
                warned = True
                _shoot(page, "j1-operator-intake-duplicate")
            page.keyboard.press(value)
    assert warned
    page.wait_for_url(re.compile(r"/intake/[0-9a-f-]{36}/$"))
    number = page.locator("#case-number").inner_text()
    case = Case.objects.get(number=number)
    assert case.pk != first.pk
    assert Referral.objects.get(case=case).to_unit.code == "lc-police"
    assert case.screenings.get().recommendation == "likely_victim"
    assert Referral.objects.get(case=case).to_unit.name in page.locator("main").inner_text()
    _shoot(page, "j1-operator-case-opened")
    record = {"intake_page": measured, "keystrokes_story_02": _keystrokes(STORY_02)}
    (SHOTS / "measurements.json").write_text(json.dumps(record, indent=2))


def test_journey_2_caseworker_accepts_and_moves_it_on(page, live_server, user_named):
    operator = user_named("demo-hotline")
    case = _first_call(operator)
    base = live_server.url
    _sign_in(page, base, "demo-police")
    page.wait_for_url(f"{base}/")
    page.click("nav.areas a[data-area=inbox]")
    row = page.locator(f"tr[data-case='{case.number}']").first
    assert "Nguyễn Văn Nam" not in page.content()
    _shoot(page, "j2-caseworker-inbox")
    row.locator("button[name=accept]").click()
    page.wait_for_url(f"{base}/cases/{case.uuid}/")
    assert "Nguyễn Văn Nam" in page.locator("#identity").inner_text()

    page.click("details[data-record=screening] summary")
    screening = page.locator("details[data-record=screening] form")
    for label in ("Lừa dối", "Hạn chế đi lại", "Bạo lực thể chất hoặc tình dục"):
        screening.get_by_label(label, exact=True).check()
    screening.locator("button[type=submit]").click()
    page.locator("li[data-transition=start_verification] button").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).state == "verification"

    page.click("details[data-record=verification] summary")
    verification = page.locator("details[data-record=verification] form")
    verification.get_by_label("Kết quả").select_option("signs_of_trafficking")
    verification.locator("button[type=submit]").click()
    _shoot(page, "j2-caseworker-case")
    page.locator("li[data-transition=start_identification] button").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).state == "identification"
    assert "Xác định nạn nhân" in page.locator(".case-head").inner_text()
    _shoot(page, "j2-caseworker-moved-on")


def _code_from_setup_link(page) -> str:
    uri = page.locator("code.otpauth").inner_text()
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_journey_3_supervisor_finds_an_overdue_handoff(page, live_server, user_named):
    case = _first_call(user_named("demo-hotline"), days_ago=6)
    referral = Referral.objects.get(case=case)
    sent = timezone.now() - timedelta(days=5)
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent, due_at=sent + (referral.due_at - referral.sent_at)
    )
    assert sweep_overdue() == 1
    base = live_server.url
    _sign_in(page, base, "demo-supervisor")
    page.wait_for_url(re.compile(r"/security/two-factor/"))
    page.click("summary")
    page.fill("input[name=token]", _code_from_setup_link(page))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    _shoot(page, "j3-supervisor-landing")
    page.click(f"main a:has-text('{case.number}')")
    page.wait_for_url(f"{base}/supervision/cases/{case.uuid}/timeline/")
    chart = page.locator("svg").inner_html()
    assert referral.to_unit.name in chart and "lc-police" not in chart  # names, not codes
    assert re.search(r"\d\d/\d\d/\d{4}", page.locator("main").inner_text())
    assert "Nguyễn Văn Nam" not in page.content()
    assert "lc-police" not in page.locator("table").inner_text()
    _shoot(page, "j3-supervisor-timeline")
