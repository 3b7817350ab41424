"""Read-only views of the ledger and the keys for administrators (no key material shown)."""

from django.contrib import admin

from .models import AuditEvent, DataKey


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["sequence", "timestamp", "action", "actor_username", "object_type", "case_uuid"]
    list_filter = ["action"]
    search_fields = ["actor_username", "=object_id"]


@admin.register(DataKey)
class DataKeyAdmin(ReadOnlyAdmin):
    list_display = ["id", "kek_id", "created_at", "destroyed_at"]
    list_filter = ["kek_id"]
    fields = ["id", "kek_id", "created_at", "destroyed_at", "destroyed_reason", "replaced_by"]
