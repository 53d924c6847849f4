"""Settlement and returns: approved payments are asked about at the gateway (settled yet?), and settled bank debits
and PayPal payments are watched for a while (returned or reversed?); what changed is recorded with the invoice and
the outbox job that follow from it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from payapp.connectors.gateways.port import GatewayTransaction, LookupFailed
from payapp.domain.errors import PayAppError
from payapp.domain.messages import msg, to_stored
from payapp.domain.money import Money
from payapp.domain.outbox_jobs import JobKind
from payapp.domain.payment_state import PaymentStatus, transition
from payapp.models import Invoice, Payment
from payapp.services.auth import SYSTEM, Actor
from payapp.services.payments.base import _LOG, _audit, _GatewaySet
from payapp.services.payments.reconciliation import Reconciliation
from payapp.services.payments.values import RETURNABLE, SettlementReport

S = PaymentStatus

RETURN_WATCH = dt.timedelta(days=60)        # how long after settlement an eCheck is watched for returns


class Settlement(Reconciliation):
    """Settlement checks: a failed check is flagged as reconciliation flags one (`_needs_attention`); a
    return takes the payment off its invoice as a void does (`_reopen`)."""

    async def check_settlements(self) -> SettlementReport:
        """Ask the gateway about approved payments (settled yet?) and recently settled eChecks
        (returned by the bank?), and record what changed."""
        actor = self._current.actor or SYSTEM
        now = self._now()
        async with self._db.sessions() as s:
            rows = (await s.execute(
                select(Payment.id, Payment.transaction_id, Payment.gateway).where(
                    Payment.transaction_id != "",
                    (Payment.status == S.APPROVED)
                    | ((Payment.method.in_(RETURNABLE)) & Payment.status.in_([S.SETTLED, S.PARTIALLY_REFUNDED])
                       & (Payment.settled_at >= now - RETURN_WATCH))
                    # a fully refunded bank debit the bank may still return: the customer would be paid back twice
                    | ((Payment.method.in_(RETURNABLE)) & (Payment.status == S.REFUNDED)
                       & Payment.returned_at.is_(None) & (Payment.settled_at >= now - RETURN_WATCH))))).all()
        if not rows:
            return SettlementReport()
        by_txn = {r.transaction_id: r.id for r in rows}
        by_gateway: dict[str, list[str]] = {}
        for r in rows:                          # each payment is asked of the gateway that took it
            by_gateway.setdefault(r.gateway, []).append(r.transaction_id)
        found: dict[str, GatewayTransaction] = {}
        failure: Exception | None = None
        gateways = _GatewaySet(self._gateways)
        for name, ids in by_gateway.items():
            try:
                gateway = await gateways.get(name)
            except PayAppError as exc:           # that gateway's keys are not here: its payments wait
                failure = exc
                _LOG.warning("settlement check: %s cannot be asked (%s)", name, exc.user_message)
                continue
            for i in range(0, len(ids), 100):
                try:
                    for t in await gateway.find_transactions(*ids[i:i + 100]):
                        found[t.transaction_id] = t
                except LookupFailed as exc:        # this batch waits for the next run; the others go on
                    failure = exc
                    _LOG.warning("settlement check: the gateway could not be asked (%s)", exc.message)
        if failure is not None and not found:
            raise failure
        settled = returned = 0
        for txn_id, t in found.items():
            payment_id = by_txn.get(txn_id)
            if payment_id is None:
                continue
            try:
                s_, r_ = await self._apply_settlement(payment_id, t, actor, now)
            except Exception as exc:  # one payment must never stop the others
                await self._needs_attention(payment_id, "payment", payment_id, exc)
                continue
            settled += s_
            returned += r_
        return SettlementReport(checked=len(rows), settled=settled, returned=returned)

    async def _apply_settlement(self, payment_id: int, t: GatewayTransaction, actor: Actor,
                                now: dt.datetime) -> tuple[int, int]:
        settle = t.action("settle")
        # a return before or after settlement (NMI: `return` / `late_return`; SEPA: the debtor's bank's return)
        ret = t.action("return")
        if settle is None and t.state != "settled" and ret is None:
            return 0, 0
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id, with_for_update=True)
            if p is None:
                return 0, 0
            settled = returned = 0
            if p.status == S.APPROVED:
                p.status = transition(S.APPROVED, S.SETTLED)
                p.settled_at = (settle.at if settle else None) or now
                settled = 1
                _audit(s, actor, "payment.settled", entity_type="payment", entity_id=p.id,
                             transaction_id=p.transaction_id)
            if ret is not None and p.method in RETURNABLE and p.status in (S.SETTLED, S.PARTIALLY_REFUNDED):
                p.status = transition(S(p.status), S.RETURNED)
                p.returned_at = ret.at or now
                inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
                assert inv is not None
                back = p.applied_minor
                p.applied_minor = 0
                self._reopen(inv, back)
                self._job(s, JobKind.REVERSE_RETURNED, {"payment_id": p.id}, payment_id=p.id,
                          invoice_id=inv.id)
                _audit(s, actor, "payment.returned", entity_type="payment", entity_id=p.id,
                             transaction_id=p.transaction_id, amount_minor=back, reason=ret.text[:200])
                if p.refunded_minor:
                    p.attention = self._paid_back_twice(p.refunded_minor, p.currency)
                returned = 1
            elif ret is not None and p.method in RETURNABLE and p.status == S.REFUNDED and p.returned_at is None:
                # refunded in full, then returned by the bank: the customer got the money back twice; a person must
                # recover it. A refund that kept the invoice paid left the payment applied: that comes off the
                # invoice now, as for any return (the books keep the refund receipt, the payment is reversed).
                p.returned_at = ret.at or now
                p.attention = self._paid_back_twice(p.refunded_minor, p.currency)
                back = p.applied_minor
                if back:
                    inv = await s.get(Invoice, p.invoice_id, with_for_update=True)
                    assert inv is not None
                    p.applied_minor = 0
                    self._reopen(inv, back)
                    self._job(s, JobKind.REVERSE_RETURNED, {"payment_id": p.id}, payment_id=p.id,
                              invoice_id=inv.id)
                _audit(s, actor, "payment.returned", entity_type="payment", entity_id=p.id,
                       transaction_id=p.transaction_id, amount_minor=back, reason=ret.text[:200],
                       after_refund=True)
                _LOG.warning("payment %s: returned by the bank after a full refund", p.id)
                returned = 1
            return settled, returned

    @staticmethod
    def _paid_back_twice(refunded_minor: int, currency: str) -> str:
        return to_stored(msg("attention.returned_after_refund", amount=Money(refunded_minor, currency)), limit=300)
