"""The cases API (DESIGN.md §4): thin views that validate, call a service and present."""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from agencies.models import Unit
from config.errors import InvalidInput, NotFound
from config.limits import CappedCountPagination
from security.idempotency import MAX_KEY_LENGTH, fingerprint

from . import permissions, serializers, services
from .models import Case, CaseState
from .selectors import CaseList, duplicates_of_intake, get_visible_case


def _validated(serializer_class, data):
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer


MAX_REASON = 500  # as the reason of a transition


def _case_detail_response(request: Request, case: Case, code=status.HTTP_200_OK) -> Response:
    reason = request.query_params.get("reason", "")
    if len(reason) > MAX_REASON:
        raise InvalidInput(
            _("The reason is too long (at most %(n)d characters).") % {"n": MAX_REASON}
        )
    detail = services.read_case(request.user, case, reason=reason)
    return Response(serializers.CaseSummarySerializer(case).data | detail, status=code)


class IntakeCreateView(APIView):
    """POST /api/v1/intakes/: create an intake; it opens a case or links to an existing one.
    Integration accounts (the hotline's telephony system) may use it with their token."""

    integration_methods = ("POST",)

    @extend_schema(
        request=serializers.IntakeInputSerializer,
        responses={201: OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                description="Retry with the same key: the first intake is returned, once.",
            )
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = serializers.IntakeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = serializer.validated_data.get("link_to_case")
        linked_case = get_visible_case(request.user, link) if link else None
        result = services.create_intake(
            request.user,
            serializer.to_data(link_to_case=linked_case),
            idempotency_key=request.headers.get("Idempotency-Key", "")[:MAX_KEY_LENGTH],
            fingerprint=fingerprint(request.data),
        )
        body = {
            "intake": str(result.intake.uuid),
            "created_case": result.created_case,
            "case": serializers.case_summary(result.case),
            "possible_duplicates": [_duplicate(c) for c in result.possible_duplicates],
        }
        response = Response(body, status=status.HTTP_201_CREATED)
        if result.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class CaseStatusView(APIView):
    """GET /api/v1/cases/{id}/status/: where a case stands (no identity, no case content);
    integration accounts may read it for the cases of the intakes they filed."""

    integration_methods = ("GET",)

    @extend_schema(responses=serializers.CaseSummarySerializer)
    def get(self, request: Request, case_id) -> Response:
        case = get_visible_case(request.user, case_id)
        return Response(serializers.CaseSummarySerializer(case).data)


class IntakeDuplicatesView(APIView):
    """POST /api/v1/intakes/duplicates/: possible duplicates of a call, before creating it."""

    @extend_schema(request=serializers.IntakeInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        data = _validated(serializers.IntakeInputSerializer, request.data).to_data()
        duplicates = duplicates_of_intake(request.user, data)
        return Response({"possible_duplicates": [_duplicate(c) for c in duplicates]})


def _duplicate(case: Case) -> dict:
    return {"id": str(case.uuid), "number": case.number, "state": case.state}


class CaseListView(generics.ListAPIView):
    """GET /api/v1/cases/: the cases the caller's unit holds or held (no identity fields),
    newest first; the count stops at 1,000 (count_capped), never counting the whole list."""

    serializer_class = serializers.CaseSummarySerializer
    pagination_class = CappedCountPagination

    def list(self, request: Request, *args, **kwargs) -> Response:
        """A page as CaseSummarySerializer would write it, from the page's columns only."""
        state = request.query_params.get("state") or None
        if state is not None and state not in CaseState.values:
            raise InvalidInput(_("Unknown stage: %(name)s.") % {"name": state[:40]})
        cases = CaseList(request.user, serializers.SUMMARY_COLUMNS, state=state)
        rows = self.paginator.paginate_read(request, cases.page, cases.count)
        return self.get_paginated_response(serializers.case_summaries(rows))


class CaseDetailView(APIView):
    """GET /api/v1/cases/{id}/: the case with the fields the caller may see (reads audited)."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id) -> Response:
        return _case_detail_response(request, get_visible_case(request.user, case_id))


class CaseTransitionsView(APIView):
    """GET lists the transitions the caller may make now; POST makes one."""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id) -> Response:
        case = get_visible_case(request.user, case_id)
        choices = permissions.transition_choices(request.user, case)
        return Response({"state": case.state, "version": case.version, "transitions": choices})

    @extend_schema(request=serializers.TransitionInputSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id) -> Response:
        name, options = serializers.TransitionInputSerializer.parse(request.data, request.user)
        case = services.transition_visible_case(request.user, case_id, name, **options)
        return Response(serializers.case_summary(case))


def _unit(code: str | None) -> Unit | None:
    if not code:
        return None
    try:
        return Unit.objects.get(code=code, is_active=True)
    except Unit.DoesNotExist as exc:
        raise InvalidInput(_("Unknown unit."), "unknown_unit") from exc


# Records a holder adds to a case: input serializer and the service that records it.
CASE_RECORDS = {
    "screenings": (serializers.ScreeningInputSerializer, services.record_screening),
    "verifications": (serializers.VerificationInputSerializer, services.record_verification),
    "identifications": (serializers.IdentificationInputSerializer, services.record_identification),
    "rescues": (serializers.RescueInputSerializer, services.request_rescue),
    "rescue-done": (serializers.RescueDoneInputSerializer, services.record_rescue_done),
    "protections": (serializers.ProtectionInputSerializer, services.add_protection_measure),
    "services": (serializers.ServiceInputSerializer, services.request_service),
    "consents": (serializers.ConsentInputSerializer, services.record_consent),
}


class CaseRecordView(APIView):
    """POST /api/v1/cases/{id}/{record}/: add a screening, finding, decision or service."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id, record: str) -> Response:
        if record not in CASE_RECORDS:
            raise NotFound(_("No such record type."))
        case = get_visible_case(request.user, case_id)
        serializer_class, service = CASE_RECORDS[record]
        data = dict(_validated(serializer_class, request.data).validated_data)
        for field in ("provider_unit", "unit"):
            if field in data:
                data[field] = _unit(data[field])
        service(request.user, case, **data)
        case.refresh_from_db()
        return _case_detail_response(request, case, status.HTTP_201_CREATED)


class ServiceUpdateView(APIView):
    """POST /api/v1/cases/{id}/services/{service_id}/: mark provided or declined."""

    @extend_schema(request=OpenApiTypes.OBJECT, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id, service_id: int) -> Response:
        case = get_visible_case(request.user, case_id)
        service = case.services.filter(pk=service_id).first()
        if service is None:
            raise NotFound(_("No such service."))
        data = _validated(serializers.ServiceUpdateSerializer, request.data).validated_data
        services.update_service(request.user, service, **data)
        case.refresh_from_db()
        return _case_detail_response(request, case)
