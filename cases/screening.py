"""The screening recommendation (khuyến nghị sàng lọc) from ILO indicators.

The result is a recommendation with its reasons for the caseworker, never a decision: only an
identification by a competent body decides who is a victim. The thresholds follow the ILO's
operational indicators (strong indicators weigh more than medium ones); they are a tool's
default, not law.
"""

from .models import Recommendation, ScreeningIndicator

STRONG_INDICATORS = frozenset(
    {
        ScreeningIndicator.DECEPTION,
        ScreeningIndicator.RESTRICTION_OF_MOVEMENT,
        ScreeningIndicator.PHYSICAL_SEXUAL_VIOLENCE,
        ScreeningIndicator.RETENTION_OF_DOCUMENTS,
        ScreeningIndicator.DEBT_BONDAGE,
        ScreeningIndicator.INTIMIDATION_THREATS,
    }
)


def recommend(indicators: list[str], purposes: list[str]) -> tuple[str, list[str]]:
    """Return the recommendation and the reasons a caseworker reads beside it."""
    strong = sorted(set(indicators) & STRONG_INDICATORS)
    medium = sorted(set(indicators) - STRONG_INDICATORS)
    reasons = [f"strong:{code}" for code in strong] + [f"medium:{code}" for code in medium]
    reasons += [f"purpose:{code}" for code in purposes]
    if len(strong) >= 2 or (strong and medium):
        return Recommendation.LIKELY_VICTIM, reasons
    if strong or len(medium) >= 2 or purposes:
        return Recommendation.POSSIBLE_VICTIM, reasons
    return Recommendation.UNLIKELY, reasons
