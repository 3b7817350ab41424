"""seed_demo loads cases in every stage under both rulebooks."""

import pytest

from cases.demo import seed_cases
from cases.models import Case, CaseState


@pytest.mark.django_db
def test_demo_cases_cover_every_stage_under_both_rulebooks(demo_org):
    seed_cases()
    seen = set(Case.objects.values_list("rulebook", "state"))
    assert seen == {(r, s) for r in ("qcph-2548", "law-2024") for s in CaseState.values}
