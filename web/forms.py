"""The web forms: they check what was typed and turn it into what the services take.
Every decision stays in the services (cases, referrals); a form only shapes input."""

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import AgencyKind, Unit
from cases.inputs import IntakeData, PersonData
from cases.models import (
    Case,
    Channel,
    ClosureReason,
    ConsentInformed,
    ConsentStatus,
    IdentificationDocument,
    ProtectionKind,
    ScreeningIndicator,
    Sex,
    TraffickingPurpose,
    VerificationOutcome,
)
from places.models import Province
from referrals.hotline import CallerConsent, HotlineCall
from referrals.selectors import case_province_today, referral_units
from rulebooks.models import LegalBasis, SupportServiceKind
from rulebooks.purposes import PURPOSE_CHOICES
from rulebooks.selectors import referral_kinds
from security.policy import FieldGroup

from .countries import COUNTRIES, DESTINATION_CODES

# Countries a hotline hears about most (ISO 3166 codes); "other" leaves it blank.
DESTINATIONS = [
    ("", _("Not known / in Viet Nam")),
    *[(code, COUNTRIES[code]) for code in DESTINATION_CODES],
]
GIVEN_BY = [
    ("reporter", _("The caller")),
    ("victim", _("The victim")),
    ("guardian", _("A guardian")),
]


def _checklist(label, choices) -> forms.MultipleChoiceField:
    """Boxes to tick, none required: a checklist (indicators, purposes, field groups)."""
    return forms.MultipleChoiceField(
        label=label, choices=choices, widget=forms.CheckboxSelectMultiple, required=False
    )


def _current_provinces():
    today = timezone.localdate()
    return Province.objects.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))


class IntakeForm(forms.Form):
    """A hotline call, in the order an operator hears it; every field has its label."""

    caller_name = forms.CharField(
        label=_("Caller's name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autofocus": True}),
    )
    caller_phone = forms.CharField(label=_("Caller's phone"), max_length=32, required=False)
    caller_relationship = forms.CharField(
        label=_("Caller's relationship to the victim"), max_length=64, required=False
    )
    victim_name = forms.CharField(label=_("Victim's full name"), max_length=200, required=False)
    victim_sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    victim_age = forms.IntegerField(
        label=_("Stated age"), min_value=0, max_value=120, required=False
    )
    victim_birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False
    )
    victim_id_number = forms.CharField(
        label=_("ID or passport number"), max_length=32, required=False
    )
    victim_phone = forms.CharField(label=_("Victim's phone"), max_length=32, required=False)
    victim_languages = forms.RegexField(
        label=_("Languages the victim speaks"),
        regex=r"^\s*[a-z]{2,3}(\s*,\s*[a-z]{2,3})*\s*$",
        max_length=40,
        required=False,
        help_text=_(
            "Codes separated by commas, e.g. lo, km, hmn; without vi, an interpreter is offered."
        ),
    )
    childhood_indicators = forms.BooleanField(
        label=_("The description suggests a child"), required=False
    )
    narrative = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    purposes = _checklist(_("Suspected purposes"), TraffickingPurpose.choices)
    # Typed, with the current provinces offered as the operator types (a datalist).
    province = forms.ModelChoiceField(
        label=_("Home province"),
        queryset=Province.objects.none(),
        required=False,
        to_field_name="name",
        widget=forms.TextInput(attrs={"list": "provinces", "autocomplete": "off"}),
        error_messages={"invalid_choice": _("Type a province as it is called today.")},
    )
    destination_country = forms.ChoiceField(
        label=_("Where the victim is or was taken"), choices=DESTINATIONS, required=False
    )
    is_abroad = forms.BooleanField(label=_("The victim is abroad now"), required=False)
    indicators = _checklist(
        _("ILO screening checklist: what the caller describes"), ScreeningIndicator.choices
    )
    consent = forms.ChoiceField(
        label=_("Consent to share, as the caller states it"),
        choices=CallerConsent.choices,
        initial=CallerConsent.NOT_STATED,
        widget=forms.RadioSelect,
    )
    consent_given_by = forms.ChoiceField(label=_("Consent given by"), choices=GIVEN_BY)
    # Set by the "same case" button of a possible duplicate: the call joins that case.
    link_to_case = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = _current_provinces().order_by("name")

    def province_names(self) -> list[str]:
        return list(self.fields["province"].queryset.values_list("name", flat=True))

    def victim(self) -> PersonData:
        data = self.cleaned_data
        return PersonData(
            full_name=data.get("victim_name") or "",
            birth_year=data.get("victim_birth_year") or "",
            stated_age=data.get("victim_age"),
            childhood_indicators=bool(data.get("childhood_indicators")),
            id_number=data.get("victim_id_number") or "",
            phone=data.get("victim_phone") or "",
            languages=[
                c.strip() for c in (data.get("victim_languages") or "").split(",") if c.strip()
            ],
            sex=data.get("victim_sex") or Sex.UNKNOWN,
            province_id=data["province"].pk if data.get("province") else None,
        )

    def reporter(self) -> PersonData | None:
        data = self.cleaned_data
        if not (data.get("caller_name") or data.get("caller_phone")):
            return None
        return PersonData(
            full_name=data.get("caller_name") or "",
            phone=data.get("caller_phone") or "",
            relationship=data.get("caller_relationship") or "",
        )

    def intake_data(self, link_to_case: Case | None = None) -> IntakeData:
        data = self.cleaned_data
        return IntakeData(
            link_to_case=link_to_case,
            channel=Channel.HOTLINE,
            victim=self.victim(),
            reporter=self.reporter(),
            narrative=data.get("narrative") or "",
            purposes=list(data.get("purposes") or []),
            destination_country=data.get("destination_country") or "",
            is_abroad=bool(data.get("is_abroad")),
        )

    def call(self, link_to_case: Case | None = None) -> HotlineCall:
        return HotlineCall(
            intake=self.intake_data(link_to_case),
            indicators=list(self.cleaned_data.get("indicators") or []),
            consent=self.cleaned_data["consent"],
            consent_given_by=self.cleaned_data["consent_given_by"],
        )


class LiveCheckForm(IntakeForm):
    """The same fields, checked while typed: nothing is required, half-typed values ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False

    def clean(self):
        # A half-typed year or age is not an error here: it is just not used yet.
        for name in list(self.errors):
            self.cleaned_data.pop(name, None)
        self._errors = {}
        return self.cleaned_data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class ScreeningForm(forms.Form):
    indicators = _checklist(_("ILO indicators present"), ScreeningIndicator.choices)
    purposes = _checklist(_("Suspected purposes"), TraffickingPurpose.choices)


class VerificationForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=VerificationOutcome.choices)
    finding = forms.CharField(
        label=_("Finding"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class IdentificationForm(forms.Form):
    is_victim = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("true", _("Identified as a victim")), ("false", _("Not a victim"))],
        coerce=lambda value: value == "true",
    )
    document_type = forms.ChoiceField(
        label=_("Document type"),
        choices=[("", "—"), *IdentificationDocument.choices],
        required=False,
    )
    document_number = forms.CharField(label=_("Document number"), max_length=64, required=False)


class RescueForm(forms.Form):
    partner_authority = forms.CharField(
        label=_("Partner authority"), max_length=200, required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=DESTINATIONS, required=False)


class RescueDoneForm(forms.Form):
    """No field: the rescue is recorded as done now."""


class ProtectionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Measure"), choices=ProtectionKind.choices)
    details = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    refused = forms.BooleanField(label=_("Refused by the person"), required=False)
    refusal_commitment = forms.CharField(
        label=_("Written commitment of refusal"), max_length=5000, required=False
    )


class ServiceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Service"), choices=SupportServiceKind.choices)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)

    def __init__(self, *args, eligible: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if eligible is not None:
            labels = dict(SupportServiceKind.choices)
            self.fields["kind"].choices = [(kind, labels[kind]) for kind in eligible]


class ConsentForm(forms.Form):
    recipient_kind = forms.ChoiceField(label=_("Share with"), choices=AgencyKind.choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSE_CHOICES)
    status = forms.ChoiceField(label=_("Consent"), choices=ConsentStatus.choices)
    given_by = forms.ChoiceField(label=_("Given by"), choices=GIVEN_BY)
    informed_how = forms.ChoiceField(
        label=_("How the victim was told"), choices=ConsentInformed.choices
    )
    informed_language = forms.CharField(label=_("In which language"), max_length=40, initial="vi")


class TransitionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), choices=[("", "—"), *ClosureReason.choices], required=False
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReferralForm(forms.Form):
    """A referral to a unit: first the kind of agency (those the case's rulebook gives a
    step), then one of its units in the case's province, or none: the kind's supervisor in
    the province routes it."""

    purpose = forms.ChoiceField(label=_("Purpose"), choices=PURPOSE_CHOICES)
    to_kind = forms.ChoiceField(label=_("Kind of receiving agency"), choices=())
    to_unit = forms.ModelChoiceField(
        label=_("Receiving unit in the case's province"),
        queryset=Unit.objects.none(),
        required=False,
        empty_label=_("Any unit of that kind (its supervisor routes it)"),
    )
    field_groups = _checklist(
        _("Field groups to share (empty: what the purpose needs)"), FieldGroup.choices
    )
    legal_basis = forms.ModelChoiceField(
        label=_("Legal basis, when sharing without consent"),
        queryset=LegalBasis.objects.filter(is_active=True).order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("None: the victim's consent"),
    )
    justification = forms.CharField(
        label=_("Why the legal basis applies"), max_length=2000, required=False
    )

    def __init__(self, *args, case: Case, sender_unit_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].label_from_instance = lambda b: f"{b.title} ({b.citation})"
        self.province = case_province_today(case)
        labels = dict(AgencyKind.choices)
        kinds = referral_kinds(case.rulebook)
        self.fields["to_kind"].choices = [(kind, labels[kind]) for kind in kinds]
        units = referral_units(case, kinds, exclude_unit_id=sender_unit_id)
        self.fields["to_unit"].queryset = units
        # Grouped by kind, in the kinds' order: the page shows the chosen kind's units only.
        by_kind: dict[str, list] = {kind: [] for kind in kinds}
        for unit in units:
            by_kind[unit.kind].append((unit.pk, unit.name))
        self.fields["to_unit"].widget.choices = [
            ("", self.fields["to_unit"].empty_label),
            *[(labels[kind], rows) for kind, rows in by_kind.items() if rows],
        ]

    def clean(self):
        data = super().clean()
        kind, unit = data.get("to_kind"), data.get("to_unit")
        if unit is not None and kind and unit.kind != kind:
            self.add_error("to_unit", _("This unit is not of the kind chosen."))
        elif unit is None and kind and self.province is None:
            self.add_error(
                "to_unit", _("The case has no province: choose the unit that receives it.")
            )
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        unit = data["to_unit"]
        return {
            "purpose": data["purpose"],
            "to_unit": unit,
            "to_kind": "" if unit else data["to_kind"],
            "to_province": None if unit else self.province,
            "field_groups": list(data["field_groups"]) or None,
            "legal_basis": data.get("legal_basis"),
            "justification": data.get("justification") or "",
        }


class RouteForm(forms.Form):
    """Phân công: which of the addressed kind's units in the province takes the referral."""

    to_unit = forms.ModelChoiceField(label=_("Unit that takes it"), queryset=Unit.objects.none())

    def __init__(self, *args, units: QuerySet[Unit] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["to_unit"].queryset = units


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=500)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Case number, phone or ID number"), max_length=64, required=False)
