"""The supervision API (DESIGN.md §4): overdue handoffs, timeliness, a case's timeline."""

from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_visible_case
from cases.visibility import case_view
from referrals.models import EscalationLevel
from referrals.serializers import ReferralSerializer, referral_rows

from . import selectors
from .timeline import case_timeline


class OverdueListSerializer(serializers.ListSerializer):
    def to_representation(self, data) -> list[dict]:
        return overdue_rows(list(data))


# The declared fields are the documented shape (OpenAPI schema); overdue_rows writes the rows,
# one or a page, so the page and this serializer cannot drift apart.
class OverdueSerializer(serializers.Serializer):
    referral = ReferralSerializer()
    waiting_seconds = serializers.IntegerField()
    overdue_seconds = serializers.IntegerField()
    held_by = serializers.CharField(help_text="The sending unit, which still holds the case.")
    awaited = serializers.CharField(allow_null=True, help_text="Empty: any unit of the kind.")
    escalations = serializers.ListField(child=serializers.ChoiceField(EscalationLevel.choices))
    consent_withdrawn = serializers.BooleanField()

    class Meta:
        list_serializer_class = OverdueListSerializer

    def to_representation(self, row: dict) -> dict:
        return overdue_rows([row])[0]


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


class OverduePageSerializer(serializers.Serializer):
    after = serializers.UUIDField(required=False, help_text="The last referral of the page read.")
    limit = serializers.IntegerField(
        min_value=1, max_value=selectors.OVERDUE_MAX, default=selectors.OVERDUE_PAGE
    )


class OverdueView(APIView):
    """GET /api/v1/supervision/overdue/?after=&limit=: overdue referrals the supervisor may
    see, a page at a time; a full page carries the next one's address in a Link header
    (rel="next", RFC 8288)."""

    @extend_schema(parameters=[OverduePageSerializer], responses=OverdueSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = OverduePageSerializer(data=request.query_params)
        page.is_valid(raise_exception=True)
        limit = page.validated_data["limit"]
        rows = selectors.overdue_page(
            request.user, after=page.validated_data.get("after"), limit=limit
        )
        response = Response(OverdueSerializer(rows, many=True).data)
        if len(rows) == limit:
            query = urlencode({"after": rows[-1]["referral"]["uuid"], "limit": limit})
            response["Link"] = f'<{request.build_absolute_uri(request.path)}?{query}>; rel="next"'
        return response


def overdue_rows(rows: list[dict]) -> list[dict]:
    """OverdueSerializer's output for selectors.overdue_page's rows, the referrals written by
    referral_rows (a hundred rows through DRF's fields cost ~10× the cheapest signed-in read;
    issue 15)."""
    referrals = referral_rows([row["referral"] for row in rows])
    return [
        {
            "referral": referral,
            "waiting_seconds": row["waiting_seconds"],
            "overdue_seconds": row["overdue_seconds"],
            "held_by": row["held_by"],
            "awaited": row["awaited"],
            "escalations": list(row["escalations"]),
            "consent_withdrawn": row["consent_withdrawn"],
        }
        for referral, row in zip(referrals, rows, strict=True)
    ]


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
