"""PayApp's QBWC service in a process of its own (run by test_qbwc_crash.py, to be killed with SIGKILL).

    python -m tests.integration.qbwc_child DB_URL PORT

The Web Connector's password comes from PAYAPP_QBWC_TEST_PASSWORD into an in-memory keyring (tests only)."""

from __future__ import annotations

import datetime as dt
import os
import sys

import uvicorn

from payapp.models.db import Database
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.qbwc import QbwcService
from payapp.services.qbwc_soap import create_qbwc_app
from payapp.services.secrets import ALLOWED_BACKENDS, SecretStore
from tests.integration.qbwc_helpers import DesktopSettings, remember_password


def main(db_url: str, port: int) -> None:
    store = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
    remember_password(store, os.environ["PAYAPP_QBWC_TEST_PASSWORD"])
    db = Database(db_url)
    service = QbwcService(db, store, DesktopSettings(), backoff_base=dt.timedelta(0))
    uvicorn.run(create_qbwc_app(service, on_shutdown=db.dispose), host="127.0.0.1", port=port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
