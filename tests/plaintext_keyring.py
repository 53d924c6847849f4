"""A stand-in for a plaintext keyring backend (keyrings.alt's PlaintextKeyring writes secrets to a file).
It keeps them in memory here, but its module is not on any allow-list, so SecretStore must refuse it."""

from __future__ import annotations

from keyring.backend import KeyringBackend


class PlaintextKeyring(KeyringBackend):
    priority = 0.5  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.store.pop((service, username), None)
