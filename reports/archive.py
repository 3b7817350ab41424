"""Case-level files leave only in an AES-256 encrypted ZIP archive (WinZip AES, pyzipper),
which 7-Zip, WinRAR and macOS's Archive Utility open with the password.

The password is drawn here, given once to the requester and never stored or logged. A
background export carries it to the worker sealed (AES-256-GCM under a key derived from the
system's root key, bound to the job), so the broker never holds it in clear.
"""

import base64
import io
import secrets
import uuid

import pyzipper

from security.blind_index import purpose_key
from security.crypto import open_sealed, seal

PASSWORD_BYTES = 18  # 144 random bits, 24 characters
SEALING_PURPOSE = "export-archive-password"


def new_password() -> str:
    return secrets.token_urlsafe(PASSWORD_BYTES)


def encrypted_archive(files: dict[str, bytes], password: str) -> bytes:
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(password.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def seal_password(job: uuid.UUID, password: str) -> str:
    sealed = seal(purpose_key(SEALING_PURPOSE), password.encode(), job.bytes)
    return base64.b64encode(sealed).decode()


def open_password(job: uuid.UUID, sealed: str) -> str:
    return open_sealed(purpose_key(SEALING_PURPOSE), base64.b64decode(sealed), job.bytes).decode()
