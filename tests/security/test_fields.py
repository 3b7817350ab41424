"""Encrypted fields: round trips, binding to row and field, failing closed, never leaking."""

import datetime

import pytest
from django.core.exceptions import FieldError
from django.db import connection

from security.crypto import DataErased, DecryptionError
from security.fields import Sealed
from security.keys import encode_key
from security.services import create_data_key, destroy_data_key
from tests.security.testapp.models import Statement, Victim

SECRET_NAME = "Nguyễn Thị Lan"


def raw_column(model, field: str, pk: int) -> bytes:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {field} FROM {model._meta.db_table} WHERE id = %s", [pk])
        return bytes(cursor.fetchone()[0])


def write_raw(model, field: str, pk: int, value: bytes) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {model._meta.db_table} SET {field} = %s WHERE id = %s", [value, pk])


def reload(victim: Victim) -> Victim:
    return Victim.objects.get(pk=victim.pk)


def test_round_trip_of_every_field_type(make_victim):
    profile = {"languages": ["vi", "hmn"], "minor": True, "note": "Lào Cai"}
    victim = make_victim(notes="", birth_date=datetime.date(2008, 2, 29), profile=profile)
    loaded = reload(victim)
    assert loaded.full_name == SECRET_NAME
    assert loaded.notes == ""
    assert loaded.birth_date == datetime.date(2008, 2, 29)
    assert loaded.profile == profile


def test_none_stays_null_and_empty_string_is_encrypted(make_victim):
    victim = make_victim(notes="", birth_date=None, profile=None)
    assert Victim.objects.filter(pk=victim.pk, birth_date__isnull=True).exists()
    assert len(raw_column(Victim, "notes", victim.pk)) > 17
    assert reload(victim).profile is None


def test_stored_value_is_versioned_ciphertext_not_plaintext(make_victim):
    victim = make_victim()
    stored = raw_column(Victim, "full_name", victim.pk)
    assert stored[0] == 1
    assert stored[1:17] == victim.data_key.pk.bytes
    assert SECRET_NAME.encode() not in stored
    assert stored != raw_column(Victim, "full_name", make_victim().pk)  # random nonce


def test_values_stay_sealed_until_read(make_victim):
    victim = reload(make_victim())
    assert isinstance(victim.__dict__["full_name"], Sealed)
    assert repr(victim.__dict__["full_name"]) == "<encrypted>"
    assert victim.full_name == SECRET_NAME
    victim.refresh_from_db()
    assert isinstance(victim.__dict__["full_name"], Sealed)


def test_saving_without_reading_keeps_values(make_victim):
    victim = reload(make_victim(notes="statement"))
    victim.phone_index = "x"
    victim.save()
    assert reload(victim).notes == "statement"


def test_deferred_fields_decrypt_when_read(make_victim):
    victim = make_victim()
    assert Victim.objects.only("id").get(pk=victim.pk).full_name == SECRET_NAME


def test_ciphertext_copied_to_another_row_fails_loudly(make_victim):
    source, target = make_victim(), make_victim(full_name="Trần Văn Hùng")
    # Same victim's key on both rows: only the row binding can stop the copy.
    Victim.objects.filter(pk=target.pk).update(data_key=source.data_key)
    write_raw(Victim, "full_name", target.pk, raw_column(Victim, "full_name", source.pk))
    with pytest.raises(DecryptionError, match="authentication failed"):
        reload(target).full_name


def test_ciphertext_copied_to_another_field_fails_loudly(make_victim):
    victim = make_victim(notes="private")
    write_raw(Victim, "notes", victim.pk, raw_column(Victim, "full_name", victim.pk))
    with pytest.raises(DecryptionError):
        reload(victim).notes


def test_ciphertext_copied_to_another_model_fails_loudly(make_victim):
    victim = make_victim()
    statement = Statement.objects.create(victim=victim, data_key=victim.data_key, text="x")
    write_raw(Statement, "text", statement.pk, raw_column(Victim, "notes", victim.pk))
    write_raw(Victim, "notes", victim.pk, raw_column(Statement, "text", statement.pk))
    with pytest.raises(DecryptionError):
        Statement.objects.get(pk=statement.pk).text


def test_wrong_key_fails_loudly(make_victim, settings):
    victim = make_victim()
    other = create_data_key()
    Victim.objects.filter(pk=victim.pk).update(data_key=other)
    with pytest.raises(DecryptionError, match="another data key"):
        reload(victim).full_name


def test_wrong_master_key_fails_loudly(make_victim, settings):
    from security.crypto import new_key
    from security.keys import reset_key_caches

    victim = make_victim()
    settings.LOIVE_MASTER_KEY = encode_key(new_key())
    reset_key_caches()
    with pytest.raises(DecryptionError, match="not configured"):
        reload(victim).full_name


def test_tampered_ciphertext_fails_and_the_error_leaks_nothing(make_victim):
    victim = make_victim()
    stored = raw_column(Victim, "full_name", victim.pk)
    write_raw(Victim, "full_name", victim.pk, stored[:-1] + bytes([stored[-1] ^ 1]))
    with pytest.raises(DecryptionError) as caught:
        reload(victim).full_name
    message = str(caught.value) + repr(caught.value)
    assert SECRET_NAME not in message and "Nguy" not in message
    assert stored.hex()[40:] not in message and str(stored) not in message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_malformed_value_fails_closed(make_victim):
    victim = make_victim()
    write_raw(Victim, "full_name", victim.pk, SECRET_NAME.encode())
    with pytest.raises(DecryptionError) as caught:
        reload(victim).full_name
    assert SECRET_NAME not in str(caught.value)


def test_a_value_that_no_longer_fits_its_field_type_fails_closed(make_victim):
    victim = make_victim()
    field = Victim._meta.get_field("birth_date")
    write_raw(Victim, "birth_date", victim.pk, field._encrypt(victim, SECRET_NAME.encode()))
    with pytest.raises(DecryptionError, match="does not fit") as caught:
        reload(victim).birth_date
    assert SECRET_NAME not in str(caught.value) and caught.value.__context__ is None


def test_destroyed_key_raises_data_erased(make_victim, django_user_model):
    victim = make_victim(notes="statement")
    destroy_data_key(victim.data_key, actor=None, reason="erasure request 2026-04")
    loaded = reload(victim)
    for name in ("full_name", "notes"):
        with pytest.raises(DataErased):
            getattr(loaded, name)
    loaded.refresh_from_db()  # reloading an erased record is not an error; reading is
    loaded.phone_index = "still-saveable"
    loaded.save()


def test_lookups_on_encrypted_fields_are_refused(make_victim):
    make_victim()
    with pytest.raises(FieldError, match="blind index"):
        Victim.objects.filter(full_name=SECRET_NAME).exists()
    with pytest.raises(FieldError, match="blind index"):
        Victim.objects.filter(full_name__icontains="Lan").exists()
    assert Victim.objects.filter(profile__isnull=True).count() == 1


def test_queryset_update_cannot_write_plaintext(make_victim):
    victim = make_victim()
    with pytest.raises(FieldError, match="encrypted"):
        Victim.objects.filter(pk=victim.pk).update(full_name="plain")
    with pytest.raises(FieldError, match="encrypted"):
        Victim.objects.filter(pk=victim.pk).update(full_name=b"raw bytes")


def test_values_queries_never_return_plaintext_or_ciphertext(make_victim):
    make_victim()
    value = Victim.objects.values_list("full_name", flat=True).get()
    assert isinstance(value, Sealed)
    assert SECRET_NAME not in str(value)


def test_encrypted_values_are_not_serialised(make_victim):
    from django.core import serializers

    with pytest.raises(FieldError, match="never serialised"):
        serializers.serialize("json", [make_victim()])


def test_model_form_round_trip(make_victim):
    from django import forms

    class VictimForm(forms.ModelForm):
        class Meta:
            model = Victim
            fields = ["full_name", "birth_date", "profile", "notes"]

    form = VictimForm(
        data={"full_name": "A", "birth_date": "2001-05-06", "profile": '{"a": 1}', "notes": ""},
        instance=Victim(data_key=create_data_key()),
    )
    assert form.is_valid(), form.errors
    victim = form.save()
    assert reload(victim).birth_date == datetime.date(2001, 5, 6)
    assert VictimForm(instance=reload(victim)).initial["profile"] == {"a": 1}
