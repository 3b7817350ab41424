"""Story 04 in the browser: the provincial supervisor signs in with two factors and finds the
handoff nobody picked up on the overdue list, then its timeline chart."""

import base64
import re
from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django_otp.oath import totp

from places.models import VIETNAM_TZ
from referrals.models import Referral
from referrals.services import sweep_overdue
from tests.cast import open_case, refer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SENT = datetime(2025, 12, 1, 9, 0, tzinfo=VIETNAM_TZ)
RETURNEE = {
    "channel": "border_handover",
    "received_at": "2025-12-01T08:00:00+07:00",
    "purposes": ["forced_labour"],
    "destination_country": "LA",
    "victim": {"full_name": "Lò Văn Pó", "birth_year": 1990, "sex": "male"},
}


def _overdue_referral(api, cast) -> Referral:
    border = api(cast.named("ht-border_guard-caseworker"))
    case_id = open_case(border, RETURNEE)["id"]
    sent = refer(border, case_id, legal_basis="Law 53/2024/QH15 Art. 27(2)")
    referral = Referral.objects.get(uuid=sent["id"])
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=SENT, due_at=SENT + (referral.due_at - referral.sent_at)
    )
    assert sweep_overdue() == 1
    return Referral.objects.select_related("case").get(pk=referral.pk)


def _code_from_setup_link(page) -> str:
    """What an authenticator app does with the otpauth:// link: compute the current code."""
    uri = page.locator("code.otpauth").inner_text()
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{totp(key):06d}"


def test_supervisor_finds_the_overdue_handoff(page, live_server, api, cast):
    referral = _overdue_referral(api, cast)
    supervisor = cast.named("ht-steering_committee-supervisor")
    supervisor.set_password("x-Test-pass-42")
    supervisor.save()

    page.goto(f"{live_server.url}/login/")
    assert page.locator("h1").inner_text() == "Đăng nhập"
    page.fill("#id_username", supervisor.username)
    page.fill("#id_password", "x-Test-pass-42")
    page.click("main button[type=submit]")

    # Supervisors must enrol a second factor before anything else.
    page.wait_for_url(re.compile(r"/security/two-factor/"))
    page.click("summary")
    page.fill("input[name=token]", _code_from_setup_link(page))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/supervision/overdue/")
    body = page.locator("main").inner_text()
    assert referral.case.number in body
    assert "Lò Văn Pó" not in page.content()
    page.screenshot(path=str(settings.DATA_DIR / "story-04-overdue.png"), full_page=True)

    page.goto(f"{live_server.url}/supervision/cases/{referral.case.uuid}/timeline/")
    assert page.locator("svg rect").count() >= 3  # background, the stage, the waiting handoff
    assert "Tiếp nhận và hỗ trợ ban đầu" in page.locator("table").inner_text()
    page.screenshot(path=str(settings.DATA_DIR / "story-04-timeline.png"), full_page=True)
