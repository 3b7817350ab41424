"""The providers API: thin views that validate, call a selector or a service, and present.

A placement is accepted, completed or withdrawn through its referral
(POST /api/v1/referrals/{id}/accept|complete|withdraw), which takes or frees the place.
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.permissions import require_holder
from cases.selectors import get_case_consent, get_visible_case
from rulebooks.models import SupportServiceKind

from . import selectors, serializers, services


class ProviderListView(generics.ListAPIView):
    """GET: active providers, optionally of a province (?province=code) offering a service."""

    serializer_class = serializers.ProviderSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("province", str, required=False),
            OpenApiParameter("service", str, enum=SupportServiceKind.values, required=False),
        ]
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        providers = selectors.active_providers()
        if province := self.request.query_params.get("province"):
            providers = providers.filter(unit__province_id=province)
        service = self.request.query_params.get("service")
        if service in SupportServiceKind.values:
            return [p for p in providers if service in p.services]
        return providers


class ProviderSuggestionsView(APIView):
    """GET /api/v1/providers/suggestions/?case=…[&needs=…]: providers for the victim, best
    first (for a caseworker of a unit holding the case)."""

    @extend_schema(
        parameters=[serializers.NeedsQuerySerializer],
        responses=serializers.SuggestionsSerializer,
    )
    def get(self, request: Request) -> Response:
        query = serializers.NeedsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        case = get_visible_case(request.user, query.validated_data["case"])
        require_holder(request.user, case)
        needs = selectors.needs_for(request.user, case, query.validated_data.get("needs"))
        matches = selectors.match_providers(selectors.Victim.of(case), needs)
        body = {"case": case.uuid, "needs": needs, "matches": matches}
        return Response(serializers.SuggestionsSerializer(body).data)


class PlacementListCreateView(generics.ListAPIView):
    """GET: placements from or to the caller's unit; POST: refer the victim to a provider."""

    serializer_class = serializers.PlacementSerializer

    def get_queryset(self):
        return selectors.visible_placements(self.request.user)

    @extend_schema(
        request=serializers.PlacementInputSerializer,
        responses={201: serializers.PlacementSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.PlacementInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = get_visible_case(request.user, data.pop("case"))
        if data.get("consent") is not None:
            data["consent"] = get_case_consent(case, data["consent"])
        provider = selectors.get_active_provider(data.pop("provider"))
        placement = services.refer_to_provider(request.user, case, provider, **data)
        body = serializers.PlacementSerializer(placement).data
        return Response(body, status=status.HTTP_201_CREATED)


class OccupancyView(APIView):
    """GET /api/v1/providers/occupancy/: places and places taken per province (supervisors)."""

    @extend_schema(responses=serializers.OccupancySerializer(many=True))
    def get(self, request: Request) -> Response:
        rows = selectors.occupancy_by_province(request.user)
        return Response(serializers.OccupancySerializer(rows, many=True).data)
