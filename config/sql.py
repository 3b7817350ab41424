"""A WHERE condition written in SQL once and reused: for conditions built on every request
(who may see which case) whose construction and compilation through the ORM cost more than
the query they filter (issue 15)."""

from collections.abc import Callable, Sequence
from datetime import datetime
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Model, Q, QuerySet

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

    def with_params(self, params: Sequence) -> "CachedCondition":
        """The same condition on other parameters."""
        condition = self.copy()
        condition.params = tuple(params)
        return condition

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


class _Slot:
    """A parameter's place in SQL compiled once (CompiledRead), told apart by its index."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


class CompiledRead:
    """A read (a values_list) whose parameters all come from the CachedConditions it is
    given, compiled by the ORM once per database and shape of its conditions, then run with
    each call's parameters: building and compiling a small read through the ORM cost several
    times what the database takes to answer it (issue 15). A condition given as a Q of one
    CachedCondition is that condition; any other Q is itself part of the shape and may bring
    no parameter (compiling refuses one)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet]) -> None:
        self._model = model
        self._build = build
        # (database, shape) -> (query, SQL, parameter of each placeholder, selected columns),
        # or None when no row can match. Nothing of a connection: each thread runs it on its own.
        self._compiled: dict[tuple, tuple | None] = {}

    def rows(self, *conditions: Q | CachedCondition) -> list[tuple]:
        database = self._model._default_manager.db
        connection = connections[database]
        cached = [_cached_in(condition) for condition in conditions]
        key = (database, *(_shape(c) if c else q for c, q in zip(cached, conditions, strict=True)))
        if key not in self._compiled:
            self._compiled[key] = self._compile(connection, conditions, cached)
        if self._compiled[key] is None:  # no row can match (the ORM would not ask either)
            return []
        query, sql, slots, columns = self._compiled[key]
        values = [_adapt(connection, value) for c in cached if c for value in c.params]
        with connection.cursor() as cursor:
            cursor.execute(sql, [values[slot] for slot in slots])
            rows = cursor.fetchall()
        # The database's values converted as the ORM converts them (SQLite's datetimes...).
        compiler = query.get_compiler(connection=connection)
        if converters := compiler.get_converters(columns):
            return [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def _compile(self, connection: BaseDatabaseWrapper, conditions, cached) -> tuple | None:
        """The read built on its conditions with a slot in place of each parameter, compiled,
        and which parameter goes in each of the SQL's placeholders."""
        given, slots = [], 0
        for condition, c in zip(conditions, cached, strict=True):
            if c is None:
                given.append(condition)
                continue
            given.append(c.with_params([_Slot(slots + i) for i in range(len(c.params))]))
            slots += len(c.params)
        query = self._build(*given).query
        compiler = query.get_compiler(connection=connection)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        if not all(isinstance(param, _Slot) for param in params):
            raise TypeError(f"A parameter outside the read's CachedConditions: {params!r}")
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        return query, sql, [param.index for param in params], columns


def _shape(condition: CachedCondition) -> tuple:
    """What a condition's SQL depends on: its shape and the outer columns it reads."""
    return condition.shape, tuple(condition.columns)


def _cached_in(condition: Q | CachedCondition) -> CachedCondition | None:
    if isinstance(condition, Q) and len(condition) == 1 and not condition.negated:
        condition = condition.children[0]
    return condition if isinstance(condition, CachedCondition) else None
