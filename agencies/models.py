"""The organisation: agency kinds, their units, and the people who work in them."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgencyKind(models.TextChoices):
    """The kinds of body that take part in the inter-agency process."""

    POLICE = "police", _("Police")
    BORDER_GUARD = "border_guard", _("Border Guard")
    COAST_GUARD = "coast_guard", _("Coast Guard")
    # Social protection: MOLISA / DOLISA until 2025-06-30, the provincial health
    # department (Sở Y tế) from 2025-07-01 (Law 53/2024/QH15, Decree 162/2025/NĐ-CP).
    LABOUR_SOCIAL = "labour_social", _("Labour, Invalids and Social Affairs (MOLISA/DOLISA)")
    HEALTH_DEPARTMENT = "health_department", _("Provincial health department (social protection)")
    JUSTICE_LEGAL_AID = "justice_legal_aid", _("Justice / legal aid")
    FOREIGN_AFFAIRS = "foreign_affairs", _("Foreign Affairs / mission abroad")
    COMMUNE_COMMITTEE = "commune_committee", _("Commune People's Committee")
    HOTLINE = "hotline", _("National hotline 111")
    PROCURACY = "procuracy", _("Procuracy")
    COURT = "court", _("Court")
    STEERING_COMMITTEE = "steering_committee", _("Steering Committee 138")


SOCIAL_PROTECTION_KINDS = frozenset({AgencyKind.LABOUR_SOCIAL, AgencyKind.HEALTH_DEPARTMENT})


class UnitLevel(models.TextChoices):
    CENTRAL = "central", _("Central")
    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")
    MISSION_ABROAD = "mission_abroad", _("Mission abroad")


class Role(models.TextChoices):
    """A user's role; each role is also a Django group carrying its permissions."""

    HOTLINE_OPERATOR = "hotline_operator", _("Hotline operator")
    CASEWORKER = "caseworker", _("Caseworker")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMINISTRATOR = "administrator", _("Administrator")
    # A system, not a person: the hotline's telephony, a provincial dashboard. Signs in with
    # an API token only, and reaches only intake creation and case status.
    INTEGRATION = "integration", _("Integration account")


class Unit(models.Model):
    """An agency unit (đơn vị): a provincial police department, a border post, a shelter..."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("agency kind"), max_length=32, choices=AgencyKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=UnitLevel.choices)
    province = models.ForeignKey(
        "places.Province",
        verbose_name=_("province"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty for central units and missions abroad."),
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [models.Index(fields=["kind", "province"])]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: belongs to one unit and has one role there."""

    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def agency_kind(self) -> str | None:
        return self.unit.kind if self.unit_id else None

    def has_role(self, *roles: str) -> bool:
        return self.role in roles
