"""What the gateway decided about a sale, in the engine's own terms (`_Decision`), read from its answer or from a
look-up by order id, and the words a person is told about a payment once a decision is recorded."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from payapp.connectors.gateways.port import GatewayAnswer, GatewayTransaction
from payapp.domain.messages import Message, from_stored, msg, to_stored
from payapp.domain.money import Money
from payapp.domain.payment_state import PaymentStatus
from payapp.models import Payment
from payapp.services.payments.values import BANK_DEBITS, PaymentResult

S = PaymentStatus


@dataclass(frozen=True)
class _Decision:
    outcome: str                # approved | declined | error | unknown
    transaction_id: str = ""
    auth_code: str = ""
    response_code: str = ""
    #: what the gateway said (its own text, as it sent it), or PayApp's words when the gateway said nothing itself
    message: str | Message = ""
    avs: str = ""
    cvv: str = ""
    vault_id: str = ""
    rate_limited: bool = False  # the gateway refused it unprocessed (301 / HTTP 429): try again shortly
    duplicate: bool = False     # the gateway's duplicate check refused it, and it has no such order: not charged


RATE_LIMITED_TEXT = "Rate limit exceeded"


def _decision(r: GatewayAnswer) -> _Decision:
    return _Decision(r.outcome, r.transaction_id, r.auth_code, r.response_code, r.message or (
        RATE_LIMITED_TEXT if r.rate_limited else ""), r.avs, r.cvv, r.vault_id, rate_limited=r.rate_limited)


def stored_response(said: str | Message, limit: int = 300) -> str:
    """What a payment's or refund's response_text (and an audit entry) keeps of a decision's words: the gateway's
    text cut to the column, PayApp's own message as data (to_stored), so it is shown in the reader's language."""
    return to_stored(said, limit=limit) if isinstance(said, Message) else said[:limit]


def recorded_response(text: str) -> str | Message:
    """A response_text as `stored_response` wrote it: PayApp's message again, or the gateway's text."""
    return from_stored(text)


def _sale_decision(txs: Sequence[GatewayTransaction]) -> _Decision | None:
    """What a look-up by our order id says about a sale, or None for "nothing decided there"."""
    for t in txs:
        sale = t.action("sale")
        if sale is not None:
            return _Decision("approved", t.transaction_id, t.auth_code, sale.code or "100",
                             sale.text or "SUCCESS", vault_id=t.vault_id)
    for t in txs:
        failed = t.failed_action("sale")
        if failed is not None or t.state == "failed":
            text = failed.text if failed else "Declined"
            code = failed.code if failed else ""
            return _Decision("declined", t.transaction_id, "", code, text)
    return None


@dataclass
class _PaymentFacts:
    """What a payment's message and result need (a Core row, updated as the decision is recorded)."""
    id: int
    order_id: str
    status: str
    amount_minor: int
    currency: str
    method: str
    transaction_id: str
    response_text: str
    approved_late: bool = False


def _message(p: Payment | _PaymentFacts, d: _Decision) -> Message:
    amount = Money(p.amount_minor, p.currency)
    transaction = p.transaction_id
    # the decision's words, or (a payment read back) what its row kept of them
    said = d.message or recorded_response(p.response_text)
    if getattr(p, "approved_late", False) and p.status == S.APPROVED:
        return msg("payment_result.approved_late", amount=amount, transaction=transaction)
    if p.status == S.APPROVED and p.method == "sepa":
        return msg("payment_result.sepa_accepted", amount=amount, transaction=transaction)
    if p.status == S.APPROVED and p.method == "echeck":
        # not money in the bank yet: the bank can still return it until (and after) it settles
        return msg("payment_result.echeck_accepted", amount=amount, transaction=transaction)
    if p.status == S.APPROVED or p.status in (S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED, S.VOIDED):
        return msg("payment_result.approved", amount=amount, transaction=transaction)
    if p.status == S.DECLINED:
        if p.method in BANK_DEBITS:
            return msg("payment_result.bank_declined", amount=amount, reason=said)
        return msg("payment_result.card_declined", reason=said)
    if p.status == S.ERROR:
        if d.rate_limited:
            return msg("payment_result.rate_limited")
        if d.duplicate:
            return msg("payment_result.duplicate", amount=amount)
        if isinstance(said, Message) and said.id == "payment_result.held_up":
            return said                     # it says itself that nothing was charged and what to do
        if isinstance(said, str) and "authentication failed" in said.lower():
            return msg("payment_result.key_refused")
        return msg("payment_result.not_taken", reason=said)
    return msg("payment_result.unconfirmed", amount=amount, order_id=p.order_id)


def _result(p: Payment | _PaymentFacts, d: _Decision) -> PaymentResult:
    return PaymentResult(p.status, p.id, p.transaction_id, _message(p, d), p.order_id, p.amount_minor,
                         p.currency, d.avs[:2], d.cvv[:2], p.method)
