"""A sandbox BNG/NMI gateway: POST /api/transact.php and /api/query.php with the documented test-mode
behaviours (docs/protocols.md §1), state in memory (`state_dict()` / `load_state_dict()` for the demo's state
file), an optional daily settlement cut-off (`daily_cutoff`), plus control endpoints for demos and tests:

- POST /_sandbox/settle-now      settle every pending-settlement transaction (and run ACH returns)
- POST /_sandbox/returns         return settled eChecks whose account number ends in 0000
- POST /_sandbox/faults          JSON {"kind": ..., "times": 1, "seconds": 0.0} (see FAULT_KINDS; `rate_limit`
                                 and `http_429` refuse a request unprocessed, as the real rate limits do)
- POST /_sandbox/reset           forget everything
- GET  /_sandbox/state           counts and transactions (masked numbers only), as JSON

The same things are methods of `GatewaySandbox` for tests that hold the object.

Only masked numbers and last fours are kept; full card and account numbers, CVVs and keys are
never stored or logged here either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlencode
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from stdnum import luhn
from stdnum.us import rtn

from payapp.sandbox.collect import collect_routes
from payapp.sandbox.control import FaultPlan, SandboxApp, answer_under_fault, control_routes, take_fault

# the demo values live in demo_keys (the app reads them without this module); tests and tools import them here
from payapp.sandbox.demo_keys import DEMO_PUBLIC_KEY as DEMO_PUBLIC_KEY
from payapp.sandbox.demo_keys import DEMO_SECURITY_KEY as DEMO_SECURITY_KEY

# NMI's Direct Post documentation: amount "Format: x.xx"; card, ABA and account numbers are digits. Python's
# Decimal() and str.isdigit() also read "1e26" and "٤١١١…", which the real gateway refuses.
_AMOUNT = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


TEST_CARDS = {
    "4111111111111111": "visa", "5431111111111111": "mastercard", "6011000991300009": "discover",
    "341111111111111": "amex", "30205252489926": "diners", "3541963594572595": "jcb",
}
TEST_ACH = {("123123123", "123123123"), ("490000018", "24413815")}
DEFAULT_DUP_SECONDS = 1200        # the gateway's default duplicate window (20 minutes)
MAX_DUP_SECONDS = 7862400         # the largest dup_seconds the Payment API takes
#: ACH return actions: `return` before settlement, `late_return` after it (query.php's `return` filter: both)
RETURN_ACTIONS = frozenset({"return", "late_return"})

#: delay: answer `seconds` late (processed first). lose_answer: process, then drop the connection.
#: reset: drop the connection without processing. http_500_after: process, then HTTP 500 with no body.
#: http_500: HTTP 500 without processing. garbage: process, then answer a body that is not a gateway answer.
#: rate_limit: not processed, `response=3&responsetext=Rate limit exceeded&response_code=301` (the Payment API's
#: own limit). http_429: not processed, HTTP 429 Too Many Requests (the system-wide limit). Both as documented at
#: https://docs.nmi.dev/reference/rate-limiting.
FAULT_KINDS = frozenset({"delay", "lose_answer", "reset", "http_500_after", "http_500", "garbage", "rate_limit",
                         "http_429"})


@dataclass
class Action:
    action_type: str
    amount: str
    success: str
    date: str
    response_code: str = "100"
    response_text: str = "SUCCESS"
    source: str = "api"


@dataclass
class Txn:
    transaction_id: str
    transaction_type: str          # cc | ck
    condition: str                 # pendingsettlement | complete | canceled | failed
    order_id: str
    amount: Decimal
    currency: str
    first_name: str = ""
    last_name: str = ""
    masked: str = ""               # cc_number / check_account, masked
    last_four: str = ""
    check_aba: str = ""            # masked
    authorization_code: str = ""
    avs: str = ""
    cvv: str = ""
    customer_vault_id: str = ""
    kind: str = "sale"             # sale | refund
    stored_credential: str = ""    # stored | used | "" (cards on file)
    sec_code: str = ""             # eChecks: WEB | PPD | CCD | TEL as sent ("" when none was)
    parent_id: str = ""            # refunds: the refunded transaction
    refunded: Decimal = Decimal("0")
    modified: float = 0.0
    actions: list[Action] = field(default_factory=list)
    created: float = 0.0           # when the gateway took it (for the daily settlement cut-off)


@dataclass
class VaultEntry:
    customer_vault_id: str
    transaction_type: str          # cc | ck
    masked: str
    last_four: str
    cc_exp: str = ""
    first_name: str = ""
    last_name: str = ""
    check_name: str = ""
    account_type: str = ""
    account_holder_type: str = ""
    check_aba: str = ""
    fingerprint: str = ""          # hash of the number, for the duplicate check


@dataclass
class Fault:
    kind: str
    times: int = 1
    seconds: float = 0.0
    path: str = "transact"         # transact | query | any


def _stamp(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y%m%d%H%M%S")


def _mask(number: str) -> str:
    return ("x" * max(0, len(number) - 4)) + number[-4:] if len(number) > 4 else "xxxx"


def _fp(number: str) -> str:
    return hashlib.sha256(f"sandbox:{number}".encode()).hexdigest()[:16]


#: how long a Collect.js payment token can be used (NMI's live ones last 24 hours; the sandbox keeps them short)
TOKEN_LIFETIME = 15 * 60
#: how many tokens and unfinished iframe sessions the sandbox holds at most (the oldest go first)
MAX_TOKENS = 10_000


def new_payment_token() -> str:
    """A token in the shape of NMI's ("3455zJms-7qA2K2-VdVrSu-Rv7WpvPuG7s8": 8-6-6-12 letters and digits), about
    200 bits of randomness."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(n)) for n in (8, 6, 6, 12))


class TokenVault:
    """Payment tokens and the iframe sessions that build them, in memory, with a lifetime; each token once."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._tokens: dict[str, tuple[float, dict[str, str]]] = {}
        self._sessions: dict[str, tuple[float, dict[str, str]]] = {}

    def __repr__(self) -> str:
        return f"TokenVault(tokens={len(self._tokens)}, sessions={len(self._sessions)})"

    def clear(self) -> None:
        self._tokens.clear()
        self._sessions.clear()

    def _prune(self) -> None:
        now = self._clock()
        for store in (self._tokens, self._sessions):
            for key in [k for k, (until, _d) in store.items() if until <= now]:
                del store[key]
            while len(store) > MAX_TOKENS:
                del store[next(iter(store))]

    def save_field(self, session: str, name: str, value: str) -> None:
        """One iframe's value, kept under the page's session until `issue` turns the session into a token."""
        self._prune()
        until, data = self._sessions.get(session, (self._clock() + TOKEN_LIFETIME, {}))
        data[name] = value
        self._sessions[session] = (until, data)

    def session_fields(self, session: str) -> dict[str, str]:
        self._prune()
        entry = self._sessions.get(session)
        return dict(entry[1]) if entry else {}

    def issue(self, session: str, names: tuple[str, ...]) -> str | None:
        """A new token for the fields `names` of `session` (the session is used up), or None if it has none."""
        self._prune()
        entry = self._sessions.pop(session, None)
        if entry is None:
            return None
        data = {k: v for k, v in entry[1].items() if k in names}
        return self.add(data)

    def add(self, data: dict[str, str]) -> str:
        self._prune()
        token = new_payment_token()
        self._tokens[token] = (self._clock() + TOKEN_LIFETIME, dict(data))
        return token

    def take(self, token: str) -> dict[str, str] | None:
        """The fields behind `token`, which is used up; None for an unknown, used or expired token."""
        self._prune()
        entry = self._tokens.pop(token, None) if token else None
        return entry[1] if entry is not None else None

    def __len__(self) -> int:
        return len(self._tokens)


class GatewaySandbox:
    """State of one sandbox gateway account."""

    def __init__(self, *, security_key: str = DEMO_SECURITY_KEY, clock: Callable[[], float] | None = None,
                 tokenization_key: str = DEMO_PUBLIC_KEY, daily_cutoff: dt.time | None = None) -> None:
        self.security_key = security_key
        self.tokenization_key = tokenization_key       # for Collect.js; the server API never takes it
        self.clock = clock or time.time
        #: the daily batch cut-off (UTC): every request first settles what was taken before the last cut-off, as
        #: the gateway's daily batch does ("the batch will contain all the transactions that were taken up until the
        #: settlement cut-off time", around midnight merchant time unless changed in Settlement Schedule:
        #: https://support.nmi.com/hc/en-gb/articles/13521687760785-Settlement-Schedule and
        #: https://support.nmi.com/hc/en-gb/articles/115001584852-Host-Capture-vs-Terminal-Capture).
        #: None (tests): nothing settles unless `settle_now()` is called.
        self.daily_cutoff = daily_cutoff
        self._ids = itertools.count(5550000001)
        self.transactions: dict[str, Txn] = {}
        self.vault: dict[str, VaultEntry] = {}
        self.faults: list[Fault] = []
        #: Collect.js payment tokens (payapp.sandbox.collect): token -> the card or check fields typed into the
        #: iframes, single-use, for TOKEN_LIFETIME seconds, in memory only (never in `state_dict`, never logged)
        self.tokens = TokenVault(lambda: self.clock())
        self._recent: list[tuple[float, tuple[str, ...], str]] = []   # (time, dup key, transaction id)
        self.requests = 0

    # ------------------------------------------------------------------ control API

    def reset(self) -> None:
        self.tokens.clear()
        self.transactions.clear()
        self.vault.clear()
        self.faults.clear()
        self._recent.clear()
        self.requests = 0

    def add_fault(self, kind: str, *, times: int = 1, seconds: float = 0.0, path: str = "transact") -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        self.faults.append(Fault(kind, times, seconds, path))

    def add_fault_plan(self, plan: FaultPlan) -> None:
        self.add_fault(plan.kind, times=plan.times, seconds=plan.seconds, path=plan.scope)

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------------ state (the demo keeps it in a file)

    def state_dict(self) -> dict[str, Any]:
        """Everything the account knows (masked numbers only), for `load_state_dict` after a restart."""
        return {"version": 1, "next_id": self._peek_id(),
                # vars(), not asdict(): asdict deep-copies, 5x slower, and this runs after every request
                "transactions": [{**vars(t), "actions": [dict(vars(a)) for a in t.actions]}
                                 for t in self.transactions.values()],
                "vault": [dict(vars(v)) for v in self.vault.values()],
                "recent": [[t, list(k), tid] for t, k, tid in self._recent]}

    def load_state_dict(self, data: dict[str, Any]) -> None:
        """Replace the state with a `state_dict()`; transaction ids continue after the highest one known."""
        self.transactions = {}
        for raw in data.get("transactions", []):
            t = Txn(**{**raw, "amount": Decimal(str(raw["amount"])), "refunded": Decimal(str(raw["refunded"])),
                       "actions": [Action(**a) for a in raw.get("actions", [])]})
            self.transactions[t.transaction_id] = t
        self.vault = {v["customer_vault_id"]: VaultEntry(**v) for v in data.get("vault", [])}
        self._recent = [(float(t), tuple(k), str(tid)) for t, k, tid in data.get("recent", [])]
        self._continue_ids(int(data.get("next_id") or 0))

    def add_known(self, txn: Txn) -> None:
        """A transaction the account already has (the demo's earlier payments); ids continue after it."""
        self.transactions[txn.transaction_id] = txn
        self._continue_ids(0)

    def add_vault_entry(self, entry: VaultEntry) -> None:
        self.vault[entry.customer_vault_id] = entry

    def _peek_id(self) -> int:
        nxt = next(self._ids)
        self._ids = itertools.count(nxt)
        return nxt

    def _continue_ids(self, at_least: int) -> None:
        known = [int(i) for i in self.transactions if i.isdigit()]
        self._ids = itertools.count(max([self._peek_id(), at_least, *(k + 1 for k in known)]))

    def last_cutoff(self, now: float) -> float:
        """The most recent daily cut-off at or before `now` (a timestamp); 0.0 without a cut-off."""
        if self.daily_cutoff is None:
            return 0.0
        moment = dt.datetime.fromtimestamp(now, dt.UTC)
        cut = dt.datetime.combine(moment.date(), self.daily_cutoff, tzinfo=dt.UTC)
        if cut > moment:
            cut -= dt.timedelta(days=1)
        return cut.timestamp()

    def settle_due(self) -> int:
        """The daily batch: settle what is pending settlement and was taken before the last cut-off."""
        if self.daily_cutoff is None:
            return 0
        now = self.clock()
        cut = self.last_cutoff(now)
        n = 0
        for t in self.transactions.values():
            if t.condition == "pendingsettlement" and (t.created or t.modified) <= cut:
                t.condition = "complete"
                t.actions.append(Action("settle", f"{t.amount:.2f}", "1", _stamp(now)))
                t.modified = now
                n += 1
        if n:
            self.process_returns()
        return n

    def settle_now(self, *, returns: bool = True, transaction_type: str = "") -> int:
        """Settle every transaction pending settlement (only cards with `transaction_type="cc"`, only eChecks
        with "ck"); then (by default) run ACH returns."""
        now = self.clock()
        n = 0
        for t in self.transactions.values():
            if t.condition == "pendingsettlement" and transaction_type in ("", t.transaction_type):
                t.condition = "complete"
                t.actions.append(Action("settle", f"{t.amount:.2f}", "1", _stamp(now)))
                t.modified = now
                n += 1
        if returns:
            self.process_returns()
        return n

    def process_returns(self) -> int:
        """The bank returns settled eChecks whose account number ends in 0000. A return after settlement is
        reported as `late_return` (a return before it would be `return`; query.php's `action_type=return`
        filter finds both)."""
        now = self.clock()
        n = 0
        for t in self.transactions.values():
            if (t.transaction_type == "ck" and t.kind == "sale" and t.condition == "complete"
                    and t.last_four == "0000"
                    and not any(a.action_type in RETURN_ACTIONS for a in t.actions)):
                t.actions.append(Action("late_return", f"{t.amount:.2f}", "1", _stamp(now), "100",
                                        "R01 Insufficient Funds"))
                t.modified = now
                n += 1
        return n

    def approved_sales(self) -> list[Txn]:
        """Sales that took money (approved; maybe later voided, refunded or returned)."""
        return [t for t in self.transactions.values()
                if t.kind == "sale" and any(a.action_type == "sale" and a.success == "1" for a in t.actions)]

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "transactions": [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in asdict(t).items()}
                             for t in self.transactions.values()],
            "vault": [{"customer_vault_id": v.customer_vault_id, "type": v.transaction_type, "masked": v.masked}
                      for v in self.vault.values()],
            "faults": [asdict(f) for f in self.faults],
        }

    def _take_fault(self, path: str) -> Fault | None:
        return take_fault(self.faults, lambda f: f.path in (path, "any"))

    # ------------------------------------------------------------------ transact.php

    def _new_id(self) -> str:
        return str(next(self._ids))

    def transact(self, form: dict[str, str]) -> dict[str, str]:
        self.requests += 1
        self.settle_due()
        if form.get("security_key", "") != self.security_key:
            return self._answer("3", "Authentication Failed", "300", form)
        if "payment_token" in form:
            form, refused = self._detokenize(form)
            if refused is not None:
                return refused
        vault_op = form.get("customer_vault", "")
        ttype = form.get("type", "")
        if vault_op in ("update_customer", "delete_customer") or (vault_op == "add_customer" and not ttype):
            return self._vault_only(vault_op, form)
        if ttype == "sale":
            return self._sale(form)
        if ttype == "void":
            return self._void(form)
        if ttype == "refund":
            return self._refund(form)
        return self._answer("3", f"Invalid Transaction Type REFID:{secrets.randbelow(10**9)}", "300", form)

    @staticmethod
    def _answer(response: str, text: str, code: str, form: dict[str, str], **extra: str) -> dict[str, str]:
        out = {"response": response, "responsetext": text, "authcode": "", "transactionid": "", "avsresponse": "",
               "cvvresponse": "", "orderid": form.get("orderid", ""), "type": form.get("type", ""),
               "response_code": code}
        out.update(extra)
        return out

    def _detokenize(self, form: dict[str, str]) -> tuple[dict[str, str], dict[str, str] | None]:
        """`payment_token` in place of the card or check fields (NMI: "can be used in place of the existing
        ccnumber, ccexp, and cvv variables ... [or] checkname, checkaba, and checkaccount"; "can only be used once").
        The token is used up by this request whatever its outcome; an unknown, used or expired one is refused."""
        token = form.get("payment_token", "")
        if any(form.get(k) for k in ("ccnumber", "checkaccount", "checkaba")):
            return form, self._answer("3", "A transaction may not have both payment_token and card or check fields "
                                           f"REFID:{secrets.randbelow(10**9)}", "300", form)
        data = self.tokens.take(token)
        if data is None:
            return form, self._answer("3", f"Invalid Payment Token REFID:{secrets.randbelow(10**9)}", "300", form)
        # what was typed into the gateway's iframes wins over the same field in the request
        merged = {k: v for k, v in form.items() if k != "payment_token"}
        merged.update(data)
        return merged, None

    def _payment_source(self, form: dict[str, str]) -> tuple[VaultEntry | None, dict[str, str] | None]:
        """Read card/check fields into a VaultEntry-like record, or an error answer."""
        if form.get("ccnumber") and form.get("checkaccount"):
            return None, self._answer("3", "A transaction may not have both card and check fields", "300", form)
        if form.get("ccnumber"):
            number = form["ccnumber"]
            if not _digits(number) or not 13 <= len(number) <= 19 or not luhn.is_valid(number):
                return None, self._answer("3", f"Invalid Credit Card Number REFID:{secrets.randbelow(10**9)}",
                                          "300", form)
            exp = form.get("ccexp", "")
            if len(exp) != 4 or not _digits(exp) or not 1 <= int(exp[:2]) <= 12:
                return None, self._answer("3", "Invalid Credit Card Expiration Date", "300", form)
            now = dt.datetime.fromtimestamp(self.clock(), dt.UTC)
            if (2000 + int(exp[2:]), int(exp[:2])) < (now.year, now.month):
                return None, self._answer("2", "Expired Card", "223", form)
            return VaultEntry("", "cc", _mask(number), number[-4:], exp, form.get("first_name", ""),
                              form.get("last_name", ""), fingerprint=_fp(number)), None
        if form.get("checkaccount"):
            aba, account = form.get("checkaba", ""), form["checkaccount"]
            if not (_digits(aba) and len(aba) == 9 and rtn.is_valid(aba)):
                return None, self._answer("3", "Invalid ABA number", "300", form)
            if not _digits(account) or not 4 <= len(account) <= 17:
                return None, self._answer("3", "Invalid check account number", "300", form)
            return VaultEntry("", "ck", _mask(account), account[-4:], first_name=form.get("first_name", ""),
                              last_name=form.get("last_name", ""), check_name=form.get("checkname", ""),
                              account_type=form.get("account_type", "checking"),
                              account_holder_type=form.get("account_holder_type", "business"),
                              check_aba=_mask(aba), fingerprint=_fp(aba + account)), None
        return None, self._answer("3", "No payment information was provided", "300", form)

    def _sale(self, form: dict[str, str]) -> dict[str, str]:
        vault_op = form.get("customer_vault", "")
        if form.get("customer_vault_id") and vault_op != "add_customer":
            src = self.vault.get(form["customer_vault_id"])
            if src is None:
                return self._answer("3", "Invalid Customer Vault Id", "300", form)
        else:
            src, err = self._payment_source(form)
            if err is not None:
                return err
            assert src is not None
        if not _AMOUNT.fullmatch(form.get("amount", "")):
            return self._answer("3", "Invalid amount", "300", form)
        amount = Decimal(form["amount"])
        if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
            return self._answer("3", "Invalid amount", "300", form)
        now = self.clock()
        order_id = form.get("orderid", "")
        # Duplicate check (support.nmi.com "Duplicate Transaction Error"): the same card or account and amount
        # within dup_seconds (default 1200 s), whatever the order id; dup_seconds=0 turns it off; at most 7862400.
        raw_window = form.get("dup_seconds", "")
        if raw_window == "":
            window = DEFAULT_DUP_SECONDS
        elif raw_window.isdigit() and int(raw_window) <= MAX_DUP_SECONDS:
            window = int(raw_window)
        else:
            return self._answer("3", f"Invalid dup_seconds REFID:{secrets.randbelow(10**9)}", "300", form)
        key = (src.fingerprint, f"{amount:.2f}")
        self._recent = [r for r in self._recent if now - r[0] < MAX_DUP_SECONDS]
        if window > 0 and any(k == key and now - t < window for t, k, _tid in self._recent):
            return self._answer("3", f"Duplicate transaction REFID:{secrets.randbelow(10**9)}", "300", form)
        stored, err = self._stored_credential(form, src)
        if err is not None:
            return err
        txn = Txn(self._new_id(), src.transaction_type, "pendingsettlement", order_id, amount,
                  form.get("currency", "USD").upper(), form.get("first_name", src.first_name),
                  form.get("last_name", src.last_name), src.masked, src.last_four, src.check_aba, modified=now,
                  created=now)
        declined = amount < Decimal("1.00")
        if declined:
            text = "FAILED" if src.transaction_type == "ck" else "DECLINE"
            txn.condition = "failed"
            txn.actions.append(Action("sale", f"{amount:.2f}", "0", _stamp(now), "200", text))
            self.transactions[txn.transaction_id] = txn
            return self._answer("2", text, "200", form, transactionid=txn.transaction_id)
        txn.authorization_code = f"{secrets.randbelow(10**6):06d}" if src.transaction_type == "cc" else ""
        if src.transaction_type == "cc":
            txn.avs = "Y" if (form.get("address1", "").startswith("888") and form.get("zip") == "77777") else "N"
            txn.cvv = "M" if form.get("cvv") == "999" else ("N" if form.get("cvv") else "")
        extra: dict[str, str] = {}
        if vault_op == "add_customer":
            vid = form.get("customer_vault_id") or secrets.token_hex(8)
            if vid in self.vault:
                return self._answer("3", "Duplicate Customer Vault Id", "300", form)
            src.customer_vault_id = vid
            self.vault[vid] = src
            extra["customer_vault_id"] = vid
        elif form.get("customer_vault_id"):
            extra["customer_vault_id"] = form["customer_vault_id"]
        txn.customer_vault_id = extra.get("customer_vault_id", "")
        txn.stored_credential = stored
        txn.sec_code = form.get("sec_code", "") if src.transaction_type == "ck" else ""
        txn.actions.append(Action("sale", f"{amount:.2f}", "1", _stamp(now)))
        self.transactions[txn.transaction_id] = txn
        self._recent.append((now, key, txn.transaction_id))
        return self._answer("1", "SUCCESS", "100", form, authcode=txn.authorization_code,
                            transactionid=txn.transaction_id, avsresponse=txn.avs, cvvresponse=txn.cvv, **extra)

    def _vault_only(self, op: str, form: dict[str, str]) -> dict[str, str]:
        vid = form.get("customer_vault_id", "")
        if op == "add_customer":
            src, err = self._payment_source(form)
            if err is not None:
                return err
            assert src is not None
            vid = vid or secrets.token_hex(8)
            if vid in self.vault:
                return self._answer("3", "Duplicate Customer Vault Id", "300", form)
            src.customer_vault_id = vid
            self.vault[vid] = src
            return self._answer("1", "Customer Added", "100", form, customer_vault_id=vid)
        if vid not in self.vault:
            return self._answer("3", "Invalid Customer Vault Id", "300", form)
        if op == "delete_customer":
            del self.vault[vid]
            return self._answer("1", "Customer Deleted", "100", form, customer_vault_id=vid)
        if form.get("ccnumber") or form.get("checkaccount"):
            src, err = self._payment_source(form)
            if err is not None:
                return err
            assert src is not None
            src.customer_vault_id = vid
            self.vault[vid] = src
        elif form.get("ccexp"):              # a new expiry for the card on file (MMYY), number unchanged
            if self.vault[vid].transaction_type != "cc" or not re.fullmatch(r"(0[1-9]|1[0-2])\d\d", form["ccexp"]):
                return self._answer("3", "Invalid Credit Card Expiration Date", "300", form)
            self.vault[vid].cc_exp = form["ccexp"]
        return self._answer("1", "Customer Update Successful", "100", form, customer_vault_id=vid)

    def _stored_credential(self, form: dict[str, str], src: VaultEntry) -> tuple[str, dict[str, str] | None]:
        """Check the card-on-file fields: `stored` on the first charge that saves a card, `used` (with the
        `initial_transaction_id` of an approved card sale) afterwards; `initiated_by` customer or merchant."""
        indicator = form.get("stored_credential_indicator", "")
        initiated_by = form.get("initiated_by", "")
        initial = form.get("initial_transaction_id", "")
        if not indicator:
            if initiated_by or initial:
                return "", self._answer("3", "stored_credential_indicator is required with initiated_by "
                                             f"REFID:{secrets.randbelow(10**9)}", "300", form)
            return "", None
        if indicator not in ("stored", "used"):
            return "", self._answer("3", f"Invalid stored_credential_indicator REFID:{secrets.randbelow(10**9)}",
                                    "300", form)
        if initiated_by not in ("customer", "merchant"):
            return "", self._answer("3", f"Invalid initiated_by REFID:{secrets.randbelow(10**9)}", "300", form)
        if src.transaction_type != "cc":
            return "", self._answer("3", "Stored credential fields apply to credit cards only "
                                         f"REFID:{secrets.randbelow(10**9)}", "300", form)
        if indicator == "used":
            first = self.transactions.get(initial)
            if (first is None or first.kind != "sale" or first.transaction_type != "cc"
                    or not any(a.action_type == "sale" and a.success == "1" for a in first.actions)):
                return "", self._answer("3", f"Invalid initial_transaction_id REFID:{secrets.randbelow(10**9)}",
                                        "300", form)
        return indicator, None

    def _payment_matches(self, form: dict[str, str], t: Txn) -> bool:
        """Voids and refunds name the payment type; without `payment=check` the gateway looks for a card
        transaction, so an eCheck is not found (as for any unknown id)."""
        wanted = "check" if t.transaction_type == "ck" else "creditcard"
        return form.get("payment", "creditcard") == wanted

    def _not_found(self, form: dict[str, str]) -> dict[str, str]:
        # the real text (activemerchant's recorded NMI answers, test/unit/gateways/nmi_test.rb)
        return self._answer("3", f"Invalid Transaction ID specified REFID:{secrets.randbelow(10**9)}", "300", form)

    def _void(self, form: dict[str, str]) -> dict[str, str]:
        t = self.transactions.get(form.get("transactionid", ""))
        if t is None or t.kind != "sale" or not self._payment_matches(form, t):
            return self._not_found(form)
        if t.condition != "pendingsettlement":
            return self._answer("3", "Only transactions pending settlement can be voided", "300", form,
                                transactionid=t.transaction_id)
        now = self.clock()
        t.condition = "canceled"
        t.actions.append(Action("void", f"{t.amount:.2f}", "1", _stamp(now),
                                response_text="Transaction Void Successful"))
        t.modified = now
        return self._answer("1", "Transaction Void Successful", "100", form, transactionid=t.transaction_id,
                            authcode=t.authorization_code)

    def _refund(self, form: dict[str, str]) -> dict[str, str]:
        t = self.transactions.get(form.get("transactionid", ""))
        if t is None or t.kind != "sale" or not self._payment_matches(form, t):
            return self._not_found(form)
        if t.condition != "complete":
            return self._answer("3", "Refund amount may not exceed the transaction balance", "300", form,
                                transactionid=t.transaction_id)
        left = t.amount - t.refunded
        if form.get("amount") and not _AMOUNT.fullmatch(form["amount"]):
            return self._answer("3", "Invalid amount", "300", form)
        amount = Decimal(form["amount"]) if form.get("amount") else left
        if not amount.is_finite() or amount <= 0 or amount > left:
            return self._answer("3", "Refund amount may not exceed the transaction balance", "300", form)
        now = self.clock()
        t.refunded += amount
        t.actions.append(Action("refund", f"{amount:.2f}", "1", _stamp(now)))
        t.modified = now
        # no order id on a refund: it is not a documented refund field (the refund is an action of `t`)
        r = Txn(self._new_id(), t.transaction_type, "pendingsettlement", "", amount,
                t.currency, t.first_name, t.last_name, t.masked, t.last_four, t.check_aba, kind="refund",
                parent_id=t.transaction_id, modified=now, created=now)
        r.actions.append(Action("refund", f"{amount:.2f}", "1", _stamp(now)))
        self.transactions[r.transaction_id] = r
        return self._answer("1", "SUCCESS", "100", form, transactionid=r.transaction_id)

    # ------------------------------------------------------------------ query.php

    def query(self, form: dict[str, str]) -> str:
        self.requests += 1
        self.settle_due()
        if form.get("security_key", "") != self.security_key:
            return "<nm_response><error_response>Authentication Failed</error_response></nm_response>"
        if form.get("report_type") == "customer_vault":
            return self._vault_report(form.get("customer_vault_id", ""))
        if form.get("report_type"):
            return "<nm_response><error_response>Invalid report_type</error_response></nm_response>"
        txs = list(self.transactions.values())
        if form.get("order_id"):
            txs = [t for t in txs if t.order_id == form["order_id"]]
        if form.get("transaction_id"):
            ids = set(form["transaction_id"].split(","))
            txs = [t for t in txs if t.transaction_id in ids]
        if form.get("condition"):
            conds = set(form["condition"].split(","))
            txs = [t for t in txs if t.condition in conds]
        if form.get("transaction_type"):
            txs = [t for t in txs if t.transaction_type == form["transaction_type"]]
        if form.get("action_type"):
            kinds = set(form["action_type"].split(","))
            if "return" in kinds:
                kinds |= RETURN_ACTIONS
            txs = [t for t in txs if any(a.action_type in kinds for a in t.actions)]
        bounds: tuple[tuple[str, Callable[[str, str], bool]], ...] = (
            ("start_date", lambda s, d: s >= d), ("end_date", lambda s, d: s <= d))
        for name, keep in bounds:
            if form.get(name):
                bound = form[name]
                if len(bound) != 14 or not bound.isdigit():
                    return f"<nm_response><error_response>Invalid {name}</error_response></nm_response>"
                txs = [t for t in txs if keep(_stamp(t.modified), bound)]
        return "<nm_response>" + "".join(self._txn_xml(t) for t in txs) + "</nm_response>"

    @staticmethod
    def _txn_xml(t: Txn) -> str:
        def el(tag: str, value: str) -> str:
            return f"<{tag}>{escape(value)}</{tag}>"

        parts = [el("transaction_id", t.transaction_id), el("transaction_type", t.transaction_type),
                 el("condition", t.condition), el("order_id", t.order_id),
                 el("authorization_code", t.authorization_code), el("first_name", t.first_name),
                 el("last_name", t.last_name), el("currency", t.currency), el("avs_response", t.avs),
                 el("csc_response", t.cvv), el("customer_vault_id", t.customer_vault_id)]
        if t.transaction_type == "cc":
            parts.append(el("cc_number", t.masked))
        else:
            parts += [el("check_account", t.masked), el("check_aba", t.check_aba)]
        for a in t.actions:
            parts.append("<action>" + "".join(el(k, v) for k, v in (
                ("amount", a.amount), ("action_type", a.action_type), ("date", a.date), ("success", a.success),
                ("source", a.source), ("response_text", a.response_text), ("batch_id", "0"),
                ("response_code", a.response_code))) + "</action>")
        return "<transaction>" + "".join(parts) + "</transaction>"

    def _vault_report(self, vid: str) -> str:
        entries = [v for v in self.vault.values() if not vid or v.customer_vault_id == vid]
        body = ""
        for v in entries:
            fields = {"customer_vault_id": v.customer_vault_id, "first_name": v.first_name, "last_name": v.last_name}
            if v.transaction_type == "cc":
                fields.update(cc_number=v.masked, cc_exp=v.cc_exp)
            else:
                fields.update(check_account=v.masked, check_aba=v.check_aba, check_name=v.check_name,
                              account_type=v.account_type, account_holder_type=v.account_holder_type)
            body += f'<customer id="{escape(v.customer_vault_id)}">' + "".join(
                f"<{k}>{escape(x)}</{k}>" for k, x in fields.items()) + "</customer>"
        return f"<nm_response><customer_vault>{body}</customer_vault></nm_response>" if entries else \
            "<nm_response></nm_response>"


# ---------------------------------------------------------------------------------- the ASGI app

class GatewayApp(SandboxApp[GatewaySandbox]):
    """The NMI sandbox's ASGI app (sandbox/control.py's shim); `.sandbox` is the state."""


def create_gateway_app(state: GatewaySandbox | None = None, *, security_key: str = DEMO_SECURITY_KEY) -> GatewayApp:
    sandbox = state if state is not None else GatewaySandbox(security_key=security_key)

    async def _form(request: Request) -> dict[str, str]:
        # urlencoded only (what the API takes); parsed here so the sandbox needs no multipart library
        body = (await request.body()).decode("utf-8", errors="replace")
        return {k: v[0] for k, v in parse_qs(body, keep_blank_values=True).items()}

    def _refuse(path: str) -> Callable[[str], Response | None]:
        def refuse(kind: str) -> Response | None:
            if kind == "http_429" or (kind == "rate_limit" and path != "transact"):
                return Response(b"Too Many Requests", status_code=429, media_type="text/plain")
            if kind == "rate_limit":
                return Response(urlencode({"response": "3", "responsetext": "Rate limit exceeded", "authcode": "",
                                           "transactionid": "", "avsresponse": "", "cvvresponse": "", "orderid": "",
                                           "type": "", "response_code": "301"}), media_type="text/html")
            return None
        return refuse

    async def _faulty(request: Request, path: str, work: Callable[[], Response]) -> Response:
        return await answer_under_fault(request, sandbox._take_fault(path), work,
                                        garbage=b"<html><body>502 Proxy Error</body></html>", refuse=_refuse(path))

    async def transact(request: Request) -> Response:
        form = await _form(request)
        return await _faulty(request, "transact", lambda: Response(
            urlencode(sandbox.transact(form)), media_type="text/html"))

    async def query(request: Request) -> Response:
        form = await _form(request)
        return await _faulty(request, "query", lambda: Response(sandbox.query(form), media_type="text/xml"))

    async def settle_now(request: Request) -> Response:
        # ?type=cc settles card payments only, ?returns=0 leaves eChecks unreturned (harnesses drive both)
        kind = request.query_params.get("type", "")
        if kind not in ("", "cc", "ck"):
            return JSONResponse({"error": "type must be cc or ck"}, status_code=400)
        settled = sandbox.settle_now(returns=False, transaction_type=kind)
        returned = sandbox.process_returns() if request.query_params.get("returns", "1") != "0" else 0
        return JSONResponse({"settled": settled, "returned": returned})

    async def returns(_request: Request) -> Response:
        return JSONResponse({"returned": sandbox.process_returns()})

    app = Starlette(routes=[
        *collect_routes(sandbox),       # Collect.js, its iframes and the tokenization endpoints (sandbox/collect.py)
        Route("/api/transact.php", transact, methods=["POST"]),
        Route("/api/query.php", query, methods=["POST"]),
        Route("/_sandbox/settle-now", settle_now, methods=["POST"]),
        Route("/_sandbox/returns", returns, methods=["POST"]),
        *control_routes(sandbox),       # faults, reset, state (sandbox/control.py)
    ])
    app.state.sandbox = sandbox
    return GatewayApp(app, sandbox)
