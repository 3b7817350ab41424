"""Write operations on keys: creating, destroying (crypto-shredding) and rotating them."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.errors import InvalidInput

from . import keyring
from .audit import record_event
from .crypto import CryptoError, new_key
from .fields import encrypted_fields
from .keys import get_key_provider
from .models import DataKey, EncryptedModel, ReencryptionRun, remember_data_key_held
from .selectors import keyed_models

Progress = Callable[[str], None]


@dataclass
class RotationResult:
    done: int = 0
    failed: list[uuid.UUID] = field(default_factory=list)


def create_data_key() -> DataKey:
    """A fresh data key for one victim, stored wrapped under the current KEK."""
    dek = new_key()
    kek_id, wrapped = get_key_provider().wrap(dek)
    data_key = DataKey.objects.create(wrapped_key=wrapped, kek_id=kek_id)
    remember_data_key_held(data_key)  # inserted by this transaction: nobody else sees it yet
    keyring.remember(data_key.pk, wrapped, dek)
    return data_key


@transaction.atomic
def destroy_data_key(data_key: DataKey, *, actor, reason: str) -> DataKey:
    """Erase a victim: wipe the wrapped key so nothing encrypted under it can be read again."""
    if not reason.strip():
        raise InvalidInput(_("A reason is required to erase a person's data."))
    locked = DataKey.objects.select_for_update().get(pk=data_key.pk)
    if locked.destroyed_at is None:
        locked.wrapped_key = b""
        locked.destroyed_at = timezone.now()
        locked.destroyed_reason = reason
        locked.save(update_fields=["wrapped_key", "destroyed_at", "destroyed_reason"])
        record_event("key.destroy", actor=actor, obj=locked, reason=reason)
    transaction.on_commit(lambda: keyring.forget(locked.pk))
    keyring.forget(locked.pk)
    _copy_state(locked, data_key)
    return locked


def _copy_state(source: DataKey, target: DataKey) -> None:
    for name in ("wrapped_key", "kek_id", "destroyed_at", "destroyed_reason", "replaced_by_id"):
        setattr(target, name, getattr(source, name))


def rewrap_data_keys(*, batch_size: int = 500, progress: Progress | None = None) -> RotationResult:
    """Re-wrap every live data key under the current KEK; encrypted values are untouched.

    Resumable: only keys still under another KEK are selected, one transaction per batch.
    """
    provider = get_key_provider()
    current = provider.current_kek_id()
    pending = DataKey.objects.filter(destroyed_at__isnull=True).exclude(kek_id=current)
    total, result = pending.count(), RotationResult()
    while True:
        with transaction.atomic():
            batch = list(
                pending.exclude(pk__in=result.failed)
                .select_for_update()
                .order_by("pk")[:batch_size]
            )
            for data_key in batch:
                if _rewrap(provider, data_key):
                    result.done += 1
                else:
                    result.failed.append(data_key.pk)
        if not batch:
            break
        _report(progress, f"re-wrapped {result.done}/{total} data keys")
    if result.done:
        record_event("key.rotate", details={"rewrapped": result.done, "kek_id": current})
    return result


def _rewrap(provider, data_key: DataKey) -> bool:
    try:
        dek = provider.unwrap(data_key.kek_id, bytes(data_key.wrapped_key))
    except CryptoError:
        return False
    data_key.kek_id, data_key.wrapped_key = provider.wrap(dek)
    data_key.save(update_fields=["kek_id", "wrapped_key"])
    keyring.forget(data_key.pk)
    return True


def reencrypt_all(*, batch_size: int = 100, progress: Progress | None = None) -> RotationResult:
    """Move every victim to a fresh data key, re-encrypting all their values.

    Keys created before the run started are replaced, one victim per transaction, so an
    interrupted run resumes where it stopped (the run row keeps the cut-off time).
    """
    run = ReencryptionRun.objects.filter(finished_at__isnull=True).first()
    run = run or ReencryptionRun.objects.create()
    pending = DataKey.objects.filter(
        created_at__lt=run.started_at, destroyed_at__isnull=True, replaced_by__isnull=True
    ).order_by("created_at", "pk")
    total, result = pending.count(), RotationResult()
    while batch := list(pending.exclude(pk__in=result.failed)[:batch_size]):
        for data_key in batch:
            try:
                reencrypt_data_key(data_key)
                result.done += 1
            except CryptoError:
                result.failed.append(data_key.pk)
        _report(progress, f"re-encrypted {result.done}/{total} victims")
    if not result.failed:
        run.finished_at = timezone.now()
        run.save(update_fields=["finished_at"])
    record_event("key.rotate", obj=run, details={"reencrypted_victims": result.done})
    return result


@transaction.atomic
def reencrypt_data_key(data_key: DataKey) -> DataKey:
    """Re-encrypt one victim's values under a new data key, then retire (wipe) the old key."""
    old = DataKey.objects.select_for_update().get(pk=data_key.pk)
    if old.replaced_by_id or old.destroyed_at:
        return old
    new = create_data_key()
    for model in keyed_models():
        records = model._base_manager.select_for_update().filter(data_key=old)
        if not encrypted_fields(model):
            # Nothing to re-encrypt (a case), but its rows follow the key: a row left under
            # the retired key could never be saved again (StaleDataKey on every transition).
            records.update(data_key=new)
            continue
        for record in records:
            _move_record(record, new)
    old.wrapped_key, old.destroyed_at, old.replaced_by = b"", timezone.now(), new
    old.destroyed_reason = "re-encrypted under a new data key"
    old.save(update_fields=["wrapped_key", "destroyed_at", "replaced_by", "destroyed_reason"])
    keyring.forget(old.pk)
    return new


def _move_record(record: EncryptedModel, new: DataKey) -> None:
    names = [model_field.attname for model_field in encrypted_fields(type(record))]
    for name in names:
        getattr(record, name)  # decrypt under the old key before switching
    record.data_key = new
    record.save(update_fields=[*names, "data_key"])


def _report(progress: Progress | None, message: str) -> None:
    if progress is not None:
        progress(message)
