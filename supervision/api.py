"""The supervision API (DESIGN.md §4): overdue handoffs, timeliness, a case's timeline."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_visible_case
from cases.visibility import case_view
from referrals.models import EscalationLevel
from referrals.serializers import ReferralSerializer

from . import selectors
from .timeline import case_timeline


class OverdueSerializer(serializers.Serializer):
    referral = ReferralSerializer()
    waiting_seconds = serializers.IntegerField()
    overdue_seconds = serializers.IntegerField()
    held_by = serializers.CharField(help_text="The sending unit, which still holds the case.")
    awaited = serializers.CharField(allow_null=True, help_text="Empty: any unit of the kind.")
    escalations = serializers.ListField(child=serializers.ChoiceField(EscalationLevel.choices))
    consent_withdrawn = serializers.BooleanField()


class TimelinessFiguresSerializer(serializers.Serializer):
    sent = serializers.IntegerField()
    accepted = serializers.IntegerField()
    accepted_in_time = serializers.IntegerField()
    accepted_late = serializers.IntegerField()
    waiting_past_deadline = serializers.IntegerField()
    rejected = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    share_accepted_in_time = serializers.FloatField(allow_null=True)
    accept_median_seconds = serializers.FloatField(allow_null=True)
    accept_p90_seconds = serializers.FloatField(allow_null=True)
    complete_median_seconds = serializers.FloatField(allow_null=True)
    complete_p90_seconds = serializers.FloatField(allow_null=True)


class UnitTimelinessSerializer(TimelinessFiguresSerializer):
    unit = serializers.CharField()


class TimelinessSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    units = UnitTimelinessSerializer(many=True)
    total = TimelinessFiguresSerializer()


class OverdueView(APIView):
    """GET /api/v1/supervision/overdue/: overdue referrals the supervisor may see."""

    @extend_schema(responses=OverdueSerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.overdue_referrals(request.user)
        return Response(OverdueSerializer(rows, many=True).data)


class TimelinessView(APIView):
    """GET /api/v1/supervision/timeliness/?period=2025-Q4 (also 2025-H2, 2025)."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, required=True)],
        responses=TimelinessSerializer,
    )
    def get(self, request: Request) -> Response:
        figures = selectors.timeliness(request.user, request.query_params.get("period", ""))
        return Response(TimelinessSerializer(figures).data)


class CaseTimelineView(APIView):
    """GET /api/v1/cases/{id}/timeline/: every step with actors, deadlines and whether met."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id) -> Response:
        case = get_visible_case(request.user, case_id)
        events = case_timeline(case, case_view(request.user, case))
        return Response({"case": case.number, "events": events})
