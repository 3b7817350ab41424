"""Support-service providers (cơ sở cung cấp dịch vụ hỗ trợ) and the places they have.

Plan 19/KH-BCĐ138/CP asks that victims be connected and referred to providers by their needs
and by the providers' capacity. A provider is a unit of the organisation (its staff sign in
and accept referrals) with what it offers: the support services of Law 53/2024/QH15 Art. 37
(rulebooks.SupportServiceKind), languages, whom it takes, and how many places it has.

A referral to a provider's unit is a placement: it takes a place when the provider accepts
it and frees the place when it is completed or withdrawn (services.follow_referral). The
count of taken places is kept on the provider row and changed only by conditional UPDATEs,
and the database refuses a count below zero or above the capacity.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from cases.models import ScreeningIndicator
from rulebooks.models import SupportServiceKind


class ProviderType(models.TextChoices):
    STATE_SHELTER = "state_shelter", _("State shelter")
    SOCIAL_PROTECTION_CENTRE = "social_protection_centre", _("Social-protection centre")
    HOSPITAL = "hospital", _("Hospital")
    LEGAL_AID_CENTRE = "legal_aid_centre", _("Legal-aid centre")
    NGO_SHELTER = "ngo_shelter", _("Shelter run by a non-governmental organisation")


def validate_services(value) -> None:
    if not isinstance(value, list) or not value or not set(value) <= set(SupportServiceKind.values):
        raise ValidationError(_("Give one or more known support services."), code="services")


def validate_languages(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValidationError(_("Give the languages as a list of names."), code="languages")


class Provider(models.Model):
    """A unit that provides support services, with whom it takes and how many places it has.

    An NGO's shelter is registered as a unit of the social-protection kind that licenses
    and supervises it, so that a victim's consent to share with social protection (or with
    that unit by name) covers a referral to it.
    """

    unit = models.OneToOneField(
        "agencies.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="provider",
    )
    provider_type = models.CharField(_("type"), max_length=32, choices=ProviderType.choices)
    services = models.JSONField(
        _("services offered"),
        validators=[validate_services],
        help_text=_("Support services of Law 53/2024/QH15 Art. 37 the provider offers."),
    )
    languages = models.JSONField(
        _("languages spoken"), default=list, blank=True, validators=[validate_languages]
    )
    takes_children = models.BooleanField(_("takes children"), default=False)
    takes_women = models.BooleanField(_("takes women"), default=True)
    takes_men = models.BooleanField(_("takes men"), default=True)
    capacity = models.PositiveIntegerField(
        _("places"),
        null=True,
        blank=True,
        help_text=_("Shelter beds, or open places for a service; empty: not limited."),
    )
    occupied = models.PositiveIntegerField(
        _("places taken"), default=0, help_text=_("Changed only by accepted placements.")
    )

    class Meta:
        ordering = ["unit__name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("service providers")
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(occupied__lte=F("capacity")),
                name="provider_never_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(occupied__gte=0), name="provider_occupied_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.unit.name

    @property
    def service_labels(self) -> list[str]:
        return [SupportServiceKind(service).label for service in self.services]

    @property
    def open_places(self) -> int | None:
        """Places free now; None when the provider's places are not limited."""
        return None if self.capacity is None else self.capacity - self.occupied


class Placement(models.Model):
    """A referral to a provider: the needs it is for, and when it took and freed a place."""

    referral = models.OneToOneField(
        "referrals.Referral",
        verbose_name=_("referral"),
        on_delete=models.CASCADE,
        related_name="placement",
    )
    provider = models.ForeignKey(
        Provider, verbose_name=_("provider"), on_delete=models.PROTECT, related_name="placements"
    )
    needs = models.JSONField(_("needs it answers"), default=list)
    place_taken_at = models.DateTimeField(_("place taken at"), null=True, blank=True)
    place_freed_at = models.DateTimeField(_("place freed at"), null=True, blank=True)

    class Meta:
        ordering = ["-referral__sent_at", "-id"]
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        constraints = [
            models.CheckConstraint(
                condition=Q(place_freed_at__isnull=True) | Q(place_taken_at__isnull=False),
                name="placement_freed_only_once_taken",
            )
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} → {self.provider_id}"


class ScreeningNeed(models.Model):
    """An indicator found at screening suggests a support service the victim may need.

    Not law: a configurable default of the matching tool (is_default), editable by an
    administrator, never presented as a legal rule.
    """

    indicator = models.CharField(
        _("screening indicator"), max_length=40, choices=ScreeningIndicator.choices
    )
    service = models.CharField(_("service"), max_length=32, choices=SupportServiceKind.choices)
    is_default = models.BooleanField(_("configurable default"), default=True)

    class Meta:
        ordering = ["indicator", "service"]
        verbose_name = _("need suggested by screening")
        verbose_name_plural = _("needs suggested by screening")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "service"], name="one_need_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} → {self.service}"
