"""After a run of card and eCheck payments (with faults), no card number, CVV, account number or key
appears in any log record (everything captured at DEBUG) or anywhere in the database."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from payapp.models.db import Database
from payapp.services.payments import PaymentRequest
from payapp.services.secrets import SecretStore
from tests.payment_helpers import (
    AMEX,
    MASTERCARD,
    SECRET_VALUES,
    ServedGateway,
    bank,
    card,
    configure_processing,
    gateway_declines,
    make_invoice,
    make_service,
)

CVVS = ("4321",)      # Amex (4 digits); 3-digit CVVs are too short to search for without false hits


def _found(secret: str, haystack: str) -> bool:
    """A secret as a token of its own (not inside a longer digit run such as a timestamp)."""
    return re.search(rf"(?<![0-9]){re.escape(secret)}(?![0-9])", haystack) is not None


async def _dump_database(db: Database) -> str:
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        parts = []
        for t in tables:
            rows = (await conn.execute(text(f'SELECT * FROM "{t}"'))).all()
            parts.append(repr(rows))
    return "\n".join(parts)


async def test_no_secrets_in_logs_or_database(database: Database, db_url: str, secret_store: SecretStore,
                                              served_gateway: ServedGateway, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await configure_processing(database, secret_store, served_gateway.url)
    inv_id = await make_invoice(database, total_minor=1_000_00)
    async with httpx.AsyncClient(timeout=0.5) as client:
        svc = make_service(database, secret_store, client)
        await svc.take_payment(PaymentRequest(inv_id, 10_00, card(cvv="999"), save_method=True))
        await svc.take_payment(PaymentRequest(inv_id, 11_00, card(AMEX, cvv=CVVS[0])))
        await svc.take_payment(PaymentRequest(inv_id, 12_00, bank(), save_method=True))
        await svc.take_payment(PaymentRequest(inv_id, 13_00, bank(account="99990000", routing="123123123")))
        with gateway_declines(served_gateway.sandbox):
            await svc.take_payment(PaymentRequest(inv_id, 16_00, card(MASTERCARD)))     # declined
        served_gateway.sandbox.add_fault("lose_answer")
        await svc.take_payment(PaymentRequest(inv_id, 14_00, card(MASTERCARD)))
        served_gateway.sandbox.add_fault("garbage")
        await svc.take_payment(PaymentRequest(inv_id, 15_00, card(MASTERCARD)))
        served_gateway.sandbox.settle_now()
        await svc.check_settlements()
        await svc.reconcile_undecided()
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    dump = await _dump_database(database)
    for secret in (*SECRET_VALUES, *CVVS):
        assert not _found(secret, logged), "a secret was logged"
        assert not _found(secret, dump), "a secret is in the database"
    assert "1111" in dump                         # last four are kept (display data), which is fine
    if database.is_sqlite:
        path = Path(make_url(db_url).database or "")
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))   # file, -wal, -shm
        for secret in (*SECRET_VALUES, *CVVS):
            assert not _found(secret, raw.decode("latin-1")), "a secret is in the SQLite file or its WAL"
