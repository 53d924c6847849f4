"""The outbox worker: drains `outbox_jobs` to QuickBooks and Autotask, with retries and backoff, so nothing
is lost and nothing is posted twice.

- Claim: due `pending` jobs are claimed in one transaction (SQLite: BEGIN IMMEDIATE; PostgreSQL:
  `FOR UPDATE SKIP LOCKED`) by pushing `next_attempt_at` out by a lease, and every write job gets its
  QuickBooks `requestid` stored in the row *before* anything is sent. A worker that dies mid-job leaves
  the job to be picked up after the lease with the same request id: QuickBooks replays the first answer.
- Jobs of one payment run in id order (push before void/refund); a job whose payment is not in
  QuickBooks yet waits for it.
- Failures: transient ones back off exponentially (`backoff_base · 2^(attempts-1)`, capped, jittered);
  throttling (429) waits without counting an attempt; a disconnected QuickBooks leaves jobs pending (held
  back for `HOLD`; `resume_held()` makes them due at once when the connection is made again); a
  non-retryable fault or `max_attempts` failures move the job to `needs_attention` (Payment
  `accounting_sync_state = failed` with the reason in `sync_error`). `retry()` and `dismiss()` are
  audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import String, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import sqlite  # postgresql where used: only a PostgreSQL database needs it (~25 ms)

from payapp.connectors.accounting.quickbooks_online import (
    InvoiceLineOut,
    InvoiceOut,
    PaymentOut,
    QuickBooksConnector,
    QuickBooksError,
    RefundOut,
)
from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError
from payapp.domain.errors import NotFound, PayAppError, ValidationError
from payapp.domain.messages import Message, from_stored, msg
from payapp.domain.money import Money
from payapp.domain.outbox_jobs import (
    ACCOUNTING_DESKTOP,
    ACCOUNTING_KINDS,
    JobKind,
    JobStatus,
    kind_label,
    said,
    stored_error,
)
from payapp.domain.roles import Permission
from payapp.domain.settings_spec import spec
from payapp.models import AccountingCustomerLink, Company, Invoice, InvoiceLine, OutboxJob, Payment, Refund
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.installation import installation_id

log = logging.getLogger(__name__)

NAMESPACE = uuid.UUID("6f1c1f49-3c43-4e55-9a43-2b2f1b1a0c11")

#: the start of the message of a job that waits for a setting (refunds: the bank account they are paid from), as
#: a connector not converted to messages wrote it, and as rows written before messages were data hold it
NEEDS_SETUP = "Needs set-up:"
#: ... and the start of such a job's last_error written as a message (outbox.needs_setup around the connector's)
NEEDS_SETUP_STORED = '{"m":"outbox.needs_setup",'

#: How long a job waits when its system is disconnected (or not set up) before it is tried again by itself.
HOLD = dt.timedelta(minutes=5)

QuickBooksFactory = Callable[[], Awaitable[QuickBooksConnector]]
AutotaskFactory = Callable[[], Awaitable[AutotaskConnector]]


@dataclass(frozen=True)
class OutboxProblem:
    job_id: int
    kind: str
    label: Message | str        # what the job does (a kind PayApp does not know: as stored)
    attempts: int
    last_error: Message | str   # a row written before messages were data: its English as it is
    created_at: dt.datetime
    updated_at: dt.datetime
    payment_id: int | None
    invoice_id: int | None
    description: Message | None  # "Invoice 2025-000123 · Acme Dental · $12.50"; None: nothing known about it


@dataclass(frozen=True)
class DrainReport:
    done: int = 0
    retried: int = 0
    needs_attention: int = 0
    deferred: int = 0
    stopped_reason: Message | str = ""


@dataclass(frozen=True)
class _Claim:
    id: int
    kind: str
    payload: dict[str, Any]
    request_id: str
    attempts: int
    payment_id: int | None
    invoice_id: int | None


class _Defer(PayAppError):
    """Not now, not a failure (waiting for an earlier job)."""


class _Stop(PayAppError):
    """Stop the run and leave jobs pending (e.g. QuickBooks is disconnected)."""


_J, _P, _I = OutboxJob.__table__, Payment.__table__, Invoice.__table__
# Not `.in_(...)`: an IN list is an "expanding" parameter, which executemany refuses.
_PSA_NOT_SYNCED = or_(_P.c.psa_sync_state == "pending", _P.c.psa_sync_state == "failed")
#: The batch's writes, as executemany statements (one round trip per kind of write, not per job).
_STATEMENTS: dict[str, Any] = {
    "job_release": update(_J).where(_J.c.id == bindparam("b_id"), _J.c.status == JobStatus.PENDING)
    .values(next_attempt_at=bindparam("b_when")),
    "job_resume": update(_J).where(_J.c.id == bindparam("b_id"), _J.c.status == JobStatus.PENDING,
                                   _J.c.next_attempt_at <= bindparam("b_until"))
    .values(next_attempt_at=bindparam("b_when")),
    "job_setup": update(_J).where(_J.c.id == bindparam("b_id"), _J.c.status == JobStatus.PENDING)
    .values(last_error=bindparam("b_error"), next_attempt_at=bindparam("b_when")),
    "job_fail": update(_J).where(_J.c.id == bindparam("b_id"), _J.c.status == JobStatus.PENDING)
    .values(attempts=bindparam("b_attempts"), last_error=bindparam("b_error"), next_attempt_at=bindparam("b_when"),
            status=bindparam("b_status")),
    "job_done": update(_J).where(_J.c.id == bindparam("b_id")).values(status=JobStatus.DONE, last_error="",
                                                                       payload=bindparam("b_payload")),
    "invoice_failed": update(_I).where(_I.c.id == bindparam("b_id")).values(sync_state="failed"),
    "invoice_pushed": update(_I).where(_I.c.id == bindparam("b_id")).values(
        accounting_id=bindparam("b_acc"), accounting_number=bindparam("b_number"), sync_state="synced"),
    "invoice_psa_marked": update(_I).where(_I.c.id == bindparam("b_id")).values(psa_paid_marked=True),
    "payment_failed": update(_P).where(_P.c.id == bindparam("b_id")).values(
        accounting_sync_state="failed", sync_error=bindparam("b_error")),
    # (no IN: an expanding parameter cannot be used with executemany, and a batch marks several invoices)
    "payment_psa_failed": update(_P).where(_P.c.invoice_id == bindparam("b_invoice"), _PSA_NOT_SYNCED)
    .values(psa_sync_state="failed", sync_error=bindparam("b_error")),
    "payment_synced": update(_P).where(_P.c.id == bindparam("b_id")).values(
        accounting_id=func.coalesce(bindparam("b_acc", type_=String), _P.c.accounting_id),
        accounting_sync_state="synced", sync_error=""),
    "payment_psa_synced": update(_P).where(_P.c.invoice_id == bindparam("b_invoice"), _PSA_NOT_SYNCED)
    .values(psa_sync_state="synced"),
}


def invoice_request_id(invoice_id: int, installation: str) -> str:
    """Invoice pushes use one stable request id, so the job and an inline push replay the same write. It carries
    the installation id: two PayApp databases on one QuickBooks company never send the same id."""
    return str(uuid.uuid5(NAMESPACE, f"{installation}:invoice:{invoice_id}"))


def customer_request_id(company_id: int, installation: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{installation}:customer:{company_id}"))


class OutboxWorker:
    def __init__(self, db: Database, quickbooks_factory: QuickBooksFactory, autotask_factory: AutotaskFactory, *,
                 current: CurrentUser | None = None, settings: Any = None, max_attempts: int = 8,
                 backoff_base: dt.timedelta = dt.timedelta(seconds=30),
                 backoff_cap: dt.timedelta = dt.timedelta(hours=6), lease: dt.timedelta = dt.timedelta(minutes=5),
                 batch_size: int = 100, concurrency: int = 8, clock: Callable[[], dt.datetime] = utcnow,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._db = db
        self._qb_factory = quickbooks_factory
        self._at_factory = autotask_factory
        self._current = current
        self._settings = settings
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._lease = lease
        self._batch = batch_size
        self._concurrency = concurrency
        self._clock = clock
        self._sleep = sleep
        self._qb: QuickBooksConnector | None = None
        self._at: AutotaskConnector | None = None
        self._locks: dict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._wake = asyncio.Event()
        self._connector_lock = asyncio.Lock()
        self._customers: dict[int, str] = {}       # company id → QuickBooks customer id (cache of the links)
        self._pay: dict[int, Payment] = {}
        self._inv: dict[int, Invoice] = {}
        self._ops: dict[str, list[dict[str, Any]]] = {}
        self._link_rows: list[dict[str, Any]] = []
        #: jobs this worker held back because their system was disconnected: id → the time they are due again
        self._held: dict[int, dt.datetime] = {}
        self._resume = False
        self._installation = ""
        #: why the last run stopped with jobs left pending (e.g. "QuickBooks is disconnected: Reconnect
        #: QuickBooks …"), for the status bar; "" once a run gets jobs through again
        self.stopped_reason: Message | str = ""

    # ------------------------------------------------------------------ running

    def wake(self) -> None:
        """Call after committing new jobs: the background loop runs at once instead of at its next tick."""
        self._wake.set()

    def resume_held(self) -> None:
        """Call when a connection is made again (QuickBooks reconnected): the jobs held back while it was down
        are sent now instead of after the rest of `HOLD`. The worker does it at the start of its next run (at
        once: this wakes it), so it never races a batch in flight."""
        self._resume = True
        self.wake()

    async def _resume_held(self) -> None:
        """Make the held-back jobs due now. A job another worker has claimed since (its lease ends after the
        hold) is left alone. Should the write fail, they stay held and the next resume tries again."""
        self._resume = False
        self.reset_connectors()                  # the next job builds its connector from the new sign-in
        if not self._held:
            return
        held = dict(self._held)
        now = self._clock()
        async with self._db.transaction(lock=True) as s:
            await s.execute(_STATEMENTS["job_resume"], [{"b_id": job_id, "b_until": until, "b_when": now}
                                                         for job_id, until in held.items()])
        for job_id, until in held.items():
            if self._held.get(job_id) == until:     # not held again meanwhile
                del self._held[job_id]
        log.info("connection made again: %d held-back outbox jobs are due now", len(held))

    def reset_connectors(self) -> None:
        """Forget cached connectors (after credentials changed)."""
        self._qb = None
        self._at = None

    async def run_forever(self, interval: float = 15.0) -> None:
        """The background task: drain, then sleep until woken or `interval` passes. Cancel to stop."""
        while True:
            self._wake.clear()               # before the run: a wake() while it runs starts the next one at once
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox run failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def drain(self, max_rounds: int = 1_000_000) -> DrainReport:
        """Run batches until nothing is due (or the run is stopped)."""
        total = DrainReport()
        for _ in range(max_rounds):
            rep = await self.run_once()
            total = DrainReport(total.done + rep.done, total.retried + rep.retried,
                                total.needs_attention + rep.needs_attention, total.deferred + rep.deferred,
                                rep.stopped_reason)
            if rep.stopped_reason or (rep.done + rep.retried + rep.needs_attention + rep.deferred) == 0:
                break
        return total

    async def run_once(self) -> DrainReport:
        self._stop_reason = ""
        if self._resume:
            await self._resume_held()
        claims = await self._claim()
        if not claims:
            return DrainReport()
        groups: dict[Any, list[_Claim]] = defaultdict(list)
        for c in claims:
            groups[("p", c.payment_id) if c.payment_id else ("j", c.id)].append(c)
        sem = asyncio.Semaphore(self._concurrency)
        results: dict[str, int] = defaultdict(int)
        stop: list[str] = []

        async def run_group(jobs: list[_Claim]) -> None:
            async with sem:
                for i, job in enumerate(jobs):
                    if stop:
                        self._release(job)
                        continue
                    outcome = await self._run_job(job)
                    results[outcome] += 1
                    if outcome == "stopped":
                        stop.append("stopped")
                    if outcome != "done":       # later jobs of the payment wait for this one
                        for later in jobs[i + 1:]:
                            self._release(later)
                            results["deferred"] += 1
                        return

        try:
            await asyncio.gather(*(run_group(g) for g in groups.values()))
        finally:
            await self._flush()
        if stop:
            self.stopped_reason = self._stop_reason
        elif results["done"]:
            self.stopped_reason = ""
        return DrainReport(results["done"], results["retried"], results["needs_attention"], results["deferred"],
                           self._stop_reason if stop else "")

    # ------------------------------------------------------------------ claim and outcome

    async def _claim(self) -> list[_Claim]:
        if not self._installation:
            self._installation = await installation_id(self._db)
        now = self._clock()
        # With QuickBooks Desktop chosen, the accounting jobs wait for the Web Connector (services/qbwc.py
        # hands them out one qbXML request at a time); this worker then sends only the PSA's.
        desktop = await self._setting("accounting.connector") == ACCOUNTING_DESKTOP
        async with self._db.transaction(lock=True) as s:
            q = (select(OutboxJob).where(OutboxJob.status == JobStatus.PENDING, OutboxJob.next_attempt_at <= now)
                 .order_by(OutboxJob.id).limit(self._batch))
            if desktop:
                q = q.where(OutboxJob.kind.not_in(ACCOUNTING_KINDS))
            if not self._db.is_sqlite:
                q = q.with_for_update(skip_locked=True)
            jobs = (await s.scalars(q)).all()
            out = []
            for j in jobs:
                self._held.pop(j.id, None)
                if not j.request_id:
                    j.request_id = (invoice_request_id(j.invoice_id, self._installation)
                                    if j.kind == JobKind.PUSH_INVOICE and j.invoice_id else str(uuid.uuid4()))
                j.next_attempt_at = now + self._lease
                payload = json.loads(j.payload or "{}")
                out.append(_Claim(j.id, j.kind, payload, j.request_id, j.attempts,
                                  j.payment_id or _int(payload.get("payment_id")),
                                  j.invoice_id or _int(payload.get("invoice_id"))))
            # everything the batch reads, in a few queries (the handlers then only talk HTTP)
            pay_ids = {c.payment_id for c in out if c.payment_id}
            self._pay = {p.id: p for p in (await s.scalars(select(Payment).where(Payment.id.in_(pay_ids)))).all()} \
                if pay_ids else {}
            inv_ids = {c.invoice_id for c in out if c.invoice_id} | {p.invoice_id for p in self._pay.values()}
            self._inv = {i.id: i for i in (await s.scalars(select(Invoice).where(Invoice.id.in_(inv_ids)))).all()} \
                if inv_ids else {}
            company_ids = {i.company_id for i in self._inv.values()} - self._customers.keys()
            if company_ids:
                links = (await s.scalars(select(AccountingCustomerLink).where(
                    AccountingCustomerLink.company_id.in_(company_ids)))).all()
                self._customers.update({ln.company_id: ln.customer_id for ln in links})
        self._ops = {}
        self._link_rows = []
        return out

    def _write(self, key: str, **params: Any) -> None:
        self._ops.setdefault(key, []).append({f"b_{k}": v for k, v in params.items()})

    async def _flush(self) -> None:
        """Write every outcome of the batch in one transaction (all writes were made replay-safe by the
        stored request ids, so a crash before this point only means the batch runs again)."""
        ops, self._ops = self._ops, {}
        links, self._link_rows = self._link_rows, []
        if not ops and not links:
            return
        async with self._db.transaction(lock=True) as s:
            if links:
                ins = _insert(self._db, AccountingCustomerLink.__table__)
                await s.execute(ins.on_conflict_do_nothing(), links)
            for key, rows in ops.items():
                await s.execute(_STATEMENTS[key], rows)

    def _release(self, job: _Claim, delay: float = 0.0) -> None:
        self._write("job_release", id=job.id, when=self._clock() + dt.timedelta(seconds=delay))

    def _hold(self, job: _Claim) -> None:
        """Its system is disconnected: try again after `HOLD`, or at once on `resume_held()`."""
        until = self._clock() + HOLD
        self._held[job.id] = until
        self._write("job_release", id=job.id, when=until)

    async def _run_job(self, job: _Claim) -> str:
        try:
            handlers: dict[str, Callable[[_Claim], Awaitable[None]]] = {
                JobKind.PUSH_INVOICE: self._push_invoice, JobKind.PUSH_PAYMENT: self._push_payment,
                JobKind.VOID_PAYMENT: self._void_payment, JobKind.REFUND_PAYMENT: self._refund_payment,
                JobKind.REVERSE_RETURNED: self._reverse_returned, JobKind.MARK_PAID: self._mark_paid,
                JobKind.SKIPPED_RECORD: self._skipped_record}
            handler = handlers.get(job.kind)
            if handler is None:
                raise ValidationError(msg("outbox.unknown_job_kind", kind=repr(job.kind)))
            await handler(job)
            return "done"
        except _Defer:
            self._release(job, delay=max(1.0, self._backoff_base.total_seconds() / 4))
            return "deferred"
        except _Stop as exc:
            self._stop_reason = said(exc)
            self._hold(job)
            return "stopped"
        except QuickBooksError as exc:
            if exc.kind == "disconnected":
                self._qb = None
                self._stop_reason = said(exc)
                self._hold(job)
                return "stopped"
            if exc.kind == "throttled":
                self._release(job, delay=60.0 if exc.retry_after is None else exc.retry_after)
                return "deferred"
            if exc.kind == "needs_setup":       # nothing was sent: wait, with the message, until it is set up
                until = self._clock() + HOLD
                self._held[job.id] = until
                # marked as a job waiting for set-up (problems() lists it), whatever the connector's words
                setup = msg("outbox.needs_setup", reason=exc.message) if exc.message is not None else exc.user_message
                self._write("job_setup", id=job.id, error=stored_error(setup), when=until)
                return "held"
            return self._failed(job, said(exc), exc.retryable)
        except AutotaskError as exc:
            if exc.status == 429:
                self._release(job, delay=60.0 if exc.retry_after is None else exc.retry_after)
                return "deferred"
            if exc.kind in ("credentials", "permission"):
                # the API user, not this job: every Autotask job would fail alike, so they wait (like a
                # disconnected QuickBooks) instead of each burning requests and becoming a problem of its own
                self._at = None
                self._stop_reason = said(exc)
                self._hold(job)
                return "stopped"
            return self._failed(job, said(exc), exc.retryable)
        except PayAppError as exc:
            return self._failed(job, said(exc), False)
        except Exception as exc:       # a bug: keep the job, tell the user, never crash the worker
            log.exception("outbox job %s failed", job.id)
            return self._failed(job, msg("outbox.unexpected_error", error=type(exc).__name__), True)

    _stop_reason: Message | str = ""

    def _backoff(self, attempts: int) -> dt.timedelta:
        base = self._backoff_base.total_seconds()
        if base <= 0:
            return dt.timedelta(0)
        seconds = min(self._backoff_cap.total_seconds(), base * 2 ** max(0, attempts - 1))
        return dt.timedelta(seconds=seconds * random.uniform(0.8, 1.2))

    def _failed(self, job: _Claim, message: Message | str, retryable: bool) -> str:
        attempts = job.attempts + 1
        give_up = not retryable or attempts >= self._max_attempts
        stored = stored_error(message)
        self._write("job_fail", id=job.id, attempts=attempts, error=stored,
                    when=self._clock() + self._backoff(attempts),
                    status=JobStatus.NEEDS_ATTENTION if give_up else JobStatus.PENDING)
        if give_up:
            self._mark_failed(job, stored)
        return "needs_attention" if give_up else "retried"

    def _mark_failed(self, job: _Claim, stored: str) -> None:
        if job.kind == JobKind.PUSH_INVOICE and job.invoice_id:
            self._write("invoice_failed", id=job.invoice_id)
        elif job.kind == JobKind.MARK_PAID and job.invoice_id:
            self._write("payment_psa_failed", invoice=job.invoice_id, error=stored)
        elif job.payment_id:
            self._write("payment_failed", id=job.payment_id, error=stored)

    def _finish(self, job: _Claim, payload_update: dict[str, Any] | None = None) -> None:
        self._write("job_done", id=job.id, payload=json.dumps({**job.payload, **(payload_update or {})}))

    # ------------------------------------------------------------------ connectors

    async def _quickbooks(self) -> QuickBooksConnector:
        async with self._connector_lock:
            if self._qb is None:
                try:
                    self._qb = await self._qb_factory()
                except QuickBooksError as exc:
                    if exc.kind == "disconnected":
                        raise _Stop(said(exc)) from exc
                    raise
                except PayAppError as exc:
                    raise _Stop(said(exc)) from exc
            return self._qb

    async def _autotask(self) -> AutotaskConnector:
        async with self._connector_lock:
            if self._at is None:
                try:
                    self._at = await self._at_factory()
                except PayAppError as exc:
                    raise _Stop(said(exc)) from exc
            return self._at

    async def _setting(self, key: str) -> str:
        """A QuickBooks id from the settings, or the declared default (also without a SettingsService). A key
        missing from domain/settings_spec.py raises UnknownSetting here, so any test that reaches the push
        finds it, instead of a silent fallback."""
        declared = spec(key)
        if self._settings is None:
            return str(declared.default)
        return str(await self._settings.get(key) or declared.default)

    # ------------------------------------------------------------------ customers and invoices

    async def _customer_id(self, qb: QuickBooksConnector, company_id: int) -> str:
        async with self._locks[f"c{company_id}"]:
            if company_id in self._customers:
                return self._customers[company_id]
            async with self._db.sessions() as s:
                link = await s.get(AccountingCustomerLink, company_id)
                if link is not None:
                    self._customers[company_id] = link.customer_id
                    return link.customer_id
                company = await s.get(Company, company_id)
            if company is None:
                raise NotFound(msg("outbox.company_gone", company=str(company_id)))
            customer = await qb.ensure_customer(company.name, customer_request_id(company_id, self._installation),
                                                **({"CompanyName": company.name[:100]}))
            self._link_rows.append({"company_id": company_id, "customer_id": str(customer["Id"]),
                                    "display_name": str(customer.get("DisplayName", ""))[:200],
                                    "created_at": self._clock()})
            self._customers[company_id] = str(customer["Id"])
            return str(customer["Id"])

    async def _ensure_invoice(self, qb: QuickBooksConnector, invoice_id: int) -> tuple[str, str]:
        """The invoice's QuickBooks (Id, customer id), pushing it first if needed."""
        async with self._locks[f"i{invoice_id}"]:
            inv = self._inv.get(invoice_id)
            if inv is None:
                raise NotFound(msg("outbox.invoice_gone", invoice=str(invoice_id)))
            customer = await self._customer_id(qb, inv.company_id)
            if inv.accounting_id:
                return inv.accounting_id, customer
            async with self._db.sessions() as s:
                lines = (await s.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                                         .order_by(InvoiceLine.position, InvoiceLine.id))).all()
            out = _invoice_out(inv, lines, customer, await self._setting("quickbooks.item_id"))
            created = await qb.push_invoice(out, invoice_request_id(invoice_id, self._installation))
            acc_id, number = str(created["Id"]), str(created.get("DocNumber") or "")[:21] or None
            inv.accounting_id, inv.accounting_number = acc_id, number
            self._write("invoice_pushed", id=invoice_id, acc=acc_id, number=number)
            return acc_id, customer

    # ------------------------------------------------------------------ handlers

    async def _push_invoice(self, job: _Claim) -> None:
        if not job.invoice_id:
            raise ValidationError(msg("outbox.no_invoice"))
        qb = await self._quickbooks()
        await self._ensure_invoice(qb, job.invoice_id)
        self._finish(job)

    async def _payment(self, job: _Claim) -> tuple[Payment, Invoice]:
        payment = self._pay.get(job.payment_id) if job.payment_id else None
        invoice = self._inv.get(payment.invoice_id) if payment is not None else None
        if payment is None or invoice is None:
            raise NotFound(msg("outbox.payment_gone", payment=str(job.payment_id)))
        return payment, invoice

    async def _push_payment(self, job: _Claim) -> None:
        payment, invoice = await self._payment(job)
        pid = payment.id
        if not payment.accounting_id:
            qb = await self._quickbooks()
            inv_acc, customer = await self._ensure_invoice(qb, invoice.id)
            amount = Money(payment.amount_minor, payment.currency).to_decimal()
            applied = Money(payment.applied_minor, payment.currency).to_decimal() if payment.applied_minor else None
            when = (payment.decided_at or payment.created_at).date()
            note = (f"PayApp {payment.order_id} · {payment.method} {payment.brand} "
                    f"{'****' + payment.last_four if payment.last_four else ''}").strip()
            out = PaymentOut(customer, inv_acc, amount, when, payment.transaction_id or payment.order_id,
                             private_note=note, applied=applied,
                             deposit_account_id=await self._setting("quickbooks.deposit_account_id"))
            created = await qb.push_payment(out, job.request_id)
            acc_id = str(created["Id"])
        else:
            acc_id = payment.accounting_id

        self._write("payment_synced", id=pid, acc=acc_id)
        payment.accounting_id = acc_id
        self._finish(job)

    async def _payment_in_quickbooks(self, job: _Claim) -> tuple[Payment, Invoice]:
        payment, invoice = await self._payment(job)
        if not payment.accounting_id:
            async with self._db.sessions() as s:
                earlier = (await s.execute(select(func.count()).select_from(OutboxJob).where(
                    OutboxJob.payment_id == payment.id, OutboxJob.kind == JobKind.PUSH_PAYMENT,
                    OutboxJob.status == JobStatus.PENDING, OutboxJob.id < job.id))).scalar_one()
            if earlier:
                raise _Defer(msg("outbox.waiting_for_payment"))
            raise QuickBooksError(msg("outbox.payment_not_in_quickbooks"), kind="waiting", retryable=True)
        return payment, invoice

    async def _void_payment(self, job: _Claim) -> None:
        payment, _ = await self._payment_in_quickbooks(job)
        qb = await self._quickbooks()
        assert payment.accounting_id is not None
        await qb.void_payment(payment.accounting_id, job.request_id)
        pid = payment.id

        self._write("payment_synced", id=pid, acc=None)
        self._finish(job)

    async def _reverse_returned(self, job: _Claim) -> None:
        try:
            await self._void_payment(job)
        except QuickBooksError as exc:
            if exc.kind == "deposited":
                raise QuickBooksError(msg("outbox.returned_echeck_deposited"), kind="deposited",
                                      entries=exc.entries) from exc
            raise

    async def _refund_payment(self, job: _Claim) -> None:
        payment, invoice = await self._payment_in_quickbooks(job)
        qb = await self._quickbooks()
        customer = await self._customer_id(qb, invoice.company_id)
        refund = None
        if job.payload.get("refund_id"):
            async with self._db.sessions() as s:
                refund = await s.get(Refund, int(job.payload["refund_id"]))
        amount_minor = int(job.payload.get("amount_minor") or (refund.amount_minor if refund else 0))
        if amount_minor <= 0:
            raise ValidationError(msg("outbox.refund_no_amount"))
        when = ((refund.decided_at or refund.created_at) if refund else self._clock()).date()
        out = RefundOut(customer, Money(amount_minor, payment.currency).to_decimal(), when,
                        (refund.transaction_id if refund and refund.transaction_id else payment.transaction_id),
                        private_note=f"PayApp refund of {payment.order_id}",
                        item_id=await self._setting("quickbooks.item_id"),
                        account_id=await self._setting("quickbooks.refund_account_id"))
        created = await qb.refund(out, job.request_id)
        pid = payment.id

        self._write("payment_synced", id=pid, acc=None)
        self._finish(job, {"accounting_id": str(created.get("Id", ""))})

    async def _mark_paid(self, job: _Claim) -> None:
        if not job.invoice_id:
            raise ValidationError(msg("outbox.no_invoice"))
        inv = self._inv.get(job.invoice_id)
        if inv is None or inv.external_id is None:
            raise NotFound(msg("outbox.not_autotask_invoice", invoice=str(job.invoice_id)))
        paid = dt.date.fromisoformat(str(job.payload.get("paid_date") or self._clock().date().isoformat())[:10])
        at = await self._autotask()
        await at.mark_invoice_paid(inv.external_id, paid)
        iid = inv.id

        self._write("invoice_psa_marked", id=iid)
        self._write("payment_psa_synced", invoice=iid)
        self._finish(job)

    async def _skipped_record(self, job: _Claim) -> None:
        """Retry of a record the sync skipped: every sync reads it again anyway (and opens a new problem if it
        still cannot be read), so the retried problem is closed."""
        self._finish(job)

    # ------------------------------------------------------------------ people

    async def problems(self) -> list[OutboxProblem]:
        async with self._db.sessions() as s:
            rows = (await s.execute(
                select(OutboxJob, Invoice.invoice_number, Invoice.company_name, Payment.amount_minor,
                       Payment.currency)
                .outerjoin(Payment, Payment.id == OutboxJob.payment_id)
                .outerjoin(Invoice, Invoice.id == func.coalesce(OutboxJob.invoice_id, Payment.invoice_id))
                .where(or_(OutboxJob.status == JobStatus.NEEDS_ATTENTION,    # and the jobs waiting to be set up
                           and_(OutboxJob.status == JobStatus.PENDING,
                                or_(OutboxJob.last_error.startswith(NEEDS_SETUP),
                                    OutboxJob.last_error.startswith(NEEDS_SETUP_STORED)))))
                .order_by(OutboxJob.id))).all()
        out = []
        for job, number, company, amount, currency in rows:
            money = Money(amount, currency) if amount is not None and currency else None
            out.append(OutboxProblem(job.id, job.kind, kind_label(job.kind), job.attempts, from_stored(job.last_error),
                                     job.created_at, job.updated_at, job.payment_id, job.invoice_id,
                                     _subject(number or "", company or "", money)))
        return out

    async def counts(self) -> dict[str, int]:
        async with self._db.sessions() as s:
            rows = (await s.execute(select(OutboxJob.status, func.count()).group_by(OutboxJob.status))).all()
        return {str(k): int(v) for k, v in rows}

    def _require(self) -> Any:
        if self._current is None:
            return None
        return self._current.require(Permission.MANAGE_PAYMENT)

    async def retry(self, job_id: int) -> None:
        actor = self._require()
        async with self._db.transaction(lock=True) as s:
            row = await s.get(OutboxJob, job_id, with_for_update=not self._db.is_sqlite)
            if row is None or row.status not in (JobStatus.NEEDS_ATTENTION, JobStatus.PENDING):
                raise NotFound(msg("outbox.problem_gone"))
            row.status, row.attempts, row.next_attempt_at = JobStatus.PENDING, 0, self._clock()
            if row.payment_id:
                field = "psa_sync_state" if row.kind == JobKind.MARK_PAID else "accounting_sync_state"
                await s.execute(update(Payment.__table__).where(Payment.id == row.payment_id)
                                .values({field: "pending"}))
            if row.kind == JobKind.PUSH_INVOICE and row.invoice_id:
                await s.execute(update(Invoice.__table__).where(Invoice.id == row.invoice_id)
                                .values(sync_state="pending"))
            audit.record(s, actor, "outbox.retried", entity_type="outbox_job", entity_id=job_id, kind=row.kind,
                         last_error=_audited(row.last_error))
        self.wake()

    async def dismiss(self, job_id: int, reason: str) -> None:
        actor = self._require()
        reason = reason.strip()
        if not reason:
            raise ValidationError(msg("outbox.dismiss_reason"), field="reason")
        async with self._db.transaction(lock=True) as s:
            row = await s.get(OutboxJob, job_id, with_for_update=not self._db.is_sqlite)
            if row is None or row.status not in (JobStatus.NEEDS_ATTENTION, JobStatus.PENDING):
                raise NotFound(msg("outbox.problem_gone"))
            row.status, row.dismissed_reason = JobStatus.DISMISSED, reason[:300]
            if row.payment_id:
                await s.execute(update(Payment.__table__).where(Payment.id == row.payment_id).values(
                    sync_error=stored_error(msg("outbox.dismissed", reason=reason[:250]))))
            audit.record(s, actor, "outbox.dismissed", entity_type="outbox_job", entity_id=job_id, kind=row.kind,
                         reason=reason[:300], last_error=_audited(row.last_error))


def _subject(number: str, company: str, amount: Money | None) -> Message | None:
    """What a sync problem is about, from what is known of it: "Invoice 2025-000123 · Acme Dental · $12.50"."""
    values: dict[str, Money | str] = {}
    if number:
        values["invoice"] = number
    if company:
        values["company"] = company
    if amount is not None:
        values["amount"] = amount
    if not values:
        return None
    return Message("outbox.subject_" + "_".join(values), values)     # in the order invoice, company, amount


def _audited(last_error: str) -> str:
    """A job's last error for the audit log (300 characters at most): the stored message when it fits (the log
    shows it in the reader's language), else its English cut to fit (a cut message would no longer read back)."""
    if len(last_error) <= 300:
        return last_error
    found = from_stored(last_error)
    return (found.english() if isinstance(found, Message) else found)[:300]


def _invoice_out(inv: Invoice, lines: Any, customer: str, item_id: str) -> InvoiceOut:
    cur = inv.currency
    net = inv.total_minor - inv.tax_minor
    out_lines: list[InvoiceLineOut] = []
    if lines and sum(ln.amount_minor for ln in lines) == net:
        for ln in lines:
            qty = Decimal(str(ln.quantity or 1))
            out_lines.append(InvoiceLineOut(ln.description or "Services", Money(ln.amount_minor, cur).to_decimal(),
                                            qty, Money(ln.unit_price_minor, cur).to_decimal()
                                            if ln.unit_price_minor and qty * Money(ln.unit_price_minor, cur)
                                            .to_decimal() == Money(ln.amount_minor, cur).to_decimal() else None))
    else:
        out_lines.append(InvoiceLineOut(f"Invoice {inv.invoice_number}", Money(net, cur).to_decimal()))
    if inv.tax_minor:
        out_lines.append(InvoiceLineOut("Tax", Money(inv.tax_minor, cur).to_decimal()))
    return InvoiceOut(customer, inv.invoice_date, inv.due_date, tuple(out_lines), doc_number=inv.invoice_number,
                      private_note=f"Autotask invoice {inv.invoice_number} (id {inv.external_id})", item_id=item_id)


def _int(v: Any) -> int | None:
    try:
        return int(v) if v not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _insert(db: Database, table: Any) -> Any:
    """INSERT … ON CONFLICT for the database's dialect (PostgreSQL's is imported only for a PostgreSQL one)."""
    if db.is_sqlite:
        return sqlite.insert(table)
    from sqlalchemy.dialects import postgresql

    return postgresql.insert(table)
