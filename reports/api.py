"""GET /api/v1/reports/periodic/: the periodic statistics as JSON, CSV or Excel."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import services
from .exports import CONTENT_TYPES
from .serializers import (
    PeriodicReportQuerySerializer,
    PeriodicReportSerializer,
    ReportErrorSerializer,
)


class ReportFormatNegotiation(BaseContentNegotiation):
    """`?format=` chooses the report's file format here; answers and errors are JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class PeriodicReportView(APIView):
    """Báo cáo định kỳ for the Steering Committee 138 (supervisors only; every call audited)."""

    renderer_classes = [JSONRenderer]
    content_negotiation_class = ReportFormatNegotiation

    @extend_schema(
        parameters=[PeriodicReportQuerySerializer],
        responses={
            (200, "application/json"): PeriodicReportSerializer,
            (200, CONTENT_TYPES["csv"]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["pdf"]): OpenApiTypes.BINARY,
            400: ReportErrorSerializer,
            403: ReportErrorSerializer,
        },
    )
    def get(self, request: Request) -> Response | HttpResponse:
        query = PeriodicReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        export = services.export_periodic_report(
            request.user, query.validated_data["period"], query.validated_data["format"]
        )
        if export.file_format == "json":
            return Response(PeriodicReportSerializer(export.report).data)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
