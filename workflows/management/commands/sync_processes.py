"""Bring the processes of the cases opened or moved since the last run in line with their stage
(what Celery beat does every LOIVE_PROCESS_SYNC_SECONDS); `--every N` repeats it every N
seconds until stopped (SIGTERM or Ctrl-C), as the benchmark's stand-in for the worker."""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from workflows.services import sync_pending_processes


class Command(BaseCommand):
    help = "Start or move on the processes of the cases waiting for the process dispatcher."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--every", type=float, help="repeat every this many seconds")

    def handle(self, *args, **options) -> None:
        every = options["every"]
        if not every:
            synced = sync_pending_processes()
            self.stdout.write(self.style.SUCCESS(f"Synced {synced} case processes."))
            return
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        try:
            while not stopped.is_set():
                close_old_connections()
                sync_pending_processes()
                stopped.wait(every)
        except KeyboardInterrupt:
            pass
