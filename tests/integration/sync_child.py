"""A PayApp process that runs one sync from Autotask (run by test_sync.py as a child process, to be killed).

    python -m tests.integration.sync_child DB_URL AUTOTASK_BASE_URL
"""

from __future__ import annotations

import asyncio
import sys

import httpx

from payapp.connectors.psa.autotask import AutotaskConnector
from payapp.models.db import Database
from payapp.sandbox.autotask import DEMO_API_USER, DEMO_INTEGRATION_CODE, DEMO_SECRET
from payapp.services.auth import CurrentUser
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.secrets import ALLOWED_BACKENDS, SecretStore
from payapp.services.settings import SettingsService
from payapp.services.sync import SyncService
from tests.conftest import ADMIN


async def main(db_url: str, base_url: str) -> None:
    db = Database(db_url)
    current = CurrentUser(ADMIN)
    async with httpx.AsyncClient(timeout=10) as client:
        async def autotask() -> AutotaskConnector:
            return AutotaskConnector(base_url, client, api_user=DEMO_API_USER, secret=DEMO_SECRET,
                                     integration_code=DEMO_INTEGRATION_CODE)

        settings = SettingsService(db, SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES),
                                   current)
        await SyncService(db, autotask, None, settings, current, holder="CHILD-PC").run()
    await db.dispose()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2]))
