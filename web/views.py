"""The pages (DESIGN.md §4): thin views that check input with a form, call one service or
selector of the apps below, and render. A domain error becomes a message on the page."""

import secrets
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from agencies.models import Role
from agencies.selectors import unit_names
from cases import services as case_services
from cases.minors import PresumedMinorRule
from cases.models import Case, ClosureReason
from cases.permissions import may_add_records, transition_choices
from cases.selectors import (
    CaseList,
    get_visible_case,
    possible_duplicates,
    search_cases,
)
from cases.visibility import case_view
from config.errors import DomainError, NotFound
from config.renderers import choice_labels
from crossborder.selectors import counterpart_names
from notifications.selectors import notifications_for
from notifications.services import mark_all_read
from referrals import services as referral_services
from referrals.hotline import take_hotline_call
from referrals.selectors import (
    awaiting_routing,
    get_visible_referral,
    referrals_in_box,
    routing_units,
)
from reports.selectors import report_schedule
from rulebooks.periods import current_quarter
from rulebooks.selectors import rulebook_for
from supervision.selectors import overdue_referrals
from supervision.timeline import case_timeline
from workflows.inbox import inbox as unit_inbox
from workflows.services import finished_tasks

from . import forms
from .navigation import may_visit

WORKING = (Role.CASEWORKER, Role.HOTLINE_OPERATOR)


def page(*roles: str, area: str = ""):
    """Signed in, with one of the roles (or allowed into the area); NotFound becomes 404."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            user = request.user
            if (roles and user.role not in roles) or (area and not may_visit(user, area)):
                raise PermissionDenied
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.detail) from exc

        return wrapped

    return decorate


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {}
    if user.role in WORKING and user.unit_id:
        context["waiting"] = len(unit_inbox(user))
    if user.role == Role.SUPERVISOR and user.unit_id:
        context["overdue"] = overdue_referrals(user, limit=5)
    return render(request, "web/home.html", context)


# --- hotline intake -----------------------------------------------------------------------


@page(Role.HOTLINE_OPERATOR, area="intake")
def intake(request: HttpRequest) -> HttpResponse:
    form = forms.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        key = request.POST.get("idempotency_key", "")[:128]
        link = form.cleaned_data["link_to_case"]
        linked = get_visible_case(request.user, link) if link else None
        try:
            result = take_hotline_call(request.user, form.call(linked), idempotency_key=key)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            if result.not_handed_over:
                messages.warning(request, result.not_handed_over)
            return redirect("web:intake-done", case_id=result.case.uuid)
    return render(request, "web/intake.html", {"form": form, "key": _idempotency_key()})


def _idempotency_key() -> str:
    """A key per form shown: a double submit of the same call opens one case only."""
    return secrets.token_urlsafe(16)


@page(Role.HOTLINE_OPERATOR, area="intake")
@require_POST
def intake_check(request: HttpRequest) -> HttpResponse:
    """htmx: possible duplicates and the presumed-minor flag, while the call is typed."""
    form = forms.LiveCheckForm(request.POST)
    form.is_valid()
    victim, reporter = form.victim(), form.reporter()
    phones = [p.phone for p in (victim, reporter) if p and p.phone]
    try:
        duplicates = possible_duplicates(
            request.user,
            phones=phones,
            id_number=victim.id_number,
            name=victim.full_name,
            birth_year=victim.birth_year,
        )
    except DomainError:
        duplicates = []
    rule = PresumedMinorRule.of(rulebook_for(timezone.now()))
    context = {
        "duplicates": duplicates,
        "presumed_minor": rule.applies(victim.age_evidence),
        "rule": rule,
    }
    return render(request, "web/_intake_checks.html", context)


@page(Role.HOTLINE_OPERATOR, area="intake")
def intake_done(request: HttpRequest, case_id) -> HttpResponse:
    case = get_visible_case(request.user, case_id)
    referrals = referrals_in_box(request.user, "outbox").filter(case=case)
    return render(request, "web/intake_done.html", {"case": case, "referrals": referrals})


# --- inbox and referrals ------------------------------------------------------------------


@page(*WORKING, area="inbox")
def inbox(request: HttpRequest) -> HttpResponse:
    context = {
        "items": unit_inbox(request.user),
        "archive": finished_tasks(request.user),
        "reject": forms.RejectForm(),
    }
    return render(request, "web/inbox.html", context)


@page(*WORKING, Role.SUPERVISOR)
@require_POST
def referral_action(request: HttpRequest, referral_id, action: str) -> HttpResponse:
    referral = get_visible_referral(request.user, referral_id)
    try:
        if action == "accept":
            referral_services.accept_referral(request.user, referral)
            messages.success(request, gettext("Referral accepted: the case is now in your cases."))
            return redirect("web:case", case_id=referral.case.uuid)
        form = forms.RejectForm(request.POST)
        if not form.is_valid():
            messages.error(request, gettext("Give the reason for rejecting the referral."))
            return redirect("web:inbox")
        referral_services.reject_referral(
            request.user, referral, reason=form.cleaned_data["reason"]
        )
        messages.success(request, gettext("Referral rejected."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("web:inbox")


@page(Role.SUPERVISOR, area="routing")
def routing(request: HttpRequest) -> HttpResponse:
    """Referrals addressed to the supervisor's agency kind in its province, to route."""
    rows = [
        (referral, forms.RouteForm(units=routing_units(referral), prefix=str(referral.uuid)))
        for referral in awaiting_routing(request.user).select_related("to_province")
    ]
    return render(request, "web/routing.html", {"rows": rows})


@page(Role.SUPERVISOR, area="routing")
@require_POST
def route(request: HttpRequest, referral_id) -> HttpResponse:
    referral = get_visible_referral(request.user, referral_id)
    form = forms.RouteForm(request.POST, units=routing_units(referral), prefix=str(referral.uuid))
    if not form.is_valid():
        messages.error(request, gettext("Check the form: %(errors)s") % {"errors": _errors(form)})
    else:
        to_unit = form.cleaned_data["to_unit"]
        _call(request, referral_services.route_referral, request.user, referral, to_unit=to_unit)
    return redirect("web:routing")


# --- cases ----------------------------------------------------------------------------------


# Cases a page of the case list shows; later ones on ?page=2, 3... up to the last page served
# (a page is read from an offset: the database walks every case before it).
CASES_PAGE = 50
CASES_LAST_PAGE = 10_000
_CASE_ROW = ("uuid", "number", "presumed_minor", "state", "received_at", "lead_unit_code")


@page(area="cases")
def cases(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, newest first, a page at a time, read as the API's case list
    reads them (cases.selectors.CaseList): at 100,000 cases the police's first 100 took 8 ms
    of database time walking every newer case; a page now takes under 1 ms (issue 15)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError as exc:
        raise Http404 from exc
    if not 1 <= number <= CASES_LAST_PAGE:
        raise Http404
    rows = CaseList(request.user, _CASE_ROW).page((number - 1) * CASES_PAGE, CASES_PAGE + 1)
    names, stages = unit_names(), choice_labels(Case._meta.get_field("state"))
    for row in rows:
        row["lead_unit"] = names.get(row["lead_unit_code"], row["lead_unit_code"])
        row["stage"] = stages.get(row["state"], row["state"])
    context = {"cases": rows[:CASES_PAGE], "page": number, "more": len(rows) > CASES_PAGE}
    return render(request, "web/cases.html", context)


# The record sections of the case page, in the order a case goes through them.
RECORD_SECTIONS = [
    (_("Screenings"), "screenings"),
    (_("Verifications"), "verifications"),
    (_("Identification decisions"), "identifications"),
    (_("Rescues"), "rescues"),
    (_("Protection measures"), "protections"),
    (_("Support services"), "services"),
    (_("Consents"), "consents"),
    (_("Units holding the case"), "holders"),
]
END_TRANSITIONS = {"close", "reopen"}
UNIT_KEYS = {"unit", "unit__code", "issuing_unit", "provider_unit__code"}
RECORD_LABELS = {
    "screening": _("Screening"),
    "verification": _("Verification finding"),
    "identification": _("Identification decision"),
    "rescue": _("Rescue request"),
    "rescue-done": _("Rescue carried out"),
    "protection": _("Protection measure"),
    "service": _("Support service"),
    "consent": _("Consent"),
}
RECORD_FORMS = {
    "screening": (forms.ScreeningForm, case_services.record_screening),
    "verification": (forms.VerificationForm, case_services.record_verification),
    "identification": (forms.IdentificationForm, case_services.record_identification),
    "rescue": (forms.RescueForm, case_services.request_rescue),
    "rescue-done": (forms.RescueDoneForm, case_services.record_rescue_done),
    "protection": (forms.ProtectionForm, case_services.add_protection_measure),
    "service": (forms.ServiceForm, case_services.request_service),
    "consent": (forms.ConsentForm, case_services.record_consent),
}


@page(area="cases")
def case(request: HttpRequest, case_id) -> HttpResponse:
    """The case page. A supervisor first types the reason for reading it (audited)."""
    case = get_visible_case(request.user, case_id)
    reason = ""
    if request.user.role == Role.SUPERVISOR:
        form = forms.ReasonForm(request.POST or None)
        if request.method != "POST" or not form.is_valid():
            return render(request, "web/case_reason.html", {"case": case, "form": form})
        reason = form.cleaned_data["reason"]
    records = case_services.read_case(request.user, case, reason=reason)
    view = case_view(request.user, case, reason=reason)
    context = {
        "case": case,
        "records": records,
        "groups": view.groups,
        "timeline": case_timeline(case, view),
        # Moving on first; closing and reopening last.
        "transitions": sorted(
            transition_choices(request.user, case), key=lambda t: t["name"] in END_TRANSITIONS
        ),
        "referrals": case.referrals.select_related("from_unit", "to_unit", "rule"),
        "record_sections": RECORD_SECTIONS,
        "record_labels": RECORD_LABELS,
        "closure_reasons": ClosureReason.choices,
        "unit_names": unit_names(),
        "unit_keys": UNIT_KEYS,
        "counterparts": counterpart_names(),
    }
    if may_add_records(request.user, case):
        eligible = case_services.service_eligibility(case)
        context["record_forms"] = [
            (name, form_class(eligible=eligible) if name == "service" else form_class())
            for name, (form_class, _service) in RECORD_FORMS.items()
        ]
        sender = request.user.unit_id
        context["referral_form"] = forms.ReferralForm(case=case, sender_unit_id=sender)
    return render(request, "web/case.html", context)


@page(*WORKING, area="cases")
@require_POST
def case_record(request: HttpRequest, case_id, record: str) -> HttpResponse:
    if record not in RECORD_FORMS:
        raise Http404
    case = get_visible_case(request.user, case_id)
    form_class, service = RECORD_FORMS[record]
    extra = {"eligible": case_services.service_eligibility(case)} if record == "service" else {}
    form = form_class(request.POST, **extra)
    if not form.is_valid():
        messages.error(request, gettext("Check the form: %(errors)s") % {"errors": _errors(form)})
    else:
        _call(request, service, request.user, case, **form.cleaned_data)
    return redirect("web:case", case_id=case.uuid)


@page(*WORKING, Role.SUPERVISOR, area="cases")
@require_POST
def case_transition(request: HttpRequest, case_id, name: str) -> HttpResponse:
    case = get_visible_case(request.user, case_id)
    form = forms.TransitionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        _call(
            request,
            case_services.transition_case,
            request.user,
            case,
            name,
            reason=data["reason"],
            closure_reason=data["closure_reason"],
            expected_version=data["expected_version"],
        )
    if request.user.role == Role.SUPERVISOR:
        return redirect("web:cases")
    return redirect("web:case", case_id=case.uuid)


@page(*WORKING, area="cases")
@require_POST
def case_referral(request: HttpRequest, case_id) -> HttpResponse:
    case = get_visible_case(request.user, case_id)
    form = forms.ReferralForm(request.POST, case=case, sender_unit_id=request.user.unit_id)
    if not form.is_valid():
        messages.error(request, gettext("Check the form: %(errors)s") % {"errors": _errors(form)})
    else:
        _call(request, referral_services.send_referral, request.user, case, **form.service_kwargs())
    return redirect("web:case", case_id=case.uuid)


def _call(request: HttpRequest, service, *args, **kwargs) -> None:
    try:
        service(*args, **kwargs)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, gettext("Saved."))


def _errors(form) -> str:
    labels = {name: field.label for name, field in form.fields.items()}
    return "; ".join(
        f"{labels.get(name) or ''} {' '.join(errors)}".strip()
        for name, errors in form.errors.items()
    )


# --- search and notifications -------------------------------------------------------------


@page(area="search")
def search(request: HttpRequest) -> HttpResponse:
    form = forms.SearchForm(request.GET or None)
    found = None
    if form.is_valid() and form.cleaned_data["q"]:
        found = search_cases(request.user, form.cleaned_data["q"])
    return render(request, "web/search.html", {"form": form, "found": found})


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    rows = list(notifications_for(request.user)[:100])
    mark_all_read(request.user)
    return render(request, "web/notifications.html", {"rows": rows})


@page(Role.SUPERVISOR, area="reports")
def reports(request: HttpRequest) -> HttpResponse:
    """The periodic report for Steering Committee 138: this quarter's, to download, with the
    day the province must submit it by."""
    period = request.GET.get("period") or current_quarter(timezone.now())
    try:
        schedule = report_schedule(request.user, period)
    except DomainError as exc:
        return render(
            request, "web/reports.html", {"period": period, "error": exc.detail}, status=400
        )
    return render(request, "web/reports.html", {"period": period, "schedule": schedule})
