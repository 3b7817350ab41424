"""API shapes of providers and placements. Serializers validate and present; services decide."""

from rest_framework import serializers

from places.models import Province
from referrals.serializers import SharingGroundsSerializer
from rulebooks.models import SupportServiceKind
from rulebooks.purposes import PURPOSE_CHOICES

from .models import Placement, Provider


class ProvinceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Province
        fields = ["code", "name"]
        read_only_fields = fields


class ProviderSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="unit.code", read_only=True)
    name = serializers.CharField(source="unit.name", read_only=True)
    type_label = serializers.CharField(source="get_provider_type_display", read_only=True)
    province = ProvinceSerializer(source="unit.province", read_only=True)
    open_places = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = Provider
        fields = [
            "code",
            "name",
            "provider_type",
            "type_label",
            "province",
            "services",
            "languages",
            "takes_children",
            "takes_women",
            "takes_men",
            "capacity",
            "occupied",
            "open_places",
        ]
        read_only_fields = fields


class MatchSerializer(serializers.Serializer):
    provider = ProviderSerializer()
    covers = serializers.ListField(child=serializers.ChoiceField(SupportServiceKind.choices))
    missing = serializers.ListField(child=serializers.ChoiceField(SupportServiceKind.choices))
    speaks_language = serializers.BooleanField()
    distance_km = serializers.FloatField(allow_null=True, help_text="Between provincial seats.")


class SuggestionsSerializer(serializers.Serializer):
    case = serializers.UUIDField()
    needs = serializers.ListField(child=serializers.ChoiceField(SupportServiceKind.choices))
    matches = MatchSerializer(many=True)


class NeedsQuerySerializer(serializers.Serializer):
    case = serializers.UUIDField()
    needs = serializers.MultipleChoiceField(
        choices=SupportServiceKind.choices,
        required=False,
        help_text="Repeat the parameter for each need; the case's needs when absent.",
    )


class PlacementInputSerializer(SharingGroundsSerializer):
    case = serializers.UUIDField()
    provider = serializers.CharField(max_length=64, help_text="Code of the provider's unit.")
    needs = serializers.ListField(
        child=serializers.ChoiceField(SupportServiceKind.choices),
        required=False,
        max_length=len(SupportServiceKind.choices),
        help_text="The needs the provider is to answer; the case's needs when absent.",
    )
    purpose = serializers.ChoiceField(PURPOSE_CHOICES, required=False, default="")


class PlacementSerializer(serializers.ModelSerializer):
    referral = serializers.UUIDField(source="referral.uuid", read_only=True)
    case = serializers.UUIDField(source="referral.case.uuid", read_only=True)
    case_number = serializers.CharField(source="referral.case.number", read_only=True)
    provider = ProviderSerializer(read_only=True)
    purpose = serializers.CharField(source="referral.purpose", read_only=True)
    status = serializers.CharField(source="referral.status", read_only=True)
    status_label = serializers.CharField(source="referral.get_status_display", read_only=True)
    sent_at = serializers.DateTimeField(source="referral.sent_at", read_only=True)
    due_at = serializers.DateTimeField(source="referral.due_at", read_only=True)

    class Meta:
        model = Placement
        fields = [
            "referral",
            "case",
            "case_number",
            "provider",
            "needs",
            "purpose",
            "status",
            "status_label",
            "sent_at",
            "due_at",
            "place_taken_at",
            "place_freed_at",
        ]
        read_only_fields = fields


class OccupancySerializer(serializers.Serializer):
    province = ProvinceSerializer()
    providers = serializers.IntegerField()
    places = serializers.IntegerField(help_text="Places of the providers whose places are limited.")
    taken = serializers.IntegerField()
    open_places = serializers.IntegerField()
    unlimited_providers = serializers.IntegerField()
