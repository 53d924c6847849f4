"""Reconciliation: undecided payments, voids and refunds are looked up at the gateway (a payment by its order id, a
void or refund on the payment's transaction), at start-up and then periodically with backoff, and what the gateway
knows is recorded; the no-match rule closes those that never reached it. A row whose check fails is flagged for a
person, and the others are still checked."""

from __future__ import annotations

import datetime as dt
from typing import cast

from sqlalchemy import select

from payapp.connectors.gateways.port import LookupFailed
from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg, to_stored
from payapp.domain.payment_state import UNDECIDED, PaymentStatus
from payapp.models import Payment, Refund
from payapp.services.auth import SYSTEM, Actor
from payapp.services.payments.base import _LOG, _audit, _GatewaySet
from payapp.services.payments.decisions import _Decision, _result, _sale_decision
from payapp.services.payments.refunds import REFUND_UNDECIDED, Refunds
from payapp.services.payments.values import PaymentResult

S = PaymentStatus

#: How far back a reconciliation looks for payments it closed as `error` that the gateway may still approve.
LATE_APPROVAL_WATCH = dt.timedelta(hours=24)
LATE_APPROVAL_WATCH_PERIODIC = dt.timedelta(hours=1)


class Reconciliation(Refunds):
    """Resolves undecided payments (recorded by `_record`) and voids and refunds (`_resolve_refund`) by look-up."""

    async def _resolve_payment(self, gateways: _GatewaySet, payment_id: int, actor: Actor, *,
                               final: bool, late: bool = False) -> PaymentResult | None:
        """Look a payment's order id up and record what the gateway knows. `final` applies the
        no-match rule (the package docstring, rule 3). None when the look-up itself failed."""
        async with self._db.sessions() as s:
            p = await s.get(Payment, payment_id)
        if p is None:
            return None
        if p.status not in UNDECIDED and not (late and p.status == S.ERROR):
            return _result(p, _Decision(p.status))
        try:
            gateway = await gateways.get(p.gateway)
            txs = await gateway.find_order(p.order_id)
        except LookupFailed:
            if final:
                await self._record(payment_id, _Decision("unknown", message=msg("payment_result.not_asked")),
                                   actor)
            return None
        decision = _sale_decision(txs)
        if p.status == S.ERROR:          # a closed payment: only a late approval changes it
            if decision is not None and decision.outcome == "approved":
                return await self._record(payment_id, decision, actor)
            return _result(p, _Decision(p.status))
        if decision is not None:
            return await self._record(payment_id, decision, actor)
        # "No match" means "never reached the gateway" only once the payment's send deadline (on the database's
        # clock, the same one its writer used) is past by the grace: no workstation sends after its deadline.
        deadline = p.send_deadline or p.created_at + self._send_window
        if not txs and final and await self._db_now_async() - deadline >= self._grace:
            return await self._record(payment_id, _Decision(
                "error", message=msg("payment_result.no_transaction")), actor)
        if final or p.status == S.PENDING:
            return await self._record(payment_id, _Decision("unknown"), actor)
        return _result(p, _Decision(p.status))

    async def reconcile_undecided(self, *, only_due: bool = False) -> int:
        """Resolve every pending/unknown payment, void and refund by looking it up at the gateway.
        Run at start-up (all) and periodically (`only_due=True`: those whose next check is due).
        Returns how many got decided. Never charges anything."""
        actor = self._current.actor or SYSTEM
        now = self._now()
        async with self._db.sessions() as s:
            q = select(Payment.id).where(Payment.status.in_(list(UNDECIDED)))
            rq = select(Refund.id).where(Refund.status.in_(REFUND_UNDECIDED))
            if only_due:
                q = q.where((Payment.next_check_at.is_(None)) | (Payment.next_check_at <= now))
            payment_ids = list((await s.scalars(q.order_by(Payment.id))).all())
            refund_ids = list((await s.scalars(rq.order_by(Refund.id))).all())
            # payments PayApp itself closed as `error` (no gateway answer): the one request may still have been
            # approved (a held workstation, a crash after sending); look them up for a while
            watch = LATE_APPROVAL_WATCH_PERIODIC if only_due else LATE_APPROVAL_WATCH
            closed_ids = list((await s.scalars(
                select(Payment.id).where(Payment.status == S.ERROR, Payment.response_code == "",
                                         Payment.transaction_id == "", Payment.decided_at >= now - watch)
                .order_by(Payment.id))).all())
            closed_refunds = list((await s.scalars(
                select(Refund.id).where(Refund.status == "error", Refund.response_code == "",
                                        Refund.decided_at >= now - watch).order_by(Refund.id))).all())
        if not payment_ids and not refund_ids and not closed_ids and not closed_refunds:
            return 0
        gateway = _GatewaySet(self._gateways)
        decided = 0
        # Each payment and refund on its own: one that cannot be resolved is flagged for a person and logged,
        # and the others are still checked.
        for pid in payment_ids:
            try:
                r = await self._resolve_payment(gateway, pid, actor, final=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(pid, "payment", pid, exc)
                continue
            if r is not None and r.status not in UNDECIDED:
                decided += 1
        for pid in closed_ids:
            try:
                r = await self._resolve_payment(gateway, pid, actor, final=True, late=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(pid, "payment", pid, exc)
                continue
            if r is not None and r.status == S.APPROVED:
                decided += 1
        for rid in closed_refunds:
            try:
                rr = await self._resolve_refund(gateway, rid, actor, final=True, late=True)
            except Exception as exc:  # one row must never stop the others
                await self._needs_attention(await self._refund_payment_id(rid), "refund", rid, exc)
                continue
            if rr is not None and rr.status == "approved":
                decided += 1
        for rid in refund_ids:
            try:
                rr = await self._resolve_refund(gateway, rid, actor, final=True)
            except Exception as exc:
                await self._needs_attention(await self._refund_payment_id(rid), "refund", rid, exc)
                continue
            if rr is not None and rr.status not in REFUND_UNDECIDED:
                decided += 1
        return decided

    async def _refund_payment_id(self, refund_id: int) -> int | None:
        async with self._db.sessions() as s:
            return cast(int | None, await s.scalar(select(Refund.payment_id).where(Refund.id == refund_id)))

    async def _needs_attention(self, payment_id: int | None, what: str, row_id: int, exc: Exception) -> None:
        """Flag a payment whose check failed so Payment Search shows it "needs attention"; log why (the
        message of PayApp's own errors, only the type of any other: no secret can reach the log)."""
        reason: str | Message = exc.user_message if isinstance(exc, PayAppError) else type(exc).__name__
        _LOG.error("reconciliation of %s %s failed, flagged for a person: %s", what, row_id, reason)
        if payment_id is None:
            return
        if isinstance(exc, PayAppError) and exc.message is not None:
            reason = exc.message            # PayApp's own words: shown in the reader's language too
        text = to_stored(msg("attention.payment_check_failed" if what == "payment" else
                             "attention.refund_check_failed", reason=reason), limit=300)
        try:
            async with self._db.transaction(lock=True) as s:
                p = await s.get(Payment, payment_id, with_for_update=True)
                if p is not None and p.attention != text:
                    p.attention = text
                    _audit(s, SYSTEM, "payment.needs_attention", entity_type="payment", entity_id=p.id,
                           message=text, **({"refund_id": row_id} if what == "refund" else {}))
        except Exception:  # the flag is best effort; the log line above stays
            _LOG.exception("could not flag payment %s", payment_id)
