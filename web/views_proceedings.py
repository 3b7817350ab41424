"""The criminal track's pages for the units that work it (police and other investigating
bodies, the Procuracy, the Courts): tips with their time limits, criminal cases with their
steps. Thin views: a form checks the input, one proceedings service makes the change, and a
domain error becomes a message on the page. Another unit's tip or case is a 404."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.models import Role, Unit
from cases.selectors import visible_cases
from proceedings import selectors
from proceedings import services as track
from proceedings.lifecycle import TIP_TRANSITIONS, TRANSITIONS
from proceedings.models import Offender, Verdict
from proceedings.permissions import tip_steps_open_to, transitions_open_to

from . import forms_proceedings as forms
from .views import _call, _errors, page

AREA = "proceedings"


def _moved(name: str) -> Callable:
    return lambda user, tip, data: track.transition_tip(user, tip, name, reason=data["reason"])


# Step of a tip → (its label, its form, the service call with the form's data).
TIP_STEPS: dict[str, tuple] = {
    "receive": (
        TIP_TRANSITIONS["receive"].label,
        forms.StepForm,
        lambda user, tip, data: track.receive_tip(user, tip),
    ),
    "classify": (
        _("Classify the tip"),
        forms.ClassifyForm,
        lambda user, tip, data: track.classify_tip(user, tip, **data),
    ),
    **{
        name: (TIP_TRANSITIONS[name].label, forms.StepForm, _moved(name))
        for name in ("start_verification", "suspend", "resume")
    },
    "extend": (
        _("Extend the time limit"),
        forms.StepForm,
        lambda user, tip, data: track.extend_tip(user, tip, reason=data["reason"]),
    ),
    "resolve": (
        TIP_TRANSITIONS["resolve"].label,
        forms.ResolveForm,
        lambda user, tip, data: track.resolve_tip(
            user,
            tip,
            outcome=data["outcome"],
            decision_number=data["decision_number"],
            opening=track.OpeningData(summary=data["summary"]),
        ),
    ),
}


@page(Role.CASEWORKER, area=AREA)
def tips(request: HttpRequest) -> HttpResponse:
    rows = selectors.tips_by_urgency(request.user)[:200]
    return render(request, "web/proceedings/tips.html", {"tips": rows, "now": timezone.now()})


@page(Role.CASEWORKER, area=AREA)
def tip(request: HttpRequest, tip_id) -> HttpResponse:
    found = selectors.get_visible_tip(request.user, tip_id)
    steps = [
        (name, TIP_STEPS[name][0], TIP_STEPS[name][1](prefix=name))
        for name in tip_steps_open_to(request.user, found)
    ]
    context = {
        "tip": found,
        "now": timezone.now(),
        "steps": steps,
        "events": _history(found, TIP_TRANSITIONS),
        "criminal_cases": selectors.visible_criminal_cases(request.user).filter(tip=found),
    }
    return render(request, "web/proceedings/tip.html", context)


@page(Role.CASEWORKER, area=AREA)
@require_POST
def tip_step(request: HttpRequest, tip_id, step: str) -> HttpResponse:
    if step not in TIP_STEPS:
        raise Http404
    found = selectors.get_visible_tip(request.user, tip_id)
    _label, form_class, service = TIP_STEPS[step]
    form = form_class(request.POST, prefix=step)
    if form.is_valid():
        _call(request, service, request.user, found, form.cleaned_data)
    else:
        messages.error(request, gettext("Check the form: %(errors)s") % {"errors": _errors(form)})
    return redirect("web:tip", tip_id=found.uuid)


@page(Role.CASEWORKER, area=AREA)
def criminal_cases(request: HttpRequest) -> HttpResponse:
    rows = (
        selectors.visible_criminal_cases(request.user)
        .select_related("investigating_unit", "procuracy_unit", "court_unit")
        .order_by("-opened_at", "-id")[:200]
    )
    context = {"criminal_cases": rows, "now": timezone.now()}
    return render(request, "web/proceedings/criminal_cases.html", context)


@page(Role.CASEWORKER, area=AREA)
def criminal_case(request: HttpRequest, case_id) -> HttpResponse:
    """The case with its steps; offenders as the reader may see them (identity reads audited)."""
    found = selectors.get_visible_criminal_case(request.user, case_id)
    verdicts = dict(Verdict.choices)
    offenders = [
        row | {"verdict_label": verdicts.get(row["verdict"], "")}
        for row in track.read_offenders(request.user, found)
    ]
    context = {
        "cc": found,
        "now": timezone.now(),
        "offenders": offenders,
        "routes": found.routes.select_related("origin_province"),
        "events": [_opening(found), *_history(found, TRANSITIONS)],
        "victim_cases": visible_cases(request.user).filter(criminal_cases=found),
        "steps": [
            (rule, _case_form(rule.name, offenders))
            for rule in transitions_open_to(request.user, found)
        ],
    }
    return render(request, "web/proceedings/criminal_case.html", context)


@page(Role.CASEWORKER, area=AREA)
@require_POST
def criminal_case_step(request: HttpRequest, case_id, step: str) -> HttpResponse:
    if step not in TRANSITIONS:
        raise Http404
    found = selectors.get_visible_criminal_case(request.user, case_id)
    # The verdicts' fields are named by the offenders' ids: nobody's identity is read here.
    offenders = [
        {"id": o.uuid, "role_label": o.get_role_display(), "indicted": o.indicted}
        for o in found.offenders.all()
    ]
    form = _case_form(step, offenders, request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Check the form: %(errors)s") % {"errors": _errors(form)})
        return redirect("web:criminal-case", case_id=found.uuid)
    data = form.cleaned_data
    _call(
        request,
        track.transition_criminal_case,
        request.user,
        found,
        step,
        reason=data["reason"],
        number=data["number"],
        court_unit=data["court_unit"],
        verdicts=_verdicts(found, form) if step == "adjudicate" else None,
    )
    return redirect("web:criminal-case", case_id=found.uuid)


def _case_form(step: str, offenders: list[dict], data=None):
    if step == "adjudicate":
        indicted = [o for o in offenders if o["indicted"]]
        return forms.JudgmentForm(data, offenders=indicted, prefix=step)
    return forms.CaseStepForm(data, prefix=step)


def _verdicts(cc, form: forms.JudgmentForm) -> list[track.VerdictData]:
    by_id = {str(o.uuid): o for o in Offender.objects.filter(criminal_case=cc)}
    return [
        track.VerdictData(by_id[offender], verdict, months)
        for offender, verdict, months in form.verdicts()
    ]


@dataclass(frozen=True)
class _Step:
    at: datetime
    unit: Unit
    reason: str


def _opening(cc) -> tuple[_Step, str]:
    """The opening decision, the first step taken (recorded with the tip's resolution)."""
    return _Step(cc.opened_at, cc.investigating_unit, cc.opening_decision), _("Opened by decision")


def _history(obj, table: dict) -> list[tuple]:
    """(event, the label of its transition), oldest first."""
    return [(event, table[event.transition].label) for event in obj.events.select_related("unit")]
