"""The administration wears the product's name, in the user's language. Case data is never
registered here: cases, people, records and referrals change only through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Lối Về administration")
admin.site.site_title = _("Lối Về")
admin.site.index_title = _("Organisation and settings")
