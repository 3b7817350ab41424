"""Presumed minor (giả định là trẻ em) and age groups.

A child is anyone under the rulebook's child age (18 in both rulebooks: Law on Children
102/2016/QH13 Art. 1). When the age is uncertain and there is reason to believe the person may
be a child, the person is treated as a child until the age is established; when an assessment
gives a range, the lowest age counts (Law 53/2024/QH15; ASEAN Convention ACTIP Art. 14(2)).
"""

from dataclasses import dataclass

from .models import AgeGroup


@dataclass(frozen=True)
class AgeEvidence:
    """What is known about a person's age at a given moment."""

    stated_age: int | None = None
    assessed_min: int | None = None
    assessed_max: int | None = None
    established_age: int | None = None
    childhood_indicators: bool = False

    @property
    def best_age(self) -> int | None:
        """The age that counts: established, else the lowest of what was stated or assessed."""
        if self.established_age is not None:
            return self.established_age
        known = [a for a in (self.stated_age, self.assessed_min) if a is not None]
        return min(known) if known else None


@dataclass(frozen=True)
class PresumedMinorRule:
    """Decides whether child rules apply, from the evidence about age; the age limit and its
    legal source come from the case's rulebook."""

    child_under: int
    citation: str

    @classmethod
    def of(cls, rulebook) -> "PresumedMinorRule":
        return cls(rulebook.child_age, rulebook.child_age_citation)

    def applies(self, evidence: AgeEvidence) -> bool:
        if evidence.established_age is not None:
            return evidence.established_age < self.child_under
        age = evidence.best_age
        if age is None:
            return evidence.childhood_indicators
        return age < self.child_under


# Lower bounds of the statistical age groups of the Steering Committee 138 reports.
_AGE_GROUP_BOUNDS = [
    (50, AgeGroup.AGE_50_PLUS),
    (30, AgeGroup.AGE_30_49),
    (18, AgeGroup.AGE_18_29),
    (16, AgeGroup.AGE_16_17),
    (0, AgeGroup.UNDER_16),
]


def age_group(age: int | None) -> str:
    if age is None:
        return AgeGroup.UNKNOWN
    return next(group for bound, group in _AGE_GROUP_BOUNDS if age >= bound)
