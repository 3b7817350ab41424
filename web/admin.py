"""The administration wears the product's name, in the user's language. Case data is never
registered here: cases, people, records and referrals change only through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from viewflow.workflow.models import Process, Task

admin.site.site_header = _("Lối Về administration")
admin.site.site_title = _("Lối Về")
admin.site.index_title = _("Organisation and settings")

# viewflow registers its processes and tasks; here they are the cases' workflow, changed only
# by the cases' transitions (workflows.services), never by hand.
for model in (Process, Task):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
