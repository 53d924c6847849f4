"""Fixtures shared by integration tests (add yours here; keep each importable from its own module).

`sandboxes` and `http`: both sandboxes in process, reached over httpx.ASGITransport at the addresses
test_connections.py configures (AT, QB, QB_AUTH). Modules that need other mounts define their own `http`."""

from collections.abc import AsyncIterator

import httpx
import pytest

from payapp.sandbox.autotask import AutotaskSandbox, create_autotask_app
from payapp.sandbox.quickbooks import QuickBooksSandbox, create_quickbooks_app
from tests.payment_helpers import http_client, served_any, served_gateway, served_payengine

__all__ = ["http", "http_client", "sandboxes", "served_any", "served_gateway", "served_payengine"]


@pytest.fixture
def sandboxes() -> tuple[AutotaskSandbox, QuickBooksSandbox]:
    return AutotaskSandbox(companies=5, invoices=30, seed=3), QuickBooksSandbox()


@pytest.fixture
async def http(sandboxes: tuple[AutotaskSandbox, QuickBooksSandbox]) -> AsyncIterator[httpx.AsyncClient]:
    at, qb = sandboxes
    qb_app = create_quickbooks_app(qb)
    mounts = {"all://autotask.sandbox.test": httpx.ASGITransport(app=create_autotask_app(at)),
              "all://quickbooks.sandbox.test": httpx.ASGITransport(app=qb_app),
              "all://oauth.sandbox.test": httpx.ASGITransport(app=qb_app)}
    async with httpx.AsyncClient(mounts=mounts) as client:
        yield client
