"""QuickBooks Desktop through Intuit's Web Connector (docs/quickbooks-desktop.md): the logic of PayApp's QBWC web
service. The SOAP envelope is in services/qbwc_soap.py; this module knows only the method set.

The Web Connector polls: `authenticate` → `sendRequestXML` (one qbXML request) → `receiveResponseXML` (its
answer) → … → `closeConnection`. This service drains the same outbox as the QuickBooks Online worker (the
accounting jobs, when the setting "accounting.connector" is "quickbooks_desktop"), one request at a time:

- Exactly once without request ids: qbXML has no idempotency key that survives a session, so every add is
  preceded by a query by PayApp's own reference (the invoice number as RefNumber; the payment's order id in its
  RefNumber and Memo; the refund job in the credit memo's and refund's RefNumber). Only a query that found
  nothing allows the one add after it, and that permission is taken back in the same transaction that hands the
  add out. A response lost anywhere (the Web Connector, QuickBooks or PayApp dies) therefore means one more
  query next time, never a second record.
- The request handed out is stored with its session (`qbwc_sessions.pending`) before it leaves, and an answer
  is matched to it by type and requestID; each answer's status is recorded (`qbwc_exchanges`).
- 3200 (edit sequence out of date): the job's steps start again from the read, a few times. 3100 on a customer
  add (the name is in use): query again; QuickBooks' other list (a vendor or an employee with the name) is a
  sync problem. Other error statuses: a sync problem (needs attention), except the passing ones (a record
  locked by another user), which are tried again.
- QuickBooks Desktop ids are kept in `qbd_records`, apart from QuickBooks Online's; the invoice's QuickBooks
  number and TxnID are also written to the invoice (accounting_number / accounting_id) so PayApp shows them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hmac
import json
import logging
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from payapp.connectors.accounting import qbxml
from payapp.connectors.accounting.qbxml import QbResponse, QbXmlError
from payapp.domain.errors import ValidationError
from payapp.domain.messages import Message, msg, stored_text
from payapp.domain.money import Money
from payapp.domain.outbox_jobs import (
    ACCOUNTING_DESKTOP,
    ACCOUNTING_KINDS,
    ACCOUNTING_ONLINE,
    JobKind,
    JobStatus,
    said,
    stored_error,
)
from payapp.domain.settings_spec import spec
from payapp.models import Company, Invoice, InvoiceLine, OutboxJob, Payment, Refund
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.models.qbwc import QbdRecord, QbwcExchange, QbwcSession
from payapp.services.secrets import Secret, SecretStore, fingerprint
from payapp.services.settings import QBWC_PASSWORD_SECRET

log = logging.getLogger(__name__)

PASSWORD_SECRET = QBWC_PASSWORD_SECRET
SERVER_VERSION = "PayApp QBWC 1.0"
#: statuses of a QuickBooks that is busy, not of a wrong request: tried again in a later session
PASSING_STATUSES = frozenset({3170, 3175, 3176, 3180, 3231})
MAX_STALE_RETRIES = 3
#: how long the sessions and their requests are kept (Admin shows the last one)
KEEP_LOG = dt.timedelta(days=90)


@dataclass(frozen=True)
class Step:
    """One qbXML request for one job, and what its answer means."""
    job_id: int
    action: str                      # e.g. "customer_query", "invoice_add"
    request_type: str                # "CustomerQuery"
    request_id: str
    xml: str
    local_id: int = 0                # the company / invoice / payment / refund job the step is about
    extra: str = ""                  # e.g. the order id a payment query must find in the Memo
    ticket: str = ""                 # the session it was handed to


@dataclass(frozen=True)
class QbwcSetup:
    connector: str
    user_name: str
    app_url: str
    run_every_minutes: int
    password_set: bool
    owner_id: str
    file_id: str
    serve_locally: bool = False
    local_port: int = 8471


@dataclass(frozen=True)
class SessionSummary:
    ticket: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    requests: int
    errors: int
    last_error: str             # as stored: a message as data (from_stored), or a row's plain English


class _Fail(Exception):
    """The job cannot go on: a sync problem (`retryable`: a later session tries again)."""

    def __init__(self, message: Message, *, retryable: bool = False) -> None:
        super().__init__(message.english())
        self.message = message
        self.retryable = retryable


class _Defer(Exception):
    """Not this job now (it waits for an earlier job of its payment)."""


def payment_ref(order_id: str) -> str:
    """The payment's RefNumber in QuickBooks Desktop: the start of its order id (RefNumber holds 20
    characters); the whole order id goes into the Memo, which the query checks."""
    return order_id[: qbxml.PAYMENT_REF_MAX]


def refund_ref(job_id: int) -> str:
    return f"PA-R{job_id}"[: qbxml.REF_NUMBER_MAX]


def qwc_file(*, app_url: str, user_name: str, owner_id: str, file_id: str, run_every_minutes: int = 15,
             app_name: str = "PayApp", support_url: str = "") -> str:
    """The `.qwc` file that registers PayApp's service in the Web Connector. AppURL must be https, except
    `http://localhost` (the Web Connector refuses anything else)."""
    url = app_url.strip()
    lowered = url.lower()
    if not (lowered.startswith("https://") or lowered.startswith("http://localhost")):
        raise ValidationError(msg("qbwc.https_only"), field="app_url")
    for value, name in ((owner_id, "owner_id"), (file_id, "file_id")):
        try:
            uuid.UUID(value.strip("{}"))
        except ValueError:
            raise ValidationError(msg("qbwc.guids"), field=name) from None
    if not user_name.strip():
        raise ValidationError(msg("qbwc.user_name"), field="user_name")
    minutes = max(1, min(int(run_every_minutes), 60 * 24))
    support = support_url.strip() or url

    def el(name: str, value: str) -> str:
        return f"<{name}>{escape(value)}</{name}>"

    return ('<?xml version="1.0"?>\n<QBWCXML>\n'
            f"  {el('AppName', app_name)}\n  <AppID></AppID>\n  {el('AppURL', url)}\n"
            f"  {el('AppDescription', 'PayApp: invoices, payments, voids and refunds to QuickBooks Desktop')}\n"
            f"  {el('AppSupport', support)}\n  {el('UserName', user_name.strip())}\n"
            f"  {el('OwnerID', '{' + owner_id.strip('{}').upper() + '}')}\n"
            f"  {el('FileID', '{' + file_id.strip('{}').upper() + '}')}\n"
            "  <QBType>QBFS</QBType>\n"
            f"  <Scheduler>\n    {el('RunEveryNMinutes', str(minutes))}\n  </Scheduler>\n"
            "  <IsReadOnly>false</IsReadOnly>\n</QBWCXML>\n")


def new_guid() -> str:
    return "{" + str(uuid.uuid4()).upper() + "}"


class QbwcService:
    """The Web Connector's methods. `settings` has an async `get(key)` (SettingsService)."""

    def __init__(self, db: Database, secret_store: SecretStore, settings: Any, *,
                 clock: Callable[[], dt.datetime] = utcnow, max_attempts: int = 8,
                 backoff_base: dt.timedelta = dt.timedelta(minutes=1)) -> None:
        self._db = db
        self._secrets = secret_store
        self._settings = settings
        self._clock = clock
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._local_changed: list[Callable[[], None]] = []

    def on_local_serving_changed(self, callback: Callable[[], None]) -> None:
        """Called after the admin saved whether (and on which port) this app answers the Web Connector itself:
        the composition root starts or stops that server."""
        self._local_changed.append(callback)

    async def _setting(self, key: str) -> Any:
        declared = spec(key)
        value = await self._settings.get(key) if self._settings is not None else None
        return declared.default if value in (None, "") else value

    async def enabled(self) -> bool:
        return bool(await self._setting("accounting.connector") == ACCOUNTING_DESKTOP)

    # ------------------------------------------------------------------ the Web Connector's methods

    async def server_version(self) -> str:
        return SERVER_VERSION

    async def client_version(self, version: str) -> str:
        """"" accepts every Web Connector version (2.x speaks the method set PayApp uses)."""
        return ""

    async def authenticate(self, user_name: str, password: str) -> tuple[str, str]:
        """[ticket, ""] (work to do, in the company file open in QuickBooks), [ticket, "none"] (nothing to do),
        or ["", "nvu"] (not a valid user)."""
        expected_user = str(await self._setting("qbwc.user_name"))
        stored = self._secrets.get(PASSWORD_SECRET)
        user_ok = hmac.compare_digest(user_name.encode(), expected_user.encode())
        password_ok = stored is not None and hmac.compare_digest(password.encode(), stored.reveal().encode())
        if not (user_ok and password_ok):
            log.info("Web Connector sign-in refused (user %r)", user_name[:100])
            return "", "nvu"
        ticket = secrets.token_hex(16)
        now = self._clock()
        waiting = await self.queue_length() if await self.enabled() else 0
        async with self._db.transaction(lock=True) as s:
            # the log of sessions and requests is kept for a while, not for ever
            cutoff = now - KEEP_LOG
            await s.execute(delete(QbwcExchange).where(QbwcExchange.sent_at < cutoff))
            await s.execute(delete(QbwcSession).where(QbwcSession.started_at < cutoff))
            s.add(QbwcSession(ticket=ticket, user_name=user_name[:100], started_at=now, last_seen_at=now,
                              ended_at=None if waiting else now, company_file="", requests=0, errors=0,
                              last_error="", pending=""))
        return ticket, "" if waiting else "none"

    async def send_request_xml(self, ticket: str, company_file: str = "") -> str:
        """The next qbXML request, or "" when there is none (the Web Connector then asks getLastError)."""
        async with self._db.transaction(lock=True) as s:
            session = await self._open_session(s, ticket)
            if session is None or not await self.enabled():
                return ""
            session.last_seen_at = self._clock()
            if company_file:
                session.company_file = company_file[:500]
            step = await self._next_step(s, ticket)
            if step is None:
                session.pending = ""
                return ""
            step = dataclasses.replace(step, ticket=ticket)
            session.pending = json.dumps(dataclasses.asdict(step) | {"xml": ""})
            session.requests += 1
            s.add(QbwcExchange(ticket=ticket, job_id=step.job_id, request_type=step.request_type,
                               request_id=step.request_id, sent_at=self._clock(), message=""))
            if step.action.endswith("_add") or step.action == "void":
                # one add per query that found nothing
                await self._set_progress(s, step.job_id, allow="", allow_ticket="")
            return step.xml

    async def receive_response_xml(self, ticket: str, response: str, hresult: str = "", message: str = "") -> int:
        """Record the answer to the pending request; the percentage done (100 ends the session; negative: an
        error, whose text getLastError gives)."""
        async with self._db.transaction(lock=True) as s:
            session = await self._open_session(s, ticket)
            if session is None:
                return -1
            session.last_seen_at = self._clock()
            pending = _pending(session.pending)
            session.pending = ""
            if pending is None:
                session.errors += 1
                session.last_error = stored_error(msg("qbwc.unasked_answer"))
                return -1
            exchange = (await s.scalars(select(QbwcExchange).where(
                QbwcExchange.ticket == ticket, QbwcExchange.request_id == pending.request_id)
                .order_by(QbwcExchange.id.desc()).limit(1))).first()
            if hresult.strip():
                failed = msg("qbwc.request_not_processed", code=hresult.strip()[:40], message=message.strip()[:300])
                await self._job_failed(s, pending.job_id, failed, retryable=True)
                _record(exchange, self._clock(), None, failed.english())    # the exchange log keeps English
                session.errors += 1
                session.last_error = stored_error(failed)
                return -1
            try:
                rs = qbxml.parse_response(response, request_type=pending.request_type,
                                          request_id=pending.request_id)
            except QbXmlError as exc:
                log.info("Web Connector answer refused: %s", exc.detail)
                await self._job_failed(s, pending.job_id, said(exc), retryable=True)
                _record(exchange, self._clock(), None, exc.user_message)
                session.errors += 1
                session.last_error = stored_error(said(exc))
                return -1
            _record(exchange, self._clock(), rs.status_code, rs.message)
            try:
                await self._apply(s, pending, rs)
            except _Fail as exc:
                await self._job_failed(s, pending.job_id, exc.message, retryable=exc.retryable)
                session.errors += 1
                session.last_error = stored_error(exc.message)
            remaining = await self._due_count(s)
            if remaining == 0:
                return 100
            return max(1, min(99, session.requests * 100 // (session.requests + 2 * remaining)))

    async def connection_error(self, ticket: str, hresult: str, message: str) -> str:
        """The Web Connector could not open QuickBooks or the company file: "done" ends the session (the jobs
        wait for the next one)."""
        async with self._db.transaction(lock=True) as s:
            session = await self._open_session(s, ticket)
            if session is not None:
                session.errors += 1
                failed = msg("qbwc.connection_error", code=hresult[:40], message=message[:300])
                session.last_error = stored_error(failed)
                session.ended_at = self._clock()
                session.pending = ""
        return "done"

    async def get_last_error(self, ticket: str) -> str:
        async with self._db.sessions() as s:
            session = await s.get(QbwcSession, ticket)
        if session is None:
            return "Unknown session: start the Web Connector's update again."
        # to the Web Connector, whose log is English: the stored message in English
        return stored_text(session.last_error, "en") or "No error."

    async def close_connection(self, ticket: str) -> str:
        async with self._db.transaction(lock=True) as s:
            session = await s.get(QbwcSession, ticket)
            if session is None:
                return "PayApp: unknown session."
            if session.ended_at is None:
                session.ended_at = self._clock()
            session.pending = ""
            requests, errors = session.requests, session.errors
        return f"PayApp: {requests} request(s), {errors} error(s)."

    # ------------------------------------------------------------------ what the admin page shows

    async def last_session(self) -> SessionSummary | None:
        async with self._db.sessions() as s:
            row = (await s.scalars(select(QbwcSession).order_by(QbwcSession.started_at.desc()).limit(1))).first()
        if row is None:
            return None
        return SessionSummary(row.ticket, row.started_at, row.ended_at, row.requests, row.errors, row.last_error)

    async def queue_length(self) -> int:
        async with self._db.sessions() as s:
            return await self._due_count(s, due_only=False)

    async def setup(self) -> QbwcSetup:
        return QbwcSetup(connector=str(await self._setting("accounting.connector")),
                         user_name=str(await self._setting("qbwc.user_name")),
                         app_url=str(await self._setting("qbwc.app_url")),
                         run_every_minutes=int(await self._setting("qbwc.run_every_minutes")),
                         password_set=bool(await self._setting("qbwc.password_fingerprint")),
                         owner_id=str(await self._setting("qbwc.owner_id")),
                         file_id=str(await self._setting("qbwc.file_id")),
                         serve_locally=bool(await self._setting("qbwc.serve_locally")),
                         local_port=int(await self._setting("qbwc.local_port")))

    async def save_setup(self, *, connector: str, user_name: str, app_url: str, run_every_minutes: int,
                         password: Secret | None = None, serve_locally: bool | None = None,
                         local_port: int | None = None) -> None:
        """Save the admin's choices (settings audited and admin-only through SettingsService; the password into
        the secret store, only its fingerprint into the settings). `serve_locally`: this app answers the Web
        Connector on http://localhost:`local_port` (an empty address becomes that one)."""
        values: dict[str, Any] = {}
        if serve_locally is not None:
            port = int(local_port if local_port is not None else await self._setting("qbwc.local_port"))
            if not 1024 <= port <= 65535:
                raise ValidationError(msg("qbwc.port_range"), field="local_port")
            values |= {"qbwc.serve_locally": serve_locally, "qbwc.local_port": port}
            if serve_locally and not app_url.strip():
                app_url = f"http://localhost:{port}/qbwc"
        await self._save_setup(connector, user_name, app_url, run_every_minutes, password, values)
        if serve_locally is not None:
            for callback in self._local_changed:
                callback()

    async def _save_setup(self, connector: str, user_name: str, app_url: str, run_every_minutes: int,
                          password: Secret | None, values: dict[str, Any]) -> None:
        if connector not in (ACCOUNTING_DESKTOP, ACCOUNTING_ONLINE):
            raise ValidationError(msg("qbwc.connector_choice"), field="connector")
        if not user_name.strip() or len(user_name.strip()) > 100:
            raise ValidationError(msg("qbwc.user_name"), field="user_name")
        if app_url.strip():
            qwc_file(app_url=app_url, user_name=user_name, owner_id=new_guid(), file_id=new_guid())  # validates
        values = {**values, "accounting.connector": connector, "qbwc.user_name": user_name.strip(),
                  "qbwc.app_url": app_url.strip(), "qbwc.run_every_minutes": max(1, min(int(run_every_minutes), 1440))}
        if password is not None and password.reveal():
            if len(password.reveal()) < 8:
                raise ValidationError(msg("qbwc.password_length"), field="password")
            values["qbwc.password_fingerprint"] = fingerprint(password.reveal())
            await self._settings.set_many(values)     # the admin check comes first, then the secret
            self._secrets.set(PASSWORD_SECRET, password)
            return
        await self._settings.set_many(values)

    async def generate_qwc(self) -> str:
        """A `.qwc` file for the saved set-up, with fresh OwnerID and FileID GUIDs (kept in the settings)."""
        current = await self.setup()
        if not current.app_url:
            raise ValidationError(msg("qbwc.app_url_missing"), field="app_url")
        owner, file = new_guid(), new_guid()
        text = qwc_file(app_url=current.app_url, user_name=current.user_name, owner_id=owner, file_id=file,
                        run_every_minutes=current.run_every_minutes)
        await self._settings.set_many({"qbwc.owner_id": owner, "qbwc.file_id": file})
        return text

    # ------------------------------------------------------------------ sessions and jobs

    async def _open_session(self, s: AsyncSession, ticket: str) -> QbwcSession | None:
        if not ticket:
            return None
        session = await s.get(QbwcSession, ticket, with_for_update=not self._db.is_sqlite)
        if session is None or session.ended_at is not None:
            return None
        return session

    async def _due_count(self, s: AsyncSession, *, due_only: bool = True) -> int:
        q = select(func.count()).select_from(OutboxJob).where(OutboxJob.status == JobStatus.PENDING,
                                                              OutboxJob.kind.in_(ACCOUNTING_KINDS))
        if due_only:
            q = q.where(OutboxJob.next_attempt_at <= self._clock())
        return int((await s.execute(q)).scalar_one())

    async def _due_jobs(self, s: AsyncSession) -> list[OutboxJob]:
        return list((await s.scalars(select(OutboxJob).where(
            OutboxJob.status == JobStatus.PENDING, OutboxJob.kind.in_(ACCOUNTING_KINDS),
            OutboxJob.next_attempt_at <= self._clock()).order_by(OutboxJob.id).limit(200))).all())

    async def _next_step(self, s: AsyncSession, ticket: str) -> Step | None:
        for job in await self._due_jobs(s):
            try:
                step = await self._plan(s, job, ticket)
            except _Defer:
                continue
            except _Fail as exc:
                await self._job_failed(s, job.id, exc.message, retryable=exc.retryable)
                continue
            if step is not None:
                return step
        return None

    @staticmethod
    def _progress(job: OutboxJob) -> dict[str, Any]:
        qbd = _payload(job).get("qbd")
        return qbd if isinstance(qbd, dict) else {}

    async def _set_progress(self, s: AsyncSession, job_id: int, **changes: Any) -> None:
        job = await s.get(OutboxJob, job_id)
        if job is None:
            return
        payload = _payload(job)
        found = payload.get("qbd")
        qbd: dict[str, Any] = dict(found) if isinstance(found, dict) else {}
        qbd.update(changes)
        payload["qbd"] = {k: v for k, v in qbd.items() if v not in ("", None)}
        job.payload = json.dumps(payload)

    async def _record_of(self, s: AsyncSession, entity: str, local_id: int) -> QbdRecord | None:
        return await s.get(QbdRecord, (entity, local_id))

    def _remember(self, s: AsyncSession, entity: str, local_id: int, qb_id: str, ref: str = "") -> None:
        s.add(QbdRecord(entity=entity, local_id=local_id, qb_id=qb_id[:40], ref_number=ref[:41],
                        created_at=self._clock()))

    async def _job_done(self, s: AsyncSession, job_id: int, **payload_update: Any) -> None:
        job = await s.get(OutboxJob, job_id)
        if job is None:
            return
        payload = _payload(job)
        payload.pop("qbd", None)
        payload.update(payload_update)
        job.status, job.last_error, job.payload = JobStatus.DONE, "", json.dumps(payload)
        if job.payment_id:
            await s.execute(update(Payment).where(Payment.id == job.payment_id)
                            .values(accounting_sync_state="synced", sync_error=""))

    async def _job_failed(self, s: AsyncSession, job_id: int, message: Message | str, *, retryable: bool) -> None:
        job = await s.get(OutboxJob, job_id)
        if job is None or job.status != JobStatus.PENDING:
            return
        job.attempts += 1
        stored = job.last_error = stored_error(message)     # as data: read back in the reader's language
        give_up = not retryable or job.attempts >= self._max_attempts
        base = self._backoff_base.total_seconds()
        job.next_attempt_at = self._clock() + dt.timedelta(seconds=min(6 * 3600, base * 2 ** (job.attempts - 1)))
        await self._set_progress(s, job_id, allow="", allow_ticket="")
        if not give_up:
            return
        job.status = JobStatus.NEEDS_ATTENTION
        # a retry from the sync problems list starts from the queries again, with fresh counts
        await self._set_progress(s, job_id, stale=None, name_in_use=None)
        if job.kind == JobKind.PUSH_INVOICE and job.invoice_id:
            await s.execute(update(Invoice).where(Invoice.id == job.invoice_id).values(sync_state="failed"))
        elif job.payment_id:
            await s.execute(update(Payment).where(Payment.id == job.payment_id)
                            .values(accounting_sync_state="failed", sync_error=stored))

    # ------------------------------------------------------------------ planning: the next request of a job

    def _step(self, job: OutboxJob, action: str, request_type: str, build: Callable[[str], str],
              local_id: int = 0, extra: str = "") -> Step:
        request_id = f"{job.id}-{secrets.token_hex(4)}"
        return Step(job.id, action, request_type, request_id, build(request_id), local_id, extra)

    async def _plan(self, s: AsyncSession, job: OutboxJob, ticket: str) -> Step | None:
        progress = self._progress(job)
        # an add is allowed only right after its query found nothing, in the same session: a permission left by
        # a session that ended (the Web Connector, QuickBooks or PayApp stopped) means "query again"
        allow = str(progress.get("allow", "")) if progress.get("allow_ticket") == ticket else ""
        payload = _payload(job)
        if job.kind == JobKind.PUSH_INVOICE:
            invoice_id = job.invoice_id or _int(payload.get("invoice_id"))
            if not invoice_id:
                raise _Fail(msg("outbox.no_invoice"))
            step = await self._plan_invoice(s, job, invoice_id, allow)
            if step is None:
                await self._job_done(s, job.id)
            return step
        payment_id = job.payment_id or _int(payload.get("payment_id"))
        payment = await s.get(Payment, payment_id) if payment_id else None
        if payment is None:
            raise _Fail(msg("outbox.payment_gone", payment=str(payment_id)))
        if job.kind == JobKind.PUSH_PAYMENT:
            return await self._plan_payment(s, job, payment, allow)
        pay_rec = await self._record_of(s, "payment", payment.id)
        if pay_rec is None:
            earlier = (await s.execute(select(func.count()).select_from(OutboxJob).where(
                OutboxJob.payment_id == payment.id, OutboxJob.kind == JobKind.PUSH_PAYMENT,
                OutboxJob.status == JobStatus.PENDING, OutboxJob.id < job.id))).scalar_one()
            if earlier:
                raise _Defer()
            raise _Fail(msg("qbwc.payment_not_in_quickbooks"),
                        retryable=True)
        if job.kind in (JobKind.VOID_PAYMENT, JobKind.REVERSE_RETURNED):
            if allow == "void":
                return self._step(job, "void", "TxnVoid",
                                  lambda rid: qbxml.txn_void(rid, "ReceivePayment", pay_rec.qb_id), payment.id)
            return self._step(job, "void_check", "ReceivePaymentQuery",
                              lambda rid: qbxml.receive_payment_by_id(rid, pay_rec.qb_id), payment.id)
        if job.kind == JobKind.REFUND_PAYMENT:
            return await self._plan_refund(s, job, payment, payload, allow)
        raise _Fail(msg("outbox.unknown_job_kind", kind=repr(job.kind)))

    async def _plan_customer(self, s: AsyncSession, job: OutboxJob, company_id: int, allow: str) -> Step | str:
        """The customer's ListID, or the step that finds or makes it."""
        rec = await self._record_of(s, "customer", company_id)
        if rec is not None:
            return rec.qb_id
        company = await s.get(Company, company_id)
        if company is None:
            raise _Fail(msg("outbox.company_gone", company=str(company_id)))
        name = _customer_name(company.name)
        if allow == "customer_add":
            return self._step(job, "customer_add", "CustomerAdd",
                              lambda rid: qbxml.customer_add(rid, name, company.name), company_id)
        return self._step(job, "customer_query", "CustomerQuery", lambda rid: qbxml.customer_query(rid, name),
                          company_id)

    async def _plan_invoice(self, s: AsyncSession, job: OutboxJob, invoice_id: int, allow: str) -> Step | None:
        """None when the invoice is in QuickBooks Desktop already."""
        if await self._record_of(s, "invoice", invoice_id) is not None:
            return None
        inv = await s.get(Invoice, invoice_id)
        if inv is None:
            raise _Fail(msg("outbox.invoice_gone", invoice=str(invoice_id)))
        if len(inv.invoice_number) > qbxml.REF_NUMBER_MAX:
            raise _Fail(msg("qbwc.invoice_number_too_long", number=inv.invoice_number,
                            characters=qbxml.REF_NUMBER_MAX))
        customer = await self._plan_customer(s, job, inv.company_id, allow)
        if isinstance(customer, Step):
            return customer
        if allow != "invoice_add":
            return self._step(job, "invoice_query", "InvoiceQuery",
                              lambda rid: qbxml.invoice_query(rid, inv.invoice_number), invoice_id, customer)
        lines = (await s.scalars(select(InvoiceLine).where(InvoiceLine.invoice_id == invoice_id)
                                 .order_by(InvoiceLine.position, InvoiceLine.id))).all()
        item = str(await self._setting("qbwc.item_name"))
        out = qbxml.InvoiceAdd(customer, inv.invoice_date, inv.invoice_number, item, _lines(inv, lines), inv.due_date,
                               f"Autotask invoice {inv.invoice_number} (PayApp {inv.id})")
        return self._step(job, "invoice_add", "InvoiceAdd", lambda rid: qbxml.invoice_add(rid, out), invoice_id,
                          customer)

    async def _plan_payment(self, s: AsyncSession, job: OutboxJob, payment: Payment, allow: str) -> Step | None:
        if await self._record_of(s, "payment", payment.id) is not None:
            await self._job_done(s, job.id)
            return None
        step = await self._plan_invoice(s, job, payment.invoice_id, allow)
        if step is not None:
            return step
        inv_rec = await self._record_of(s, "invoice", payment.invoice_id)
        cust_rec = await self._record_of(s, "customer", (await _company_of(s, payment.invoice_id)))
        assert inv_rec is not None and cust_rec is not None
        ref = payment_ref(payment.order_id)
        if allow != "payment_add":
            return self._step(job, "payment_query", "ReceivePaymentQuery",
                              lambda rid: qbxml.receive_payment_query(rid, ref), payment.id, payment.order_id)
        total = Money(payment.amount_minor, payment.currency).to_decimal()
        applied = Money(payment.applied_minor, payment.currency).to_decimal() if payment.applied_minor else total
        when = (payment.decided_at or payment.created_at).date()
        brand = f" {payment.brand}" if payment.brand else ""
        last4 = f" ****{payment.last_four}" if payment.last_four else ""
        out = qbxml.ReceivePaymentAdd(cust_rec.qb_id, inv_rec.qb_id, when, ref, total, min(applied, total),
                                      f"PayApp {payment.order_id} · {payment.method}{brand}{last4}")
        return self._step(job, "payment_add", "ReceivePaymentAdd", lambda rid: qbxml.receive_payment_add(rid, out),
                          payment.id, payment.order_id)

    async def _plan_refund(self, s: AsyncSession, job: OutboxJob, payment: Payment, payload: dict[str, Any],
                           allow: str) -> Step | None:
        company_id = await _company_of(s, payment.invoice_id)
        customer = await self._plan_customer(s, job, company_id, allow)
        if isinstance(customer, Step):
            return customer
        refund = await s.get(Refund, int(payload["refund_id"])) if _int(payload.get("refund_id")) else None
        amount_minor = _int(payload.get("amount_minor")) or (refund.amount_minor if refund else 0)
        if not amount_minor or amount_minor <= 0:
            raise _Fail(msg("outbox.refund_no_amount"))
        amount = Money(amount_minor, payment.currency).to_decimal()
        when = ((refund.decided_at or refund.created_at) if refund else self._clock()).date()
        ref = refund_ref(job.id)
        memo = f"PayApp refund job {job.id} of {payment.order_id}"
        item = str(await self._setting("qbwc.item_name"))
        memo_rec = await self._record_of(s, "credit_memo", job.id)
        if memo_rec is None:
            if allow == "credit_memo_add":
                out = qbxml.CreditMemoAdd(customer, when, ref, item, amount, memo)
                return self._step(job, "credit_memo_add", "CreditMemoAdd",
                                  lambda rid: qbxml.credit_memo_add(rid, out), job.id, memo)
            return self._step(job, "credit_memo_query", "CreditMemoQuery",
                              lambda rid: qbxml.credit_memo_query(rid, ref), job.id, memo)
        if await self._record_of(s, "refund", job.id) is not None:
            await self._job_done(s, job.id)
            return None
        if allow == "refund_add":
            refund_out = qbxml.RefundAdd(customer, memo_rec.qb_id, when, ref, amount, memo,
                                         str(await self._setting("qbwc.refund_account")))
            return self._step(job, "refund_add", "ARRefundCreditCardAdd",
                              lambda rid: qbxml.refund_add(rid, refund_out), job.id, memo)
        return self._step(job, "refund_query", "ARRefundCreditCardQuery",
                          lambda rid: qbxml.refund_query(rid, ref), job.id, memo)

    # ------------------------------------------------------------------ applying an answer

    async def _apply(self, s: AsyncSession, step: Step, rs: QbResponse) -> None:
        job = await s.get(OutboxJob, step.job_id)
        if job is None or job.status != JobStatus.PENDING:
            return
        progress = self._progress(job)
        if rs.status_code == qbxml.STATUS_STALE:
            stale = int(progress.get("stale", 0) or 0) + 1
            if stale > MAX_STALE_RETRIES:
                raise _Fail(msg("qbwc.record_keeps_changing", answer=rs.describe()), retryable=True)
            await self._set_progress(s, job.id, allow="", stale=stale)       # re-read, then try again
            return
        if rs.status_code == qbxml.STATUS_NAME_IN_USE and step.action == "customer_add":
            if progress.get("name_in_use"):
                raise _Fail(msg("qbwc.name_taken", answer=rs.describe()))
            await self._set_progress(s, job.id, allow="", name_in_use=True)  # somebody added it meanwhile
            return
        if rs.is_error:
            raise _Fail(rs.describe(), retryable=rs.status_code in PASSING_STATUSES)
        found = rs.records if rs.ok else ()
        handler = getattr(self, f"_on_{step.action}")
        await handler(s, job, step, found)

    async def _on_customer_query(self, s: AsyncSession, job: OutboxJob, step: Step,
                                 found: tuple[qbxml.QbRecord, ...]) -> None:
        match = next((r for r in found if r.list_id), None)
        if match is None:
            await self._set_progress(s, job.id, allow="customer_add", allow_ticket=step.ticket)
            return
        self._remember(s, "customer", step.local_id, match.list_id, match.name)
        await self._set_progress(s, job.id, allow="", name_in_use=None)

    async def _on_customer_add(self, s: AsyncSession, job: OutboxJob, step: Step,
                               found: tuple[qbxml.QbRecord, ...]) -> None:
        match = next((r for r in found if r.list_id), None)
        if match is None:
            raise _Fail(msg("qbwc.customer_no_list_id"), retryable=True)
        self._remember(s, "customer", step.local_id, match.list_id, match.name)

    async def _invoice_found(self, s: AsyncSession, job: OutboxJob, step: Step, record: qbxml.QbRecord) -> None:
        self._remember(s, "invoice", step.local_id, record.txn_id, record.ref_number)
        await s.execute(update(Invoice).where(Invoice.id == step.local_id).values(
            accounting_id=record.txn_id[:40], accounting_number=record.ref_number[:21] or None, sync_state="synced"))
        if job.kind == JobKind.PUSH_INVOICE:
            await self._job_done(s, job.id)

    async def _on_invoice_query(self, s: AsyncSession, job: OutboxJob, step: Step,
                                found: tuple[qbxml.QbRecord, ...]) -> None:
        ours = [r for r in found if r.txn_id and (not r.customer_list_id or r.customer_list_id == step.extra)]
        if ours:
            await self._invoice_found(s, job, step, ours[0])
            return
        if found:
            raise _Fail(msg("qbwc.invoice_number_other_customer", number=found[0].ref_number,
                            customer=found[0].customer_name))
        await self._set_progress(s, job.id, allow="invoice_add", allow_ticket=step.ticket)

    async def _on_invoice_add(self, s: AsyncSession, job: OutboxJob, step: Step,
                              found: tuple[qbxml.QbRecord, ...]) -> None:
        record = next((r for r in found if r.txn_id), None)
        if record is None:
            raise _Fail(msg("qbwc.invoice_no_txn_id"), retryable=True)
        await self._invoice_found(s, job, step, record)

    async def _payment_found(self, s: AsyncSession, job: OutboxJob, step: Step, record: qbxml.QbRecord) -> None:
        self._remember(s, "payment", step.local_id, record.txn_id, record.ref_number)
        await s.execute(update(Payment).where(Payment.id == step.local_id).values(accounting_id=record.txn_id[:40]))
        await self._job_done(s, job.id)

    async def _on_payment_query(self, s: AsyncSession, job: OutboxJob, step: Step,
                                found: tuple[qbxml.QbRecord, ...]) -> None:
        ours = [r for r in found if r.txn_id and step.extra in r.memo]
        if ours:
            await self._payment_found(s, job, step, ours[0])
        else:
            await self._set_progress(s, job.id, allow="payment_add", allow_ticket=step.ticket)

    async def _on_payment_add(self, s: AsyncSession, job: OutboxJob, step: Step,
                              found: tuple[qbxml.QbRecord, ...]) -> None:
        record = next((r for r in found if r.txn_id), None)
        if record is None:
            raise _Fail(msg("qbwc.payment_no_txn_id"), retryable=True)
        await self._payment_found(s, job, step, record)

    async def _on_void_check(self, s: AsyncSession, job: OutboxJob, step: Step,
                             found: tuple[qbxml.QbRecord, ...]) -> None:
        if not found:
            raise _Fail(msg("qbwc.payment_gone_there"))
        if qbxml.is_voided(found[0]):
            await self._job_done(s, job.id)
        else:
            await self._set_progress(s, job.id, allow="void", allow_ticket=step.ticket)

    async def _on_void(self, s: AsyncSession, job: OutboxJob, step: Step, found: tuple[qbxml.QbRecord, ...]) -> None:
        await self._job_done(s, job.id)

    async def _on_credit_memo_query(self, s: AsyncSession, job: OutboxJob, step: Step,
                                    found: tuple[qbxml.QbRecord, ...]) -> None:
        ours = [r for r in found if r.txn_id and step.extra in r.memo]
        if ours:
            self._remember(s, "credit_memo", job.id, ours[0].txn_id, ours[0].ref_number)
        else:
            await self._set_progress(s, job.id, allow="credit_memo_add", allow_ticket=step.ticket)

    async def _on_credit_memo_add(self, s: AsyncSession, job: OutboxJob, step: Step,
                                  found: tuple[qbxml.QbRecord, ...]) -> None:
        record = next((r for r in found if r.txn_id), None)
        if record is None:
            raise _Fail(msg("qbwc.credit_memo_no_txn_id"), retryable=True)
        self._remember(s, "credit_memo", job.id, record.txn_id, record.ref_number)

    async def _on_refund_query(self, s: AsyncSession, job: OutboxJob, step: Step,
                               found: tuple[qbxml.QbRecord, ...]) -> None:
        ours = [r for r in found if r.txn_id and step.extra in r.memo]
        if ours:
            await self._refund_found(s, job, ours[0])
        else:
            await self._set_progress(s, job.id, allow="refund_add", allow_ticket=step.ticket)

    async def _on_refund_add(self, s: AsyncSession, job: OutboxJob, step: Step,
                             found: tuple[qbxml.QbRecord, ...]) -> None:
        record = next((r for r in found if r.txn_id), None)
        if record is None:
            raise _Fail(msg("qbwc.refund_no_txn_id"), retryable=True)
        await self._refund_found(s, job, record)

    async def _refund_found(self, s: AsyncSession, job: OutboxJob, record: qbxml.QbRecord) -> None:
        self._remember(s, "refund", job.id, record.txn_id, record.ref_number)
        await self._job_done(s, job.id, accounting_id=record.txn_id)


# ---------------------------------------------------------------- helpers


def _pending(text: str) -> Step | None:
    if not text:
        return None
    try:
        data = json.loads(text)
        return Step(**{f.name: data[f.name] for f in dataclasses.fields(Step)})
    except (ValueError, KeyError, TypeError):
        return None


def _record(exchange: QbwcExchange | None, when: dt.datetime, code: int | None, message: str) -> None:
    if exchange is not None:
        exchange.received_at, exchange.status_code, exchange.message = when, code, message[:500]


def _payload(job: OutboxJob) -> dict[str, Any]:
    try:
        data = json.loads(job.payload or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _customer_name(name: str) -> str:
    """QuickBooks Desktop customer names hold 41 characters and no colon (it separates customer and job)."""
    cleaned = " ".join(name.replace(":", " ").split())
    return cleaned[: qbxml.CUSTOMER_NAME_MAX] or "Unnamed customer"


async def _company_of(s: AsyncSession, invoice_id: int) -> int:
    company_id = (await s.execute(select(Invoice.company_id).where(Invoice.id == invoice_id))).scalar_one_or_none()
    if company_id is None:
        raise _Fail(msg("outbox.invoice_gone", invoice=str(invoice_id)))
    return int(company_id)


def _lines(inv: Invoice, lines: Any) -> tuple[qbxml.LineOut, ...]:
    """The invoice's lines when they add up to its net amount, else one line; tax as a line of its own."""
    cur = inv.currency
    net = inv.total_minor - inv.tax_minor
    out: list[qbxml.LineOut] = []
    if lines and sum(ln.amount_minor for ln in lines) == net:
        for ln in lines:
            amount = Money(ln.amount_minor, cur).to_decimal()
            qty = Decimal(str(ln.quantity or 1))
            rate = Money(ln.unit_price_minor, cur).to_decimal() if ln.unit_price_minor else None
            exact = rate is not None and qty * rate == amount
            out.append(qbxml.LineOut(ln.description or "Services", amount, qty if exact else None,
                                     rate if exact else None))
    else:
        out.append(qbxml.LineOut(f"Invoice {inv.invoice_number}", Money(net, cur).to_decimal()))
    if inv.tax_minor:
        out.append(qbxml.LineOut("Tax", Money(inv.tax_minor, cur).to_decimal()))
    return tuple(out)


