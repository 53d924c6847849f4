"""Issue #12.4, typed input in Admin › Connections: an Autotask address that cannot be one and a QuickBooks
company id in other digits are refused with PayApp's own message."""

from __future__ import annotations

import httpx
import pytest

from payapp.domain.errors import ValidationError
from payapp.models.db import Database
from payapp.sandbox.autotask import DEMO_API_USER
from payapp.services.auth import CurrentUser
from payapp.services.secrets import SecretStore
from tests.integration.test_connections import configure, http, sandboxes

__all__ = ["http", "sandboxes"]


@pytest.mark.parametrize("address", ["https://[::1", "https://webservices5.autotask.net:٤٤٣", "https://at:99999",
                                     "https://", "https://web services.autotask.net"])
async def test_an_autotask_address_that_cannot_be_one_is_refused(database: Database, secret_store: SecretStore,
                                                                 current_user: CurrentUser, http: httpx.AsyncClient,
                                                                 address: str) -> None:
    conn = await configure(database, secret_store, current_user, http)
    with pytest.raises(ValidationError) as caught:
        await conn.save_autotask(api_user=DEMO_API_USER, base_url=address)
    assert caught.value.field == "base_url"


async def test_a_quickbooks_company_id_in_other_digits_is_refused(database: Database, secret_store: SecretStore,
                                                                  current_user: CurrentUser,
                                                                  http: httpx.AsyncClient) -> None:
    conn = await configure(database, secret_store, current_user, http)
    _url, state = await conn.start_authorization("http://127.0.0.1:5000/callback")
    arabic = "".join(chr(0x0660 + int(d)) for d in "9130350000000001")
    with pytest.raises(ValidationError, match="did not send a company"):
        await conn.complete_authorization("code", state, arabic)
