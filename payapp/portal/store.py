"""The portal's hot path in one database round trip: a blocking SQLAlchemy Core connection on a worker thread.

Every /pay/ request used to take several async ORM sessions (settings, the rate-limit counters with their write
lock, the link with its own write lock, the invoice, its lines, the company, the saved methods): through the
asyncio drivers each session costs a dozen hand-offs between the driver's thread and the event loop, ~30 ms of
CPU a page. `PortalStore.guard` does the same in one transaction on one thread:

- the settings (a change in Admin shows on the next page: on SQLite they are read each time, on PostgreSQL when
  the version the counters' statement reads with them has changed);
- the rate-limit counters: one INSERT ... ON CONFLICT DO UPDATE ... RETURNING for all of a request's buckets
  (exact across processes and hosts, as before);
- the link with its invoice, and for the invoice page the invoice's lines and its company's address, in one
  statement (`payment_links.open_with`: it writes only when the invoice closed or last_opened_at is a minute old);
- for the invoice page, the saved methods on offer.

On SQLite the transaction starts with BEGIN IMMEDIATE (it writes the counters) and the store's connections use
`synchronous=NORMAL` (WAL): a power cut can lose the last counters or "last opened" minute, never a payment (the
payment engine's own connections keep FULL). On PostgreSQL the transaction commits with `synchronous_commit =
off` for the same reason. Nothing is kept in this process that another worker would need."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine, Row, bindparam, event, select, text
from sqlalchemy.exc import DBAPIError

from payapp.models import Company, Invoice, InvoiceLine, PortalRateCount
from payapp.models.base import UtcDateTime
from payapp.models.db import Database, make_sync_engine
from payapp.portal.accounts import PortalUser, methods_for, session_user
from payapp.portal.state import claim_on
from payapp.services.payment_links import OPEN_LINK, OPEN_LINK_COLUMNS, OpenedLink, open_with
from payapp.services.settings import SETTINGS_VERSION_SQL, SettingsSnapshot, read_settings

T = TypeVar("T")
#: worker threads (and connections) of one portal process on PostgreSQL. On SQLite one: every request writes
#: (the rate-limit counters) and SQLite takes one writer at a time; threads that find the lock taken wait in
#: SQLite's busy handler, which sleeps 1, 2, 5, 10, 25 ... ms, and that was the portal's whole latency tail (p95
#: 90 ms at 300 pages/s), while one thread queues them in order at ~0.5 ms each.
THREADS = 4
SQLITE_THREADS = 1
_RATE = PortalRateCount.__table__
_INV = Invoice.__table__.c
_LINE = InvoiceLine.__table__.c
_CO = Company.__table__.c


def bucket_key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest[:64]}"


_UPSERTS: dict[tuple[int, bool], Any] = {}


def _upsert(n: int, settings_version: bool = False) -> Any:
    """INSERT n buckets ... ON CONFLICT DO UPDATE (a new window, or one hit more) RETURNING the hits, the same SQL
    on SQLite and PostgreSQL (with `settings_version`, PostgreSQL's: the settings' version in each row too). Text,
    built once per size: SQLAlchemy cannot cache an ON CONFLICT statement's compiled form, and compiling it cost
    more than running it."""
    stmt = _UPSERTS.get((n, settings_version))
    if stmt is None:
        table = _RATE.name
        rows = ", ".join(f"(:b{i}, :now, 1)" for i in range(n))
        expired = f"{table}.window_start <= :cutoff"
        version = f", {SETTINGS_VERSION_SQL}" if settings_version else ""
        stmt = text(
            f"INSERT INTO {table} (bucket, window_start, hits) VALUES {rows} ON CONFLICT (bucket) DO UPDATE SET "
            f"window_start = CASE WHEN {expired} THEN excluded.window_start ELSE {table}.window_start END, "
            f"hits = CASE WHEN {expired} THEN 1 ELSE {table}.hits + 1 END RETURNING bucket, hits{version}"
        ).bindparams(bindparam("now", type_=UtcDateTime()), bindparam("cutoff", type_=UtcDateTime()))
        _UPSERTS[(n, settings_version)] = stmt
    return stmt


def count_hits(conn: Connection, keys: list[tuple[str, int]], window_s: int, now: dt.datetime) -> bool:
    """Count one request in each (bucket, limit) with one upsert; False when any is over its limit now."""
    return _count(conn, keys, window_s, now, settings_version=False)[0]


def _count(conn: Connection, keys: list[tuple[str, int]], window_s: int, now: dt.datetime, *,
           settings_version: bool) -> tuple[bool, str | None]:
    """`count_hits`, and with `settings_version` (PostgreSQL) the settings' version read in the same statement."""
    if not keys:
        return True, None
    params: dict[str, Any] = {f"b{i}": bucket for i, (bucket, _limit) in enumerate(keys)}
    params.update(now=now, cutoff=now - dt.timedelta(seconds=window_s))
    found = conn.execute(_upsert(len(keys), settings_version), params).all()
    hits = {row[0]: row[1] for row in found}
    version = str(found[0][2]) if settings_version and found else None
    return all(hits.get(bucket, 1) <= limit for bucket, limit in keys), version


@dataclass
class InvoiceData:
    """What the portal's pages show of an invoice."""
    id: int
    number: str
    invoice_date: dt.date
    due_date: dt.date | None
    currency: str
    total_minor: int
    paid_minor: int
    balance_minor: int
    company_id: int
    company_name: str
    tax_minor: int
    #: with `detail` only: (description, quantity, unit_price_minor, amount_minor)
    lines: list[tuple[str, str, int, int]] | None = None
    address: dict[str, str] = field(default_factory=dict)
    methods: list[Any] = field(default_factory=list)


@dataclass
class Guarded:
    settings: Mapping[str, Any]
    allowed: bool
    link: OpenedLink | None = None
    invoice: InvoiceData | None = None
    #: with `claim`: True when this is the first submit of the confirm form (now claimed unless the link closed)
    claimed: bool | None = None
    #: the signed-in contact of the request's session cookie, if any
    user: PortalUser | None = None


def _labelled(prefix: str, *columns: Any) -> list[Any]:
    return [c.label(f"{prefix}_{c.name}") for c in columns]


# What a page shows of an invoice, in InvoiceData's order; the invoice page adds its company's address and its lines
# (outer joins: one row per line, or one row without a line). Read with the link in one statement (`open_with`),
# or by invoice id: on PostgreSQL each statement is a round trip and ~0.3 ms of CPU in this process and the server.
_INVOICE_COLUMNS = _labelled("inv", _INV.id, _INV.invoice_number, _INV.invoice_date, _INV.due_date, _INV.currency,
                             _INV.total_minor, _INV.paid_minor, _INV.balance_minor, _INV.company_id,
                             _INV.company_name, _INV.tax_minor)
_DETAIL_COLUMNS = [*_labelled("co", _CO.id, _CO.address1, _CO.city, _CO.state, _CO.postal_code, _CO.country),
                   *_labelled("line", _LINE.id, _LINE.description, _LINE.quantity, _LINE.unit_price_minor,
                              _LINE.amount_minor)]
_N_INVOICE = len(_INVOICE_COLUMNS)


def _with_detail(stmt: Any) -> Any:
    return (stmt.add_columns(*_DETAIL_COLUMNS)
            .outerjoin(Company.__table__, _CO.id == _INV.company_id)
            .outerjoin(InvoiceLine.__table__, _LINE.invoice_id == _INV.id)
            .order_by(_LINE.position, _LINE.id))


_LINK_AND_INVOICE = OPEN_LINK.add_columns(*_INVOICE_COLUMNS)
_LINK_AND_INVOICE_PAGE = _with_detail(_LINK_AND_INVOICE)
_INVOICE = select(*_INVOICE_COLUMNS).where(_INV.id == bindparam("invoice_id"))
_INVOICE_PAGE = _with_detail(_INVOICE)


def paying_user(user: PortalUser | None, company_id: int) -> PortalUser | None:
    """The signed-in contact when they pay this company's invoice as themselves (their own saved methods), else
    None (a payment link's visitor)."""
    return user if user is not None and user.may_pay and user.company_id == company_id else None


def invoice_from_rows(conn: Connection, rows: Sequence[Row[Any]], offset: int, *, detail: bool, today: dt.date,
                      user: PortalUser | None = None) -> InvoiceData | None:
    """The invoice in `rows` (its columns from `offset` on, as `_INVOICE` or `_INVOICE_PAGE` read them), with the
    saved methods on offer for the invoice page (their own statement)."""
    if not rows or rows[0][offset] is None:
        return None
    first = rows[0]
    data = InvoiceData(*first[offset:offset + _N_INVOICE])
    if detail:
        company_id, address1, city, state, postal_code, country, *_line = first[offset + _N_INVOICE:]
        if company_id is not None:
            data.address = {"address1": address1 or "", "city": city or "", "state": state or "",
                            "postal_code": postal_code or "", "country": (country or "US").upper()}
        lines = offset + _N_INVOICE + 6
        data.lines = [(d, str(q), u, a) for line_id, d, q, u, a in (r[lines:lines + 5] for r in rows)
                      if line_id is not None]
        payer = paying_user(user, data.company_id)
        data.methods = methods_for(conn, data.company_id, payer.contact_id if payer else None, today)
    return data


def read_invoice(conn: Connection, invoice_id: int, *, detail: bool, today: dt.date,
                 user: PortalUser | None = None) -> InvoiceData | None:
    rows = conn.execute(_INVOICE_PAGE if detail else _INVOICE, {"invoice_id": invoice_id}).all()
    return invoice_from_rows(conn, rows, 0, detail=detail, today=today, user=user)


def _sqlite_normal(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _pg_async_commit(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
    dbapi_connection.commit()


class PortalStore:
    """A blocking engine and a few threads for the portal's requests (`Portal.close` disposes of them)."""

    def __init__(self, db: Database, *, clock: Callable[[], dt.datetime] | None = None,
                 threads: int | None = None) -> None:
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self._sqlite = db.is_sqlite
        threads = threads or (SQLITE_THREADS if db.is_sqlite else THREADS)
        self.engine: Engine = make_sync_engine(db.url, immediate=True, pool_size=threads, max_overflow=0)
        # the store's connections do not wait for a disk sync at commit, but for `durable` work (see the module)
        event.listen(self.engine, "connect", _sqlite_normal if db.is_sqlite else _pg_async_commit)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="payapp-portal")
        self._settings = SettingsSnapshot()

    async def run(self, work: Callable[[Connection], T], *, durable: bool = False, statements: bool = False) -> T:
        """`work(connection)` in one transaction on a worker thread (committed when it returns). `durable`: the
        commit is on disk before this returns (a released confirm form), as the payment engine's. `statements`:
        work whose statements each stand alone (each write one guarded statement) runs them as they come on
        PostgreSQL, without BEGIN and COMMIT: two of a page's eight round trips (SQLite: one transaction still,
        which costs no round trip)."""
        def job() -> T:
            try:
                return attempt()
            except DBAPIError as exc:
                # no ping before each checkout (a round trip a request): a connection the server dropped (a
                # PostgreSQL restart) fails here, at its first statement, so nothing of the work was done; its pool is
                # emptied and the work runs once more on a new connection.
                if not exc.connection_invalidated:
                    raise
                return attempt()

        def attempt() -> T:
            if statements and not self._sqlite:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    return work(conn)
            with self.engine.connect() as conn:
                raw: Any = conn.connection.dbapi_connection       # sqlite3: outside any transaction
                if durable and self._sqlite:
                    raw.execute("PRAGMA synchronous=FULL")
                try:
                    with conn.begin():
                        if durable and not self._sqlite:
                            conn.execute(text("SET LOCAL synchronous_commit = on"))
                        return work(conn)
                finally:
                    if durable and self._sqlite:
                        raw.execute("PRAGMA synchronous=NORMAL")
        return await asyncio.get_running_loop().run_in_executor(self._pool, job)

    async def guard(self, buckets: list[tuple[str, str, int]], window_s: int, token: str | None, *,
                    open_link: bool, detail: bool = False, claim: str = "", session: str = "") -> Guarded:
        """Settings, rate limits, and (when the portal is on, the request may go on and `open_link`) the link and
        its invoice, in one transaction; with `claim` (a confirm form's key) the form is claimed in it too (a
        closed link's form is only looked up: a second submit still shows the first one's outcome)."""
        keys = [(bucket_key(kind, value), limit) for kind, value, limit in buckets]
        now = self._clock()

        def work(conn: Connection) -> Guarded:
            allowed, version = _count(conn, keys, window_s, now, settings_version=not self._sqlite)
            result = Guarded(self._settings.read(conn, version), allowed)
            if result.allowed and session:
                result.user = session_user(conn, session, now)
            if result.allowed and open_link and token is not None and result.settings.get("portal.enabled"):
                result.link, rows = open_with(conn, token, now,
                                              _LINK_AND_INVOICE_PAGE if detail else _LINK_AND_INVOICE)
                if result.link is not None:
                    result.invoice = invoice_from_rows(conn, rows, OPEN_LINK_COLUMNS, detail=detail,
                                                       today=now.astimezone().date(), user=result.user)
                if claim and result.invoice is not None and result.link is not None:
                    result.claimed = claim_on(conn, claim, result.link.link_id, insert=not result.link.closed)
            return result
        # A claim needs no disk sync of its own: nothing is charged before the payment engine's pending row is
        # committed with a sync (SQLite FULL, PostgreSQL synchronous_commit on), and that sync takes every earlier
        # commit of the same write-ahead log with it, the claim's too. A power cut before it loses the claim of a
        # form that charged nothing, which may then be sent again.
        # every statement here stands alone: the counters are one upsert, the link's update and the form's claim
        # are one guarded statement each, and the reads see what is committed, as in a transaction at READ
        # COMMITTED
        return await self.run(work, statements=True)

    async def invoice(self, invoice_id: int, *, detail: bool, user: PortalUser | None = None) -> InvoiceData | None:
        today = self._clock().astimezone().date()
        return await self.run(lambda conn: read_invoice(conn, invoice_id, detail=detail, today=today, user=user))

    def now(self) -> dt.datetime:
        return self._clock()

    async def settings(self) -> dict[str, Any]:
        return await self.run(read_settings)

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self.engine.dispose()
