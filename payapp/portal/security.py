"""The portal's web security: security headers with the Content-Security-Policy, the session cookie and CSRF
tokens, who the client is behind a trusted proxy, and access logs that never show a link's token."""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_COOKIE = "payapp_portal_session"
#: a signed-in contact's session (payapp/portal/accounts.py); the CSRF session above stays as it is
USER_COOKIE = "payapp_portal_user"
LANGUAGE_COOKIE = "payapp_portal_lang"
# a payment link's token (/pay/...) and a sign-in link's (/signin/...): the client's credentials
_TOKENISH = re.compile(r"/(pay|signin)/[^/?#\s\"]+")
#: pages with a client's own data: never kept in a cache
_NO_STORE = ("/pay/", "/signin", "/account")


@dataclass(frozen=True)
class PortalConfig:
    """How the portal is served. `session_secret` signs the CSRF tokens (the same on every process and host of
    one portal: docs/portal.md says where it comes from)."""

    session_secret: bytes = field(repr=False)
    #: served over https: --https, or behind a TLS proxy that says so (X-Forwarded-Proto from a trusted proxy)
    https: bool = False
    #: addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed
    trusted_proxies: frozenset[str] = frozenset()
    #: the gateway as the browser reaches it (Collect.js and its iframes); "" = the gateway.base_url setting
    gateway_browser_url: str = ""
    #: demo only: (origin, path) pairs. A gateway's page (a hosted step's redirect) at one of these made-up origins,
    #: which only the demo's in-process HTTP client knows, is sent to the portal's own `path` instead, where the demo
    #: serves that sandbox's browser pages (payapp/app.py, with_sandbox_pages)
    sandbox_pages: tuple[tuple[str, str], ...] = ()
    #: rate limits: requests per window, per client address and per link token
    rate_window_s: int = 60
    address_limit: int = 300
    token_limit: int = 120
    #: sign-in requests ("send me a link") per window, per client address and per e-mail address
    signin_address_limit: int = 10
    signin_email_limit: int = 5
    #: how long a second submit of one confirm form waits for the first to finish (seconds)
    submission_wait_s: float = 45.0


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}"


def is_https(request: Request, config: PortalConfig) -> bool:
    """Served over https: --https, or a trusted proxy's X-Forwarded-Proto. (Only the portal's own settings count,
    never the server's view of the scheme, which uvicorn's proxy-header handling may have taken from a header.)"""
    if config.https:
        return True
    client = request.client.host if request.client else ""
    if client in config.trusted_proxies:
        return request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower() == "https"
    return False


def client_address(request: Request, config: PortalConfig) -> str:
    """The visitor's address: the peer, or, when the peer is a trusted proxy, the last address it added to
    X-Forwarded-For (anything before that came from the client and could be made up)."""
    client = request.client.host if request.client else ""
    if client in config.trusted_proxies:
        hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
        for hop in reversed(hops):
            if hop not in config.trusted_proxies:
                return hop[:64]
    return client or "unknown"


def content_security_policy(gateway_origin: str) -> str:
    gw = f" {gateway_origin}" if gateway_origin else ""
    frames = gateway_origin or "'none'"
    return (f"default-src 'self'; script-src 'self'{gw}; frame-src {frames}; "
            f"connect-src 'self'{gw}; img-src 'self' data:; style-src 'self'; font-src 'self'; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class SecurityHeaders:
    """ASGI middleware: the same security headers on every answer (pages, errors, static files)."""

    def __init__(self, app: ASGIApp, config: PortalConfig, gateway_origin: Any) -> None:
        self.app = app
        self.config = config
        #: a callable returning the gateway's browser origin (it comes from a setting and may change)
        self.gateway_origin = gateway_origin

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        https = is_https(request, self.config)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                # a page put the gateway's origin into the request's state (from its one settings read)
                origin = scope.get("state", {}).get("gateway_origin")
                if origin is None:
                    origin = await self.gateway_origin()
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() not in (b"server",)]
                extra = {
                    b"content-security-policy": content_security_policy(origin).encode(),
                    b"x-content-type-options": b"nosniff",
                    b"referrer-policy": b"no-referrer",
                    b"x-frame-options": b"DENY",
                    b"cross-origin-opener-policy": b"same-origin",
                    b"permissions-policy": b"camera=(), microphone=(), geolocation=()",
                }
                if https:
                    extra[b"strict-transport-security"] = b"max-age=31536000; includeSubDomains"
                if scope.get("path", "").startswith(_NO_STORE):
                    extra[b"cache-control"] = b"no-store"
                present = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in extra.items() if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


# ------------------------------------------------------------------------------------------ session and CSRF

def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def valid_session_id(value: str) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[A-Za-z0-9_-]{43}", value) is not None


def csrf_token(secret: bytes, session_id: str) -> str:
    return hmac.new(secret, f"csrf:{session_id}".encode(), hashlib.sha256).hexdigest()


def csrf_ok(secret: bytes, session_id: str, submitted: str) -> bool:
    if not valid_session_id(session_id) or not isinstance(submitted, str):
        return False
    return hmac.compare_digest(csrf_token(secret, session_id), submitted)


def session_cookie_args(https: bool) -> dict[str, Any]:
    return {"httponly": True, "samesite": "lax", "secure": https, "path": "/"}


# ------------------------------------------------------------------------------------------ logs

def mask_tokens(text: str) -> str:
    """A path or message with every /pay/<token>... shown as /pay/<hidden>, and a request path's query string
    as ?<hidden> (the demo gateway's frame addresses carry the tokenization key and a session id there)."""
    text = _TOKENISH.sub(r"/\1/<hidden>", text)
    if text.startswith("/") and "?" in text:
        text = text.split("?", 1)[0] + "?<hidden>"
    return text


class MaskTokensFilter(logging.Filter):
    """On uvicorn's access and error handlers: the request line's path is masked (uvicorn's access record has
    the path as its third argument), and so is any /pay/... in other messages."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(mask_tokens(a) if isinstance(a, str) else a for a in record.args)
        if isinstance(record.msg, str):
            record.msg = mask_tokens(record.msg)
        return True


class AccessLogHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The access log's handler: its lines reach the stream within FLUSH_S seconds (and at close) instead of
    with a system call of their own per request, which cost a portal page ~0.3 ms on a virtual machine. Error
    lines keep uvicorn's own handler, written at once."""

    FLUSH_S = 1.0

    def __init__(self, stream: Any = None) -> None:
        super().__init__(stream)
        self._pending = threading.Event()
        self._closed = threading.Event()
        self._flusher = threading.Thread(target=self._flush_now_and_then, name="payapp-access-log", daemon=True)
        self._flusher.start()

    def flush(self) -> None:            # StreamHandler.emit calls this after every line
        self._pending.set()

    def _flush_now_and_then(self) -> None:
        while not self._closed.wait(self.FLUSH_S):
            if self._pending.is_set():
                self._pending.clear()
                super().flush()

    def close(self) -> None:
        self._closed.set()
        super().flush()
        super().close()


def uvicorn_log_config(extra_filters: Iterable[str] = ()) -> dict[str, Any]:
    """uvicorn's logging set-up with the token mask (and PayApp's redaction) on every handler."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["mask_tokens"] = {"()": "payapp.portal.security.MaskTokensFilter"}
    config["filters"]["redact"] = {"()": "payapp.config.RedactingFilter"}
    names = ["mask_tokens", *extra_filters]
    for handler in config.get("handlers", {}).values():
        handler["filters"] = [*handler.get("filters", []), *names]
    # redaction formats the message itself (and drops args), so it runs after the access formatter would need
    # them: only on the default (error) handler
    config["handlers"]["default"]["filters"].append("redact")
    config["handlers"]["access"]["class"] = "payapp.portal.security.AccessLogHandler"
    return config
