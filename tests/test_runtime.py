"""The web process's garbage collector (config/runtime.py, issue 15): every view loaded, then
frozen out of collections; the youngest generation collected a request's worth at a time; an
API page freed by reference counting once written, not left for a collection."""

import os
import subprocess
import sys
import weakref

import pytest
from django.conf import settings

from config.runtime import YOUNGEST_GENERATION_THRESHOLD
from tests.cast import api, open_case, serve, without_collections


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


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["cases/", "cases/{case}/status/"])
def test_an_api_response_is_freed_once_served_without_a_collection(cast, page):
    """DRF ties a response to itself and its view, and the view to its request:
    ReleaseResponseMiddleware cuts the ties once the response is written."""
    client = api(cast.police)
    path = "/api/v1/" + page.format(case=open_case(client)["id"])
    with without_collections():
        served = weakref.ref(serve(client, path))
        assert served() is None
