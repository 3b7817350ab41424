"""Django's PostgreSQL SQL compilers, with a few rows inserted as VALUES.

Django inserts two rows or more as `SELECT * FROM UNNEST(%s::type[], ...)`: one array per
column, so that the statement has as many parameters whatever the number of rows, which
saves planning it. Here statements are prepared and their plans kept (settings:
server-side binding), so that saving is already made, and what remains is the client's cost
of sending arrays: psycopg inspects and dumps every column's list in Python, most of the
parameter encoding of an intake, whose people and audit events are two-row inserts (issue
15: 9% of an intake's CPU in the web server). A few rows go as VALUES; a large batch (a
process start for a hundred cases, a seed) keeps UNNEST.
"""

from django.db.backends.postgresql.compiler import (
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.backends.postgresql.compiler import SQLInsertCompiler as _UnnestInsertCompiler
from django.db.models.sql.compiler import SQLInsertCompiler as _ValuesInsertCompiler

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]

# Up to this many rows, an insert's parameters are its values, not one array per column.
VALUES_UP_TO = 10


class SQLInsertCompiler(_UnnestInsertCompiler):
    def assemble_as_sql(self, fields, value_rows):
        if len(value_rows) <= VALUES_UP_TO:
            return _ValuesInsertCompiler.assemble_as_sql(self, fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)
