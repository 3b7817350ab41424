"""Encrypted model fields: AES-256-GCM under the record's data key, bound to row and field.

Stored value = version byte + data key id (the header) + 96-bit nonce + ciphertext + tag.
Associated data = model label + record uuid + field name + header, so a ciphertext copied to
another row, field or model fails authentication instead of decrypting.

Values load sealed and decrypt on first attribute access (a list of cases never decrypts what
it does not show); plaintext is encrypted in pre_save. Renaming a model or field changes the
associated data: such a migration must re-encrypt (read, rename, save).
"""

import datetime
import json
from typing import Any

from django import forms
from django.core import checks, exceptions
from django.core.exceptions import FieldError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from .crypto import (
    CryptoError,
    DataErased,
    DecryptionError,
    InvalidTag,
    make_header,
    open_sealed,
    parse_header,
)
from .crypto import seal as _seal
from .keyring import unwrap_data_key
from .models import DataKey, EncryptedModel
from .reads import reading_raw


class Sealed:
    """A value as loaded from the database: opaque, never printable as ciphertext."""

    __slots__ = ("stored",)

    def __init__(self, stored: bytes) -> None:
        self.stored = stored

    def __repr__(self) -> str:
        return "<encrypted>"


class _Ciphertext(bytes):
    """Marks bytes produced by pre_save; anything else is refused on the way to the database."""


class EncryptedAttribute(DeferredAttribute):
    """Data descriptor: decrypts on first access and keeps the plaintext on the instance."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed) and not reading_raw():
            value = self.field.decrypt(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedField(models.Field):
    """Base class; subclasses define to_python, serialise and deserialise."""

    descriptor_class = EncryptedAttribute
    empty_strings_allowed = False

    def get_internal_type(self) -> str:
        return "BinaryField"

    def check(self, **kwargs) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not issubclass(self.model, EncryptedModel):
            errors.append(
                checks.Error(
                    f"{self.name}: encrypted fields need a model inheriting EncryptedModel.",
                    obj=self,
                    id="security.E001",
                )
            )
        if self.unique or self.db_index or self.primary_key:
            errors.append(
                checks.Error(
                    f"{self.name}: an encrypted field cannot be indexed or unique; "
                    "use a blind index (security.blind_index).",
                    obj=self,
                    id="security.E002",
                )
            )
        return errors

    def get_lookup(self, lookup_name: str):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: only __isnull lookups work; "
            "search with a blind index (security.blind_index)."
        )

    def get_transform(self, lookup_name: str):
        return None

    # Reading -------------------------------------------------------------------------------

    def from_db_value(self, value, expression, connection):
        return None if value is None else Sealed(bytes(value))

    def decrypt(self, instance: models.Model, sealed: Sealed) -> Any:
        where = self._where(instance)
        try:
            data_key_id, header, body = parse_header(sealed.stored)
            if data_key_id != instance.data_key_id:
                raise DecryptionError("value belongs to another data key")
            key = unwrap_data_key(instance.data_key)
            plaintext = open_sealed(key, body, self._associated_data(instance, header))
        except InvalidTag:
            raise DecryptionError(
                f"{where}: authentication failed (wrong key, row or field, or tampered)"
            ) from None
        except CryptoError as exc:
            raise type(exc)(f"{where}: {exc}") from None
        return self._deserialise_or_fail(plaintext, where)

    def _deserialise_or_fail(self, plaintext: bytes, where: str) -> Any:
        """Parse errors quote their input: raise outside the handler so none is attached."""
        try:
            return self.deserialise(plaintext)
        except ValueError:  # includes UnicodeDecodeError and JSONDecodeError
            pass
        raise DecryptionError(f"{where}: decrypted value does not fit {type(self).__name__}")

    # Writing -------------------------------------------------------------------------------

    def pre_save(self, model_instance: models.Model, add: bool) -> bytes | None:
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            return self._pass_through(model_instance, value)
        return self._encrypt(model_instance, self.serialise(self.to_python(value)))

    def _pass_through(self, instance: models.Model, sealed: Sealed) -> bytes:
        """An unread value is written back unchanged; it must already be under this key."""
        if instance.data_key_id is None or sealed.stored[1:17] != instance.data_key_id.bytes:
            raise DecryptionError(
                f"{self._where(instance)}: read encrypted values before changing the data key"
            )
        return _Ciphertext(sealed.stored)

    def _encrypt(self, instance: models.Model, plaintext: bytes) -> bytes:
        if instance.data_key_id is None:
            raise CryptoError(f"{self._where(instance)}: the record has no data key")
        header = make_header(instance.data_key_id)
        try:
            key = unwrap_data_key(instance.data_key)
        except CryptoError as exc:
            raise type(exc)(f"{self._where(instance)}: {exc}") from None
        return _Ciphertext(header + _seal(key, plaintext, self._associated_data(instance, header)))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        if isinstance(value, _Ciphertext):
            return connection.Database.Binary(value)
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted: set it on an instance and "
            "save() it (QuerySet.update, bulk_update and fixtures cannot encrypt)."
        )

    def value_to_string(self, obj):
        raise FieldError(
            f"{self.model._meta.label}.{self.name} is encrypted and is never serialised."
        )

    # Helpers -------------------------------------------------------------------------------

    def _where(self, instance: models.Model) -> str:
        return f"{self.model._meta.label}.{self.name} of record {instance.uuid}"

    def _associated_data(self, instance: models.Model, header: bytes) -> bytes:
        if instance.uuid is None:
            raise DecryptionError(f"{self.model._meta.label}.{self.name}: record has no uuid")
        parts = ["loive-field-v1", self.model._meta.label, str(instance.uuid), self.name]
        return "\x00".join(parts).encode() + b"\x00" + header

    def serialise(self, value: Any) -> bytes:
        raise NotImplementedError

    def deserialise(self, plaintext: bytes) -> Any:
        raise NotImplementedError


class EncryptedTextField(EncryptedField):
    """Free text; the empty string is encrypted like any other value (None stays NULL)."""

    empty_strings_allowed = True
    description = _("Encrypted text")

    def to_python(self, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def serialise(self, value: str) -> bytes:
        return value.encode("utf-8")

    def deserialise(self, plaintext: bytes) -> str:
        return plaintext.decode("utf-8")

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": forms.CharField, "widget": forms.Textarea, **kwargs}
        )


class EncryptedCharField(EncryptedTextField):
    """Short text; max_length limits the plaintext (characters), not the column."""

    description = _("Encrypted short text")

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            self.validators.append(MaxLengthValidator(self.max_length))

    def formfield(self, **kwargs):
        defaults = {"form_class": forms.CharField, "max_length": self.max_length}
        return models.Field.formfield(self, **{**defaults, **kwargs})


class EncryptedDateField(EncryptedField):
    description = _("Encrypted date")

    def to_python(self, value: Any) -> datetime.date | None:
        if isinstance(value, datetime.datetime):
            if timezone.is_aware(value):  # the local calendar day, as DateField does
                value = timezone.make_naive(value, timezone.get_default_timezone())
            return value.date()
        if value is None or isinstance(value, datetime.date):
            return value
        parsed = parse_date(value) if isinstance(value, str) else None
        if parsed is None:
            raise exceptions.ValidationError(_("Enter a valid date."), code="invalid_date")
        return parsed

    def serialise(self, value: datetime.date) -> bytes:
        return value.isoformat().encode("ascii")

    def deserialise(self, plaintext: bytes) -> datetime.date:
        return datetime.date.fromisoformat(plaintext.decode("ascii"))

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.DateField, **kwargs})


class EncryptedJSONField(EncryptedField):
    """Any JSON value; Python None is stored as NULL (so JSON null is not distinguishable)."""

    description = _("Encrypted JSON")

    def __init__(self, *args, encoder=None, decoder=None, **kwargs) -> None:
        self.encoder, self.decoder = encoder, decoder
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        if self.decoder is not None:
            kwargs["decoder"] = self.decoder
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value

    def serialise(self, value: Any) -> bytes:
        try:
            text = json.dumps(value, cls=self.encoder, ensure_ascii=False, allow_nan=False)
        except (TypeError, ValueError):
            raise exceptions.ValidationError(
                _("Value must be valid JSON."), code="invalid"
            ) from None
        return text.encode("utf-8")

    def deserialise(self, plaintext: bytes) -> Any:
        return json.loads(plaintext.decode("utf-8"), cls=self.decoder)

    def formfield(self, **kwargs):
        return super().formfield(
            **{
                "form_class": forms.JSONField,
                "encoder": self.encoder,
                "decoder": self.decoder,
                **kwargs,
            }
        )


def encrypted_fields(model: type[models.Model]) -> list[EncryptedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedField)]


def unless_erased(instance: models.Model, name: str, erased: Any = None) -> Any:
    """The field's value, or `erased` when the record's data key was destroyed (shredded)."""
    try:
        return getattr(instance, name)
    except DataErased:
        return erased


def record_of_row(model: type[EncryptedModel], row: dict, data_key: DataKey) -> EncryptedModel:
    """A record of `model` holding the columns of a row read with values() that are its fields
    (at least id, uuid and data_key_id), under its data key: what unless_erased decrypts the
    row's encrypted fields from, for reads that build no model per row (issue 15). Every field
    of the row is given: a model tracking its state (viewflow) reads a missing one from the
    database."""
    fields = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    record = model.from_db(None, fields, [row[attname] for attname in fields])
    model._meta.get_field("data_key").set_cached_value(record, data_key)
    return record
