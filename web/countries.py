"""Countries as people read them: an ISO 3166 code stored in a record (a destination, a
route, a counterpart, a nationality) is shown by its name, in the reader's language."""

from django.utils.translation import gettext_lazy as _

# The countries the pages name: Viet Nam, its neighbours and the destinations of trafficking
# from Viet Nam the hotline hears about most. Another code is shown as it is.
COUNTRIES = {
    "VN": _("Viet Nam"),
    "KH": _("Cambodia"),
    "LA": _("Laos"),
    "CN": _("China"),
    "MM": _("Myanmar"),
    "TH": _("Thailand"),
    "MY": _("Malaysia"),
    "AE": _("United Arab Emirates"),
    "KR": _("South Korea"),
    "JP": _("Japan"),
    "TW": _("Taiwan"),
    "GB": _("United Kingdom"),
}
# Those the intake and rescue forms offer, in this order.
DESTINATION_CODES = ["KH", "LA", "CN", "MM", "TH", "MY", "AE"]


def country_name(code: str) -> str:
    """The country's name, or the code itself when it is not one the pages name."""
    return str(COUNTRIES.get(str(code).upper(), code)) if code else ""
