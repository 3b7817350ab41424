"""The criminal track as data: the life of a tip and of a criminal case, one table each.

A tip or report of the crime (tố giác, tin báo, kiến nghị khởi tố) is received, verified and
resolved within the Criminal Procedure Code's limit (2015 Code Art. 147). A criminal case
(vụ án hình sự) opened by a decision (khởi tố) is investigated by the investigating unit,
prosecuted (truy tố) by the Procuracy and tried (xét xử) by a Court.

One row per transition says where it may start, where it leads, which unit of the proceeding
makes it (the one holding its current stage) and what must be given. The models bind their
django-fsm transitions to these rows; the services and the API read them from here.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class TipState(models.TextChoices):
    SENT = "sent", _("Forwarded to the competent unit")  # chuyển đến cơ quan có thẩm quyền
    RECEIVED = "received", _("Received")  # đã tiếp nhận
    VERIFYING = "verifying", _("Being verified")  # đang kiểm tra, xác minh
    SUSPENDED = "suspended", _("Resolution suspended")  # tạm đình chỉ giải quyết
    RESOLVED = "resolved", _("Resolved")  # đã giải quyết


OPEN_TIP_STATES = (TipState.SENT, TipState.RECEIVED, TipState.VERIFYING)


class ProceedingState(models.TextChoices):
    INVESTIGATION = "investigation", _("Investigation")  # điều tra
    PROSECUTION = "prosecution", _("Prosecution")  # truy tố (file at the Procuracy)
    TRIAL = "trial", _("Trial")  # xét xử (file at the Court)
    ADJUDICATED = "adjudicated", _("Adjudicated")  # đã xét xử
    DISCONTINUED = "discontinued", _("Discontinued")  # đình chỉ


class Holder(models.TextChoices):
    """Which unit of the tip or case makes a transition."""

    RECEIVING = "receiving", _("The receiving unit")
    INVESTIGATING = "investigating", _("The investigating unit")
    PROCURACY = "procuracy", _("The Procuracy")
    COURT = "court", _("The Court")
    CURRENT = "current", _("The unit holding the current stage")


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    sources: tuple[str, ...]
    target: str
    made_by: str  # a Holder
    reason_required: bool = False

    def fsm(self) -> dict:
        return {"source": list(self.sources), "target": self.target, "custom": {"rule": self}}


T = TipState
TIP_TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition("receive", _("Receive the tip"), (T.SENT,), T.RECEIVED, Holder.RECEIVING),
        Transition(
            "start_verification",
            _("Start verifying the tip"),
            (T.RECEIVED,),
            T.VERIFYING,
            Holder.RECEIVING,
        ),
        Transition(
            "suspend",
            _("Suspend the resolution"),
            (T.VERIFYING,),
            T.SUSPENDED,
            Holder.RECEIVING,
            reason_required=True,
        ),
        Transition(
            "resume", _("Resume the resolution"), (T.SUSPENDED,), T.VERIFYING, Holder.RECEIVING
        ),
        Transition(
            "resolve",
            _("Resolve the tip"),
            (T.RECEIVED, T.VERIFYING, T.SUSPENDED),
            T.RESOLVED,
            Holder.RECEIVING,
        ),
    ]
}

P = ProceedingState
TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "conclude_investigation",
            _("Conclude the investigation, proposing prosecution"),
            (P.INVESTIGATION,),
            P.PROSECUTION,
            Holder.INVESTIGATING,
        ),
        Transition(
            "return_for_investigation",
            _("Return the file for further investigation"),
            (P.PROSECUTION,),
            P.INVESTIGATION,
            Holder.PROCURACY,
            reason_required=True,
        ),
        Transition("indict", _("Indict"), (P.PROSECUTION,), P.TRIAL, Holder.PROCURACY),
        Transition("adjudicate", _("Record the judgment"), (P.TRIAL,), P.ADJUDICATED, Holder.COURT),
        Transition(
            "discontinue",
            _("Discontinue the case"),
            (P.INVESTIGATION, P.PROSECUTION, P.TRIAL),
            P.DISCONTINUED,
            Holder.CURRENT,
            reason_required=True,
        ),
    ]
}

# The unit that holds each stage of a criminal case, and the rule step timing the stage.
STAGE_HOLDER = {
    P.INVESTIGATION: Holder.INVESTIGATING,
    P.PROSECUTION: Holder.PROCURACY,
    P.TRIAL: Holder.COURT,
}
STAGE_STEP = {
    P.INVESTIGATION: "investigation",
    P.PROSECUTION: "prosecution_decision",
    P.TRIAL: "trial",
}
