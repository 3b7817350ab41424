"""Pages show the rulebooks' text in Vietnamese (migration rulebooks 0009)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_case_page_shows_the_deadline_citation_in_vietnamese(hotline_case, client_for):
    from referrals.models import Referral

    police = client_for("demo-police")
    police.post(f"/referrals/{Referral.objects.get(case=hotline_case).uuid}/accept/")
    page = police.get(f"/cases/{hotline_case.uuid}/").content.decode()
    assert "Luật 53/2024/QH15, khoản 2 Điều 27" in page
    assert "Art. 27" not in page
