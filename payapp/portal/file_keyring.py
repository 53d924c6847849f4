"""The portal server's secrets, from a file an administrator provisions (a server has no desktop keyring).

`PAYAPP_PORTAL_SECRETS` names a JSON file such as

    {"gateway.private_key": "...", "gateway.public_key": "...", "portal.session_secret": "...",
     "mail.smtp_password": "..."}

readable by the portal's user only (mode 0600 or 0400; a file others may read is refused). The portal reads it; it
never writes it (Admin saves keys in the desktop app's keyring; the same values go into this file on the server).
docs/portal.md describes it (the mail password, for the receipts the portal e-mails: docs/email.md)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from keyring.backend import KeyringBackend
from keyring.errors import PasswordSetError

from payapp.domain.errors import PayAppError

ENV = "PAYAPP_PORTAL_SECRETS"
SESSION_SECRET = "portal.session_secret"
MODULES = ("payapp.portal.file_keyring",)


class SecretsFileError(PayAppError):
    pass


def read_secrets_file(path: Path) -> dict[str, str]:
    try:
        info = path.stat()
    except OSError as exc:
        raise SecretsFileError(f"The portal's secrets file {path} cannot be read ({exc.strerror}).") from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretsFileError(f"The portal's secrets file {path} may be read by other users: "
                               f"chmod 600 {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise SecretsFileError(f"The portal's secrets file {path} is not a JSON object of names and "
                               "values.") from None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise SecretsFileError(f"The portal's secrets file {path} is not a JSON object of names and values.")
    return data


class FileKeyring(KeyringBackend):
    """Read-only keyring over the secrets file (read once, at start)."""

    priority = 1

    def __init__(self, path: Path) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.path = path
        self._values = read_secrets_file(path)

    def get_password(self, service: str, username: str) -> str | None:
        return self._values.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        raise PasswordSetError("the portal's secrets file is read-only")

    def delete_password(self, service: str, username: str) -> None:
        raise PasswordSetError("the portal's secrets file is read-only")
