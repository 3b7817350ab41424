"""SQL written or compiled once and then only run, for the reads of every request whose
construction and compilation through the ORM cost more than the database takes to answer
them (issue 15): a WHERE condition (who may see which case, CachedCondition) and a whole read
(CompiledRead), each filled in with each call's own values, which are never cached."""

import re
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Field, ForeignKey, Model, Q, QuerySet
from django.db.models.expressions import Col
from django.db.models.sql.compiler import SQLCompiler

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


# A parameter as a scalar subquery, whose value PostgreSQL's planner does not look at: every
# plan of the statement is then estimated alike, and once prepared it settles on one generic
# plan instead of being planned again on every run (planning took half of the overdue page's
# time in the database, and more than the duplicate lookup's run, issue 15). An opaque NULL
# has no type: it cannot be compared with a number.
OPAQUE_PARAMETER = "(SELECT %s)"


class Slot(Expression):
    """A value of a CompiledRead left open when its SQL is compiled and given by name on each
    run (the case read, the current time, a page's cursor), prepared for the database as
    `output_field` prepares it; an `opaque` one as OPAQUE_PARAMETER."""

    def __init__(self, name: str, output_field: Field, *, opaque: bool = False) -> None:
        super().__init__(output_field=output_field)
        self.name = name
        self.opaque = opaque

    def __repr__(self) -> str:
        return f"{self.__class__.__name__}({self.name!r})"

    def as_sql(self, compiler, connection) -> tuple[str, tuple]:
        return (OPAQUE_PARAMETER if self.opaque else "%s"), (self,)


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
class Lookup:
    """A column of a small table (units, people, a rule) that a CompiledRead's rows name by a
    foreign key, looked up for the rows the read returns only: joined around its SQL, whose
    WHERE, ORDER BY and LIMIT stay inside. A scalar subquery per row scanned the small table
    once per row, as PostgreSQL scans a table of one page; a join inside the read made it plan
    for 25 ms before every one of a statement's first runs (issue 15)."""

    name: str  # the row's key
    key: ForeignKey  # a foreign key of the read's model, its column among the read's columns
    column: str  # the related model's field

    @property
    def target(self) -> Field:
        return self.key.related_model._meta.get_field(self.column)


def _around(
    sql: str, compiler: SQLCompiler, lookups: Sequence[Lookup], connection: BaseDatabaseWrapper
) -> str:
    """The read's SQL as a table, its columns followed by each lookup's (a LEFT JOIN: a null
    key names nothing), in the read's order. That order must be of the read's columns, which
    the ORM writes by their positions: the same positions around the read."""
    quote = connection.ops.quote_name
    order = [order_sql for _, (order_sql, _, _) in compiler.get_order_by()]
    if not all(re.fullmatch(r"\d+ (ASC|DESC)", clause) for clause in order):
        raise ValueError(f"a read with lookups must order by selected columns: {order}")
    aliases = {}
    for lookup in lookups:
        aliases.setdefault(lookup.key, f"lookup_{len(aliases)}")
    columns = ", ".join(
        f"{aliases[lookup.key]}.{quote(lookup.target.column)} AS {quote(lookup.name)}"
        for lookup in lookups
    )
    joins = " ".join(
        f"LEFT JOIN {quote(key.related_model._meta.db_table)} {alias} "
        f"ON {alias}.{quote(key.target_field.column)} = page.{quote(key.attname)}"
        for key, alias in aliases.items()
    )
    ordered = f" ORDER BY {', '.join(order)}" if order else ""
    return f"SELECT page.*, {columns} FROM ({sql}) page {joins}{ordered}"  # noqa: S608


class _Param:
    """The place of a CachedCondition's parameter in a CompiledRead, by its index among the
    parameters of the read's conditions."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = index


@dataclass(frozen=True)
class _Compiled:
    sql: str | None  # None: a read the ORM found can match nothing (EmptyResultSet)
    params: tuple  # values, _Params and Slots
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple, Expression], ...]  # what values() converts, by column


class CompiledRead:
    """A read through values(), `build(*args)`, compiled to SQL once per database and shape
    and then only run (for its rows, or for how many there are), with each call's values:
    building and compiling a read through the ORM cost several times what the database takes
    to answer it (issue 15).

    The shape is the arguments. A CachedCondition (or a Q of one alone) counts by its shape
    and the outer columns it reads; its parameters are the call's, filled in on each run. Any
    other argument counts by equality: equal arguments must build the same SQL (a Q compares
    every value it holds). Values the SQL leaves open are Slots, given by name on each run.
    `build` must depend on nothing else: what it took from elsewhere would be kept for every
    later call, and could hand one user's rows to another. The `size` most recently compiled
    shapes are kept. `also` writes what the ORM cannot and follows its SQL: a further locking
    clause (PostgreSQL locks the rows of a join each in the strength its clause names).
    `lookups` add small tables' columns to each row found (Lookup)."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        size: int = 512,
        using: str = DEFAULT_DB_ALIAS,
        also: Writer | None = None,
        lookups: Sequence[Lookup] = (),
    ) -> None:
        self._build = build
        self._size = size
        self._using = using
        if also and lookups:
            raise ValueError("a read locks its own rows or looks up others', not both")
        self._also = also
        self._lookups = tuple(lookups)
        self._compiled: dict[tuple, _Compiled] = {}
        self._lock = threading.Lock()

    def rows(self, *args: Hashable, **slots) -> list[dict]:
        """The rows of the read built on `args`, with these Slots' values, by column name."""
        return self._run(args, slots, counted=False)

    def count(self, *args: Hashable, **slots) -> int:
        """How many rows the read built on `args` has, counted by the database as
        QuerySet.count() counts them (a sliced read in a subquery: its LIMIT caps the count)."""
        rows = self._run(args, slots, counted=True)
        return rows[0][_COUNT] if rows else 0

    def _run(self, args: tuple, slots: dict, *, counted: bool) -> list[dict]:
        connection = connections[self._using]
        conditions = [_cached_in(arg) for arg in args]
        shape = (_shape(c) if c else arg for c, arg in zip(conditions, args, strict=True))
        key = (connection.vendor, counted, *shape)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(connection, args, conditions, counted)
            with self._lock:
                self._compiled[key] = compiled
                while len(self._compiled) > self._size:
                    del self._compiled[next(iter(self._compiled))]
        if compiled.sql is None:  # no row can match (the ORM would not ask either)
            return []
        values = [value for c in conditions if c for value in c.params]
        params = [_value(param, values, slots, connection) for param in compiled.params]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:  # as SQLCompiler.apply_converters, on this thread's connection
            rows = [list(row) for row in rows]
            for row in rows:
                for position, converters, expression in compiled.converters:
                    for converter in converters:
                        row[position] = converter(row[position], expression, connection)
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _compile(
        self, connection: BaseDatabaseWrapper, args: tuple, conditions: list, counted: bool
    ) -> _Compiled:
        """The read built with a _Param in place of each of its conditions' parameters (or
        the count of its rows)."""
        given, count = [], 0
        for arg, c in zip(args, conditions, strict=True):
            if c is None:
                given.append(arg)
                continue
            given.append(c.with_params([_Param(count + i) for i in range(len(c.params))]))
            count += len(c.params)
        query = self._build(*given).query
        compiler = query.get_compiler(connection=connection)
        names = tuple(query.selected)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Compiled(None, (), names, ())
        if counted:  # as Django's AggregateQuery writes the count of a sliced query
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"  # noqa: S608 (compiled by the ORM)
            return _Compiled(sql, tuple(params), (_COUNT,), ())
        if self._also:
            sql += self._also(connection)
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        if self._lookups:
            keys = {lookup.key.attname for lookup in self._lookups}
            if not keys <= set(names):
                raise ValueError(f"a lookup's key is not among the read's columns: {keys}")
            sql = _around(sql, compiler, self._lookups, connection)
            names += tuple(lookup.name for lookup in self._lookups)
            columns += [Col("lookup", lookup.target) for lookup in self._lookups]
        converters = tuple(
            (position, tuple(functions), expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        return _Compiled(sql, tuple(params), names, converters)


_COUNT = "count"


def _value(param, values: list, slots: dict, connection: BaseDatabaseWrapper):
    """What goes in one placeholder of a CompiledRead on this run."""
    if isinstance(param, _Param):
        return _adapt(connection, values[param.index])
    if isinstance(param, Slot):
        return param.output_field.get_db_prep_value(slots[param.name], connection)
    return param


def _shape(condition: CachedCondition) -> tuple:
    """What a condition's SQL depends on: its shape and the outer columns it reads."""
    return condition.shape, tuple(condition.columns)


def _cached_in(arg) -> CachedCondition | None:
    if isinstance(arg, Q) and len(arg) == 1 and not arg.negated:
        arg = arg.children[0]
    return arg if isinstance(arg, CachedCondition) else None


def columns_of(model: type[Model], path: str = "") -> list[str]:
    """The values() names of a model's stored columns, reached through `path` ("user__")
    from the model a read starts at: with instance_of, a CompiledRead's row gives back the
    instances the ORM's select_related would have built, without compiling it each time."""
    return [path + field.name for field in model._meta.concrete_fields]


def instance_of(model: type[Model], row: dict, path: str = "") -> Model | None:
    """The instance whose columns_of(model, path) `row` holds, as the ORM builds it from a
    row of the database; None where an outer join found no row."""
    if row[path + model._meta.pk.name] is None:
        return None
    fields = model._meta.concrete_fields
    values = [row[path + field.name] for field in fields]
    return model.from_db(DEFAULT_DB_ALIAS, [field.attname for field in fields], values)
