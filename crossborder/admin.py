"""Cross-border reference data in the admin: read-only, except a reply limit that is a
configurable default, changed through crossborder.services.change_reply_limit (audited)."""

from django.contrib import admin

from rulebooks.admin import ReadOnlyAdmin, RulebookAccess
from rulebooks.services import may_change_rules

from .models import Agreement, AgreementTerm, BorderGate, Counterpart
from .services import change_reply_limit


@admin.register(Agreement)
class AgreementAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "partner_country", "citation"]


@admin.register(Counterpart)
class CounterpartAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "country", "agreement", "paired_province"]


@admin.register(BorderGate)
class BorderGateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "province", "partner_country", "facing_gate"]


@admin.register(AgreementTerm)
class AgreementTermAdmin(RulebookAccess):
    list_display = ["agreement", "request_kind", "reply_within", "is_default", "citation"]
    fields = ["agreement", "request_kind", "reply_within", "wording", "is_default", "citation"]
    readonly_fields = ["agreement", "request_kind", "wording", "is_default", "citation"]

    def has_change_permission(self, request, obj=None) -> bool:
        return may_change_rules(request.user) and (obj is None or obj.is_default)

    def save_model(self, request, obj, form, change) -> None:
        change_reply_limit(request.user, obj, form.cleaned_data["reply_within"])
