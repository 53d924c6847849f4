"""Autotask PSA REST API (v1.0): zone discovery, queries with paging, threshold monitoring, mapping of
the entities PayApp keeps, and the one write PayApp makes (marking a fully paid invoice).

Facts from docs/protocols.md §3. The caller passes the zone-discovery base URL
(`https://webservices2.autotask.net/atservicesrest`) and the shared `httpx.AsyncClient`. Credentials
are plain strings held privately and sent only to the zone host; a `nextPageUrl` that points
elsewhere is followed without them.

Query results are assumed to come in ascending `id` order (Autotask pages by id), which the sync
relies on for its resumable `id gt <last id>` cursors."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import httpx

from payapp.domain.errors import PayAppError

MAX_RECORDS = 500
#: A query never needs more pages than this; a `nextPageUrl` chain longer than that is a loop.
MAX_PAGES = 100_000
RETRIES = 4
Json = dict[str, Any]
Filter = list[Json]


class AutotaskError(PayAppError):
    """An Autotask failure. `retryable` says whether trying again later can help."""

    def __init__(self, user_message: str, *, status: int = 0, retryable: bool = False,
                 errors: Sequence[str] = (), retry_after: float | None = None) -> None:
        super().__init__(user_message, detail="; ".join(errors))
        self.status = status
        self.retryable = retryable
        self.errors = tuple(errors)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ThresholdInfo:
    limit: int
    timeframe_minutes: int
    used: int

    @property
    def ratio(self) -> float:                   # a usage ratio, not money
        return self.used / self.limit if self.limit else 0.0


# ---------------------------------------------------------------- filters


def f(op: str, field: str, value: Any = None) -> Json:
    """One filter item: f("gt", "id", 10)."""
    item: Json = {"op": op, "field": field}
    if value is not None:
        item["value"] = value
    return item


def group(op: str, *items: Json) -> Json:
    """A filter group: group("or", f(..), f(..))."""
    return {"op": op, "items": list(items)}


# ---------------------------------------------------------------- mapped records
# NamedTuples: immutable, and several times cheaper to build than frozen dataclasses (a full sync maps
# hundreds of thousands of records).


class AtCompany(NamedTuple):
    id: int
    name: str
    number: str
    phone: str
    address1: str
    city: str
    state: str
    postal_code: str
    country_id: int | None
    is_active: bool
    modified_at: dt.datetime | None


class AtContact(NamedTuple):
    id: int
    company_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    is_active: bool
    modified_at: dt.datetime | None


class AtContract(NamedTuple):
    id: int
    company_id: int
    name: str
    number: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None


class AtTicket(NamedTuple):
    id: int
    company_id: int
    contact_id: int | None
    contract_id: int | None
    ticket_number: str
    title: str
    status: str
    created_at: dt.datetime | None
    modified_at: dt.datetime | None


class AtInvoice(NamedTuple):
    id: int
    company_id: int
    invoice_number: str            # the id when Autotask's number is empty
    invoice_date: dt.date
    due_date: dt.date | None
    total: Decimal
    tax: Decimal
    paid_date: dt.date | None
    is_voided: bool
    voided_date: dt.date | None
    payment_term: str
    comments: str


class AtBillingItem(NamedTuple):
    id: int
    invoice_id: int
    description: str
    quantity: Decimal
    rate: Decimal
    amount: Decimal
    contract_id: int | None
    ticket_id: int | None


def _low(raw: Json) -> Json:
    """Autotask field names compare case-insensitively."""
    return {k.lower(): v for k, v in raw.items()}


def _spelled(raw: Json, names: frozenset[str], fallbacks: frozenset[str] = frozenset()) -> Json:
    """`raw` keyed by the documented spelling of `names` and `fallbacks` (field names compare
    case-insensitively; `fallbacks` are only read when a field of `names` is empty).

    Autotask answers with the documented camelCase names, so `raw` itself is returned when it has every
    one of `names`; otherwise (other spellings, missing fields) a copy is made through lower-cased names."""
    if raw.keys() >= names:
        return raw
    by_lower = _low(raw)
    return {name: by_lower[name.lower()] for name in names | fallbacks if name.lower() in by_lower}


def parse_datetime(value: Any) -> dt.datetime | None:
    if not value:
        return None
    text = str(value)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text)
    return parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)


def parse_date(value: Any) -> dt.date | None:
    if not value:
        return None
    return dt.date.fromisoformat(str(value)[:10])


def _int(value: Any) -> int | None:
    return None if value is None or value == "" else int(value)


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _dec(value: Any) -> Decimal:
    """A JSON amount (parsed with parse_float=Decimal; whole numbers arrive as int) as an exact Decimal."""
    kind = type(value)
    if kind is Decimal:
        return value  # type: ignore[no-any-return]
    if kind is int:
        return Decimal(value)
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value))


_COMPANY_FIELDS = frozenset({"id", "companyName", "companyNumber", "phone", "address1", "city", "state", "postalCode",
                             "countryID", "isActive", "lastTrackedModifiedDateTime"})
_CONTACT_FIELDS = frozenset({"id", "companyID", "firstName", "lastName", "emailAddress", "phone", "isActive",
                             "lastModifiedDate"})
_CONTRACT_FIELDS = frozenset({"id", "companyID", "contractName", "contractNumber", "status", "startDate", "endDate"})
_TICKET_FIELDS = frozenset({"id", "companyID", "contactID", "contractID", "ticketNumber", "title", "status",
                            "createDate", "lastTrackedModificationDateTime"})
_INVOICE_FIELDS = frozenset({"id", "companyID", "invoiceNumber", "invoiceDateTime", "dueDate", "invoiceTotal",
                             "totalTaxValue", "paidDate", "isVoided", "voidedDate", "createDateTime", "paymentTerm",
                             "comments"})
_BILLING_ITEM_FIELDS = frozenset({"id", "invoiceID", "description", "quantity", "rate", "extendedPrice", "contractID",
                                  "ticketID"})
_BILLING_ITEM_FALLBACKS = frozenset({"itemName", "totalAmount"})


def map_company(raw: Json) -> AtCompany:
    r = _spelled(raw, _COMPANY_FIELDS)
    get = r.get
    return AtCompany(int(r["id"]), _str(get("companyName")), _str(get("companyNumber")), _str(get("phone")),
                     _str(get("address1")), _str(get("city")), _str(get("state")), _str(get("postalCode")),
                     _int(get("countryID")), bool(get("isActive", True)),
                     parse_datetime(get("lastTrackedModifiedDateTime")))


def map_contact(raw: Json) -> AtContact:
    r = _spelled(raw, _CONTACT_FIELDS)
    get = r.get
    # Contacts.isActive is an integer 1/0 (Companies.isActive is a bool).
    active = get("isActive", 1)
    return AtContact(int(r["id"]), int(r["companyID"]), _str(get("firstName")), _str(get("lastName")),
                     _str(get("emailAddress")), _str(get("phone")), int(active or 0) == 1,
                     parse_datetime(get("lastModifiedDate")))


def map_contract(raw: Json) -> AtContract:
    r = _spelled(raw, _CONTRACT_FIELDS)
    get = r.get
    return AtContract(int(r["id"]), int(r["companyID"]), _str(get("contractName")), _str(get("contractNumber")),
                      _str(get("status")), parse_date(get("startDate")), parse_date(get("endDate")))


def map_ticket(raw: Json) -> AtTicket:
    r = _spelled(raw, _TICKET_FIELDS)
    get = r.get
    return AtTicket(int(r["id"]), int(r["companyID"]), _int(get("contactID")), _int(get("contractID")),
                    _str(get("ticketNumber")), _str(get("title")), _str(get("status")),
                    parse_datetime(get("createDate")), parse_datetime(get("lastTrackedModificationDateTime")))


def map_invoice(raw: Json) -> AtInvoice:
    r = _spelled(raw, _INVOICE_FIELDS)
    get = r.get
    ident = int(r["id"])
    number = _str(get("invoiceNumber")).strip() or str(ident)
    issued = parse_date(get("invoiceDateTime")) or parse_date(get("createDateTime")) or dt.date.today()
    return AtInvoice(ident, int(r["companyID"]), number, issued, parse_date(get("dueDate")),
                     _dec(get("invoiceTotal")), _dec(get("totalTaxValue")), parse_date(get("paidDate")),
                     bool(get("isVoided") or False), parse_date(get("voidedDate")),
                     _str(get("paymentTerm")), _str(get("comments")))


def map_billing_item(raw: Json) -> AtBillingItem:
    r = _spelled(raw, _BILLING_ITEM_FIELDS, _BILLING_ITEM_FALLBACKS)
    get = r.get
    quantity = get("quantity")
    amount = get("extendedPrice")
    return AtBillingItem(int(r["id"]), int(r["invoiceID"]), _str(get("description") or get("itemName")),
                         _dec(quantity if quantity is not None else 1), _dec(get("rate")),
                         _dec(amount if amount is not None else get("totalAmount")),
                         _int(get("contractID")), _int(get("ticketID")))


MAPPERS: dict[str, Callable[[Json], Any]] = {
    "Companies": map_company, "Contacts": map_contact, "Contracts": map_contract, "Tickets": map_ticket,
    "Invoices": map_invoice, "BillingItems": map_billing_item,
}


# ---------------------------------------------------------------- the connector


class AutotaskConnector:
    """One Autotask database. Not shared between event loops."""

    def __init__(self, base_url: str, client: httpx.AsyncClient, *, api_user: str, secret: str,
                 integration_code: str, zone_url: str = "",
                 on_threshold: Callable[[ThresholdInfo], None] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 threshold_every: int = 50, max_pages: int = MAX_PAGES) -> None:
        self._base = base_url.rstrip("/")
        self._client = client
        self._user = api_user
        self.__secret = secret
        self.__code = integration_code
        self._zone = zone_url.rstrip("/")
        self.on_threshold = on_threshold
        self._sleep = sleep
        self._threshold_every = threshold_every
        self._max_pages = max_pages
        self._requests = 0
        #: seconds spent awaiting Autotask (requests, answers, back-off sleeps): the sync's "not our time"
        self.wait_seconds = 0.0
        self._since_check: int | None = None      # bulk pages since the last ThresholdInformation check
        self._delay = 0.0                 # added between bulk requests past 50% / 75% of the hourly limit
        self.last_threshold: ThresholdInfo | None = None

    def __repr__(self) -> str:
        return f"AutotaskConnector(base={self._base!r}, user={self._user!r}, secret='***')"

    # -- zone

    async def zone_url(self) -> str:
        """The zone's REST root (cached), e.g. https://webservices5.autotask.net/atservicesrest."""
        if not self._zone:
            url = f"{self._base}/v1.0/zoneInformation"
            data = await self._send("GET", url, params={"user": self._user}, auth=False)
            zone = _str(_low(data).get("url")).rstrip("/")
            if not zone:
                raise AutotaskError("Autotask did not name a zone for this API user.", errors=[str(data)[:200]])
            self._zone = zone
        return self._zone

    def _headers_for(self, url: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._zone and httpx.URL(url).host == httpx.URL(self._zone).host:
            headers.update({"ApiIntegrationCode": self.__code, "UserName": self._user, "Secret": self.__secret})
        return headers

    # -- transport

    async def _send(self, method: str, url: str, *, json_body: Any = None, params: dict[str, str] | None = None,
                    auth: bool = True) -> Json:
        body = None if json_body is None else json.dumps(json_body, default=str).encode()
        headers = self._headers_for(url) if auth else {"Accept": "application/json"}
        last: AutotaskError | None = None
        for attempt in range(RETRIES + 1):
            if attempt:
                wait = last.retry_after if last and last.retry_after is not None else min(30.0, 0.5 * 2 ** attempt)
                await self._wait(wait * (1 if last and last.retry_after is not None else random.uniform(0.8, 1.2)))
            t0 = time.perf_counter()
            try:
                self._requests += 1
                resp = await self._client.request(method, url, content=body, headers=headers, params=params)
            except httpx.TransportError as exc:
                self.wait_seconds += time.perf_counter() - t0
                last = AutotaskError("Autotask could not be reached; PayApp will try again.", retryable=True,
                                     errors=[type(exc).__name__])
                continue
            self.wait_seconds += time.perf_counter() - t0
            try:
                return self._check(resp)
            except AutotaskError as exc:
                if not exc.retryable:
                    raise
                last = exc
        assert last is not None
        raise last

    @staticmethod
    def _check(resp: httpx.Response) -> Json:
        status = resp.status_code
        data: Any = None
        if resp.content:
            try:
                data = json.loads(resp.content, parse_float=Decimal)
            except ValueError:
                data = None
        errors: list[str] = []
        if isinstance(data, dict):
            errs = data.get("errors") or data.get("Errors")
            if errs:
                errors = [e if isinstance(e, str) else json.dumps(e, default=str) for e in errs]
        if status == 429:
            retry_after = _retry_after(resp.headers.get("Retry-After"))
            raise AutotaskError("Autotask is busy (too many requests); PayApp will wait and try again.",
                                status=429, retryable=True, errors=errors, retry_after=retry_after)
        if status >= 500:
            raise AutotaskError(f"Autotask had a server error (HTTP {status}); PayApp will try again.",
                                status=status, retryable=True, errors=errors)
        if status in (401, 403):
            raise AutotaskError("Autotask refused the API user, secret or integration code: check them in Admin.",
                                status=status, errors=errors)
        if status >= 400:
            raise AutotaskError(f"Autotask refused the request (HTTP {status}): {'; '.join(errors)[:300]}",
                                status=status, errors=errors)
        if errors:      # errors with HTTP 200 are still failures
            raise AutotaskError(f"Autotask reported an error: {'; '.join(errors)[:300]}", status=status,
                                errors=errors)
        if not isinstance(data, dict):
            raise AutotaskError("Autotask sent an answer PayApp cannot read.", status=status, retryable=True)
        return data

    async def _throttle(self) -> None:
        if self._threshold_every and (self._since_check is None or self._since_check >= self._threshold_every):
            self._since_check = 0
            await self.threshold()
        self._since_check = (self._since_check or 0) + 1
        if self._delay:
            await self._wait(self._delay)

    async def _wait(self, seconds: float) -> None:
        t0 = time.perf_counter()
        await self._sleep(seconds)
        self.wait_seconds += time.perf_counter() - t0

    # -- API

    async def threshold(self) -> ThresholdInfo:
        zone = await self.zone_url()
        data = _low(await self._send("GET", f"{zone}/v1.0/ThresholdInformation"))
        info = ThresholdInfo(int(data.get("externalrequestthreshold") or 0),
                             int(data.get("requestthresholdtimeframe") or 60),
                             int(data.get("currenttimeframerequestcount") or 0))
        self.last_threshold = info
        self._delay = 2.0 if info.ratio >= 0.75 else 0.5 if info.ratio >= 0.5 else 0.0
        if self.on_threshold is not None:
            self.on_threshold(info)
        return info

    async def query_pages(self, entity: str, filter_: Filter | None = None,
                          include_fields: Sequence[str] = ()) -> AsyncIterator[list[Json]]:
        """Yield raw item pages of `POST {zone}/v1.0/{entity}/query`, following `nextPageUrl`."""
        zone = await self.zone_url()
        body: Json = {"MaxRecords": MAX_RECORDS, "filter": filter_ or [f("gte", "id", 0)]}
        if include_fields:
            body["IncludeFields"] = list(include_fields)
        url: str | None = f"{zone}/v1.0/{entity}/query"
        seen: set[str] = set()
        pages = 0
        while url:
            await self._throttle()
            data = await self._send("POST", url, json_body=body)
            pages += 1
            yield list(data.get("items") or [])
            nxt = (data.get("pageDetails") or {}).get("nextPageUrl")
            if nxt and (nxt in seen or pages >= self._max_pages):
                raise AutotaskError("Autotask kept sending more pages; the sync stopped to avoid an endless loop.",
                                    errors=[f"{entity}: {pages} pages"])
            if nxt:
                seen.add(nxt)
            url = nxt or None

    async def query(self, entity: str, filter_: Filter | None = None) -> AsyncIterator[list[Any]]:
        """Mapped pages of an entity (see MAPPERS)."""
        mapper = MAPPERS[entity]
        async for page in self.query_pages(entity, filter_):
            yield [mapper(item) for item in page]

    async def count(self, entity: str, filter_: Filter | None = None) -> int:
        zone = await self.zone_url()
        data = await self._send("POST", f"{zone}/v1.0/{entity}/query/count",
                                json_body={"filter": filter_ or [f("gte", "id", 0)]})
        return int(data.get("queryCount") or 0)

    async def get(self, entity: str, ident: int) -> Json | None:
        zone = await self.zone_url()
        try:
            data = await self._send("GET", f"{zone}/v1.0/{entity}/{int(ident)}")
        except AutotaskError as exc:
            if exc.status == 404:
                return None
            raise
        item = data.get("item")
        return item if isinstance(item, dict) else None

    async def mark_invoice_paid(self, invoice_id: int, paid: dt.date) -> None:
        """`PATCH Invoices {"id":..,"paidDate":"YYYY-MM-DD"}` (date only); idempotent by nature."""
        zone = await self.zone_url()
        await self._send("PATCH", f"{zone}/v1.0/Invoices", json_body={"id": int(invoice_id),
                                                                       "paidDate": paid.isoformat()})

    async def test(self) -> str:
        """Zone + a tiny query; returns a short description for a banner."""
        zone = await self.zone_url()
        info = await self.threshold()
        await self.count("Companies", [f("gt", "id", 0)])
        return f"Connected to {httpx.URL(zone).host} · {info.used:,} of {info.limit:,} requests used this hour"


def _retry_after(value: str | None) -> float:
    if not value:
        return 60.0
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            return max(0.0, (parsedate_to_datetime(value) - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return 60.0
