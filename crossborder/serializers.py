"""API shapes of cross-border cooperation. Serializers validate and present; services decide."""

from rest_framework import serializers

from cases.serializers import PastDateTimeField

from .models import (
    Agreement,
    AgreementTerm,
    BorderGate,
    BorderHandover,
    Channel,
    Counterpart,
    CrossBorderRequest,
    Direction,
    HandoverDirection,
    Outcome,
    RequestKind,
)


class AgreementTermSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementTerm
        fields = ["request_kind", "reply_within", "wording", "is_default", "citation"]


class CounterpartSerializer(serializers.ModelSerializer):
    class Meta:
        model = Counterpart
        fields = ["code", "name", "country", "paired_province", "citation"]


class AgreementSerializer(serializers.ModelSerializer):
    terms = AgreementTermSerializer(many=True, read_only=True)
    counterparts = CounterpartSerializer(many=True, read_only=True)

    class Meta:
        model = Agreement
        fields = ["code", "title", "partner_country", "citation", "terms", "counterparts"]


class BorderGateSerializer(serializers.ModelSerializer):
    class Meta:
        model = BorderGate
        fields = ["code", "name", "province", "partner_country", "facing_gate"]


class CrossBorderRequestInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    counterpart = serializers.SlugRelatedField(
        slug_field="code", queryset=Counterpart.objects.filter(is_active=True)
    )
    kind = serializers.ChoiceField(RequestKind.choices)
    direction = serializers.ChoiceField(Direction.choices, default=Direction.OUTGOING)
    channel = serializers.ChoiceField(Channel.choices)
    reference = serializers.CharField(max_length=100, required=False, default="", allow_blank=True)
    sent_at = PastDateTimeField(required=False, default=None)


class CrossBorderAnswerInputSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(Outcome.choices)
    answered_at = PastDateTimeField(required=False, default=None)
    handover_due_at = serializers.DateTimeField(required=False, default=None)


class CrossBorderRequestSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    case = serializers.UUIDField(source="case.uuid", read_only=True)
    case_number = serializers.CharField(source="case.number", read_only=True)
    counterpart = serializers.SlugRelatedField(slug_field="code", read_only=True)
    agreement = serializers.CharField(source="term.agreement_id", read_only=True)
    citation = serializers.CharField(source="term.citation", read_only=True)
    rule_is_default = serializers.BooleanField(source="term.is_default", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    answered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = CrossBorderRequest
        fields = [
            "id",
            "case",
            "case_number",
            "kind",
            "kind_label",
            "direction",
            "channel",
            "reference",
            "counterpart",
            "agreement",
            "citation",
            "rule_is_default",
            "unit",
            "recorded_by",
            "sent_at",
            "due_at",
            "status",
            "outcome",
            "answered_at",
            "answered_by",
            "handover_due_at",
            "overdue",
        ]

    def get_overdue(self, request: CrossBorderRequest) -> bool:
        return request.overdue_at is not None


class BorderHandoverInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    direction = serializers.ChoiceField(HandoverDirection.choices)
    gate = serializers.SlugRelatedField(slug_field="code", queryset=BorderGate.objects.all())
    counterpart = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Counterpart.objects.filter(is_active=True),
        required=False,
        default=None,
        help_text="Who handed the person over (received into Viet Nam only).",
    )
    request = serializers.UUIDField(
        required=False, default=None, help_text="The agreed repatriation (handed abroad only)."
    )
    handed_at = PastDateTimeField(required=False, default=None)
    minutes_reference = serializers.CharField(max_length=100)
    documents = serializers.ListField(
        child=serializers.UUIDField(), max_length=20, help_text="Ids of this case's documents."
    )


class BorderHandoverSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    case = serializers.UUIDField(source="case.uuid", read_only=True)
    gate = serializers.SlugRelatedField(slug_field="code", read_only=True)
    counterpart = serializers.SlugRelatedField(slug_field="code", read_only=True)
    request = serializers.UUIDField(source="request.uuid", read_only=True, default=None)
    receiving_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    documents = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta:
        model = BorderHandover
        fields = [
            "id",
            "case",
            "direction",
            "gate",
            "counterpart",
            "request",
            "handed_at",
            "receiving_unit",
            "minutes_reference",
            "documents",
            "unit",
            "recorded_by",
        ]
