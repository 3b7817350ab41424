"""Rulebooks in the admin: read-only, except a step's deadline, which gets a new version.

Saving the form of a step's current rule calls rulebooks.services.change_deadline, so the
change is versioned and audited; older versions and the rulebooks themselves are read-only.
"""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import LegalBasis, ReportingDeadline, Rulebook, RuleStep, ServiceEligibility
from .selectors import rule_for
from .services import change_deadline, may_change_rules


class RulebookAccess(admin.ModelAdmin):
    """Administrators manage rulebooks by their role, without per-model permissions."""

    def has_module_permission(self, request) -> bool:
        return may_change_rules(request.user) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return may_change_rules(request.user) or super().has_view_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(RulebookAccess):
    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rulebook)
class RulebookAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "effective_from", "effective_until"]


@admin.register(LegalBasis)
class LegalBasisAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "citation", "override_is_default", "is_active"]


@admin.register(ServiceEligibility)
class ServiceEligibilityAdmin(ReadOnlyAdmin):
    list_display = ["rulebook", "beneficiary", "service", "is_default", "citation"]
    list_filter = ["rulebook", "beneficiary", "is_default"]


@admin.register(ReportingDeadline)
class ReportingDeadlineAdmin(ReadOnlyAdmin):
    list_display = ["province", "part", "day", "month", "citation"]
    list_filter = ["province"]


class DeadlineChangeForm(forms.ModelForm):
    reason = forms.CharField(label=_("reason for the change"), widget=forms.Textarea)

    class Meta:
        model = RuleStep
        fields = ["deadline", "wording", "is_default", "citation"]

    def clean(self):
        cleaned = super().clean()
        if not set(self.changed_data) - {"reason"}:
            raise forms.ValidationError(_("Nothing was changed."))
        return cleaned


@admin.register(RuleStep)
class RuleStepAdmin(RulebookAccess):
    form = DeadlineChangeForm
    list_display = [
        "rulebook",
        "step",
        "version",
        "deadline",
        "is_default",
        "citation",
        "effective_from",
        "changed_by",
    ]
    list_filter = ["rulebook", "step", "is_default"]
    list_select_related = ["changed_by"]
    readonly_fields = [
        "rulebook",
        "step",
        "version",
        "responsible_kinds",
        "responsible_level",
        "effective_from",
        "changed_by",
        "change_reason",
    ]
    fieldsets = [
        (None, {"fields": readonly_fields}),
        (_("New version"), {"fields": ["deadline", "wording", "is_default", "citation", "reason"]}),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        """Only the version in force can be changed, by adding the next one."""
        in_force = obj is None or rule_for(obj.rulebook_id, obj.step).pk == obj.pk
        return in_force and may_change_rules(request.user)

    def save_model(self, request, obj, form, change) -> None:
        """Add a version through the service instead of saving the edited row."""
        data = form.cleaned_data
        version = change_deadline(
            obj.rulebook_id,
            obj.step,
            data["deadline"],
            actor=request.user,
            citation=data["citation"],
            reason=data["reason"],
            is_default=data["is_default"],
            wording=data["wording"],
        )
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(version, field.attname))
        obj._state.adding = False
