from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Failed notifications are inspected here; subjects and bodies hold no identity data."""

    list_display = ["id", "recipient", "channel", "subject", "created_at", "sent_at", "attempts"]
    list_filter = ["channel"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
