"""Models that exist only in tests: concrete EncryptedModel subclasses with every field type."""

from django.db import models

from security.fields import (
    EncryptedCharField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from security.models import EncryptedModel


class Victim(EncryptedModel):
    full_name = EncryptedCharField(max_length=200)
    notes = EncryptedTextField(blank=True)
    birth_date = EncryptedDateField(null=True, blank=True)
    profile = EncryptedJSONField(null=True, blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)

    class Meta:
        app_label = "security_testapp"


class Statement(EncryptedModel):
    victim = models.ForeignKey(Victim, on_delete=models.CASCADE, related_name="statements")
    text = EncryptedTextField()

    class Meta:
        app_label = "security_testapp"
