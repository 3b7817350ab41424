"""Key rotation: re-wrapping under a new master key and re-encrypting under new data keys."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.services import transition_case
from security.crypto import DataErased, new_key
from security.fields import Sealed
from security.keys import encode_key, get_key_provider
from security.models import AuditEvent, DataKey, ReencryptionRun, StaleDataKey
from security.services import destroy_data_key, reencrypt_all, reencrypt_data_key
from tests.cast import police_held_case
from tests.security.testapp.models import Statement, Victim

pytestmark = pytest.mark.django_db

VALUES = {
    "full_name": "Lò Văn Sáng",
    "notes": "",
    "birth_date": datetime.date(2007, 1, 2),
    "profile": {"languages": ["vi"]},
}


@pytest.fixture
def victims(make_victim):
    made = [make_victim(**VALUES) for _ in range(3)]
    for victim in made:
        Statement.objects.create(victim=victim, data_key=victim.data_key, text="lời khai")
    return made


def new_master_key(settings) -> None:
    settings.LOIVE_OLD_MASTER_KEYS = [settings.LOIVE_MASTER_KEY]
    settings.LOIVE_MASTER_KEY = encode_key(new_key())


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_keys", *args, "--batch-size", "2", stdout=out, stderr=out)
    return out.getvalue()


def assert_readable(victims) -> None:
    for victim in victims:
        loaded = Victim.objects.get(pk=victim.pk)
        assert {name: getattr(loaded, name) for name in VALUES} == VALUES
        assert [s.text for s in Statement.objects.filter(victim=victim)] == ["lời khai"]


def test_rewrap_moves_every_key_to_the_new_master_key(settings, victims):
    old_keys = {victim.data_key.pk: bytes(victim.data_key.wrapped_key) for victim in victims}
    new_master_key(settings)
    output = rotate()
    assert (
        "Re-wrapped 3 data keys" in output and "Checked 15 values, 0 erased, 0 failures" in output
    )
    current = get_key_provider().current_kek_id()
    for data_key in DataKey.objects.filter(pk__in=old_keys):
        assert data_key.kek_id == current
        assert bytes(data_key.wrapped_key) != old_keys[data_key.pk]
    settings.LOIVE_OLD_MASTER_KEYS = []  # the old master key can now be retired
    assert_readable(victims)
    assert AuditEvent.objects.filter(action="key.rotate").exists()


def test_rewrap_fails_loudly_when_the_old_master_key_is_missing(settings, victims):
    settings.LOIVE_MASTER_KEY = encode_key(new_key())
    with pytest.raises(CommandError, match="failures"):
        rotate()


def test_reencrypt_gives_every_victim_a_fresh_key(settings, victims):
    before = {victim.pk: victim.data_key_id for victim in victims}
    new_master_key(settings)
    output = rotate("--reencrypt")
    assert "Re-encrypted the values of 3 victims" in output
    assert "0 failures" in output
    settings.LOIVE_OLD_MASTER_KEYS = []
    assert_readable(victims)
    for victim in Victim.objects.all():
        assert victim.data_key_id != before[victim.pk]
        assert Statement.objects.get(victim=victim).data_key_id == victim.data_key_id
        retired = DataKey.objects.get(pk=before[victim.pk])
        assert retired.replaced_by_id == victim.data_key_id and not retired.wrapped_key


def test_reencrypt_resumes_after_an_interruption(victims):
    def interrupt(message: str) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):  # the first run stops after one victim...
        reencrypt_all(batch_size=1, progress=interrupt)
    assert DataKey.objects.filter(replaced_by__isnull=False).count() == 1
    output = rotate("--reencrypt")  # ...and the second finishes the others
    assert "Re-encrypted the values of 2 victims" in output and "0 failures" in output
    assert_readable(victims)
    assert not ReencryptionRun.objects.filter(finished_at__isnull=True).exists()


def test_verification_reports_a_value_that_no_longer_decrypts(victims):
    Victim.objects.filter(pk=victims[0].pk).update(data_key=victims[1].data_key)
    with pytest.raises(CommandError, match="failures"):
        rotate()


def test_erased_victims_are_counted_not_failed(victims):
    destroy_data_key(victims[0].data_key, actor=None, reason="erasure request")
    output = rotate("--reencrypt")
    assert "Checked 10 values, 5 erased, 0 failures" in output
    with pytest.raises(DataErased):
        Victim.objects.get(pk=victims[0].pk).full_name


def test_a_stale_edit_after_reencryption_is_refused_not_lost(victims):
    stale = Victim.objects.get(pk=victims[0].pk)
    assert isinstance(stale.__dict__["notes"], Sealed)
    reencrypt_data_key(victims[0].data_key)
    stale.full_name = "changed meanwhile"
    with pytest.raises(StaleDataKey):
        stale.save()
    assert Victim.objects.get(pk=victims[0].pk).full_name == VALUES["full_name"]


def test_destroy_is_audited_with_its_reason(victims, police_unit, make_user):
    admin = make_user(None, "administrator")
    destroy_data_key(victims[0].data_key, actor=admin, reason="court-ordered erasure")
    event = AuditEvent.objects.get(action="key.destroy")
    assert event.reason == "court-ordered erasure" and event.actor_id == admin.pk
    assert event.object_id == str(victims[0].data_key_id)


def test_a_case_moves_on_after_its_key_is_reencrypted(cast):
    """The case holds no encrypted value of its own, but is under the key: it follows the key
    with its records, or none of its changes could be saved again (StaleDataKey)."""
    case = police_held_case()
    new = reencrypt_data_key(case.data_key)
    case.refresh_from_db()
    assert case.data_key_id == new.pk
    moved = transition_case(cast.supervisor, case, "close", closure_reason="declined_support")
    assert moved.state_changes.get().data_key_id == new.pk
