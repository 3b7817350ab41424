"""The hotline form records the victim's languages; without Vietnamese, interpretation is
offered as a support service and shown, in Vietnamese, on the case page."""

import pytest

from agencies.models import User
from cases.models import Case, Person
from referrals.models import Referral
from referrals.services import accept_referral

from .conftest import CALL

pytestmark = pytest.mark.django_db


def test_a_victim_who_speaks_khmer_is_offered_an_interpreter(client_for):
    client = client_for("demo-hotline")
    assert 'for="id_victim_languages"' in client.get("/intake/").content.decode()
    assert client.post("/intake/", CALL | {"victim_languages": "km, en"}).status_code == 302
    case = Case.objects.get()
    victim = Person.objects.get(case=case, role="victim")
    assert victim.languages == ["km", "en"] and victim.interpreter_needed
    assert list(case.services.values_list("kind", "status")) == [("interpretation", "requested")]
    accept_referral(User.objects.get(username="demo-police"), Referral.objects.get(case=case))
    page = client_for("demo-police").get(f"/cases/{case.uuid}/").content.decode()
    assert "ngôn ngữ sử dụng" in page and "km, en" in page
    assert "<dd>Hỗ trợ phiên dịch</dd>" in page  # the interpretation offered, on the case page


def test_a_language_that_is_not_a_code_is_refused(client_for):
    response = client_for("demo-hotline").post("/intake/", CALL | {"victim_languages": "Khmer!"})
    assert response.status_code == 200 and not Case.objects.exists()
