"""The documents API: list, attach (multipart) and download the documents of a case."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.selectors import get_visible_case

from . import services
from .models import Document, DocumentKind, ProvenRecord


class DocumentSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uuid")
    unit = serializers.CharField(source="unit.code")
    field_group = serializers.CharField()
    filename = serializers.CharField()  # encrypted: read through the model's attribute

    class Meta:
        model = Document
        fields = [
            "id",
            "kind",
            "field_group",
            "filename",
            "content_type",
            "size",
            "record_kind",
            "record_id",
            "unit",
            "uploaded_at",
        ]


class AttachInputSerializer(serializers.Serializer):
    file = serializers.FileField()
    kind = serializers.ChoiceField(choices=DocumentKind.choices)
    record_kind = serializers.ChoiceField(choices=ProvenRecord.choices, required=False)
    record_id = serializers.CharField(max_length=36, required=False)


class CaseDocumentsView(APIView):
    """GET the documents of a case the caller may see; POST attaches one (multipart)."""

    parser_classes = [MultiPartParser]

    @extend_schema(responses=DocumentSerializer(many=True))
    def get(self, request: Request, case_id) -> Response:
        case = get_visible_case(request.user, case_id)
        documents = services.list_documents(request.user, case)
        return Response(DocumentSerializer(documents, many=True).data)

    @extend_schema(
        request={"multipart/form-data": AttachInputSerializer},
        responses={201: DocumentSerializer},
    )
    def post(self, request: Request, case_id) -> Response:
        case = get_visible_case(request.user, case_id)
        data = AttachInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        document = services.attach_document(
            request.user,
            case,
            content=upload.read(),
            filename=upload.name,
            kind=data.validated_data["kind"],
            record_kind=data.validated_data.get("record_kind", ""),
            record_id=data.validated_data.get("record_id", ""),
        )
        return Response(DocumentSerializer(document).data, status=status.HTTP_201_CREATED)


class DocumentDownloadView(APIView):
    """GET the decrypted file (audited), as an attachment."""

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request: Request, case_id, document_id) -> HttpResponse:
        case = get_visible_case(request.user, case_id)
        opened = services.read_document(request.user, case, document_id)
        response = HttpResponse(opened.content, content_type=opened.document.content_type)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=opened.document.filename
        )
        response["Cache-Control"] = "no-store"
        return response
