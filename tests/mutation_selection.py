"""Pytest plugin for `make mutate` (loaded with `-p tests.mutation_selection` by mutmut only).

mutmut runs each mutant against every selected test that called the mutated function, and
nearly every test calls the audit ledger or the visibility rules while it sets up its cast.
This keeps, for a mutant of a rule module, only that module's own tests: the ones meant to
catch a change of that rule. mutmut names the mutant in MUTANT_UNDER_TEST
("cases.minors.x_age_group__mutmut_3"); its clean run, which names none, takes the module from
LOIVE_MUTANTS, and so does its first run ("stats"), which maps the tests to functions (the
other modules' tests are mapped when their module is run); its listing of the tests keeps all.
"""

import fnmatch
import os
from dataclasses import dataclass

import pytest


@dataclass(frozen=True)
class RuleModule:
    tests: tuple[str, ...]
    functions: tuple[str, ...] = ("*",)  # mutmut's names of the rule's functions, as globs

    def mutants(self, module: str) -> list[str]:
        return [f"{module}.{function}" for function in self.functions]

    def covers(self, module: str, mutant: str) -> bool:
        return any(fnmatch.fnmatchcase(mutant, glob) for glob in self.mutants(module))


_TRANSITIONS = ("tests/cases/test_transition_rules.py", "tests/test_rule_guards.py")
_CONSENT = ("tests/referrals/test_consent_rules.py", "tests/referrals/test_referral_api.py")

RULE_MODULES = {
    "security.audit": RuleModule(
        (
            "tests/security/test_audit.py",
            "tests/security/test_audit_tampering.py",
            "tests/security/test_audit_sealing.py",
        )
    ),
    # The table-driven tests; the endpoint tests (tests/test_access_policy_endpoints.py) add
    # minutes per mutant and check the same table through the API.
    "security.policy": RuleModule(("tests/security/test_policy.py",)),
    "security.idempotency": RuleModule(("tests/cases/test_idempotency.py",)),
    "cases.minors": RuleModule(("tests/cases/test_minors.py", "tests/test_rule_guards.py")),
    # The model binds its transitions at import, before a mutant is chosen: only a direct
    # call of CaseTransition.fsm() sees a changed binding.
    "cases.lifecycle": RuleModule(("tests/cases/test_lifecycle_table.py", *_TRANSITIONS)),
    "cases.requirements": RuleModule(("tests/cases/test_requirements.py", *_TRANSITIONS)),
    "cases.permissions": RuleModule(
        (
            "tests/cases/test_permissions.py",
            "tests/cases/test_transition_rules.py",
            "tests/cases/test_transitions_api.py",
        )
    ),
    # The direct tests name every field of a CaseView, a person and a record; the endpoint
    # tests of the policy table (tests/test_access_policy_endpoints.py) and of erasure
    # (tests/cases/test_erasure.py) add some 40 s each to every surviving mutant and check the
    # same branches through the API.
    "cases.visibility": RuleModule(
        (
            "tests/cases/test_visibility.py",
            "tests/test_confidentiality_reads.py",
            "tests/referrals/test_access_after_holding.py",
        )
    ),
    # Only the idempotency of intake: the rest of the service is not a rule module.
    # The direct service tests first; the query count notices a new case's process started
    # the long way (`opened` lost), which changes nothing else.
    "cases.services.intake": RuleModule(
        (
            "tests/cases/test_intake_service.py",
            "tests/cases/test_idempotency.py",
            "tests/cases/test_intake_api.py",
            "tests/cases/test_intake_cost.py",
        ),
        ("x_create_intake__*", "x__record_intake__*", "x__replayed_intake__*"),
    ),
    # Only the consent and legal-basis check of referrals; the direct service tests first.
    "referrals.services": RuleModule(
        ("tests/referrals/test_referral_service.py", *_CONSENT),
        (
            "x_send_referral__*",
            "x__sharing_basis__*",
            "x__consent_withdrawn__*",
            "x_accept_referral__*",
        ),
    ),
    "referrals.selectors": RuleModule(
        (*_CONSENT, "tests/referrals/test_access_after_holding.py"),
        ("xǁRecipientǁ*", "x__covering__*", "x_latest_consent__*", "x_consent_withdrawn__*"),
    ),
}


def module_of(mutant: str) -> str | None:
    """The rule module a mutant belongs to (or the module itself, by its name)."""
    for module in sorted(RULE_MODULES, key=len, reverse=True):
        if mutant == module or mutant.startswith(f"{module}."):
            return module
    return None


def _module_under_test() -> str | None:
    """The mutant's module; for mutmut's clean run and its stats run (which maps tests to
    functions), the module named in LOIVE_MUTANTS: mapping only its own tests takes minutes,
    not the half hour of every selected test on a loaded machine."""
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    return module_of(mutant) or module_of(os.environ.get("LOIVE_MUTANTS", ""))


def _file_rank(own: tuple[str, ...], nodeid: str) -> int:
    return next((rank for rank, path in enumerate(own) if nodeid.startswith(path)), len(own))


@pytest.hookimpl(trylast=True)  # after pytest-django, which puts tests without a database last
def pytest_collection_modifyitems(config, items) -> None:
    """Keep the module's own tests, in the order of its list: the direct unit tests first, so
    that a killed mutant dies in the first seconds."""
    module = _module_under_test()
    if module is None or config.option.collectonly:  # mutmut lists every test it has mapped
        return
    own = RULE_MODULES[module].tests
    kept = sorted(
        (item for item in items if item.nodeid.startswith(own)),
        key=lambda item: _file_rank(own, item.nodeid),
    )
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus) -> None:
    """mutmut maps the tests it has not seen yet (another module's) in a stats run of their
    own; narrowed to this module's tests, none may be left: that is not a failure."""
    if (
        os.environ.get("MUTANT_UNDER_TEST") == "stats"
        and exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED
    ):
        session.exitstatus = pytest.ExitCode.OK
