from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Unit, User


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "level", "province", "is_active"]
    list_filter = ["kind", "level", "is_active"]
    search_fields = ["code", "name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "unit", "role", "is_active"]
    list_filter = ["role", "unit__kind"]
    fieldsets = [*BaseUserAdmin.fieldsets, (None, {"fields": ["unit", "role"]})]
