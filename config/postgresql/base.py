"""The database engine `config.postgresql`: Django's PostgreSQL backend, whose SQL compilers
are those of `config.postgresql.compiler`."""

from django.db.backends.postgresql import base, operations


class DatabaseOperations(operations.DatabaseOperations):
    compiler_module = "config.postgresql.compiler"


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
