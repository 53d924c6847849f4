"""Voids and refunds: each attempt is its own `Refund` row with its own order id, committed as pending before the one
call to the gateway; an unknown outcome is resolved, as a payment's is, only by looking it up. A completed one is
recorded with what it brings: the invoice, the audit entry and the outbox job."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from sqlalchemy import func, select

from payapp.connectors.gateways.port import GatewayTransaction, LookupFailed
from payapp.domain.errors import ConflictError, NotFound, PayAppError, ValidationError
from payapp.domain.messages import Message, msg, to_stored
from payapp.domain.money import Money, decimal_to_minor
from payapp.domain.outbox_jobs import JobKind
from payapp.domain.payment_state import (
    InvoiceStatus,
    PaymentStatus,
    after_reversal,
    invoice_status,
    status_word,
    transition,
)
from payapp.domain.roles import Permission
from payapp.domain.validation import clean_typed_text
from payapp.models import Invoice, Payment, Refund
from payapp.services.auth import Actor
from payapp.services.payments.base import _LOG, FAST_SEND, _audit, _GatewaySet
from payapp.services.payments.decisions import _Decision, _decision, recorded_response, stored_response
from payapp.services.payments.recording import Recording
from payapp.services.payments.values import RefundResult

S = PaymentStatus

REFUND_UNDECIDED = ("pending", "unknown")
#: How far back a lost refund's action may be dated before its Refund row was written (clocks differ).
REFUND_CLOCK_SLACK = dt.timedelta(minutes=2)


def _to_minor(amount: str, currency: str) -> int | None:
    try:
        return decimal_to_minor(Decimal(amount), currency)
    except (InvalidOperation, ValueError):
        return None


class Refunds(Recording):
    """Voids and refunds; what they bring queues outbox jobs as a payment's decision does (`_job`)."""

    async def void_or_refund(self, payment_id: int, amount_minor: int | None = None,
                             reason: str = "", *, reopen_invoice: bool = False) -> RefundResult:
        """Void an unsettled payment (in full only), or refund a settled one fully or partly
        (up to what has not been refunded yet). The gateway decides which applies.

        A refund keeps the invoice paid by default: the money goes back to the customer and QuickBooks gets a
        refund receipt; Autotask keeps its paid date. `reopen_invoice=True` (a refund of the whole payment only)
        re-opens it instead, as a returned eCheck does: the invoice balance goes back up, QuickBooks' payment is
        voided (its invoice is open again there too), and Autotask, whose API cannot clear a paid date, is left
        as it is. A void always re-opens the invoice (the charge never happened)."""
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        reason = clean_typed_text(reason)              # typed: stored, so no NUL and no lone surrogate
        attempt: dict[str, Any] = {"kind": "", "amount_minor": amount_minor}
        try:
            return await self._void_or_refund(actor, attempt, payment_id, amount_minor, reason,
                                              reopen_invoice=bool(reopen_invoice))
        except PayAppError as exc:
            # a refused attempt is audited with why (one that reached the gateway is audited where it is
            # recorded, whatever its outcome)
            await self._audit_refused(actor, payment_id, attempt, reason, exc)
            raise

    async def _audit_refused(self, actor: Actor, payment_id: int, attempt: dict[str, Any], reason: str,
                             exc: PayAppError) -> None:
        kind = attempt["kind"] or "refund"
        try:
            async with self._db.transaction() as s:
                _audit(s, actor, f"payment.{kind}_failed", entity_type="payment", entity_id=payment_id,
                       amount_minor=attempt["amount_minor"], reason=reason[:300],
                       message=stored_response(exc.message or exc.user_message),
                       sent=False)
        except Exception:  # the user still gets the refusal; the log keeps the gap
            _LOG.exception("could not audit a refused %s of payment %s", kind, payment_id)

    async def _void_or_refund(self, actor: Actor, attempt: dict[str, Any], payment_id: int,
                              amount_minor: int | None, reason: str, *, reopen_invoice: bool) -> RefundResult:
        async with self._db.sessions() as s:
            p0 = await s.get(Payment, payment_id)
        if p0 is None:
            raise NotFound(msg("payment.this_gone"))
        # through the gateway that took it, whichever is chosen now
        gateway = await self._gateways.for_gateway(p0.gateway)
        attempt["kind"] = "void" if p0.status == S.APPROVED else "refund"
        if p0.status not in (S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED):
            raise ConflictError(msg("payment.not_refundable", status=status_word(PaymentStatus(p0.status))))
        try:
            txs = await gateway.find_transactions(p0.transaction_id)
        except LookupFailed as exc:
            raise PayAppError(msg("payment.lookup_failed", reason=exc.message)) from None
        tx = next((t for t in txs if t.transaction_id == p0.transaction_id), None)
        condition = tx.state if tx else ""
        if condition == "pending_settlement":
            kind = attempt["kind"] = "void"
        elif condition == "settled":
            kind = attempt["kind"] = "refund"
        else:
            shown = condition.replace("_", " ") if condition else "not found"
            # the gateway's own state word, as its portal shows it
            raise ConflictError(msg("payment.gateway_state_not_refundable", state=shown))
        now = self._now()
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id, with_for_update=True)
            assert p is not None
            if p.status not in (S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED):
                raise ConflictError(msg("payment.not_refundable", status=status_word(PaymentStatus(p.status))))
            open_refunds = int(await s.scalar(
                select(func.coalesce(func.sum(Refund.amount_minor), 0))
                .where(Refund.payment_id == p.id, Refund.status.in_(REFUND_UNDECIDED))) or 0)
            if open_refunds:
                raise ConflictError(msg("refund.still_confirming"))
            remaining = p.amount_minor - p.refunded_minor
            amount = remaining if amount_minor is None else amount_minor
            if kind == "void" and amount != remaining:
                raise ValidationError(msg("refund.void_in_full"), field="amount")
            if amount <= 0 or amount > remaining:
                raise ValidationError(msg("refund.at_most", amount=Money(remaining, p.currency)), field="amount")
            if kind == "refund" and reopen_invoice and (p.refunded_minor or amount != p.amount_minor):
                raise ValidationError(msg("refund.whole_to_reopen"), field="amount")
            if kind == "refund" and p.status == S.APPROVED:
                p.status = transition(S.APPROVED, S.SETTLED)
                settle = tx.action("settle") if tx else None
                p.settled_at = (settle.at if settle else None) or now
            started_mono, started_wall = time.monotonic(), time.time()
            db_now = now if self._db.is_sqlite else cast(dt.datetime, await s.scalar(
                select(func.clock_timestamp()))).astimezone(dt.UTC)
            refund = Refund(payment_id=p.id, order_id=f"rf{p.id}-{uuid.uuid4().hex[:24]}", kind=kind,
                            amount_minor=amount, currency=p.currency, status="pending", reason=reason[:300],
                            created_by=actor.user_id, created_at=now, send_deadline=db_now + self._send_window,
                            reopen_invoice=kind == "void" or reopen_invoice)
            s.add(refund)
            await s.flush()
            refund_id = refund.id
            transaction_id, currency, method = p.transaction_id, p.currency, p.method
        await self._point("refund_pending_committed")
        # as for payments: never sent past its deadline (another workstation may have closed it meanwhile)
        elapsed = max(time.monotonic() - started_mono, time.time() - started_wall)
        if (elapsed >= min(FAST_SEND, self._send_window.total_seconds() / 2)
                and not await self._claim_refund_send(refund_id)):
            return await self._record_refund(refund_id, _Decision("error", message=msg("refund_result.held_up")),
                                             actor)
        await self._point("refund_send_checked")
        if kind == "void":
            response = await gateway.void(transaction_id, method=method)
        else:
            part = None if amount == remaining else Money(amount, currency)
            response = await gateway.refund(transaction_id, amount=part, method=method)
        if response.outcome == "unknown" and not response.sent:
            return await self._record_refund(refund_id, _Decision(
                "error", message=msg("refund_result.unreachable")), actor)
        result = await self._record_refund(refund_id, _decision(response), actor)
        if response.rate_limited and result.status == "error":
            return replace(result, message=msg("refund_result.rate_limited"))
        for delay in self._lookup_delays if result.status == "unknown" else ():
            await asyncio.sleep(delay)
            resolved = await self._resolve_refund(_GatewaySet(self._gateways, gateway), refund_id, actor,
                                                  final=False)
            if resolved is not None and resolved.status != "unknown":
                return resolved
        return result

    async def _claim_refund_send(self, refund_id: int) -> bool:
        """True while the void/refund is still pending and its deadline (database clock) has not passed."""
        async with self._db.transaction(lock=True) as s:
            r = await s.get(Refund, refund_id, with_for_update=True)
            if r is None or r.status != "pending":
                return False
            if r.send_deadline is None:
                return True
            now = self._now() if self._db.is_sqlite else cast(dt.datetime, await s.scalar(
                select(func.clock_timestamp()))).astimezone(dt.UTC)
            return now <= r.send_deadline

    @staticmethod
    def _refund_result(r: Refund, p: Payment) -> RefundResult:
        # the id names the kind: "refund_result.void_done", "refund_result.refund_declined", … (each one's words
        # are checked by tests/unit/test_payment_messages.py)
        amount = Money(r.amount_minor, r.currency)
        said = recorded_response(r.response_text)
        message: Message
        if r.status == "approved":
            message = msg(f"refund_result.{r.kind}_done", amount=amount)
        elif r.status in ("declined", "error"):
            message = msg(f"refund_result.{r.kind}_{r.status}", reason=said)
        else:
            message = msg(f"refund_result.{r.kind}_unconfirmed", amount=amount)
        return RefundResult(r.status, r.id, p.id, r.kind, r.amount_minor, r.currency, p.status, message)

    async def _record_refund(self, refund_id: int, d: _Decision, actor: Actor) -> RefundResult:
        now = self._now()
        async with self._db.transaction(lock=True) as s:
            r = await s.get(Refund, refund_id, with_for_update=True)
            assert r is not None
            p = await s.get(Payment, r.payment_id, with_for_update=True)
            assert p is not None
            # the gateway completed a void/refund PayApp had closed as `error` without a gateway answer: recorded
            late = r.status == "error" and not r.response_code and d.outcome == "approved"
            if r.status not in REFUND_UNDECIDED and not late:
                return self._refund_result(r, p)
            if late:
                p.attention = to_stored(msg("attention.void_completed_late") if r.kind == "void" else
                                        msg("attention.refund_completed_late"), limit=300)
                _LOG.warning("refund %s of payment %s: completed after it was marked failed", r.id, p.id)
            if d.outcome == "unknown":
                if r.status == "pending":
                    r.status = "unknown"
                    r.response_text = stored_response(d.message)
                    _audit(s, actor, f"payment.{r.kind}_unknown", entity_type="payment", entity_id=p.id,
                                 refund_id=r.id, order_id=r.order_id, amount_minor=r.amount_minor)
                return self._refund_result(r, p)
            r.transaction_id = d.transaction_id[:64]
            r.response_code = d.response_code[:10]
            r.response_text = stored_response(d.message)
            r.decided_at = now
            details = {"refund_id": r.id, "order_id": r.order_id, "amount_minor": r.amount_minor,
                       "currency": r.currency, "reason": r.reason, "transaction_id": r.transaction_id}
            if d.outcome != "approved":
                r.status = "declined" if d.outcome == "declined" else "error"
                _audit(s, actor, f"payment.{r.kind}_failed", entity_type="payment", entity_id=p.id,
                             message=r.response_text, **details)
                return self._refund_result(r, p)
            r.status = "approved"
            inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
            assert inv is not None
            if p.status == S.RETURNED:
                # The bank returned the eCheck and the gateway also completed this void/refund: the money is
                # already off the invoice and out of the books, so nothing moves again; a person must recover
                # what went back twice.
                p.status = after_reversal(S(p.status), r.kind, p.refunded_minor + r.amount_minor, p.amount_minor)
                if r.kind == "refund":
                    p.refunded_minor += r.amount_minor
                    p.refunded_at = now
                else:
                    p.voided_at = now
                p.attention = to_stored(msg("attention.returned_and_voided" if r.kind == "void" else
                                            "attention.returned_and_refunded",
                                            amount=Money(r.amount_minor, r.currency)), limit=300)
                _audit(s, actor, "payment.voided" if r.kind == "void" else "payment.refunded", entity_type="payment",
                       entity_id=p.id, after_return=True, **details)
                _LOG.warning("payment %s: %s of refund %s completed after the bank returned it", p.id, r.kind, r.id)
                return self._refund_result(r, p)
            if r.kind == "void":
                p.status = after_reversal(S(p.status), "void", p.refunded_minor, p.amount_minor)
                p.voided_at = now
                back = p.applied_minor
                p.applied_minor = 0
                self._job(s, JobKind.VOID_PAYMENT, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.voided", entity_type="payment", entity_id=p.id, **details)
            elif r.reopen_invoice:
                # the customer still owes the invoice: as a returned eCheck, the payment is reversed in the books
                p.refunded_minor += r.amount_minor
                p.refunded_at = now
                p.status = after_reversal(S(p.status), "refund", p.refunded_minor, p.amount_minor)
                back = min(r.amount_minor, p.applied_minor)
                p.applied_minor -= back
                self._job(s, JobKind.VOID_PAYMENT, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.refunded", entity_type="payment", entity_id=p.id, invoice_reopened=True,
                       **details)
            else:
                # the invoice stays paid: the money goes back as a refund, the books get a refund receipt
                p.refunded_minor += r.amount_minor
                p.refunded_at = now
                p.status = after_reversal(S(p.status), "refund", p.refunded_minor, p.amount_minor)
                back = 0
                self._job(s, JobKind.REFUND_PAYMENT, {"payment_id": p.id, "refund_id": r.id,
                                                           "amount_minor": r.amount_minor},
                          payment_id=p.id, invoice_id=inv.id, refund_id=r.id)
                _audit(s, actor, "payment.refunded", entity_type="payment", entity_id=p.id, invoice_reopened=False,
                       **details)
            if back:
                self._reopen(inv, back)
            return self._refund_result(r, p)

    async def _refund_action_unclaimed(self, tx: GatewayTransaction, r: Refund) -> bool:
        since = r.created_at - REFUND_CLOCK_SLACK
        actions = [a for a in tx.actions
                   if a.kind == "refund" and a.succeeded and _to_minor(a.amount, r.currency) == r.amount_minor
                   and a.at is not None and a.at >= since]
        if not actions:
            return False
        async with self._db.sessions() as s:
            claimed = int(await s.scalar(
                select(func.count()).select_from(Refund).where(
                    Refund.payment_id == r.payment_id, Refund.id != r.id, Refund.kind == "refund",
                    Refund.status == "approved", Refund.amount_minor == r.amount_minor,
                    Refund.created_at >= since)) or 0)
        return len(actions) > claimed

    @staticmethod
    def _reopen(inv: Invoice, amount: int) -> None:
        inv.paid_minor -= amount
        inv.balance_minor += amount
        inv.status = invoice_status(inv.total_minor, inv.paid_minor, inv.is_voided)
        if inv.status != InvoiceStatus.PAID:
            inv.paid_date = None

    async def _resolve_refund(self, gateways: _GatewaySet, refund_id: int, actor: Actor, *,
                              final: bool, late: bool = False) -> RefundResult | None:
        async with self._db.sessions() as s:
            r = await s.get(Refund, refund_id)
            p = await s.get(Payment, r.payment_id) if r is not None else None
        if r is None or p is None:
            return None
        if r.status not in REFUND_UNDECIDED and not (late and r.status == "error"):
            return self._refund_result(r, p)
        try:
            gateway = await gateways.get(p.gateway)
            if r.kind == "void":
                txs = await gateway.find_transactions(p.transaction_id)
                tx = next((t for t in txs if t.transaction_id == p.transaction_id), None)
                void = tx.action("void") if tx else None
                decision = _Decision("approved", p.transaction_id, message="Transaction Void Successful") \
                    if void is not None else None
                matched = tx is not None and (tx.state != "pending_settlement" or void is not None)
            else:
                # A refund is an action of the original transaction (no order id is kept on a refund): find one
                # of this amount dated after this attempt began that no other refund of this payment claims.
                txs = await gateway.find_transactions(p.transaction_id)
                tx = next((t for t in txs if t.transaction_id == p.transaction_id), None)
                decision = None
                if tx is not None and await self._refund_action_unclaimed(tx, r):
                    decision = _Decision("approved", "", message="SUCCESS")
                matched = tx is not None
        except LookupFailed:
            if final:
                return await self._record_refund(refund_id, _Decision("unknown"), actor)
            return None
        if r.status == "error":             # a closed void/refund: only a completion found at the gateway changes it
            if decision is not None:
                return await self._record_refund(refund_id, decision, actor)
            return self._refund_result(r, p)
        if decision is not None:
            return await self._record_refund(refund_id, decision, actor)
        deadline = r.send_deadline or r.created_at + self._send_window
        if final and (await self._db_now_async() - deadline >= self._grace or (r.kind == "void" and matched)):
            nothing = msg("refund_result.void_not_found") if r.kind == "void" else msg("refund_result.refund_not_found")
            return await self._record_refund(refund_id, _Decision("error", message=nothing), actor)
        return await self._record_refund(refund_id, _Decision("unknown"), actor)
