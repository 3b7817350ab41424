"""Read-only views of the ledger, the keys and the TOTP devices for administrators (no key
material or second-factor secret shown)."""

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from .models import ApiToken, AuditEvent, DataKey


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


class TOTPDeviceAdmin(admin.ModelAdmin):
    """Administrators see who has a second factor and can delete a lost device (the user then
    enrols again), but never see or set the secret: no key field, no QR code or config page."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username"]
    fields = [
        "user",
        "name",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]
    readonly_fields = [
        "user",
        "confirmed",
        "created_at",
        "last_used_at",
        "throttling_failure_timestamp",
        "throttling_failure_count",
    ]

    def has_add_permission(self, request) -> bool:
        return False  # a device is enrolled by its owner (security:two_factor), never here


# django_otp registers an admin that shows and edits the key: replace it, whichever of the two
# admin modules is imported first (its register() ignores AlreadyRegistered).
if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)


# API tokens (django-rest-knox): only digests are stored, and the admin shows neither digest
# nor key prefix; tokens are issued by `manage.py issue_token`, shown once, never here.
admin.site.unregister(AuthToken)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created", "expiry"]
    fields = ["user", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
