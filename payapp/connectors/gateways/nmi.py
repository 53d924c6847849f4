"""BNG Gateway = the NMI Payment API (transact.php and query.php), over an `httpx.AsyncClient`.

Rules this module keeps (docs/protocols.md §1):

- Only `response=1` is an approval. `response=2` is a decline, `response=3` an error.
- An answer whose outcome cannot be known is reported as `outcome="unknown"`, never raised and never
  retried here: no answer or a dropped connection after sending, HTTP errors (5xx, empty body),
  a body that is not a gateway answer ("garbage") and response codes 420/421.
  The caller resolves an unknown outcome by looking its order id up (`query_order`).
- A "Duplicate transaction" rejection (`response=3`, `response_code=300`, text "Duplicate transaction
  REFID:..."; 430 "duplicate at processor" is read the same way) is the gateway's duplicate check: the same
  card or account and amount within `dup_seconds`, whatever the order id. This request was not processed
  (`outcome="error"`, `duplicate=True`); the caller looks its order id up once to be sure.
- Rate limits (https://docs.nmi.dev/reference/rate-limiting): `response=3` with `response_code=301`
  ("Rate limit exceeded") or HTTP 429: nothing was processed (`outcome="error"`, `rate_limited=True`).
- `NmiResponse.sent` is False only when the request certainly never left this computer (the TCP
  connection could not be made, or no pooled connection was free): nothing can have been charged.
- Card and bank numbers, CVVs, payment tokens (Collect.js, `TokenData`) and the security key go into the request
  body only: they are never kept on an object beyond the one request's data, never logged, never put into an
  exception message.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, TypedDict
from urllib.parse import parse_qs

import httpx

from payapp.domain.messages import Message, msg

Outcome = Literal["approved", "declined", "error", "unknown"]

#: response_code values that mean "the gateway could not tell whether the issuer approved".
UNKNOWN_RESPONSE_CODES = frozenset({"420", "421"})
#: response_code of the Payment API's own rate limit (HTTP 429 is the system-wide one).
RATE_LIMIT_CODE = "301"
#: response_code "duplicate transaction at processor"; the gateway's own duplicate check answers 300.
DUPLICATE_CODE = "430"
KNOWN_FIELDS = ("response", "responsetext", "authcode", "transactionid", "orderid", "response_code", "type")


@dataclass(frozen=True)
class NmiResponse:
    """One transact.php answer. Every field is a string, "" when absent."""

    outcome: Outcome
    message: str | Message = ""     # responsetext as sent, or PayApp's words when there is none to read
    transaction_id: str = ""
    auth_code: str = ""
    order_id: str = ""
    response_code: str = ""
    customer_vault_id: str = ""
    avs: str = ""
    cvv: str = ""
    response: str = ""          # raw "1"/"2"/"3"
    type: str = ""
    sent: bool = True           # False only when the request certainly never reached the gateway
    rate_limited: bool = False  # 301 or HTTP 429: nothing was processed; try again shortly

    @property
    def approved(self) -> bool:
        return self.outcome == "approved"

    @property
    def auth_failed(self) -> bool:
        return self.response == "3" and "authentication failed" in _words(self.message).lower()

    @property
    def duplicate(self) -> bool:
        """The gateway's duplicate check refused this request (nothing was processed by it)."""
        return self.response in ("2", "3") and (
            self.response_code == DUPLICATE_CODE or "duplicate transaction" in _words(self.message).lower())


@dataclass(frozen=True)
class NmiAction:
    action_type: str
    amount: str            # as the gateway sent it ("12.50"); the caller converts with the currency
    success: str           # "1" or "0"
    date: str              # YYYYMMDDhhmmss (UTC)
    response_code: str = ""
    response_text: str = ""
    source: str = ""

    @property
    def succeeded(self) -> bool:
        return self.success == "1"


@dataclass(frozen=True)
class NmiTransaction:
    transaction_id: str
    order_id: str
    condition: str
    transaction_type: str = ""       # cc | ck
    currency: str = ""
    authorization_code: str = ""
    customer_vault_id: str = ""
    actions: tuple[NmiAction, ...] = ()

    def has_action(self, action_type: str, *, succeeded: bool = True) -> bool:
        return any(a.action_type == action_type and a.succeeded == succeeded for a in self.actions)

    def action(self, action_type: str) -> NmiAction | None:
        for a in self.actions:
            if a.action_type == action_type and a.succeeded:
                return a
        return None


@dataclass(frozen=True)
class NmiVaultRecord:
    customer_vault_id: str
    fields: Mapping[str, str] = field(default_factory=dict)   # masked numbers only, as the gateway gives them


class NmiQueryError(Exception):
    """query.php answered `<error_response>` (bad key, bad filter) or something that is not its XML.
    This is not "no match": the caller must not conclude that nothing was charged."""

    def __init__(self, message: str | Message, *, auth_failed: bool = False) -> None:
        super().__init__(str(message))
        self.message = message
        self.auth_failed = auth_failed


def _words(message: str | Message) -> str:
    return message if isinstance(message, str) else ""


# --------------------------------------------------------------------------------------- parsers

def _looks_like_answer(values: Mapping[str, list[str]]) -> bool:
    return "response" in values and values["response"][0] in {"1", "2", "3"}


def parse_response(body: str) -> NmiResponse:
    """Parse a transact.php body. Never raises: a body that is not a gateway answer gives
    `outcome="unknown"` with a message saying so (the charge may have happened)."""
    try:
        values = parse_qs(body.strip(), keep_blank_values=True, strict_parsing=False)
    except (ValueError, UnicodeError):
        values = {}
    if not _looks_like_answer(values):
        return NmiResponse("unknown", message=msg("gateway_answer.unreadable"))

    def first(name: str) -> str:
        got = values.get(name)
        return got[0] if got else ""

    response, text, code = first("response"), first("responsetext"), first("response_code")
    outcome: Outcome
    if response == "1":
        outcome = "approved"
    elif code in UNKNOWN_RESPONSE_CODES:
        outcome = "unknown"
    elif response == "2":
        outcome = "declined"
    else:
        outcome = "error"
    return NmiResponse(
        outcome=outcome, message=text, transaction_id=first("transactionid"), auth_code=first("authcode"),
        order_id=first("orderid"), response_code=code, customer_vault_id=first("customer_vault_id"),
        avs=first("avsresponse"), cvv=first("cvvresponse"), response=response, type=first("type"),
        rate_limited=response == "3" and code == RATE_LIMIT_CODE,
    )


def _text(el: ET.Element, tag: str) -> str:
    child = el.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _root(xml: str) -> ET.Element:
    try:
        root = ET.fromstring(xml.strip())
    except (ET.ParseError, UnicodeError) as exc:   # a lone surrogate cannot even be encoded for the parser
        raise NmiQueryError(msg("gateway_answer.lookup_unreadable")) from exc
    if root.tag != "nm_response":
        raise NmiQueryError(msg("gateway_answer.lookup_unreadable"))
    err = root.find("error_response")
    if err is not None:
        text = (err.text or "").strip()
        refused = "authentication" in text.lower() or "security key" in text.lower()
        raise NmiQueryError(text or msg("gateway_answer.lookup_refused"), auth_failed=refused)
    return root


def parse_query(xml: str) -> list[NmiTransaction]:
    """Parse a query.php answer. `<error_response>` or unreadable XML raises NmiQueryError;
    an empty `<nm_response>` is no match (`[]`)."""
    root = _root(xml)
    out: list[NmiTransaction] = []
    for tx in root.findall("transaction"):
        actions = tuple(
            NmiAction(action_type=_text(a, "action_type"), amount=_text(a, "amount"), success=_text(a, "success"),
                      date=_text(a, "date"), response_code=_text(a, "response_code"),
                      response_text=_text(a, "response_text"), source=_text(a, "source"))
            for a in tx.findall("action")
        )
        out.append(NmiTransaction(
            transaction_id=_text(tx, "transaction_id"), order_id=_text(tx, "order_id"),
            condition=_text(tx, "condition"), transaction_type=_text(tx, "transaction_type"),
            currency=_text(tx, "currency"), authorization_code=_text(tx, "authorization_code"),
            customer_vault_id=_text(tx, "customer_vault_id") or _text(tx, "customerid"), actions=actions,
        ))
    return out


def parse_vault_report(xml: str) -> list[NmiVaultRecord]:
    root = _root(xml)
    records: list[NmiVaultRecord] = []
    vault = root.find("customer_vault")
    if vault is None:
        return records
    for cust in vault.findall("customer"):
        values = {child.tag: (child.text or "").strip() for child in cust}
        cid = cust.get("id") or values.get("customer_vault_id", "")
        records.append(NmiVaultRecord(customer_vault_id=cid, fields=values))
    return records


# --------------------------------------------------------------------------------------- request data

@dataclass(frozen=True)
class Billing:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    address1: str = ""
    city: str = ""
    state: str = ""
    zip: str = ""
    country: str = ""
    email: str = ""
    phone: str = ""

    def fields(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class CardData:
    """Card fields for one request; repr shows nothing secret."""

    number: str = field(repr=False)
    expiry_mmyy: str = field(repr=False)
    cvv: str = field(repr=False, default="")

    def fields(self) -> dict[str, str]:
        out = {"payment": "creditcard", "ccnumber": self.number, "ccexp": self.expiry_mmyy}
        if self.cvv:
            out["cvv"] = self.cvv
        return out


@dataclass(frozen=True)
class CheckData:
    """eCheck (ACH) fields for one request; repr shows nothing secret."""

    name: str
    routing_number: str = field(repr=False)
    account_number: str = field(repr=False)
    holder_type: str = "business"       # personal | business
    account_type: str = "checking"      # checking | savings

    def fields(self) -> dict[str, str]:
        return {
            "payment": "check", "checkname": self.name, "checkaba": self.routing_number,
            "checkaccount": self.account_number, "account_holder_type": self.holder_type,
            "account_type": self.account_type,
            # A staff-entered payment the customer authorised: PPD for people, CCD for businesses.
            "sec_code": "PPD" if self.holder_type == "personal" else "CCD",
        }


@dataclass(frozen=True)
class TokenData:
    """A `payment_token` made in the browser by the gateway's Collect.js (card or bank fields typed into the
    gateway's own iframes). It takes the place of `ccnumber`/`ccexp`/`cvv` or `checkname`/`checkaba`/`checkaccount`
    in a sale and in a customer-vault add; it is single-use and short-lived. Sources: NMI's Collect.js documentation,
    "The Payment Token" (a white-label copy: https://bancofcalifornia-preview.mintlify.app/reference/the-payment-token:
    "can be used in place of the existing
    ccnumber, ccexp, and cvv variables ... For ACH transactions ... in place of checkname, checkaba, and
    checkaccount. The payment token can only be used once"; "will also work when adding customers to the Customer
    Vault") and the Collect.js back-end guide (https://docs.nmi.com/docs/integration-guide-implement-backend:
    `type=sale`, `payment_token`, `amount`). The token is sent, never kept on anything else, never logged.

    An eCheck token carries the account's holder and account type, which Collect.js does not collect, and the SEC
    code: `WEB` for a consumer's internet-authorised debit, `CCD` for a business account (docs/protocols.md §1.1)."""

    token: str = field(repr=False)
    kind: Literal["card", "echeck"] = "card"
    holder_type: str = ""               # eCheck: personal | business
    account_type: str = ""              # eCheck: checking | savings
    sec_code: str = "WEB"               # eCheck: WEB (a person, on the web) | CCD (a business) | PPD

    def fields(self) -> dict[str, str]:
        out = {"payment_token": self.token}
        if self.kind == "echeck":
            out["sec_code"] = self.sec_code
            if self.holder_type:
                out["account_holder_type"] = self.holder_type
            if self.account_type:
                out["account_type"] = self.account_type
        return out


PaymentData = CardData | CheckData | TokenData


@dataclass(frozen=True)
class StoredCredential:
    """Card-on-file fields (Payment API `stored_credential_indicator`, `initiated_by`, `initial_transaction_id`):
    `stored` on the first charge that saves a card, `used` on later charges of the saved card, with the
    transaction id of that first charge."""

    indicator: Literal["stored", "used"]
    initiated_by: Literal["customer", "merchant"] = "customer"
    initial_transaction_id: str = ""

    def fields(self) -> dict[str, str]:
        out: dict[str, str] = {"stored_credential_indicator": self.indicator, "initiated_by": self.initiated_by}
        if self.indicator == "used" and self.initial_transaction_id:
            out["initial_transaction_id"] = self.initial_transaction_id
        return out


#: `payment` on a void or refund: the gateway requires it for ACH (`check`); `creditcard` for cards.
PaymentKind = Literal["creditcard", "check"]

#: httpx errors raised before any byte of the request could have reached the gateway.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class _RequestOptions(TypedDict, total=False):
    timeout: float         # absent: the client's own timeout


class NmiGateway:
    """Client of one NMI (white-label) gateway account."""

    name = "nmi"

    def __init__(self, client: httpx.AsyncClient, base_url: str, security_key: str, *,
                 timeout: float | None = None) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self.__key = security_key
        self._timeout = timeout

    def __repr__(self) -> str:
        return f"NmiGateway(base_url={self._base!r}, security_key='***')"

    @property
    def base_url(self) -> str:
        return self._base

    # ------------------------------------------------------------------ transport

    def _kw(self) -> _RequestOptions:
        return {} if self._timeout is None else {"timeout": self._timeout}

    async def _transact(self, fields: dict[str, str]) -> NmiResponse:
        data = {"security_key": self.__key, **fields}
        try:
            resp = await self._client.post(f"{self._base}/api/transact.php", data=data, **self._kw())
        except _NOT_SENT as exc:
            return NmiResponse("unknown", message=msg("gateway_answer.not_reached", error=type(exc).__name__),
                               sent=False, order_id=fields.get("orderid", ""))
        except (httpx.TransportError, OSError) as exc:
            # Timed out or the connection dropped after the request went out: the gateway may have
            # processed it. Never resend; the caller looks the order id up.
            return NmiResponse("unknown", message=msg("gateway_answer.no_answer", error=type(exc).__name__),
                               order_id=fields.get("orderid", ""))
        if resp.status_code == 429:
            # the system-wide rate limit: the request was refused before it was processed
            return NmiResponse("error", message=msg("gateway_answer.too_many_requests"), rate_limited=True,
                               order_id=fields.get("orderid", ""))
        if resp.status_code != 200:
            return NmiResponse("unknown", message=msg("gateway_answer.http_status", status=str(resp.status_code)),
                               order_id=fields.get("orderid", ""))
        parsed = parse_response(resp.text)
        if not parsed.order_id and "orderid" in fields:
            parsed = _with_order(parsed, fields["orderid"])
        return parsed

    async def _query(self, fields: dict[str, str]) -> str:
        data = {"security_key": self.__key, **fields}
        try:
            resp = await self._client.post(f"{self._base}/api/query.php", data=data, **self._kw())
        except (httpx.TransportError, OSError) as exc:
            raise NmiQueryError(msg("gateway_answer.no_answer", error=type(exc).__name__)) from None
        if resp.status_code != 200:
            raise NmiQueryError(msg("gateway_answer.http_status", status=str(resp.status_code)))
        return resp.text

    # ------------------------------------------------------------------ sales

    @staticmethod
    def _order(order_id: str, amount: str, currency: str, dup_seconds: int | None) -> dict[str, str]:
        out = {"type": "sale", "orderid": order_id, "amount": amount, "currency": currency}
        if dup_seconds is not None:
            out["dup_seconds"] = str(dup_seconds)
        return out

    async def sale(self, *, order_id: str, amount: str, currency: str, payment: PaymentData,
                   billing: Billing | None = None, save_as: str | None = None, order_description: str = "",
                   dup_seconds: int | None = None, stored_credential: StoredCredential | None = None) -> NmiResponse:
        """Charge a card or a bank account. `save_as` also stores it in the vault under that id
        (customer_vault=add_customer with type=sale: charge and save in one call). `dup_seconds=0` turns the
        gateway's duplicate check off for this one request."""
        fields = self._order(order_id, amount, currency, dup_seconds)
        fields.update(payment.fields())
        if stored_credential is not None:
            fields.update(stored_credential.fields())
        fields.update((billing or Billing()).fields())
        if order_description:
            fields["order_description"] = order_description
        if save_as is not None:
            fields["customer_vault"] = "add_customer"
            if save_as:
                fields["customer_vault_id"] = save_as
        return await self._transact(fields)

    async def sale_card(self, *, order_id: str, amount: str, currency: str, card: CardData,
                        billing: Billing | None = None, save_as: str | None = None) -> NmiResponse:
        return await self.sale(order_id=order_id, amount=amount, currency=currency, payment=card,
                               billing=billing, save_as=save_as)

    async def sale_check(self, *, order_id: str, amount: str, currency: str, check: CheckData,
                         billing: Billing | None = None, save_as: str | None = None) -> NmiResponse:
        return await self.sale(order_id=order_id, amount=amount, currency=currency, payment=check,
                               billing=billing, save_as=save_as)

    async def sale_vault(self, *, order_id: str, amount: str, currency: str, customer_vault_id: str,
                         dup_seconds: int | None = None,
                         stored_credential: StoredCredential | None = None, sec_code: str = "") -> NmiResponse:
        """Charge a saved method. `sec_code` names how a saved eCheck's debit was authorised (`WEB` from the client
        portal); "" leaves the gateway's default."""
        fields = self._order(order_id, amount, currency, dup_seconds)
        fields["customer_vault_id"] = customer_vault_id
        if sec_code:
            fields["sec_code"] = sec_code
        if stored_credential is not None:
            fields.update(stored_credential.fields())
        return await self._transact(fields)

    # ------------------------------------------------------------------ vault

    async def vault_add(self, payment: PaymentData, billing: Billing | None = None,
                        customer_vault_id: str = "") -> NmiResponse:
        fields = {"customer_vault": "add_customer", **payment.fields(), **(billing or Billing()).fields()}
        if customer_vault_id:
            fields["customer_vault_id"] = customer_vault_id
        return await self._transact(fields)

    async def vault_update(self, customer_vault_id: str, payment: PaymentData | None = None,
                           billing: Billing | None = None, *, expiry_mmyy: str = "") -> NmiResponse:
        """update_customer: new payment data, or only a card's new expiry (`expiry_mmyy`, the number kept)."""
        fields = {"customer_vault": "update_customer", "customer_vault_id": customer_vault_id}
        if payment is not None:
            fields.update(payment.fields())
        elif expiry_mmyy:
            fields["ccexp"] = expiry_mmyy
        fields.update((billing or Billing()).fields())
        return await self._transact(fields)

    async def vault_delete(self, customer_vault_id: str) -> NmiResponse:
        return await self._transact({"customer_vault": "delete_customer", "customer_vault_id": customer_vault_id})

    async def vault_record(self, customer_vault_id: str) -> NmiVaultRecord | None:
        xml = await self._query({"report_type": "customer_vault", "customer_vault_id": customer_vault_id})
        records = parse_vault_report(xml)
        return records[0] if records else None

    # ------------------------------------------------------------------ void / refund

    async def void(self, transaction_id: str, *, payment: PaymentKind = "creditcard") -> NmiResponse:
        """Void a transaction pending settlement. `payment` must be "check" for an eCheck (the gateway
        refuses an ACH void without it)."""
        return await self._transact({"type": "void", "transactionid": transaction_id, "payment": payment})

    async def refund(self, transaction_id: str, *, amount: str | None = None,
                     payment: PaymentKind = "creditcard") -> NmiResponse:
        """Refund a settled transaction, fully (amount None) or partly. `payment` as for `void`. No order id:
        it is not a refund field; a refund is found later among the original transaction's actions."""
        fields = {"type": "refund", "transactionid": transaction_id, "payment": payment}
        if amount is not None:
            fields["amount"] = amount
        return await self._transact(fields)

    # ------------------------------------------------------------------ look-ups

    async def query(self, **filters: str) -> list[NmiTransaction]:
        """query.php with any documented filter (order_id, transaction_id, condition, action_type,
        start_date, end_date, transaction_type)."""
        return parse_query(await self._query({k: v for k, v in filters.items() if v}))

    async def query_order(self, order_id: str) -> list[NmiTransaction]:
        return await self.query(order_id=order_id)

    async def query_transactions(self, *transaction_ids: str) -> list[NmiTransaction]:
        if not transaction_ids:
            return []
        return await self.query(transaction_id=",".join(transaction_ids))

    async def test_keys(self) -> tuple[bool, Message]:
        """A harmless call: look up an order id that cannot exist. Charges nothing."""
        try:
            await self.query(order_id="payapp-key-check-0")
        except NmiQueryError as exc:
            if exc.auth_failed:
                return False, msg("nmi.key_refused")
            return False, msg("nmi.could_not_ask", reason=exc.message)
        return True, msg("nmi.key_accepted")


def _with_order(r: NmiResponse, order_id: str) -> NmiResponse:
    return replace(r, order_id=order_id)
