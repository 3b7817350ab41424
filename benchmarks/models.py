from django.db import models


class BareRow(models.Model):
    """The one row a bare Django endpoint inserts: the baseline of the intake benchmark."""

    payload = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
