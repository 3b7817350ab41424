"""Volume for the benchmarks: the demo story's cases copied N times inside the database.

Each copy of a case gets its persons, holdings, intakes, state changes, records, consents and
referrals, with ids shifted by a multiple of the table's largest id (so references between
the copied rows stay consistent), fresh uuids and a suffixed case number. The copies of a
case are spread evenly back in time from it to the day its rulebook came into force, every
timestamp of a copy shifted alike: a unit's cases are spread through the lists as in life
(copies at the same instants put thousands of copies of the newest case first in every list,
and a unit's first page behind tens of thousands of others'), and every copy stays under the
rulebook it names.

Tables without encrypted columns are copied by one INSERT … SELECT each. Rows with encrypted
columns are built in Python from the originals' decrypted values and written with COPY
(executemany on SQLite), each value encrypted for its own row as EncryptedField does (the
row's uuid is bound into the ciphertext): a copy decrypts like an original. A copy keeps the
data key of its original (one key per story, not per copy: the benchmark never erases).
Persons are topped up to `persons_per_case` per case with relatives whose names, phones and
ID numbers are new, their blind indexes computed as the services compute them, so that a
phone lookup among a million persons finds the one case it should.
"""

import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime, time, timedelta
from functools import lru_cache
from itertools import islice
from types import SimpleNamespace

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import DatabaseError, connection
from django.db.models import DateTimeField, Max, Model

from cases.models import (
    Case,
    CaseHolding,
    Consent,
    Identification,
    Intake,
    Person,
    PersonRole,
    Rescue,
    StateChange,
    SupportService,
    Verification,
)
from places.models import VIETNAM_TZ
from referrals.models import Referral
from rulebooks.models import Rulebook
from security import blind_index
from security.blind_index import id_number_index, name_birth_year_index, phone_index
from security.crypto import NONCE_BYTES, make_header
from security.fields import EncryptedField, encrypted_fields
from security.keyring import unwrap_data_key
from security.models import DataKey

# Model → its foreign keys to copied tables (their ids are shifted with the copy).
COPIED: list[tuple[type[Model], dict[str, type[Model]]]] = [
    (Case, {"duplicate_of_id": Case}),
    (Person, {"case_id": Case}),
    (CaseHolding, {"case_id": Case}),
    (Intake, {"case_id": Case}),
    (StateChange, {"case_id": Case}),
    (Verification, {"case_id": Case}),
    (Identification, {"case_id": Case}),
    (Rescue, {"case_id": Case}),
    (SupportService, {"case_id": Case}),
    (Consent, {"case_id": Case}),
    (Referral, {"case_id": Case, "holding_id": CaseHolding, "consent_id": Consent}),
]
BATCH = 2_000  # rows per executemany (SQLite)


def _timestamp_shift(column: str) -> str:
    """SQL for the column's timestamp moved back by n × the case's step (k.step seconds)."""
    if connection.vendor == "postgresql":
        return f"t.\"{column}\" - s.n * k.step * interval '1 second'"
    return (
        f"CASE WHEN t.\"{column}\" IS NULL THEN NULL ELSE strftime('%Y-%m-%d %H:%M:%f', "
        f"t.\"{column}\", '-' || (s.n * k.step) || ' seconds') END"
    )


def _random_uuid() -> str:
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def _expression(model: type[Model], column: str, shifts: dict[str, int]) -> str:
    if column == "id":
        return f"t.id + s.n * {shifts[model._meta.db_table]}"
    if column == "uuid":
        return _random_uuid()
    if model is Case and column == "number":
        return "t.number || '-' || s.n"
    if isinstance(model._meta.get_field(_field_name(model, column)), DateTimeField):
        return _timestamp_shift(column)
    return f't."{column}"'


def _field_name(model: type[Model], column: str) -> str:
    return next(f.name for f in model._meta.concrete_fields if f.column == column)


def _copy_in_sql(model: type[Model], references: dict, copies: int, shifts: dict, steps: dict):
    """Copies of a table without encrypted columns: one INSERT … SELECT."""
    table = model._meta.db_table
    columns = [field.column for field in model._meta.concrete_fields]
    values = []
    for column in columns:
        target = references.get(column)
        shift = shifts[target._meta.db_table] if target else 0
        values.append(
            f"t.{column} + s.n * {shift}" if target else _expression(model, column, shifts)
        )
    quoted = ", ".join(f'"{column}"' for column in columns)
    sql = (
        "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %s) "
        f'INSERT INTO "{table}" ({quoted}) SELECT {", ".join(values)} '  # noqa: S608
        f'FROM "{table}" t JOIN ({_steps_table(steps)}) k '
        f"ON k.case_id = t.{'id' if model is Case else 'case_id'}, s WHERE t.id <= %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [copies, shifts[table]])


def _originals(model: type[Model], last_id: int) -> list[tuple[Model, dict]]:
    """The original rows with their encrypted values decrypted (by reading them)."""
    fields = encrypted_fields(model)
    rows = model.objects.filter(pk__lte=last_id).select_related("data_key").order_by("pk")
    return [(row, {f.attname: getattr(row, f.attname) for f in fields}) for row in rows]


class _Sealer:
    """Encrypts a value for one row as EncryptedField.pre_save does (the field's own
    serialisation, header and associated data binding model, row uuid and field), with one
    AES-GCM object per data key instead of one per value."""

    def __init__(self) -> None:
        self.aeads: dict[uuid.UUID, tuple[AESGCM, bytes]] = {}

    def seal(self, field: EncryptedField, row_uuid: uuid.UUID, data_key: DataKey, value):
        if value is None:
            return None
        if data_key.pk not in self.aeads:
            aead = AESGCM(unwrap_data_key(data_key))
            self.aeads[data_key.pk] = (aead, make_header(data_key.pk))
        aead, header = self.aeads[data_key.pk]
        associated = field._associated_data(SimpleNamespace(uuid=row_uuid), header)
        nonce = os.urandom(NONCE_BYTES)
        plaintext = field.serialise(field.to_python(value))
        return header + nonce + aead.encrypt(nonce, plaintext, associated)


def _identity(serial: int, plaintexts: dict) -> dict:
    """A person of their own: name, phone and ID number new (the blind indexes computed as
    the services compute them), so that a lookup finds the one case they are in."""
    name = f"{plaintexts.get('full_name') or 'Người'} {serial}"
    phone = f"09{serial % 100_000_000:08d}" if plaintexts.get("phone") else ""
    id_number = f"{serial:012d}" if plaintexts.get("id_number") else ""
    year = str(plaintexts.get("birth_year") or "")
    return {
        "full_name": name,
        "phone": phone,
        "id_number": id_number,
        "phone_index": phone_index(phone) or "",
        "id_number_index": id_number_index(id_number) or "",
        "name_year_index": (name_birth_year_index(name, year) if len(year) == 4 else "") or "",
    }


_UUIDS = ("uuid", "data_key_id")


class _Rows:
    """Rows of one model as tuples of database values, in the order of its columns."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model
        self.fields = model._meta.concrete_fields
        self.encrypted = {f.attname: f for f in encrypted_fields(model)}
        self.sealer = _Sealer()

    def prepared(self, instance: Model) -> dict:
        """The database values of an instance's plain columns."""
        return {
            f.attname: f.get_db_prep_save(getattr(instance, f.attname), connection)
            for f in self.fields
            if f.attname not in self.encrypted
        }

    def row(self, plain: dict, plaintexts: dict, data_key: DataKey) -> tuple:
        """`plain` as prepared, except uuid and data_key_id given as UUIDs (prepared here:
        the ciphertexts bind the row's uuid itself)."""
        row_uuid = plain["uuid"]
        return tuple(
            self.sealer.seal(self.encrypted[f.attname], row_uuid, data_key, plaintexts[f.attname])
            if f.attname in self.encrypted
            else f.get_db_prep_save(plain[f.attname], connection)
            if f.attname in _UUIDS
            else plain[f.attname]
            for f in self.fields
        )

    def write(self, rows: Iterable[tuple]) -> int:
        """COPY on PostgreSQL, batched executemany elsewhere."""
        table = self.model._meta.db_table
        columns = ", ".join(f'"{f.column}"' for f in self.fields)
        done = 0
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            copying = f'COPY "{table}" ({columns}) FROM STDIN'  # noqa: S608
            with connection.connection.cursor() as cursor, cursor.copy(copying) as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
            return done
        marks = ", ".join(["%s"] * len(self.fields))
        rows = iter(rows)
        with connection.cursor() as cursor:
            while batch := list(islice(rows, BATCH)):
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', batch)  # noqa: S608
                done += len(batch)
        return done


def _copies(model: type[Model], references: dict, copies: int, shifts: dict, steps: dict) -> int:
    """Each original row, copy after copy, its encrypted values encrypted for the copy."""
    rows = _Rows(model)
    originals = [
        (row, rows.prepared(row), plain)
        for row, plain in _originals(model, shifts[model._meta.db_table])
    ]
    stamps = [f for f in rows.fields if isinstance(f, DateTimeField)]

    def generate() -> Iterator[tuple]:
        for n in range(1, copies + 1):
            for original, prepared, plaintexts in originals:
                back = timedelta(
                    seconds=n * steps[original.pk if model is Case else original.case_id]
                )
                plain = {**prepared, "id": original.pk + n * shifts[model._meta.db_table]}
                plain["uuid"] = uuid.uuid4()
                for field in stamps:
                    if (stamp := getattr(original, field.attname)) is not None:
                        plain[field.attname] = field.get_db_prep_save(stamp - back, connection)
                for column, target in references.items():
                    if plain.get(column) is not None:
                        plain[column] += n * shifts[target._meta.db_table]
                if model is Intake:
                    plain["idempotency_key"] = ""
                texts = plaintexts
                if model is Person:
                    identity = _identity(plain["id"], plaintexts)
                    texts = {**plaintexts, **identity}
                    plain.update((k, v) for k, v in identity.items() if k in plain)
                yield rows.row(plain, texts, original.data_key)

    return rows.write(generate())


def _relatives(per_case: int, first_id: int) -> int:
    """Relatives added to every case (copies and originals) until it has per_case persons,
    each with a name, phone and ID number of their own, under the case's data key."""
    keys = {key.pk: key for key in DataKey.objects.filter(pk__in=Case.objects.values("data_key"))}
    counts: dict[int, int] = {}
    for case_id in Person.objects.values_list("case_id", flat=True).iterator():
        counts[case_id] = counts.get(case_id, 0) + 1
    rows = _Rows(Person)
    template = Person(role=PersonRole.RELATIVE, relationship="relative")
    prepared = rows.prepared(template)
    texts = {attname: getattr(template, attname) for attname in rows.encrypted}

    # Read before the COPY starts: the connection serves nothing else meanwhile.
    cases = list(Case.objects.order_by("pk").values_list("pk", "data_key_id"))

    def generate() -> Iterator[tuple]:
        serial = first_id
        for case_id, data_key_id in cases:
            for _ in range(per_case - counts.get(case_id, 0)):
                plaintexts = {
                    **texts,
                    "full_name": "Người Thân",
                    "birth_year": str(1950 + serial % 60),
                    "phone": "0",
                    "id_number": "0",
                }
                identity = _identity(serial, plaintexts)
                plain = {**prepared, "id": serial, "uuid": uuid.uuid4(), "case_id": case_id}
                plain["data_key_id"] = data_key_id
                plain.update((k, v) for k, v in identity.items() if k in plain)
                yield rows.row(plain, {**plaintexts, **identity}, keys[data_key_id])
                serial += 1

    return rows.write(generate())


def _more_referrals(per_case: float, first_id: int) -> int:
    """Earlier handoffs, completed, added to every case that has a referral until such cases
    have `per_case` on average: each a copy of the case's first referral sent hours before
    it, accepted the next day and completed ten days later, its encrypted values encrypted
    for its own row."""
    rows = _Rows(Referral)
    firsts = {}
    for referral in Referral.objects.select_related("data_key").order_by("-pk").iterator():
        firsts[referral.case_id] = referral  # the case's first (lowest id) wins
    have: dict[int, int] = {}
    for case_id in Referral.objects.values_list("case_id", flat=True).iterator():
        have[case_id] = have.get(case_id, 0) + 1
    templates = [
        (referral, rows.prepared(referral), {a: getattr(referral, a) for a in rows.encrypted})
        for referral in firsts.values()
    ]
    stamps = {f.attname: f for f in rows.fields if isinstance(f, DateTimeField)}

    def at(value):
        return stamps["sent_at"].get_db_prep_save(value, connection)

    def generate() -> Iterator[tuple]:
        serial = first_id
        for referral, prepared, plaintexts in templates:
            case_id = referral.case_id
            wanted = int((case_id + 1) * per_case) - int(case_id * per_case)
            for k in range(1, wanted - have[case_id] + 1):
                sent = referral.sent_at - timedelta(hours=2 * k)
                plain = {
                    **prepared,
                    "id": serial,
                    "uuid": uuid.uuid4(),
                    "status": "completed",
                    "sent_at": at(sent),
                    "due_at": at(referral.due_at - timedelta(hours=2 * k)),
                    "accepted_at": at(sent + timedelta(days=1)),
                    "accepted_by_id": referral.sent_by_id,
                    "completed_at": at(sent + timedelta(days=10)),
                    "completed_by_id": referral.sent_by_id,
                    "rejected_at": None,
                    "rejected_by_id": None,
                    "withdrawn_at": None,
                    "withdrawn_by_id": None,
                    "overdue_at": None,
                    "holding_id": None,
                }
                yield rows.row(plain, {**plaintexts, "reason": None}, referral.data_key)
                serial += 1

    return rows.write(generate())


@contextmanager
def _index_keys_derived_once():
    """The blind indexes' purpose keys derived once for the seeding, not once per value
    (the same keys: HKDF of the same root key)."""
    derive = blind_index.purpose_key
    blind_index.purpose_key = lru_cache(maxsize=None)(derive)
    try:
        yield
    finally:
        blind_index.purpose_key = derive


def _steps(copies: int) -> dict[int, int]:
    """Seconds between two copies of each original case: its copies spread evenly back from
    it to the day its rulebook came into force (or the story's first case), so that every
    copy stays under the rulebook it names."""
    starts = {
        code: datetime.combine(day, time(), tzinfo=VIETNAM_TZ) + timedelta(days=1)
        for code, day in Rulebook.objects.values_list("code", "effective_from")
    }
    cases = Case.objects.values_list("pk", "rulebook", "received_at")
    first = min((received for _pk, _code, received in cases), default=None)
    return {
        pk: max(int((received - max(starts.get(code, first), first)).total_seconds()), 0)
        // max(copies, 1)
        for pk, code, received in cases
    }


def _steps_table(steps: dict[int, int]) -> str:
    """The steps as a derived table (case_id, step) for INSERT … SELECT (both engines)."""
    return " UNION ALL ".join(
        f"SELECT {int(pk)} AS case_id, {int(step)} AS step" for pk, step in steps.items()
    )


def multiply(
    copies: int, persons_per_case: int = 1, referrals_per_case: float = 0
) -> dict[str, int]:
    """Copy every case of the database `copies` times, then top persons up to
    `persons_per_case` per case and the referrals of cases that have some up to
    `referrals_per_case` on average; returns the row count per table."""
    shifts = {}
    for model, _references in COPIED:
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')  # noqa: S608
            shifts[table] = cursor.fetchone()[0]
    steps = _steps(copies)
    with _index_keys_derived_once():
        for model, references in COPIED:
            if encrypted_fields(model):
                _copies(model, references, copies, shifts, steps)
            else:
                _copy_in_sql(model, references, copies, shifts, steps)
        if persons_per_case > 1:
            _relatives(
                persons_per_case, (Person.objects.aggregate(last=Max("pk"))["last"] or 0) + 1
            )
    if referrals_per_case:
        last = Referral.objects.aggregate(last=Max("pk"))["last"] or 0
        _more_referrals(referrals_per_case, last + 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model, _references in COPIED:
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), MAX(id)) "  # noqa: S608
                    f'FROM "{table}"'
                )
    return analyze()


def analyze() -> dict[str, int]:
    """VACUUM ANALYZE every table (the planner's statistics and the visibility map that lets
    an index-only scan skip the table: autovacuum may be off, issue 15), then CHECKPOINT;
    returns the row count per copied table.

    The seed writes gigabytes of write-ahead log, which called for a checkpoint during the
    timed write loads that came minutes later (pg_stat_bgwriter: one requested during the
    16-client loads), and the loads shared the machine with its writes by chance of timing.
    A role that may not checkpoint (PostgreSQL's pg_checkpoint) leaves it to chance."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and connection.get_autocommit():
            cursor.execute("VACUUM ANALYZE")
            with suppress(DatabaseError):
                cursor.execute("CHECKPOINT")
        else:
            cursor.execute("ANALYZE")
    return {model._meta.db_table: model.objects.count() for model, _references in COPIED}
