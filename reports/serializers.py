"""The periodic report's query and its JSON shape (documented in the OpenAPI schema)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.reverse import reverse

from .services import FORMATS

TARGET_STATUSES = ["met", "not_met", "no_reports", "no_baseline"]


class PeriodicReportQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=16, help_text=_("A year (2025), a half-year (2025-H1) or a quarter (2025-Q3).")
    )
    format = serializers.ChoiceField(FORMATS, default="json")


class ReportPeriodSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(["quarter", "half_year", "year"])
    first_day = serializers.DateField()
    last_day = serializers.DateField()
    due_before = serializers.DateField(allow_null=True)
    included_in = serializers.CharField(allow_null=True)
    submit_before = serializers.DateField(
        allow_null=True, help_text=_("The day the report including this period is due before.")
    )
    schedule = serializers.CharField()
    wording = serializers.CharField(help_text=_("The plan's words setting the day."))
    citation = serializers.CharField()


class ReportScopeSerializer(serializers.Serializer):
    unit = serializers.CharField()
    province = serializers.CharField(allow_null=True)


class ReportValueSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class ReportBreakdownSerializer(serializers.Serializer):
    dimension = serializers.ChoiceField(
        [
            "sex",
            "age_group",
            "province",
            "purpose",
            "destination_country",
            "sector",
            "origin_province",
            "offender_role",
        ]
    )
    label = serializers.CharField()
    values = ReportValueSerializer(many=True)


class ReportFigureSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    total = serializers.IntegerField()
    previous = serializers.IntegerField(help_text=_("The same figure in the previous period."))
    breakdowns = ReportBreakdownSerializer(many=True)


class ReportTargetPreviousSerializer(serializers.Serializer):
    period = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    achieved_percent = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(TARGET_STATUSES)
    status_label = serializers.CharField()


class ReportTargetSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    target_percent = serializers.IntegerField()
    comparison = serializers.ChoiceField(["at_least", "above", "rises_by_at_least"])
    quote = serializers.CharField()
    citation = serializers.CharField()
    basis = serializers.CharField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    achieved_percent = serializers.FloatField(allow_null=True)
    status = serializers.ChoiceField(TARGET_STATUSES)
    status_label = serializers.CharField()
    previous = ReportTargetPreviousSerializer()


class PeriodicReportSerializer(serializers.Serializer):
    period = ReportPeriodSerializer()
    previous_period = serializers.CharField()
    scope = ReportScopeSerializer()
    generated_at = serializers.DateTimeField()
    figures = ReportFigureSerializer(many=True)
    targets = ReportTargetSerializer(many=True)


class ReportErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    detail = serializers.JSONField()


class HtcdsQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        max_length=16, help_text=_("A year (2025), a half-year (2025-H1) or a quarter (2025-Q3).")
    )
    k = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=2,
        max_value=100,
        help_text=_(
            "k-anonymity: leave out every row whose quasi-identifiers occur fewer than k times "
            "(CTDC publishes with k = 11)."
        ),
    )


class ExportJobSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="uuid")
    kind = serializers.CharField()
    period = serializers.CharField()
    k = serializers.IntegerField(allow_null=True)
    status = serializers.CharField()
    rows = serializers.JSONField(source="row_counts")
    requested_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download = serializers.SerializerMethodField()

    def get_download(self, job) -> str | None:
        if job.status != "done":
            return None
        return reverse("reports-export-file", args=[job.uuid], request=self.context["request"])


class ExportJobCreatedSerializer(ExportJobSerializer):
    password = serializers.CharField(
        help_text=_(
            "Opens the archive (AES-256). Shown only in this answer: it is not stored anywhere."
        )
    )
