"""QuickBooks Online Accounting API v3 and its OAuth 2.0 authorisation-code flow (docs/protocols.md §2).

- Every call carries `minorversion=75`; every write carries a `requestid` that the caller stored before
  sending (the outbox row) and reuses on every retry, so a lost answer never posts twice.
- Faults are classified into `QuickBooksError.kind` with every `Error` entry reported; only transient
  kinds are `retryable`. 5010 (stale SyncToken) is handled here: re-read, re-apply, retry once with a
  derived new request id. 401/3200 (expired) refreshes and retries once; 401/120 or `invalid_grant`
  means disconnected: "Reconnect QuickBooks".
- Token refresh: one in flight (asyncio.Lock); the rotated refresh token is persisted through the
  caller's async `save_tokens` BEFORE the new access token is used.
- A token bucket (~8 requests/s) and a semaphore (≤ 10 concurrent) keep inside QuickBooks' limits.
- Amounts are parsed with `parse_float=Decimal` and sent as bare JSON numbers from Decimal.
- Faults come as JSON or as XML (`<IntuitResponse><Fault><Error code=..>`), whatever was asked for:
  throttling is XML `<Error code="3001">` with HTTP 429 (403 on older paths); code 120 with HTTP 500 is a
  passing failure, not a revoked sign-in. Every parser here is total: an answer of the wrong shape becomes a
  `QuickBooksError`, never a KeyError/TypeError."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import json
import time
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import httpx

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message

MINOR_VERSION = "75"
AUTHORIZE_URL = "https://appcenter.intuit.com/connect/oauth2"
TOKEN_PATH = "/oauth2/v1/tokens/bearer"
SCOPE = "com.intuit.quickbooks.accounting"
Json = dict[str, Any]

#: Fault codes that no retry can fix.
NON_RETRYABLE = {"6240": "duplicate_name", "6140": "duplicate_doc_number", "610": "not_found",
                 "2500": "invalid_reference", "6000": "validation", "6190": "subscription_ended",
                 "6210": "period_closed", "6540": "deposited"}


@dataclass(frozen=True)
class FaultEntry:
    code: str
    message: str
    detail: str
    element: str = ""

    def text(self) -> str:
        extra = f": {self.detail}" if self.detail and self.detail != self.message else ""
        return f"{self.message}{extra} (code {self.code})" if self.code else f"{self.message}{extra}"


class QuickBooksError(PayAppError):
    """kind: one of NON_RETRYABLE's values, "stale", "auth_expired", "disconnected", "throttled",
    "transient", "fault"."""

    def __init__(self, user_message: str | Message, *, kind: str, status: int = 0, retryable: bool = False,
                 entries: Sequence[FaultEntry] = (), retry_after: float | None = None) -> None:
        super().__init__(user_message, detail="; ".join(e.text() for e in entries))
        self.kind = kind
        self.status = status
        self.retryable = retryable
        self.entries = tuple(entries)
        self.retry_after = retry_after

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.entries)


class RefundAccountMissing(QuickBooksError):
    """No bank account is chosen for refunds (a RefundReceipt needs DepositToAccountRef): nothing is sent."""

    def __init__(self) -> None:
        super().__init__("Needs set-up: choose the bank account refunds are paid from in Admin › Connections "
                         "(QuickBooks).", kind="needs_setup")


class QuickBooksDisconnected(QuickBooksError):
    def __init__(self, why: str = "", entries: Sequence[FaultEntry] = ()) -> None:
        super().__init__(("QuickBooks is disconnected" + (f" ({why})" if why else "")
                          + ": Reconnect QuickBooks in Admin › Connections."),
                         kind="disconnected", status=401, entries=entries)


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: dt.datetime
    refresh_expires_at: dt.datetime | None = None

    def expiring(self, within: dt.timedelta = dt.timedelta(seconds=60)) -> bool:
        return self.expires_at <= dt.datetime.now(dt.UTC) + within


TokenSaver = Callable[[TokenSet], Awaitable[None]]


def wire_json(data: Any) -> bytes:
    """JSON with Decimal amounts as bare numbers (never through float)."""
    def enc(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"\x00{o}\x00"
        if isinstance(o, dt.date):
            return o.isoformat()
        raise TypeError(type(o).__name__)
    text = json.dumps(data, default=enc, separators=(",", ":"), ensure_ascii=False)
    return text.replace('"\\u0000', "").replace('\\u0000"', "").encode()


def parse_faults(data: Any) -> list[FaultEntry]:
    """`Fault.Error[]` (upper-case keys) or, on 401, `fault.error[]` (lower-case)."""
    if not isinstance(data, dict):
        return []
    fault = data.get("Fault") or data.get("fault") or {}
    errors = (fault.get("Error") or fault.get("error") or []) if isinstance(fault, dict) else []
    if isinstance(errors, dict):
        errors = [errors]
    out = []
    for e in errors if isinstance(errors, list) else []:
        low = {str(k).lower(): v for k, v in e.items()} if isinstance(e, dict) else {}
        out.append(FaultEntry(_text(low.get("code")), _text(low.get("message")), _text(low.get("detail")),
                              _text(low.get("element"))))
    return out


def _text(value: Any) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_xml_faults(content: bytes) -> list[FaultEntry]:
    """`<IntuitResponse><Fault type=..><Error code=".." element=".."><Message/><Detail/></Error></Fault>` (or a
    bare `<Fault>`), namespaced or not. Anything else (HTML error pages, cut-off XML) gives []."""
    text = content.lstrip()
    if not text.startswith(b"<") or b"<!DOCTYPE" in text[:200].upper() or b"<!ENTITY" in text.upper():
        return []
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError, RecursionError):
        return []
    out = []
    for el in root.iter():
        if _local(el.tag) != "Error":
            continue
        parts = {_local(child.tag): (child.text or "").strip() for child in el}
        out.append(FaultEntry(el.get("code", "").strip(), parts.get("Message", ""), parts.get("Detail", ""),
                              el.get("element", "").strip()))
    return out


def parse_fault_body(content: bytes) -> tuple[Any, list[FaultEntry]]:
    """The body as JSON (amounts as Decimal) and its fault entries, or (None, XML fault entries)."""
    data = _loads(content)
    if data is not None:
        return data, parse_faults(data)
    return None, parse_xml_faults(content)


def _throttled(status: int, entries: Sequence[FaultEntry]) -> bool:
    if status == 429:
        return True
    for e in entries:
        if e.code.lstrip("0") == "3001" or "ThrottleExceeded" in e.message or "errorCode=003001" in e.message:
            return True
    return False


def classify(status: int, entries: Sequence[FaultEntry], retry_after: float | None = None) -> QuickBooksError:
    codes = [e.code.lstrip("0") or e.code for e in entries]
    listing = "; ".join(e.text() for e in entries) or f"HTTP {status}"
    if _throttled(status, entries):      # 429, or 403 with ThrottleExceeded on older paths
        return QuickBooksError("QuickBooks is throttling requests; PayApp will wait and try again.",
                               kind="throttled", status=status, retryable=True, entries=entries,
                               retry_after=60.0 if retry_after is None else retry_after)
    # 120 with HTTP 500 ("Unknown Error during Authentication") is a passing failure, not a revoked sign-in
    passing = status >= 500
    if status == 401 or ("120" in codes and not passing) or ("3200" in codes and not passing):
        if "120" in codes:
            return QuickBooksDisconnected("authorisation revoked", entries)
        return QuickBooksError("QuickBooks sign-in expired.", kind="auth_expired", status=401, entries=entries)
    if "5010" in codes:
        return QuickBooksError(f"QuickBooks: the record changed meanwhile. {listing}", kind="stale",
                               status=status, entries=entries)
    for code in codes:
        if code in NON_RETRYABLE:
            return QuickBooksError(f"QuickBooks refused it: {listing}", kind=NON_RETRYABLE[code], status=status,
                                   entries=entries)
    if status >= 500:
        return QuickBooksError(f"QuickBooks had a server error (HTTP {status}); PayApp will try again.",
                               kind="transient", status=status, retryable=True, entries=entries)
    if status == 403:
        return QuickBooksError(f"QuickBooks refused access: {listing}", kind="forbidden", status=status,
                               entries=entries)
    return QuickBooksError(f"QuickBooks refused it: {listing}", kind="fault", status=status, entries=entries)


@dataclass(frozen=True)
class BatchResult:
    """One `BatchItemResponse` entry: the entity (or `QueryResponse`) it answered with, or its fault."""
    bid: str
    entity: str = ""
    body: Json = field(default_factory=dict)
    error: QuickBooksError | None = None


def parse_batch(data: Any) -> list[BatchResult]:
    """A batch answer (`{"BatchItemResponse": [{"bId": .., "<Entity>": {..}} | {"bId": .., "Fault": {..}}]}`):
    each item's entity or its own classified fault. The HTTP answer is 200 even when items failed."""
    items = data.get("BatchItemResponse") if isinstance(data, dict) else None
    if items is None:
        return []
    if not isinstance(items, list):
        raise unreadable("a batch answer")
    out = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("bId"), str):
            raise unreadable("a batch answer")
        if "Fault" in item or "fault" in item:
            entries = parse_faults(item)
            error = classify(400, entries) if entries else unreadable("a batch fault")
            out.append(BatchResult(item["bId"], error=error))
            continue
        bodies = [(k, v) for k, v in item.items() if k != "bId" and isinstance(v, dict)]
        if len(bodies) != 1:
            raise unreadable("a batch answer")
        out.append(BatchResult(item["bId"], bodies[0][0], bodies[0][1]))
    return out


def unreadable(what: str, status: int = 200) -> QuickBooksError:
    """An answer of the wrong shape: retried with the same request id (which replays, never writes twice)."""
    err = QuickBooksError("QuickBooks sent an answer PayApp cannot read.", kind="unreadable", status=status,
                          retryable=True)
    err.detail = f"unreadable: {what}"
    return err


def _obj(data: Any, key: str, *, need_id: bool = False) -> Json:
    """`data[key]` as a dict (an entity body), or the connector's own error."""
    value = data.get(key) if isinstance(data, dict) else None
    if value is None and not need_id:
        return {}
    if not isinstance(value, dict):
        raise unreadable(f"a {key} answer")
    if need_id and not _text(value.get("Id")).strip():
        raise unreadable(f"a {key} without an Id")
    return value


def _header_safe(token: Any) -> bool:
    return isinstance(token, str) and bool(token) and token.isascii() and token.isprintable() and " " not in token


def _seconds(value: Any, default: int) -> int | None:
    """A lifetime in seconds from a token answer: a number or a digit string; None when unreadable."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 10**9 else None
    if isinstance(value, (str, Decimal, float)):
        try:
            number = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            return None
        if not number.is_finite() or number <= 0 or number >= 10**9:
            return None
        return int(number)
    return None


def _loads(content: bytes) -> Any:
    if not content:
        return None
    try:
        return json.loads(content, parse_float=Decimal)
    except (ValueError, RecursionError):
        return None


def _retry_after(value: str | None) -> float | None:
    try:
        seconds = None if value is None else max(0.0, float(value))
    except ValueError:
        return None
    return seconds if seconds is None or seconds < 86_400 else 86_400.0


class TokenBucket:
    """`rate` requests per second with bursts up to `capacity`; `rate=0` disables it (tests)."""

    def __init__(self, rate: float, capacity: float | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.rate = rate
        self.capacity = capacity if capacity is not None else max(1.0, rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._paused_until = 0.0

    def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)

    async def take(self) -> None:
        if self.rate <= 0:
            return
        async with self._lock:
            while True:
                now = time.monotonic()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                if self._tokens >= 1:
                    self._tokens -= 1
                    return
                await self._sleep((1 - self._tokens) / self.rate)


# ---------------------------------------------------------------- OAuth


class QuickBooksOAuth:
    """Authorisation-code flow against Intuit's token endpoint (`auth_base_url` + TOKEN_PATH)."""

    def __init__(self, auth_base_url: str, client: httpx.AsyncClient, *, client_id: str, client_secret: str,
                 authorize_url: str = AUTHORIZE_URL) -> None:
        self._token_url = auth_base_url.rstrip("/") + TOKEN_PATH
        self._client = client
        self._client_id = client_id
        self.__client_secret = client_secret
        self._authorize_url = authorize_url

    def __repr__(self) -> str:
        return f"QuickBooksOAuth(token_url={self._token_url!r}, client_id={self._client_id!r}, secret='***')"

    def authorize_url(self, *, redirect_uri: str, state: str) -> str:
        query = urllib.parse.urlencode({"client_id": self._client_id, "response_type": "code", "scope": SCOPE,
                                        "redirect_uri": redirect_uri, "state": state})
        return f"{self._authorize_url}?{query}"

    async def exchange_code(self, code: str, redirect_uri: str) -> TokenSet:
        return await self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    async def refresh(self, refresh_token: str) -> TokenSet:
        return await self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    async def _token(self, form: dict[str, str]) -> TokenSet:
        basic = base64.b64encode(f"{self._client_id}:{self.__client_secret}".encode()).decode()
        try:
            resp = await self._client.post(self._token_url, data=form, headers={
                "Authorization": f"Basic {basic}", "Accept": "application/json"})
        except httpx.TransportError as exc:
            raise QuickBooksError("QuickBooks sign-in could not be reached; PayApp will try again.",
                                  kind="transient", retryable=True) from exc
        data = _loads(resp.content)
        if resp.status_code >= 500:
            raise QuickBooksError(f"QuickBooks sign-in had a server error (HTTP {resp.status_code}).",
                                  kind="transient", status=resp.status_code, retryable=True)
        if not isinstance(data, dict):
            data = {}
        error = _text(data.get("error"))
        if error == "invalid_grant":
            raise QuickBooksDisconnected("the sign-in is no longer valid")
        if error == "invalid_client" or resp.status_code == 401:
            raise QuickBooksError("QuickBooks refused the client id or client secret: check them in Admin, then "
                                  "Reconnect QuickBooks.", kind="disconnected", status=resp.status_code)
        if resp.status_code != 200 or not data.get("access_token"):
            words = _text(data.get("error_description")) or error or f"HTTP {resp.status_code}"
            raise QuickBooksError(f"QuickBooks sign-in failed ({words[:200]}).", kind="fault",
                                  status=resp.status_code)
        access = data.get("access_token")
        refresh = data.get("refresh_token") or form.get("refresh_token", "")
        life = _seconds(data.get("expires_in"), 3600)
        refresh_life = _seconds(data.get("x_refresh_token_expires_in"), 0) \
            if data.get("x_refresh_token_expires_in") not in (None, "") else 0
        if not _header_safe(access) or not _header_safe(refresh) or life is None or refresh_life is None:
            raise QuickBooksError("QuickBooks sign-in sent tokens PayApp cannot use; PayApp will try again.",
                                  kind="transient", status=resp.status_code, retryable=True)
        now = dt.datetime.now(dt.UTC)
        return TokenSet(str(access), str(refresh), now + dt.timedelta(seconds=life),
                        now + dt.timedelta(seconds=refresh_life) if refresh_life else None)


# ---------------------------------------------------------------- the API


@dataclass(frozen=True)
class InvoiceLineOut:
    description: str
    amount: Decimal
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class InvoiceOut:
    customer_id: str
    txn_date: dt.date
    due_date: dt.date | None
    lines: tuple[InvoiceLineOut, ...]
    doc_number: str = ""            # sent only when the company uses custom transaction numbers
    private_note: str = ""
    item_id: str = "1"


@dataclass(frozen=True)
class PaymentOut:
    customer_id: str
    invoice_id: str
    amount: Decimal
    txn_date: dt.date
    reference: str                  # the gateway transaction id → PaymentRefNum
    private_note: str = ""
    deposit_account_id: str = ""
    payment_method_id: str = ""
    applied: Decimal | None = None      # linked to the invoice; TotalAmt above it stays unapplied


@dataclass(frozen=True)
class RefundOut:
    customer_id: str
    amount: Decimal
    txn_date: dt.date
    reference: str
    private_note: str = ""
    item_id: str = "1"
    account_id: str = ""


class QuickBooksConnector:
    """One QuickBooks company (realm)."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, *, realm_id: str, oauth: QuickBooksOAuth,
                 tokens: TokenSet, save_tokens: TokenSaver, rate: float = 8.0, max_concurrent: int = 10,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self._base = f"{base_url.rstrip('/')}/v3/company/{realm_id}"
        self._client = client
        self.realm_id = realm_id
        self._oauth = oauth
        self.__tokens = tokens
        self._save_tokens = save_tokens
        self._refresh_lock = asyncio.Lock()
        self._sem = asyncio.Semaphore(max_concurrent)
        self.bucket = TokenBucket(rate, sleep=sleep)
        self._custom_numbers: bool | None = None
        #: why the sign-in no longer works (a refused refresh token, revoked access, a wrong client secret):
        #: the message of the last "disconnected" error, "" after a successful request
        self.disconnected_reason = ""

    def __repr__(self) -> str:
        return f"QuickBooksConnector(base={self._base!r}, tokens='***')"

    # -- tokens

    async def _refresh(self, used_access_token: str) -> None:
        async with self._refresh_lock:
            if self.__tokens.access_token != used_access_token and not self.__tokens.expiring():
                return      # somebody else refreshed while we waited
            new = await self._oauth.refresh(self.__tokens.refresh_token)
            await self._save_tokens(new)     # persisted before the new access token is used
            self.__tokens = new

    # -- transport

    async def request(self, method: str, path: str, *, params: dict[str, str] | None = None,
                      body: Any = None, request_id: str = "") -> Json:
        try:
            data = await self._request(method, path, params=params, body=body, request_id=request_id)
        except QuickBooksError as exc:
            if exc.kind == "disconnected":
                self.disconnected_reason = exc.user_message
            raise
        self.disconnected_reason = ""
        return data

    async def _request(self, method: str, path: str, *, params: dict[str, str] | None,
                       body: Any, request_id: str) -> Json:
        query = {"minorversion": MINOR_VERSION, **(params or {})}
        if request_id:
            query["requestid"] = request_id
        content = None if body is None else wire_json(body)
        for attempt in range(2):
            if self.__tokens.expiring():
                await self._refresh(self.__tokens.access_token)
            token = self.__tokens.access_token
            if not _header_safe(token):      # a stored token PayApp cannot send: get a new one
                if attempt:
                    raise QuickBooksDisconnected("the stored sign-in cannot be read")
                await self._refresh(token)
                continue
            await self.bucket.take()
            async with self._sem:
                try:
                    resp = await self._client.request(
                        method, f"{self._base}/{path}", params=query, content=content,
                        headers={"Authorization": f"Bearer {token}", "Accept": "application/json",
                                 **({"Content-Type": "application/json"} if content is not None else {})})
                except httpx.TransportError as exc:
                    raise QuickBooksError("QuickBooks did not answer; PayApp will try again with the same request "
                                          "id.", kind="transient", retryable=True) from exc
            data, entries = parse_fault_body(resp.content)
            if resp.status_code < 400 and not entries:
                if not isinstance(data, dict):
                    raise QuickBooksError("QuickBooks sent an answer PayApp cannot read.", kind="transient",
                                          status=resp.status_code, retryable=True)
                if "BatchItemResponse" in data and not isinstance(data.get("BatchItemResponse"), list):
                    raise unreadable("a batch answer")
                return data
            err = classify(resp.status_code, entries, _retry_after(resp.headers.get("Retry-After")))
            if err.kind == "throttled":
                self.bucket.pause(err.retry_after or 60.0)
            if err.kind == "auth_expired" and attempt == 0:
                await self._refresh(token)
                continue
            if err.kind == "auth_expired":
                raise QuickBooksDisconnected("the sign-in was refused after a refresh", err.entries)
            raise err
        raise AssertionError("unreachable")

    # -- reads

    async def preferences(self) -> Json:
        return dict(_obj(await self.request("GET", "preferences"), "Preferences"))

    async def custom_txn_numbers(self) -> bool:
        if self._custom_numbers is None:
            prefs = await self.preferences()
            value = _obj(prefs, "SalesFormsPrefs").get("CustomTxnNumbers", False)
            if isinstance(value, str):
                value = value.strip().lower() == "true"
            self._custom_numbers = value is True
        return self._custom_numbers

    async def company_name(self) -> str:
        data = await self.request("GET", f"companyinfo/{self.realm_id}")
        return _text(_obj(data, "CompanyInfo").get("CompanyName"))

    async def query(self, statement: str) -> list[Json]:
        data = await self.request("GET", "query", params={"query": statement})
        resp = _obj(data, "QueryResponse")
        for value in resp.values():      # the entity key is missing when nothing matches
            if isinstance(value, list):
                if not all(isinstance(row, dict) for row in value):
                    raise unreadable("a query answer")
                return value
        return []

    async def find_customer(self, display_name: str) -> Json | None:
        rows = await self.query(f"SELECT * FROM Customer WHERE DisplayName = '{escape(display_name)}'")
        return rows[0] if rows else None

    async def bank_accounts(self) -> list[tuple[str, str]]:
        """The company's active bank accounts as (Id, name), for the account refunds are paid from."""
        rows = await self.query("SELECT * FROM Account WHERE AccountType = 'Bank' MAXRESULTS 1000")
        out = []
        for row in rows:
            ident = _text(row.get("Id")).strip()
            if ident and row.get("Active", True) is not False:
                out.append((ident, _text(row.get("FullyQualifiedName") or row.get("Name")) or ident))
        return out

    async def read(self, entity: str, ident: str) -> Json:
        data = await self.request("GET", f"{entity.lower()}/{ident}")
        return dict(_obj(data, entity))

    # -- writes

    async def ensure_customer(self, display_name: str, request_id: str, **extra: Any) -> Json:
        """Create the customer, or find it when the name exists already (6240)."""
        name = display_name.strip()[:100] or "Unnamed customer"
        try:
            data = await self.request("POST", "customer", body={"DisplayName": name, **extra}, request_id=request_id)
            return dict(_obj(data, "Customer", need_id=True))
        except QuickBooksError as exc:
            if exc.kind != "duplicate_name":
                raise
        found = await self.find_customer(name)
        if found is not None and not _text(found.get("Id")).strip():
            raise unreadable("a Customer without an Id")
        if found is None:
            raise QuickBooksError(f"QuickBooks says a customer named {name!r} exists, but PayApp cannot find it "
                                  "(it may be inactive, or a vendor or employee uses the name).",
                                  kind="duplicate_name")
        return found

    async def push_invoice(self, invoice: InvoiceOut, request_id: str) -> Json:
        body: Json = {
            "CustomerRef": {"value": invoice.customer_id},
            "TxnDate": invoice.txn_date.isoformat(),
            "Line": [{"Amount": ln.amount, "Description": ln.description[:4000], "DetailType": "SalesItemLineDetail",
                      "SalesItemLineDetail": {"ItemRef": {"value": invoice.item_id}, "Qty": ln.quantity,
                                              **({"UnitPrice": ln.unit_price} if ln.unit_price is not None else {})}}
                     for ln in invoice.lines],
        }
        if invoice.due_date:
            body["DueDate"] = invoice.due_date.isoformat()
        if invoice.private_note:
            body["PrivateNote"] = invoice.private_note[:4000]
        if invoice.doc_number and await self.custom_txn_numbers():
            body["DocNumber"] = invoice.doc_number[:21]
        return dict(_obj(await self.request("POST", "invoice", body=body, request_id=request_id), "Invoice",
                         need_id=True))

    async def push_payment(self, payment: PaymentOut, request_id: str) -> Json:
        body: Json = {
            "CustomerRef": {"value": payment.customer_id},
            "TotalAmt": payment.amount,
            "TxnDate": payment.txn_date.isoformat(),
            "PaymentRefNum": payment.reference[:21],
            "Line": [{"Amount": payment.amount if payment.applied is None else payment.applied,
                      "LinkedTxn": [{"TxnId": payment.invoice_id, "TxnType": "Invoice"}]}],
        }
        if payment.private_note:
            body["PrivateNote"] = payment.private_note[:4000]
        if payment.deposit_account_id:
            body["DepositToAccountRef"] = {"value": payment.deposit_account_id}
        if payment.payment_method_id:
            body["PaymentMethodRef"] = {"value": payment.payment_method_id}
        return dict(_obj(await self.request("POST", "payment", body=body, request_id=request_id), "Payment",
                         need_id=True))

    async def void_payment(self, payment_id: str, request_id: str) -> Json:
        """`POST payment?operation=update&include=void` with Id, SyncToken, sparse. A stale SyncToken (5010)
        is re-read and retried once with a new request id derived from the stored one."""
        for attempt, rid in enumerate((request_id, derived_request_id(request_id, "s1"))):
            current = await self.read("Payment", payment_id)
            if is_voided(current):
                return current
            body = {"Id": payment_id, "SyncToken": _text(current.get("SyncToken")) or "0", "sparse": True}
            try:
                data = await self.request("POST", "payment", params={"operation": "update", "include": "void"},
                                          body=body, request_id=rid)
                return dict(_obj(data, "Payment"))
            except QuickBooksError as exc:
                if exc.kind != "stale" or attempt:
                    raise
        raise AssertionError("unreachable")

    async def refund(self, refund: RefundOut, request_id: str) -> Json:
        """A RefundReceipt: money paid back to the customer (QuickBooks' documented refund form)."""
        body: Json = {
            "CustomerRef": {"value": refund.customer_id},
            "TxnDate": refund.txn_date.isoformat(),
            "PaymentRefNum": refund.reference[:21],
            "Line": [{"Amount": refund.amount, "DetailType": "SalesItemLineDetail", "Description": "Refund",
                      "SalesItemLineDetail": {"ItemRef": {"value": refund.item_id}, "Qty": Decimal(1),
                                              "UnitPrice": refund.amount}}],
        }
        if not refund.account_id:
            raise RefundAccountMissing()
        body["DepositToAccountRef"] = {"value": refund.account_id}
        if refund.private_note:
            body["PrivateNote"] = refund.private_note[:4000]
        data = await self.request("POST", "refundreceipt", body=body, request_id=request_id)
        return dict(_obj(data, "RefundReceipt", need_id=True))

    async def test(self) -> str:
        name = await self.company_name()
        custom = await self.custom_txn_numbers()
        return (f"Connected to QuickBooks company {name or self.realm_id}"
                + (" · custom invoice numbers" if custom else " · QuickBooks numbers invoices"))


def escape(text: str) -> str:
    """A query string literal: QuickBooks escapes only the single quote (`\\'`); a backslash is an ordinary
    character."""
    return text.replace("'", "\\'")


def is_voided(payment: Json) -> bool:
    """QuickBooks marks a voided payment with "Voided" in PrivateNote (anywhere: it is added to the note there
    was) and a zero total."""
    note = payment.get("PrivateNote") if isinstance(payment, dict) else None
    if not isinstance(note, str) or "Voided" not in note:
        return False
    try:
        return Decimal(str(payment.get("TotalAmt", "0"))) == 0
    except (InvalidOperation, ValueError):
        return False


def derived_request_id(request_id: str, suffix: str) -> str:
    """A new request id for a changed body, derived from the stored one so it is stable across retries."""
    return f"{request_id[: 49 - len(suffix)]}-{suffix}"
