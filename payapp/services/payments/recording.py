"""Recording decisions: the one write path of a payment's outcome. `_record` writes what is known about a payment in
one transaction with everything that follows from it (the invoice's paid amount and balance, the saved method, the
audit entries and the outbox jobs for accounting and the PSA), idempotently: a payment already decided is left as
it is."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from payapp.domain.errors import NotFound
from payapp.domain.messages import msg, to_stored
from payapp.domain.outbox_jobs import JobKind
from payapp.domain.payment_state import UNDECIDED, PaymentStatus, invoice_status, transition
from payapp.models import OutboxJob
from payapp.services import audit
from payapp.services.auth import Actor
from payapp.services.payments.base import _LOG, EngineBase
from payapp.services.payments.decisions import (
    _Decision,
    _PaymentFacts,
    _result,
    recorded_response,
    stored_response,
)
from payapp.services.payments.statements import (
    _INSERT_AUDIT_EVENT,
    _INSERT_OUTBOX_JOB,
    _LOCK_PAYMENT_AND_INVOICE,
    _LOCK_SAVED_METHOD,
    _UPDATE_INVOICE,
    _UPDATE_METHOD,
    _UPDATE_PAYMENT,
    _insert_rows,
)
from payapp.services.payments.values import PaymentResult

S = PaymentStatus

#: Payment.attention (String(300)) of a payment approved after PayApp had closed it as failed
APPROVED_LATE_ALERT = to_stored(msg("attention.approved_late"), limit=300)


class Recording(EngineBase):
    """The one write path of a payment's decision and everything that follows from it."""

    async def _record(self, payment_id: int, d: _Decision, actor: Actor) -> PaymentResult:
        """Record what is known about a payment, idempotently, with all its consequences."""
        now = self._now()

        def work(conn: Connection) -> PaymentResult:
            row = conn.execute(_LOCK_PAYMENT_AND_INVOICE, {"payment_id": payment_id}).first()
            if row is None:
                raise NotFound(msg("payment.this_gone"))
            p = _PaymentFacts(row.id, row.order_id, row.status, row.amount_minor, row.currency, row.method,
                              row.transaction_id, row.response_text, row.approved_late)
            # An approval for a payment PayApp had closed as `error` is never dropped (issue #12.1): the money
            # was taken, so the payment is approved, with an alert for a person.
            late = p.status == S.ERROR and d.outcome == "approved"
            if p.status not in UNDECIDED and not late:
                return _result(p, _Decision(p.status, message=recorded_response(p.response_text)))
            audits: list[dict[str, Any]] = []
            changes: dict[str, Any]
            if d.outcome == "unknown":
                first = p.status == S.PENDING
                attempts = row.reconcile_attempts + 1
                step = self._backoff[min(attempts - 1, len(self._backoff) - 1)]
                changes = {"reconcile_attempts": attempts, "next_check_at": now + step}
                if first:
                    p.status = changes["status"] = transition(S(p.status), S.UNKNOWN).value
                    audits.append(audit.entry(actor, "payment.unknown", entity_type="payment", entity_id=p.id,
                                              order_id=p.order_id, amount_minor=p.amount_minor,
                                              reason=stored_response(d.message, 200)))
                    if d.message:
                        p.response_text = changes["response_text"] = stored_response(d.message)
                conn.execute(_UPDATE_PAYMENT, {"row_id": p.id, **changes})
                _insert_rows(conn, _INSERT_AUDIT_EVENT, audits)
                return _result(p, d)
            p.transaction_id = d.transaction_id[:64]
            p.response_text = stored_response(d.message)
            changes = {"transaction_id": p.transaction_id, "auth_code": d.auth_code[:20],
                       "response_code": d.response_code[:10], "response_text": p.response_text,
                       "avs_result": d.avs[:2], "cvv_result": d.cvv[:2], "decided_at": now, "next_check_at": None}
            details = {"order_id": p.order_id, "amount_minor": p.amount_minor, "currency": p.currency,
                       "invoice_id": row.invoice_id, "transaction_id": p.transaction_id,
                       "response_code": changes["response_code"], "method": p.method, "last_four": row.last_four}
            jobs: list[dict[str, Any]] = []
            if d.outcome == "approved":
                p.status = changes["status"] = transition(S(p.status), S.APPROVED).value
                changes["applied_minor"] = p.amount_minor
                changes.update(self._apply_approval(conn, row, d, actor, now, details, audits, jobs))
                if late:
                    p.approved_late = changes["approved_late"] = True
                    changes["attention"] = APPROVED_LATE_ALERT
                    audits.append(audit.entry(actor, "payment.approved_after_failure", entity_type="payment",
                                              entity_id=p.id, message=APPROVED_LATE_ALERT, **details))
                    _LOG.warning("payment %s: approved by the gateway after it was marked failed", p.id)
            else:
                new = S.DECLINED if d.outcome == "declined" else S.ERROR
                p.status = changes["status"] = transition(S(p.status), new).value
                audits.append(audit.entry(actor, f"payment.{new.value}", entity_type="payment", entity_id=p.id,
                                          message=p.response_text, **details))
            conn.execute(_UPDATE_PAYMENT, {"row_id": p.id, **changes})
            _insert_rows(conn, _INSERT_AUDIT_EVENT, audits)
            _insert_rows(conn, _INSERT_OUTBOX_JOB, jobs)
            return _result(p, d)

        # not synced to disk: a power cut that takes the decision back leaves the payment `pending` (that row was
        # synced before the charge), and reconciliation decides it again from the gateway by its order id
        return await self._uow.run(work, synced=False)

    def _apply_approval(self, conn: Connection, row: Any, d: _Decision, actor: Actor, now: dt.datetime,
                        details: dict[str, object], audits: list[dict[str, Any]],
                        jobs: list[dict[str, Any]]) -> dict[str, Any]:
        """The consequences of an approval (invoice, saved method, audit, outbox), written or queued into
        `audits`/`jobs` for the caller to insert. Returns further changes to the payment row."""
        paid = row.paid_minor + row.amount_minor
        balance = row.balance_minor - row.amount_minor
        invoice_changes: dict[str, Any] = {"paid_minor": paid, "balance_minor": balance,
                                           "status": invoice_status(row.total_minor, paid, row.is_voided).value}
        fully_paid = balance <= 0
        if fully_paid:
            invoice_changes["paid_date"] = now.date()
        conn.execute(_UPDATE_INVOICE, {"row_id": row.invoice_id, **invoice_changes})
        if row.saved_method_id is not None:
            sm = conn.execute(_LOCK_SAVED_METHOD, {"method_id": row.saved_method_id}).first()
            if sm is not None:
                method_changes: dict[str, Any] = {"last_used_at": now}
                if not sm.is_active and sm.last_used_at is None:      # saved with this charge
                    method_changes["is_active"] = True
                    if sm.method == "card":
                        method_changes["initial_transaction_id"] = d.transaction_id[:64]
                    if d.vault_id:
                        method_changes["vault_id"] = d.vault_id[:64]
                    audits.append(audit.entry(actor, "payment_method.saved", entity_type="saved_payment_method",
                                              entity_id=sm.id, company_id=sm.company_id, method=sm.method,
                                              last_four=sm.last_four))
                conn.execute(_UPDATE_METHOD, {"row_id": sm.id, **method_changes})
        audits.append(audit.entry(actor, "payment.approved", entity_type="payment", entity_id=row.id, **details))
        changes: dict[str, Any] = {"accounting_sync_state": "pending"}
        jobs.append(self._job_row(JobKind.PUSH_PAYMENT, {"payment_id": row.id}, payment_id=row.id,
                                  invoice_id=row.invoice_id))
        if fully_paid:
            changes["psa_sync_state"] = "pending"
            jobs.append(self._job_row(JobKind.MARK_PAID, {"invoice_id": row.invoice_id,
                                                                "paid_date": now.date().isoformat()},
                                      payment_id=row.id, invoice_id=row.invoice_id))
        return changes

    @staticmethod
    def _job_row(kind: str, payload: dict[str, object], *, payment_id: int | None = None,
                 invoice_id: int | None = None, refund_id: int | None = None) -> dict[str, Any]:
        """The column values of an outbox job (`_job` for Core inserts)."""
        return {"kind": kind, "payload": json.dumps(payload, sort_keys=True), "payment_id": payment_id,
                "invoice_id": invoice_id, "refund_id": refund_id, "request_id": uuid.uuid4().hex[:32]}

    @staticmethod
    def _job(s: Session | AsyncSession, kind: str, payload: dict[str, object], *, payment_id: int | None = None,
             invoice_id: int | None = None, refund_id: int | None = None) -> None:
        s.add(OutboxJob(**Recording._job_row(kind, payload, payment_id=payment_id, invoice_id=invoice_id,
                                                  refund_id=refund_id)))
