"""The web process's garbage collector (config/runtime.py, issue 15): every view loaded, then
frozen out of collections; the youngest generation collected a request's worth at a time."""

import os
import subprocess
import sys

from django.conf import settings

from config.runtime import YOUNGEST_GENERATION_THRESHOLD


def _web_process_state() -> list[str]:
    """What a fresh process that loads the WSGI application, as gunicorn does, reports."""
    code = (
        "import gc, sys; import config.wsgi; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], 'cases.api' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1].split()


def test_the_web_process_loads_its_views_then_freezes_them_out_of_collections():
    frozen, threshold, views_loaded = _web_process_state()
    assert views_loaded == "True"  # imported before the freeze, not by the first request
    assert int(frozen) > 50_000  # the loaded project, never visited by a collection again
    assert int(threshold) == YOUNGEST_GENERATION_THRESHOLD
