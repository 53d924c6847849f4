"""PayPal (classic NVP, Express Checkout) as an adapter of the gateway port (port.py). The wire client is
`paypal.PayPalGateway`; this module only translates between the port's gateway-neutral types and PayPal's calls,
statuses and error codes (docs/gateways.md, docs/gateways-paypal.md).

PayPal takes no card or bank numbers from PayApp: the payer pays on PayPal's page (the hosted step), so
`charge`, `charge_saved` and the vault answer `not_supported`, and nothing can be voided (PayPal has no void of a
sale: a completed payment is refunded). How PayPal's states map onto the port:

- `Completed` (and the refunded states): a succeeded `sale` and `settle` (the money is in the PayPal account).
- `Pending` (an eCheck through PayPal, a payment review): a succeeded `sale` without `settle`, state `pending`:
  accepted, waiting for PayPal, not refundable yet. Its completion shows as `settle`.
- `Reversed` (a chargeback or dispute), and `Denied` after pending: a `return`, which re-opens the invoice and
  reverses the books as an ACH return does.
- Refunds are the search rows of type `Refund` under the same INVNUM: `refund` actions with their amount and time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import ClassVar

import httpx

from payapp.connectors.gateways import paypal
from payapp.connectors.gateways.port import (
    Billing,
    Capability,
    GatewayAnswer,
    GatewayTransaction,
    HostedStep,
    LookupFailed,
    PaymentDetails,
    StoredCredential,
    TxAction,
    TxState,
    not_supported,
)
from payapp.domain.gateways import PAYPAL, GatewaySpec
from payapp.domain.messages import Message, msg
from payapp.domain.money import Money

#: how far back a look-up by INVNUM searches (TransactionSearch needs a start date; our order id carries none).
#: Longer than any refund or dispute window PayPal gives a buyer.
SEARCH_BACK = dt.timedelta(days=400)


def _abs_amount(text: str) -> str:
    """TransactionSearch shows refunds and reversals as negative amounts; the port's actions carry positive ones."""
    try:
        return f"{abs(Decimal(text))}"
    except (InvalidOperation, ValueError):
        return ""


def _stamp(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def to_transaction(p: paypal.PayPalPayment, hits: Sequence[paypal.PayPalSearchHit] = ()) -> GatewayTransaction:
    """A payment (GetTransactionDetails) with the refund and reversal rows of its INVNUM as the port sees it."""
    status = paypal._norm_status(p.status)
    actions: list[TxAction] = []
    state: TxState
    if p.failed and status != "denied":
        state = "failed"
        actions.append(TxAction("sale", False, p.amount, code=p.status, text=p.status or "Failed"))
    else:
        actions.append(TxAction("sale", True, p.amount, code=p.status, text=p.status or "Pending"))
        if p.pending:
            state = "pending"                  # an eCheck through PayPal: accepted, not yet money
        elif status == "denied":
            state = "other"
            actions.append(TxAction("return", True, p.amount, code="Denied", text="PayPal denied the payment"))
        else:
            state = "settled"
            actions.append(TxAction("settle", True, p.amount, text="Completed"))
    for h in hits:
        kind = paypal._norm_status(h.type)
        if kind == "refund":
            actions.append(TxAction("refund", True, _abs_amount(h.amount), at=_stamp(h.timestamp), text=h.status))
        elif kind in ("reversal", "chargeback") and not any(a.kind == "return" for a in actions):
            actions.append(TxAction("return", True, _abs_amount(h.amount), at=_stamp(h.timestamp),
                                    code="Reversed", text="PayPal reversed the payment"))
    if p.reversed and not any(a.kind == "return" for a in actions):
        actions.append(TxAction("return", True, p.amount, code="Reversed", text="PayPal reversed the payment"))
    return GatewayTransaction(transaction_id=p.transaction_id, order_id=p.invnum, state=state, method="paypal",
                              currency=p.currency, actions=tuple(actions))


def _refused(exc: paypal.PayPalError, order_id: str = "") -> GatewayAnswer:
    return GatewayAnswer("error", exc.message or exc.user_message, order_id=order_id, response_code=exc.code,
                         auth_failed=exc.auth_failed, duplicate=exc.duplicate_invoice)


def _unknown(exc: paypal.PayPalUnknownOutcome, order_id: str = "") -> GatewayAnswer:
    return GatewayAnswer("unknown", exc.message or exc.user_message, order_id=order_id, sent=exc.sent)


def _paid(p: paypal.PayPalPayment, order_id: str) -> GatewayAnswer:
    if not p.money_taken:
        return GatewayAnswer("declined", msg("paypal.not_taken", status=p.status or msg("paypal.no_status")),
                             transaction_id=p.transaction_id, order_id=order_id, response_code=p.status[:10])
    text = "Pending at PayPal" + (f" ({p.pending_reason})" if p.pending_reason else "") if p.pending else p.status
    return GatewayAnswer("approved", text or "Completed", transaction_id=p.transaction_id, order_id=order_id,
                         response_code=p.status[:10])


class PayPalAdapter:
    """One PayPal business account (API signature credentials) behind the port."""

    spec: ClassVar[GatewaySpec] = PAYPAL
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.HOSTED_STEP, Capability.REFUND, Capability.PARTIAL_REFUND, Capability.LOOKUP_BY_ORDER,
        Capability.SETTLEMENT_REPORT})

    def __init__(self, client: httpx.AsyncClient, base_url: str, username: str, password: str, signature: str, *,
                 timeout: float | None = None) -> None:
        self.wire = paypal.PayPalGateway(client, base_url, paypal.PayPalCredentials(username, password, signature),
                                         timeout=timeout)

    def __repr__(self) -> str:
        return f"PayPalAdapter({self.wire!r})"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def base_url(self) -> str:
        return self.wire.base_url

    # ------------------------------------------------------------------ what PayPal does not take

    async def charge(self, *, order_id: str, amount: Money, payment: PaymentDetails, billing: Billing | None = None,
                     save_as: str | None = None, description: str = "", allow_duplicate: bool = False,
                     stored_credential: StoredCredential | None = None) -> GatewayAnswer:
        return not_supported(msg("gateway_what.card_or_bank_details"), self.spec.label, order_id)

    async def charge_saved(self, *, order_id: str, amount: Money, vault_id: str, allow_duplicate: bool = False,
                           stored_credential: StoredCredential | None = None, sec_code: str = "") -> GatewayAnswer:
        return not_supported(msg("gateway_what.saved_methods"), self.spec.label, order_id)

    async def void(self, transaction_id: str, *, method: str) -> GatewayAnswer:
        # a PayPal sale cannot be voided; the engine refunds what PayPal shows as settled
        return not_supported(msg("gateway_what.voids"), self.spec.label)

    async def vault_update_expiry(self, vault_id: str, expiry_mmyy: str) -> GatewayAnswer:
        return not_supported(msg("gateway_what.saved_methods"), self.spec.label)

    async def vault_delete(self, vault_id: str) -> GatewayAnswer:
        return not_supported(msg("gateway_what.saved_methods"), self.spec.label)

    # ------------------------------------------------------------------ Express Checkout

    async def start_hosted(self, *, order_id: str, amount: Money, product: str, success_url: str, failure_url: str,
                           cancel_url: str, description: str = "") -> HostedStep | GatewayAnswer:
        """SetExpressCheckout with INVNUM = our order id (unique per attempt: PayPal's duplicate protection)."""
        if not self.spec.supports(amount.currency):
            return not_supported(msg("gateway_what.payments_in", currency=amount.currency), self.spec.label, order_id)
        try:
            start = await self.wire.set_express_checkout(amount=amount.wire(), currency=amount.currency,
                                                         invnum=order_id, return_url=success_url,
                                                         cancel_url=cancel_url, description=description[:127])
        except paypal.PayPalError as exc:
            return _refused(exc, order_id)
        except paypal.PayPalUnknownOutcome as exc:
            return _unknown(exc, order_id)
        return HostedStep(start.redirect_url)

    async def finish_hosted(self, *, order_id: str, amount: Money, returned: Mapping[str, str]) -> GatewayAnswer:
        """GetExpressCheckoutDetails, then DoExpressCheckoutPayment with INVNUM = our order id. A lost or refused-as-
        already-paid DoExpressCheckoutPayment is read back by INVNUM, never sent again."""
        token = returned.get("token", "")
        if not token:
            return GatewayAnswer("error", msg("paypal.back_without_token"), order_id=order_id, sent=False)
        try:
            details = await self.wire.get_express_checkout_details(token)
        except paypal.PayPalError as exc:
            return _refused(exc, order_id)
        except paypal.PayPalUnknownOutcome as exc:
            # nothing is paid before DoExpressCheckoutPayment: GetExpressCheckoutDetails only reads
            return GatewayAnswer("unknown", exc.message or exc.user_message, order_id=order_id, sent=exc.sent)
        if details.invnum and details.invnum != order_id:
            # a token of another attempt: never pay this order with it
            return GatewayAnswer("error", msg("paypal.other_checkout"), order_id=order_id, sent=False)
        if details.paid:
            return await self._read_back(order_id)
        if not details.approved:
            return GatewayAnswer("declined", msg("paypal.not_approved"), order_id=order_id)
        try:
            payment = await self.wire.do_express_checkout_payment(token=token, payer_id=details.payer_id,
                                                                  amount=amount.wire(), currency=amount.currency,
                                                                  invnum=order_id)
        except paypal.PayPalError as exc:
            if exc.duplicate_invoice or exc.already_processed:
                return await self._read_back(order_id)
            if exc.funding_declined:
                return GatewayAnswer("declined", msg("paypal.funding_declined"), order_id=order_id,
                                     response_code=exc.code)
            return _refused(exc, order_id)
        except paypal.PayPalUnknownOutcome as exc:
            return _unknown(exc, order_id)
        return _paid(payment, order_id)

    async def _read_back(self, order_id: str) -> GatewayAnswer:
        try:
            found = await self.find_order(order_id)
        except LookupFailed as exc:
            return GatewayAnswer("unknown", exc.message, order_id=order_id)
        for t in found:
            if t.action("sale") is not None:
                return GatewayAnswer("approved", t.actions[0].text or "Completed", transaction_id=t.transaction_id,
                                     order_id=order_id, response_code=t.actions[0].code[:10])
        return GatewayAnswer("unknown", msg("paypal.not_shown_yet"), order_id=order_id)

    # ------------------------------------------------------------------ refunds

    async def refund(self, transaction_id: str, *, amount: Money | None, method: str) -> GatewayAnswer:
        """`amount` None: the rest. PayPal refuses REFUNDTYPE=Full after a partial refund (10009), so the rest of a
        payment already refunded in part is sent as a partial refund of what remains."""
        wire_amount, currency = (None, "") if amount is None else (amount.wire(), amount.currency)
        if amount is None:
            try:
                found = await self.find_transactions(transaction_id)
            except LookupFailed as exc:
                return GatewayAnswer("error", exc.message, sent=False, auth_failed=exc.auth_failed)
            tx = found[0] if found else None
            refunded = sum((Decimal(a.amount) for a in tx.actions if a.kind == "refund" and a.amount), Decimal(0)) \
                if tx is not None else Decimal(0)
            sale = tx.action("sale") if tx is not None else None
            if tx is not None and sale is not None and refunded:
                try:
                    rest = Money.from_decimal(Decimal(sale.amount) - refunded, tx.currency)
                    wire_amount, currency = rest.wire(), rest.currency
                except (InvalidOperation, ValueError):
                    return GatewayAnswer("error", msg("paypal.amount_unreadable"), sent=False)
        try:
            r = await self.wire.refund_transaction(transaction_id, amount=wire_amount, currency=currency)
        except paypal.PayPalError as exc:
            return _refused(exc)
        except paypal.PayPalUnknownOutcome as exc:
            return _unknown(exc)
        return GatewayAnswer("approved", "Refunded", transaction_id=r.refund_transaction_id)

    # ------------------------------------------------------------------ look-ups

    def _since(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) - SEARCH_BACK

    async def _search(self, invnum: str) -> list[paypal.PayPalSearchHit]:
        try:
            return await self.wire.transaction_search(start=self._since(), invnum=invnum)
        except paypal.PayPalError as exc:
            raise LookupFailed(exc.message or exc.user_message, auth_failed=exc.auth_failed) from None
        except paypal.PayPalUnknownOutcome as exc:
            raise LookupFailed(exc.message or exc.user_message) from None

    async def _details(self, transaction_id: str) -> paypal.PayPalPayment | None:
        try:
            return await self.wire.get_transaction_details(transaction_id)
        except paypal.PayPalError as exc:
            if exc.auth_failed or exc.code != "10004":
                raise LookupFailed(exc.message or exc.user_message, auth_failed=exc.auth_failed) from None
            return None                      # 10004: PayPal has no transaction with that id
        except paypal.PayPalUnknownOutcome as exc:
            raise LookupFailed(exc.message or exc.user_message) from None

    async def find_order(self, order_id: str) -> list[GatewayTransaction]:
        """TransactionSearch by INVNUM, then GetTransactionDetails of each payment found."""
        hits = await self._search(order_id)
        out: list[GatewayTransaction] = []
        for h in hits:
            if not h.is_payment:
                continue
            p = await self._details(h.transaction_id)
            if p is not None:
                p = p if p.invnum else replace(p, invnum=order_id)
                out.append(to_transaction(p, [x for x in hits if not x.is_payment]))
        return out

    async def find_transactions(self, *transaction_ids: str) -> list[GatewayTransaction]:
        out: list[GatewayTransaction] = []
        for tid in transaction_ids:
            p = await self._details(tid)
            if p is None:
                continue
            hits = await self._search(p.invnum) if p.invnum else []
            out.append(to_transaction(p, [h for h in hits if not h.is_payment]))
        return out

    async def test_keys(self) -> tuple[bool, Message]:
        return await self.wire.test_credentials()
