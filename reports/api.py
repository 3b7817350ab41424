"""The reports' API: the periodic statistics (JSON, CSV, Excel, the PDF to sign), the HTCDS
export, and background exports with their status and download."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from . import jobs, services
from .exports import CONTENT_TYPES
from .serializers import (
    ExportJobCreatedSerializer,
    ExportJobSerializer,
    HtcdsQuerySerializer,
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


ZIP = "application/zip"
PASSWORD_HEADER = "X-Archive-Password"


def _archive_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=ZIP)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


class HtcdsExportView(APIView):
    """The pseudonymised HTCDS v2.0 export of a period, as an AES-256 encrypted ZIP archive.

    The password is in the `X-Archive-Password` header of this answer and nowhere else.
    Steering Committee 138 supervisors only; every export audited with its row counts."""

    @extend_schema(
        parameters=[HtcdsQuerySerializer],
        responses={
            (200, ZIP): OpenApiTypes.BINARY,
            400: ReportErrorSerializer,
            403: ReportErrorSerializer,
        },
    )
    def get(self, request: Request) -> HttpResponse:
        query = HtcdsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        export = services.export_htcds(
            request.user, query.validated_data["period"], query.validated_data.get("k")
        )
        response = _archive_response(export.content, export.filename)
        response[PASSWORD_HEADER] = export.password
        return response


class ExportJobsView(APIView):
    """Ask for a large export in the background: 202 with the job, its status link and the
    archive's password (given once)."""

    @extend_schema(
        request=HtcdsQuerySerializer,
        responses={
            202: ExportJobCreatedSerializer,
            400: ReportErrorSerializer,
            403: ReportErrorSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        body = HtcdsQuerySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        job, password = jobs.request_htcds_export(
            request.user, body.validated_data["period"], body.validated_data.get("k")
        )
        job.password = password
        answer = Response(
            ExportJobCreatedSerializer(job, context={"request": request}).data, status=202
        )
        answer["Location"] = reverse("reports-export", args=[job.uuid], request=request)
        answer["Cache-Control"] = "no-store"
        return answer


class ExportJobView(APIView):
    """The status of one of your exports, with its download link when it is done."""

    @extend_schema(responses={200: ExportJobSerializer, 404: ReportErrorSerializer})
    def get(self, request: Request, job_id: str) -> Response:
        job = jobs.own_job(request.user, job_id)
        return Response(ExportJobSerializer(job, context={"request": request}).data)


class ExportJobFileView(APIView):
    """The finished export's encrypted archive (the requester only; audited)."""

    @extend_schema(
        responses={
            (200, ZIP): OpenApiTypes.BINARY,
            404: ReportErrorSerializer,
            409: ReportErrorSerializer,
        }
    )
    def get(self, request: Request, job_id: str) -> HttpResponse:
        job, content = jobs.export_file(request.user, job_id)
        return _archive_response(content, f"htcds-{job.period}.zip")
