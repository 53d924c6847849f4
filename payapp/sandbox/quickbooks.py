"""A QuickBooks Online sandbox (ASGI, in-memory): OAuth 2.0 authorise/token endpoints with refresh-token
rotation, preferences, customers, invoices, payments (with void), refund receipts, a small query
language, `requestid` replay (the same id returns the first answer and writes nothing), a per-minute
request limit, and fault switches for tests: HTTP 500 before a write, 429 with Retry-After, a lost
answer after the write, stale SyncTokens, revoked sign-in, latency, and a seeded random failure rate.

Like the real service it refuses: redirect URIs that are not registered (or not https, except `localhost`
with development keys), a code exchanged with another redirect URI, a minorversion below 75, and a
RefundReceipt without `DepositToAccountRef`; it answers throttling in XML (`<Error code="3001">`), whatever
was asked for, and escapes only single quotes in query literals.

`create_quickbooks_app(state)` builds the app; tests drive `QuickBooksSandbox` directly."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import ipaddress
import json
import random
import re
import secrets
import threading
import time
import urllib.parse
from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape as escape_xml

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

# the demo values live in demo_keys (the app reads them without this module); tests and tools import them here
from payapp.sandbox.demo_keys import DEMO_CLIENT_ID as DEMO_CLIENT_ID
from payapp.sandbox.demo_keys import DEMO_CLIENT_SECRET as DEMO_CLIENT_SECRET
from payapp.sandbox.demo_keys import DEMO_REFUND_ACCOUNT as DEMO_REFUND_ACCOUNT

DEMO_REALM_ID = "9130350000000001"
#: the redirect URIs registered for the demo app: the fixed development loopback and an https page
DEMO_REDIRECT_URIS = ("http://localhost:8765/callback", "https://payapp.example.com/quickbooks/connected")

Rec = dict[str, Any]


def dumps(data: Any) -> bytes:
    def enc(o: Any) -> Any:
        if isinstance(o, Decimal):
            return f"\x00{o}\x00"
        raise TypeError(type(o).__name__)
    text = json.dumps(data, default=enc, separators=(",", ":"), ensure_ascii=False)
    return text.replace('"\\u0000', "").replace('\\u0000"', "").encode()


@dataclass
class QbFaults:
    fail_next: int = 0             # HTTP 500 before writing, next n API requests
    throttle_next: int = 0         # HTTP 429 + Retry-After, next n API requests
    retry_after: int = 60
    lost_answer_next: int = 0      # the next n writes are done, then answered with HTTP 504
    garbage_answer_next: int = 0   # the next n writes are done, then answered 200 with a body that is not JSON
    stale_next: int = 0            # the next n updates fail with 5010 (the SyncToken moved on)
    failure_rate: float = 0.0      # share of writes that fail at random (500 / 429 / lost answer), seeded
    latency: float = 0.0
    token_error_next: int = 0      # HTTP 500 from the token endpoint
    deny_next: int = 0             # the user clicks Cancel on the next n authorisations (error=access_denied)
    auth_glitch_next: int = 0      # HTTP 500 with code 120 (a passing failure, the sign-in is fine)
    throttle_403_next: int = 0     # the older paths' throttling: HTTP 403 with the XML ThrottleExceeded body


@dataclass
class QuickBooksSandbox:
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET
    realm_id: str = DEMO_REALM_ID
    company_name: str = "PayApp Demo Company (sandbox)"
    custom_txn_numbers: bool = False
    rotate_refresh_tokens: bool = True
    access_token_seconds: int = 3600
    per_minute_limit: int = 0      # 0 = unlimited (QuickBooks allows 500/min per company)
    seed: int = 3
    #: redirect URIs registered in the Intuit app (exactly as sent)
    redirect_uris: tuple[str, ...] = DEMO_REDIRECT_URIS
    #: development keys accept http://localhost redirects; production keys only https
    development_keys: bool = True
    faults: QbFaults = field(default_factory=QbFaults)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.lock = threading.Lock()
        self.entities: dict[str, dict[str, Rec]] = {"Customer": {}, "Invoice": {}, "Payment": {}, "RefundReceipt": {},
                                                    "Item": {}, "Account": {}}
        self.entities["Item"]["1"] = {"Id": "1", "Name": "Services", "SyncToken": "0"}
        for ident, name, kind in (("35", "Checking", "Bank"), ("36", "Savings", "Bank"),
                                  ("4", "Undeposited Funds", "Other Current Asset"), ("79", "Sales", "Income")):
            self.entities["Account"][ident] = {"Id": ident, "Name": name, "FullyQualifiedName": name,
                                               "AccountType": kind, "Active": True, "SyncToken": "0"}
        self._next_id = 100
        self._doc_number = 1000
        self.replies: dict[str, tuple[int, bytes]] = {}
        self.codes: dict[str, tuple[float, str]] = {}     # code → (expiry, the redirect URI it was issued for)
        self.access_tokens: dict[str, float] = {}
        self.refresh_tokens: set[str] = set()
        self.revoked = False
        self.writes = 0
        self.request_log: deque[tuple[str, str, str]] = deque(maxlen=10_000)   # method, path, requestid
        self._minute: deque[float] = deque()
        self.token_requests = 0

    # -- state (the demo keeps it in a file and seeds it from the demo's database)

    def state_dict(self) -> dict[str, Any]:
        """The company's records, id and number counters, requestid answers and live tokens."""
        return {"version": 1, "entities": self.entities, "next_id": self._next_id, "doc_number": self._doc_number,
                "replies": {k: [status, body.decode("utf-8", errors="replace")]
                            for k, (status, body) in self.replies.items()},
                "access_tokens": self.access_tokens, "refresh_tokens": sorted(self.refresh_tokens),
                "revoked": self.revoked}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        for entity in self.entities:
            self.entities[entity] = dict(data.get("entities", {}).get(entity, self.entities[entity]))
        self.replies = {k: (int(v[0]), str(v[1]).encode()) for k, v in data.get("replies", {}).items()}
        self.access_tokens = {str(k): float(v) for k, v in data.get("access_tokens", {}).items()}
        self.refresh_tokens = {str(t) for t in data.get("refresh_tokens", [])}
        self.revoked = bool(data.get("revoked", False))
        self.continue_counters(int(data.get("next_id") or 0), int(data.get("doc_number") or 0))

    def add_records(self, entity: str, records: list[Rec]) -> None:
        """Records the company already has (the demo's customers, invoices and payments)."""
        for rec in records:
            self.entities[entity][str(rec["Id"])] = rec
        self.continue_counters()

    def continue_counters(self, next_id: int = 0, doc_number: int = 0) -> None:
        """New Ids and DocNumbers continue after every one the company has."""
        ids = [int(i) for recs in self.entities.values() for i in recs if i.isdigit()]
        docs = [int(str(r.get("DocNumber"))) for r in self.entities["Invoice"].values()
                if str(r.get("DocNumber", "")).isdigit()]
        self._next_id = max([self._next_id, next_id, *ids])
        self._doc_number = max([self._doc_number, doc_number, *docs])

    # -- Python API

    def issue_tokens(self) -> tuple[str, str]:
        """Tokens as if a user had just connected (demo mode, tests)."""
        access, refresh = "qa-" + secrets.token_urlsafe(24), "qr-" + secrets.token_urlsafe(24)
        self.access_tokens[access] = time.time() + self.access_token_seconds
        self.refresh_tokens.add(refresh)
        return access, refresh

    def authorization_code(self, redirect_uri: str = DEMO_REDIRECT_URIS[0]) -> str:
        code = "qc-" + secrets.token_urlsafe(16)
        self.codes[code] = (time.time() + 600, redirect_uri)
        return code

    def redirect_problem(self, redirect_uri: str) -> str:
        """Why Intuit would refuse this redirect URI ("" = accepted)."""
        parts = urllib.parse.urlsplit(redirect_uri)
        if redirect_uri not in self.redirect_uris:
            return "The redirect_uri is not registered for this app"
        if parts.scheme == "https":
            return "" if parts.hostname and not _is_ip(parts.hostname) else "The redirect_uri may not be an IP address"
        if parts.scheme == "http" and parts.hostname == "localhost" and self.development_keys:
            return ""
        return "The redirect_uri must begin with https (http only for localhost with development keys)"

    def expire_access_tokens(self) -> None:
        for k in self.access_tokens:
            self.access_tokens[k] = 0.0

    def revoke(self) -> None:
        self.revoked = True
        self.access_tokens.clear()
        self.refresh_tokens.clear()

    def all(self, entity: str) -> list[Rec]:
        return list(self.entities[entity].values())

    def new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)


class _Fault(Exception):
    def __init__(self, status: int, code: str, message: str, detail: str = "", element: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail, self.element = status, code, message, detail, element


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _xml_fault(status: int, code: str, message: str, detail: str, fault_type: str = "SERVICE",
               headers: dict[str, str] | None = None) -> Response:
    """A fault as QuickBooks sends some of them, in XML even when JSON was asked for."""
    body = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<IntuitResponse xmlns="http://schema.intuit.com/finance/v3" time="{dt.datetime.now(dt.UTC).isoformat()}">'
            f'<Fault type="{escape_xml(fault_type)}"><Error code="{escape_xml(code)}"><Message>{escape_xml(message)}'
            f'</Message><Detail>{escape_xml(detail)}</Detail></Error></Fault></IntuitResponse>')
    return Response(body.encode(), status, media_type="application/xml", headers=headers)


def _throttled(status: int, retry_after: int) -> Response:
    return _xml_fault(status, "3001", f"message=ThrottleExceeded; errorCode=003001; statusCode={status}",
                      "The request limit was reached.  Try again later", headers={"Retry-After": str(retry_after)})


def _fault_response(status: int, code: str, message: str, detail: str = "", element: str = "",
                    headers: dict[str, str] | None = None) -> Response:
    if status == 401:       # QuickBooks' 401 bodies use lower-case keys
        body: Rec = {"fault": {"error": [{"message": message, "detail": detail, "code": code}],
                               "type": "AUTHENTICATION"}}
    else:
        body = {"Fault": {"Error": [{"Message": message, "Detail": detail or message, "code": code,
                                     "element": element}], "type": "ValidationFault"},
                "time": dt.datetime.now(dt.UTC).isoformat()}
    return Response(dumps(body), status, media_type="application/json", headers=headers)


_QUERY = re.compile(r"^\s*select\s+\*\s+from\s+(\w+)(?:\s+where\s+(.*?))?"
                    r"(?:\s+orderby\s+\w+)?(?:\s+startposition\s+(\d+))?(?:\s+maxresults\s+(\d+))?\s*$",
                    re.IGNORECASE | re.DOTALL)
_COND = re.compile(r"(\w+)\s*=\s*'((?:\\'|[^'])*)'")


def _money(v: Any) -> Decimal:
    return v if isinstance(v, Decimal) else Decimal(str(v))


def create_quickbooks_app(state: QuickBooksSandbox | None = None) -> Starlette:
    sb = state if state is not None else QuickBooksSandbox()
    entity_names = {"customer": "Customer", "invoice": "Invoice", "payment": "Payment",
                    "refundreceipt": "RefundReceipt", "item": "Item", "account": "Account"}

    def ok(data: Rec) -> Response:
        return Response(dumps({**data, "time": dt.datetime.now(dt.UTC).isoformat()}), 200,
                        media_type="application/json")

    # ---------------------------------------------------------- OAuth

    async def authorize(request: Request) -> Response:
        q = request.query_params
        if q.get("client_id") != sb.client_id or q.get("response_type") != "code" or not q.get("redirect_uri"):
            return Response("Bad authorisation request", 400)
        problem = sb.redirect_problem(q["redirect_uri"])
        if problem:        # Intuit shows an error page and does not redirect
            return Response(f"Error: redirect_uri is invalid. {problem}: {q['redirect_uri']}", 400,
                            media_type="text/plain")
        if sb.faults.deny_next > 0:
            sb.faults.deny_next -= 1
            answer = {"error": "access_denied", "state": q.get("state", "")}
        else:
            answer = {"code": sb.authorization_code(q["redirect_uri"]), "state": q.get("state", ""),
                      "realmId": sb.realm_id}
        target = q["redirect_uri"] + ("&" if "?" in q["redirect_uri"] else "?") + urllib.parse.urlencode(answer)
        return RedirectResponse(target, 302)

    async def token(request: Request) -> Response:
        sb.token_requests += 1
        if sb.faults.token_error_next > 0:
            sb.faults.token_error_next -= 1
            return Response(b'{"error":"server_error"}', 500, media_type="application/json")
        expected = "Basic " + base64.b64encode(f"{sb.client_id}:{sb.client_secret}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return Response(b'{"error":"invalid_client"}', 401, media_type="application/json")
        form = {k: v[0] for k, v in urllib.parse.parse_qs((await request.body()).decode()).items()}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            code = str(form.get("code", ""))
            expiry, issued_for = sb.codes.pop(code, (0.0, ""))
            if expiry < time.time() or form.get("redirect_uri") != issued_for:
                return Response(b'{"error":"invalid_grant"}', 400, media_type="application/json")
        elif grant == "refresh_token":
            old = str(form.get("refresh_token", ""))
            if sb.revoked or old not in sb.refresh_tokens:
                return Response(b'{"error":"invalid_grant"}', 400, media_type="application/json")
            if sb.rotate_refresh_tokens:
                sb.refresh_tokens.discard(old)
        else:
            return Response(b'{"error":"unsupported_grant_type"}', 400, media_type="application/json")
        sb.revoked = False
        access, refresh = sb.issue_tokens()
        if grant == "refresh_token" and not sb.rotate_refresh_tokens:
            sb.refresh_tokens.discard(refresh)
            refresh = str(form.get("refresh_token"))
        return Response(dumps({"access_token": access, "refresh_token": refresh, "token_type": "bearer",
                               "expires_in": sb.access_token_seconds, "x_refresh_token_expires_in": 8_640_000}),
                        200, media_type="application/json")

    # ---------------------------------------------------------- API

    def check_auth(request: Request) -> Response | None:
        header = request.headers.get("authorization", "")
        tok = header[7:] if header.lower().startswith("bearer ") else ""
        if sb.revoked:
            return _fault_response(401, "120", "message=AuthorizationFailure; errorCode=120; statusCode=401",
                                   "Authorization revoked")
        if sb.access_tokens.get(tok, 0.0) < time.time():
            return _fault_response(401, "3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                                   "Token expired")
        return None

    async def api(request: Request) -> Response:
        if request.path_params["realm"] != sb.realm_id:
            return _fault_response(403, "3100", "ApplicationAuthorizationFailed", "Unknown company")
        if sb.faults.latency:
            await asyncio.sleep(sb.faults.latency)
        denied = check_auth(request)
        if denied is not None:
            return denied
        q = request.query_params
        minor = q.get("minorversion", "")
        if not (minor.isascii() and minor.isdigit() and int(minor) >= 75):
            return _fault_response(400, "2010", "Request has invalid or unsupported property",
                                   "minorversion 75 or later is required")
        rest = request.path_params["rest"].strip("/")
        rid = q.get("requestid", "")
        sb.request_log.append((request.method, rest, rid))
        now = time.monotonic()
        while sb._minute and sb._minute[0] < now - 60:
            sb._minute.popleft()
        sb._minute.append(now)
        fl = sb.faults
        if fl.throttle_next > 0 or (sb.per_minute_limit and len(sb._minute) > sb.per_minute_limit):
            fl.throttle_next = max(0, fl.throttle_next - 1)
            return _throttled(429, fl.retry_after)
        if fl.throttle_403_next > 0:
            fl.throttle_403_next -= 1
            return _throttled(403, fl.retry_after)
        if fl.auth_glitch_next > 0:
            fl.auth_glitch_next -= 1
            return Response(dumps({"Fault": {"Error": [{"Message": "Authorization Failure", "code": "120",
                                                        "Detail": "AuthorizationFailure: Unknown Error during "
                                                                  "Authentication, statusCode: 500"}],
                                             "type": "AuthorizationFault"}}), 500, media_type="application/json")
        if fl.fail_next > 0:
            fl.fail_next -= 1
            return _fault_response(500, "10000", "An application error has occurred while processing your request")
        if request.method == "GET":
            return handle_get(rest, q)
        if rid and rid in sb.replies:       # requestid replay: the first answer, no second write
            status, body = sb.replies[rid]
            return Response(body, status, media_type="application/json")
        lost = False
        if fl.failure_rate and sb.rng.random() < fl.failure_rate:
            kind = sb.rng.choice(("500", "429", "lost"))
            if kind == "500":
                return _fault_response(503, "10000", "Service temporarily unavailable")
            if kind == "429":
                return _throttled(429, 0)
            lost = True
        if fl.lost_answer_next > 0:
            fl.lost_answer_next -= 1
            lost = True
        try:
            body_in = json.loads(await request.body() or b"{}", parse_float=Decimal)
            with sb.lock:
                status, data = handle_write(rest, q, body_in)
            reply = (status, dumps({**data, "time": dt.datetime.now(dt.UTC).isoformat()}))
        except _Fault as f:
            resp = _fault_response(f.status, f.code, f.message, f.detail, f.element)
            reply = (f.status, bytes(resp.body))
        except ValueError:
            return _fault_response(400, "2020", "Required param missing, need to supply the required value",
                                   "The body is not JSON")
        if rid and reply[0] < 500:
            sb.replies[rid] = reply
        if lost:
            return Response(b"<html>504 Gateway Time-out</html>", 504, media_type="text/html")
        if fl.garbage_answer_next > 0:
            fl.garbage_answer_next -= 1
            return Response(reply[1][: len(reply[1]) // 2], 200, media_type="application/json")   # cut off
        return Response(reply[1], reply[0], media_type="application/json")

    def handle_get(rest: str, q: Any) -> Response:
        if rest == "preferences":
            return ok({"Preferences": {"SalesFormsPrefs": {"CustomTxnNumbers": sb.custom_txn_numbers},
                                       "CurrencyPrefs": {"HomeCurrency": {"value": "USD"}}}})
        if rest == f"companyinfo/{sb.realm_id}":
            return ok({"CompanyInfo": {"CompanyName": sb.company_name, "Id": "1"}})
        if rest == "query":
            return query(q.get("query", ""))
        parts = rest.split("/")
        if len(parts) == 2 and parts[0] in entity_names:
            rec = sb.entities[entity_names[parts[0]]].get(parts[1])
            if rec is None:
                return _fault_response(400, "610", "Object Not Found", f"{parts[0]} {parts[1]} was not found")
            return ok({entity_names[parts[0]]: rec})
        return _fault_response(400, "2010", "Unsupported request", rest)

    def query(text: str) -> Response:
        m = _QUERY.match(text)
        if not m:
            return _fault_response(400, "4000", "Error parsing query", text[:200])
        entity = next((v for v in entity_names.values() if v.lower() == m.group(1).lower()), None)
        if entity is None:
            return _fault_response(400, "4001", "Invalid query", f"unknown entity {m.group(1)}")
        # only the single quote is escaped (\'); any other backslash is an ordinary character
        conds = [(k, v.replace("\\'", "'")) for k, v in _COND.findall(m.group(2) or "")]
        rows = [r for r in sb.entities[entity].values() if all(str(r.get(k, "")) == v for k, v in conds)]
        start = int(m.group(3) or 1)
        size = min(1000, int(m.group(4) or 100))
        rows = rows[start - 1:start - 1 + size]
        resp: Rec = {"startPosition": start, "maxResults": len(rows)}
        if rows:
            resp[entity] = rows
        return ok({"QueryResponse": resp})

    def ref(entity: str, value: Any, element: str) -> Rec:
        rid = str((value or {}).get("value", "")) if isinstance(value, dict) else ""
        rec = sb.entities[entity].get(rid)
        if rec is None:
            raise _Fault(400, "2500", "Invalid Reference Id", f"{element}: {entity} {rid!r} does not exist", element)
        return rec

    def meta() -> Rec:
        now = dt.datetime.now(dt.UTC).isoformat()
        return {"CreateTime": now, "LastUpdatedTime": now}

    def handle_write(rest: str, q: Any, body: Rec) -> tuple[int, Rec]:
        entity = entity_names.get(rest)
        if entity is None:
            raise _Fault(400, "2010", "Unsupported operation", rest)
        sb.writes += 1
        if q.get("operation") == "update":
            return update(entity, q, body)
        if entity == "Customer":
            name = str(body.get("DisplayName", "")).strip()
            if not name:
                raise _Fault(400, "6000", "A business validation error has occurred", "DisplayName is required")
            if any(c["DisplayName"] == name for c in sb.entities["Customer"].values()):
                raise _Fault(400, "6240", "Duplicate Name Exists Error",
                             f"The name supplied already exists. : Another customer is already using this name: {name}")
            rec: Rec = {"Id": sb.new_id(), "SyncToken": "0", "DisplayName": name, "Active": True, "Balance": Decimal(0),
                   "MetaData": meta()}
        elif entity == "Invoice":
            ref("Customer", body.get("CustomerRef"), "CustomerRef")
            lines = [ln for ln in body.get("Line", []) if ln.get("DetailType") != "SubTotalLineDetail"]
            if not lines:
                raise _Fault(400, "6000", "A business validation error has occurred", "An invoice needs a line")
            total = sum((_money(ln.get("Amount", 0)) for ln in lines), Decimal(0))
            doc = str(body.get("DocNumber", ""))
            if sb.custom_txn_numbers:
                if doc and any(i.get("DocNumber") == doc for i in sb.entities["Invoice"].values()):
                    raise _Fault(400, "6140", "Duplicate Document Number Error", f"DocNumber {doc} is used")
            else:
                sb._doc_number += 1
                doc = str(sb._doc_number)
            rec = {**body, "Id": sb.new_id(), "SyncToken": "0", "DocNumber": doc, "TotalAmt": total,
                   "Balance": total, "MetaData": meta()}
        elif entity == "Payment":
            ref("Customer", body.get("CustomerRef"), "CustomerRef")
            amount = _money(body.get("TotalAmt", 0))
            linked = Decimal(0)
            for ln in body.get("Line", []):
                for lt in ln.get("LinkedTxn", []):
                    inv = sb.entities["Invoice"].get(str(lt.get("TxnId")))
                    if inv is None or lt.get("TxnType") != "Invoice":
                        raise _Fault(400, "2500", "Invalid Reference Id", f"Invoice {lt.get('TxnId')} not found",
                                     "LinkedTxn")
                    if inv["CustomerRef"]["value"] != body["CustomerRef"]["value"]:
                        raise _Fault(400, "6000", "A business validation error has occurred",
                                     "The invoice belongs to another customer")
                    inv["Balance"] = _money(inv["Balance"]) - _money(ln.get("Amount", 0))
                    inv["SyncToken"] = str(int(inv["SyncToken"]) + 1)
                    linked += _money(ln.get("Amount", 0))
            rec = {**body, "Id": sb.new_id(), "SyncToken": "0", "TotalAmt": amount,
                   "UnappliedAmt": amount - linked, "MetaData": meta()}
        elif entity == "RefundReceipt":
            ref("Customer", body.get("CustomerRef"), "CustomerRef")
            if not isinstance(body.get("DepositToAccountRef"), dict):
                raise _Fault(400, "2020", "Required param missing, need to supply the required value",
                             "Required parameter DepositToAccountRef is missing in the request", "DepositToAccountRef")
            account = ref("Account", body.get("DepositToAccountRef"), "DepositToAccountRef")
            if account.get("AccountType") not in ("Bank", "Other Current Asset"):
                raise _Fault(400, "6000", "A business validation error has occurred while processing your request",
                             "The account a refund is paid from must be a bank account", "DepositToAccountRef")
            total = sum((_money(ln.get("Amount", 0)) for ln in body.get("Line", [])), Decimal(0))
            rec = {**body, "Id": sb.new_id(), "SyncToken": "0", "TotalAmt": total, "MetaData": meta()}
        else:
            raise _Fault(400, "2010", "Unsupported operation", entity)
        sb.entities[entity][rec["Id"]] = rec
        return 200, {entity: rec}

    def update(entity: str, q: Any, body: Rec) -> tuple[int, Rec]:
        rec = sb.entities[entity].get(str(body.get("Id", "")))
        if rec is None:
            raise _Fault(400, "610", "Object Not Found", f"{entity} {body.get('Id')} was not found")
        if sb.faults.stale_next > 0:
            sb.faults.stale_next -= 1
            rec["SyncToken"] = str(int(rec["SyncToken"]) + 1)
        if str(body.get("SyncToken")) != rec["SyncToken"]:
            raise _Fault(400, "5010", "Stale Object Error",
                         f"You and {entity} were working on this at the same time; SyncToken is {rec['SyncToken']}")
        if entity == "Payment" and q.get("include") == "void":
            if rec.get("Deposited"):
                raise _Fault(400, "6540", "Deposited Transaction cannot be changed", "The payment was deposited")
            for ln in rec.get("Line", []):
                for lt in ln.get("LinkedTxn", []):
                    inv = sb.entities["Invoice"].get(str(lt.get("TxnId")))
                    if inv is not None:
                        inv["Balance"] = _money(inv["Balance"]) + _money(ln.get("Amount", 0))
            rec.update(TotalAmt=Decimal(0), UnappliedAmt=Decimal(0), PrivateNote="Voided",
                       Line=[{**ln, "Amount": Decimal(0)} for ln in rec.get("Line", [])])
        else:
            rec.update({k: v for k, v in body.items() if k not in ("Id", "SyncToken", "sparse")})
        rec["SyncToken"] = str(int(rec["SyncToken"]) + 1)
        rec["MetaData"] = {**rec.get("MetaData", {}), "LastUpdatedTime": dt.datetime.now(dt.UTC).isoformat()}
        return 200, {entity: rec}

    routes = [
        Route("/connect/oauth2", authorize, methods=["GET"]),
        Route("/oauth2/v1/tokens/bearer", token, methods=["POST"]),
        Route("/v3/company/{realm}/{rest:path}", api, methods=["GET", "POST"]),
    ]
    app = Starlette(routes=routes)
    app.state.sandbox = sb
    return app
