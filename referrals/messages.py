"""What the people concerned are told about a referral: its arrival and its escalation.

Messages name the case number, purpose, units and deadline, never who the victim is; they go
through the transactional outbox (notifications.outbox), in the transaction of the change.
"""

from collections.abc import Iterable

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _

from agencies.models import User
from cases.models import Intake
from notifications.outbox import enqueue, enqueue_many
from places.models import VIETNAM_TZ

from .models import Referral


def enqueue_escalations(items: Iterable[tuple[Referral, str, Iterable[User]]]) -> None:
    """One message per (referral, level, supervisor, channel), all in one INSERT whatever
    their number (the sweep, issue 15); enqueuing twice adds nothing."""
    with translation.override(settings.LANGUAGE_CODE):
        enqueue_many(
            (
                f"escalation:{referral.pk}:{level}",
                users,
                _("Overdue referral: case %(number)s") % {"number": referral.case.number},
                _escalation_body(referral),
            )
            for referral, level, users in items
        )


def enqueue_arrival(referral: Referral, users: Iterable[User]) -> None:
    """Tell the receiving unit a referral arrived (once per person, unit and channel)."""
    with translation.override(settings.LANGUAGE_CODE):
        enqueue(
            f"arrival:{referral.pk}:{referral.to_unit_id}",
            users,
            _("New referral: case %(number)s") % {"number": referral.case.number},
            _arrival_body(referral),
        )


def enqueue_override(referral: Referral, users: Iterable[User]) -> None:
    """Tell the case's lead unit that a unit shared on a legal basis against the victim's
    refusal or withdrawal of consent."""
    with translation.override(settings.LANGUAGE_CODE):
        enqueue(
            f"consent-override:{referral.pk}",
            users,
            _("Shared without consent: case %(number)s") % {"number": referral.case.number},
            _(
                "%(unit)s referred case %(number)s for %(purpose)s on the legal basis "
                "%(citation)s, although the victim refused or withdrew consent."
            )
            % {
                "unit": referral.from_unit.name,
                "number": referral.case.number,
                "purpose": referral.get_purpose_display(),
                "citation": referral.legal_basis.citation,
            },
        )


def enqueue_follow_up(intake: Intake, users: Iterable[User]) -> None:
    """Tell the units holding a case that the hotline took another call about it."""
    case = intake.case
    with translation.override(settings.LANGUAGE_CODE):
        enqueue(
            f"follow-up:{intake.pk}",
            users,
            _("Another call about case %(number)s") % {"number": case.number},
            _(
                "%(unit)s took another call about case %(number)s on %(at)s; what the caller "
                "said and the screening answers are on the case."
            )
            % {
                "unit": intake.unit.name,
                "number": case.number,
                "at": formats.date_format(
                    intake.received_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT"
                ),
            },
        )


def _due(referral: Referral) -> str:
    return formats.date_format(referral.due_at.astimezone(VIETNAM_TZ), "SHORT_DATETIME_FORMAT")


def _arrival_body(referral: Referral) -> str:
    return _("%(unit)s referred case %(number)s to you for %(purpose)s; accept it by %(due)s.") % {
        "unit": referral.from_unit.name,
        "number": referral.case.number,
        "purpose": referral.get_purpose_display(),
        "due": _due(referral),
    }


def _escalation_body(referral: Referral) -> str:
    return _(
        "The referral of case %(number)s for %(purpose)s was due on %(due)s and has not "
        "been accepted."
    ) % {
        "number": referral.case.number,
        "purpose": referral.get_purpose_display(),
        "due": _due(referral),
    }
