"""The sandbox gateway's Collect.js: browser tokenization as NMI's inline Collect.js does it, with no internet.

What a page does is what NMI documents for its own script (docs/protocols.md §4; NMI's Collect.js quick start
https://docs.nmi.com/docs/quick-start-tutorial, its "expert implementation" lifecycle and the callback response in
https://docs.nmi.com/docs/collectjs-card-type-detection):

    <script src="https://<gateway>/token/Collect.js" data-tokenization-key="<public key>" data-variant="inline">
    CollectJS.configure({variant: "inline", paymentSelector: "#payButton",
                         fields: {ccnumber: {selector: "#ccnumber", title: "Card number", placeholder: "…"},
                                  ccexp: {...}, cvv: {...}, checkaccount: {...}, checkaba: {...}, checkname: {...}},
                         callback: function (response) {...}, validationCallback: function (field, valid, message) {},
                         fieldsAvailableCallback: function () {}, timeoutDuration: 10000, timeoutCallback: ...});
    CollectJS.startPaymentRequest();     // or a click on the paymentSelector element

The script puts one iframe per field into the page, each served by the gateway (its own origin, so the page can
never read what is typed). When a payment request starts, each iframe checks its field and posts its value to the
gateway (`POST /token/api/save`, under a random session id the page made); then one of them asks for a token
(`POST /token/api/tokenize`) and hands the page, through `postMessage`, only the token and masked details:

    {tokenType: "inline", token: "…", card: {number: "411111******1111", bin: "411111", exp: "1030",
     type: "visa", hash: ""}, check: {name: null, account: null, aba: null, hash: null}}

(an eCheck: `card`'s values null, `check` = {name, account: masked, aba, hash: ""}). The page posts the token to its
own server, which charges it with transact.php `payment_token`. Tokens are single-use and expire after
`TOKEN_LIFETIME` (payapp.sandbox.gateway). Both endpoints refuse a wrong tokenization key (HTTP 401).

Plain JavaScript, no external loads, no eval and no inline script or style (the iframe page sends its own strict
Content-Security-Policy); messages are posted to one named origin and accepted from it only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any, Protocol

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from stdnum import luhn
from stdnum.us import rtn


class TokenStore(Protocol):
    def save_field(self, session: str, name: str, value: str) -> None: ...
    def session_fields(self, session: str) -> dict[str, str]: ...
    def issue(self, session: str, names: tuple[str, ...]) -> str | None: ...


class TokenizingGateway(Protocol):
    """What the Collect.js routes need of a sandbox gateway (payapp.sandbox.gateway.GatewaySandbox, which mounts
    them: a protocol here, so this module does not import the gateway back)."""

    tokenization_key: str
    tokens: TokenStore
    clock: Callable[[], float]


CARD_FIELDS = ("ccnumber", "ccexp", "cvv")
CHECK_FIELDS = ("checkaccount", "checkaba", "checkname")
FIELDS = CARD_FIELDS + CHECK_FIELDS
REQUIRED = {"card": ("ccnumber", "ccexp"), "check": CHECK_FIELDS}
_SESSION = re.compile(r"[A-Za-z0-9]{16,64}")
MAX_BODY = 4096

#: Collect.js's card.type values by number prefix (the sandbox's test cards and their brands)
_BRAND_PREFIXES = (("amex", re.compile(r"3[47]")), ("diners", re.compile(r"3(0[0-5]|[68])")),
                   ("jcb", re.compile(r"35")), ("discover", re.compile(r"6(011|5|4[4-9]|22)")),
                   ("mastercard", re.compile(r"5[1-5]|2[2-7]")), ("visa", re.compile(r"4")))


def card_type(number: str) -> str:
    return next((name for name, pattern in _BRAND_PREFIXES if pattern.match(number)), "unknown")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch not in " -")


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def normalize_expiry(text: str, today: dt.date) -> str | None:
    """"MM/YY", "MM / YY", "MMYY", "MM/YYYY" as MMYY, or None if it is not a month still to come."""
    raw = text.replace(" ", "")
    m = re.fullmatch(r"(\d{1,2})/?(\d{2}|\d{4})", raw) if raw.isascii() else None
    if m is None:
        return None
    month, year = int(m.group(1)), int(m.group(2)[-2:])
    if not 1 <= month <= 12 or (2000 + year, month) < (today.year, today.month):
        return None
    return f"{month:02d}{year:02d}"


def check_field(name: str, value: str, today: dt.date) -> tuple[str | None, str]:
    """(the value as it is kept, "") for a valid field, (None, message) otherwise. The messages are those the page's
    validationCallback receives."""
    value = value.strip()
    if not value:
        return None, "Field is empty"
    if name == "ccnumber":
        digits = _digits(value)
        if not _ascii_digits(digits) or not 13 <= len(digits) <= 19 or not luhn.is_valid(digits):
            return None, "Card number is invalid"
        return digits, ""
    if name == "ccexp":
        exp = normalize_expiry(value, today)
        return (exp, "") if exp else (None, "Expiration date is invalid")
    if name == "cvv":
        return (value, "") if _ascii_digits(value) and 3 <= len(value) <= 4 else (None, "CVV is invalid")
    if name == "checkaccount":
        digits = _digits(value)
        if not _ascii_digits(digits) or not 4 <= len(digits) <= 17:
            return None, "Account number is invalid"
        return digits, ""
    if name == "checkaba":
        if not (_ascii_digits(value) and len(value) == 9 and rtn.is_valid(value)):
            return None, "Routing number is invalid"
        return value, ""
    if name == "checkname":
        return (value[:100], "") if value.isprintable() else (None, "Name is invalid")
    return None, "Unknown field"


def masked_response(token: str, kind: str, data: dict[str, str]) -> dict[str, Any]:
    """The callback's response (NMI's shape), with masked numbers only."""
    empty_card: dict[str, Any] = {"number": None, "bin": None, "exp": None, "hash": None, "type": None}
    empty_check: dict[str, Any] = {"name": None, "account": None, "hash": None, "aba": None}
    if kind == "card":
        number = data.get("ccnumber", "")
        card = {"number": number[:6] + "*" * max(0, len(number) - 10) + number[-4:], "bin": number[:6],
                "exp": data.get("ccexp", ""), "hash": "", "type": card_type(number)}
        return {"tokenType": "inline", "token": token, "card": card, "check": empty_check}
    account = data.get("checkaccount", "")
    check = {"name": data.get("checkname", ""), "account": "*" * max(0, len(account) - 4) + account[-4:],
             "hash": "", "aba": data.get("checkaba", "")}
    return {"tokenType": "inline", "token": token, "card": empty_card, "check": check}


# ---------------------------------------------------------------------------------- the script the page loads

COLLECT_JS = r"""/* PayApp sandbox gateway: Collect.js (inline variant), compatible with NMI's documented API. */
(function () {
  "use strict";
  if (window.CollectJS && window.CollectJS.sandbox) { return; }
  var script = document.currentScript || document.querySelector("script[src*='/token/Collect.js']");
  var gateway = new URL(script.src, location.href).origin;
  var key = script.getAttribute("data-tokenization-key") || "";
  var CARD = ["ccnumber", "ccexp", "cvv"], CHECK = ["checkaccount", "checkaba", "checkname"];
  var TITLES = {ccnumber: "Card number", ccexp: "Expiration date", cvv: "CVV", checkaccount: "Account number",
                checkaba: "Routing number", checkname: "Name on account"};
  var config = null, frames = {}, ready = {}, empty = {}, pending = null, configured = false, available = false;
  var buttons = [], requests = 0;
  var sid = (function () {
    var b = new Uint8Array(16), s = "";
    crypto.getRandomValues(b);
    for (var i = 0; i < b.length; i++) { s += ("0" + b[i].toString(16)).slice(-2); }
    return s;
  })();

  function call(name) {
    var f = config && config[name];
    if (typeof f === "function") {
      try {
        f.apply(null, Array.prototype.slice.call(arguments, 1));
      } catch (e) {
        setTimeout(function () { throw e; });
      }
    }
  }
  function send(name, msg) {
    var f = frames[name];
    msg.collectjs = 1; msg.sid = sid;
    if (f && f.contentWindow) { f.contentWindow.postMessage(msg, gateway); }
  }
  function unmount() {
    Object.keys(frames).forEach(function (n) {
      if (frames[n].parentNode) { frames[n].parentNode.removeChild(frames[n]); }
    });
    buttons.forEach(function (b) { b.removeEventListener("click", onPay); });
    frames = {}; ready = {}; empty = {}; pending = null; available = false; buttons = [];
  }
  function mount() {
    unmount();
    var fields = config.fields || {};
    CARD.concat(CHECK).forEach(function (name) {
      var spec = fields[name] || {};
      var box = document.querySelector(spec.selector || ("#" + name));
      if (!box) { return; }
      var q = new URLSearchParams({field: name, sid: sid, key: key, origin: location.origin,
                                   title: spec.title || TITLES[name], placeholder: spec.placeholder || "",
                                   lang: document.documentElement.lang || "en"});
      ["customCss", "invalidCss", "validCss", "focusCss", "placeholderCss"].forEach(function (c) {
        if (config[c]) { q.set(c, JSON.stringify(config[c])); }
      });
      var f = document.createElement("iframe");
      f.src = gateway + "/token/inline/frame.html?" + q.toString();
      f.title = spec.title || TITLES[name];
      f.name = "CollectJS" + name;
      f.className = "CollectJSInlineIframe";
      f.setAttribute("frameborder", "0");
      f.setAttribute("scrolling", "no");
      f.style.width = "100%";
      f.style.height = config.fieldHeight || "44px";
      f.style.border = "0";
      f.style.display = "block";
      box.appendChild(f);
      frames[name] = f; empty[name] = true;
    });
    document.querySelectorAll(config.paymentSelector || "#payButton").forEach(function (button) {
      button.addEventListener("click", onPay);
      buttons.push(button);
    });
  }
  function onPay(event) {
    if (!config || !configured) { return; }
    event.preventDefault();
    api.startPaymentRequest(event);
  }
  function shown(name) {
    var f = frames[name];
    return !!(f && (f.offsetWidth || f.offsetHeight || f.getClientRects().length));
  }
  function mounted(list) { return list.filter(function (n) { return !!frames[n]; }); }
  function chooseKind() {
    var card = mounted(CARD), check = mounted(CHECK);
    if (!check.length) { return "card"; }
    if (!card.length) { return "check"; }
    var cardShown = card.some(shown), checkShown = check.some(shown);
    if (cardShown !== checkShown) { return cardShown ? "card" : "check"; }
    var filled = function (n) { return !empty[n]; };
    return (check.some(filled) && !card.some(filled)) ? "check" : "card";
  }
  function finish() {
    if (pending && pending.timer) { clearTimeout(pending.timer); }
    pending = null;
  }
  function onMessage(event) {
    if (event.origin !== gateway) { return; }
    var m = event.data;
    if (!m || m.collectjs !== 1 || m.sid !== sid || !frames[m.field]) { return; }
    if (event.source !== frames[m.field].contentWindow) { return; }
    if (m.type === "ready") {
      ready[m.field] = true;
      if (!available && Object.keys(frames).every(function (n) { return ready[n]; })) {
        available = true;
        call("fieldsAvailableCallback");
      }
    } else if (m.type === "state") {
      empty[m.field] = !!m.empty;
    } else if (m.type === "validation") {
      call("validationCallback", m.field, !!m.valid, String(m.message || ""));
    } else if (m.type === "saved" && pending && m.rid === pending.rid && pending.waiting[m.field] === undefined) {
      pending.waiting[m.field] = !!m.ok;
      var names = pending.names, done = names.every(function (n) { return pending.waiting[n] !== undefined; });
      if (!done) { return; }
      if (names.every(function (n) { return pending.waiting[n]; })) {
        pending.asked = true;
        send(names[0], {type: "tokenize", kind: pending.kind, rid: pending.rid});
      } else {
        finish();
      }
    } else if (m.type === "token" && pending && pending.asked && m.rid === pending.rid) {
      var form = pending.form;
      finish();
      var response = m.response || {};
      if (typeof config.callback === "function") {
        call("callback", response);
      } else if (form) {
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "payment_token"; input.value = response.token || "";
        form.appendChild(input);
        form.submit();
      }
    } else if (m.type === "error" && pending && m.rid === pending.rid) {
      finish();
      call("validationCallback", m.field, false, String(m.message || "The payment details could not be saved"));
    }
  }
  var api = {
    sandbox: true,
    configure: function (options) {
      var mine = config = options || {};
      configured = true;
      if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", function () { if (config === mine) { mount(); } });
      } else {
        mount();
      }
    },
    startPaymentRequest: function (event) {
      if (!config || pending) { return; }
      var kind = chooseKind(), names = mounted(kind === "card" ? CARD : CHECK);
      // before every field has loaded there is nothing to ask (fieldsAvailableCallback says when)
      if (!names.length || !names.every(function (n) { return ready[n]; })) { return; }
      var button = event && event.target && event.target.closest ? event.target.closest("button, input") : null;
      requests += 1;
      pending = {kind: kind, names: names, waiting: {}, asked: false, form: button ? button.form : null,
                 rid: requests};
      var limit = Number(config.timeoutDuration) || 30000;
      pending.timer = setTimeout(function () { finish(); call("timeoutCallback"); }, limit);
      names.forEach(function (n) { send(n, {type: "save", rid: pending.rid}); });
    },
    clearInputs: function () { Object.keys(frames).forEach(function (n) { send(n, {type: "clear"}); }); }
  };
  window.addEventListener("message", onMessage);
  window.CollectJS = api;
  document.addEventListener("DOMContentLoaded", function () {
    if (!configured && (script.getAttribute("data-variant") || "") === "inline") { api.configure({}); }
  });
})();
"""

FRAME_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Payment field</title><link rel="stylesheet" href="/token/inline/frame.css"></head>
<body><input id="field" autocomplete="off" spellcheck="false">
<script src="/token/inline/frame.js"></script></body></html>
"""

FRAME_CSS = """html, body { margin: 0; padding: 0; background: transparent; }
input { box-sizing: border-box; width: 100%; height: 40px; margin: 2px 0; padding: 0 10px; font: 16px system-ui,
  sans-serif; border: 1px solid #8a8f98; border-radius: 4px; background: #fff; color: #111; }
input:focus { outline: 2px solid #2563eb; outline-offset: 0; }
input.invalid { border-color: #b42318; }
"""

FRAME_JS = r"""/* One Collect.js field, inside the gateway's own iframe: the page never sees what is typed here. */
(function () {
  "use strict";
  var q = new URLSearchParams(location.search);
  var field = q.get("field") || "", sid = q.get("sid") || "", key = q.get("key") || "";
  var parentOrigin = q.get("origin") || "";
  var input = document.getElementById("field");
  var KINDS = {ccnumber: ["cc-number", "numeric", 23], ccexp: ["cc-exp", "numeric", 9], cvv: ["cc-csc", "numeric", 4],
               checkaccount: ["off", "numeric", 17], checkaba: ["off", "numeric", 9], checkname: ["name", "text", 100]};
  var kind = KINDS[field] || ["off", "text", 100];
  input.name = field;
  input.setAttribute("autocomplete", kind[0]);
  input.setAttribute("inputmode", kind[1]);
  input.maxLength = kind[2];
  input.setAttribute("aria-label", q.get("title") || field);
  document.documentElement.lang = q.get("lang") || "en";
  document.title = q.get("title") || field;
  if (q.get("placeholder")) { input.placeholder = q.get("placeholder"); }
  function css(name) { try { return JSON.parse(q.get(name) || "{}") || {}; } catch (e) { return {}; } }
  var styles = {custom: css("customCss"), invalid: css("invalidCss"), valid: css("validCss"), focus: css("focusCss")};
  function apply(set) { Object.keys(set).forEach(function (k) { input.style.setProperty(k, String(set[k])); }); }
  apply(styles.custom);
  function post(msg) {
    msg.collectjs = 1; msg.sid = sid; msg.field = field;
    if (parentOrigin && window.parent !== window) { window.parent.postMessage(msg, parentOrigin); }
  }
  function luhn(d) {
    var sum = 0, alt = false;
    for (var i = d.length - 1; i >= 0; i--) {
      var n = d.charCodeAt(i) - 48;
      if (alt) { n *= 2; if (n > 9) { n -= 9; } }
      sum += n; alt = !alt;
    }
    return sum % 10 === 0;
  }
  function aba(d) {
    var w = [3, 7, 1], sum = 0;
    for (var i = 0; i < 9; i++) { sum += (d.charCodeAt(i) - 48) * w[i % 3]; }
    return sum % 10 === 0;
  }
  function check() {
    var v = input.value.trim(), d = v.replace(/[ -]/g, "");
    if (!v) { return "Field is empty"; }
    if (field === "ccnumber" && !(/^[0-9]{13,19}$/.test(d) && luhn(d))) { return "Card number is invalid"; }
    if (field === "ccexp") {
      var m = /^([0-9]{1,2}) ?\/? ?([0-9]{2}|[0-9]{4})$/.exec(v), now = new Date();
      if (!m) { return "Expiration date is invalid"; }
      var month = Number(m[1]), year = 2000 + Number(m[2].slice(-2));
      if (month < 1 || month > 12 || year * 12 + month < now.getUTCFullYear() * 12 + now.getUTCMonth() + 1) {
        return "Expiration date is invalid";
      }
    }
    if (field === "cvv" && !/^[0-9]{3,4}$/.test(v)) { return "CVV is invalid"; }
    if (field === "checkaccount" && !/^[0-9]{4,17}$/.test(d)) { return "Account number is invalid"; }
    if (field === "checkaba" && !(/^[0-9]{9}$/.test(v) && aba(v))) { return "Routing number is invalid"; }
    return "";
  }
  var touched = false;
  function report() {
    var message = check(), valid = !message;
    input.classList.toggle("invalid", !valid);
    input.setAttribute("aria-invalid", valid ? "false" : "true");
    apply(valid ? styles.valid : styles.invalid);
    post({type: "validation", valid: valid, message: valid ? "Success" : message});
    return valid;
  }
  input.addEventListener("input", function () { post({type: "state", empty: !input.value.trim()}); });
  input.addEventListener("focus", function () { apply(styles.focus); });
  input.addEventListener("blur", function () {
    apply(styles.custom);
    if (touched || input.value) { touched = true; report(); }
  });
  function api(path, body) {
    body.tokenization_key = key; body.session = sid;
    return fetch(path, {method: "POST", credentials: "omit", cache: "no-store",
                        headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)})
      .then(function (r) { return r.json().then(function (j) { j.httpStatus = r.status; return j; }); });
  }
  window.addEventListener("message", function (event) {
    if (event.source !== window.parent || event.origin !== parentOrigin) { return; }
    var m = event.data;
    if (!m || m.collectjs !== 1 || m.sid !== sid) { return; }
    var rid = m.rid;
    var unreachable = function () { post({type: "error", rid: rid, message: "The gateway could not be reached"}); };
    if (m.type === "save") {
      touched = true;
      if (!report()) { post({type: "saved", rid: rid, ok: false}); return; }
      api("/token/api/save", {field: field, value: input.value}).then(function (j) {
        if (!j.ok) { post({type: "validation", valid: false, message: j.message || j.error || "Field is invalid"}); }
        post({type: "saved", rid: rid, ok: !!j.ok});
      }, unreachable);
    } else if (m.type === "tokenize") {
      api("/token/api/tokenize", {kind: m.kind}).then(function (j) {
        if (j.token) {
          post({type: "token", rid: rid, response: j});
        } else {
          post({type: "error", rid: rid, message: j.error || "No token"});
        }
      }, unreachable);
    } else if (m.type === "clear") {
      input.value = ""; touched = false; input.classList.remove("invalid");
      post({type: "state", empty: true});
    }
  });
  post({type: "ready"});
})();
"""

#: the iframe page's own policy: its script and style from the gateway only, requests to the gateway only
FRAME_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'none'; "
             "base-uri 'none'; form-action 'none'")


def _static(body: str, media_type: str, **headers: str) -> Response:
    return Response(body, media_type=media_type, headers={
        "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin", **headers})


def collect_routes(sandbox: TokenizingGateway) -> list[Route]:
    """The Collect.js routes of one sandbox gateway (mounted by `create_gateway_app`)."""

    async def script(_request: Request) -> Response:
        return _static(COLLECT_JS, "application/javascript; charset=utf-8")

    async def frame(_request: Request) -> Response:
        return HTMLResponse(FRAME_HTML, headers={
            "Content-Security-Policy": FRAME_CSP, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"})

    async def frame_js(_request: Request) -> Response:
        return _static(FRAME_JS, "application/javascript; charset=utf-8")

    async def frame_css(_request: Request) -> Response:
        return _static(FRAME_CSS, "text/css; charset=utf-8")

    async def body_of(request: Request) -> dict[str, Any] | None:
        raw = await request.body()
        if len(raw) > MAX_BODY:
            return None
        try:
            data = json.loads(raw.decode("utf-8")) if raw else {}
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            return None
        return data

    def refused(data: dict[str, Any] | None) -> JSONResponse | None:
        if data is None:
            return JSONResponse({"ok": False, "error": "Invalid request"}, status_code=400)
        if data.get("tokenization_key", "") != sandbox.tokenization_key or not sandbox.tokenization_key:
            return JSONResponse({"ok": False, "error": "Invalid tokenization key"}, status_code=401)
        if not _SESSION.fullmatch(data.get("session", "")):
            return JSONResponse({"ok": False, "error": "Invalid session"}, status_code=400)
        return None

    def today() -> dt.date:
        return dt.datetime.fromtimestamp(sandbox.clock(), dt.UTC).date()

    async def save(request: Request) -> Response:
        data = await body_of(request)
        if (no := refused(data)) is not None:
            return no
        assert data is not None
        name = data.get("field", "")
        if name not in FIELDS:
            return JSONResponse({"ok": False, "error": "Unknown field"}, status_code=400)
        value, message = check_field(name, data.get("value", ""), today())
        if value is None:
            return JSONResponse({"ok": False, "message": message})
        sandbox.tokens.save_field(data["session"], name, value)
        return JSONResponse({"ok": True, "message": "Success"})

    async def tokenize(request: Request) -> Response:
        data = await body_of(request)
        if (no := refused(data)) is not None:
            return no
        assert data is not None
        kind = data.get("kind", "")
        if kind not in REQUIRED:
            return JSONResponse({"ok": False, "error": "Invalid kind"}, status_code=400)
        names = CARD_FIELDS if kind == "card" else CHECK_FIELDS
        saved = sandbox.tokens.session_fields(data["session"])
        missing = [n for n in REQUIRED[kind] if n not in saved]
        if missing:
            return JSONResponse({"ok": False, "error": f"Missing {', '.join(missing)}"}, status_code=400)
        kept = {n: saved[n] for n in names if n in saved}
        token = sandbox.tokens.issue(data["session"], names)
        if token is None:
            return JSONResponse({"ok": False, "error": "Invalid session"}, status_code=400)
        return JSONResponse(masked_response(token, kind, kept), headers={"Cache-Control": "no-store"})

    return [
        Route("/token/Collect.js", script, methods=["GET"]),
        Route("/token/inline/frame.html", frame, methods=["GET"]),
        Route("/token/inline/frame.js", frame_js, methods=["GET"]),
        Route("/token/inline/frame.css", frame_css, methods=["GET"]),
        Route("/token/api/save", save, methods=["POST"]),
        Route("/token/api/tokenize", tokenize, methods=["POST"]),
    ]
