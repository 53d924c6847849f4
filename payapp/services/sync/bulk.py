"""Bulk SQL for the sync's pages: an upsert compiled once from SQLAlchemy Core and run through the driver
directly, a page at a time, in each dialect's fastest way (see BulkInsert), with values converted the way
SQLAlchemy's column types would have converted them (DriverValues): SQLAlchemy's own per-row parameter
processing cost more than the database work itself."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects import sqlite  # postgresql where used: only a PostgreSQL database needs it (~25 ms)

#: rows per INSERT statement on SQLite: a whole page where the statement's parameter limit allows
SQLITE_ROWS_PER_STATEMENT = 500
#: SQLite's default limit of parameters in one statement (999 before 3.32)
SQLITE_MAX_PARAMETERS = 32766 if sqlite3.sqlite_version_info >= (3, 32) else 999


def dialect_insert(table: Table, *, postgresql: bool) -> Any:
    """The dialect's INSERT of `table`, the one that has `on_conflict_do_update` (PayApp runs on these two)."""
    if not postgresql:
        return sqlite.insert(table)
    from sqlalchemy.dialects import postgresql as pg

    return pg.insert(table)


class DriverValues:
    """Python values → what SQLAlchemy's column types would hand the driver (the bulk path skips them):
    on SQLite dates are 'YYYY-MM-DD', UtcDateTime 'YYYY-MM-DD HH:MM:SS.ffffff' in UTC and Numeric a REAL
    (sqlalchemy.dialects.sqlite DATE/DATETIME storage formats, Numeric → float); psycopg takes the objects."""

    def __init__(self, is_sqlite: bool) -> None:
        self.date: Callable[[dt.date | None], Any] = _sqlite_date if is_sqlite else _same
        self.ts: Callable[[dt.datetime | None], Any] = _sqlite_ts if is_sqlite else _utc
        self.dec: Callable[[Decimal], Any] = float if is_sqlite else _same


def _same(value: Any) -> Any:
    return value


def _sqlite_date(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


def _sqlite_ts(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC).isoformat(" ", "microseconds")[:26]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.astimezone(dt.UTC)


class BulkInsert:
    """An INSERT (upsert with `update_set`) compiled once from Core and run through the driver directly. Rows
    are tuples in `columns` order, which must be the table's column order (SQLAlchemy renders columns in that
    order; checked). The statement's own constants (literals of the ON CONFLICT clause) follow the rows'
    parameters.

    - SQLite: `INSERT … VALUES (…), (…), …`, up to `rows_per_statement` rows a statement: the driver then
      releases and re-takes the GIL once per statement instead of once per row (the event loop's thread
      wants the GIL too), and Python's sqlite3 spends less per row than with executemany.
    - PostgreSQL: the rows go by COPY into a session's temporary staging table (psycopg writes COPY rows in C),
      then one `INSERT … SELECT … FROM <stage>` takes them all (one statement per batch instead of one per row);
      the stage is emptied for the next batch.
    An upsert's batch keeps the last row of each external_id (PostgreSQL refuses to update a row twice in one
    statement; Autotask pages have no duplicates anyway)."""

    def __init__(self, dialect: Any, table: Table, columns: Sequence[str],
                 update_set: Sequence[str] | Callable[[Any], dict[str, Any]] | None = None, *,
                 rows_per_statement: int = SQLITE_ROWS_PER_STATEMENT) -> None:
        self._staged = dialect.name == "postgresql"
        names = [f"v_{c}" for c in columns]
        stmt: Any
        self.stage = f"payapp_sync_stage_{table.name}"
        self.create_stage = (f"CREATE TEMPORARY TABLE IF NOT EXISTS {self.stage} AS "
                             f"SELECT {', '.join(columns)} FROM {table.name} WITH NO DATA")
        self._copy = f"COPY {self.stage} ({', '.join(columns)}) FROM STDIN"
        self._empty_stage = f"TRUNCATE {self.stage}"     # not DELETE: dead rows of a temporary table stay
        if self._staged:
            source = sql_table(self.stage, *(sql_column(c) for c in columns))
            stmt = dialect_insert(table, postgresql=True).from_select(list(columns),
                                                                      select(*(source.c[c] for c in columns)))
            names = []
        else:
            stmt = dialect_insert(table, postgresql=False).values({c: bindparam(n, type_=table.c[c].type)
                                                                   for n, c in zip(names, columns, strict=True)})
        if update_set is not None:
            set_ = update_set(stmt) if callable(update_set) else {c: stmt.excluded[c] for c in update_set}
            stmt = stmt.on_conflict_do_update(index_elements=["external_id"], set_=set_)
        self._keyed = update_set is not None and columns[0] == "external_id"
        compiled = stmt.compile(dialect=dialect)
        order = list(compiled.positiontup or ())
        if order[:len(names)] != names:
            raise AssertionError(f"unexpected parameter order: {order}")
        self.sql: str = compiled.string
        self.constants: tuple[Any, ...] = tuple(compiled.binds[n].effective_value for n in order[len(names):])
        # every statement stays within SQLite's limit of parameters
        self._per = max(1, min(rows_per_statement, (SQLITE_MAX_PARAMETERS - len(self.constants)) // len(columns)))
        self._multi: dict[int, str] = {1: self.sql}
        self._head = self._group = self._tail = ""
        if not self._staged:
            head, sep, tail = self.sql.partition(" VALUES ")
            group = _leading_group(tail)
            if not sep or group.count("?") != len(names):
                raise AssertionError(f"unexpected INSERT shape: {self.sql[:200]}")
            self._head, self._group, self._tail = head + sep, group, tail[len(group):]

    def _sql_for(self, n: int) -> str:
        sql = self._multi.get(n)
        if sql is None:
            sql = self._multi[n] = self._head + ", ".join([self._group] * n) + self._tail
        return sql

    def run(self, cursor: Any, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._keyed and len({r[0] for r in rows}) != len(rows):
            rows = list({r[0]: r for r in rows}.values())
        consts = self.constants
        params: list[Any]
        if self._staged:
            with cursor.copy(self._copy) as copy:
                for r in rows:
                    copy.write_row(r)
            cursor.execute(self.sql, consts)
            cursor.execute(self._empty_stage)
            return
        per = self._per
        for k in range(0, len(rows), per):
            chunk = rows[k:k + per]
            params = [v for r in chunk for v in r]
            params.extend(consts)
            cursor.execute(self._sql_for(len(chunk)), params)


def _leading_group(text: str) -> str:
    """The parenthesised group `text` starts with ("(?, ?)" of "(?, ?) ON CONFLICT …")."""
    depth = 0
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0:
            return text[:i + 1] if i else ""
    return ""

