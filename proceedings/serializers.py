"""API shapes of the criminal track. Serializers validate and present; services decide."""

from rest_framework import serializers

from agencies.models import AgencyKind, Unit
from cases.models import Sex
from places.models import Province

from .lifecycle import TIP_TRANSITIONS
from .models import (
    CriminalCase,
    ExploitationSector,
    Offence,
    OffenderRole,
    Route,
    Tip,
    TipKind,
    TipOutcome,
    Verdict,
)

COUNTRY = r"^[A-Z]{2}$"


def _unit_field(**extra):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True), **extra
    )


class TipInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(TipKind.choices)
    content = serializers.CharField(max_length=20000, required=False, default="")
    reported_at = serializers.DateTimeField(required=False, default=None)
    to_unit = _unit_field(required=False, default=None, allow_null=True)
    victim_case = serializers.UUIDField(required=False, default=None, allow_null=True)
    offence = serializers.ChoiceField(Offence.choices, required=False, default="")


class TipMomentSerializer(serializers.Serializer):
    at = serializers.DateTimeField(required=False, default=None)


class ClassifySerializer(TipMomentSerializer):
    offence = serializers.ChoiceField(Offence.choices)


class TipReasonSerializer(TipMomentSerializer):
    reason = serializers.CharField(max_length=500, required=False, default="", allow_blank=True)


class ResolveSerializer(TipMomentSerializer):
    outcome = serializers.ChoiceField(TipOutcome.choices)
    decision_number = serializers.CharField(max_length=64, required=False, default="")
    procuracy_unit = _unit_field(required=False, default=None, allow_null=True)
    summary = serializers.CharField(max_length=20000, required=False, default="")
    expected_version = serializers.IntegerField(min_value=1, required=False, default=None)


class LimitSerializer(serializers.Serializer):
    """The time limit a rule set, and its source (a configurable default is marked)."""

    days = serializers.SerializerMethodField()
    wording = serializers.CharField()
    citation = serializers.CharField()
    is_default = serializers.BooleanField()
    version = serializers.IntegerField()

    def get_days(self, rule) -> float:
        return rule.deadline.total_seconds() / 86400


class TipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    content = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recorded_by_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    deciding_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    victim_case = serializers.UUIDField(source="victim_case.uuid", read_only=True, default=None)
    limit = LimitSerializer(source="limit_rule", read_only=True)
    resolved_on_time = serializers.BooleanField(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()
    escalations = serializers.SerializerMethodField()
    criminal_cases = serializers.SerializerMethodField()

    class Meta:
        model = Tip
        fields = [
            "id",
            "kind",
            "kind_label",
            "state",
            "state_label",
            "content",
            "reported_at",
            "recorded_by_unit",
            "unit",
            "victim_case",
            "received_at",
            "offence",
            "classified_at",
            "verification_started_at",
            "due_at",
            "limit",
            "extended_at",
            "extension_reason",
            "resolved_at",
            "resolved_on_time",
            "outcome",
            "decision_number",
            "deciding_unit",
            "overdue",
            "escalations",
            "criminal_cases",
            "version",
        ]

    def get_overdue(self, tip) -> bool:
        return tip.overdue_at is not None

    def get_escalations(self, tip) -> list[str]:
        return list(tip.escalations.values_list("level", flat=True))

    def get_criminal_cases(self, tip) -> list[str]:
        return [str(u) for u in tip.criminal_cases.values_list("uuid", flat=True)]


TIP_ACTIONS = {
    "receive": TipMomentSerializer,
    "classify": ClassifySerializer,
    "start_verification": TipMomentSerializer,
    "suspend": TipReasonSerializer,
    "resume": TipMomentSerializer,
    "extend": TipReasonSerializer,
    "resolve": ResolveSerializer,
}
assert set(TIP_TRANSITIONS) <= set(TIP_ACTIONS)


class OffenderInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(OffenderRole.choices)
    full_name = serializers.CharField(max_length=200, required=False, default="")
    other_names = serializers.CharField(max_length=200, required=False, default="")
    birth_year = serializers.IntegerField(
        min_value=1900, max_value=2100, required=False, default=None
    )
    id_number = serializers.CharField(max_length=32, required=False, default="")
    address = serializers.CharField(max_length=500, required=False, default="")
    sex = serializers.ChoiceField(Sex.choices, required=False, default=Sex.UNKNOWN)
    nationality = serializers.RegexField(COUNTRY, required=False, default="VN")


class VictimLinkInputSerializer(serializers.Serializer):
    case = serializers.UUIDField()


class RouteInputSerializer(serializers.Serializer):
    origin_province = serializers.PrimaryKeyRelatedField(
        queryset=Province.objects.all(), required=False, default=None
    )
    origin_place = serializers.CharField(max_length=100, required=False, default="")
    transit_countries = serializers.ListField(
        child=serializers.RegexField(COUNTRY), required=False, default=list, max_length=10
    )
    crossing_point = serializers.CharField(max_length=100, required=False, default="")
    destination_country = serializers.RegexField(COUNTRY)
    destination_place = serializers.CharField(max_length=100, required=False, default="")
    sector = serializers.ChoiceField(ExploitationSector.choices, required=False, default="unknown")


class VerdictInputSerializer(serializers.Serializer):
    offender = serializers.UUIDField()
    verdict = serializers.ChoiceField(Verdict.choices)
    sentence_months = serializers.IntegerField(
        min_value=1, max_value=1200, required=False, default=None
    )


class CriminalCaseTransitionInputSerializer(TipReasonSerializer):
    transition = serializers.CharField(max_length=40)
    number = serializers.CharField(max_length=64, required=False, default="")
    court_unit = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.filter(is_active=True, kind=AgencyKind.COURT),
        required=False,
        default=None,
    )
    verdicts = VerdictInputSerializer(many=True, required=False, default=list)
    expected_version = serializers.IntegerField(min_value=1, required=False, default=None)


class CriminalCaseRouteSerializer(serializers.ModelSerializer):
    sector_label = serializers.CharField(source="get_sector_display", read_only=True)

    class Meta:
        model = Route
        fields = [
            "origin_province",
            "origin_place",
            "transit_countries",
            "crossing_point",
            "destination_country",
            "destination_place",
            "sector",
            "sector_label",
        ]


class OffenderSerializer(serializers.Serializer):
    """Identity fields appear only for the criminal-track units of the case."""

    id = serializers.UUIDField()
    role = serializers.CharField()
    role_label = serializers.CharField()
    sex = serializers.CharField()
    nationality = serializers.CharField()
    indicted = serializers.BooleanField()
    verdict = serializers.CharField()
    sentence_months = serializers.IntegerField(allow_null=True)
    full_name = serializers.CharField(required=False)
    other_names = serializers.CharField(required=False)
    birth_year = serializers.CharField(required=False)
    id_number = serializers.CharField(required=False)
    address = serializers.CharField(required=False)


class CriminalCaseSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid", read_only=True)
    tip = serializers.UUIDField(source="tip.uuid", read_only=True, default=None)
    offence_label = serializers.CharField(source="get_offence_display", read_only=True)
    summary = serializers.CharField(read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    investigating_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    procuracy_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    court_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    stage_limit = LimitSerializer(source="stage_rule", read_only=True)
    victim_cases = serializers.SerializerMethodField()
    routes = CriminalCaseRouteSerializer(many=True, read_only=True)

    class Meta:
        model = CriminalCase
        fields = [
            "id",
            "tip",
            "offence",
            "offence_label",
            "state",
            "state_label",
            "summary",
            "opened_at",
            "opening_decision",
            "investigating_unit",
            "procuracy_unit",
            "court_unit",
            "stage_started_at",
            "stage_due_at",
            "stage_limit",
            "investigation_concluded_at",
            "indicted_at",
            "indictment_number",
            "tried_at",
            "judgment_number",
            "discontinued_at",
            "discontinued_reason",
            "victim_cases",
            "routes",
            "version",
        ]

    def get_victim_cases(self, cc) -> list[dict]:
        return [
            {"id": str(link.case.uuid), "number": link.case.number}
            for link in cc.links.select_related("case").order_by("pk")
        ]


class CriminalCaseDetailSerializer(CriminalCaseSerializer):
    offenders = serializers.SerializerMethodField()

    class Meta(CriminalCaseSerializer.Meta):
        fields = [*CriminalCaseSerializer.Meta.fields, "offenders"]

    def get_offenders(self, cc) -> list[dict]:
        return OffenderSerializer(self.context["offenders"], many=True).data
