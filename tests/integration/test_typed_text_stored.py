"""Issue #12.4, typed text that is stored: a NUL, a control character or a lone surrogate typed or pasted into a
sign-in, a new user, a payer's name or a refund reason gives PayApp's own answer (signed in or not, refused with
a message, or stored without it), never a driver or encoding error: PostgreSQL refuses NUL in text, and neither
database nor Argon2 can encode a lone surrogate."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from payapp.domain.errors import ValidationError
from payapp.domain.roles import Role
from payapp.models import Refund, SavedPaymentMethod
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.payments import PaymentRequest
from payapp.services.secrets import SecretStore
from payapp.services.users import SignInError, UserService
from tests.conftest import ADMIN
from tests.payment_helpers import ServedGateway, bank, card, configure_processing, make_invoice, make_service

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.mark.parametrize("username", ["admin\x00", "\ud800", "ad\nmin"])
async def test_a_sign_in_with_an_odd_username_is_a_wrong_username(database: Database, username: str) -> None:
    svc = UserService(database, CurrentUser(None), hasher=FAST)
    await svc.create_first_admin("admin", "correct horse battery")
    with pytest.raises(SignInError):
        await svc.sign_in(username, "correct horse battery")


async def test_a_password_with_a_lone_surrogate_is_hashed_and_checked(database: Database) -> None:
    svc = UserService(database, CurrentUser(None), hasher=FAST)
    await svc.create_first_admin("admin", "correct horse \ud800 battery")
    with pytest.raises(SignInError):
        await svc.sign_in("admin", "correct horse \udc00 battery")
    assert (await svc.sign_in("admin", "correct horse \ud800 battery")).username == "admin"
    with pytest.raises(SignInError):
        await svc.sign_in("admin", "\ud800")


async def test_a_new_user_with_odd_text_is_refused_or_stored_without_it(database: Database) -> None:
    svc = UserService(database, CurrentUser(ADMIN), hasher=FAST)
    for username in ("eve\x00", "eve\ud800", "\u200b"):
        with pytest.raises(ValidationError) as caught:
            await svc.add_user(username, "correct horse battery", Role.VIEWER)
        assert caught.value.field == "username"
    row = await svc.add_user("eve", "correct horse battery", Role.VIEWER, display_name="Eve\x00 Adams\ud800")
    assert row.display_name == "Eve Adams"


async def test_payer_names_and_a_refund_reason_with_odd_text_are_stored_without_it(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway) -> None:
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=1_000_00)
    async with httpx.AsyncClient(timeout=5.0) as client:
        svc = make_service(database, secret_store, client)
        paid = await svc.take_payment(PaymentRequest(
            inv_id, 10_00, replace(card(), first_name="Ada\x00", last_name="Love\ud800lace"), save_method=True))
        assert paid.approved, paid.message
        checked = await svc.take_payment(PaymentRequest(
            inv_id, 11_00, replace(bank(), name="Acme\x00 Inc", company="Acme\ud800"), save_method=True))
        assert checked.approved, checked.message
        refund = await svc.void_or_refund(paid.payment_id, reason="typo\x00 \ud800")
        assert refund.status == "approved", refund.message
    async with database.sessions() as s:
        names = set((await s.scalars(select(SavedPaymentMethod.holder_name))).all())
        reasons = set((await s.scalars(select(Refund.reason))).all())
    assert names == {"Ada Lovelace", "Acme Inc"} and reasons == {"typo "}
