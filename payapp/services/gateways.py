"""Builds the gateway connector from the settings (address) and the keyring (private key)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx

from payapp.connectors.gateways.nmi import NmiGateway
from payapp.domain.errors import PayAppError
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, PRIVATE_KEY_FINGERPRINT, SettingsService


class GatewayNotConfigured(PayAppError):
    pass


class GatewayProvider:
    def __init__(self, client: httpx.AsyncClient, settings: SettingsService, secrets: SecretStore, *,
                 timeout: float | None = None) -> None:
        self._client = client
        self._settings = settings
        self._secrets = secrets
        self._timeout = timeout

    def build(self, values: Mapping[str, Any], key: Secret | None) -> NmiGateway:
        """The connector for settings `values` (already read by the caller) and this workstation's private
        key. No I/O, so a unit of work can call it inside its transaction. Raises GatewayNotConfigured."""
        name, base_url = values["gateway.name"], values["gateway.base_url"]
        if name != "nmi":
            raise GatewayNotConfigured(f"PayApp cannot talk to the gateway {name!r} yet.")
        if key is None:
            raise GatewayNotConfigured("Payment processing is not set up on this workstation: "
                                       "enter the gateway's private key in Admin.")
        if not base_url:
            raise GatewayNotConfigured("The gateway address is missing: enter it in Admin.")
        return NmiGateway(self._client, base_url, key.reveal(), timeout=self._timeout)

    async def gateway(self) -> NmiGateway:
        """The connector for the configured gateway. Raises GatewayNotConfigured when keys are missing."""
        values = await self._settings.get_all()          # one read for every setting it needs
        # The key this workstation holds: the cached one while it is what the database names, else the
        # keyring's, read off the event loop's thread.
        local = self._settings.local_key.peek()
        if local is None or local.fingerprint != values[PRIVATE_KEY_FINGERPRINT]:
            local = await self._settings.local_key.read()
        return self.build(values, local.secret)

    async def test_keys(self, base_url: str | None = None, key: Secret | None = None) -> tuple[bool, str]:
        """Ask the gateway something harmless with the saved key (or `key`, typed but not saved yet).
        Returns (ok, plain words for the Admin banner). Never charges anything."""
        # a keyring read can block (D-Bus, an unlock prompt): never on the event loop's thread
        secret = key if key is not None else await asyncio.to_thread(self._secrets.get, PRIVATE_KEY)
        if secret is None or not secret:
            return False, "Enter the private key first."
        url = base_url or await self._settings.get("gateway.base_url")
        gw = NmiGateway(self._client, url, secret.reveal(), timeout=self._timeout)
        return await gw.test_keys()
