"""A WHERE condition written in SQL once and reused: for conditions built on every request
(who may see which case) whose construction and compilation through the ORM cost more than
the query they filter (issue 15)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F

# Writes the condition's SQL for a database: `{name}` marks an outer column (a key of the
# condition's `columns`), `%s` a parameter.
Writer = Callable[[BaseDatabaseWrapper], str]


class CachedCondition(Expression):
    """A boolean condition whose SQL text is written once per (database vendor, shape) and
    then only filled in: the outer query's columns (resolved from it, so the condition works
    on the model itself and through joins, and is relabelled when the query becomes a
    subquery) and fresh parameters, which belong to this condition alone and are never
    cached."""

    conditional = True
    output_field = BooleanField()
    _written: dict[tuple, str] = {}

    def __init__(self, shape: tuple, write: Writer, columns: dict[str, str], params: Sequence):
        super().__init__()
        self.shape = shape
        self.write = write
        self.names = tuple(columns)
        self.columns = [F(path) for path in columns.values()]
        self.params = tuple(params)

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.shape!r})"

    def get_source_expressions(self) -> list:
        return self.columns

    def set_source_expressions(self, exprs) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        key = (connection.vendor, self.shape)
        template = self._written.get(key)
        if template is None:
            template = self._written[key] = self.write(connection)
        outer = {}
        for name, column in zip(self.names, self.columns, strict=True):
            outer[name], column_params = compiler.compile(column)
            assert not column_params  # plain columns: the parameters stay in order
        return template.format_map(outer), tuple(map(partial(_adapt, connection), self.params))


def _adapt(connection: BaseDatabaseWrapper, value):
    """A datetime as the database stores it (SQLite: naive, in the connection's time zone),
    as the ORM adapts it for a DateTimeField; other values pass as they are."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value
