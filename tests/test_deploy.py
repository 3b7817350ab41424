"""The production topology's own files load: the gunicorn configuration and the WSGI app."""

import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_gunicorn_configuration_and_app_load():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--check-config",
            "-c",
            "deploy/gunicorn.conf.py",
            "config.wsgi",
        ],
        cwd=Path(settings.BASE_DIR),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
