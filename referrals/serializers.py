"""API shapes of referrals. Serializers validate and present; services decide."""

from functools import partial

from django.utils import timezone
from rest_framework import serializers

from agencies.models import AgencyKind, Unit
from config.renderers import api_datetime, choice_labels
from places.models import Province
from rulebooks.models import LegalBasis, StepCode
from rulebooks.purposes import PURPOSE_CHOICES
from security.policy import FieldGroup

from .models import Referral
from .selectors import columns_of, consent_refused


class SharingGroundsSerializer(serializers.Serializer):
    """What a referral shares a victim's data on: a consent of the case, or a legal basis of
    the rulebook's closed list with its justification (referrals.services checks which)."""

    consent = serializers.IntegerField(
        min_value=1,
        max_value=2**62,
        required=False,
        allow_null=True,
        default=None,
        help_text="Id of a consent recorded on this case (404 if it is not on the case).",
    )
    legal_basis = serializers.SlugRelatedField(
        slug_field="code",
        queryset=LegalBasis.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
        help_text="Code of a legal basis from the rulebook's closed list.",
    )
    justification = serializers.CharField(
        max_length=2000, required=False, default="", allow_blank=True
    )


class ReferralInputSerializer(SharingGroundsSerializer):
    """Either `to_unit` (a unit code) or `to_kind` with `to_province` (its code)."""

    case = serializers.UUIDField()
    purpose = serializers.ChoiceField(PURPOSE_CHOICES)
    to_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    to_kind = serializers.ChoiceField(AgencyKind.choices, required=False, default="")
    to_province = serializers.PrimaryKeyRelatedField(
        queryset=Province.objects.all(), required=False, default=None
    )
    field_groups = serializers.ListField(
        child=serializers.ChoiceField(FieldGroup.choices),
        required=False,
        allow_empty=False,
        max_length=len(FieldGroup.choices),
    )
    step = serializers.ChoiceField(StepCode.choices, required=False, default="")


class RouteSerializer(serializers.Serializer):
    to_unit = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True)
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ReferralListSerializer(serializers.ListSerializer):
    """Referrals written in one pass by referral_summaries: the labels translated once for
    the list, not once per row and field."""

    def to_representation(self, data) -> list[dict]:
        return referral_summaries(list(data.all() if hasattr(data, "all") else data))


# A referral as the API shows it. The declared fields are its documented shape (the OpenAPI
# schema); the rows are written by referral_rows (through referral_summaries for models), alone,
# a page at a time or on the overdue page, so the lists and this serializer cannot drift apart
# (tests hold every row's keys to Meta.fields).
class ReferralSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    case = serializers.UUIDField(source="case.uuid", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    from_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    to_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    step = serializers.CharField(source="rule.step", read_only=True)
    citation = serializers.CharField(source="rule.citation", read_only=True)
    rule_is_default = serializers.BooleanField(source="rule.is_default", read_only=True)
    legal_basis = serializers.SlugRelatedField(slug_field="code", read_only=True)
    legal_basis_citation = serializers.CharField(
        source="legal_basis.citation", read_only=True, default=None
    )
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    accepted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    consent_withdrawn = serializers.BooleanField(read_only=True)
    # Never null (referral_rows): empty when none was given and once it cannot be read.
    reason = serializers.CharField(
        read_only=True,
        help_text="Encrypted under the case's key: empty once the case's identity was erased.",
    )
    justification = serializers.CharField(read_only=True)

    class Meta:
        model = Referral
        fields = [
            "id",
            "case",
            "case_number",
            "purpose",
            "purpose_label",
            "status",
            "status_label",
            "from_unit",
            "to_unit",
            "to_kind",
            "to_province",
            "field_groups",
            "consent",
            "legal_basis",
            "legal_basis_citation",
            "justification",
            "consent_override",
            "step",
            "citation",
            "rule_is_default",
            "due_at",
            "sent_at",
            "sent_by",
            "accepted_at",
            "accepted_by",
            "rejected_at",
            "completed_at",
            "withdrawn_at",
            "reason",
            "overdue_at",
            "overdue",
            "consent_withdrawn",
        ]
        read_only_fields = fields
        list_serializer_class = ReferralListSerializer

    def to_representation(self, referral: Referral) -> dict:
        return referral_summaries([referral])[0]


def referral_summaries(referrals: list[Referral]) -> list[dict]:
    """ReferralSerializer's output for referrals loaded as models (columns_of): their case,
    units, rule, legal basis, users and data key with them (select_related or prefetched) and
    latest_consent_status (the selectors' lists do)."""
    return referral_rows([columns_of(referral) for referral in referrals])


def referral_rows(rows: list[dict]) -> list[dict]:
    """ReferralSerializer's output for referrals read as columns (selectors.summary_columns),
    written field by field: a long list without DRF's per-field machinery and a translation
    lookup per label and row (issue 15). Tests hold the output to what DRF's fields write."""
    purposes = choice_labels(Referral._meta.get_field("purpose"))
    statuses = choice_labels(Referral._meta.get_field("status"))
    moment = partial(api_datetime, zone=timezone.get_current_timezone())
    return [
        {
            "id": str(row["uuid"]),
            "case": str(row["case_uuid"]),
            "case_number": row["case_number"],
            "purpose": row["purpose"],
            "purpose_label": purposes.get(row["purpose"], row["purpose"]),
            "status": row["status"],
            "status_label": statuses.get(row["status"], row["status"]),
            "from_unit": row["from_code"],
            "to_unit": row["to_code"],
            "to_kind": row["to_kind"],
            "to_province": row["to_province_id"],
            "field_groups": row["field_groups"],
            "consent": row["consent_id"],
            "legal_basis": row["legal_basis_code"],
            "legal_basis_citation": row["legal_basis_citation"],
            "justification": row["justification"] or "",
            "consent_override": row["consent_override"],
            "step": row["step"],
            "citation": row["citation"],
            "rule_is_default": row["rule_is_default"],
            "due_at": moment(row["due_at"]),
            "sent_at": moment(row["sent_at"]),
            "sent_by": row["sent_by_username"],
            "accepted_at": moment(row["accepted_at"]),
            "accepted_by": row["accepted_by_username"],
            "rejected_at": moment(row["rejected_at"]),
            "completed_at": moment(row["completed_at"]),
            "withdrawn_at": moment(row["withdrawn_at"]),
            "reason": row["reason"] or "",
            "overdue_at": moment(row["overdue_at"]),
            "overdue": row["overdue_at"] is not None,
            "consent_withdrawn": consent_refused(row["status"], row["latest_consent_status"]),
        }
        for row in rows
    ]
