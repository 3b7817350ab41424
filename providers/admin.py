from django.contrib import admin

from .models import Provider, ScreeningNeed


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["unit", "provider_type", "capacity", "occupied"]
    list_filter = ["provider_type", "unit__province"]
    # Places are taken and freed only by accepted and completed placements.
    readonly_fields = ["occupied"]


@admin.register(ScreeningNeed)
class ScreeningNeedAdmin(admin.ModelAdmin):
    list_display = ["indicator", "service", "is_default"]
