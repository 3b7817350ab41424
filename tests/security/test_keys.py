"""Key-encryption keys: wrapping, rotation sets, the development key file, production refusal."""

import json
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from security.crypto import DecryptionError, KeyUnavailable, new_key
from security.keys import (
    EnvironmentKeyProvider,
    encode_key,
    get_key_provider,
    index_root_key,
    kek_id_for,
)


def test_wrap_unwrap_round_trip():
    provider = get_key_provider()
    dek = new_key()
    kek_id, blob = provider.wrap(dek)
    assert kek_id == provider.current_kek_id()
    assert dek not in blob
    assert provider.unwrap(kek_id, blob) == dek


def test_unwrap_refuses_a_tampered_blob_or_another_kek_id(settings):
    provider = get_key_provider()
    kek_id, blob = provider.wrap(new_key())
    tampered = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptionError):
        provider.unwrap(kek_id, tampered)
    with pytest.raises(KeyUnavailable):
        provider.unwrap("0123456789abcdef", blob)


def test_old_master_keys_still_unwrap_after_rotation(settings):
    old = settings.LOIVE_MASTER_KEY
    kek_id, blob = get_key_provider().wrap(b"k" * 32)
    settings.LOIVE_MASTER_KEY = encode_key(new_key())
    with pytest.raises(KeyUnavailable):
        get_key_provider().unwrap(kek_id, blob)
    settings.LOIVE_OLD_MASTER_KEYS = old  # the environment form: comma-separated text
    assert get_key_provider().unwrap(kek_id, blob) == b"k" * 32
    assert get_key_provider().current_kek_id() != kek_id


def test_key_id_is_a_short_hash_not_the_key():
    key = new_key()
    assert len(kek_id_for(key)) == 16
    assert kek_id_for(key) not in encode_key(key)


def test_development_key_file_is_created_once_with_mode_0600(settings, tmp_path):
    settings.LOIVE_MASTER_KEY = ""
    settings.LOIVE_INDEX_KEY = ""
    settings.LOIVE_KEY_FILE = tmp_path / "dev-master-key.json"
    first = EnvironmentKeyProvider().current_kek_id()
    assert stat.S_IMODE(settings.LOIVE_KEY_FILE.stat().st_mode) == 0o600
    assert EnvironmentKeyProvider().current_kek_id() == first
    assert set(json.loads(settings.LOIVE_KEY_FILE.read_text())) >= {"master_key", "index_key"}
    assert len(index_root_key()) == 32


def test_production_refuses_to_run_without_keys(settings, tmp_path):
    settings.LOIVE_REQUIRE_MASTER_KEY = True
    settings.LOIVE_KEY_FILE = tmp_path / "never-created.json"
    settings.LOIVE_MASTER_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="LOIVE_MASTER_KEY"):
        get_key_provider()
    settings.LOIVE_INDEX_KEY = ""
    with pytest.raises(ImproperlyConfigured, match="LOIVE_INDEX_KEY"):
        index_root_key()
    assert not settings.LOIVE_KEY_FILE.exists()


@pytest.mark.parametrize("value", ["not base64!", encode_key(b"short")])
def test_malformed_master_key_is_refused_without_echoing_it(settings, value):
    settings.LOIVE_MASTER_KEY = value
    with pytest.raises(ImproperlyConfigured) as caught:
        get_key_provider()
    assert value not in str(caught.value)


@pytest.mark.parametrize("how", ["reset_key_caches", "setting_changed"])
def test_changing_keys_forgets_the_cached_data_keys(settings, how):
    """keys sits below keyring, so it cannot call keyring: keyring listens for the reset."""
    import uuid

    from security import keyring
    from security.keys import reset_key_caches

    data_key_id = uuid.uuid4()
    keyring.remember(data_key_id, b"wrapped", new_key())
    assert data_key_id in keyring._cache
    if how == "reset_key_caches":
        reset_key_caches()
    else:
        settings.LOIVE_MASTER_KEY = encode_key(new_key())
    assert data_key_id not in keyring._cache
