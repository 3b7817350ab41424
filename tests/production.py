"""Run a snippet under config.production, which needs real secrets and refuses to start
without them: fresh random ones, and a data directory of the test's own."""

import base64
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_env(data_dir: Path) -> dict[str, str]:
    key = lambda: base64.b64encode(secrets.token_bytes(32)).decode()  # noqa: E731
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "config.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_ALLOWED_HOSTS": "loive.example.org",
        "LOIVE_MASTER_KEY": key(),
        "LOIVE_INDEX_KEY": key(),
        "LOIVE_DATA_DIR": str(data_dir),
    }


def run_under_production(args: list[str], data_dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=production_env(data_dir),
        capture_output=True,
        text=True,
        timeout=120,
    )
