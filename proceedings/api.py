"""The criminal track's API under /api/v1/proceedings/: thin views over the services."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_visible_case
from config.errors import InvalidInput

from . import selectors, serializers, services
from .models import Offender


def _tip(request: Request, tip, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.get_visible_tip(request.user, tip.uuid)
    return Response(serializers.TipSerializer(fresh).data, status=code)


def _criminal_case(request: Request, cc, code=status.HTTP_200_OK) -> Response:
    """The case with its offenders as the reader may see them (identity reads audited)."""
    fresh = selectors.get_visible_criminal_case(request.user, cc.uuid)
    offenders = services.read_offenders(request.user, fresh)
    data = serializers.CriminalCaseDetailSerializer(fresh, context={"offenders": offenders}).data
    return Response(data, status=code)


class TipListCreateView(generics.ListAPIView):
    """GET: tips the caller may see; POST: record a tip (received at once by a competent unit)."""

    serializer_class = serializers.TipSerializer

    def get_queryset(self):
        return selectors.visible_tips(self.request.user).order_by("-reported_at", "-id")

    @extend_schema(
        request=serializers.TipInputSerializer, responses={201: serializers.TipSerializer}
    )
    def post(self, request: Request) -> Response:
        given = serializers.TipInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if data["victim_case"]:
            data["victim_case"] = get_visible_case(request.user, data["victim_case"])
        tip = services.record_tip(request.user, services.TipData(**data))
        return _tip(request, tip, status.HTTP_201_CREATED)


class TipDetailView(APIView):
    @extend_schema(responses=serializers.TipSerializer)
    def get(self, request: Request, tip_id) -> Response:
        return _tip(request, selectors.get_visible_tip(request.user, tip_id))


class TipActionView(APIView):
    """POST /api/v1/proceedings/tips/{id}/{action}/."""

    action_name = ""

    def get_serializer_class(self):
        return serializers.TIP_ACTIONS[self.action_name]

    def post(self, request: Request, tip_id) -> Response:
        tip = selectors.get_visible_tip(request.user, tip_id)
        given = self.get_serializer_class()(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        name, user = self.action_name, request.user
        if name == "receive":
            services.receive_tip(user, tip, **data)
        elif name == "classify":
            services.classify_tip(user, tip, **data)
        elif name == "extend":
            services.extend_tip(user, tip, **data)
        elif name == "resolve":
            opening = services.OpeningData(data.pop("procuracy_unit"), data.pop("summary"))
            services.resolve_tip(user, tip, opening=opening, **data)
        else:
            services.transition_tip(user, tip, name, **data)
        return _tip(request, tip)


class CriminalCaseListView(generics.ListAPIView):
    """Criminal cases whose investigating unit, Procuracy or Court is the caller's unit."""

    serializer_class = serializers.CriminalCaseSerializer

    def get_queryset(self):
        return selectors.visible_criminal_cases(self.request.user).order_by("-opened_at", "-id")


class CriminalCaseDetailView(APIView):
    @extend_schema(responses=serializers.CriminalCaseDetailSerializer)
    def get(self, request: Request, case_id) -> Response:
        return _criminal_case(request, selectors.get_visible_criminal_case(request.user, case_id))


class CriminalCaseRecordView(APIView):
    """POST offenders/, victims/ (a victim's case you may see) or routes/."""

    record = ""
    INPUTS = {
        "offenders": serializers.OffenderInputSerializer,
        "victims": serializers.VictimLinkInputSerializer,
        "routes": serializers.RouteInputSerializer,
    }

    def get_serializer_class(self):
        return self.INPUTS[self.record]

    @extend_schema(responses={201: serializers.CriminalCaseDetailSerializer})
    def post(self, request: Request, case_id) -> Response:
        cc = selectors.get_visible_criminal_case(request.user, case_id)
        given = self.get_serializer_class()(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        if self.record == "offenders":
            services.add_offender(request.user, cc, services.OffenderData(**data))
        elif self.record == "victims":
            victim_case = get_visible_case(request.user, data["case"])
            services.link_victim_case(request.user, cc, victim_case)
        else:
            province = data.pop("origin_province")
            data["origin_province_id"] = province.pk if province else None
            services.add_route(request.user, cc, services.RouteData(**data))
        return _criminal_case(request, cc, status.HTTP_201_CREATED)


class CriminalCaseTransitionView(APIView):
    """POST {"transition": conclude_investigation|return_for_investigation|indict|adjudicate|
    discontinue, "at", "reason", "number", "court_unit", "verdicts"}."""

    @extend_schema(
        request=serializers.CriminalCaseTransitionInputSerializer,
        responses=serializers.CriminalCaseDetailSerializer,
    )
    def post(self, request: Request, case_id) -> Response:
        cc = selectors.get_visible_criminal_case(request.user, case_id)
        given = serializers.CriminalCaseTransitionInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        name = data.pop("transition")
        data["verdicts"] = [_verdict(cc, item) for item in data["verdicts"]]
        services.transition_criminal_case(request.user, cc, name, **data)
        return _criminal_case(request, cc)


def _verdict(cc, item: dict) -> services.VerdictData:
    offender = Offender.objects.filter(criminal_case=cc, uuid=item["offender"]).first()
    if offender is None:
        raise InvalidInput(str(item["offender"]), "unknown_offender")
    return services.VerdictData(offender, item["verdict"], item["sentence_months"])
