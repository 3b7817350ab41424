"""API shapes of cases. Serializers validate and present; services decide."""

import datetime

from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import AgencyKind
from config.renderers import api_datetime, choice_labels
from places.models import VIETNAM_TZ, Province
from rulebooks.models import SupportServiceKind
from rulebooks.purposes import PURPOSE_CHOICES

from .inputs import IntakeData, PersonData
from .models import (
    Case,
    Channel,
    ClosureReason,
    ConsentInformed,
    ConsentStatus,
    IdentificationDocument,
    ProtectionKind,
    ScreeningIndicator,
    ServiceStatus,
    Sex,
    TraffickingPurpose,
    VerificationOutcome,
)
from .selectors import get_visible_case

# How many of each list an intake may name (issue 14: 3,000 relatives took 8 s to store).
MAX_RELATIVES = 20
# A moment recorded as past may be ahead of the server's clock by this much (clock skew).
CLOCK_SKEW = datetime.timedelta(minutes=5)
EARLIEST = datetime.datetime(1900, 1, 1, tzinfo=datetime.UTC)


def _not_in_future(value: datetime.datetime) -> None:
    if value > timezone.now() + CLOCK_SKEW:
        raise serializers.ValidationError(_("This moment is in the future."))
    if value < EARLIEST:
        raise serializers.ValidationError(_("This moment is before 1900."))


def _within_a_year(value: datetime.datetime) -> None:
    if value > timezone.now() + datetime.timedelta(days=366):
        raise serializers.ValidationError(_("This moment is more than a year ahead."))
    if value < EARLIEST:
        raise serializers.ValidationError(_("This moment is before 1900."))


class PastDateTimeField(serializers.DateTimeField):
    """A moment that has happened: not ahead of now (beyond clock skew), not before 1900."""

    def __init__(self, **kwargs):
        super().__init__(validators=[_not_in_future], **kwargs)


def _choices_list(choices, **kwargs) -> serializers.ListField:
    """A list of choices, at most as long as there are choices."""
    return serializers.ListField(
        child=serializers.ChoiceField(choices), max_length=len(choices), **kwargs
    )


# Fields built once per class, by a prototype without data or context (SharedFields).
_SHARED_FIELDS: dict[type, dict] = {}


# An input serializer whose fields are built once per class and shared by its instances.
# DRF deep-copies a serializer's declared fields for every instance, and a nested serializer's
# again when it validates: a third of a duplicate lookup's CPU (issue 15). The nested
# serializers are shared with the other fields, and DRF keeps the fields it built on them.
# Sharing is safe only for input serializers whose fields keep no state of a call (plain fields
# and nested serializers), validated without context or `partial` (the fields' root is the
# prototype) and never changed per instance. (A comment, not a docstring: the OpenAPI schema
# would take a docstring as every subclass's description.)
class SharedFields(serializers.Serializer):
    @cached_property
    def fields(self):
        cls = type(self)
        if cls not in _SHARED_FIELDS:
            # DRF's own property, run once on a bare prototype: the same fields, bound alike.
            _SHARED_FIELDS[cls] = serializers.Serializer.fields.func(cls())
        return _SHARED_FIELDS[cls]


class PersonInputSerializer(serializers.Serializer):
    full_name = serializers.CharField(max_length=200, required=False, default="")
    other_names = serializers.CharField(max_length=200, required=False, default="")
    birth_year = serializers.IntegerField(min_value=1900, max_value=2100, required=False)
    stated_age = serializers.IntegerField(min_value=0, max_value=120, required=False)
    assessed_min_age = serializers.IntegerField(min_value=0, max_value=120, required=False)
    assessed_max_age = serializers.IntegerField(min_value=0, max_value=120, required=False)
    childhood_indicators = serializers.BooleanField(required=False, default=False)
    id_number = serializers.CharField(max_length=32, required=False, default="")
    phone = serializers.CharField(max_length=32, required=False, default="")
    address = serializers.CharField(max_length=500, required=False, default="")
    relationship = serializers.CharField(max_length=64, required=False, default="")
    sex = serializers.ChoiceField(Sex.choices, required=False, default=Sex.UNKNOWN)
    nationality = serializers.CharField(max_length=2, required=False, default="VN")
    province = serializers.CharField(max_length=16, required=False, source="province_id")
    language = serializers.CharField(max_length=32, required=False, default="")
    languages = serializers.ListField(
        child=serializers.RegexField(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", max_length=35),
        required=False,
        default=list,
        max_length=8,
        help_text="BCP 47 codes of the languages the victim speaks (lo, km, hmn, vi...); "
        "without Vietnamese, interpretation is offered as a support service.",
    )
    interpreter_needed = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        low, high = attrs.get("assessed_min_age"), attrs.get("assessed_max_age")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(_("The assessed age range is reversed."))
        return attrs

    def validate_birth_year(self, value):
        if value > timezone.localdate().year:
            raise serializers.ValidationError(_("This year is in the future."))
        return value

    def validate_province(self, value):
        if not Province.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown province code."))
        return value

    def to_data(self, attrs) -> PersonData:
        return PersonData(**attrs)


class IntakeInputSerializer(SharedFields):
    channel = serializers.ChoiceField(Channel.choices)
    received_at = PastDateTimeField(required=False)
    narrative = serializers.CharField(max_length=20000, required=False, default="")
    purposes = _choices_list(TraffickingPurpose.choices, required=False, default=list)
    destination_country = serializers.RegexField(
        r"^[A-Z]{2}$", required=False, default="", allow_blank=True
    )
    is_abroad = serializers.BooleanField(required=False, default=False)
    link_to_case = serializers.UUIDField(required=False)
    victim = PersonInputSerializer()
    reporter = PersonInputSerializer(required=False)
    relatives = PersonInputSerializer(
        many=True, required=False, default=list, max_length=MAX_RELATIVES
    )

    def to_data(self, link_to_case=None) -> IntakeData:
        attrs = dict(self.validated_data)
        attrs.pop("link_to_case", None)
        person = PersonInputSerializer()
        return IntakeData(
            **{
                **attrs,
                "victim": person.to_data(attrs["victim"]),
                "reporter": person.to_data(attrs["reporter"]) if attrs.get("reporter") else None,
                "relatives": [person.to_data(r) for r in attrs["relatives"]],
                "link_to_case": link_to_case,
            }
        )


class CaseSummaryListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict]:
        cases = data.all() if hasattr(data, "all") else data
        return case_summaries([summary_columns(case) for case in cases])


# A case without identity, as lists and answers show it. The declared fields are its
# documented shape (OpenAPI schema); case_summaries writes the rows, from a case or from a
# list's columns, so the list and this serializer cannot drift apart (tests hold every row's
# keys equal to Meta.fields).
class CaseSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    lead_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rulebook_reason = serializers.CharField(read_only=True)
    # Blank while the case is open (a read-only field would drop the blank from the schema).
    closure_reason = serializers.ChoiceField(
        ClosureReason.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "rulebook",
            "rulebook_reason",
            "received_at",
            "channel",
            "province",
            "state",
            "state_label",
            "presumed_minor",
            "purposes",
            "destination_country",
            "is_abroad",
            "closure_reason",
            "lead_unit",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields
        list_serializer_class = CaseSummaryListSerializer

    def to_representation(self, case: Case) -> dict:
        return case_summary(case)


RULEBOOK_REASON = _("Received on %(date)s: the rulebook in force on that date applies.")


def _rulebook_reason(template: str, received_at: datetime.datetime) -> str:
    return template % {"date": received_at.astimezone(VIETNAM_TZ).date().isoformat()}


# What case_summaries reads: the columns of CaseSummarySerializer, and the lead unit's code
# (selectors.with_lead_unit_code).
LEAD_UNIT = "lead_unit_code"
SUMMARY_COLUMNS = (
    "uuid",
    "number",
    "rulebook",
    "received_at",
    "channel",
    "province_id",
    "state",
    "presumed_minor",
    "purposes",
    "destination_country",
    "is_abroad",
    "closure_reason",
    LEAD_UNIT,
    "version",
    "created_at",
    "updated_at",
)


def summary_columns(case: Case) -> dict:
    """A case's SUMMARY_COLUMNS, as `values(*SUMMARY_COLUMNS)` would read them."""
    row = {column: getattr(case, column) for column in SUMMARY_COLUMNS if column != LEAD_UNIT}
    row[LEAD_UNIT] = case.lead_unit.code if case.lead_unit_id is not None else None
    return row


def case_summaries(rows: list[dict]) -> list[dict]:
    """CaseSummarySerializer's output for many cases, built from `values(*SUMMARY_COLUMNS)`
    rows (or summary_columns of cases): a long list without a model instance per row nor
    DRF's per-field machinery (issue 15: the list's cost was mostly that). The labels and the
    reason's wording are translated once per page, and the time zone looked up once."""
    reason = str(RULEBOOK_REASON)
    states = choice_labels(Case._meta.get_field("state"))
    zone = timezone.get_current_timezone()

    return [
        {
            "id": str(row["uuid"]),
            "number": row["number"],
            "rulebook": row["rulebook"],
            "rulebook_reason": _rulebook_reason(reason, row["received_at"]),
            "received_at": api_datetime(row["received_at"], zone),
            "channel": row["channel"],
            "province": row["province_id"],
            "state": row["state"],
            "state_label": states.get(row["state"], row["state"]),
            "presumed_minor": row["presumed_minor"],
            "purposes": row["purposes"],
            "destination_country": row["destination_country"],
            "is_abroad": row["is_abroad"],
            "closure_reason": row["closure_reason"],
            "lead_unit": row[LEAD_UNIT],
            "version": row["version"],
            "created_at": api_datetime(row["created_at"], zone),
            "updated_at": api_datetime(row["updated_at"], zone),
        }
        for row in rows
    ]


def case_summary(case: Case) -> dict:
    """CaseSummarySerializer's output for one case read as an instance (the answer of an
    intake or a transition, and the serializer's own): DRF builds a ModelSerializer's fields
    anew for every instance, a tenth of an intake's CPU (issue 15)."""
    return case_summaries([summary_columns(case)])[0]


class TransitionInputSerializer(serializers.Serializer):
    transition = serializers.CharField(max_length=40)
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)
    closure_reason = serializers.ChoiceField(ClosureReason.choices, required=False, default="")
    duplicate_of = serializers.UUIDField(required=False)
    expected_version = serializers.IntegerField(min_value=1, required=False)

    @classmethod
    def parse(cls, data, user) -> tuple[str, dict]:
        """The transition asked for, and the options of cases.services.transition_case (the
        other case of a duplicate must be one the user may see)."""
        serializer = cls(data=data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        duplicate_of = data.get("duplicate_of")
        return data["transition"], {
            "reason": data["reason"],
            "closure_reason": data["closure_reason"],
            "duplicate_of": duplicate_of and get_visible_case(user, duplicate_of),
            "expected_version": data.get("expected_version"),
        }


class ScreeningInputSerializer(serializers.Serializer):
    indicators = _choices_list(ScreeningIndicator.choices)
    purposes = _choices_list(TraffickingPurpose.choices, required=False, default=list)


class VerificationInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(VerificationOutcome.choices)
    finding = serializers.CharField(max_length=20000, required=False, default="")


class IdentificationInputSerializer(serializers.Serializer):
    is_victim = serializers.BooleanField()
    document_type = serializers.ChoiceField(
        IdentificationDocument.choices, required=False, default=""
    )
    document_number = serializers.CharField(max_length=64, required=False, default="")
    decided_at = PastDateTimeField(required=False)


class RescueInputSerializer(serializers.Serializer):
    partner_authority = serializers.CharField(max_length=200, required=False, default="")
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, default="")


class RescueDoneInputSerializer(serializers.Serializer):
    rescued_at = PastDateTimeField(required=False)


class ProtectionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ProtectionKind.choices)
    details = serializers.CharField(max_length=5000, required=False, default="")
    refused = serializers.BooleanField(required=False, default=False)
    refusal_commitment = serializers.CharField(max_length=5000, required=False, default="")
    starts_at = serializers.DateTimeField(required=False, validators=[_within_a_year])


class ServiceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(SupportServiceKind.choices)
    provider_unit = serializers.SlugField(required=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, default="")
    note = serializers.CharField(max_length=500, required=False, default="")


class ServiceUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField([ServiceStatus.PROVIDED, ServiceStatus.DECLINED])
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False)


class ConsentInputSerializer(serializers.Serializer):
    recipient_kind = serializers.ChoiceField(AgencyKind.choices)
    unit = serializers.SlugField(
        required=False, help_text="Code of one unit of the kind; absent: any unit of the kind."
    )
    purpose = serializers.ChoiceField(PURPOSE_CHOICES)
    status = serializers.ChoiceField(ConsentStatus.choices)
    informed_how = serializers.ChoiceField(ConsentInformed.choices)
    informed_language = serializers.RegexField(
        r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$",
        max_length=16,
        help_text="BCP 47 code of a language the victim understands (vi, en, hmn, km...).",
    )
    given_by = serializers.ChoiceField(["victim", "guardian", "reporter"], default="victim")
