"""Helpers for data migrations that move a clear-text column into an encrypted field.

Used from RunPython with historical models: the encrypted field of the historical model
encrypts in pre_save exactly as the live one does (label, row uuid and field name bound).
A row whose data key was destroyed (an erased case) gets NULL: its text cannot be encrypted
any more and must not stay in clear.
"""

import uuid

from .crypto import DataErased


def fill_record_keys(model, case_field: str = "case") -> None:
    """Give each row a uuid and its case's data key (records share the case's key)."""
    for row in model.objects.select_related(case_field).filter(data_key__isnull=True):
        row.uuid = row.uuid or uuid.uuid4()
        row.data_key_id = getattr(row, case_field).data_key_id
        row.save(update_fields=["uuid", "data_key"])


def encrypt_column(model, plain: str, encrypted: str) -> None:
    """Copy each row's clear `plain` value into the encrypted field `encrypted`."""
    for row in model.objects.select_related("data_key").iterator():
        value = getattr(row, plain)
        if row.data_key.destroyed_at is not None:
            value = None
        setattr(row, encrypted, value)
        try:
            row.save(update_fields=[encrypted])
        except DataErased:
            setattr(row, encrypted, None)
            row.save(update_fields=[encrypted])


def decrypt_column(model, encrypted: str, plain: str) -> None:
    """The reverse: the decrypted value back into the clear column ("" when erased)."""
    for row in model.objects.select_related("data_key").iterator():
        try:
            value = getattr(row, encrypted)
        except DataErased:
            value = None
        setattr(row, plain, value or "")
        row.save(update_fields=[plain])
