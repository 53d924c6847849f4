"""Autotask PSA REST API (v1.0): zone discovery, queries with paging, threshold monitoring, mapping of
the entities PayApp keeps, and the one write PayApp makes (marking a fully paid invoice).

Facts from docs/protocols.md §3. The caller passes the zone-discovery base URL
(`https://webservices2.autotask.net/atservicesrest`) and the shared `httpx.AsyncClient`. Credentials
are plain strings held privately and sent only to the zone host; a `nextPageUrl` that points
elsewhere is followed without them.

Query results are assumed to come in ascending `id` order (Autotask pages by id), which the sync
relies on for its resumable `id gt <last id>` cursors.

How the real service answers (docs and recorded answers in tests/contract/test_autotask_contract.py):
- HTTP 500 is not always a server error: an unknown user name (also on zoneInformation), a wrong integration code
  and a missing permission come back as 500 with `{"errors": [..]}`. The body decides: credential and permission
  problems are shown at once (no retries burning the hourly quota); only real server errors are retried.
- A database may move to another zone: a 401 from the cached zone looks the zone up again once before the
  credentials are called bad (`on_zone_change` hears of the new zone, to store it).
- Past 50% and 75% of the hourly limit Autotask itself slows every answer down; PayApp adds no delay of its own.
- A single entity that does not exist comes back as HTTP 200 `{"item": null}`.
- Every parser here is total: any answer gives a value or an AutotaskError (a record that cannot be read gives
  AutotaskRecordError, naming the record's id when it has one)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NamedTuple

import httpx

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg

log = logging.getLogger(__name__)

MAX_RECORDS = 500
#: A query never needs more pages than this; a `nextPageUrl` chain longer than that is a loop.
MAX_PAGES = 100_000
RETRIES = 4
Json = dict[str, Any]
Filter = list[Json]


class AutotaskError(PayAppError):
    """An Autotask failure. `retryable` says whether trying again later can help."""

    def __init__(self, user_message: Message, *, status: int = 0, retryable: bool = False,
                 errors: Sequence[str] = (), retry_after: float | None = None, kind: str = "") -> None:
        super().__init__(user_message, detail="; ".join(errors))
        self.status = status
        self.retryable = retryable
        self.errors = tuple(errors)
        self.retry_after = retry_after
        #: "credentials", "permission", "server", "throttled", "refused", "unreadable" or "" (other)
        self.kind = kind


class AutotaskRecordError(AutotaskError):
    """One record of an answer that cannot be read (missing or non-numeric id, bad date, bad amount...).
    `record_id` is the record's id as Autotask sent it ("" when it has none)."""

    def __init__(self, user_message: Message, *, entity: str, record_id: str, reason: str = "") -> None:
        super().__init__(user_message, kind="unreadable", errors=[reason] if reason else ())
        self.entity = entity
        self.record_id = record_id


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
    #: Contacts.primaryContact: the organization's primary contact
    is_primary: bool = False


class AtContract(NamedTuple):
    id: int
    company_id: int
    name: str
    number: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    modified_at: dt.datetime | None


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
    if value is None or value == "":
        return None
    if isinstance(value, bool | float) or (isinstance(value, Decimal) and value != value.to_integral_value()) \
            or (isinstance(value, str) and not value.isascii()):      # int() would read "٩٩" as 99
        raise ValueError(f"not a whole number: {str(value)[:30]}")
    number = int(value)
    if not -_MAX_ID < number < _MAX_ID:
        raise ValueError(f"number out of range: {str(value)[:30]}")
    return number


_MAX_ID = 2 ** 63


def _id(value: Any) -> int:
    """A record id: a whole number (never None, never a bool)."""
    if type(value) is int and -_MAX_ID < value < _MAX_ID:
        return value
    ident = _int(value)
    if ident is None:
        raise ValueError("no id")
    return ident


def _str(value: Any) -> str:
    return "" if value is None else str(value)


def _dec(value: Any) -> Decimal:
    """A JSON amount (parsed with parse_float=Decimal; whole numbers arrive as int) as an exact Decimal."""
    kind = type(value)
    if kind is Decimal:
        if value.adjusted() < 15 and value.is_finite():      # |value| < 10**15 (cheaper than comparing)
            return value  # type: ignore[no-any-return]
        raise ValueError(f"not an amount: {str(value)[:30]}")
    if kind is int:
        if -_MAX_INT_AMOUNT < value < _MAX_INT_AMOUNT:
            return Decimal(value)
        raise ValueError(f"not an amount: {str(value)[:30]}")
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool | dict | list):
        raise ValueError(f"not an amount: {str(value)[:30]}")
    amount = Decimal(str(value))
    if not amount.is_finite() or abs(amount) >= _MAX_AMOUNT:
        raise ValueError(f"not an amount: {str(value)[:30]}")
    return amount


#: no invoice amount reaches this; larger numbers (or 1e999) are not amounts
_MAX_AMOUNT = Decimal(10) ** 15
_MAX_INT_AMOUNT = 10 ** 15


_COMPANY_FIELDS = frozenset({"id", "companyName", "companyNumber", "phone", "address1", "city", "state", "postalCode",
                             "countryID", "isActive", "lastTrackedModifiedDateTime"})
_CONTACT_FIELDS = frozenset({"id", "companyID", "firstName", "lastName", "emailAddress", "phone", "isActive",
                             "lastModifiedDate", "primaryContact"})
_CONTRACT_FIELDS = frozenset({"id", "companyID", "contractName", "contractNumber", "status", "startDate", "endDate",
                              "lastModifiedDateTime"})
_TICKET_FIELDS = frozenset({"id", "companyID", "contactID", "contractID", "ticketNumber", "title", "status",
                            "createDate", "lastTrackedModificationDateTime"})
_INVOICE_FIELDS = frozenset({"id", "companyID", "invoiceNumber", "invoiceDateTime", "dueDate", "invoiceTotal",
                             "totalTaxValue", "paidDate", "isVoided", "voidedDate", "createDateTime", "paymentTerm",
                             "comments"})
_BILLING_ITEM_FIELDS = frozenset({"id", "invoiceID", "description", "quantity", "rate", "extendedPrice", "contractID",
                                  "ticketID"})
_BILLING_ITEM_FALLBACKS = frozenset({"itemName", "totalAmount"})


#: what reading a record may raise; each mapper turns it into AutotaskRecordError (the mappers are total)
_UNREADABLE = (KeyError, TypeError, ValueError, AttributeError, ArithmeticError)


def _record_error(entity: str, raw: Any, exc: BaseException) -> AutotaskRecordError:
    ident = ""
    if isinstance(raw, dict):
        # any spelling of "id" that holds something ({"ID": null, "id": 7} names record 7)
        ident = next((str(v)[:40] for k, v in raw.items()
                      if isinstance(k, str) and k.lower() == "id" and v is not None and str(v)), "")
    what = f"{type(exc).__name__}: {str(exc)[:120]}"
    if ident:
        return AutotaskRecordError(msg("autotask.record_unreadable", entity=entity, record=ident),
                                   entity=entity, record_id=ident, reason=what)
    return AutotaskRecordError(msg("autotask.record_without_id", entity=entity),
                               entity=entity, record_id="", reason=what)


def map_company(raw: Json) -> AtCompany:
    try:
        r = _spelled(raw, _COMPANY_FIELDS)
        get = r.get
        return AtCompany(_id(r["id"]), _str(get("companyName")), _str(get("companyNumber")), _str(get("phone")),
                         _str(get("address1")), _str(get("city")), _str(get("state")), _str(get("postalCode")),
                         _int(get("countryID")), bool(get("isActive", True)),
                         parse_datetime(get("lastTrackedModifiedDateTime")))
    except _UNREADABLE as exc:
        raise _record_error("Companies", raw, exc) from None


def map_contact(raw: Json) -> AtContact:
    try:
        r = _spelled(raw, _CONTACT_FIELDS)
        get = r.get
        # Contacts.isActive is an integer 1/0 (Companies.isActive is a bool).
        active = get("isActive", 1)
        return AtContact(_id(r["id"]), _id(r["companyID"]), _str(get("firstName")), _str(get("lastName")),
                         _str(get("emailAddress")), _str(get("phone")), active is True or _int(active or 0) == 1,
                         parse_datetime(get("lastModifiedDate")), get("primaryContact") is True)
    except _UNREADABLE as exc:
        raise _record_error("Contacts", raw, exc) from None


def map_contract(raw: Json) -> AtContract:
    try:
        r = _spelled(raw, _CONTRACT_FIELDS)
        get = r.get
        return AtContract(_id(r["id"]), _id(r["companyID"]), _str(get("contractName")), _str(get("contractNumber")),
                          _str(get("status")), parse_date(get("startDate")), parse_date(get("endDate")),
                          parse_datetime(get("lastModifiedDateTime")))
    except _UNREADABLE as exc:
        raise _record_error("Contracts", raw, exc) from None


def map_ticket(raw: Json) -> AtTicket:
    try:
        r = _spelled(raw, _TICKET_FIELDS)
        get = r.get
        return AtTicket(_id(r["id"]), _id(r["companyID"]), _int(get("contactID")), _int(get("contractID")),
                        _str(get("ticketNumber")), _str(get("title")), _str(get("status")),
                        parse_datetime(get("createDate")), parse_datetime(get("lastTrackedModificationDateTime")))
    except _UNREADABLE as exc:
        raise _record_error("Tickets", raw, exc) from None


def map_invoice(raw: Json) -> AtInvoice:
    try:
        r = _spelled(raw, _INVOICE_FIELDS)
        get = r.get
        ident = _id(r["id"])
        number = _str(get("invoiceNumber")).strip() or str(ident)
        issued = parse_date(get("invoiceDateTime")) or parse_date(get("createDateTime")) or dt.date.today()
        return AtInvoice(ident, _id(r["companyID"]), number, issued, parse_date(get("dueDate")),
                         _dec(get("invoiceTotal")), _dec(get("totalTaxValue")), parse_date(get("paidDate")),
                         bool(get("isVoided") or False), parse_date(get("voidedDate")),
                         _str(get("paymentTerm")), _str(get("comments")))
    except _UNREADABLE as exc:
        raise _record_error("Invoices", raw, exc) from None


def map_billing_item(raw: Json) -> AtBillingItem:
    try:
        r = _spelled(raw, _BILLING_ITEM_FIELDS, _BILLING_ITEM_FALLBACKS)
        get = r.get
        quantity = get("quantity")
        amount = get("extendedPrice")
        return AtBillingItem(_id(r["id"]), _id(r["invoiceID"]), _str(get("description") or get("itemName")),
                             _dec(quantity if quantity is not None else 1), _dec(get("rate")),
                             _dec(amount if amount is not None else get("totalAmount")),
                             _int(get("contractID")), _int(get("ticketID")))
    except _UNREADABLE as exc:
        raise _record_error("BillingItems", raw, exc) from None


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
                 on_zone_change: Callable[[str], Awaitable[None]] | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
                 threshold_every: int = 50, max_pages: int = MAX_PAGES) -> None:
        self._base = base_url.rstrip("/")
        self._client = client
        self._user = api_user
        self.__secret = secret
        self.__code = integration_code
        self._zone = zone_url.rstrip("/")
        self.on_threshold = on_threshold
        self.on_zone_change = on_zone_change
        self._sleep = sleep
        self._threshold_every = threshold_every
        self._max_pages = max_pages
        self._requests = 0
        #: seconds spent awaiting Autotask (requests, answers, back-off sleeps): the sync's "not our time"
        self.wait_seconds = 0.0
        self._since_check: int | None = None      # bulk pages since the last ThresholdInformation check
        self.last_threshold: ThresholdInfo | None = None
        self._picklists: dict[tuple[str, str], dict[str, str]] = {}

    def __repr__(self) -> str:
        return f"AutotaskConnector(base={self._base!r}, user={self._user!r}, secret='***')"

    # -- zone

    async def zone_url(self) -> str:
        """The zone's REST root (cached), e.g. https://webservices5.autotask.net/atservicesrest."""
        if not self._zone:
            url = f"{self._base}/v1.0/zoneInformation"
            try:
                data = await self._send("GET", url, params={"user": self._user}, auth=False)
            except AutotaskError as exc:
                # zoneInformation knows only the user name: a 500 that is no server fault means Autotask does not
                # know it ("Zone information could not be determined")
                if exc.status >= 500 and exc.kind != "server":
                    raise AutotaskError(msg("autotask.no_zone"), status=exc.status,
                                        errors=exc.errors, kind="credentials") from None
                raise
            zone = _low(data).get("url")
            if not isinstance(zone, str) or not zone.strip():
                raise AutotaskError(msg("autotask.no_zone"), errors=[str(data)[:200]],
                                    kind="unreadable")
            zone = zone.strip().rstrip("/")
            try:
                parsed = httpx.URL(zone)
            except (httpx.InvalidURL, TypeError, ValueError):
                parsed = None
            if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
                raise AutotaskError(msg("autotask.no_zone"), errors=[zone[:200]],
                                    kind="unreadable")
            self._zone = zone
        return self._zone

    async def _zone_moved(self) -> bool:
        """After a 401 from the cached zone: look the zone up again. True when it is another zone now."""
        old = self._zone
        self._zone = ""
        try:
            new = await self.zone_url()
        except AutotaskError:
            self._zone = old
            raise
        if new == old:
            return False
        log.info("Autotask zone moved from %s to %s", httpx.URL(old).host, httpx.URL(new).host)
        if self.on_zone_change is not None:
            await self.on_zone_change(new)
        return True

    def _headers_for(self, url: str) -> dict[str, str]:
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._zone and httpx.URL(url).host == httpx.URL(self._zone).host:
            headers.update({"ApiIntegrationCode": self.__code, "UserName": self._user, "Secret": self.__secret})
        return headers

    # -- transport

    async def _send(self, method: str, url: str, *, json_body: Any = None, params: dict[str, str] | None = None,
                    auth: bool = True) -> Json:
        try:
            return await self._send_once(method, url, json_body=json_body, params=params, auth=auth)
        except AutotaskError as exc:
            zone = self._zone
            if not (auth and exc.status == 401 and zone and url.startswith(zone + "/")):
                raise
            if not await self._zone_moved():
                raise
        # the database moved to another zone: the same call there, once
        return await self._send_once(method, self._zone + url[len(zone):], json_body=json_body, params=params,
                                     auth=auth)

    async def _send_once(self, method: str, url: str, *, json_body: Any = None,
                         params: dict[str, str] | None = None, auth: bool = True) -> Json:
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
                last = AutotaskError(msg("autotask.unreachable_retry"), retryable=True,
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
            except (ValueError, RecursionError):
                data = None
        errors = _errors_of(data)
        said = "; ".join(errors)[:300]
        if status == 429:
            retry_after = _retry_after(resp.headers.get("Retry-After"))
            raise AutotaskError(msg("autotask.busy"),
                                status=429, retryable=True, errors=errors, retry_after=retry_after, kind="throttled")
        if status >= 500:
            # Autotask answers 500 for an unknown user name, a wrong integration code and a missing permission
            # too: the words decide whether trying again can help
            kind = _kind_of_500(errors)
            if kind == "permission":
                raise AutotaskError(msg("autotask.not_allowed", said=said), status=status, errors=errors, kind=kind)
            if kind == "credentials":
                raise AutotaskError(msg("autotask.credentials_refused_said", said=said), status=status, errors=errors,
                                    kind=kind)
            if kind == "refused":
                raise AutotaskError(msg("autotask.request_refused", status=status, said=said), status=status,
                                    errors=errors, kind=kind)
            raise AutotaskError(msg("autotask.server_error", status=status),
                                status=status, retryable=True, errors=errors, kind="server")
        if status in (401, 403):
            if status == 403 and _kind_of_500(errors) == "permission":
                raise AutotaskError(msg("autotask.not_allowed", said=said), status=status, errors=errors,
                                    kind="permission")
            raise AutotaskError(msg("autotask.credentials_refused"),
                                status=status, errors=errors, kind="credentials")
        if status >= 400:
            raise AutotaskError(msg("autotask.request_refused", status=status, said=said),
                                status=status, errors=errors, kind="refused")
        if errors:      # errors with HTTP 200 are still failures
            raise AutotaskError(msg("autotask.reported_error", said=said), status=status, errors=errors, kind="refused")
        if not isinstance(data, dict):
            raise AutotaskError(msg("autotask.unreadable"), status=status, retryable=True,
                                kind="unreadable")
        return data

    async def _throttle(self) -> None:
        if self._threshold_every and (self._since_check is None or self._since_check >= self._threshold_every):
            self._since_check = 0
            await self.threshold()
        self._since_check = (self._since_check or 0) + 1
        # no delay of PayApp's own: past 50% / 75% of the hourly limit Autotask slows every answer itself

    async def _wait(self, seconds: float) -> None:
        t0 = time.perf_counter()
        await self._sleep(seconds)
        self.wait_seconds += time.perf_counter() - t0

    # -- API

    async def threshold(self) -> ThresholdInfo:
        zone = await self.zone_url()
        data = _low(await self._send("GET", f"{zone}/v1.0/ThresholdInformation"))
        try:
            info = ThresholdInfo(_count_of(data.get("externalrequestthreshold")),
                                 _count_of(data.get("requestthresholdtimeframe")) or 60,
                                 _count_of(data.get("currenttimeframerequestcount")))
        except ValueError:
            raise AutotaskError(msg("autotask.unreadable"), errors=[str(data)[:200]],
                                kind="unreadable") from None
        self.last_threshold = info
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
            items = data.get("items")
            details = data.get("pageDetails")
            nxt = details.get("nextPageUrl") if isinstance(details, dict) else None
            if not isinstance(items, list | type(None)) or not isinstance(details, dict | type(None)) \
                    or not isinstance(nxt, str | type(None)) or (nxt and not nxt.startswith(("https://", "http://"))):
                raise AutotaskError(msg("autotask.unreadable"), kind="unreadable",
                                    errors=[f"{entity}: page {pages}: {str(data)[:200]}"])
            yield list(items or [])
            if nxt and (nxt in seen or pages >= self._max_pages):
                raise AutotaskError(msg("autotask.endless_pages"),
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
        try:
            return _count_of(data.get("queryCount"))
        except ValueError:
            raise AutotaskError(msg("autotask.unreadable"), errors=[str(data)[:200]],
                                kind="unreadable") from None

    async def get(self, entity: str, ident: int) -> Json | None:
        zone = await self.zone_url()
        try:
            data = await self._send("GET", f"{zone}/v1.0/{entity}/{int(ident)}")
        except AutotaskError as exc:
            if exc.status == 404:
                return None
            raise
        item = data.get("item")        # a missing entity: HTTP 200 {"item": null}
        if item is None:
            return None
        if not isinstance(item, dict):
            raise AutotaskError(msg("autotask.unreadable"), errors=[str(data)[:200]],
                                kind="unreadable")
        return item

    async def picklist(self, entity: str, field: str) -> dict[str, str]:
        """value → label of a picklist field, from `GET {zone}/v1.0/{entity}/entityInformation/fields` (read once
        per connector). Inactive values keep their label: old records still carry them."""
        key = (entity, field.lower())
        if key not in self._picklists:
            zone = await self.zone_url()
            data = await self._send("GET", f"{zone}/v1.0/{entity}/entityInformation/fields")
            self._picklists[key] = parse_picklist(data, field)
        return self._picklists[key]

    async def mark_invoice_paid(self, invoice_id: int, paid: dt.date) -> bool:
        """`PATCH Invoices {"id":..,"paidDate":"YYYY-MM-DD"}` (date only). False when Autotask has a paid date
        already: PayApp is not the only writer of an Autotask database (another PayApp installation on the same
        tenant, a person booking a cheque), so a paid date there is kept, never overwritten. A voided or deleted
        invoice is refused (AutotaskError, not retryable)."""
        current = await self.get("Invoices", int(invoice_id))
        if current is None:
            raise AutotaskError(msg("autotask.invoice_gone", invoice=str(int(invoice_id))),
                                kind="refused")
        low = _low(current)
        if low.get("isvoided") is True:
            raise AutotaskError(msg("autotask.invoice_voided", invoice=str(int(invoice_id))),
                                kind="refused")
        if low.get("paiddate"):
            return False
        zone = await self.zone_url()
        await self._send("PATCH", f"{zone}/v1.0/Invoices", json_body={"id": int(invoice_id),
                                                                       "paidDate": paid.isoformat()})
        return True

    async def test(self) -> Message:
        """Zone + a tiny query; returns a short description for a banner."""
        zone = await self.zone_url()
        info = await self.threshold()
        await self.count("Companies", [f("gt", "id", 0)])
        return msg("autotask.connected", host=httpx.URL(zone).host, used=info.used, limit=info.limit)


#: words of a 500 answer that mean the caller's credentials (never worth a retry); compared in lower case
_CREDENTIAL_WORDS = ("zone information could not be determined", "user name", "username", "integration code",
                     "integrationcode", "credential", "authenticat", "password", "secret", "not a valid user",
                     "invalid user", "user not found", "api user", "impersonat")
_PERMISSION_WORDS = ("permission", "not authorized", "unauthorized", "not allowed", "security level", "access denied",
                     "does not have access", "no access", "forbidden")
#: words of a real server fault (retry)
_SERVER_WORDS = ("internal server error", "unexpected error", "an error has occurred", "timeout", "timed out",
                 "unavailable", "try again", "deadlock", "temporar", "transient", "service is busy")


def _kind_of_500(errors: Sequence[str]) -> str:
    """What a 5xx answer means by its words: "permission", "credentials", "refused" (a message that is neither and
    no server fault: the request itself is wrong) or "server" (retry)."""
    text = " ".join(errors).lower()
    if not text.strip():
        return "server"
    if any(w in text for w in _PERMISSION_WORDS):
        return "permission"
    if any(w in text for w in _CREDENTIAL_WORDS):
        return "credentials"
    if any(w in text for w in _SERVER_WORDS):
        return "server"
    return "refused"


def _errors_of(data: Any) -> list[str]:
    """The `errors` of an answer as texts (Autotask sends a list of strings; anything else truthy counts too)."""
    if not isinstance(data, dict):
        return []
    errs = data.get("errors")
    if errs is None:
        errs = data.get("Errors")
    if errs is None or errs is False or errs == [] or errs == "" or errs == {}:
        return []
    if not isinstance(errs, list):
        errs = [errs]
    out = []
    for e in errs:
        if isinstance(e, str):
            out.append(e[:500])
        elif isinstance(e, dict) and isinstance(e.get("message"), str):
            out.append(e["message"][:500])
        else:
            out.append(json.dumps(e, default=str)[:500])
    return out or ["(no message)"]


def _count_of(value: Any) -> int:
    """A count in an answer: a whole number ≥ 0 (None counts as 0); anything else raises ValueError."""
    number = _int(value)
    if number is None:
        return 0
    if number < 0:
        raise ValueError(f"negative count: {number}")
    return number


def parse_picklist(data: Any, field: str) -> dict[str, str]:
    """value → label of `field` in an entityInformation/fields answer
    (`{"fields": [{"name":.., "isPickList": true, "picklistValues": [{"value": "1", "label": "Net 30",
    "isActive": true, ..}]}]}`). Raises AutotaskError when the answer has no such picklist."""
    fields = data.get("fields") if isinstance(data, dict) else None
    if not isinstance(fields, list):
        raise AutotaskError(msg("autotask.unreadable"), errors=[str(data)[:200]],
                            kind="unreadable")
    wanted = field.lower()
    for item in fields:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or item["name"].lower() != wanted:
            continue
        values = item.get("picklistValues")
        out: dict[str, str] = {}
        for v in values if isinstance(values, list) else []:
            if not isinstance(v, dict):
                continue
            value, label = v.get("value"), v.get("label")
            if isinstance(value, bool) or not isinstance(value, str | int) or not isinstance(label, str):
                continue
            out[str(value).strip()] = label.strip()
        return out
    raise AutotaskError(msg("autotask.unreadable"), errors=[f"no field {field}"],
                        kind="unreadable")


def _retry_after(value: str | None) -> float:
    if not value:
        return 60.0
    try:
        seconds = float(value)
        return min(3600.0, max(0.0, seconds)) if seconds == seconds else 60.0
    except ValueError:
        try:
            from email.utils import parsedate_to_datetime

            return max(0.0, (parsedate_to_datetime(value) - dt.datetime.now(dt.UTC)).total_seconds())
        except (TypeError, ValueError):
            return 60.0
