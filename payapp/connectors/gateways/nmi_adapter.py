"""NMI / BNG Gateway as an adapter of the gateway port (port.py): the wire client is `nmi.NmiGateway`; this module
only translates between the port's gateway-neutral types and NMI's fields, conditions and action types."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import httpx

from payapp.connectors.gateways import nmi
from payapp.connectors.gateways.port import (
    AchAccount,
    ActionKind,
    Billing,
    BrowserToken,
    Capability,
    CardDetails,
    GatewayAnswer,
    GatewayTransaction,
    LookupFailed,
    PaymentDetails,
    SepaAccount,
    StoredCredential,
    TxAction,
    TxState,
    not_supported,
)
from payapp.domain.gateways import NMI, GatewaySpec
from payapp.domain.messages import Message, msg
from payapp.domain.money import Money

#: NMI `condition` -> the port's transaction state (docs/protocols.md §1)
_STATES: dict[str, TxState] = {"pending": "pending_settlement", "pendingsettlement": "pending_settlement",
                               "complete": "settled", "failed": "failed", "canceled": "voided"}
#: NMI `action_type` -> the port's action kind; a return after settlement is `late_return` (same meaning here)
_ACTIONS: dict[str, ActionKind] = {"sale": "sale", "auth": "auth", "capture": "capture", "void": "void",
                                   "refund": "refund", "credit": "refund", "settle": "settle", "return": "return",
                                   "late_return": "return"}


def _answer(r: nmi.NmiResponse) -> GatewayAnswer:
    return GatewayAnswer(outcome=r.outcome, message=r.message, transaction_id=r.transaction_id, auth_code=r.auth_code,
                         order_id=r.order_id, response_code=r.response_code, vault_id=r.customer_vault_id,
                         avs=r.avs, cvv=r.cvv, sent=r.sent, rate_limited=r.rate_limited, duplicate=r.duplicate,
                         auth_failed=r.auth_failed)


def _date(text: str) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text, "%Y%m%d%H%M%S").replace(tzinfo=dt.UTC)
    except ValueError:
        return None


def to_transaction(t: nmi.NmiTransaction) -> GatewayTransaction:
    actions = tuple(TxAction(kind=_ACTIONS.get(a.action_type, "other"), succeeded=a.succeeded, amount=a.amount,
                             at=_date(a.date), code=a.response_code, text=a.response_text) for a in t.actions)
    method = {"cc": "card", "ck": "echeck"}.get(t.transaction_type, "")
    return GatewayTransaction(transaction_id=t.transaction_id, order_id=t.order_id,
                              state=_STATES.get(t.condition, "other"), method=method, currency=t.currency,
                              auth_code=t.authorization_code, vault_id=t.customer_vault_id, actions=actions)


def _billing(b: Billing | None) -> nmi.Billing | None:
    if b is None:
        return None
    return nmi.Billing(first_name=b.first_name, last_name=b.last_name, company=b.company, address1=b.address1,
                       city=b.city, state=b.state, zip=b.zip, country=b.country, email=b.email, phone=b.phone)


def _stored(s: StoredCredential | None) -> nmi.StoredCredential | None:
    return None if s is None else nmi.StoredCredential(s.indicator, s.initiated_by, s.initial_transaction_id)


def _payment(p: PaymentDetails) -> nmi.PaymentData | None:
    if isinstance(p, CardDetails):
        return nmi.CardData(p.number, p.expiry_mmyy, p.cvv)
    if isinstance(p, AchAccount):
        return nmi.CheckData(p.name, p.routing_number, p.account_number, p.holder_type, p.account_type)
    if isinstance(p, BrowserToken):
        return nmi.TokenData(p.token, p.kind, p.holder_type, p.account_type, p.sec_code)
    return None          # SEPA: not an NMI payment type


class NmiAdapter:
    """One NMI gateway account behind the port."""

    spec: ClassVar[GatewaySpec] = NMI
    capabilities: ClassVar[frozenset[Capability]] = frozenset({
        Capability.CARD_DIRECT, Capability.BANK_DEBIT_ACH, Capability.BROWSER_TOKEN, Capability.VAULT,
        Capability.VOID, Capability.REFUND, Capability.PARTIAL_REFUND, Capability.LOOKUP_BY_ORDER,
        Capability.SETTLEMENT_REPORT})

    def __init__(self, client: httpx.AsyncClient, base_url: str, security_key: str, *,
                 timeout: float | None = None) -> None:
        self.wire = nmi.NmiGateway(client, base_url, security_key, timeout=timeout)

    def __repr__(self) -> str:
        return f"NmiAdapter({self.wire!r})"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def base_url(self) -> str:
        return self.wire.base_url

    async def charge(self, *, order_id: str, amount: Money, payment: PaymentDetails, billing: Billing | None = None,
                     save_as: str | None = None, description: str = "", allow_duplicate: bool = False,
                     stored_credential: StoredCredential | None = None) -> GatewayAnswer:
        data = _payment(payment)
        if data is None or isinstance(payment, SepaAccount):
            return not_supported(msg("gateway_what.sepa"), self.spec.label, order_id)
        r = await self.wire.sale(order_id=order_id, amount=amount.wire(), currency=amount.currency, payment=data,
                                 billing=_billing(billing), save_as=save_as, order_description=description,
                                 dup_seconds=0 if allow_duplicate else None,
                                 stored_credential=_stored(stored_credential))
        return _answer(r)

    async def charge_saved(self, *, order_id: str, amount: Money, vault_id: str, allow_duplicate: bool = False,
                           stored_credential: StoredCredential | None = None, sec_code: str = "") -> GatewayAnswer:
        r = await self.wire.sale_vault(order_id=order_id, amount=amount.wire(), currency=amount.currency,
                                       customer_vault_id=vault_id, dup_seconds=0 if allow_duplicate else None,
                                       stored_credential=_stored(stored_credential), sec_code=sec_code)
        return _answer(r)

    async def void(self, transaction_id: str, *, method: str) -> GatewayAnswer:
        # the gateway requires payment=check on an ACH void or refund (creditcard for cards)
        return _answer(await self.wire.void(transaction_id, payment="check" if method == "echeck" else "creditcard"))

    async def refund(self, transaction_id: str, *, amount: Money | None, method: str) -> GatewayAnswer:
        return _answer(await self.wire.refund(transaction_id, amount=None if amount is None else amount.wire(),
                                              payment="check" if method == "echeck" else "creditcard"))

    async def find_order(self, order_id: str) -> list[GatewayTransaction]:
        try:
            return [to_transaction(t) for t in await self.wire.query_order(order_id)]
        except nmi.NmiQueryError as exc:
            raise LookupFailed(exc.message, auth_failed=exc.auth_failed) from None

    async def find_transactions(self, *transaction_ids: str) -> list[GatewayTransaction]:
        try:
            return [to_transaction(t) for t in await self.wire.query_transactions(*transaction_ids)]
        except nmi.NmiQueryError as exc:
            raise LookupFailed(exc.message, auth_failed=exc.auth_failed) from None

    async def vault_update_expiry(self, vault_id: str, expiry_mmyy: str) -> GatewayAnswer:
        return _answer(await self.wire.vault_update(vault_id, expiry_mmyy=expiry_mmyy))

    async def vault_delete(self, vault_id: str) -> GatewayAnswer:
        return _answer(await self.wire.vault_delete(vault_id))

    async def test_keys(self) -> tuple[bool, Message]:
        return await self.wire.test_keys()
