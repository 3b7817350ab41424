"""Changes to cases (DESIGN.md §3). Each service checks permission, changes state inside one
transaction, lets the inter-agency process follow (cases.signals) and writes the audit event.

intake       taking a report: open a case or link to one
transitions  moving a case through its stages
records      screening, findings, decisions, rescue, protection, services, consent
reads        reading a case, with the audit of every identity read
erasure      crypto-shredding a victim's identity
"""

from ..inputs import IntakeData, PersonData  # what create_intake takes
from .erasure import erase_identity
from .intake import IntakeResult, create_intake
from .reads import read_case
from .records import (
    add_protection_measure,
    bump_version,
    record_call_screening,
    record_consent,
    record_identification,
    record_rescue_done,
    record_screening,
    record_verification,
    request_rescue,
    request_service,
    service_eligibility,
    update_service,
)
from .transitions import transition_case, transition_visible_case

__all__ = [
    "IntakeData",
    "IntakeResult",
    "PersonData",
    "add_protection_measure",
    "bump_version",
    "create_intake",
    "erase_identity",
    "read_case",
    "record_call_screening",
    "record_consent",
    "record_identification",
    "record_rescue_done",
    "record_screening",
    "record_verification",
    "request_rescue",
    "request_service",
    "service_eligibility",
    "transition_case",
    "transition_visible_case",
    "update_service",
]
