"""The rulebooks' text is in Vietnamese (migration rulebooks 0009): citations, the legal
wording of deadlines and the titles of the legal bases, as the pages show them."""

import re

import pytest

from rulebooks.models import LegalBasis, ReportingDeadline, Rulebook, RuleStep, ServiceEligibility

pytestmark = pytest.mark.django_db
ENGLISH = re.compile(
    r"\b(Law|Art\.|Decree|Circular|Regulation|Code|Mirrors|Plan|within|immediately|days|"
    r"months|reception|verification|Protection|Receiving)\b"
)


def _texts():
    yield from RuleStep.objects.values_list("citation", "wording")
    yield from ServiceEligibility.objects.values_list("citation")
    yield from LegalBasis.objects.values_list("title", "citation")
    yield from ReportingDeadline.objects.values_list("citation", "wording")
    yield from Rulebook.objects.values_list("legal_sources", "child_age_citation")


def test_no_english_is_left_in_the_rulebooks_text():
    english = [text for row in _texts() for text in row if ENGLISH.search(text)]
    assert english == []


def test_citations_read_as_vietnamese_law_is_cited():
    step = RuleStep.objects.get(rulebook_id="law-2024", step="verification")
    assert step.citation == "Luật 53/2024/QH15, khoản 2 Điều 27"
    assert step.wording == "trong thời hạn 03 ngày"
    service = ServiceEligibility.objects.get(
        rulebook_id="law-2024", beneficiary="identified_victim", service="legal_aid"
    )
    assert service.citation == "Luật 53/2024/QH15, điểm đ khoản 1 Điều 37"
