"""Client portal payments: Collect.js payment tokens through the same payment engine (issue #16.3, #16.4).

Over real HTTP: the sandbox gateway served by uvicorn (tests/servers.py); tokens are made the way the gateway's
iframes make them (POST /token/api/save per field, then /token/api/tokenize), without a browser."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import make_url

from payapp.domain import ach
from payapp.domain.errors import PayAppError, PermissionDenied, ValidationError
from payapp.models import AchAuthorization, AuditEvent, Company, Contact, OutboxJob, Payment, SavedPaymentMethod
from payapp.models.db import Database
from payapp.sandbox.gateway import GatewaySandbox, create_gateway_app
from payapp.services.auth import PORTAL_ACTOR, CurrentUser
from payapp.services.payments import (
    DuplicateWarning,
    PaymentRequest,
    SavedMethodRef,
    TokenizedPayment,
)
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from tests.payment_helpers import (
    ACH_ACCOUNT,
    ACH_ROUTING,
    ADMIN_ACTOR,
    SECRET_VALUES,
    VISA,
    ServedGateway,
    ach_consent,
    card,
    configure_processing,
    gateway_declines,
    invoice_row,
    make_invoice,
    make_service,
)
from tests.servers import serve_asgi

#: the tokenization (public) key these tests configure the sandbox with (the demo's is DEMO_PUBLIC_KEY)
TEST_PUBLIC_KEY = "tests-tokenization-key-Q7wPz4"
SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def portal_gateway() -> Iterator[ServedGateway]:
    sandbox = GatewaySandbox(tokenization_key=TEST_PUBLIC_KEY)
    with serve_asgi(create_gateway_app(sandbox)) as url:
        yield ServedGateway(sandbox, url)


async def tokenize(client: httpx.AsyncClient, url: str, fields: dict[str, str], *, kind: str = "card",
                   key: str = TEST_PUBLIC_KEY, session: str = SESSION) -> dict[str, object]:
    """What the gateway's iframes do when the page starts a payment request: save each field, then ask for a
    token. Returns the callback's response (token and masked details)."""
    for name, value in fields.items():
        r = await client.post(f"{url}/token/api/save", json={"tokenization_key": key, "session": session,
                                                              "field": name, "value": value})
        assert r.status_code == 200 and r.json()["ok"], r.text
    r = await client.post(f"{url}/token/api/tokenize", json={"tokenization_key": key, "session": session,
                                                              "kind": kind})
    assert r.status_code == 200, r.text
    body: dict[str, object] = r.json()
    return body


CARD_FIELDS = {"ccnumber": "4111 1111 1111 1111", "ccexp": "12 / 30", "cvv": "999"}
CHECK_FIELDS = {"checkname": "Acme Inc", "checkaba": ACH_ROUTING, "checkaccount": ACH_ACCOUNT}


def card_payment(response: dict[str, object]) -> TokenizedPayment:
    c = response["card"]
    assert isinstance(c, dict)
    return TokenizedPayment(token=str(response["token"]), kind="card", first_name="Ada", last_name="Lovelace",
                            address1="888 Main St", city="Springfield", state="IL", zip="77777",
                            email="ada@example.com", brand=c["type"], last_four=c["number"], expiry_mmyy=c["exp"])


def online_consent(holder: str = "personal") -> str:
    """The wording a client agrees to on the portal (WEB for a person's account, CCD for a business's)."""
    return ach.authorization_text(holder_type=holder, name="Acme Inc", company="Acme Inc", merchant="PayApp Tests",
                                  account_type="checking", last_four="3815", amount="$55.00", invoice="INV-1001",
                                  date=dt.date(2026, 12, 3), online=True)


def check_payment(response: dict[str, object], holder: str = "personal", *, online: bool = True) -> TokenizedPayment:
    c = response["check"]
    assert isinstance(c, dict)
    return TokenizedPayment(token=str(response["token"]), kind="echeck", company="Acme Inc", address1="1 Main St",
                            city="Springfield", state="IL", zip="62701", holder_type=holder,
                            account_type="checking", holder_name=c["name"], last_four=c["account"],
                            authorization_text=online_consent(holder) if online else ach_consent(holder))


async def enable_portal(db: Database, secrets: SecretStore, url: str, *, card: bool = True, echeck: bool = True,
                        back_office: bool = True) -> None:
    await configure_processing(db, secrets, url)
    await SettingsService(db, secrets, CurrentUser(ADMIN_ACTOR)).set_many({
        "payment_types.portal.card": card, "payment_types.portal.echeck": echeck,
        "payment_types.back_office.card": back_office, "payment_types.back_office.echeck": back_office})


async def add_contact(db: Database, invoice_id: int) -> int:
    inv = await invoice_row(db, invoice_id)
    async with db.transaction() as s:
        contact = Contact(company_id=inv.company_id, first_name="Ada", last_name="Lovelace", email="ada@example.com")
        s.add(contact)
        await s.flush()
        return contact.id


async def test_tokenized_card_sale_approved_records_source_contact_and_outbox(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=40_00)
    contact_id = await add_contact(database, inv_id)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        assert response["tokenType"] == "inline"
        assert response["card"] == {"number": "411111******1111", "bin": "411111", "exp": "1230", "hash": "",
                                    "type": "visa"}
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        result = await svc.take_payment(PaymentRequest(inv_id, 40_00, card_payment(response), contact_id=contact_id,
                                                       source="client_portal"))
    assert result.approved, result.message
    async with database.sessions() as s:
        p = (await s.scalars(select(Payment))).one()
        jobs = sorted((await s.scalars(select(OutboxJob.kind).where(OutboxJob.payment_id == p.id))).all())
        audits = (await s.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "payment"))).all()
    assert (p.source, p.contact_id, p.method, p.brand, p.last_four, p.expiry) == (
        "client_portal", contact_id, "card", "Visa", "1111", "1230")
    assert p.created_by is None and p.created_by_name == "Client portal"
    assert jobs == ["accounting.push_payment", "psa.mark_invoice_paid"]
    assert audits                                   # the decision is audited like any other
    assert (await invoice_row(database, inv_id)).balance_minor == 0
    tx = portal_gateway.sandbox.transactions[result.transaction_id]
    assert (tx.transaction_type, tx.masked, tx.cvv, tx.order_id) == ("cc", "xxxxxxxxxxxx1111", "M", result.order_id)


async def test_tokenized_card_declined_leaves_the_invoice_open(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=40_00)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        with gateway_declines(portal_gateway.sandbox):
            result = await svc.take_payment(PaymentRequest(inv_id, 40_00, card_payment(response),
                                                           source="client_portal"))
    assert result.status == "declined" and "card was declined" in result.message.english()
    assert (await invoice_row(database, inv_id)).balance_minor == 40_00


async def test_a_tokenized_echeck_of_a_persons_account_keeps_a_web_authorization(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=55_00)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CHECK_FIELDS, kind="check")
        assert response["check"] == {"name": "Acme Inc", "account": "****3815", "hash": "", "aba": ACH_ROUTING}
        assert response["card"] == {"number": None, "bin": None, "exp": None, "hash": None, "type": None}
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        unagreed = TokenizedPayment(token=str(response["token"]), kind="echeck", holder_type="personal",
                                    account_type="checking", holder_name="Acme Inc")
        with pytest.raises(ValidationError) as refused:
            await svc.take_payment(PaymentRequest(inv_id, 55_00, unagreed, source="client_portal"))
        assert refused.value.field == "authorization"
        result = await svc.take_payment(PaymentRequest(inv_id, 55_00, check_payment(response),
                                                       source="client_portal"))
    assert result.approved and result.pending_settlement, result.message
    async with database.sessions() as s:
        p = (await s.scalars(select(Payment))).one()
        auth = (await s.scalars(select(AchAuthorization))).one()
    assert (p.method, p.last_four, p.account_type, p.source) == ("echeck", "3815", "checking", "client_portal")
    assert (auth.payment_id, auth.sec_code, auth.authorized_by) == (p.id, "WEB", "Acme Inc")
    assert auth.wording_text == online_consent() and auth.recorded_by_name == "Client portal"
    assert auth.wording_text.startswith("ACH debit authorization (WEB, one-time)")
    tx = portal_gateway.sandbox.transactions[result.transaction_id]
    assert (tx.transaction_type, tx.last_four, tx.sec_code) == ("ck", "3815", "WEB")


async def test_a_token_is_used_once(database: Database, secret_store: SecretStore,
                                    portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    first = await make_invoice(database, total_minor=20_00, number="INV-1")
    second = await make_invoice(database, total_minor=30_00, number="INV-2")
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        ok = await svc.take_payment(PaymentRequest(first, 20_00, card_payment(response), source="client_portal"))
        again = await svc.take_payment(PaymentRequest(second, 30_00, card_payment(response),
                                                      source="client_portal"))
    assert ok.approved
    assert again.status == "error" and "Nothing was charged" in again.message.english(), again.message
    assert len(portal_gateway.sandbox.approved_sales()) == 1
    assert (await invoice_row(database, second)).balance_minor == 30_00


async def test_a_wrong_tokenization_key_gets_no_token(portal_gateway: ServedGateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        for path, body in (("save", {"field": "ccnumber", "value": VISA}), ("tokenize", {"kind": "card"})):
            r = await client.post(f"{portal_gateway.url}/token/api/{path}",
                                  json={"tokenization_key": "not-the-key", "session": SESSION, **body})
            assert r.status_code == 401 and r.json()["error"] == "Invalid tokenization key"
        # the demo's public key is not this account's either
        r = await client.post(f"{portal_gateway.url}/token/api/save",
                              json={"tokenization_key": "demo-sandbox-tokenization-key-9XkR2p", "session": SESSION,
                                    "field": "ccnumber", "value": VISA})
        assert r.status_code == 401
    assert portal_gateway.sandbox.tokens.session_fields(SESSION) == {}


async def test_save_to_vault_from_a_token_then_pay_with_it(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    contact_id = await add_contact(database, inv_id)
    async with httpx.AsyncClient(timeout=30) as client:
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        card_token = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        paid = await svc.take_payment(PaymentRequest(inv_id, 10_00, card_payment(card_token), save_method=True,
                                                     contact_id=contact_id, source="client_portal"))
        check_token = await tokenize(client, portal_gateway.url, CHECK_FIELDS, kind="check")
        paid_check = await svc.take_payment(PaymentRequest(inv_id, 11_00, check_payment(check_token),
                                                           save_method=True, source="client_portal"))
        assert paid.approved and paid_check.approved
        async with database.sessions() as s:
            methods = (await s.scalars(select(SavedPaymentMethod).order_by(SavedPaymentMethod.id))).all()
        assert [(m.method, m.last_four, m.is_active) for m in methods] == [("card", "1111", True),
                                                                            ("echeck", "3815", True)]
        assert methods[0].contact_id == contact_id and methods[0].brand == "Visa" and methods[0].expiry == "1230"
        for m in methods:
            entry = portal_gateway.sandbox.vault[m.vault_id]
            assert entry.last_four == m.last_four
        vault_card = portal_gateway.sandbox.vault[methods[0].vault_id]
        assert vault_card.cc_exp == "1230" and vault_card.masked.endswith("1111")
        # the next payment from the portal charges the saved methods (no new token)
        again = await svc.take_payment(PaymentRequest(inv_id, 12_00, SavedMethodRef(methods[0].id),
                                                      source="client_portal"))
        again_check = await svc.take_payment(PaymentRequest(
            inv_id, 13_00, SavedMethodRef(methods[1].id, authorization_text=online_consent()), source="client_portal"))
    assert again.approved and again_check.approved
    async with database.sessions() as s:
        auths = (await s.scalars(select(AchAuthorization.sec_code))).all()
    assert auths == ["WEB", "WEB"]
    assert portal_gateway.sandbox.transactions[again_check.transaction_id].sec_code == "WEB"   # the saved eCheck


async def test_a_vault_entry_can_be_added_from_a_token_alone(portal_gateway: ServedGateway) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        r = await client.post(f"{portal_gateway.url}/api/transact.php", data={
            "security_key": portal_gateway.sandbox.security_key, "customer_vault": "add_customer",
            "customer_vault_id": "pa-vault-1", "payment_token": str(response["token"])})
    assert "response=1" in r.text and "customer_vault_id=pa-vault-1" in r.text
    assert portal_gateway.sandbox.vault["pa-vault-1"].masked.endswith("1111")


async def test_portal_payment_types_and_sources_are_enforced(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    # the portal takes eChecks only; the back office takes nothing from the portal's settings
    await enable_portal(database, secret_store, portal_gateway.url, card=False, echeck=True, back_office=False)
    inv_id = await make_invoice(database, total_minor=100_00)
    async with httpx.AsyncClient(timeout=30) as client:
        portal = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        staff = make_service(database, secret_store, client)
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        with pytest.raises(PayAppError, match="not available in the client portal"):
            await portal.take_payment(PaymentRequest(inv_id, 10_00, card_payment(response), source="client_portal"))
        check = check_payment(await tokenize(client, portal_gateway.url, CHECK_FIELDS, kind="check"))
        with pytest.raises(PayAppError, match="not enabled"):        # back office: its own (disabled) types
            await staff.take_payment(PaymentRequest(inv_id, 10_00, check))
        # card numbers never come from the portal; the portal's actor never takes back-office payments
        with pytest.raises(ValidationError, match="tokenized or saved"):
            await portal.take_payment(PaymentRequest(inv_id, 10_00, card(), source="client_portal"))
        with pytest.raises(PermissionDenied):
            await portal.take_payment(PaymentRequest(inv_id, 10_00, check))
        with pytest.raises(ValidationError, match="source"):
            await staff.take_payment(PaymentRequest(inv_id, 10_00, check, source="kiosk"))
        ok = await portal.take_payment(PaymentRequest(inv_id, 10_00, check, source="client_portal"))
    assert ok.approved
    assert len(portal_gateway.sandbox.approved_sales()) == 1          # nothing refused reached the gateway


async def test_a_contact_of_another_company_is_refused(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    async with database.transaction() as s:
        other = Company(name="Other Co")
        s.add(other)
        await s.flush()
        stranger = Contact(company_id=other.id, first_name="Eve")
        s.add(stranger)
        await s.flush()
        stranger_id = stranger.id
    async with httpx.AsyncClient(timeout=30) as client:
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        with pytest.raises(ValidationError, match="contact"):
            await svc.take_payment(PaymentRequest(inv_id, 10_00, card_payment(response), contact_id=stranger_id,
                                                  source="client_portal"))
    assert portal_gateway.sandbox.approved_sales() == []


async def test_a_client_paying_what_staff_just_charged_is_warned(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    async with httpx.AsyncClient(timeout=30) as client:
        staff = make_service(database, secret_store, client)
        assert (await staff.take_payment(PaymentRequest(inv_id, 25_00, card()))).approved
        portal = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        response = await tokenize(client, portal_gateway.url, {**CARD_FIELDS, "ccnumber": "5431111111111111"})
        with pytest.raises(DuplicateWarning):
            await portal.take_payment(PaymentRequest(inv_id, 25_00, card_payment(response), source="client_portal"))
        # the client confirms: the same token is still unused (nothing was sent)
        result = await portal.take_payment(PaymentRequest(inv_id, 25_00, card_payment(response),
                                                          source="client_portal"), confirm_duplicate=True)
    assert result.approved, result.message


async def test_a_lost_answer_is_reconciled_by_order_id(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    async with httpx.AsyncClient(timeout=30) as client:
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        response = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        portal_gateway.sandbox.add_fault("lose_answer")
        result = await svc.take_payment(PaymentRequest(inv_id, 30_00, card_payment(response),
                                                       source="client_portal"))
    assert result.approved, result.message            # found by its order id, never charged twice
    assert len(portal_gateway.sandbox.approved_sales()) == 1
    assert (await invoice_row(database, inv_id)).balance_minor == 70_00


async def _dump_database(db: Database) -> str:
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        parts = [repr((await conn.execute(text(f'SELECT * FROM "{t}"'))).all()) for t in tables]
    return "\n".join(parts)


async def test_no_token_or_number_in_logs_audit_or_database(
        database: Database, db_url: str, secret_store: SecretStore, portal_gateway: ServedGateway,
        caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=1_000_00)
    tokens: list[str] = []
    async with httpx.AsyncClient(timeout=30) as client:
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)

        async def pay(amount: int, fields: dict[str, str], kind: str, **kw: bool) -> None:
            response = await tokenize(client, portal_gateway.url, fields, kind=kind)
            tokens.append(str(response["token"]))
            method = card_payment(response) if kind == "card" else check_payment(response)
            assert tokens[-1] not in repr(method) and tokens[-1] not in str(method)
            await svc.take_payment(PaymentRequest(inv_id, amount, method, source="client_portal", **kw))

        await pay(10_00, CARD_FIELDS, "card", save_method=True)
        await pay(11_00, CHECK_FIELDS, "check", save_method=True)
        with gateway_declines(portal_gateway.sandbox):
            await pay(12_00, CARD_FIELDS, "card")
        portal_gateway.sandbox.add_fault("garbage")
        await pay(13_00, CARD_FIELDS, "card")
        await svc.take_payment(PaymentRequest(inv_id, 14_00, card_payment({"token": tokens[0], "card": {
            "type": "visa", "number": "411111******1111", "exp": "1230"}}), source="client_portal"))  # reused
        await svc.reconcile_undecided()
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    dump = await _dump_database(database)
    async with database.sessions() as s:
        audit = json.dumps([(a.action, a.details) for a in (await s.scalars(select(AuditEvent))).all()])
    assert len(set(tokens)) == 4
    for secret in (*tokens, *SECRET_VALUES):
        for where, haystack in (("logs", logged), ("audit log", audit), ("database", dump)):
            assert secret not in haystack, f"a token or number is in the {where}"
    assert "payment_token" not in dump
    if database.is_sqlite:
        path = Path(make_url(db_url).database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*")).decode("latin-1")
        for secret in (*tokens, *SECRET_VALUES):
            assert not re.search(re.escape(secret), raw), "a token or number is in the SQLite file or its WAL"


async def test_two_clients_paying_one_invoice_at_once_never_overpay(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=80_00)
    async with httpx.AsyncClient(timeout=30) as client:
        first = await tokenize(client, portal_gateway.url, CARD_FIELDS, session="a" * 32)
        second = await tokenize(client, portal_gateway.url, {**CARD_FIELDS, "ccnumber": "5431111111111111"},
                                session="b" * 32)
        one = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        two = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        outcomes = await asyncio.gather(
            one.take_payment(PaymentRequest(inv_id, 80_00, card_payment(first), source="client_portal")),
            two.take_payment(PaymentRequest(inv_id, 80_00, card_payment(second), source="client_portal")),
            return_exceptions=True)
    approved = [o for o in outcomes if not isinstance(o, BaseException) and o.approved]
    refused = [o for o in outcomes if isinstance(o, ValidationError | DuplicateWarning)]
    assert len(approved) == 1 and len(refused) == 1, outcomes
    assert len(portal_gateway.sandbox.approved_sales()) == 1
    assert (await invoice_row(database, inv_id)).balance_minor == 0


async def test_staff_charging_an_echeck_token_send_the_customers_sec_code(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=50_00)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CHECK_FIELDS, kind="check")
        staff = make_service(database, secret_store, client)
        result = await staff.take_payment(PaymentRequest(inv_id, 50_00, check_payment(response, online=False)))
    assert result.approved, result.message
    async with database.sessions() as s:
        auth = (await s.scalars(select(AchAuthorization))).one()
        p = (await s.scalars(select(Payment))).one()
    assert auth.sec_code == "PPD" and p.source == "back_office"
    assert portal_gateway.sandbox.transactions[result.transaction_id].sec_code == "PPD"


async def test_a_business_account_paid_on_the_portal_is_ccd(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    """NACHA: WEB is a consumer's internet-authorised debit; a business account's debit is CCD however it was
    authorised (payapp.domain.ach.ONLINE_SEC_CODES)."""
    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=50_00)
    async with httpx.AsyncClient(timeout=30) as client:
        response = await tokenize(client, portal_gateway.url, CHECK_FIELDS, kind="check")
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        result = await svc.take_payment(PaymentRequest(inv_id, 50_00, check_payment(response, holder="business"),
                                                       source="client_portal"))
    assert result.approved, result.message
    async with database.sessions() as s:
        auth = (await s.scalars(select(AchAuthorization))).one()
    assert auth.sec_code == "CCD" and auth.wording_text.startswith("ACH debit authorization (CCD, one-time)")
    assert portal_gateway.sandbox.transactions[result.transaction_id].sec_code == "CCD"


async def test_a_method_a_portal_user_saved_is_theirs_alone(
        database: Database, secret_store: SecretStore, portal_gateway: ServedGateway) -> None:
    """Issue #17.4: saved by a signed-in contact, the method is owned by them (portal_method_owners); the engine
    refuses it to another contact of the same company and to a payment link's visitor, and charges it for them."""
    from payapp.models import PortalMethodOwner

    await enable_portal(database, secret_store, portal_gateway.url)
    inv_id = await make_invoice(database, total_minor=100_00)
    ada = await add_contact(database, inv_id)
    carol = await add_contact(database, inv_id)
    async with httpx.AsyncClient(timeout=30) as client:
        svc = make_service(database, secret_store, client, actor=PORTAL_ACTOR)
        token = await tokenize(client, portal_gateway.url, CARD_FIELDS)
        paid = await svc.take_payment(PaymentRequest(inv_id, 10_00, card_payment(token), save_method=True,
                                                     contact_id=ada, portal_user_id=ada, source="client_portal"))
        assert paid.approved
        async with database.sessions() as s:
            [method] = (await s.scalars(select(SavedPaymentMethod))).all()
            owner = await s.get(PortalMethodOwner, method.id)
        assert owner is not None and owner.contact_id == ada and method.is_active
        for who in (carol, None):
            with pytest.raises(ValidationError, match="saved payment method"):
                await svc.take_payment(PaymentRequest(inv_id, 11_00, SavedMethodRef(method.id), contact_id=who,
                                                      portal_user_id=who, source="client_portal"))
        again = await svc.take_payment(PaymentRequest(inv_id, 12_00, SavedMethodRef(method.id), contact_id=ada,
                                                      portal_user_id=ada, source="client_portal"))
        assert again.approved
