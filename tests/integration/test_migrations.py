"""The migrations produce exactly the ORM's schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import payapp.models  # noqa: F401
from payapp.migrations import HEAD_REVISION, alembic_config, current_revision, is_at_head, upgrade, upgrade_if_needed
from payapp.models.base import Base
from payapp.models.db import null_pool_sync_engine


def test_migrated_schema_equals_orm(db_url: str) -> None:
    engine = null_pool_sync_engine(db_url)
    try:
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_upgrade_is_idempotent_and_reaches_head(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current_revision(db_url) == HEAD_REVISION


def test_head_revision_constant_is_alembics_head() -> None:
    """HEAD_REVISION lets start-up skip Alembic; a new migration must move it too."""
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert script.get_heads() == [HEAD_REVISION]


def test_upgrade_if_needed_runs_only_when_behind(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'payapp.db'}"
    assert not is_at_head(url)                          # no file yet
    upgrade(url, "0001")
    assert not is_at_head(url)                          # one migration behind
    upgrade_if_needed(url)
    assert is_at_head(url) and current_revision(url) == HEAD_REVISION


def test_0005_gateway_keeps_the_first_charge_of_cards_saved_before(db_url: str) -> None:
    """Saved cards from before 0005_gateway get the transaction id of the charge that saved them (stored
    credentials need it as initial_transaction_id); eChecks and cards never charged keep ""."""
    import datetime as dt

    from alembic import command
    from sqlalchemy import insert, select

    from payapp.models import Company, Invoice, Payment, SavedPaymentMethod

    engine = null_pool_sync_engine(db_url)
    t0 = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            cid = conn.execute(insert(Company).values(name="Acme")).inserted_primary_key[0]
            iid = conn.execute(insert(Invoice).values(
                company_id=cid, company_name="Acme", invoice_number="I-1", invoice_date=t0.date(), currency="USD",
                total_minor=100, balance_minor=100, status="open")).inserted_primary_key[0]
            methods = [conn.execute(insert(SavedPaymentMethod).values(
                company_id=cid, gateway="nmi", vault_id=f"v{n}", method=kind, last_four="1111",
                created_at=t0)).inserted_primary_key[0] for n, kind in enumerate(("card", "card", "echeck"))]
            for n, (method_id, status, txn, minutes) in enumerate([
                    (methods[0], "declined", "900", 0), (methods[0], "settled", "901", 1),
                    (methods[0], "approved", "902", 2), (methods[1], "error", "", 0),
                    (methods[2], "approved", "903", 0)]):
                conn.execute(insert(Payment).values(
                    order_id=f"o{n}", invoice_id=iid, company_id=cid, company_name="Acme", invoice_number="I-1",
                    gateway="nmi", amount_minor=100, currency="USD", method="card", saved_method_id=method_id,
                    status=status, transaction_id=txn, created_at=t0 + dt.timedelta(minutes=minutes)))
        with engine.begin() as conn:
            cfg = alembic_config(db_url)
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0003")
        upgrade(db_url)
        with engine.connect() as conn:
            got = conn.execute(select(SavedPaymentMethod.id, SavedPaymentMethod.initial_transaction_id)
                               .order_by(SavedPaymentMethod.id)).all()
            links = conn.execute(select(Payment.saved_method_id).order_by(Payment.id)).scalars().all()
    finally:
        engine.dispose()
    assert [row[1] for row in got] == ["901", "", ""]
    # payments still name their saved method (a SQLite table copy would have fired ON DELETE SET NULL)
    assert links == [methods[0], methods[0], methods[0], methods[1], methods[2]]
