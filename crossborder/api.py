"""The cross-border API: thin views that validate, call a service and present."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors, serializers, services
from .models import Agreement, BorderGate

CASE_FILTER = OpenApiParameter("case", str, required=False, description="A case's id.")


class AgreementListView(generics.ListAPIView):
    """The bilateral agreements, their reply limits (with sources) and counterparts."""

    serializer_class = serializers.AgreementSerializer
    queryset = Agreement.objects.prefetch_related("terms", "counterparts")
    pagination_class = None


class GateListView(generics.ListAPIView):
    """The border gates where people are handed over."""

    serializer_class = serializers.BorderGateSerializer
    queryset = BorderGate.objects.all()
    pagination_class = None


def _of_case(request: Request, queryset):
    """Narrowed to one case when ?case= is given (404 when the caller may not see it)."""
    if case_id := request.query_params.get("case"):
        return queryset.filter(case=selectors.get_cooperation_case(request.user, case_id))
    return queryset


class RequestListCreateView(generics.ListAPIView):
    """GET: requests the caller may see (?case=); POST: record a request to or from a
    counterpart, its answer due by the agreement's limit."""

    serializer_class = serializers.CrossBorderRequestSerializer

    @extend_schema(parameters=[CASE_FILTER])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        requests = selectors.visible_requests(self.request.user)
        return _of_case(self.request, requests).order_by("-sent_at", "-id")

    @extend_schema(
        request=serializers.CrossBorderRequestInputSerializer,
        responses={201: serializers.CrossBorderRequestSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.CrossBorderRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = selectors.get_cooperation_case(request.user, data.pop("case"))
        created = services.send_request(request.user, case, **data)
        fresh = selectors.get_visible_request(request.user, created.uuid)
        return Response(
            serializers.CrossBorderRequestSerializer(fresh).data, status=status.HTTP_201_CREATED
        )


class RequestDetailView(APIView):
    @extend_schema(responses=serializers.CrossBorderRequestSerializer)
    def get(self, request: Request, request_id) -> Response:
        found = selectors.get_visible_request(request.user, request_id)
        return Response(serializers.CrossBorderRequestSerializer(found).data)


class RequestAnswerView(APIView):
    """POST: the answer to a request, with the agreed handover date for a repatriation."""

    @extend_schema(
        request=serializers.CrossBorderAnswerInputSerializer,
        responses=serializers.CrossBorderRequestSerializer,
    )
    def post(self, request: Request, request_id) -> Response:
        found = selectors.get_visible_request(request.user, request_id)
        serializer = serializers.CrossBorderAnswerInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.answer_request(request.user, found, **serializer.validated_data)
        fresh = selectors.get_visible_request(request.user, request_id)
        return Response(serializers.CrossBorderRequestSerializer(fresh).data)


class HandoverListCreateView(generics.ListAPIView):
    """GET: handovers at the border of a case (?case=); POST: record one."""

    serializer_class = serializers.BorderHandoverSerializer

    @extend_schema(parameters=[CASE_FILTER])
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        handovers = selectors.visible_handovers(self.request.user)
        return _of_case(self.request, handovers).order_by("-handed_at", "-id")

    @extend_schema(
        request=serializers.BorderHandoverInputSerializer,
        responses={201: serializers.BorderHandoverSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.BorderHandoverInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        case = selectors.get_cooperation_case(request.user, data.pop("case"))
        if data["request"] is not None:
            data["request"] = selectors.get_visible_request(request.user, data["request"])
        handover = services.record_handover(request.user, case, **data)
        return Response(
            serializers.BorderHandoverSerializer(handover).data, status=status.HTTP_201_CREATED
        )
