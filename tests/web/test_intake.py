"""The hotline intake page: one submit opens the case and hands it over under the rulebook."""

import re

import pytest

from cases.models import Case, Consent, Screening
from referrals.models import Referral
from rulebooks.models import RuleStep

from .conftest import CALL

pytestmark = pytest.mark.django_db


def test_operator_gets_the_form_with_a_label_on_every_field(client_for):
    response = client_for("demo-hotline").get("/intake/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("caller_name", "victim_name", "victim_age", "narrative", "province"):
        assert f'for="id_{name}"' in html
    assert "vendor/htmx.min.js" in html
    assert not re.search(r'(src|href)="(https?:)?//', html)  # nothing from another site


@pytest.mark.parametrize("username", ["demo-police", "demo-supervisor", "demo-admin"])
def test_only_operators_take_calls(client_for, username):
    assert client_for(username).get("/intake/").status_code == 403


def test_one_submit_opens_the_case_and_hands_it_to_the_responsible_unit(hotline_case, client_for):
    case = hotline_case
    referral = Referral.objects.get(case=case)
    assert referral.to_unit.code == "lc-police"  # verification's lead kind in the province
    assert referral.purpose == "verification"
    assert referral.due_at - referral.sent_at == referral.rule.deadline
    assert referral.consent.status == "given" and referral.consent.given_by == "reporter"
    screening = Screening.objects.get(case=case)
    assert screening.recommendation == "likely_victim"
    assert sorted(case.purposes) == ["forced_crime", "forced_labour"]
    page = client_for("demo-hotline").get(f"/intake/{case.uuid}/")
    assert page.status_code == 200
    assert case.number in page.content.decode()
    assert referral.to_unit.name in page.content.decode()  # the receiving unit, by name


def test_a_refused_consent_keeps_the_case_with_the_hotline(client_for):
    response = client_for("demo-hotline").post("/intake/", CALL | {"consent": "refused"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert not Referral.objects.exists()
    assert Consent.objects.get(case=case).status == "refused"


def test_without_the_callers_word_the_rule_is_the_legal_basis(client_for):
    client_for("demo-hotline").post("/intake/", CALL | {"consent": "not_stated"})
    referral = Referral.objects.get()
    assert referral.consent is None and referral.legal_basis.code == "urgent-verification"
    assert referral.justification == referral.rule.citation


def test_the_legal_basis_for_a_handover_without_consent_is_rulebook_data(client_for):
    """A rulebook that names none for verification: the call waits for the caller's word."""
    RuleStep.objects.filter(step="verification").update(sharing_basis=None)
    response = client_for("demo-hotline").post("/intake/", CALL | {"consent": "not_stated"})
    assert response.status_code == 302 and Case.objects.count() == 1
    assert not Referral.objects.exists()
    RuleStep.objects.filter(step="verification").update(sharing_basis="crime-report")
    client_for("demo-hotline").post("/intake/", CALL | {"consent": "not_stated"})
    assert Referral.objects.get().legal_basis.code == "crime-report"


def test_a_double_submit_opens_one_case(client_for):
    client = client_for("demo-hotline")
    data = CALL | {"idempotency_key": "same-form"}
    client.post("/intake/", data)
    client.post("/intake/", data)
    assert Case.objects.count() == 1 and Referral.objects.count() == 1


def test_live_check_warns_of_a_duplicate_and_a_presumed_minor(hotline_case, client_for):
    client = client_for("demo-hotline")
    typed = {"caller_phone": "0912345678", "victim_age": "1"}  # age half typed: 1, then 16
    html = client.post("/intake/check/", typed).content.decode()
    assert hotline_case.number in html
    assert "Có thể trùng" in html
    assert "Giả định là người chưa thành niên" in html
    calm = client.post("/intake/check/", {"victim_age": "24", "victim_birth_year": "19"})
    assert calm.status_code == 200 and calm.content.decode().strip() == ""


def test_live_check_by_name_and_year_of_birth(hotline_case, client_for):
    html = client_for("demo-hotline").post(
        "/intake/check/", {"victim_name": "nguyễn văn nam", "victim_birth_year": "2001"}
    )
    assert hotline_case.number in html.content.decode()


SECOND_CALL = CALL | {
    "caller_name": "Trần Thị Hoa",
    "caller_phone": "0912345678",
    "narrative": "Gọi lại: con trai đã bị chuyển sang khu khác.",
    "indicators": ["restriction_of_movement"],
}


def test_the_duplicate_warning_offers_to_add_the_call_to_that_case(hotline_case, client_for):
    html = client_for("demo-hotline").post("/intake/check/", SECOND_CALL).content.decode()
    assert f'class="link-case" data-case="{hotline_case.uuid}"' in html
    assert "Đây là cùng một hồ sơ" in html


def test_linking_adds_the_call_to_the_case_without_a_new_case_or_handover(hotline_case, client_for):
    from cases.models import Intake

    response = client_for("demo-hotline").post(
        "/intake/", SECOND_CALL | {"link_to_case": str(hotline_case.uuid)}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/intake/{hotline_case.uuid}/"
    assert Case.objects.count() == 1 and Referral.objects.count() == 1
    second = Intake.objects.filter(case=hotline_case).latest("received_at")
    assert second.linked_as_duplicate and second.reporter.full_name == "Trần Thị Hoa"
    assert "chuyển sang khu khác" in second.narrative  # the call's details are kept
    assert Screening.objects.filter(case=hotline_case).count() == 2
    assert "không bàn giao lại" in response.content.decode()


def test_linking_to_a_case_the_operator_may_not_see_is_404(client_for, api, cast):
    from tests.cast import INTAKE, open_case

    hidden = open_case(api(cast.border_guard), INTAKE)["id"]
    response = client_for("demo-hotline").post("/intake/", CALL | {"link_to_case": hidden})
    assert response.status_code == 404
    assert Case.objects.count() == 1
