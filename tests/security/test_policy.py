"""The access policy, table-driven: role x agency kind x case condition -> field groups."""

import pytest

from agencies.models import AgencyKind, Role
from security.policy import (
    NEED_TO_KNOW,
    FieldGroup,
    holding_decides_sight,
    need_to_know,
    visible_field_groups,
)

G = FieldGroup
ALL = set(FieldGroup)
FIELD_AGENCY = {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.INVESTIGATION, G.REPATRIATION}
SOCIAL = {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE, G.MEDICAL_PSYCHOLOGICAL, G.REPATRIATION}
INTAKE = {G.IDENTITY, G.CONTACTS_RELATIVES, G.NARRATIVE}


class FakeUser:
    is_authenticated = True

    def __init__(self, role: str, kind: str | None, *, active: bool = True) -> None:
        self.role, self.agency_kind, self.is_active = role, kind, active


CASES = [
    # role, agency kind, holds the case, referral groups, reason, created intake -> visible
    (Role.CASEWORKER, AgencyKind.POLICE, True, None, "", False, FIELD_AGENCY),
    (Role.CASEWORKER, AgencyKind.BORDER_GUARD, True, None, "", False, FIELD_AGENCY),
    (Role.CASEWORKER, AgencyKind.LABOUR_SOCIAL, True, None, "", False, SOCIAL),
    (Role.CASEWORKER, AgencyKind.HEALTH_DEPARTMENT, True, None, "", False, SOCIAL),
    (Role.CASEWORKER, AgencyKind.JUSTICE_LEGAL_AID, True, None, "", False,
     {G.IDENTITY, G.NARRATIVE, G.LEGAL}),
    (Role.CASEWORKER, AgencyKind.FOREIGN_AFFAIRS, True, None, "", False,
     {G.IDENTITY, G.CONTACTS_RELATIVES, G.REPATRIATION}),
    (Role.CASEWORKER, AgencyKind.STEERING_COMMITTEE, True, None, "", False, set()),
    # Not holding the case: nothing, whatever the agency.
    (Role.CASEWORKER, AgencyKind.POLICE, False, None, "", False, set()),
    # A referral narrows the unit's view to the referral's purpose...
    (Role.CASEWORKER, AgencyKind.HEALTH_DEPARTMENT, True,
     {G.IDENTITY, G.MEDICAL_PSYCHOLOGICAL}, "", False, {G.IDENTITY, G.MEDICAL_PSYCHOLOGICAL}),
    # ...and never widens it beyond the agency's need to know.
    (Role.CASEWORKER, AgencyKind.JUSTICE_LEGAL_AID, True,
     {G.LEGAL, G.MEDICAL_PSYCHOLOGICAL}, "", False, {G.LEGAL}),
    (Role.CASEWORKER, AgencyKind.POLICE, True, set(), "", False, set()),
    (Role.HOTLINE_OPERATOR, AgencyKind.HOTLINE, True, None, "", True, INTAKE),
    (Role.HOTLINE_OPERATOR, AgencyKind.HOTLINE, True, None, "", False, set()),
    (Role.SUPERVISOR, AgencyKind.STEERING_COMMITTEE, True, None, "", False, set()),
    (Role.SUPERVISOR, AgencyKind.STEERING_COMMITTEE, False, None, "   ", False, set()),
    (Role.SUPERVISOR, AgencyKind.POLICE, False, None, "court order 15/2026", False,
     {G.IDENTITY}),
    (Role.ADMINISTRATOR, None, True, None, "I really need to", True, set()),
    (Role.ADMINISTRATOR, AgencyKind.POLICE, True, set(FieldGroup), "audit", True, set()),
]  # fmt: skip


@pytest.mark.parametrize(
    ("role", "kind", "holds", "referral", "reason", "created", "expected"), CASES
)
def test_visible_field_groups(role, kind, holds, referral, reason, created, expected):
    user = FakeUser(role, kind)
    visible = visible_field_groups(
        user, holds_case=holds, referral_groups=referral, reason=reason, created_intake=created
    )
    assert visible == expected


def test_inactive_or_anonymous_users_see_nothing():
    from django.contrib.auth.models import AnonymousUser

    inactive = FakeUser(Role.CASEWORKER, AgencyKind.POLICE, active=False)
    assert visible_field_groups(inactive, holds_case=True, referral_groups=None) == set()
    assert visible_field_groups(AnonymousUser(), holds_case=True, referral_groups=None) == set()


def test_every_agency_kind_has_an_explicit_caseworker_row():
    assert set(NEED_TO_KNOW[Role.CASEWORKER]) == set(AgencyKind)


def test_every_role_is_in_the_table_and_only_known_groups_appear():
    assert set(NEED_TO_KNOW) == set(Role)
    for by_kind in NEED_TO_KNOW.values():
        for groups in by_kind.values():
            assert groups <= ALL


def test_no_one_but_case_holders_sees_medical_or_investigation_records():
    for role in (Role.HOTLINE_OPERATOR, Role.SUPERVISOR, Role.ADMINISTRATOR):
        assert not need_to_know(role, AgencyKind.POLICE) & {
            G.MEDICAL_PSYCHOLOGICAL,
            G.INVESTIGATION,
        }


def test_works_with_real_users(police_unit, make_user):
    officer = make_user(police_unit, Role.CASEWORKER)
    assert visible_field_groups(officer, holds_case=True, referral_groups=None) == FIELD_AGENCY


def test_a_role_or_agency_kind_the_table_does_not_name_sees_nothing():
    assert need_to_know("stranger", AgencyKind.POLICE) == frozenset()
    assert need_to_know(Role.CASEWORKER, None) == frozenset()
    assert need_to_know(Role.CASEWORKER, "unknown-kind") == frozenset()
    assert visible_field_groups(None, holds_case=True, referral_groups=None) == set()


def test_without_a_reason_or_an_own_intake_the_conditions_are_not_met():
    """The defaults are the closed door: a supervisor gives a reason, an operator made the
    intake, or they see nothing."""
    supervisor = FakeUser(Role.SUPERVISOR, AgencyKind.POLICE)
    operator = FakeUser(Role.HOTLINE_OPERATOR, AgencyKind.HOTLINE)
    assert visible_field_groups(supervisor, holds_case=False, referral_groups=None) == set()
    assert visible_field_groups(operator, holds_case=True, referral_groups=None) == set()


@pytest.mark.parametrize(
    ("role", "decides"),
    [
        (Role.CASEWORKER, True),
        (Role.HOTLINE_OPERATOR, False),
        (Role.SUPERVISOR, False),
        (Role.ADMINISTRATOR, True),  # no group either way; an ended hold narrows its records
        (Role.INTEGRATION, True),
    ],
)
def test_the_hold_decides_sight_unless_the_users_own_act_does(role, decides):
    """Where the hold is said not to decide, visible_field_groups ignores it: cases.visibility
    may skip reading it without changing what is seen."""
    assert holding_decides_sight(role) is decides
    user = FakeUser(role, AgencyKind.POLICE)
    for reason, created in [("", False), ("court order", True)]:
        seen = [
            visible_field_groups(
                user, holds_case=holds, referral_groups=referral, reason=reason,
                created_intake=created,
            )
            for holds, referral in [(True, None), (False, None), (True, {G.NARRATIVE})]
        ]  # fmt: skip
        assert decides or seen[0] == seen[1] == seen[2]
