"""The referrals API (DESIGN.md §4): thin views that validate, call a service and present."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_case_consent, get_visible_case
from config.limits import CappedCountPagination

from . import selectors, serializers, services

ACTIONS = {
    "accept": services.accept_referral,
    "reject": services.reject_referral,
    "complete": services.complete_referral,
    "withdraw": services.withdraw_referral,
}
WITH_REASON = {"reject", "withdraw"}


def _present(request: Request, referral, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.get_visible_referral(request.user, referral.uuid)
    return Response(serializers.ReferralSerializer(fresh).data, status=code)


class ReferralListCreateView(generics.ListAPIView):
    """GET: referrals the caller may see (?box=inbox|outbox), newest first, the count
    stopping at 1,000 (count_capped); POST: send a referral."""

    @extend_schema(
        parameters=[OpenApiParameter("box", str, enum=["inbox", "outbox"], required=False)]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    serializer_class = serializers.ReferralSerializer
    pagination_class = CappedCountPagination

    def get_queryset(self):
        box = self.request.query_params.get("box", "")
        return selectors.referrals_in_box(self.request.user, box).order_by("-sent_at", "-id")

    def list(self, request: Request, *args, **kwargs) -> Response:
        """A page as ReferralSerializer would write it (referral_summaries), its count
        capped (count_capped) rather than counting every referral the caller may see."""
        rows = self.paginate_queryset(selectors.for_a_page(self.get_queryset()))
        return self.get_paginated_response(serializers.referral_summaries(rows))

    @extend_schema(
        request=serializers.ReferralInputSerializer,
        responses={201: serializers.ReferralSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.ReferralInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = get_visible_case(request.user, data.pop("case"))
        if data.get("consent") is not None:
            data["consent"] = get_case_consent(case, data["consent"])
        referral = services.send_referral(request.user, case, **data)
        return _present(request, referral, status.HTTP_201_CREATED)


class ReferralDetailView(APIView):
    """GET /api/v1/referrals/{id}/."""

    @extend_schema(responses=serializers.ReferralSerializer)
    def get(self, request: Request, referral_id) -> Response:
        referral = selectors.get_visible_referral(request.user, referral_id)
        return Response(serializers.ReferralSerializer(referral).data)


class ReferralActionView(APIView):
    """POST /api/v1/referrals/{id}/accept|reject|complete|withdraw (a reason for the last
    two: required to reject)."""

    action_name = ""

    @extend_schema(request=serializers.ReasonSerializer, responses=serializers.ReferralSerializer)
    def post(self, request: Request, referral_id) -> Response:
        referral = selectors.get_visible_referral(request.user, referral_id)
        serializer = serializers.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        extra = serializer.validated_data if self.action_name in WITH_REASON else {}
        ACTIONS[self.action_name](request.user, referral, **extra)
        return _present(request, referral)


class ReferralRouteView(APIView):
    """POST /api/v1/referrals/{id}/route: a supervisor of the addressed kind picks the unit."""

    @extend_schema(request=serializers.RouteSerializer, responses=serializers.ReferralSerializer)
    def post(self, request: Request, referral_id) -> Response:
        referral = selectors.get_visible_referral(request.user, referral_id)
        serializer = serializers.RouteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        routed = services.route_referral(request.user, referral, **serializer.validated_data)
        return Response(serializers.ReferralSerializer(routed).data)  # now another unit's
