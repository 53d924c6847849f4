"""PayPal's classic NVP API (API username, password and signature) over an `httpx.AsyncClient`: Express Checkout,
refunds and the look-ups that resolve an unknown outcome (docs/gateways-paypal.md).

Rules this module keeps:

- Every call is a form-encoded POST to `{base_url}/nvp` with USER, PWD, SIGNATURE, VERSION and METHOD; the answer is
  form-encoded too. `parse_nvp` is total: any bytes give an `NvpAnswer` (ACK Success or SuccessWithWarning, the
  warnings kept), or raise PayApp's own error: `PayPalError` for ACK Failure / FailureWithWarning (the first
  L_ERRORCODE0 with PayPal's short and long message, every other one kept in `errors`), `PayPalUnreadable` for a
  body that is not an NVP answer.
- A call whose outcome cannot be known raises `PayPalUnknownOutcome` (never retried here): no answer or a dropped
  connection after sending, HTTP errors, a body that is not an answer. `sent` is False only when the request
  certainly never left this computer. A lost DoExpressCheckoutPayment is resolved with `find_payment(INVNUM)`
  (TransactionSearch by our invoice number, then GetTransactionDetails); error 10412 means PayPal already has a
  payment with that INVNUM: look it up the same way, never pay again.
- The API password and signature (and the username, which names the account) go into the request body only: they
  are never kept on a public attribute, never in a repr, never logged, never in an exception message.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg
from payapp.domain.redaction import register_secret

#: the NVP endpoints (PayPal's "API signature" credentials use the api-3t hosts)
LIVE_API_BASE = "https://api-3t.paypal.com"
SANDBOX_API_BASE = "https://api-3t.sandbox.paypal.com"
#: where the buyer approves the payment: `...?cmd=_express-checkout&token=EC-...`
LIVE_CHECKOUT_URL = "https://www.paypal.com/cgi-bin/webscr"
SANDBOX_CHECKOUT_URL = "https://www.sandbox.paypal.com/cgi-bin/webscr"
API_VERSION = "124.0"

SUCCESS_ACKS = frozenset({"Success", "SuccessWithWarning"})
FAILURE_ACKS = frozenset({"Failure", "FailureWithWarning"})

#: error codes the payment engine acts on (developer.paypal.com/api/nvp-soap/errors)
SECURITY_ERROR = "10002"          # wrong API username, password or signature
DUPLICATE_INVOICE = "10412"       # "Payment has already been made for this InvoiceID."
CART_TOTALS_MISMATCH = "10413"    # the item amounts do not add up to the order amount
TOKEN_ALREADY_PAID = "10415"      # "A successful transaction has already been completed for this token."
FUNDING_DECLINED = "10486"        # the buyer's funding source failed; the buyer may choose another at PayPal
ALREADY_PROCESSED = "11607"       # "Duplicate Request": PayPal answers the original result
#: the words PayApp puts in place of PayPal's when a refusal carries none
REFUSED = "PayPal refused the request."
INTERNAL_ERROR = "10001"          # PayPal's "Internal Error" / "Timeout processing request"

Method = Literal["SetExpressCheckout", "GetExpressCheckoutDetails", "DoExpressCheckoutPayment", "RefundTransaction",
                 "TransactionSearch", "GetTransactionDetails"]


# ------------------------------------------------------------------------------------ what the adapter declares

@dataclass(frozen=True)
class CredentialField:
    """One field an admin types to connect the gateway; `secret` ones are masked and kept in the keyring."""

    key: str
    label: str
    secret: bool


@dataclass(frozen=True)
class GatewayDescription:
    """What a gateway adapter is and can do, as data for the gateway table and Admin › Payment Processing."""

    name: str
    label: str
    credential_fields: tuple[CredentialField, ...]
    capabilities: frozenset[str]
    live_base_url: str
    sandbox_base_url: str


PAYPAL = GatewayDescription(
    name="paypal",
    label="PayPal (classic NVP, API signature)",
    credential_fields=(
        CredentialField("api_username", "API username", secret=False),
        CredentialField("api_password", "API password", secret=True),
        CredentialField("api_signature", "API signature", secret=True),
    ),
    # Express Checkout only: no card data, no vault, no void of a sale, no settlement reports over this API
    capabilities=frozenset({"redirect_checkout", "refund_full", "refund_partial", "lookup_by_order_id",
                            "pending_payments", "reversals"}),
    live_base_url=LIVE_API_BASE,
    sandbox_base_url=SANDBOX_API_BASE,
)


@dataclass(frozen=True)
class PayPalCredentials:
    """API signature credentials; the repr shows none of them."""

    username: str = field(repr=False)
    password: str = field(repr=False)
    signature: str = field(repr=False)


# ------------------------------------------------------------------------------------ errors

@dataclass(frozen=True)
class NvpMessage:
    """One L_ERRORCODEn / L_SHORTMESSAGEn / L_LONGMESSAGEn / L_SEVERITYCODEn group."""

    code: str
    short_message: str
    long_message: str
    severity: str = ""


class PayPalError(PayAppError):
    """PayPal refused the request (ACK Failure or FailureWithWarning). Nothing was done by this request, except
    where a code says otherwise (11607: PayPal had already processed it)."""

    def __init__(self, errors: tuple[NvpMessage, ...], *, method: str = "", correlation_id: str = "") -> None:
        first = errors[0] if errors else NvpMessage("", REFUSED, "")
        said = first.long_message or first.short_message
        # PayPal's own words as they are; PayApp's stand-in for none is a message of its own (in the UI's language)
        text: str | Message = said if said and said != REFUSED else msg("paypal.request_refused")
        super().__init__(msg("paypal.said_code", text=text, code=first.code) if first.code
                         else msg("paypal.said", text=text),
                         detail=f"{method} correlation id {correlation_id}" if correlation_id else method)
        self.errors = errors
        self.code = first.code
        self.short_message = first.short_message
        self.long_message = first.long_message
        self.method = method
        self.correlation_id = correlation_id

    def has(self, code: str) -> bool:
        return any(e.code == code for e in self.errors)

    @property
    def auth_failed(self) -> bool:
        return self.has(SECURITY_ERROR)

    @property
    def duplicate_invoice(self) -> bool:
        """PayPal already holds a payment with this INVNUM: look it up (`find_payment`), do not pay again."""
        return self.has(DUPLICATE_INVOICE)

    @property
    def funding_declined(self) -> bool:
        return self.has(FUNDING_DECLINED)

    @property
    def already_processed(self) -> bool:
        return self.has(ALREADY_PROCESSED) or self.has(TOKEN_ALREADY_PAID)


class PayPalUnknownOutcome(PayAppError):
    """The request may or may not have been processed by PayPal. Never resend a payment on this: look its INVNUM
    up. `sent` is False only when the request certainly never reached PayPal."""

    def __init__(self, message: Message, *, method: str = "", sent: bool = True, invnum: str = "") -> None:
        super().__init__(message, detail=method)
        self.method = method
        self.sent = sent
        self.invnum = invnum


class PayPalUnreadable(PayPalUnknownOutcome):
    """A body that is not an NVP answer (a proxy's error page, cut-off bytes)."""


# ------------------------------------------------------------------------------------ the total parser

@dataclass(frozen=True)
class NvpAnswer:
    """A successful answer: every field as PayPal sent it (URL-decoded), plus its warnings."""

    fields: Mapping[str, str]
    ack: str
    warnings: tuple[NvpMessage, ...] = ()

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    @property
    def correlation_id(self) -> str:
        return self.get("CORRELATIONID")


def _messages(values: Mapping[str, str]) -> tuple[NvpMessage, ...]:
    out: list[NvpMessage] = []
    n = 0
    while any(f"{p}{n}" in values for p in ("L_ERRORCODE", "L_SHORTMESSAGE", "L_LONGMESSAGE")):
        out.append(NvpMessage(values.get(f"L_ERRORCODE{n}", ""), values.get(f"L_SHORTMESSAGE{n}", ""),
                              values.get(f"L_LONGMESSAGE{n}", ""), values.get(f"L_SEVERITYCODE{n}", "")))
        n += 1
    return tuple(out)


def parse_nvp(body: bytes | str, *, method: str = "") -> NvpAnswer:
    """Parse an NVP answer body. Success / SuccessWithWarning give an `NvpAnswer`; Failure / FailureWithWarning
    raise `PayPalError`; anything else raises `PayPalUnreadable` (the request may have been processed)."""
    try:
        text = body.decode("utf-8") if isinstance(body, bytes) else body
        pairs = parse_qsl(text.strip(), keep_blank_values=True, max_num_fields=10_000)
    except (UnicodeError, ValueError):
        raise PayPalUnreadable(msg("paypal.unreadable"), method=method) from None
    values: dict[str, str] = {}
    for name, value in pairs:
        values.setdefault(name, value)          # the first of a repeated name counts, as PayPal sends each once
    ack = values.get("ACK", "")
    if ack in FAILURE_ACKS:
        raise PayPalError(_messages(values) or (NvpMessage("", REFUSED, ""),),
                          method=method, correlation_id=values.get("CORRELATIONID", ""))
    if ack not in SUCCESS_ACKS:
        raise PayPalUnreadable(msg("paypal.unreadable"), method=method)
    return NvpAnswer(values, ack, _messages(values))


# ------------------------------------------------------------------------------------ typed answers

def _norm_status(status: str) -> str:
    """"Partially-Refunded", "Partially Refunded" and "partially_refunded" name the same status."""
    return status.replace("-", "").replace(" ", "").replace("_", "").lower()


@dataclass(frozen=True)
class ExpressCheckoutStart:
    token: str = field(repr=False)         # names the buyer's checkout session: kept out of reprs and logs
    redirect_url: str = field(repr=False)
    warnings: tuple[NvpMessage, ...] = ()


@dataclass(frozen=True)
class ExpressCheckoutDetails:
    payer_id: str
    checkout_status: str                   # PaymentActionNotInitiated | PaymentActionInProgress | ...Completed | ...
    amount: str
    currency: str
    invnum: str = ""
    email: str = ""
    transaction_id: str = ""               # set once DoExpressCheckoutPayment went through

    @property
    def approved(self) -> bool:
        """The buyer approved at PayPal (PayPal sends PAYERID only then)."""
        return bool(self.payer_id)

    @property
    def paid(self) -> bool:
        return self.checkout_status == "PaymentActionCompleted" or bool(self.transaction_id)


@dataclass(frozen=True)
class PayPalPayment:
    """A payment's state: DoExpressCheckoutPayment's PAYMENTINFO_0_* or GetTransactionDetails."""

    transaction_id: str
    status: str                            # Completed | Pending | Refunded | Partially-Refunded | Reversed | ...
    pending_reason: str = ""               # echeck | paymentreview | ... ("None" is read as "")
    amount: str = ""
    currency: str = ""
    invnum: str = ""
    payment_type: str = ""                 # instant | echeck
    fee: str = ""
    warnings: tuple[NvpMessage, ...] = ()

    @property
    def completed(self) -> bool:
        return _norm_status(self.status) in {"completed", "completedfundsheld", "processed"}

    @property
    def pending(self) -> bool:
        return _norm_status(self.status) in {"pending", "inprogress"}

    @property
    def failed(self) -> bool:
        return _norm_status(self.status) in {"denied", "failed", "expired", "voided", "none", ""}

    @property
    def reversed(self) -> bool:
        return _norm_status(self.status) == "reversed"

    @property
    def money_taken(self) -> bool:
        """PayPal took (or is taking) the buyer's money under this transaction."""
        return not self.failed


@dataclass(frozen=True)
class PayPalRefund:
    refund_transaction_id: str
    gross: str = ""
    fee_refunded: str = ""
    total_refunded: str = ""
    currency: str = ""
    refund_status: str = ""                # Instant | Delayed (newer API versions)
    pending_reason: str = ""


@dataclass(frozen=True)
class PayPalSearchHit:
    """One row of TransactionSearch (L_TRANSACTIONIDn, L_TYPEn, L_STATUSn, L_AMTn, ...)."""

    transaction_id: str
    type: str                              # Payment | Refund | Reversal | ...
    status: str
    amount: str
    currency: str = ""
    timestamp: str = ""

    @property
    def is_payment(self) -> bool:
        return _norm_status(self.type) not in {"refund", "reversal", "chargeback"} and not self.amount.startswith("-")


def _pending_reason(value: str) -> str:
    return "" if value.lower() == "none" else value


def read_search(answer: NvpAnswer) -> list[PayPalSearchHit]:
    hits: list[PayPalSearchHit] = []
    n = 0
    while f"L_TRANSACTIONID{n}" in answer.fields:
        hits.append(PayPalSearchHit(answer.get(f"L_TRANSACTIONID{n}"), answer.get(f"L_TYPE{n}"),
                                    answer.get(f"L_STATUS{n}"), answer.get(f"L_AMT{n}"),
                                    answer.get(f"L_CURRENCYCODE{n}"), answer.get(f"L_TIMESTAMP{n}")))
        n += 1
    return hits


def read_details(answer: NvpAnswer) -> ExpressCheckoutDetails:
    return ExpressCheckoutDetails(
        payer_id=answer.get("PAYERID"), checkout_status=answer.get("CHECKOUTSTATUS"),
        amount=answer.get("PAYMENTREQUEST_0_AMT") or answer.get("AMT"),
        currency=answer.get("PAYMENTREQUEST_0_CURRENCYCODE") or answer.get("CURRENCYCODE"),
        invnum=answer.get("PAYMENTREQUEST_0_INVNUM") or answer.get("INVNUM"), email=answer.get("EMAIL"),
        transaction_id=answer.get("PAYMENTREQUEST_0_TRANSACTIONID") or answer.get("PAYMENTINFO_0_TRANSACTIONID"))


def read_payment(answer: NvpAnswer, *, invnum: str = "") -> PayPalPayment:
    """DoExpressCheckoutPayment's PAYMENTINFO_0_* fields. An answer without a transaction id is unreadable: PayPal
    said Success, so something may have been paid."""
    tid = answer.get("PAYMENTINFO_0_TRANSACTIONID")
    if not tid:
        raise PayPalUnreadable(msg("paypal.no_transaction_id"), method="DoExpressCheckoutPayment",
                               invnum=invnum)
    return PayPalPayment(
        transaction_id=tid, status=answer.get("PAYMENTINFO_0_PAYMENTSTATUS"),
        pending_reason=_pending_reason(answer.get("PAYMENTINFO_0_PENDINGREASON")),
        amount=answer.get("PAYMENTINFO_0_AMT"), currency=answer.get("PAYMENTINFO_0_CURRENCYCODE"),
        invnum=invnum, payment_type=answer.get("PAYMENTINFO_0_PAYMENTTYPE"), fee=answer.get("PAYMENTINFO_0_FEEAMT"),
        warnings=answer.warnings)


def read_transaction(answer: NvpAnswer) -> PayPalPayment:
    """GetTransactionDetails."""
    return PayPalPayment(
        transaction_id=answer.get("TRANSACTIONID"), status=answer.get("PAYMENTSTATUS"),
        pending_reason=_pending_reason(answer.get("PENDINGREASON")), amount=answer.get("AMT"),
        currency=answer.get("CURRENCYCODE"), invnum=answer.get("INVNUM"), payment_type=answer.get("PAYMENTTYPE"),
        fee=answer.get("FEEAMT"), warnings=answer.warnings)


def read_refund(answer: NvpAnswer) -> PayPalRefund:
    rid = answer.get("REFUNDTRANSACTIONID")
    if not rid:
        raise PayPalUnreadable(msg("paypal.no_refund_id"), method="RefundTransaction")
    return PayPalRefund(rid, answer.get("GROSSREFUNDAMT"), answer.get("FEEREFUNDAMT"),
                        answer.get("TOTALREFUNDEDAMOUNT"), answer.get("CURRENCYCODE"), answer.get("REFUNDSTATUS"),
                        _pending_reason(answer.get("PENDINGREASON")))


# ------------------------------------------------------------------------------------ the client

#: httpx errors raised before any byte of the request could have reached PayPal.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def checkout_url_for(base_url: str) -> str:
    """Where the buyer goes for an API base: PayPal's live or sandbox site, else the same host's /cgi-bin/webscr
    (PayApp's own sandbox plays both the API and the buyer's page)."""
    host = urlsplit(base_url).hostname or ""
    if host == "api-3t.paypal.com":
        return LIVE_CHECKOUT_URL
    if host == "api-3t.sandbox.paypal.com":
        return SANDBOX_CHECKOUT_URL
    return f"{base_url.rstrip('/')}/cgi-bin/webscr"


def paypal_date(when: dt.datetime) -> str:
    """TransactionSearch's STARTDATE form (UTC, ISO 8601 with Z)."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class PayPalGateway:
    """Client of one PayPal business account through the classic NVP API."""

    name = "paypal"
    description = PAYPAL

    def __init__(self, client: httpx.AsyncClient, base_url: str, credentials: PayPalCredentials, *,
                 checkout_url: str | None = None, timeout: float | None = None) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self.__credentials = credentials
        self._checkout = checkout_url or checkout_url_for(self._base)
        self._timeout = timeout
        # should anything ever print a request body, the log's redaction masks these values
        register_secret(credentials.password)
        register_secret(credentials.signature)

    def __repr__(self) -> str:
        return f"PayPalGateway(base_url={self._base!r}, credentials='***')"

    @property
    def base_url(self) -> str:
        return self._base

    def redirect_url(self, token: str) -> str:
        return f"{self._checkout}?{urlencode({'cmd': '_express-checkout', 'token': token})}"

    # ------------------------------------------------------------------ transport

    async def call(self, method: Method, fields: Mapping[str, str], *, invnum: str = "") -> NvpAnswer:
        """One NVP call. Raises PayPalError (refused), PayPalUnknownOutcome (may have been processed)."""
        creds = self.__credentials
        data = {"USER": creds.username, "PWD": creds.password, "SIGNATURE": creds.signature,
                "VERSION": API_VERSION, "METHOD": method, **fields}
        timeout = httpx.USE_CLIENT_DEFAULT if self._timeout is None else self._timeout
        try:
            resp = await self._client.post(f"{self._base}/nvp", data=data, timeout=timeout)
        except _NOT_SENT as exc:
            raise PayPalUnknownOutcome(msg("paypal.unreachable", error=type(exc).__name__), method=method, sent=False,
                                       invnum=invnum) from None
        except (httpx.TransportError, OSError) as exc:
            # timed out or dropped after the request went out: PayPal may have processed it
            raise PayPalUnknownOutcome(msg("paypal.no_answer", error=type(exc).__name__), method=method,
                                       invnum=invnum) from None
        if resp.status_code != 200:
            raise PayPalUnknownOutcome(msg("paypal.http_status", status=resp.status_code), method=method, invnum=invnum)
        try:
            return parse_nvp(resp.content, method=method)
        except PayPalUnreadable as exc:
            raise PayPalUnreadable(exc.message or msg("paypal.unreadable"), method=method, invnum=invnum) from None

    # ------------------------------------------------------------------ Express Checkout

    async def set_express_checkout(self, *, amount: str, currency: str, invnum: str, return_url: str,
                                   cancel_url: str, description: str = "") -> ExpressCheckoutStart:
        """Start a checkout. `invnum` is unique per attempt (PayApp's order id): PayPal's duplicate protection."""
        fields = {"PAYMENTREQUEST_0_AMT": amount, "PAYMENTREQUEST_0_CURRENCYCODE": currency,
                  "PAYMENTREQUEST_0_PAYMENTACTION": "Sale", "PAYMENTREQUEST_0_INVNUM": invnum,
                  "RETURNURL": return_url, "CANCELURL": cancel_url, "NOSHIPPING": "1"}
        if description:
            fields["PAYMENTREQUEST_0_DESC"] = description
        answer = await self.call("SetExpressCheckout", fields, invnum=invnum)
        token = answer.get("TOKEN")
        if not token:
            raise PayPalUnreadable(msg("paypal.no_checkout_token"), method="SetExpressCheckout",
                                   invnum=invnum)
        return ExpressCheckoutStart(token, self.redirect_url(token), answer.warnings)

    async def get_express_checkout_details(self, token: str) -> ExpressCheckoutDetails:
        return read_details(await self.call("GetExpressCheckoutDetails", {"TOKEN": token}))

    async def do_express_checkout_payment(self, *, token: str, payer_id: str, amount: str, currency: str,
                                          invnum: str) -> PayPalPayment:
        """Take the payment the buyer approved. On `PayPalUnknownOutcome` call `find_payment(invnum)`; on
        `PayPalError.duplicate_invoice` too."""
        fields = {"TOKEN": token, "PAYERID": payer_id, "PAYMENTREQUEST_0_AMT": amount,
                  "PAYMENTREQUEST_0_CURRENCYCODE": currency, "PAYMENTREQUEST_0_PAYMENTACTION": "Sale",
                  "PAYMENTREQUEST_0_INVNUM": invnum}
        return read_payment(await self.call("DoExpressCheckoutPayment", fields, invnum=invnum), invnum=invnum)

    # ------------------------------------------------------------------ refunds

    async def refund_transaction(self, transaction_id: str, *, amount: str | None = None, currency: str = "",
                                 note: str = "") -> PayPalRefund:
        """Refund fully (`amount` None: REFUNDTYPE=Full) or partly (REFUNDTYPE=Partial with AMT and CURRENCYCODE)."""
        fields = {"TRANSACTIONID": transaction_id, "REFUNDTYPE": "Full" if amount is None else "Partial"}
        if amount is not None:
            fields["AMT"] = amount
            if currency:
                fields["CURRENCYCODE"] = currency
        if note:
            fields["NOTE"] = note
        return read_refund(await self.call("RefundTransaction", fields))

    # ------------------------------------------------------------------ look-ups

    async def transaction_search(self, *, start: dt.datetime, invnum: str = "",
                                 transaction_id: str = "") -> list[PayPalSearchHit]:
        fields = {"STARTDATE": paypal_date(start)}
        if invnum:
            fields["INVNUM"] = invnum
        if transaction_id:
            fields["TRANSACTIONID"] = transaction_id
        return read_search(await self.call("TransactionSearch", fields))

    async def get_transaction_details(self, transaction_id: str) -> PayPalPayment:
        return read_transaction(await self.call("GetTransactionDetails", {"TRANSACTIONID": transaction_id}))

    async def find_payment(self, invnum: str, *, start: dt.datetime) -> PayPalPayment | None:
        """The payment PayPal holds under our INVNUM (searched from `start`), or None when it has none: then the
        lost request did not pay. Look-up errors propagate (they are not "no payment")."""
        hits = [h for h in await self.transaction_search(start=start, invnum=invnum) if h.is_payment]
        if not hits:
            return None
        payment = await self.get_transaction_details(hits[0].transaction_id)
        return payment if payment.invnum else replace(payment, invnum=invnum)

    async def test_credentials(self) -> tuple[bool, Message]:
        """A harmless call (a search for an invoice number that cannot exist). Charges nothing."""
        try:
            await self.transaction_search(start=dt.datetime.now(dt.UTC) - dt.timedelta(days=1),
                                          invnum="payapp-credential-check-0")
        except PayPalError as exc:
            if exc.auth_failed:
                return False, msg("paypal.credentials_refused")
            return False, exc.message or msg("paypal.said", text=exc.user_message)
        except PayPalUnknownOutcome as exc:
            return False, msg("paypal.could_not_ask", reason=exc.message or exc.user_message)
        return True, msg("paypal.credentials_accepted")
