"""EXPLAIN QUERY PLAN of a SQLAlchemy statement on SQLite, for tests that pin which index a query uses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection


def query_plan(conn: Connection, stmt: Any) -> str:
    """SQLite's plan of `stmt` with its bound values, one " | "-joined line ("SCAN invoices USING INDEX ...")."""
    compiled = stmt.compile(conn)
    params = tuple(compiled.params[name] for name in compiled.positiontup or ())
    return " | ".join(str(r[3]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", params))
