"""A WHERE condition written in SQL once and reused: for conditions built on every request
(who may see which case) whose construction and compilation through the ORM cost more than
the query they filter (issue 15)."""

import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Field, QuerySet

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


class Slot(Expression):
    """A value of a CachedRead left open when its SQL is compiled and given on each run (the
    current time, a page's cursor), prepared for the database as `output_field` prepares it.
    An `opaque` one is written as a scalar subquery, whose value PostgreSQL's planner does not
    look at: every plan of the statement is then estimated alike, and once prepared it settles
    on one generic plan instead of being planned again on every run (planning took half of the
    overdue page's time in the database, issue 15)."""

    def __init__(self, name: str, output_field: Field, *, opaque: bool = False) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.opaque = opaque

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.name!r})"

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        return ("(SELECT %s)" if self.opaque else "%s"), (self,)


class Constant(Expression):
    """A code's value (an enumeration's) written into the SQL text, not passed as a parameter:
    what a generic plan needs to prove a partial index's condition (status = 'sent')."""

    def __init__(self, value: str, output_field: Field) -> None:
        if not re.fullmatch(r"[a-z_]+", value):
            raise ValueError(f"not a code: {value!r}")
        super().__init__(output_field=output_field)
        self.value = value

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        return f"'{self.value}'", ()


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: a condition the ORM found can match nothing (EmptyResultSet)
    params: tuple  # values, and the Slots to fill in
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple, Expression], ...]  # what values() converts, by column


class CachedRead:
    """A read through values() compiled to SQL once per key and then only run: building and
    compiling a queryset with a visibility condition and a dozen columns cost twice what
    running it does (issue 15). The key must determine everything the queryset is built from
    except its Slots, whose values are given on each run: a key that left out something the
    query depends on would hand one user's rows to another. Kept per database vendor and
    alias, the most recently compiled `size` keys."""

    def __init__(self, size: int = 512) -> None:
        self.size = size
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(
        self, key: Hashable, build: Callable[[], QuerySet], slots: dict, using: str = "default"
    ) -> list[dict]:
        """The rows of `build()` (a values() queryset) for these slot values, by their names."""
        connection = connections[using]
        full_key = (using, connection.vendor, key)
        compiled = self._compiled.get(full_key)
        if compiled is None:
            compiled = self._compile(build(), connection)
            with self._lock:
                self._compiled[full_key] = compiled
                while len(self._compiled) > self.size:
                    del self._compiled[next(iter(self._compiled))]
        if compiled.sql is None:
            return []
        params = [
            p.output_field.get_db_prep_value(slots[p.name], connection)
            if isinstance(p, Slot)
            else p
            for p in compiled.params
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:  # as SQLCompiler.apply_converters, with this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, converters, expression in compiled.converters:
                    for converter in converters:
                        row[position] = converter(row[position], expression, connection)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    @staticmethod
    def _compile(queryset: QuerySet, connection: BaseDatabaseWrapper) -> _Compiled:
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        names = (*query.extra_select, *query.values_select, *query.annotation_select)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Compiled(None, (), names, ())
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        return _Compiled(sql, tuple(params), names, converters)
