"""Credentials for Autotask and QuickBooks Online, and the factories that build connected connectors.

Secrets (Autotask secret and integration code, QuickBooks client secret and tokens) live only in the
SecretStore (OS keyring); the database keeps fingerprints, the API user, the client id and the realm id
(SettingsService, keys declared in domain/settings_spec.py).

QuickBooks Connect: Intuit accepts only redirect URIs registered in the app, https and no IP address (plain
http only for `localhost` with development keys). With production keys the admin registers one https page
(`quickbooks.redirect_uri`, shown in Admin › Connections); after signing in the browser lands there and the
admin pastes the address it landed on (or the code) into PayApp: `complete_pasted(text)` checks `state` and
exchanges the code. With development keys (no https page saved) the UI serves the loopback redirect on
`LOOPBACK_REDIRECT` (`http://localhost:<fixed port>`) and hands `code`, `state` and `realmId` to
`complete_authorization`. `start_authorization()` uses whichever is configured.

Refunds: a RefundReceipt needs the bank account the money is paid from; `quickbooks_bank_accounts()` reads
the company's bank accounts and `set_refund_account()` saves the choice (refund jobs waiting for it go then).
In demo mode `connect_demo()` connects against the sandbox without a browser (it follows the sandbox's
authorise redirect itself).

Factories for the composition root: `connections.autotask` and `connections.quickbooks` are
`async () -> connector`; pass them to SyncService and OutboxWorker. The QuickBooks connector is cached,
so every user of it shares one token-refresh lock and one rate limit. `on_quickbooks_connected(callback)`:
the composition root passes the OutboxWorker's `resume_held`, so work held back while QuickBooks was
disconnected is sent as soon as it is connected again."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import ipaddress
import json
import logging
import secrets as pysecrets
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from payapp.connectors.accounting.quickbooks_online import (
    AUTHORIZE_URL,
    QuickBooksConnector,
    QuickBooksDisconnected,
    QuickBooksError,
    QuickBooksOAuth,
    TokenSet,
)
from payapp.connectors.psa.autotask import AutotaskConnector, AutotaskError
from payapp.domain.errors import PayAppError, PermissionDenied, ValidationError
from payapp.domain.messages import Message, msg
from payapp.domain.roles import Permission
from payapp.domain.validation import check_key_text, split_web_address
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.secrets import Secret, SecretStore, fingerprint

AT_SECRET = "autotask.secret"
AT_CODE = "autotask.integration_code"
QB_CLIENT_SECRET = "quickbooks.client_secret"
QB_REFRESH = "quickbooks.refresh_token"
QB_ACCESS = "quickbooks.access_token"       # JSON {"token":..,"expires_at":..} (the expiry is not secret)
STATE_TTL = 15 * 60
LOOPBACK_PORT = 8765
#: the development keys' redirect URI (register exactly this in the Intuit app's development settings)
LOOPBACK_REDIRECT = f"http://localhost:{LOOPBACK_PORT}/callback"

log = logging.getLogger(__name__)


class NotConfigured(PayAppError):
    pass


def _message_of(exc: PayAppError) -> Message:
    """A connector's or this service's error as a Test connection result. Every error they raise carries a Message;
    the English stands in only for one that does not (an error class not converted yet)."""
    return exc.message if exc.message is not None else msg("connections.failed", error=exc.user_message)


@dataclass(frozen=True)
class AutotaskStatus:
    api_user: str
    base_url: str
    zone_url: str
    secret_fingerprint: str          # from the database ("" = not configured)
    code_fingerprint: str
    on_this_workstation: bool        # the keyring here holds the same secret and code

    @property
    def configured(self) -> bool:
        return bool(self.api_user and self.secret_fingerprint and self.code_fingerprint)


@dataclass(frozen=True)
class QuickBooksStatus:
    client_id: str
    client_secret_fingerprint: str
    realm_id: str
    connected: bool
    on_this_workstation: bool        # the client secret and tokens are in this keyring
    #: connected, but QuickBooks refused the sign-in since (e.g. invalid_grant): "Reconnect QuickBooks …"
    problem: Message | None = None
    #: the registered https redirect page ("" = development keys, loopback on LOOPBACK_REDIRECT)
    redirect_uri: str = ""
    refund_account_id: str = ""
    refund_account_name: str = ""
    #: the connected company's name as QuickBooks has it (CompanyInfo.CompanyName; "" until read)
    company_name: str = ""

    @property
    def effective_redirect_uri(self) -> str:
        return self.redirect_uri or LOOPBACK_REDIRECT


def check_redirect_uri(uri: str) -> str:
    """The redirect URI as Intuit accepts it for production keys (https, a host name, no IP address), or a
    ValidationError saying why not. "" (development keys, the loopback) is fine."""
    uri = uri.strip()
    if not uri or uri == LOOPBACK_REDIRECT:
        return uri
    try:
        parts = urllib.parse.urlsplit(uri)
        host = parts.hostname or ""
    except ValueError:
        parts, host = None, ""
    if parts is None or parts.scheme != "https" or not host:
        raise ValidationError(msg("quickbooks.redirect_uri_https"), field="redirect_uri")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return uri
    raise ValidationError(msg("quickbooks.redirect_uri_ip"),
                          field="redirect_uri")

def parse_pasted_sign_in(text: str) -> dict[str, str]:
    """What the admin pasted after signing in: the address the browser landed on (`code`, `state`, `realmId`),
    or only the code ({"code": ..}). A refusal (`error=access_denied`) or an address without a code is a
    ValidationError saying so."""
    text = text.strip()
    if not text:
        raise ValidationError(msg("quickbooks.paste_address"),
                              field="pasted")
    if "?" in text or "=" in text:
        query = text.split("?", 1)[1] if "?" in text else text
        params = {k: v[0] for k, v in urllib.parse.parse_qs(query.split("#", 1)[0]).items() if v}
        if params.get("error"):
            raise ValidationError(msg("quickbooks.did_not_connect", error=params["error"][:100]), field="pasted")
        if not params.get("code") or not params.get("state"):
            raise ValidationError(msg("quickbooks.no_sign_in_code"), field="pasted")
        return {k: params[k] for k in ("code", "state", "realmId") if k in params}
    if any(c.isspace() for c in text) or not text.isascii() or not text.isprintable():
        raise ValidationError(msg("quickbooks.no_sign_in_code"), field="pasted")
    return {"code": text}


@dataclass(frozen=True)
class DemoCredentials:
    """The demo sandboxes' made-up sign-in values (not secrets), given by the composition root: services never
    import the sandboxes themselves."""

    autotask_api_user: str
    autotask_secret: str
    autotask_integration_code: str
    quickbooks_client_id: str
    quickbooks_client_secret: str
    refund_account: tuple[str, str]          # (Id, name) of the bank account refunds are paid from


class ConnectionsService:
    def __init__(self, db: Database, settings: Any, secrets: SecretStore, current: CurrentUser,
                 http: httpx.AsyncClient, *, demo: bool = False, quickbooks_rate: float | None = None,
                 demo_credentials: DemoCredentials | None = None) -> None:
        self._db = db
        self._settings = settings
        self._secrets = secrets
        self._current = current
        self._http = http
        self._demo = demo
        self._demo_credentials = demo_credentials
        # QuickBooks allows 500 requests/min per company: ~8/s is safe. The demo sandbox has no such limit.
        self._qb_rate = quickbooks_rate if quickbooks_rate is not None else (0.0 if demo else 8.0)
        self._states: dict[str, tuple[float, str]] = {}
        self._qb: QuickBooksConnector | None = None
        #: the last "disconnected" message of a dropped connector (Test connection)
        self._qb_problem: Message | None = None
        self._zone_cache = ""
        self._demo_lock = asyncio.Lock()
        self._on_qb_connected: list[Callable[[], None]] = []

    def on_quickbooks_connected(self, callback: Callable[[], None]) -> None:
        """Call `callback` each time QuickBooks is connected (again) or its client secret or address is saved, e.g.
        the outbox worker's `resume_held`."""
        self._on_qb_connected.append(callback)

    async def setup_demo(self) -> None:
        """Demo mode: save the sandboxes' made-up credentials and connect QuickBooks without a browser (the
        demo keyring is in memory, so this runs once per start; the factories call it when needed)."""
        demo = self._demo_credentials
        if not self._demo or demo is None:
            raise PermissionDenied(msg("connections.demo_only"))
        async with self._demo_lock:
            if (await self.autotask_status()).on_this_workstation and (await self.quickbooks_status()).connected \
                    and await self._get(QB_REFRESH) is not None:
                return
            await self.save_autotask(api_user=demo.autotask_api_user, secret=Secret(demo.autotask_secret),
                                     integration_code=Secret(demo.autotask_integration_code))
            await self.save_quickbooks_app(client_id=demo.quickbooks_client_id,
                                           client_secret=Secret(demo.quickbooks_client_secret))
            await self.connect_demo()
            if not (await self.quickbooks_status()).refund_account_id:
                await self.set_refund_account(*demo.refund_account)

    @property
    def demo(self) -> bool:
        """Demo mode: QuickBooks Connect needs no browser (the sandbox approves at once)."""
        return self._demo

    # ------------------------------------------------------------------ helpers

    async def _get(self, name: str) -> Secret | None:
        return await asyncio.to_thread(self._secrets.get, name)

    async def _set(self, name: str, value: Secret) -> str:
        return await asyncio.to_thread(self._secrets.set, name, value)

    def _admin(self) -> None:
        self._current.require(Permission.ADMINISTER)

    # ------------------------------------------------------------------ Autotask

    async def autotask_status(self) -> AutotaskStatus:
        s = await self._settings.get_all()
        secret_fp, code_fp = s["autotask.secret_fingerprint"], s["autotask.integration_code_fingerprint"]
        here = (bool(secret_fp) and self._secrets.fingerprint_of(AT_SECRET) == secret_fp
                and self._secrets.fingerprint_of(AT_CODE) == code_fp)
        return AutotaskStatus(s["autotask.api_user"], s["autotask.base_url"], s["autotask.zone_url"], secret_fp,
                              code_fp, here)

    async def save_autotask(self, *, api_user: str, secret: Secret | None = None,
                            integration_code: Secret | None = None, base_url: str | None = None) -> None:
        """Save what was typed; a None secret keeps the stored one (the field showed "Configured")."""
        self._admin()
        api_user = api_user.strip()
        if not api_user or "@" not in api_user or not api_user.isascii() or not api_user.isprintable():
            raise ValidationError(msg("autotask.api_user_missing"), field="api_user")
        values: dict[str, Any] = {"autotask.api_user": api_user}
        if base_url is not None:
            if not base_url.startswith(("https://", "http://")) or split_web_address(base_url) is None:
                raise ValidationError(msg("autotask.address_https"), field="base_url")
            values["autotask.base_url"] = base_url.rstrip("/")
        if secret is not None:
            if not secret.reveal().strip():
                raise ValidationError(msg("autotask.secret_missing"), field="secret")
            check_key_text(secret.reveal(), field="secret")
            values["autotask.secret_fingerprint"] = await self._set(AT_SECRET, Secret(secret.reveal().strip()))
        if integration_code is not None:
            if not integration_code.reveal().strip():
                raise ValidationError(msg("autotask.integration_code_missing"),
                                      field="integration_code")
            check_key_text(integration_code.reveal(), field="integration_code")
            values["autotask.integration_code_fingerprint"] = await self._set(
                AT_CODE, Secret(integration_code.reveal().strip()))
        values["autotask.zone_url"] = ""          # the user may have changed: discover the zone again
        self._zone_cache = ""
        self._demo_lock = asyncio.Lock()
        await self._settings.set_many(values, audit_action="connections.autotask_saved")

    async def clear_autotask(self) -> None:
        self._admin()
        await asyncio.to_thread(self._secrets.delete, AT_SECRET)
        await asyncio.to_thread(self._secrets.delete, AT_CODE)
        await self._settings.set_many({"autotask.secret_fingerprint": "", "autotask.integration_code_fingerprint": "",
                                       "autotask.zone_url": ""}, audit_action="connections.autotask_cleared")
        self._zone_cache = ""
        self._demo_lock = asyncio.Lock()

    async def autotask(self) -> AutotaskConnector:
        """Factory: a connector built from the saved settings and keyring (raises NotConfigured)."""
        st = await self.autotask_status()
        if self._demo and not st.on_this_workstation:
            await self.setup_demo()
            st = await self.autotask_status()
        secret, code = await self._get(AT_SECRET), await self._get(AT_CODE)
        if not st.api_user or secret is None or code is None:
            raise NotConfigured(msg("autotask.not_set_up"))
        if st.secret_fingerprint and fingerprint(secret.reveal()) != st.secret_fingerprint:
            raise NotConfigured(msg("autotask.secret_replaced"))
        connector = AutotaskConnector(st.base_url, self._http, api_user=st.api_user, secret=secret.reveal(),
                                      integration_code=code.reveal(), zone_url=self._zone_cache or st.zone_url,
                                      on_zone_change=self._zone_found)
        if not (self._zone_cache or st.zone_url):
            await self._zone_found(await connector.zone_url())
        return connector

    async def _zone_found(self, zone: str) -> None:
        """The Autotask zone was looked up (first use, or the database moved to another zone): keep it."""
        self._zone_cache = zone
        with contextlib.suppress(PermissionDenied):      # a non-admin's sync: cached for this session only
            await self._settings.set_many({"autotask.zone_url": zone}, audit_action="connections.zone_cached")

    async def test_autotask(self) -> tuple[bool, Message]:
        try:
            connector = await self.autotask()
            return True, await connector.test()
        except (AutotaskError, NotConfigured) as exc:
            return False, _message_of(exc)
        except httpx.HTTPError as exc:
            return False, msg("connections.autotask_unreachable", error=type(exc).__name__)

    # ------------------------------------------------------------------ QuickBooks

    async def quickbooks_status(self) -> QuickBooksStatus:
        s = await self._settings.get_all()
        fp = s["quickbooks.client_secret_fingerprint"]
        here = bool(fp) and self._secrets.fingerprint_of(QB_CLIENT_SECRET) == fp and bool(
            self._secrets.fingerprint_of(QB_REFRESH))
        # the live connector knows best; without one, what the last Test connection found
        problem = self._qb.disconnected_reason if self._qb is not None else self._qb_problem
        return QuickBooksStatus(s["quickbooks.client_id"], fp, s["quickbooks.realm_id"], s["quickbooks.connected"],
                                here, problem, s["quickbooks.redirect_uri"], s["quickbooks.refund_account_id"],
                                s["quickbooks.refund_account_name"], s["quickbooks.company_name"])

    async def save_quickbooks_app(self, *, client_id: str, client_secret: Secret | None = None,
                                  base_url: str | None = None, redirect_uri: str | None = None) -> None:
        """The app's OAuth client id and secret (from the Intuit developer portal) and, for production keys, the
        https redirect URI registered there (None keeps the saved one, "" = development keys, loopback)."""
        self._admin()
        client_id = client_id.strip()
        if not client_id:
            raise ValidationError(msg("quickbooks.client_id_missing"), field="client_id")
        check_key_text(client_id, field="client_id")
        values: dict[str, Any] = {"quickbooks.client_id": client_id}
        if client_secret is not None:
            if not client_secret.reveal().strip():
                raise ValidationError(msg("quickbooks.client_secret_missing"), field="client_secret")
            check_key_text(client_secret.reveal(), field="client_secret")
            values["quickbooks.client_secret_fingerprint"] = await self._set(
                QB_CLIENT_SECRET, Secret(client_secret.reveal().strip()))
        if base_url is not None:
            values["quickbooks.base_url"] = base_url.rstrip("/")
        if redirect_uri is not None:
            checked = check_redirect_uri(redirect_uri)
            values["quickbooks.redirect_uri"] = "" if checked == LOOPBACK_REDIRECT else checked
        await self._settings.set_many(values, audit_action="connections.quickbooks_saved")
        if client_secret is not None or base_url is not None:
            self._quickbooks_changed()          # a wrong secret is one reason QuickBooks refused the sign-in
        else:
            self._qb = None

    async def _oauth(self) -> QuickBooksOAuth:
        s = await self._settings.get_all()
        secret = await self._get(QB_CLIENT_SECRET)
        if not s["quickbooks.client_id"] or secret is None:
            raise NotConfigured(msg("quickbooks.client_missing"))
        authorize = f"{s['quickbooks.auth_base_url'].rstrip('/')}/connect/oauth2" if self._demo else AUTHORIZE_URL
        return QuickBooksOAuth(s["quickbooks.auth_base_url"], self._http, client_id=s["quickbooks.client_id"],
                               client_secret=secret.reveal(), authorize_url=authorize)

    async def start_authorization(self, redirect_uri: str | None = None) -> tuple[str, str]:
        """The URL to open in the browser and the `state` the redirect must bring back. Without `redirect_uri`:
        the registered https page, or the development loopback."""
        self._admin()
        oauth = await self._oauth()
        if redirect_uri is None:
            redirect_uri = (await self.quickbooks_status()).effective_redirect_uri
        state = pysecrets.token_urlsafe(24)
        now = time.monotonic()
        self._states = {k: v for k, v in self._states.items() if v[0] > now}
        self._states[state] = (now + STATE_TTL, redirect_uri)
        return oauth.authorize_url(redirect_uri=redirect_uri, state=state), state

    async def complete_authorization(self, code: str, state: str, realm_id: str) -> None:
        self._admin()
        entry = self._states.pop(state, None)
        if entry is None or entry[0] < time.monotonic():
            raise ValidationError(msg("quickbooks.sign_in_unknown"))
        if not code or not (realm_id.isascii() and realm_id.isdigit()):     # "٣٤٥".isdigit() is True
            raise ValidationError(msg("quickbooks.no_company"))
        oauth = await self._oauth()
        tokens = await oauth.exchange_code(code, entry[1])
        await self._save_tokens(tokens)
        await self._settings.set_many({"quickbooks.realm_id": realm_id, "quickbooks.connected": True},
                                      audit_action="connections.quickbooks_connected")
        self._quickbooks_changed()
        await self._remember_company_name()

    async def _remember_company_name(self) -> None:
        """Keep the connected company's name (QuickBooks CompanyInfo) for the screens: the realm id alone means
        nothing to a user. Best effort: the connection stands if the name cannot be read now."""
        try:
            name = await (await self.quickbooks()).company_name()
        except (QuickBooksError, NotConfigured, httpx.HTTPError) as exc:
            log.warning("QuickBooks company name not read: %s", type(exc).__name__)
            return
        await self._save_company_name(name)

    async def _save_company_name(self, name: str) -> None:
        name = " ".join(name.split())[:200]
        try:
            if name and name != (await self._settings.get_all())["quickbooks.company_name"]:
                await self._settings.set_many({"quickbooks.company_name": name},
                                              audit_action="connections.quickbooks_company_name")
        except PayAppError as exc:         # e.g. a role that may test but not change settings: the name waits
            log.warning("QuickBooks company name not stored: %s", type(exc).__name__)

    async def complete_pasted(self, text: str) -> None:
        """The admin pasted the address the browser landed on after signing in (or just the code): check its
        `state` against the sign-in PayApp started and exchange the code."""
        self._admin()
        pasted = parse_pasted_sign_in(text)
        if "state" in pasted:
            code, state, realm = pasted["code"], pasted["state"], pasted.get("realmId", "")
        else:      # just the code: only for the one sign-in PayApp is waiting for, of the company connected before
            now = time.monotonic()
            waiting = [k for k, v in self._states.items() if v[0] > now]
            realm = (await self._settings.get_all())["quickbooks.realm_id"]
            if len(waiting) != 1:
                raise ValidationError(msg("quickbooks.connect_first"),
                                      field="pasted")
            if not realm:
                raise ValidationError(msg("quickbooks.paste_whole_address"),
                                      field="pasted")
            code, state = pasted["code"], waiting[0]
        await self.complete_authorization(code, state, realm)

    async def quickbooks_bank_accounts(self) -> list[tuple[str, str]]:
        """The connected company's bank accounts (Id, name), for the account refunds are paid from."""
        self._admin()
        return await (await self.quickbooks()).bank_accounts()

    async def set_refund_account(self, account_id: str, name: str = "") -> None:
        """The bank account refunds are paid from (RefundReceipt.DepositToAccountRef); refund jobs waiting for
        it go at once."""
        self._admin()
        account_id = account_id.strip()
        if not account_id.isascii() or not account_id.isdigit():
            raise ValidationError(msg("quickbooks.refund_account_choice"), field="refund_account")
        await self._settings.set_many({"quickbooks.refund_account_id": account_id,
                                       "quickbooks.refund_account_name": name.strip()[:200]},
                                      audit_action="connections.quickbooks_refund_account")
        for callback in self._on_qb_connected:
            try:
                callback()
            except Exception:
                log.exception("QuickBooks refund account: a listener failed")

    def _quickbooks_changed(self) -> None:
        """The QuickBooks sign-in or the app's credentials changed: forget the connector and its problem, and tell
        the listeners (the outbox sends the jobs it held back while QuickBooks refused)."""
        self._qb, self._qb_problem = None, None
        for callback in self._on_qb_connected:
            try:
                callback()
            except Exception:            # the change is saved; a listener's bug must not undo that
                log.exception("QuickBooks changed: a listener failed")

    async def connect_demo(self, redirect_uri: str = LOOPBACK_REDIRECT) -> None:
        """Demo mode: authorise against the sandbox without a browser (it approves at once and redirects)."""
        if not self._demo:
            raise PermissionDenied(msg("quickbooks.browserless_demo_only"))
        url, _state = await self.start_authorization(redirect_uri)
        resp = await self._http.get(url, follow_redirects=False)
        location = httpx.URL(resp.headers.get("location", ""))
        params = location.params
        await self.complete_authorization(params.get("code", ""), params.get("state", ""), params.get("realmId", ""))

    async def disconnect_quickbooks(self) -> None:
        self._admin()
        for name in (QB_REFRESH, QB_ACCESS):
            await asyncio.to_thread(self._secrets.delete, name)
        await self._settings.set_many({"quickbooks.connected": False},
                                      audit_action="connections.quickbooks_disconnected")
        self._qb, self._qb_problem = None, None

    async def _save_tokens(self, tokens: TokenSet) -> None:
        """Persist rotated tokens (the connector calls this before it uses a new access token)."""
        await self._set(QB_REFRESH, Secret(tokens.refresh_token))
        await self._set(QB_ACCESS, Secret(json.dumps({"token": tokens.access_token,
                                                      "expires_at": tokens.expires_at.isoformat()})))

    async def quickbooks(self) -> QuickBooksConnector:
        """Factory: the (cached) connector for the connected company (raises QuickBooksDisconnected)."""
        if self._qb is not None:
            return self._qb
        if self._demo and await self._get(QB_REFRESH) is None:
            await self.setup_demo()
        s = await self._settings.get_all()
        refresh = await self._get(QB_REFRESH)
        if not s["quickbooks.realm_id"] or refresh is None:
            raise QuickBooksDisconnected(msg("qbo.why.not_connected_here"))
        oauth = await self._oauth()
        access = await self._get(QB_ACCESS)
        token, expires = "", dt.datetime.fromtimestamp(0, dt.UTC)
        if access is not None:
            try:
                data = json.loads(access.reveal())
                token, expires = str(data["token"]), dt.datetime.fromisoformat(data["expires_at"])
            except (ValueError, KeyError):
                pass
        self._qb = QuickBooksConnector(s["quickbooks.base_url"], self._http, realm_id=s["quickbooks.realm_id"],
                                       oauth=oauth, tokens=TokenSet(token, refresh.reveal(), expires),
                                       save_tokens=self._save_tokens, rate=self._qb_rate)
        return self._qb

    async def test_quickbooks(self) -> tuple[bool, Message]:
        try:
            connector = await self.quickbooks()
            message = await connector.test()
            await self._save_company_name(await connector.company_name())
        except (QuickBooksError, NotConfigured) as exc:
            if isinstance(exc, QuickBooksDisconnected):
                self._qb = None
                self._qb_problem = exc.message
            return False, _message_of(exc)
        except httpx.HTTPError as exc:
            return False, msg("connections.quickbooks_unreachable", error=type(exc).__name__)
        self._qb_problem = None
        return True, message
