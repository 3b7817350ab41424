"""Reads across every encrypted model: which models exist, and whether every value decrypts."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

from .crypto import DataErased, DecryptionError
from .fields import encrypted_fields
from .keys import get_key_provider
from .models import DataKey, EncryptedModel


def keyed_models() -> list[type[EncryptedModel]]:
    """Every installed concrete model whose rows are under a data key, with encrypted fields
    of its own or not (a case), including ones added later."""
    return [
        model
        for model in apps.get_models()
        if issubclass(model, EncryptedModel) and not model._meta.proxy
    ]


def encrypted_models() -> list[type[EncryptedModel]]:
    """Every installed concrete model with encrypted fields, including ones added later."""
    return [model for model in keyed_models() if encrypted_fields(model)]


@dataclass
class VerificationReport:
    checked: int = 0
    erased: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def verify_encryption(progress: Callable[[str], None] | None = None) -> VerificationReport:
    """Decrypt every value (and unwrap every live key); failures name places, never values."""
    report = VerificationReport()
    _verify_data_keys(report)
    for model in encrypted_models():
        _verify_model(model, report)
        if progress is not None:
            progress(f"verified {model._meta.label}: {report.checked} values so far")
    return report


def _verify_data_keys(report: VerificationReport) -> None:
    provider = get_key_provider()
    current = provider.current_kek_id()
    for data_key in DataKey.objects.filter(destroyed_at__isnull=True).iterator(chunk_size=1000):
        if data_key.kek_id != current:
            report.failures.append(f"data key {data_key.pk} is not under the current KEK")
            continue
        try:
            provider.unwrap(data_key.kek_id, bytes(data_key.wrapped_key))
        except DecryptionError as exc:
            report.failures.append(str(exc))


def _verify_model(model: type[EncryptedModel], report: VerificationReport) -> None:
    fields = encrypted_fields(model)
    records = model._base_manager.select_related("data_key").order_by("pk")
    for record in records.iterator(chunk_size=500):
        for model_field in fields:
            try:
                getattr(record, model_field.attname)
                report.checked += 1
            except DataErased:
                report.erased += 1
            except DecryptionError as exc:
                report.failures.append(str(exc))
