"""The database engine `config.postgresql`: Django's PostgreSQL backend, whose SQL compilers
are those of `config.postgresql.compiler`, and whose moments load in psycopg's C loader."""

import datetime
from functools import lru_cache

import psycopg
from django.db.backends.postgresql import base, operations
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format

_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
# psycopg's own loader of a timestamptz as text: its C one where psycopg[binary] is installed.
_PSYCOPG_TIMESTAMPTZ_LOADER = psycopg.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)


class UtcTimestamptzLoader(Loader):
    """A timestamptz as Django's loader gives it on a connection in UTC (USE_TZ, no TIME_ZONE
    of the database's own): aware, in datetime.timezone.utc, which is how psycopg loads it in
    a session whose TimeZone is UTC (Django sets it so). Django's loader subclasses psycopg's
    pure-Python one to set the zone, and took 3.3 µs a value, ~0.4 ms of the overdue page's
    117 moments; this one hands each value to psycopg's C loader (a C type, which cannot be
    subclassed), which loads it in a tenth of that (issue 15)."""

    timezone = datetime.UTC  # what Django's create_cursor compares its own with

    def __init__(self, oid: int, context=None) -> None:
        super().__init__(oid, context)
        self._loader = _PSYCOPG_TIMESTAMPTZ_LOADER(oid, context)

    def load(self, data) -> datetime.datetime:
        return self._loader.load(data)


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "config.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if self.timezone == datetime.UTC:  # the session's TimeZone is UTC too
            params["context"] = _loading_moments_in_c(params["context"])
        return params


@lru_cache
def _loading_moments_in_c(adapters: AdaptersMap) -> AdaptersMap:
    """Django's adapters for new connections, but for its timestamptz loader."""
    adapters = AdaptersMap(adapters)
    adapters.register_loader(_TIMESTAMPTZ, UtcTimestamptzLoader)
    return adapters
