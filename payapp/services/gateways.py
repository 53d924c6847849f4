"""Builds gateway adapters (the port, connectors/gateways/port.py) from the settings (each gateway's address) and
the keyring (its credentials).

`gateway()` is the chosen gateway, for new payments. `for_gateway(name)` is any gateway PayApp knows, for a payment
or saved method taken through a gateway that is no longer the chosen one: it stays voidable, refundable and
reconcilable through the gateway that took it, as long as that gateway's credentials are on this workstation."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from payapp.connectors.gateways.nmi_adapter import NmiAdapter
from payapp.connectors.gateways.payengine import PayEngineAdapter
from payapp.connectors.gateways.paypal_adapter import PayPalAdapter
from payapp.connectors.gateways.port import PaymentGateway
from payapp.domain.errors import PayAppError
from payapp.domain.gateways import GatewaySpec, gateway_spec
from payapp.domain.messages import Message, msg
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import LocalKey, SettingsService

#: How an adapter is made from (client, base URL, primary secret, other credentials by keyring name, timeout).
AdapterFactory = Callable[[httpx.AsyncClient, str, str, Mapping[str, str], float | None], PaymentGateway]


def _nmi(client: httpx.AsyncClient, base_url: str, key: str, _extras: Mapping[str, str],
         timeout: float | None) -> PaymentGateway:
    return NmiAdapter(client, base_url, key, timeout=timeout)


def _payengine(client: httpx.AsyncClient, base_url: str, key: str, extras: Mapping[str, str],
               timeout: float | None) -> PaymentGateway:
    return PayEngineAdapter(client, base_url, extras.get("gateway.payengine.merchant_id", ""), key, timeout=timeout)


def _paypal(client: httpx.AsyncClient, base_url: str, password: str, extras: Mapping[str, str],
            timeout: float | None) -> PaymentGateway:
    return PayPalAdapter(client, base_url, extras.get("gateway.paypal.api_username", ""), password,
                         extras.get("gateway.paypal.api_signature", ""), timeout=timeout)


#: One adapter per gateway of the table (domain.gateways.GATEWAYS) (docs/gateways.md).
ADAPTERS: dict[str, AdapterFactory] = {"nmi": _nmi, "payengine": _payengine, "paypal": _paypal}


class GatewayNotConfigured(PayAppError):
    pass


class GatewayProvider:
    def __init__(self, client: httpx.AsyncClient, settings: SettingsService, secrets: SecretStore, *,
                 timeout: float | None = None) -> None:
        self._client = client
        self._settings = settings
        self._secrets = secrets
        self._timeout = timeout

    @staticmethod
    def spec(name: str) -> GatewaySpec:
        spec = gateway_spec(name)
        if spec is None or name not in ADAPTERS:
            raise GatewayNotConfigured(msg("gateways.cannot_talk", gateway=repr(name)))
        return spec

    def build(self, values: Mapping[str, Any], key: LocalKey | Secret | None, name: str | None = None
              ) -> PaymentGateway:
        """The adapter for gateway `name` (default: the chosen one) from settings `values` (already read by the
        caller) and this workstation's credentials of it. No I/O, so a unit of work can call it inside its
        transaction. Raises GatewayNotConfigured."""
        name = name or values["gateway.name"]
        spec = self.spec(name)
        base_url = values.get(spec.base_url_key, "")
        local = key if isinstance(key, LocalKey) or key is None else LocalKey(key, "", 0.0, spec.primary.name)
        if local is None or local.secret is None or local.name != spec.primary.name:
            raise GatewayNotConfigured(msg("gateways.not_set_up_here", gateway=spec.label_message,
                                           credential=spec.primary.label.lower()))
        extras: dict[str, str] = {}
        for f in spec.fields[1:]:
            value = local.extras.get(f.name)
            if value is None and f.required:
                raise GatewayNotConfigured(msg("gateways.enter_credential", gateway=spec.label_message,
                                               credential=f.label_message))
            extras[f.name] = value.reveal() if value is not None else ""
        if not base_url:
            raise GatewayNotConfigured(msg("gateways.address_missing"))
        return ADAPTERS[name](self._client, base_url, local.secret.reveal(), extras, self._timeout)

    async def _local(self, spec: GatewaySpec, values: Mapping[str, Any]) -> LocalKey:
        return await self._settings.local_key.for_gateway(spec, values.get(spec.primary.fingerprint_key, ""))

    async def gateway(self) -> PaymentGateway:
        """The adapter of the chosen gateway. Raises GatewayNotConfigured when keys are missing."""
        values = await self._settings.get_all()          # one read for every setting it needs
        spec = self.spec(values["gateway.name"])
        return self.build(values, await self._local(spec, values))

    async def for_gateway(self, name: str) -> PaymentGateway:
        """The adapter of gateway `name`, chosen or not (a payment it took is voided and refunded through it)."""
        values = await self.settings_values()
        spec = self.spec(name or values["gateway.name"])
        return self.build(values, await self._local(spec, values), spec.name)

    async def settings_values(self) -> dict[str, Any]:
        return await self._settings.get_all()

    async def test_keys(self, base_url: str | None = None, key: Secret | None = None,
                        typed: Mapping[str, Secret | None] | None = None) -> tuple[bool, Message]:
        """Ask the chosen gateway something harmless with the saved credentials (or `key` / `typed`, typed but not
        saved yet). Returns (ok, what the Admin banner says). Never charges anything."""
        values = await self._settings.get_all()
        spec = self.spec(values["gateway.name"])
        typed = dict(typed or {})
        if key is not None:
            typed[spec.primary.name] = key
        names = [f.name for f in spec.fields]

        def read() -> dict[str, Secret | None]:
            # a keyring read can block (D-Bus, an unlock prompt): never on the event loop's thread
            return {n: typed[n] if typed.get(n) else self._secrets.get(n) for n in names}

        got = await asyncio.to_thread(read)
        primary = got[spec.primary.name]
        if primary is None or not primary:
            return False, msg("test_keys.enter_first", credential=spec.primary.label.lower())
        url = base_url or values.get(spec.base_url_key, "")
        extras = {name: value.reveal() for name, value in got.items() if value is not None}
        gw = ADAPTERS[spec.name](self._client, url, primary.reveal(), extras, self._timeout)
        return await gw.test_keys()
