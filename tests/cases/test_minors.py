"""Who counts as a child, and the age groups of the Steering Committee 138 reports.

The presumed-minor cases from the evidence are in tests/test_rule_guards.py; these pin the
rule to its rulebook and every age-group boundary (an age exactly on a bound opens its group).
"""

import pytest

from cases.minors import AgeEvidence, PresumedMinorRule, age_group
from cases.models import AgeGroup
from rulebooks.models import Rulebook


@pytest.mark.django_db
def test_the_rule_takes_the_child_age_and_its_source_from_the_rulebook():
    for rulebook in Rulebook.objects.all():
        rule = PresumedMinorRule.of(rulebook)
        assert (rule.child_under, rule.citation) == (
            rulebook.child_age,
            rulebook.child_age_citation,
        )
        assert rule.applies(AgeEvidence(stated_age=rulebook.child_age - 1))
        assert not rule.applies(AgeEvidence(stated_age=rulebook.child_age))


@pytest.mark.parametrize(
    ("age", "group"),
    [
        (None, AgeGroup.UNKNOWN),
        (0, AgeGroup.UNDER_16),
        (15, AgeGroup.UNDER_16),
        (16, AgeGroup.AGE_16_17),
        (17, AgeGroup.AGE_16_17),
        (18, AgeGroup.AGE_18_29),
        (29, AgeGroup.AGE_18_29),
        (30, AgeGroup.AGE_30_49),
        (49, AgeGroup.AGE_30_49),
        (50, AgeGroup.AGE_50_PLUS),
        (90, AgeGroup.AGE_50_PLUS),
    ],
)
def test_an_age_on_a_group_boundary_opens_that_group(age, group):
    assert age_group(age) == group
