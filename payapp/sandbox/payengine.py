"""A sandbox Concardis PayEngine: the REST API v1 as PayApp's adapter (connectors/gateways/payengine.py) and
PayEngine's documentation describe it, with in-memory state (`state_dict()` / `load_state_dict()`, saved like the
other sandboxes through sandbox/persist.py), a hosted payment page with Approve/Cancel, and the NMI sandbox's fault
switches.

API (HTTP Basic `merchantId:apiKey` on every call; JSON; errors `{status, message, code, elements}`):

- POST /v1/orders/debit, /v1/orders/preauth        charge / authorise (`initialAmount` minor units, `currency`,
                                                   `product`, `merchantOrderId`, `payment`, `async`)
- GET  /v1/orders?merchantOrderId=..., /v1/orders/{orderId}
- POST /v1/orders/{orderId}/transactions/{transactionId}/capture|cancel|refund
- GET|PATCH|DELETE /v1/payment-instruments/{id}

Test data: cards 4111111111111111 / 5431111111111111 approve, 4000000000000002 declines (any future expiry);
PayPal (`product: "paypal"`) needs the hosted
step (`async`): its page pays from the sandbox buyer's PayPal account (PAYPAL_PAYER_EMAIL) on Approve.
IBAN DE89370400440532013000 is accepted and settles, DE82370400440532013999 is declined, DE68370400440000202051 is
returned by the debtor's bank (a CHARGEBACK) when it settles. `paydirekt` and `giropay` are refused: those
products closed at the end of 2024.

Control (no authentication, as the NMI sandbox's): POST /_sandbox/settle-now, POST|DELETE /_sandbox/faults
(`{"kind", "times", "seconds", "path": "transact"|"query"}`, kinds as sandbox/gateway.py's FAULT_KINDS),
POST /_sandbox/reset, GET /_sandbox/state; GET|POST /hosted/{orderId} is the payment page.

Only masked numbers and last fours are kept; full card numbers, CVVs and IBANs are never stored or logged.
"""

from __future__ import annotations

import base64
import copy
import html
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from schwifty import IBAN
from schwifty.exceptions import SchwiftyException
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from stdnum import luhn

from payapp.sandbox.control import FaultPlan, SandboxApp, answer_under_fault, control_routes, json_object, take_fault
from payapp.sandbox.demo_keys import DEMO_API_KEY, DEMO_MERCHANT_ID
from payapp.sandbox.gateway import FAULT_KINDS, Fault

APPROVE_CARDS = frozenset({"4111111111111111", "5431111111111111", "341111111111111"})
DECLINE_CARDS = frozenset({"4000000000000002"})
SEPA_DECLINED = frozenset({"DE82370400440532013999"})
SEPA_RETURNED = frozenset({"DE68370400440000202051"})
#: the PayPal buyer account the hosted page pays with (a PayPal payment through PayEngine)
PAYPAL_PAYER_ID = "SBXPEPAYER01"
PAYPAL_PAYER_EMAIL = "buyer@payengine-sandbox.example"
PRODUCTS = frozenset({"creditcard", "sepa", "paypal"})
CLOSED_PRODUCTS = frozenset({"paydirekt", "giropay"})
_MERCHANT_ORDER_CARD = re.compile(r"[A-Za-z0-9]{1,30}")


class ApiError(Exception):
    def __init__(self, status: int, message: str, elements: list[dict[str, str]] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.elements = status, message, elements or []

    def body(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "code": self.status * 100 + 1,
                "elements": self.elements}


@dataclass(frozen=True)
class Sale:
    """An approved debit as tests count them: our order id (PayEngine's merchantOrderId form), the port's
    transaction reference, and how much of it was refunded (major units)."""

    order_id: str
    transaction_id: str
    refunded: Decimal


@dataclass(frozen=True)
class PayPalPayment:
    """A PayPal payment approved on the hosted page: the payer's PayPal account as PayPal names it to PayEngine
    (payer id and e-mail), with the order and amount it paid (minor units)."""

    order_id: str
    transaction_id: str
    payer_id: str
    payer_email: str
    amount_minor: int
    currency: str


def _field_error(name: str, message: str) -> ApiError:
    return ApiError(400, "Validation failed", [{"field": name, "message": message}])


class PayEngineSandbox:
    def __init__(self, *, merchant_id: str = DEMO_MERCHANT_ID, api_key: str = DEMO_API_KEY,
                 clock: Callable[[], float] | None = None) -> None:
        self.merchant_id = merchant_id
        self.api_key = api_key
        self._clock = clock or time.time
        self.orders: dict[str, dict[str, Any]] = {}
        self.instruments: dict[str, dict[str, Any]] = {}
        self.faults: list[Fault] = []
        self._ids = itertools.count(1)
        self.base_url = ""                       # set by the app from the first request (the hosted page's host)

    # ------------------------------------------------------------------ state, faults

    def reset(self) -> None:
        self.orders.clear()
        self.instruments.clear()
        self.faults.clear()

    def state_dict(self) -> dict[str, Any]:
        return {"orders": self.orders, "instruments": self.instruments, "next_id": self._peek()}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        self.orders = {str(k): v for k, v in dict(data.get("orders") or {}).items()}
        self.instruments = {str(k): v for k, v in dict(data.get("instruments") or {}).items()}
        self._ids = itertools.count(max(int(data.get("next_id") or 1), 1))

    def _peek(self) -> int:
        n = next(self._ids)
        self._ids = itertools.count(n)
        return n

    def add_fault(self, kind: str, *, times: int = 1, seconds: float = 0.0, path: str = "transact") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        self.faults.append(Fault(kind, times, seconds, path))

    def add_fault_plan(self, plan: FaultPlan) -> None:
        self.add_fault(plan.kind, times=plan.times, seconds=plan.seconds, path=plan.scope)

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, path: str) -> Fault | None:
        return take_fault(self.faults, lambda f: f.path == path)

    def authorized(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(value, validate=True).decode("utf-8").partition(":")
        except (ValueError, UnicodeError):
            return False
        return secrets.compare_digest(user, self.merchant_id) and secrets.compare_digest(password, self.api_key)

    # ------------------------------------------------------------------ helpers

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._ids):06d}{secrets.token_hex(3)}"

    def _tx(self, kind: str, status: str, amount: int, currency: str, parent: str | None = None) -> dict[str, Any]:
        now = self._now_ms()
        return {"transactionId": self._new_id("transaction"), "type": kind, "status": status,
                "initialAmount": amount, "currency": currency, "parentTransaction": parent, "createdAt": now,
                "modifiedAt": now, "providerCode": "00" if status in ("SUCCESS", "PENDING") else "05",
                "description": {"SUCCESS": "Approved", "PENDING": "Accepted, pending settlement",
                                "DECLINED": "Declined by the issuer", "ABORTED": "Cancelled by the payer"}
                .get(status, status), "transactions": []}

    @staticmethod
    def _main(order: dict[str, Any]) -> dict[str, Any]:
        return next(t for t in order["transactions"] if t["type"] in ("DEBIT", "PREAUTH"))

    def order_view(self, order: dict[str, Any]) -> dict[str, Any]:
        return copy.deepcopy({k: v for k, v in order.items() if not k.startswith("_")})

    # ------------------------------------------------------------------ orders

    def create(self, kind: str, body: object) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ApiError(400, "The request body must be a JSON object.")
        amount = body.get("initialAmount")
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _field_error("initialAmount", "must be a positive integer (minor units)")
        currency = body.get("currency")
        if not isinstance(currency, str) or not re.fullmatch(r"[A-Z]{3}", currency):
            raise _field_error("currency", "must be an ISO 4217 code")
        product = body.get("product")
        if product in CLOSED_PRODUCTS:
            raise _field_error("product", f"{product} is no longer available")
        if product not in PRODUCTS:
            raise _field_error("product", "unknown product")
        moid = body.get("merchantOrderId", "")
        if not isinstance(moid, str) or (product == "creditcard" and moid and not _MERCHANT_ORDER_CARD.fullmatch(moid)):
            raise _field_error("merchantOrderId", "at most 30 alphanumeric characters")
        payment = body.get("payment") if isinstance(body.get("payment"), dict) else {}
        hosted = isinstance(body.get("async"), dict)
        order_id = self._new_id("order")
        order: dict[str, Any] = {"orderId": order_id, "merchantOrderId": moid, "product": product,
                                 "currency": currency, "initialAmount": amount, "status": "OPEN", "settled": False,
                                 "settlementDate": None, "createdAt": self._now_ms(), "modifiedAt": self._now_ms(),
                                 "description": str(body.get("description", ""))[:255], "transactionType": kind,
                                 "paymentInstrument": None, "transactions": []}
        tx_kind = "PREAUTH" if kind == "preauth" else "DEBIT"
        if hosted:
            urls = body["async"]
            for name in ("successUrl", "failureUrl", "cancelUrl"):
                if not isinstance(urls.get(name), str) or not urls[name].startswith(("http://", "https://")):
                    raise _field_error(f"async.{name}", "must be an http(s) address")
            order["_async"] = dict(urls)
            order["redirectUrl"] = f"{self.base_url}/hosted/{order_id}"
            status = "PENDING"
        elif product == "creditcard":
            status = self._card(payment, order)
        elif product == "sepa":
            status = self._sepa(payment, order)
        else:
            raise _field_error("async", "PayPal needs the hosted step (async)")
        tx = self._tx(tx_kind, status, amount, currency)
        order["transactions"].append(tx)
        if status in ("DECLINED", "FAILURE"):
            order["status"] = "CLOSED"
        self.orders[order_id] = order
        view = copy.deepcopy(tx)
        view["order"] = self.order_view(order)
        return view

    def _card(self, payment: dict[str, Any], order: dict[str, Any]) -> str:
        if "paymentInstrumentId" in payment:
            pi = self.instruments.get(str(payment["paymentInstrumentId"]))
            if pi is None:
                raise _field_error("payment.paymentInstrumentId", "unknown payment instrument")
            order["paymentInstrument"] = copy.deepcopy(pi)
            return "DECLINED" if pi.get("_decline") else "SUCCESS"
        number = payment.get("cardNumber")
        if not isinstance(number, str) or not number.isascii() or not number.isdigit() or not 12 <= len(number) <= 19 \
                or not luhn.is_valid(number):
            raise _field_error("payment.cardNumber", "invalid card number")
        month, year = payment.get("expiryMonth"), payment.get("expiryYear")
        if not (isinstance(month, str) and month.isdigit() and 1 <= int(month) <= 12 and isinstance(year, str)
                and year.isdigit() and len(year) == 4):
            raise _field_error("payment.expiryMonth", "invalid expiry")
        if (int(year), int(month)) < time.gmtime(self._clock())[:2]:
            return "DECLINED"
        pi_id = self._new_id("paymentinstrument")
        pi = {"paymentInstrumentId": pi_id, "product": "creditcard", "recurring": False,
              "attributes": {"cardNumber": f"{number[:6]}{'*' * (len(number) - 10)}{number[-4:]}",
                             "expiryMonth": month, "expiryYear": year,
                             "brand": "VISA" if number.startswith("4") else "MASTERCARD"},
              "_decline": number in DECLINE_CARDS}
        self.instruments[pi_id] = pi
        order["paymentInstrument"] = self.order_view(pi)
        return "DECLINED" if number in DECLINE_CARDS else "SUCCESS"

    def _sepa(self, payment: dict[str, Any], order: dict[str, Any]) -> str:
        if order["currency"] != "EUR":
            raise _field_error("currency", "SEPA direct debit takes EUR only")
        try:
            iban = IBAN(str(payment.get("iban", ""))).compact
        except (SchwiftyException, ValueError):
            raise _field_error("payment.iban", "invalid IBAN") from None
        holder = payment.get("accountHolder")
        if not isinstance(holder, str) or not holder.strip():
            raise _field_error("payment.accountHolder", "required")
        mandate = payment.get("mandate")
        if not isinstance(mandate, dict) or not mandate.get("mandateId") or not mandate.get("mandateText"):
            raise _field_error("payment.mandate", "a mandate with mandateId and mandateText is required")
        order["_iban_last4"] = iban[-4:]
        order["_returns"] = iban in SEPA_RETURNED
        order["mandate"] = {"mandateId": str(mandate["mandateId"])[:35], "createdDateTime":
                            str(mandate.get("createdDateTime", ""))[:40]}
        # accepted now; the bank decides later (settle-now): PENDING until settled
        return "DECLINED" if iban in SEPA_DECLINED else "PENDING"

    def find(self, merchant_order_id: str) -> list[dict[str, Any]]:
        return [self.order_view(o) for o in self.orders.values() if o["merchantOrderId"] == merchant_order_id]

    def get(self, order_id: str) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(404, "Order not found")
        return self.order_view(order)

    def follow_up(self, order_id: str, tx_id: str, action: str, body: object) -> dict[str, Any]:
        order = self.orders.get(order_id)
        if order is None:
            raise ApiError(404, "Order not found")
        main = self._main(order)
        if main["transactionId"] != tx_id:
            raise ApiError(404, "Transaction not found")
        body = body if isinstance(body, dict) else {}
        children = main["transactions"]
        ok = main["status"] == "SUCCESS" or (order["product"] == "sepa" and main["status"] == "PENDING")
        cancelled = any(c["type"] == "CANCEL" and c["status"] == "SUCCESS" for c in children)
        refunded = sum(c["initialAmount"] for c in children if c["type"] == "REFUND" and c["status"] == "SUCCESS")
        if not ok or cancelled:
            raise ApiError(400, f"The transaction cannot be {action}ed in its state")
        amount = body.get("initialAmount", main["initialAmount"] - refunded)
        if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
            raise _field_error("initialAmount", "must be a positive integer (minor units)")
        if action == "cancel":
            if order["settled"]:
                raise ApiError(400, "A settled transaction cannot be cancelled; refund it")
            child = self._tx("CANCEL", "SUCCESS", main["initialAmount"], order["currency"], tx_id)
            order["status"] = "CLOSED"
        elif action == "refund":
            if not order["settled"]:
                raise ApiError(400, "The transaction is not settled yet; cancel it")
            if amount > main["initialAmount"] - refunded:
                raise _field_error("initialAmount", "more than the amount left to refund")
            child = self._tx("REFUND", "SUCCESS", amount, order["currency"], tx_id)
        else:
            if main["type"] != "PREAUTH":
                raise ApiError(400, "Only a preauthorisation can be captured")
            child = self._tx("CAPTURE", "SUCCESS", amount, order["currency"], tx_id)
        children.append(child)
        order["modifiedAt"] = self._now_ms()
        return copy.deepcopy(child)

    # ------------------------------------------------------------------ hosted page, settlement

    def finish_hosted(self, order_id: str, approve: bool) -> str:
        order = self.orders.get(order_id)
        if order is None or "_async" not in order:
            raise ApiError(404, "Order not found")
        main = self._main(order)
        if main["status"] == "PENDING":
            main["status"] = "SUCCESS" if approve else "ABORTED"
            main["description"] = "Approved" if approve else "Cancelled by the payer"
            if not approve:
                order["status"] = "CLOSED"
            elif order["product"] == "paypal":
                # PayPal took the money from the payer's account; PayEngine keeps who paid
                order["_paypal"] = {"payerId": PAYPAL_PAYER_ID, "payerEmail": PAYPAL_PAYER_EMAIL}
        return str(order["_async"]["successUrl" if main["status"] == "SUCCESS" else "cancelUrl"])

    def settle_now(self, *, returns: bool = True) -> int:
        """Settle every approved, unsettled order (a SEPA debit: the bank takes it); then (by default) the debtor's
        bank returns the SEPA debits of the returning test IBAN (a CHARGEBACK)."""
        settled = 0
        for order in self.orders.values():
            main = self._main(order)
            cancelled = any(c["type"] == "CANCEL" and c["status"] == "SUCCESS" for c in main["transactions"])
            approved = main["status"] == "SUCCESS" or (order["product"] == "sepa" and main["status"] == "PENDING")
            if approved and not cancelled and not order["settled"]:
                order["settled"] = True
                order["settlementDate"] = self._now_ms()
                if main["status"] == "PENDING":
                    main["status"] = "SUCCESS"
                settled += 1
        if returns:
            self.process_returns()
        return settled

    def process_returns(self) -> int:
        returned = 0
        for order in self.orders.values():
            main = self._main(order)
            if order.get("_returns") and order["settled"] and not any(
                    c["type"] == "CHARGEBACK" for c in main["transactions"]):
                back = self._tx("CHARGEBACK", "SUCCESS", main["initialAmount"], order["currency"],
                                main["transactionId"])
                back["description"] = "MD06 Return by the debtor's bank"
                main["transactions"].append(back)
                returned += 1
        return returned

    def approved_sales(self) -> list[Sale]:
        out: list[Sale] = []
        for order in self.orders.values():
            main = self._main(order)
            ok = main["status"] == "SUCCESS" or (order["product"] == "sepa" and main["status"] == "PENDING")
            if not ok:
                continue
            refunded = sum(c["initialAmount"] for c in main["transactions"]
                           if c["type"] == "REFUND" and c["status"] == "SUCCESS")
            if any(c["type"] == "CANCEL" and c["status"] == "SUCCESS" for c in main["transactions"]):
                continue                                     # voided: nothing charged
            out.append(Sale(order["merchantOrderId"], f"{order['orderId']}/{main['transactionId']}",
                            Decimal(refunded).scaleb(-2)))
        return out

    def paypal_payments(self) -> list[PayPalPayment]:
        """The PayPal payments payers approved on the hosted page (cancelled or voided ones included: as tests
        count what PayPal took)."""
        out: list[PayPalPayment] = []
        for order in self.orders.values():
            payer = order.get("_paypal")
            if order["product"] != "paypal" or not isinstance(payer, dict):
                continue
            main = self._main(order)
            out.append(PayPalPayment(order["merchantOrderId"], f"{order['orderId']}/{main['transactionId']}",
                                     payer["payerId"], payer["payerEmail"], main["initialAmount"],
                                     order["currency"]))
        return out

    def snapshot(self) -> dict[str, Any]:
        return {"orders": [self.order_view(o) for o in self.orders.values()],
                "faults": [asdict(f) for f in self.faults]}


# ---------------------------------------------------------------------------------- the ASGI app

class PayEngineApp(SandboxApp[PayEngineSandbox]):
    """The PayEngine sandbox's ASGI app (sandbox/control.py's shim); `.sandbox` is the state."""


def _json(data: object, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


def create_payengine_app(state: PayEngineSandbox | None = None) -> PayEngineApp:
    sandbox = state if state is not None else PayEngineSandbox()

    async def _api(request: Request, path: str, work: Callable[[], object]) -> Response:
        if not sandbox.base_url:
            sandbox.base_url = str(request.base_url).rstrip("/")
        if not sandbox.authorized(request.headers.get("authorization", "")):
            return _json(ApiError(401, "Unauthorized: merchant id or API key not accepted").body(), 401)
        fault = sandbox.take_fault(path)

        def run() -> Response:
            try:
                return _json(work())
            except ApiError as exc:
                return _json(exc.body(), exc.status)

        def refuse(kind: str) -> Response | None:
            if kind in ("http_429", "rate_limit"):
                return _json({"status": 429, "message": "Too many requests", "code": 42901, "elements": []}, 429)
            return None

        return await answer_under_fault(request, fault, run, garbage=b"<html><body>502 Bad Gateway</body></html>",
                                        refuse=refuse)

    async def debit(request: Request) -> Response:
        body = await json_object(request)
        return await _api(request, "transact", lambda: sandbox.create("debit", body))

    async def preauth(request: Request) -> Response:
        body = await json_object(request)
        return await _api(request, "transact", lambda: sandbox.create("preauth", body))

    async def list_orders(request: Request) -> Response:
        moid = request.query_params.get("merchantOrderId", "")
        return await _api(request, "query", lambda: {"elements": sandbox.find(moid), "totalPages": 1})

    async def get_order(request: Request) -> Response:
        return await _api(request, "query", lambda: sandbox.get(request.path_params["order_id"]))

    async def follow_up(request: Request) -> Response:
        body = await json_object(request)
        p = request.path_params
        if p["action"] not in ("capture", "cancel", "refund"):
            return _json(ApiError(404, "Not found").body(), 404)
        return await _api(request, "transact",
                          lambda: sandbox.follow_up(p["order_id"], p["tx_id"], p["action"], body))

    async def instrument(request: Request) -> Response:
        pid = request.path_params["pi_id"]

        def work() -> object:
            pi = sandbox.instruments.get(pid)
            if pi is None:
                raise ApiError(404, "Payment instrument not found")
            if request.method == "DELETE":
                del sandbox.instruments[pid]
                return {}
            return sandbox.order_view(pi)

        if request.method == "PATCH":
            body = await json_object(request)

            def patch() -> object:
                pi = sandbox.instruments.get(pid)
                if pi is None:
                    raise ApiError(404, "Payment instrument not found")
                if isinstance(body, dict):
                    for k in ("expiryMonth", "expiryYear"):
                        if isinstance(body.get(k), str):
                            pi["attributes"][k] = body[k]
                return sandbox.order_view(pi)

            return await _api(request, "transact", patch)
        return await _api(request, "transact" if request.method == "DELETE" else "query", work)

    async def hosted(request: Request) -> Response:
        order_id = request.path_params["order_id"]
        order = sandbox.orders.get(order_id)
        if order is None or "_async" not in order:
            return HTMLResponse("<h1>Unknown payment</h1>", status_code=404)
        if request.method == "POST":
            form = (await request.body()).decode("utf-8", "replace")
            url = sandbox.finish_hosted(order_id, "approve" in form)
            return RedirectResponse(url, status_code=303)
        shown = html.escape(f"{Decimal(order['initialAmount']).scaleb(-2)} {order['currency']}")
        # a PayPal order: the page stands for PayPal's login and approval, paying from the sandbox buyer's account
        paypal = (f"<h2 id=product>PayPal</h2><p id=payer>Pay from the PayPal account "
                  f"{html.escape(PAYPAL_PAYER_EMAIL)}</p>" if order["product"] == "paypal" else "")
        page = (f"<!doctype html><html lang=en><title>PayEngine sandbox payment</title><h1>PayEngine sandbox</h1>"
                f"{paypal}<p id=amount>{shown}</p>"
                f"<form method=post><button name=choice value=approve id=approve>Approve</button> "
                f"<button name=choice value=cancel id=cancel>Cancel</button></form></html>")
        return HTMLResponse(page)

    async def settle_now(_request: Request) -> Response:
        return _json({"settled": sandbox.settle_now(returns=False), "returned": sandbox.process_returns()})

    app = Starlette(routes=[
        Route("/v1/orders/debit", debit, methods=["POST"]),
        Route("/v1/orders/preauth", preauth, methods=["POST"]),
        Route("/v1/orders", list_orders, methods=["GET"]),
        Route("/v1/orders/{order_id}", get_order, methods=["GET"]),
        Route("/v1/orders/{order_id}/transactions/{tx_id}/{action:str}", follow_up, methods=["POST"]),
        Route("/v1/payment-instruments/{pi_id}", instrument, methods=["GET", "PATCH", "DELETE"]),
        Route("/hosted/{order_id}", hosted, methods=["GET", "POST"]),
        Route("/_sandbox/settle-now", settle_now, methods=["POST"]),
        *control_routes(sandbox),       # faults, reset, state (sandbox/control.py)
    ])
    app.state.sandbox = sandbox
    return PayEngineApp(app, sandbox)
