"""Hosted payments, where the payer pays on the gateway's own page (PayPal, PayEngine's card page): the page is
started once the pending row is committed; the payer's return finishes the payment (or a cancel closes it), and an
unknown outcome is resolved by look-up, never by sending again."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, select

from payapp.connectors.gateways.port import Capability, HostedPaymentGateway, HostedStep, LookupFailed
from payapp.domain.errors import NotFound
from payapp.domain.messages import msg
from payapp.domain.money import Money
from payapp.domain.payment_state import UNDECIDED, PaymentStatus
from payapp.domain.roles import Permission
from payapp.models import Payment
from payapp.services.auth import Actor
from payapp.services.payments.base import _GatewaySet
from payapp.services.payments.decisions import _Decision, _decision, _result, _sale_decision, recorded_response
from payapp.services.payments.preparing import _Opened
from payapp.services.payments.reconciliation import Reconciliation
from payapp.services.payments.statements import _P, _UPDATE_PAYMENT
from payapp.services.payments.values import HostedMethod, PaymentResult

S = PaymentStatus

#: how long a payer may stay on the gateway's own page (PayPal's checkout token lives three hours): the pending row's
#: send deadline until the payer comes back; then the usual send window applies to the call that takes the money
HOSTED_WINDOW = dt.timedelta(hours=3)


class HostedSteps(Reconciliation):
    """The gateway's own page: its answers are recorded by `_record`, an unknown one is looked up
    (`_resolve_payment`)."""

    async def _start_hosted(self, opened: _Opened, method: HostedMethod, amount: Money,
                            actor: Actor) -> PaymentResult:
        """The pending row is committed: ask the gateway for its page. Without a redirect the payer never reaches
        the page, so nothing can be charged under this order id: the payment is closed as `error` at once."""
        gateway = opened.gateway
        if Capability.HOSTED_STEP not in gateway.capabilities or not isinstance(gateway, HostedPaymentGateway):
            return await self._record(opened.payment_id, _Decision(
                "error", message=msg("payment_result.no_hosted_page", gateway=gateway.spec.label_message)), actor)
        success, failure, cancel = method.urls(opened.order_id)
        step = await gateway.start_hosted(order_id=opened.order_id, amount=amount, product=method.product or
                                          method.kind, success_url=success, failure_url=failure, cancel_url=cancel,
                                          description=f"Invoice {opened.invoice_number}")
        await self._point("hosted_started")
        if isinstance(step, HostedStep):
            async with self._db.sessions() as s:
                p = await s.get(Payment, opened.payment_id)
            assert p is not None
            return replace(_result(p, _Decision("pending")), redirect_url=step.redirect_url)
        why = step.message or msg("payment_result.hosted_page_not_opened_reason")
        return await self._record(opened.payment_id, _Decision(
            "error", message=msg("payment_result.hosted_not_opened", reason=why)), actor)

    async def _close_unfinished_hosted(self, invoice_id: int) -> None:
        """A payer who left the gateway's page without coming back (the browser's Back button, a closed tab) would
        hold the amount for the whole hosted window. A new hosted attempt on the invoice closes such attempts first:
        each as if cancelled (no return can take the money after that; what the gateway holds still decides). One
        that a return is completing right now (already sent) is left to its look-ups."""
        async with self._db.sessions() as s:
            rows = (await s.execute(select(Payment.order_id, Payment.created_at, Payment.send_deadline).where(
                Payment.invoice_id == invoice_id, Payment.status.in_(sorted(UNDECIDED)),
                Payment.sent_at.is_(None), Payment.source == "client_portal"))).all()
        for r in rows:
            # only hosted attempts have a deadline this far out (any other payment's is the send window)
            if r.send_deadline is not None and r.send_deadline - r.created_at > 2 * self._send_window:
                await self.cancel_hosted_payment(r.order_id)

    async def _payment_by_order(self, order_id: str) -> Payment:
        async with self._db.sessions() as s:
            p = (await s.scalars(select(Payment).where(Payment.order_id == order_id))).first()
        if p is None:
            raise NotFound(msg("payment.this_gone"))
        return p

    async def _claim_hosted(self, payment_id: int, *, closing: bool) -> bool:
        """The payer came back (`closing` False: about to take the money) or cancelled (`closing` True). True while
        the payment is undecided, not yet sent and inside its hosted window (database clock); the deadline then
        becomes the usual send window (taking the money) or now (cancelled: nothing will be sent any more), so the
        no-match rule judges it from here on."""

        def work(conn: Connection) -> bool:
            row = conn.execute(select(_P.status, _P.send_deadline, _P.sent_at).where(_P.id == payment_id)
                               .with_for_update()).first()
            if row is None or row.status not in UNDECIDED or row.sent_at is not None:
                return False
            now = self._db_now(conn)
            if row.send_deadline is not None and now > row.send_deadline:
                return False
            changes: dict[str, Any] = {"send_deadline": now} if closing else {
                "sent_at": now, "send_deadline": now + self._send_window}
            conn.execute(_UPDATE_PAYMENT, {"row_id": payment_id, **changes})
            return True

        return await self._uow.run(work)

    async def finish_hosted_payment(self, order_id: str, returned: dict[str, str]) -> PaymentResult:
        """The payer came back from the gateway's page to our success address. The gateway completes (PayPal:
        DoExpressCheckoutPayment) or reports the payment; an unknown outcome is resolved by look-up, never by
        sending again. Idempotent: a second return (a reload) shows what was recorded."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        p = await self._payment_by_order(order_id)
        gateways = _GatewaySet(self._gateways)
        if p.status not in UNDECIDED:
            return _result(p, _Decision(p.status, message=recorded_response(p.response_text)))
        if not await self._claim_hosted(p.id, closing=False):
            # already sent by an earlier return, or past the window: only a look-up may decide it
            resolved = await self._resolve_payment(gateways, p.id, actor, final=False)
            return resolved if resolved is not None else _result(p, _Decision(p.status))
        gateway = await gateways.get(p.gateway)
        if not isinstance(gateway, HostedPaymentGateway):
            return await self._record(p.id, _Decision("error", message=msg("payment_result.gateway_no_page")), actor)
        answer = await gateway.finish_hosted(order_id=order_id, amount=Money(p.amount_minor, p.currency),
                                             returned=dict(returned))
        await self._point("gateway_answered")
        if answer.outcome == "unknown" and not answer.sent:
            result = await self._record(p.id, _Decision(
                "error", message=msg("payment_result.unreachable")), actor)
        else:
            result = await self._record(p.id, _decision(answer), actor)
            for delay in self._lookup_delays if result.status == S.UNKNOWN else ():
                await asyncio.sleep(delay)
                resolved = await self._resolve_payment(gateways, p.id, actor, final=False)
                if resolved is not None and resolved.status != S.UNKNOWN:
                    result = resolved
                    break
        await self._point("decision_recorded")
        return result

    async def cancel_hosted_payment(self, order_id: str) -> PaymentResult:
        """The payer cancelled on the gateway's page. Nothing is sent after this; what the gateway holds under the
        order id decides (nothing: closed, nothing charged)."""
        actor = self._current.require(Permission.TAKE_PAYMENT)
        p = await self._payment_by_order(order_id)
        if p.status not in UNDECIDED:
            return _result(p, _Decision(p.status, message=recorded_response(p.response_text)))
        closed = await self._claim_hosted(p.id, closing=True)
        try:
            gateway = await _GatewaySet(self._gateways).get(p.gateway)
            found = _sale_decision(await gateway.find_order(order_id))
        except LookupFailed:
            return await self._record(p.id, _Decision("unknown", message=msg("payment_result.not_asked")), actor)
        if found is not None and found.outcome == "approved":
            return await self._record(p.id, found, actor)
        if not closed:
            # a return is taking the money right now (or the window is over): the look-ups decide it
            return _result(p, _Decision(p.status))
        return await self._record(p.id, _Decision(
            "error", message=msg("payment_result.payer_cancelled")), actor)
