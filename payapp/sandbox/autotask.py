"""An Autotask PSA REST sandbox (ASGI, in-memory): zone discovery, entity queries with the filter grammar
and `nextPageUrl` paging, counts, get-by-id, ThresholdInformation, `PATCH Invoices` (paidDate), the
Invoices' field information (the paymentTerm picklist), the hourly request limit, and fault switches for
tests. Data is generated deterministically from a seed.

It answers the way the real service does (tests/contract/test_autotask_contract.py keeps the recorded answers):
- an unknown or blank user name on zoneInformation, an unknown UserName header and a wrong integration code are
  HTTP 500 with `{"errors": [..]}` (a wrong secret is 401); a missing permission is 500 too (`Faults.no_permission`);
- a single entity that does not exist is HTTP 200 `{"item": null}`;
- past 50% and 75% of the hourly limit every answer is slowed down (`delay_over_50`, `delay_over_75` seconds);
- the database can move to another zone (`move_zone()`): the old zone then answers 401, zoneInformation names
  the new one;
- Invoices.paymentTerm is an integer picklist, described by `GET /v1.0/Invoices/entityInformation/fields`;
- Contracts carry lastModifiedDateTime.

`create_autotask_app(state)` builds the app; tests drive `AutotaskSandbox` directly (same process)."""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

# the demo values live in demo_keys (the app reads them without this module); tests and tools import them here
from payapp.sandbox.demo_keys import DEMO_API_USER as DEMO_API_USER
from payapp.sandbox.demo_keys import DEMO_INTEGRATION_CODE as DEMO_INTEGRATION_CODE
from payapp.sandbox.demo_keys import DEMO_SECRET as DEMO_SECRET

Rec = dict[str, Any]
ENTITIES = ("Companies", "Contacts", "Contracts", "Tickets", "Invoices", "BillingItems")
_NUM = "\x00"      # marks a decimal string that must be written as a bare JSON number

_FIRST = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Drew", "Robin")
_LAST = ("Smith", "Garcia", "Müller", "Nguyen", "O'Brien", "Khan", "Rossi", "Johnson", "Kowalski", "Silva", "Lee")
_WORDS = ("Acme", "Blue Ridge", "Northwind", "Contoso", "Summit", "Harbor", "Pioneer", "Granite", "Cedar", "Apex",
          "Lakeside", "Riverside", "Evergreen", "Orbit", "Beacon", "Keystone")
_KINDS = ("Dental", "Logistics", "Law Group", "Clinic", "Manufacturing", "Realty", "Bakery", "Consulting", "Labs")
_CITIES = (("Austin", "TX", "787"), ("Denver", "CO", "802"), ("Portland", "OR", "972"), ("Boston", "MA", "021"),
           ("Miami", "FL", "331"), ("Chicago", "IL", "606"))


def _iso(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{_NUM}{sign}{cents // 100}.{cents % 100:02d}{_NUM}"


def money(cents: int) -> str:
    """An amount in cents as Autotask writes it (a bare JSON number in the answer)."""
    return _money(cents)


def dumps(data: Any) -> bytes:
    """JSON with amounts as bare numbers (no floats anywhere: they are marked decimal strings)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace('"\\u0000', "").replace('\\u0000"', "").encode()


@dataclass
class Faults:
    """Switches for tests. Counters count down per request to the zone API (not zone discovery)."""

    fail_next: int = 0                   # HTTP 500 for the next n requests
    throttle_next: int = 0               # HTTP 429 with Retry-After for the next n requests
    retry_after: int = 1
    errors_on_200_next: int = 0          # {"errors": [...]} with HTTP 200
    fail_after: int | None = None        # every request after this many more answers HTTP 500
    endless_paging: bool = False         # nextPageUrl always points at the same page again
    next_page_base: str | None = None    # a nextPageUrl on another host (credentials must not follow)
    latency: float = 0.0
    #: entities (lower case) the API user's security level may not touch: HTTP 500 with a permission message
    no_permission: set[str] = field(default_factory=set)


@dataclass
class AutotaskSandbox:
    companies: int = 60
    contacts_per_company: float = 3.0
    invoices: int = 600
    lines_per_invoice: int = 2
    seed: int = 7
    anchor: dt.date | None = None
    api_user: str = DEMO_API_USER
    secret: str = DEMO_SECRET
    integration_code: str = DEMO_INTEGRATION_CODE
    hourly_limit: int = 10_000
    #: seconds Autotask adds to every answer past 50% / 75% of the hourly limit (0.5 to 1 second per call)
    delay_over_50: float = 0.5
    delay_over_75: float = 1.0
    faults: Faults = field(default_factory=Faults)
    #: path of the zone the database lives in ("/atservicesrest" or "/zone2/atservicesrest"); see move_zone()
    zone_path: str = "/atservicesrest"

    def __post_init__(self) -> None:
        self.data: dict[str, list[Rec]] = {e: [] for e in ENTITIES}
        self._ids: dict[str, list[int]] = {}
        self._by_id: dict[str, dict[int, Rec]] = {}
        self.requests: list[tuple[str, str, dict[str, str]]] = []     # method, url, credential headers seen
        self.request_times: list[float] = []
        self.patches: list[Rec] = []
        self.slept: list[float] = []        # slow-down delays the sandbox added (past 50% / 75%)
        self._generate()

    # -- generation

    def _generate(self) -> None:
        rng = random.Random(self.seed)
        anchor = self.anchor or dt.date.today()
        old = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        lists: tuple[list[Rec], ...] = tuple([] for _ in range(6))
        comps, conts, ctrs, tks, invs, items = lists
        for i in range(1, self.companies + 1):
            city, st, zp = rng.choice(_CITIES)
            name = f"{rng.choice(_WORDS)} {rng.choice(_KINDS)}" + ("" if i <= 40 else f" {i}")
            comps.append({"id": 1000 + i, "companyName": name, "companyNumber": f"C{i:05d}",
                          "phone": f"555-{rng.randrange(100, 999)}-{rng.randrange(1000, 9999)}",
                          "address1": f"{rng.randrange(1, 999)} Main St", "city": city, "state": st,
                          "postalCode": f"{zp}{rng.randrange(10, 99)}", "countryID": 237,
                          "isActive": rng.random() > 0.05,
                          "lastTrackedModifiedDateTime": _iso(old + dt.timedelta(minutes=rng.randrange(500_000)))})
        n_contacts = int(self.companies * self.contacts_per_company)
        with_primary: set[int] = set()
        for i in range(1, n_contacts + 1):
            fn, ln = rng.choice(_FIRST), rng.choice(_LAST)
            company_id = 1000 + rng.randrange(1, self.companies + 1)
            primary = company_id not in with_primary         # one primary contact per company, as Autotask keeps
            with_primary.add(company_id)
            conts.append({"id": 30_000 + i, "companyID": company_id, "primaryContact": primary,
                          "firstName": fn, "lastName": ln,
                          "emailAddress": f"{fn.lower()}.{i}@example.com", "phone": "555-0100",
                          "isActive": 1 if rng.random() > 0.1 else 0,
                          "lastModifiedDate": _iso(old + dt.timedelta(minutes=rng.randrange(500_000)))})
        for i in range(1, max(1, self.companies // 2) + 1):
            start = anchor - dt.timedelta(days=rng.randrange(30, 900))
            ctrs.append({"id": 5000 + i, "companyID": 1000 + rng.randrange(1, self.companies + 1),
                         "contractName": f"Managed services {i}", "contractNumber": f"K-{i:05d}",
                         "status": 1, "startDate": start.isoformat() + "T00:00:00Z",
                         "endDate": (start + dt.timedelta(days=365)).isoformat() + "T00:00:00Z",
                         "lastModifiedDateTime": _iso(old + dt.timedelta(minutes=rng.randrange(500_000)))})
        for i in range(1, max(1, self.companies) + 1):
            ctrs_id = ctrs[rng.randrange(len(ctrs))]["id"]
            tks.append({"id": 70_000 + i, "ticketNumber": f"T2025{i:06d}",
                        "companyID": 1000 + rng.randrange(1, self.companies + 1), "contactID": None,
                        "contractID": ctrs_id, "title": f"Printer offline #{i}", "status": 5,
                        "createDate": _iso(old + dt.timedelta(minutes=i)),
                        "lastTrackedModificationDateTime": _iso(old + dt.timedelta(minutes=i + 10))})
        item_id = 900_000
        for i in range(1, self.invoices + 1):
            days_ago = rng.randrange(0, 420)
            issued = anchor - dt.timedelta(days=days_ago)
            lines = []
            for _ in range(self.lines_per_invoice):
                item_id += 1
                qty = rng.randrange(1, 6)
                rate = rng.randrange(2_500, 40_000)
                lines.append({"id": item_id, "invoiceID": 200_000 + i, "description": rng.choice(
                    ("Managed services", "Onsite labour", "Backup licence", "Firewall subscription", "Hardware")),
                    "quantity": qty, "rate": _money(rate), "extendedPrice": _money(qty * rate),
                    "contractID": None, "ticketID": None})
            total = sum(int(str(x["extendedPrice"]).strip(_NUM).replace(".", "")) for x in lines)
            tax = total * 6 // 100
            paid = days_ago > 60 and rng.random() < 0.6
            voided = rng.random() < 0.02
            inv = {"id": 200_000 + i, "companyID": 1000 + rng.randrange(1, self.companies + 1),
                   "invoiceNumber": "" if rng.random() < 0.01 else f"{issued.year}-{i:06d}",
                   "invoiceDateTime": issued.isoformat() + "T00:00:00Z",
                   "dueDate": (issued + dt.timedelta(days=30)).isoformat() + "T00:00:00Z",
                   "invoiceTotal": _money(total + tax), "totalTaxValue": _money(tax),
                   "paidDate": (issued + dt.timedelta(days=rng.randrange(5, 45))).isoformat() + "T00:00:00Z"
                   if paid else None,
                   "isVoided": voided, "voidedDate": (issued + dt.timedelta(days=2)).isoformat() + "T00:00:00Z"
                   if voided else None,
                   "createDateTime": issued.isoformat() + "T08:00:00Z",
                   "paymentTerm": rng.choice((1, 1, 1, 2, 3)), "comments": ""}
            invs.append(inv)
            items.extend(lines)
        for entity, rows in zip(ENTITIES, (comps, conts, ctrs, tks, invs, items), strict=True):
            self.data[entity] = rows
            self._reindex(entity)

    def _reindex(self, entity: str) -> None:
        rows = self.data[entity]
        rows.sort(key=lambda r: r["id"])
        self._ids[entity] = [r["id"] for r in rows]
        self._by_id[entity] = {r["id"]: r for r in rows}

    # -- state (the demo keeps it in a file and seeds it from the demo's database)

    def state_dict(self) -> dict[str, Any]:
        """The records (amounts stay marked decimal strings) and the PATCHes seen, for `load_state_dict`."""
        return {"version": 1, "data": self.data, "patches": self.patches}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        self.replace_data(data.get("data", {}))
        self.patches = list(data.get("patches", []))

    def replace_data(self, data: dict[str, list[Rec]]) -> None:
        """Hold exactly these records (e.g. the demo company's); entities not named are emptied."""
        for entity in ENTITIES:
            self.data[entity] = [dict(r) for r in data.get(entity, [])]
            self._reindex(entity)

    # -- Python API for tests and the demo

    def record(self, entity: str, ident: int) -> Rec:
        return self._by_id[entity][ident]

    def touch_company(self, ident: int, **changes: Any) -> None:
        rec = self.record("Companies", ident)
        rec.update(changes)
        rec["lastTrackedModifiedDateTime"] = _iso(dt.datetime.now(dt.UTC))

    def touch_contact(self, ident: int, **changes: Any) -> None:
        rec = self.record("Contacts", ident)
        rec.update(changes)
        rec["lastModifiedDate"] = _iso(dt.datetime.now(dt.UTC))

    def touch_contract(self, ident: int, **changes: Any) -> None:
        rec = self.record("Contracts", ident)
        rec.update(changes)
        rec["lastModifiedDateTime"] = _iso(dt.datetime.now(dt.UTC))

    def move_zone(self) -> None:
        """The database moves to the other zone: the old one answers 401, zoneInformation names the new one."""
        self.zone_path = "/zone2/atservicesrest" if self.zone_path == "/atservicesrest" else "/atservicesrest"

    def add_invoice(self, company_id: int, total_cents: int, *, number: str = "") -> int:
        ident = (self._ids["Invoices"][-1] if self._ids["Invoices"] else 200_000) + 1
        today = dt.date.today().isoformat() + "T00:00:00Z"
        self.data["Invoices"].append({
            "id": ident, "companyID": company_id, "invoiceNumber": number or f"N-{ident}", "invoiceDateTime": today,
            "dueDate": today, "invoiceTotal": _money(total_cents), "totalTaxValue": _money(0), "paidDate": None,
            "isVoided": False, "voidedDate": None, "createDateTime": today, "paymentTerm": 1, "comments": ""})
        item = (self._ids["BillingItems"][-1] if self._ids["BillingItems"] else 900_000) + 1
        self.data["BillingItems"].append({"id": item, "invoiceID": ident, "description": "Services", "quantity": 1,
                                          "rate": _money(total_cents), "extendedPrice": _money(total_cents),
                                          "contractID": None, "ticketID": None})
        self._reindex("Invoices")
        self._reindex("BillingItems")
        return ident

    def set_invoice_paid(self, ident: int, paid: dt.date | None) -> None:
        self.record("Invoices", ident)["paidDate"] = None if paid is None else paid.isoformat() + "T00:00:00Z"

    def void_invoice(self, ident: int, when: dt.date | None = None) -> None:
        rec = self.record("Invoices", ident)
        rec["isVoided"] = True
        rec["voidedDate"] = (when or dt.date.today()).isoformat() + "T00:00:00Z"

    def requests_this_hour(self) -> int:
        cutoff = time.monotonic() - 3600
        i = bisect.bisect_left(self.request_times, cutoff)
        if i > 10_000:
            del self.request_times[:i]
            i = 0
        return len(self.request_times) - i


#: Invoices.paymentTerm, as GET /v1.0/Invoices/entityInformation/fields describes it (shape per Autotask's
#: "Entity information" REST call: fields[].picklistValues[] with value/label/isDefaultValue/sortOrder/parentValue/
#: isActive/isSystem; values are strings there, the field itself an integer on the records)
PAYMENT_TERMS = ((1, "Net 30", True), (2, "Net 15", True), (3, "Due on receipt", True), (4, "Net 60", False))


def invoice_fields() -> Rec:
    return {"fields": [
        {"name": "id", "dataType": "long", "length": 0, "isRequired": True, "isReadOnly": True, "isQueryable": True,
         "isReference": False, "referenceEntityType": "", "isPickList": False, "picklistValues": None,
         "picklistParentValueField": "", "isSupportedWebhookField": False},
        {"name": "paymentTerm", "dataType": "integer", "length": 0, "isRequired": False, "isReadOnly": True,
         "isQueryable": True, "isReference": False, "referenceEntityType": "", "isPickList": True,
         "picklistValues": [{"value": str(v), "label": label, "isDefaultValue": v == 1, "sortOrder": i,
                             "parentValue": "", "isActive": active, "isSystem": True}
                            for i, (v, label, active) in enumerate(PAYMENT_TERMS, start=1)],
         "picklistParentValueField": "", "isSupportedWebhookField": False},
    ]}


# ---------------------------------------------------------------- filter evaluation


def _compile(items: list[Rec], fields: dict[str, str]) -> Callable[[Rec], bool]:
    preds = [_compile_item(it, fields) for it in items]
    return lambda r: all(p(r) for p in preds)


def _norm(v: Any) -> Any:
    if isinstance(v, str) and v.startswith(_NUM):
        return Decimal(v.strip(_NUM))
    return v


def _compile_item(item: Rec, fields: dict[str, str]) -> Callable[[Rec], bool]:
    op = str(item.get("op", "")).lower()
    if op in ("and", "or"):
        subs = [_compile_item(s, fields) for s in item.get("items", [])]
        return (lambda r: all(p(r) for p in subs)) if op == "and" else (lambda r: any(p(r) for p in subs))
    name = fields.get(str(item.get("field", "")).lower())
    if name is None:
        raise ValueError(f"Unknown field {item.get('field')!r}")
    value = item.get("value")

    def get(r: Rec) -> Any:
        return _norm(r.get(name))

    def cmp(fn: Callable[[Any, Any], bool]) -> Callable[[Rec], bool]:
        def pred(r: Rec) -> bool:
            v = get(r)
            if v is None or value is None:
                return False
            if isinstance(v, bool) or isinstance(value, bool):
                return fn(bool(v), bool(value))
            if isinstance(v, int | Decimal) and not isinstance(value, int | Decimal):
                return fn(v, Decimal(str(value)))
            return fn(str(v), str(value)) if isinstance(v, str) else fn(v, value)
        return pred

    if op == "eq":
        return cmp(lambda a, b: a == b)
    if op == "noteq":
        return lambda r: not cmp(lambda a, b: a == b)(r)
    if op in ("gt", "gte", "lt", "lte"):
        ops = {"gt": lambda a, b: a > b, "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b,
               "lte": lambda a, b: a <= b}
        return cmp(ops[op])
    if op == "beginswith":
        return lambda r: str(get(r) or "").lower().startswith(str(value).lower())
    if op == "endswith":
        return lambda r: str(get(r) or "").lower().endswith(str(value).lower())
    if op == "contains":
        return lambda r: str(value).lower() in str(get(r) or "").lower()
    if op == "exist":
        return lambda r: get(r) not in (None, "")
    if op == "notexist":
        return lambda r: get(r) in (None, "")
    if op in ("in", "notin"):
        values = set(value or [])
        return (lambda r: get(r) in values) if op == "in" else (lambda r: get(r) not in values)
    raise ValueError(f"Unknown operator {op!r}")


def _id_floor(items: list[Rec]) -> int:
    """The smallest id a top-level `id gt/gte` filter allows (used to start the scan with bisect)."""
    floor = -(2 ** 62)
    for it in items:
        if str(it.get("field", "")).lower() == "id" and str(it.get("op", "")).lower() in ("gt", "gte"):
            v = int(it["value"]) + (1 if str(it["op"]).lower() == "gt" else 0)
            floor = max(floor, v)
    return floor


# ---------------------------------------------------------------- the ASGI app


def create_autotask_app(state: AutotaskSandbox | None = None) -> Starlette:
    sb = state if state is not None else AutotaskSandbox()
    fields = {e: ({k.lower(): k for k in sb.data[e][0]} if sb.data[e] else {"id": "id"}) for e in ENTITIES}

    def err(status: int, *messages: str, headers: dict[str, str] | None = None) -> Response:
        return Response(dumps({"errors": list(messages)}), status, media_type="application/json", headers=headers)

    def ok(data: Any) -> Response:
        return Response(dumps(data), 200, media_type="application/json")

    def entity_of(request: Request) -> str | None:
        name = request.path_params["entity"].lower()
        return next((e for e in ENTITIES if e.lower() == name), None)

    async def zone_information(request: Request) -> Response:
        user = request.query_params.get("user", "")
        if not user.strip() or user.strip().lower() != sb.api_user.lower():
            # Autotask: a blank or unknown user is HTTP 500 (KelvinTegelaar/AutotaskAPI#17, apigrate#19)
            return err(500, "Zone information could not be determined")
        root = str(request.base_url).rstrip("/") + sb.zone_path + "/"     # trailing slash on purpose
        return ok({"zoneName": "Sandbox Zone", "url": root, "webUrl": str(request.base_url), "ci": 1})

    async def gate(request: Request) -> Response | None:
        creds = {k: request.headers.get(k, "") for k in ("ApiIntegrationCode", "UserName", "Secret")}
        sb.requests.append((request.method, str(request.url), {k: v for k, v in creds.items() if v}))
        fl = sb.faults
        if fl.latency:
            await asyncio.sleep(fl.latency)
        # as Autotask answers (apigrate/autotask-restapi#19): an unknown user name or a wrong integration code is
        # HTTP 500, a known user with the wrong secret 401
        if creds["UserName"].lower() != sb.api_user.lower():
            return err(500, "Unable to authenticate: the user name is not valid.")
        if creds["ApiIntegrationCode"] != sb.integration_code:
            return err(500, "The integration code is not valid for this user.")
        if creds["Secret"] != sb.secret:
            return err(401, "Authentication failed: check the API user, secret and integration code.")
        if not request.url.path.startswith(sb.zone_path + "/"):
            # the database has moved to another zone: this one no longer knows the user
            return err(401, "Authentication failed: check the API user, secret and integration code.")
        entity = request.path_params.get("entity")
        if isinstance(entity, str) and entity.lower() in fl.no_permission:
            return err(500, f"User does not have permission to access {entity}.")
        sb.request_times.append(time.monotonic())
        used = sb.requests_this_hour()
        if sb.hourly_limit and used * 4 >= sb.hourly_limit * 3 and sb.delay_over_75:
            sb.slept.append(sb.delay_over_75)
            await asyncio.sleep(sb.delay_over_75)
        elif sb.hourly_limit and used * 2 >= sb.hourly_limit and sb.delay_over_50:
            sb.slept.append(sb.delay_over_50)
            await asyncio.sleep(sb.delay_over_50)
        if fl.throttle_next > 0:
            fl.throttle_next -= 1
            return err(429, "Too many requests", headers={"Retry-After": str(fl.retry_after)})
        if sb.requests_this_hour() > sb.hourly_limit:
            return err(429, "The hourly request limit was reached", headers={"Retry-After": "60"})
        if fl.fail_next > 0:
            fl.fail_next -= 1
            return err(500, "Internal server error (injected)")
        if fl.fail_after is not None:
            if fl.fail_after <= 0:
                return err(500, "Internal server error (injected, persistent)")
            fl.fail_after -= 1
        if fl.errors_on_200_next > 0:
            fl.errors_on_200_next -= 1
            return err(200, "Injected error reported with HTTP 200")
        return None

    async def admitted(request: Request) -> str | Response:
        """The entity a request is about once the gate lets it through; else the answer it gets."""
        refused = await gate(request)
        if refused is not None:
            return refused
        entity = entity_of(request)
        return err(404, "Unknown entity") if entity is None else entity

    async def query(request: Request) -> Response:
        entity = await admitted(request)
        if isinstance(entity, Response):
            return entity
        try:
            body = json.loads(await request.body() or b"{}")
            items = list(body.get("filter") or body.get("Filter") or [])
            pred = _compile(items, fields[entity])
        except (ValueError, AttributeError) as exc:
            return err(500 if "Unknown" not in str(exc) else 400, str(exc))
        limit = max(1, min(500, int(body.get("MaxRecords") or 500)))
        rows = sb.data[entity]
        ids = sb._ids[entity]
        after = request.query_params.get("after")
        floor = _id_floor(items)
        if after is not None:
            floor = max(floor, int(after) + 1)
        start = bisect.bisect_left(ids, floor)
        page: list[Rec] = []
        i = start
        while i < len(rows) and len(page) < limit:
            if pred(rows[i]):
                page.append(rows[i])
            i += 1
        more = i < len(rows) and len(page) == limit     # a full page may have more after it
        next_url = None
        base = str(request.base_url).rstrip("/") + f"{sb.zone_path}/v1.0/{entity}/query"
        if sb.faults.endless_paging:
            next_url = f"{base}?after=0"
        elif more and page:
            root = sb.faults.next_page_base.rstrip("/") + f"{sb.zone_path}/v1.0/{entity}/query" \
                if sb.faults.next_page_base else base
            next_url = f"{root}?after={page[-1]['id']}"
        return ok({"items": page, "pageDetails": {"count": len(page), "requestCount": limit,
                                                  "prevPageUrl": None, "nextPageUrl": next_url}})

    async def count(request: Request) -> Response:
        entity = await admitted(request)
        if isinstance(entity, Response):
            return entity
        try:
            body = json.loads(await request.body() or b"{}")
            pred = _compile(list(body.get("filter") or []), fields[entity])
        except (ValueError, AttributeError) as exc:
            return err(400, str(exc))
        return ok({"queryCount": sum(1 for r in sb.data[entity] if pred(r))})

    async def get_one(request: Request) -> Response:
        entity = await admitted(request)
        if isinstance(entity, Response):
            return entity
        # a single entity that does not exist: HTTP 200 {"item": null}, as Autotask answers
        return ok({"item": sb._by_id[entity].get(int(request.path_params["ident"]))})

    async def entity_fields(request: Request) -> Response:
        entity = await admitted(request)
        if isinstance(entity, Response):
            return entity
        if entity != "Invoices":
            return ok({"fields": [{"name": k, "dataType": "string", "isPickList": False, "picklistValues": None}
                                  for k in fields[entity].values()]})
        return ok(invoice_fields())

    async def patch(request: Request) -> Response:
        refused = await gate(request)
        if refused is not None:
            return refused
        entity = entity_of(request)
        if entity != "Invoices":
            return err(405, f"{request.path_params['entity']} cannot be updated through this sandbox")
        body = json.loads(await request.body() or b"{}")
        rec = sb._by_id["Invoices"].get(int(body.get("id") or 0))
        if rec is None:
            return err(404, "Invoice not found")
        unknown = set(body) - {"id", "paidDate"}
        if unknown:
            return err(422, f"Fields cannot be updated: {sorted(unknown)}")
        paid = body.get("paidDate")
        try:
            if paid is not None:
                dt.date.fromisoformat(str(paid)[:10])
        except ValueError:
            return err(400, "paidDate is not a date")
        rec["paidDate"] = None if paid is None else str(paid)[:10] + "T00:00:00Z"
        sb.patches.append(dict(body))
        return ok({"itemId": rec["id"]})

    async def threshold(request: Request) -> Response:
        refused = await gate(request)
        if refused is not None:
            return refused
        return ok({"externalRequestThreshold": sb.hourly_limit, "requestThresholdTimeframe": 60,
                   "currentTimeframeRequestCount": sb.requests_this_hour()})

    routes = [Route("/atservicesrest/v1.0/zoneInformation", zone_information, methods=["GET"])]
    for zone in ("/atservicesrest", "/zone2/atservicesrest"):     # see move_zone()
        routes += [
            Route(f"{zone}/v1.0/ThresholdInformation", threshold, methods=["GET"]),
            Route(f"{zone}/v1.0/{{entity}}/entityInformation/fields", entity_fields, methods=["GET"]),
            Route(f"{zone}/v1.0/{{entity}}/query/count", count, methods=["POST"]),
            Route(f"{zone}/v1.0/{{entity}}/query", query, methods=["POST"]),
            Route(f"{zone}/v1.0/{{entity}}/{{ident:int}}", get_one, methods=["GET"]),
            Route(f"{zone}/v1.0/{{entity}}", patch, methods=["PATCH"]),
        ]
    app = Starlette(routes=routes)
    app.state.sandbox = sb
    return app
