"""Data keys (envelope encryption), the base class of encrypted models, and the audit ledger."""

import uuid

from django.db import DEFAULT_DB_ALIAS, connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from config.errors import Conflict

from .reads import raw_reads


class DataKey(models.Model):
    """One victim's data key, stored only wrapped by a key-encryption key (KEK).

    Destroying it (wiping wrapped_key) erases every value encrypted under it (crypto-shredding).
    Backups still hold the wrapped form until the KEK that wrapped it is rotated out and
    retired: erasure reaches backups only then.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wrapped_key = models.BinaryField()
    kek_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)
    destroyed_reason = models.TextField(blank=True)
    # Set when `rotate_keys --reencrypt` moved every value to a fresh key.
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")

    def __str__(self) -> str:
        return f"DataKey {self.pk}"

    def __repr__(self) -> str:
        return f"<DataKey {self.pk} kek={self.kek_id}>"

    def save(self, *args, **kwargs) -> None:
        """A key changed here (re-wrapped, replaced, destroyed) is read again by the next save
        under it in this transaction, never taken from data_key_held's note."""
        super().save(*args, **kwargs)
        using = kwargs.get("using") or router.db_for_write(DataKey, instance=self)
        _held_data_keys(connections[using]).pop(self.pk, None)


class StaleDataKey(Conflict):
    """The record's data key was replaced while it was being edited: reload and retry."""

    code = "stale_data_key"


class EncryptedModel(models.Model):
    """Base for every model with encrypted fields.

    The uuid is part of each ciphertext's associated data (binding it to its row) and is the
    id to use anywhere pseudonymous (audit, workflow data, URLs).
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        """Share-lock the data key row so a concurrent re-encryption cannot orphan our write."""
        if self.data_key_id is None:
            raise ValueError(
                f"{type(self).__name__} needs a data_key (security.services.create_data_key())."
            )
        using = kwargs.get("using") or router.db_for_write(type(self), instance=self)
        if transaction.get_connection(using).in_atomic_block:
            # Inside the caller's transaction the lock lasts until its commit; no savepoint
            # is needed, and a stale key raises before anything is written.
            self._save_under_locked_key(args, kwargs, using)
            return
        with transaction.atomic(using=using):
            self._save_under_locked_key(args, kwargs, using)

    def _save_under_locked_key(self, args: tuple, kwargs: dict, using: str) -> None:
        self.data_key = data_key_to_write_under(self.data_key_id, using)
        super().save(*args, **kwargs)

    def refresh_from_db(self, *args, **kwargs) -> None:
        """Reload without decrypting: values stay sealed until read (and erasure-safe)."""
        with raw_reads():
            super().refresh_from_db(*args, **kwargs)


def data_key_held(pk: uuid.UUID, using: str = DEFAULT_DB_ALIAS) -> DataKey:
    """The data key row, share-locked until the end of the caller's transaction: locked once
    per transaction however many records are saved under it (an intake saves four or more),
    and not at all when the transaction created it (its insert already holds it).

    FOR SHARE: ordinary saves never block each other, only `rotate_keys --reencrypt` (which
    takes FOR UPDATE) waits for them or makes them wait. SQLite serialises writers anyway.
    """
    connection = connections[using]
    held = _held_data_keys(connection)
    found = held.get(pk)
    if found is not None and _still_held(connection, found[1]):
        return found[0]
    key = _share_locked_data_key(pk, using)
    remember_data_key_held(key, using)
    return key


def data_key_to_write_under(pk: uuid.UUID, using: str = DEFAULT_DB_ALIAS) -> DataKey:
    """The data key to encrypt a write under, held until the end of the caller's transaction
    (data_key_held); StaleDataKey if a re-encryption replaced it meanwhile. EncryptedModel.save()
    asks it for one record; a bulk insert asks it once for all of its rows."""
    key = data_key_held(pk, using)
    if key.replaced_by_id:
        raise StaleDataKey(
            str(_("This record was re-encrypted meanwhile; reload it and try again."))
        )
    return key


def remember_data_key_held(key: DataKey, using: str = DEFAULT_DB_ALIAS) -> None:
    """Note that the current transaction holds `key`'s row (it locked or inserted it).

    Remembered with a marker among the transaction's on-commit callbacks: Django drops those
    of a savepoint rolled back (whose row locks PostgreSQL releases) and all of them at commit
    or rollback, so the note never outlives the lock. Outside a transaction nothing is held.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        return
    held = _held_data_keys(connection)

    def marker() -> None:
        held.pop(key.pk, None)

    transaction.on_commit(marker, using=using)
    held[key.pk] = (key, marker)


def _held_data_keys(connection) -> dict:
    held = connection.__dict__.setdefault("_loive_held_data_keys", {})
    if not connection.run_on_commit:  # no transaction (or a new one): nothing is held
        held.clear()
    return held


def _still_held(connection, marker) -> bool:
    return any(entry[1] is marker for entry in connection.run_on_commit)


def _share_locked_data_key(pk: uuid.UUID, using: str) -> DataKey:
    if connections[using].vendor != "postgresql":
        return DataKey.objects.using(using).get(pk=pk)
    query = "SELECT * FROM security_datakey WHERE id = %s FOR SHARE"
    found = list(DataKey.objects.raw(query, [pk]).using(using))
    if not found:
        raise DataKey.DoesNotExist(f"data key {pk} does not exist")
    return found[0]


class AuditChainHead(models.Model):
    """The chain's last sealed event; only the sealer locks it (security.audit.seal_pending)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    sequence = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.sequence}"


class AuditEvent(models.Model):
    """One entry of the append-only, hash-chained ledger (UPDATE/DELETE refused by triggers).

    Written unsealed (no sequence, no hash) by whoever records it, without any lock; the sealer
    later sets sequence, prev_hash and hash once, in commit order. Triggers allow that one
    update on an unsealed row and nothing else.

    Actors and objects are plain values, not foreign keys: the ledger must outlive deletions
    and must never hold identity data (only pseudonymous ids).
    """

    sequence = models.BigIntegerField(unique=True, null=True, blank=True)
    timestamp = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_unit_id = models.BigIntegerField(null=True, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    case_uuid = models.UUIDField(null=True, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True, default="")
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["id"]  # the order written; the chain's order is `sequence` once sealed
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["case_uuid", "id"], name="security_audit_case_id"),
            models.Index(
                fields=["id"],
                condition=models.Q(hash__isnull=True),
                name="security_audit_unsealed",
            ),
            models.Index(fields=["action", "timestamp"]),
            models.Index(fields=["actor_id", "timestamp"]),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence or '-'} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise PermissionError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Audit events are append-only.")


class ReencryptionRun(models.Model):
    """Progress of `rotate_keys --reencrypt`: keys older than started_at still need a new key."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"re-encryption started {self.started_at:%Y-%m-%d %H:%M}"


class ApiToken(AuthToken):
    """An integration account's API token (django-rest-knox), as the admin shows it: whose,
    since when, until when. Never the key, its prefix or its digest (knox's own str() is the
    digest)."""

    class Meta:
        proxy = True
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.created:%Y-%m-%d})"
