"""A sandbox PayPal speaking the classic NVP API (POST /nvp) and playing PayPal's Express Checkout page
(GET /cgi-bin/webscr?cmd=_express-checkout&token=...), with in-memory state (`state_dict()` / `load_state_dict()` for
the demo's state file, like the other sandboxes) and control endpoints for demos and tests:

- POST /_sandbox/complete-pending   JSON {"transaction_id": ...} or {} for all: pending eChecks clear (Completed)
- POST /_sandbox/reverse            JSON {"transaction_id": ...}: the buyer's bank or a dispute takes the money back
                                    (the payment becomes Reversed, a Reversal transaction is added)
- POST /_sandbox/faults             JSON {"kind": ..., "times": 1, "seconds": 0.0, "method": ""} (FAULT_KINDS;
                                    `method` limits it to one NVP METHOD); DELETE clears them
- POST /_sandbox/reset              forget everything
- GET  /_sandbox/state              checkouts and transactions, as JSON

What it checks and answers as PayPal documents it (docs/gateways-paypal.md): the API credentials (10002 "Security
header is not valid"), the amount fields, RETURNURL/CANCELURL, a token's life (10410 invalid, 10411 expired after
three hours, 10415 already paid, 10485 not yet approved by the buyer), INVNUM unique per payment (10412), the
buyer's funding (10486), refunds (10007 not refundable, 10009 more than remains, full after partial), TransactionSearch
(STARTDATE required) and GetTransactionDetails (10004 unknown id).

Test buyers (chosen on the checkout page): `TEST_BUYERS`. No password of a buyer is asked or kept.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from payapp.sandbox.control import FaultPlan, SandboxApp, answer_under_fault, control_routes, json_object, take_fault
from payapp.sandbox.demo_keys import DEMO_API_PASSWORD, DEMO_API_SIGNATURE, DEMO_API_USERNAME

#: the sandbox's own made-up API credentials (never a real PayPal account's)


@dataclass(frozen=True)
class TestBuyer:
    email: str
    payer_id: str                  # 13 upper-case letters and digits, like PayPal's
    name: str
    behaviour: str                 # pays | echeck | declined
    description: str


TEST_BUYERS: tuple[TestBuyer, ...] = (
    TestBuyer("buyer-pays@sandbox.payapp.test", "SBXPAYS000001", "Pat Payer", "pays",
              "pays from the PayPal balance: Completed at once"),
    TestBuyer("buyer-echeck@sandbox.payapp.test", "SBXECHK000002", "Erin Echeck", "echeck",
              "pays by eCheck: Pending (echeck) until /_sandbox/complete-pending"),
    TestBuyer("buyer-declined@sandbox.payapp.test", "SBXDECL000003", "Dee Clined", "declined",
              "the funding source fails: error 10486"),
)
BUYERS_BY_ID = {b.payer_id: b for b in TEST_BUYERS}

#: delay: answer `seconds` late (processed first). lose_answer: process, then drop the connection.
#: reset: drop the connection without processing. http_500: HTTP 500 without processing. http_500_after: process,
#: then HTTP 500. garbage: process, then answer a body that is not an NVP answer.
FAULT_KINDS = frozenset({"delay", "lose_answer", "reset", "http_500", "http_500_after", "garbage"})

TOKEN_LIFETIME = 3 * 3600          # "By default, the token expires after three hours" (SetExpressCheckout reference)
_AMOUNT = re.compile(r"[0-9]{1,7}(?:\.[0-9]{2})?")      # PayPal: "must have 2 decimal places", at most 10000.00 USD
MAX_AMOUNT = Decimal("10000.00")
CURRENCIES = frozenset({"AUD", "BRL", "CAD", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "NOK",
                        "NZD", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "TWD", "THB", "USD"})
_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _random_id(n: int) -> str:
    return "".join(secrets.choice(_ALNUM) for _ in range(n))


def _stamp(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _money(d: Decimal) -> str:
    return f"{d:.2f}"


@dataclass
class Checkout:
    token: str
    amount: Decimal
    currency: str
    invnum: str
    return_url: str
    cancel_url: str
    created: float
    description: str = ""
    payer_id: str = ""                 # set when the buyer approves
    status: str = "PaymentActionNotInitiated"   # ...NotInitiated | ...Completed | ...Failed
    transaction_id: str = ""
    cancelled: bool = False


@dataclass
class Txn:
    transaction_id: str
    kind: str                          # Payment | Refund | Reversal
    status: str                        # Completed | Pending | Refunded | Partially-Refunded | Reversed | ...
    amount: Decimal                    # negative for refunds and reversals, as TransactionSearch shows them
    currency: str
    created: float
    invnum: str = ""
    payer_id: str = ""
    token: str = ""
    pending_reason: str = "None"
    payment_type: str = "instant"      # instant | echeck
    parent_id: str = ""                # refunds and reversals: the payment
    refunded: Decimal = Decimal("0")
    fee: Decimal = Decimal("0")


@dataclass(frozen=True)
class SaleView:
    """A payment as `approved_sales()` lists it (the names the other sandboxes use)."""

    transaction_id: str
    order_id: str                      # the payment's INVNUM: PayApp's order id
    amount: Decimal
    refunded: Decimal
    status: str


@dataclass
class Fault:
    kind: str
    times: int = 1
    seconds: float = 0.0
    method: str = ""                   # "" = any NVP method


class PayPalSandbox:
    """The state of one sandbox PayPal business account. `clock` is seconds since the epoch (tests move it)."""

    def __init__(self, *, username: str = DEMO_API_USERNAME, password: str = DEMO_API_PASSWORD,
                 signature: str = DEMO_API_SIGNATURE, clock: Callable[[], float] | None = None) -> None:
        self.username = username
        self.password = password
        self.signature = signature
        self.clock = clock or time.time
        self.checkouts: dict[str, Checkout] = {}
        self.transactions: dict[str, Txn] = {}
        self.faults: list[Fault] = []
        self.requests = 0

    def __repr__(self) -> str:
        return f"PayPalSandbox(checkouts={len(self.checkouts)}, transactions={len(self.transactions)})"

    def reset(self) -> None:
        self.checkouts.clear()
        self.transactions.clear()
        self.faults.clear()
        self.requests = 0

    # ------------------------------------------------------------------ faults

    def add_fault(self, kind: str, *, times: int = 1, seconds: float = 0.0, method: str = "") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        self.faults.append(Fault(kind, times, seconds, method))

    def add_fault_plan(self, plan: FaultPlan) -> None:
        self.add_fault(plan.kind, times=plan.times, seconds=plan.seconds, method=plan.scope)

    def clear_faults(self) -> None:
        self.faults.clear()

    def take_fault(self, method: str) -> Fault | None:
        return take_fault(self.faults, lambda f: not f.method or f.method == method)

    # ------------------------------------------------------------------ state (the demo keeps it in a file)

    def state_dict(self) -> dict[str, Any]:
        return {"version": 1, "checkouts": [dict(vars(c)) for c in self.checkouts.values()],
                "transactions": [dict(vars(t)) for t in self.transactions.values()]}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        self.checkouts = {}
        for raw in data.get("checkouts", []):
            c = Checkout(**{**raw, "amount": Decimal(str(raw["amount"]))})
            self.checkouts[c.token] = c
        self.transactions = {}
        for raw in data.get("transactions", []):
            t = Txn(**{**raw, **{k: Decimal(str(raw[k])) for k in ("amount", "refunded", "fee")}})
            self.transactions[t.transaction_id] = t

    def snapshot(self) -> dict[str, Any]:
        def plain(d: dict[str, Any]) -> dict[str, Any]:
            return {k: (_money(v) if isinstance(v, Decimal) else v) for k, v in d.items()}
        return {"requests": self.requests, "faults": [asdict(f) for f in self.faults],
                "checkouts": [plain(dict(vars(c))) for c in self.checkouts.values()],
                "transactions": [plain(dict(vars(t))) for t in self.transactions.values()]}

    # ------------------------------------------------------------------ the control switches

    def complete_pending(self, transaction_id: str = "") -> int:
        """Pending eChecks clear: Completed, no pending reason."""
        done = 0
        for t in self.transactions.values():
            if t.kind == "Payment" and t.status == "Pending" and transaction_id in ("", t.transaction_id):
                t.status, t.pending_reason = "Completed", "None"
                done += 1
        return done

    def reverse(self, transaction_id: str) -> Txn:
        """The buyer's bank or a dispute takes a payment's remaining money back."""
        t = self.transactions.get(transaction_id)
        if t is None or t.kind != "Payment" or t.status not in ("Completed", "Partially-Refunded"):
            raise ValueError("no completed payment with that transaction id")
        remaining = t.amount - t.refunded
        t.status = "Reversed"
        rev = Txn(self._new_txn_id(), "Reversal", "Completed", -remaining, t.currency, self.clock(), invnum=t.invnum,
                  payer_id=t.payer_id, parent_id=t.transaction_id)
        self.transactions[rev.transaction_id] = rev
        return rev

    def approved_sales(self) -> list[SaleView]:
        """Every payment PayPal took (the fault matrix's "what the gateway has"), as the other sandboxes list them:
        our order id (INVNUM), the transaction id and how much of it was refunded."""
        return [SaleView(t.transaction_id, t.invnum, t.amount, t.refunded, t.status)
                for t in self.transactions.values() if t.kind == "Payment" and t.status not in ("Denied", "Failed")]

    def settle_now(self) -> int:
        """PayPal has no settlement batch: a Completed payment is money in the account at once; pending eChecks
        clear here (like `complete_pending`)."""
        return self.complete_pending()

    # ------------------------------------------------------------------ the buyer's page

    def approve(self, token: str, payer_id: str) -> str:
        """The buyer approved: the RETURNURL with token and PayerID. Raises LookupError for an unknown token."""
        c = self._live_checkout(token)
        if payer_id not in BUYERS_BY_ID:
            raise LookupError("unknown test buyer")
        c.payer_id = payer_id
        return _with_query(c.return_url, {"token": c.token, "PayerID": payer_id})

    def cancel(self, token: str) -> str:
        c = self._live_checkout(token)
        c.cancelled = True
        return _with_query(c.cancel_url, {"token": c.token})

    def _live_checkout(self, token: str) -> Checkout:
        c = self.checkouts.get(token)
        if c is None or self.clock() - c.created > TOKEN_LIFETIME or c.status == "PaymentActionCompleted":
            raise LookupError("unknown or expired token")
        return c

    # ------------------------------------------------------------------ NVP

    def _new_txn_id(self) -> str:
        while True:
            tid = _random_id(17)
            if tid not in self.transactions:
                return tid

    def _envelope(self, ack: str = "Success") -> dict[str, str]:
        return {"TIMESTAMP": _stamp(self.clock()), "CORRELATIONID": secrets.token_hex(7)[:13], "ACK": ack,
                "VERSION": "124.0", "BUILD": "000000"}

    def _error(self, code: str, short: str, long: str, **extra: str) -> dict[str, str]:
        return {**self._envelope("Failure"), "L_ERRORCODE0": code, "L_SHORTMESSAGE0": short,
                "L_LONGMESSAGE0": long, "L_SEVERITYCODE0": "Error", **extra}

    def _invalid(self, long: str) -> dict[str, str]:
        return self._error("10004", "Transaction refused because of an invalid argument. See additional error "
                           "messages for details.", long)

    def nvp(self, form: dict[str, str]) -> dict[str, str]:
        """One NVP request (already URL-decoded) → the answer's fields."""
        self.requests += 1
        if not all(_same(form.get(name, ""), want) for name, want in (
                ("USER", self.username), ("PWD", self.password), ("SIGNATURE", self.signature))):
            return self._error("10002", "Security error", "Security header is not valid")
        handlers: dict[str, Callable[[dict[str, str]], dict[str, str]]] = {
            "SetExpressCheckout": self._set, "GetExpressCheckoutDetails": self._details,
            "DoExpressCheckoutPayment": self._do, "RefundTransaction": self._refund,
            "TransactionSearch": self._search, "GetTransactionDetails": self._transaction_details,
        }
        handler = handlers.get(form.get("METHOD", ""))
        if handler is None:
            return self._error("81002", "Unspecified Method", "Method Specified is not Supported")
        return handler(form)

    def _amount(self, form: dict[str, str], name: str) -> Decimal | None:
        text = form.get(name, "")
        if not _AMOUNT.fullmatch(text):
            return None
        value = Decimal(text)
        return value if Decimal("0") < value <= MAX_AMOUNT else None

    def _invnum_paid(self, invnum: str) -> bool:
        return any(t.kind == "Payment" and t.invnum == invnum and t.status not in ("Denied", "Failed")
                   for t in self.transactions.values())

    def _set(self, form: dict[str, str]) -> dict[str, str]:
        if not form.get("PAYMENTREQUEST_0_AMT"):
            return self._error("10400", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "Order total is missing.")
        amount = self._amount(form, "PAYMENTREQUEST_0_AMT")
        if amount is None:
            return self._error("10401", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "Order total is invalid.")
        currency = form.get("PAYMENTREQUEST_0_CURRENCYCODE", "USD")
        if currency not in CURRENCIES:
            return self._error("10605", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "Currency is not supported.")
        item_total = form.get("PAYMENTREQUEST_0_ITEMAMT")
        if item_total is not None and item_total != form["PAYMENTREQUEST_0_AMT"]:
            return self._error("10413", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "The totals of the cart item amounts do not match order "
                               "amounts.")
        for name, code in (("RETURNURL", "10404"), ("CANCELURL", "10405")):
            if not _is_url(form.get(name, "")):
                label = "ReturnURL" if name == "RETURNURL" else "CancelURL"
                return self._error(code, "Transaction refused because of an invalid argument. See additional error "
                                   "messages for details.", f"{label} is missing.")
        invnum = form.get("PAYMENTREQUEST_0_INVNUM", "")
        if len(invnum) > 127:
            return self._error("10432", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "Invoice ID value exceeds maximum allowable length.")
        if invnum and self._invnum_paid(invnum):
            return self._error("10412", "Duplicate invoice", "Payment has already been made for this InvoiceID.")
        token = f"EC-{_random_id(17)}"
        self.checkouts[token] = Checkout(token, amount, currency, invnum, form["RETURNURL"], form["CANCELURL"],
                                         self.clock(), form.get("PAYMENTREQUEST_0_DESC", ""))
        return {**self._envelope(), "TOKEN": token}

    def _token_error(self, token: str) -> tuple[Checkout | None, dict[str, str] | None]:
        c = self.checkouts.get(token)
        if c is None:
            return None, self._error("10410", "Invalid token", "Invalid token.")
        if self.clock() - c.created > TOKEN_LIFETIME:
            return None, self._error("10411", "This Express Checkout session has expired.",
                                     "This Express Checkout session has expired.  Token value is no longer valid.")
        return c, None

    def _details(self, form: dict[str, str]) -> dict[str, str]:
        c, err = self._token_error(form.get("TOKEN", ""))
        if err is not None or c is None:
            return err or {}
        out = {**self._envelope(), "TOKEN": c.token, "CHECKOUTSTATUS": c.status, "CURRENCYCODE": c.currency,
               "AMT": _money(c.amount), "PAYMENTREQUEST_0_AMT": _money(c.amount),
               "PAYMENTREQUEST_0_CURRENCYCODE": c.currency, "PAYMENTREQUEST_0_INVNUM": c.invnum, "INVNUM": c.invnum}
        buyer = BUYERS_BY_ID.get(c.payer_id)
        if buyer is not None:
            first, _, last = buyer.name.partition(" ")
            out.update({"PAYERID": buyer.payer_id, "EMAIL": buyer.email, "PAYERSTATUS": "verified",
                        "FIRSTNAME": first, "LASTNAME": last, "COUNTRYCODE": "US"})
        if c.transaction_id:
            out["PAYMENTREQUEST_0_TRANSACTIONID"] = c.transaction_id
        return out

    def _do(self, form: dict[str, str]) -> dict[str, str]:
        c, err = self._token_error(form.get("TOKEN", ""))
        if err is not None or c is None:
            return err or {}
        if c.status == "PaymentActionCompleted":
            return self._error("10415", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "A successful transaction has already been completed for "
                               "this token.")
        if not c.payer_id or c.cancelled:
            return self._error("10485", "Payment not authorized", "Payment has not been authorized by the user.")
        if form.get("PAYERID", "") != c.payer_id:
            return self._error("10406", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "The PayerID value is invalid.")
        amount = self._amount(form, "PAYMENTREQUEST_0_AMT")
        if amount is None:
            return self._error("10401", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "Order total is invalid.")
        currency = form.get("PAYMENTREQUEST_0_CURRENCYCODE", c.currency)
        if currency != c.currency:
            return self._error("10444", "Transaction refused because of an invalid argument. See additional error "
                               "messages for details.", "The transaction currency specified must be the same as "
                               "previously specified.")
        invnum = form.get("PAYMENTREQUEST_0_INVNUM", c.invnum)
        if invnum and self._invnum_paid(invnum):
            return self._error("10412", "Duplicate invoice", "Payment has already been made for this InvoiceID.")
        buyer = BUYERS_BY_ID[c.payer_id]
        if buyer.behaviour == "declined":
            return self._error("10486", "This transaction couldn't be completed.",
                               "This transaction couldn't be completed. Please redirect your customer to PayPal.")
        pending = buyer.behaviour == "echeck"
        t = Txn(self._new_txn_id(), "Payment", "Pending" if pending else "Completed", amount, currency, self.clock(),
                invnum=invnum, payer_id=c.payer_id, token=c.token, pending_reason="echeck" if pending else "None",
                payment_type="echeck" if pending else "instant",
                fee=(amount * Decimal("0.029") + Decimal("0.30")).quantize(Decimal("0.01")))
        self.transactions[t.transaction_id] = t
        c.status, c.transaction_id = "PaymentActionCompleted", t.transaction_id
        return {**self._envelope(), "TOKEN": c.token, "PAYMENTINFO_0_TRANSACTIONID": t.transaction_id,
                "PAYMENTINFO_0_TRANSACTIONTYPE": "expresscheckout", "PAYMENTINFO_0_PAYMENTTYPE": t.payment_type,
                "PAYMENTINFO_0_ORDERTIME": _stamp(t.created), "PAYMENTINFO_0_AMT": _money(amount),
                "PAYMENTINFO_0_FEEAMT": _money(t.fee), "PAYMENTINFO_0_CURRENCYCODE": currency,
                "PAYMENTINFO_0_PAYMENTSTATUS": t.status, "PAYMENTINFO_0_PENDINGREASON": t.pending_reason,
                "PAYMENTINFO_0_REASONCODE": "None", "PAYMENTINFO_0_ERRORCODE": "0", "PAYMENTINFO_0_ACK": "Success"}

    def _refund(self, form: dict[str, str]) -> dict[str, str]:
        t = self.transactions.get(form.get("TRANSACTIONID", ""))
        if t is None or t.kind != "Payment":
            return self._invalid("The transaction id is not valid")
        kind = form.get("REFUNDTYPE", "Full")
        if kind not in ("Full", "Partial"):
            return self._error("81243", "Invalid Parameter", "RefundType : Invalid parameter")
        if t.status not in ("Completed", "Partially-Refunded"):
            # a pending eCheck has no money to give back yet; a reversed or refunded one none left
            return self._error("10009", "Transaction refused", "You can not refund this type of transaction")
        remaining = t.amount - t.refunded
        if kind == "Full":
            if t.refunded:
                return self._error("10009", "Transaction refused", "Can not do a full refund after a partial refund")
            amount = remaining
        else:
            got = self._amount(form, "AMT")
            if got is None:
                return self._error("10009", "Transaction refused", "The partial refund amount is not valid")
            if form.get("CURRENCYCODE", t.currency) != t.currency:
                return self._error("10009", "Transaction refused", "The currency of the refund must be the same as "
                                   "the currency of the original transaction")
            if got > remaining:
                return self._error("10009", "Transaction refused", "The partial refund amount must be less than or "
                                   "equal to the remaining amount")
            amount = got
        t.refunded += amount
        t.status = "Refunded" if t.refunded == t.amount else "Partially-Refunded"
        fee_back = (t.fee * amount / t.amount).quantize(Decimal("0.01"))
        r = Txn(self._new_txn_id(), "Refund", "Completed", -amount, t.currency, self.clock(), invnum=t.invnum,
                payer_id=t.payer_id, parent_id=t.transaction_id)
        self.transactions[r.transaction_id] = r
        return {"REFUNDTRANSACTIONID": r.transaction_id, "FEEREFUNDAMT": _money(fee_back),
                "GROSSREFUNDAMT": _money(amount), "NETREFUNDAMT": _money(amount - fee_back),
                "CURRENCYCODE": t.currency, "TOTALREFUNDEDAMOUNT": _money(t.refunded), "REFUNDSTATUS": "Instant",
                "PENDINGREASON": "None", **self._envelope()}

    def _search(self, form: dict[str, str]) -> dict[str, str]:
        start = _parse_date(form.get("STARTDATE", ""))
        if start is None:
            return self._error("81244", "Invalid Parameter", "StartDate : Invalid parameter")
        end = _parse_date(form["ENDDATE"]) if form.get("ENDDATE") else None
        hits = [t for t in self.transactions.values()
                if t.created >= start and (end is None or t.created <= end)
                and form.get("INVNUM", t.invnum) == t.invnum
                and form.get("TRANSACTIONID", t.transaction_id) == t.transaction_id]
        hits.sort(key=lambda t: t.created, reverse=True)          # newest first, as PayPal lists them
        out = self._envelope()
        for n, t in enumerate(hits[:100]):
            buyer = BUYERS_BY_ID.get(t.payer_id)
            out.update({f"L_TIMESTAMP{n}": _stamp(t.created), f"L_TIMEZONE{n}": "GMT", f"L_TYPE{n}": t.kind,
                        f"L_EMAIL{n}": buyer.email if buyer else "", f"L_NAME{n}": buyer.name if buyer else "",
                        f"L_TRANSACTIONID{n}": t.transaction_id, f"L_STATUS{n}": t.status.replace("-", " "),
                        f"L_AMT{n}": _money(t.amount), f"L_CURRENCYCODE{n}": t.currency,
                        f"L_FEEAMT{n}": _money(-t.fee), f"L_NETAMT{n}": _money(t.amount - t.fee)})
        if len(hits) > 100:
            out.update({"ACK": "SuccessWithWarning", "L_ERRORCODE0": "11002", "L_SHORTMESSAGE0": "Search warning",
                        "L_LONGMESSAGE0": "The number of results were truncated. Please change your search "
                        "parameters if you wish to see all your results.", "L_SEVERITYCODE0": "Warning"})
        return out

    def _transaction_details(self, form: dict[str, str]) -> dict[str, str]:
        t = self.transactions.get(form.get("TRANSACTIONID", ""))
        if t is None:
            return self._invalid("The transaction id is not valid")
        buyer = BUYERS_BY_ID.get(t.payer_id)
        out = {**self._envelope(), "TRANSACTIONID": t.transaction_id, "TRANSACTIONTYPE": "expresscheckout",
               "PAYMENTTYPE": t.payment_type, "ORDERTIME": _stamp(t.created), "AMT": _money(t.amount),
               "FEEAMT": _money(t.fee), "CURRENCYCODE": t.currency, "PAYMENTSTATUS": t.status,
               "PENDINGREASON": t.pending_reason, "REASONCODE": "Chargeback" if t.status == "Reversed" else "None",
               "INVNUM": t.invnum, "PAYERID": t.payer_id, "EMAIL": buyer.email if buyer else ""}
        if t.parent_id:
            out["PARENTTRANSACTIONID"] = t.parent_id
        return out


def _same(got: str, want: str) -> bool:
    """Constant-time comparison; bytes, as typed text may hold any character (compare_digest refuses non-ASCII str)."""
    return secrets.compare_digest(got.encode("utf-8", "surrogatepass"), want.encode("utf-8", "surrogatepass"))


def _parse_date(text: str) -> float | None:
    try:
        when = dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return when.timestamp()


def _is_url(text: str) -> bool:
    try:
        parts = urlsplit(text)
        parts.port                                  # noqa: B018 - a bad port raises only when asked for
    except ValueError:                              # "http://[" (a broken IPv6 literal), "http://h:99999"
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _with_query(url: str, extra: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(extra)}" if parts.query else urlencode(extra)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


# ---------------------------------------------------------------------------------- the buyer's page

# the form posts to a relative address, so the page works where the demo portal serves it (under /_sandbox/paypal)
_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PayPal sandbox: approve payment</title>
<style>body{{font-family:sans-serif;max-width:32rem;margin:2rem auto}} label{{display:block;margin:.4rem 0}}
button{{margin:.6rem .6rem 0 0;padding:.5rem 1.2rem}}</style></head>
<body><h1>PayPal sandbox</h1>
<p>Pay <strong id="amount">{amount} {currency}</strong>{description}</p>
<form method="post" action="webscr/decide">
<input type="hidden" name="token" value="{token}">
<fieldset><legend>Test buyer</legend>{buyers}</fieldset>
<button type="submit" name="action" value="approve" id="approve">Approve</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel and return to merchant</button>
</form></body></html>"""


def _page(c: Checkout) -> str:
    buyers = "".join(
        f'<label><input type="radio" name="PayerID" value="{b.payer_id}"{" checked" if i == 0 else ""}> '
        f"{html.escape(b.email)} — {html.escape(b.description)}</label>" for i, b in enumerate(TEST_BUYERS))
    desc = f" — {html.escape(c.description)}" if c.description else ""
    return _PAGE.format(amount=_money(c.amount), currency=html.escape(c.currency), description=desc,
                        token=html.escape(c.token), buyers=buyers)


# ---------------------------------------------------------------------------------- the ASGI app

class PayPalApp(SandboxApp[PayPalSandbox]):
    """The PayPal sandbox's ASGI app (sandbox/control.py's shim); `.sandbox` is the state."""


def _form_of(body: bytes) -> dict[str, str]:
    text = body.decode("utf-8", errors="replace")
    return {k: v[0] for k, v in parse_qs(text, keep_blank_values=True).items()}


def create_paypal_app(state: PayPalSandbox | None = None) -> PayPalApp:
    sandbox = state if state is not None else PayPalSandbox()

    async def nvp(request: Request) -> Response:
        form = _form_of(await request.body())
        fault = sandbox.take_fault(form.get("METHOD", ""))
        return await answer_under_fault(
            request, fault, lambda: Response(urlencode(sandbox.nvp(form)), media_type="text/plain; charset=utf-8"),
            garbage=b"<html><body>502 Bad Gateway</body></html>")

    async def webscr(request: Request) -> Response:
        if request.query_params.get("cmd") != "_express-checkout":
            return HTMLResponse("<p>Unknown command.</p>", status_code=400)
        c = sandbox.checkouts.get(request.query_params.get("token", ""))
        if c is None or sandbox.clock() - c.created > TOKEN_LIFETIME or c.status == "PaymentActionCompleted":
            return HTMLResponse("<p>This checkout session has expired or is unknown.</p>", status_code=404)
        return HTMLResponse(_page(c))

    async def decide(request: Request) -> Response:
        form = _form_of(await request.body())
        try:
            if form.get("action") == "approve":
                target = sandbox.approve(form.get("token", ""), form.get("PayerID", ""))
            else:
                target = sandbox.cancel(form.get("token", ""))
        except LookupError as exc:
            return HTMLResponse(f"<p>{html.escape(str(exc))}</p>", status_code=404)
        return RedirectResponse(target, status_code=303)

    async def _json(request: Request) -> dict[str, Any]:
        return await json_object(request) or {}        # not JSON or not an object: as if empty

    async def complete_pending(request: Request) -> Response:
        data = await _json(request)
        return JSONResponse({"completed": sandbox.complete_pending(str(data.get("transaction_id", "")))})

    async def reverse(request: Request) -> Response:
        data = await _json(request)
        try:
            rev = sandbox.reverse(str(data.get("transaction_id", "")))
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        return JSONResponse({"reversal_id": rev.transaction_id})

    app = Starlette(routes=[
        Route("/nvp", nvp, methods=["POST"]),
        Route("/cgi-bin/webscr", webscr, methods=["GET"]),
        Route("/cgi-bin/webscr/decide", decide, methods=["POST"]),
        Route("/_sandbox/complete-pending", complete_pending, methods=["POST"]),
        Route("/_sandbox/reverse", reverse, methods=["POST"]),
        *control_routes(sandbox, scope_key="method", default_scope=""),     # faults, reset, state
    ])
    app.state.sandbox = sandbox
    return PayPalApp(app, sandbox)
