"""Autotask PSA REST API (v1.0): zone discovery, queries with paging, threshold monitoring, mapping of
the entities PayApp keeps, and the one write PayApp makes (marking a fully paid invoice).

Facts from PROTOCOLS.md §3. The caller passes the zone-discovery base URL
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
from typing import Any

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


@dataclass(frozen=True, slots=True)
class AtCompany:
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


@dataclass(frozen=True, slots=True)
class AtContact:
    id: int
    company_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    is_active: bool
    modified_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AtContract:
    id: int
    company_id: int
    name: str
    number: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None


@dataclass(frozen=True, slots=True)
class AtTicket:
    id: int
    company_id: int
    contact_id: int | None
    contract_id: int | None
    ticket_number: str
    title: str
    status: str
    created_at: dt.datetime | None
    modified_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AtInvoice:
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


@dataclass(frozen=True, slots=True)
class AtBillingItem:
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
    if value is None or value == "":
        return Decimal(0)
    return value if isinstance(value, Decimal) else Decimal(str(value))


def map_company(raw: Json) -> AtCompany:
    r = _low(raw)
    return AtCompany(int(r["id"]), _str(r.get("companyname")), _str(r.get("companynumber")), _str(r.get("phone")),
                     _str(r.get("address1")), _str(r.get("city")), _str(r.get("state")),
                     _str(r.get("postalcode")), _int(r.get("countryid")), bool(r.get("isactive", True)),
                     parse_datetime(r.get("lasttrackedmodifieddatetime")))


def map_contact(raw: Json) -> AtContact:
    r = _low(raw)
    # Contacts.isActive is an integer 1/0 (Companies.isActive is a bool).
    active = r.get("isactive", 1)
    return AtContact(int(r["id"]), int(r["companyid"]), _str(r.get("firstname")), _str(r.get("lastname")),
                     _str(r.get("emailaddress")), _str(r.get("phone")), int(active or 0) == 1,
                     parse_datetime(r.get("lastmodifieddate")))


def map_contract(raw: Json) -> AtContract:
    r = _low(raw)
    return AtContract(int(r["id"]), int(r["companyid"]), _str(r.get("contractname")), _str(r.get("contractnumber")),
                      _str(r.get("status")), parse_date(r.get("startdate")), parse_date(r.get("enddate")))


def map_ticket(raw: Json) -> AtTicket:
    r = _low(raw)
    return AtTicket(int(r["id"]), int(r["companyid"]), _int(r.get("contactid")), _int(r.get("contractid")),
                    _str(r.get("ticketnumber")), _str(r.get("title")), _str(r.get("status")),
                    parse_datetime(r.get("createdate")), parse_datetime(r.get("lasttrackedmodificationdatetime")))


def map_invoice(raw: Json) -> AtInvoice:
    r = _low(raw)
    ident = int(r["id"])
    number = _str(r.get("invoicenumber")).strip() or str(ident)
    issued = parse_date(r.get("invoicedatetime")) or parse_date(r.get("createdatetime")) or dt.date.today()
    return AtInvoice(ident, int(r["companyid"]), number, issued, parse_date(r.get("duedate")),
                     _dec(r.get("invoicetotal")), _dec(r.get("totaltaxvalue")), parse_date(r.get("paiddate")),
                     bool(r.get("isvoided") or False), parse_date(r.get("voideddate")),
                     _str(r.get("paymentterm")), _str(r.get("comments")))


def map_billing_item(raw: Json) -> AtBillingItem:
    r = _low(raw)
    return AtBillingItem(int(r["id"]), int(r["invoiceid"]), _str(r.get("description") or r.get("itemname")),
                         _dec(r.get("quantity") if r.get("quantity") is not None else 1), _dec(r.get("rate")),
                         _dec(r.get("extendedprice") if r.get("extendedprice") is not None else r.get("totalamount")),
                         _int(r.get("contractid")), _int(r.get("ticketid")))


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
        return f"Connected to {httpx.URL(zone).host} · {info.used} of {info.limit} requests used this hour"


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
