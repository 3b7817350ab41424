"""Provinces as they were on a date, and the map from the 63 old provinces to the 34 new ones.

National Assembly Resolution 202/2025/QH15 merged the 63 provinces into 34 on 2025-07-01
and abolished the district level. A place is stored as it was on the date of the event;
statistics are counted by the province as it is for the report's period.
"""

from datetime import date
from zoneinfo import ZoneInfo

from django.db import models
from django.utils.translation import gettext_lazy as _

# Events and laws are dated in Vietnam time (UTC+7, no daylight saving), whatever the
# time zone of the user or the server.
VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Province(models.Model):
    """Tỉnh / thành phố trực thuộc trung ương."""

    code = models.CharField(_("code"), max_length=32, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    abbreviation = models.CharField(
        _("abbreviation"), max_length=4, help_text=_("Used in case numbers, e.g. LC-2025-000123.")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Last day the province existed.")
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
    )
    source = models.CharField(_("legal source"), max_length=200, blank=True)
    # Where the provincial People's Committee sits: service providers are ranked by the
    # distance between seats (providers app). Approximate, never a legal fact.
    seat_latitude = models.DecimalField(
        _("latitude of the provincial seat"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    seat_longitude = models.DecimalField(
        _("longitude of the provincial seat"), max_digits=7, decimal_places=4, null=True, blank=True
    )
    seat_source = models.CharField(_("source of the seat's position"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name

    def as_of(self, day: date) -> "Province":
        """The province this one was, or became, on the given day."""
        province = self
        while province.valid_until and day > province.valid_until and province.merged_into_id:
            province = province.merged_into
        return province
