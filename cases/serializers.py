"""API shapes of cases. Serializers validate and present; services decide."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agencies.models import AgencyKind
from places.models import VIETNAM_TZ, Province
from rulebooks.models import SupportServiceKind

from .inputs import IntakeData, PersonData
from .models import (
    Case,
    Channel,
    ClosureReason,
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
    interpreter_needed = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        low, high = attrs.get("assessed_min_age"), attrs.get("assessed_max_age")
        if low is not None and high is not None and low > high:
            raise serializers.ValidationError(_("The assessed age range is reversed."))
        return attrs

    def validate_province(self, value):
        if not Province.objects.filter(pk=value).exists():
            raise serializers.ValidationError(_("Unknown province code."))
        return value

    def to_data(self, attrs) -> PersonData:
        return PersonData(**attrs)


class IntakeInputSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(Channel.choices)
    received_at = serializers.DateTimeField(required=False)
    narrative = serializers.CharField(max_length=20000, required=False, default="")
    purposes = serializers.ListField(
        child=serializers.ChoiceField(TraffickingPurpose.choices), required=False, default=list
    )
    destination_country = serializers.RegexField(
        r"^[A-Z]{2}$", required=False, default="", allow_blank=True
    )
    is_abroad = serializers.BooleanField(required=False, default=False)
    link_to_case = serializers.UUIDField(required=False)
    victim = PersonInputSerializer()
    reporter = PersonInputSerializer(required=False)
    relatives = PersonInputSerializer(many=True, required=False, default=list)

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


class CaseSummarySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    lead_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rulebook_reason = serializers.SerializerMethodField()

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

    def get_rulebook_reason(self, case: Case) -> str:
        return str(
            _("Received on %(date)s: the rulebook in force on that date applies.")
            % {"date": case.received_at.astimezone(VIETNAM_TZ).date().isoformat()}
        )


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
    indicators = serializers.ListField(child=serializers.ChoiceField(ScreeningIndicator.choices))
    purposes = serializers.ListField(
        child=serializers.ChoiceField(TraffickingPurpose.choices), required=False, default=list
    )


class VerificationInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(VerificationOutcome.choices)
    finding = serializers.CharField(max_length=20000, required=False, default="")


class IdentificationInputSerializer(serializers.Serializer):
    is_victim = serializers.BooleanField()
    document_type = serializers.ChoiceField(
        IdentificationDocument.choices, required=False, default=""
    )
    document_number = serializers.CharField(max_length=64, required=False, default="")
    decided_at = serializers.DateTimeField(required=False)


class RescueInputSerializer(serializers.Serializer):
    partner_authority = serializers.CharField(max_length=200, required=False, default="")
    country = serializers.RegexField(r"^[A-Z]{2}$", required=False, default="")


class RescueDoneInputSerializer(serializers.Serializer):
    rescued_at = serializers.DateTimeField(required=False)


class ProtectionInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(ProtectionKind.choices)
    details = serializers.CharField(max_length=5000, required=False, default="")
    refused = serializers.BooleanField(required=False, default=False)
    refusal_commitment = serializers.CharField(max_length=5000, required=False, default="")
    starts_at = serializers.DateTimeField(required=False)


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
    purpose = serializers.CharField(max_length=40)
    status = serializers.ChoiceField(ConsentStatus.choices)
    given_by = serializers.ChoiceField(["victim", "guardian", "reporter"], default="victim")
