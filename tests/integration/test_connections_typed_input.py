"""Issue #12.4, typed input in Admin › Connections and Payment Processing: an Autotask address that cannot be one,
a QuickBooks company id in other digits and a key pasted with hidden characters are refused with PayApp's own
message."""

from __future__ import annotations

import httpx
import pytest

from payapp.domain.errors import ValidationError
from payapp.models.db import Database
from payapp.sandbox.autotask import DEMO_API_USER
from payapp.services.auth import CurrentUser
from payapp.services.processing import ProcessingSetupService
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, SettingsService
from tests.integration.test_connections import configure


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


PASTED_BADLY = ["6457Thfj624V5r7W\u00a0Uwc5v6a68Zsd6YEm", "\u200b6457Thfj624V5r7WUwc5v6a68Zsd6YEm",
                "6457Thfj624V5r7W Uwc5v6a68Zsd6YEm", "6457Thfj\x00624V5r7WUwc5v6a68Zsd6YEm", "schl\u00fcssel-1234",
                "key\ud800-1234"]


@pytest.mark.parametrize("typed", PASTED_BADLY)
async def test_a_key_pasted_with_a_hidden_space_or_other_letters_is_refused_before_it_is_stored(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        typed: str) -> None:
    """Such a key failed later, where it is sent: httpx cannot put "\u00a0" or "\u00fc" in the Autotask Secret
    header, and a lone surrogate cannot be stored in the keyring at all."""
    conn = await configure(database, secret_store, current_user, http)
    for call, field in ((lambda: conn.save_autotask(api_user=DEMO_API_USER, secret=Secret(typed)), "secret"),
                        (lambda: conn.save_autotask(api_user=DEMO_API_USER, integration_code=Secret(typed)),
                         "integration_code"),
                        (lambda: conn.save_quickbooks_app(client_id=typed), "client_id"),
                        (lambda: conn.save_quickbooks_app(client_id="abc", client_secret=Secret(typed)),
                         "client_secret")):
        with pytest.raises(ValidationError) as caught:
            await call()
        assert caught.value.field == field
    setup = ProcessingSetupService(SettingsService(database, secret_store, current_user), secret_store,
                                   current_user, None)
    with pytest.raises(ValidationError) as caught:
        await setup.save_credentials({PRIVATE_KEY: Secret(typed)})
    assert caught.value.field == PRIVATE_KEY
    assert secret_store.get(PRIVATE_KEY) is None
