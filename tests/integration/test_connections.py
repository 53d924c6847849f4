"""Connections (credentials in the keyring, fingerprints in the database, Test buttons, QuickBooks Connect
in demo mode) and the headless `payapp sync` entry point, against both sandboxes in process."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, update

from payapp.app import demo_credentials, headless_sync
from payapp.domain.messages import english
from payapp.models import Invoice, OutboxJob
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.sandbox.autotask import (
    DEMO_API_USER,
    DEMO_INTEGRATION_CODE,
    DEMO_SECRET,
    AutotaskSandbox,
)
from payapp.sandbox.quickbooks import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, QuickBooksSandbox
from payapp.services.auth import CurrentUser
from payapp.services.connections import QB_REFRESH, ConnectionsService
from payapp.services.secrets import Secret, SecretStore
from payapp.services.settings import SettingsService

AT = "https://autotask.sandbox.test/atservicesrest"
QB = "https://quickbooks.sandbox.test"
QB_AUTH = "https://oauth.sandbox.test"


async def configure(database: Database, secret_store: SecretStore, current_user: CurrentUser,
                    http: httpx.AsyncClient) -> ConnectionsService:
    settings = SettingsService(database, secret_store, current_user)
    await settings.set_many({"autotask.base_url": AT, "quickbooks.base_url": QB, "quickbooks.auth_base_url": QB_AUTH,
                             "currency": "USD"})
    conn = ConnectionsService(database, settings, secret_store, current_user, http, demo=True,
                              demo_credentials=demo_credentials())
    await conn.save_autotask(api_user=DEMO_API_USER, secret=Secret(DEMO_SECRET),
                             integration_code=Secret(DEMO_INTEGRATION_CODE))
    await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET))
    return conn


async def test_connections_save_test_and_connect(database: Database, secret_store: SecretStore,
                                                 current_user: CurrentUser, http: httpx.AsyncClient,
                                                 sandboxes: tuple[AutotaskSandbox, QuickBooksSandbox]) -> None:
    conn = await configure(database, secret_store, current_user, http)
    status = await conn.autotask_status()
    assert status.configured and status.on_this_workstation
    assert DEMO_SECRET not in repr(status)
    ok, message = await conn.test_autotask()
    assert ok, message
    assert message.id == "autotask.connected" and "autotask.sandbox.test" in message.english()

    not_demo = ConnectionsService(database, SettingsService(database, secret_store, current_user), secret_store,
                                  current_user, http)
    ok, message = await not_demo.test_quickbooks()
    assert not ok and "Reconnect QuickBooks" in message.english()
    await conn.connect_demo()
    # issue #15.10: the connected company is named as QuickBooks has it (CompanyInfo), not only by its realm id
    assert (await conn.quickbooks_status()).company_name == sandboxes[1].company_name
    sandboxes[1].company_name = "Renamed Dental Group, Inc."
    ok, message = await conn.test_quickbooks()
    assert ok and "Renamed Dental Group" in message.english()
    assert (await conn.quickbooks_status()).company_name == "Renamed Dental Group, Inc."     # Test reads it again
    qb_status = await conn.quickbooks_status()
    assert qb_status.connected and qb_status.realm_id == sandboxes[1].realm_id

    # rotation: an expired access token is refreshed and the new refresh token is in the keyring
    before = secret_store.get(QB_REFRESH)
    sandboxes[1].expire_access_tokens()
    assert (await conn.test_quickbooks())[0]
    after = secret_store.get(QB_REFRESH)
    assert after is not None and after != before and after.reveal() in sandboxes[1].refresh_tokens

    # a wrong secret: a clear message, nothing leaks
    await conn.save_autotask(api_user=DEMO_API_USER, secret=Secret("wrong-secret"))
    ok, message = await conn.test_autotask()
    assert not ok and "refused" in message.english() and "wrong-secret" not in message.english()


async def test_state_must_match(database: Database, secret_store: SecretStore, current_user: CurrentUser,
                                http: httpx.AsyncClient) -> None:
    conn = await configure(database, secret_store, current_user, http)
    url, state = await conn.start_authorization("http://127.0.0.1:5000/callback")
    assert "state=" + state in url and "client_id=" + DEMO_CLIENT_ID in url
    from payapp.domain.errors import ValidationError

    with pytest.raises(ValidationError, match="not the one PayApp started"):
        await conn.complete_authorization("code", "forged-state", "9130350000000001")


async def test_headless_sync_pulls_and_pushes(sqlite_url: str, secret_store: SecretStore, current_user: CurrentUser,
                                              http: httpx.AsyncClient,
                                              sandboxes: tuple[AutotaskSandbox, QuickBooksSandbox]) -> None:
    db = Database(sqlite_url)
    try:
        conn = await configure(db, secret_store, current_user, http)
        await conn.connect_demo()
    finally:
        await db.dispose()
    result = await headless_sync(sqlite_url, secret_store, http, demo=True)
    at, qb = sandboxes
    assert result.sync.counts["invoices"] == 30
    not_voided = sum(1 for r in at.data["Invoices"] if not r["isVoided"])
    assert result.outbox_done == not_voided and result.outbox_problems == 0
    assert len(qb.all("Invoice")) == not_voided
    db = Database(sqlite_url)
    try:
        async with db.sessions() as s:
            numbered = (await s.execute(select(func.count()).select_from(Invoice)
                                        .where(Invoice.accounting_number.is_not(None)))).scalar_one()
            pending = (await s.execute(select(func.count()).select_from(OutboxJob)
                                       .where(OutboxJob.status != "done"))).scalar_one()
    finally:
        await db.dispose()
    assert numbered == not_voided and pending == 0


async def test_run_headless_sync_demo_exit_code(sqlite_url: str, secret_store: SecretStore,
                                                current_user: CurrentUser) -> None:
    from types import SimpleNamespace

    from payapp.app import run_headless_sync

    db = Database(sqlite_url)
    try:
        await SettingsService(db, secret_store, current_user).set_many({
            "autotask.base_url": AT, "quickbooks.base_url": QB, "quickbooks.auth_base_url": QB_AUTH,
            "currency": "USD"})
    finally:
        await db.dispose()
    lines: list[str] = []
    code = await run_headless_sync(SimpleNamespace(database_url=sqlite_url, demo=True), out=lines.append)
    assert code == 0, lines
    assert any(line.startswith("Synced (full)") for line in lines)
    assert any("need attention" in line for line in lines)


async def test_a_moved_autotask_zone_is_found_again_and_stored(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        sandboxes: tuple[AutotaskSandbox, QuickBooksSandbox]) -> None:
    """Zones move (#13.13): the 401 of the cached zone leads to one zone look-up, the call succeeds there, and the
    new zone is what the next connector starts from (settings), not the credentials called bad."""
    conn = await configure(database, secret_store, current_user, http)
    assert (await conn.test_autotask())[0]
    old = (await conn.autotask_status()).zone_url
    assert old.endswith("/atservicesrest")
    sandboxes[0].move_zone()
    ok, message = await conn.test_autotask()
    assert ok, message
    new = (await conn.autotask_status()).zone_url
    assert new != old and new.endswith("/zone2/atservicesrest")
    again = ConnectionsService(database, SettingsService(database, secret_store, current_user), secret_store,
                               current_user, http)
    assert await (await again.autotask()).zone_url() == new


async def test_demo_factories_connect_by_themselves(database: Database, secret_store: SecretStore,
                                                    current_user: CurrentUser, http: httpx.AsyncClient) -> None:
    settings = SettingsService(database, secret_store, current_user)
    await settings.set_many({"autotask.base_url": AT, "quickbooks.base_url": QB, "quickbooks.auth_base_url": QB_AUTH})
    conn = ConnectionsService(database, settings, secret_store, current_user, http, demo=True,
                              demo_credentials=demo_credentials())
    assert (await conn.test_autotask())[0]
    assert (await conn.test_quickbooks())[0]


async def test_no_connection_secrets_or_tokens_in_logs_or_database(
        database: Database, secret_store: SecretStore, current_user: CurrentUser, http: httpx.AsyncClient,
        sandboxes: tuple[AutotaskSandbox, QuickBooksSandbox], caplog: pytest.LogCaptureFixture) -> None:
    """Autotask's secret and integration code, the QuickBooks client secret and every access and refresh
    token (also rotated ones) live only in the keyring: not in a log record, not in any table."""
    import logging

    from payapp.services.connections import QB_ACCESS
    from payapp.services.outbox import OutboxWorker
    from payapp.services.sync import SyncService
    from tests.integration.test_payment_secrets import _dump_database, _found

    caplog.set_level(logging.DEBUG)
    conn = await configure(database, secret_store, current_user, http)
    await conn.connect_demo()
    tokens = {secret_store.get(QB_REFRESH).reveal(), secret_store.get(QB_ACCESS).reveal()}  # type: ignore[union-attr]
    sandboxes[1].expire_access_tokens()                   # the push below refreshes and rotates
    await SyncService(database, conn.autotask, conn.quickbooks, conn._settings, current_user).run()
    await OutboxWorker(database, conn.quickbooks, conn.autotask, current=current_user).drain()
    tokens |= {secret_store.get(QB_REFRESH).reveal(), secret_store.get(QB_ACCESS).reveal()}  # type: ignore[union-attr]
    assert len(tokens) == 4 and len(sandboxes[1].all("Invoice")) > 0
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records)
    dump = await _dump_database(database)
    for secret in (DEMO_SECRET, DEMO_INTEGRATION_CODE, DEMO_CLIENT_SECRET, *tokens):
        for token in {secret, *(part for part in secret.split('"') if len(part) > 20)}:
            assert not _found(token, logged), "a connection secret was logged"
            assert not _found(token, dump), "a connection secret is in the database"


async def test_reconnecting_quickbooks_sends_the_held_back_jobs_at_once(tmp_path: Path) -> None:
    """QuickBooks refuses the sign-in (invalid_grant) while a payment waits to be pushed: the outbox holds the
    job back for five minutes. Connecting again (what Admin › Connections does) wakes the worker, as the
    composition root wires it, and the job reaches the QuickBooks sandbox within seconds."""
    from payapp.app import build_context
    from payapp.config import load_config
    from payapp.domain.outbox_jobs import JobKind
    from payapp.services.payments import PaymentRequest
    from tests.payment_helpers import card

    ctx = build_context(load_config(demo=True, data_dir=tmp_path / "app"))
    services = ctx.services
    conn, outbox, payments = services.connections, services.outbox, services.payments
    assert conn is not None and outbox is not None and payments is not None
    qb_sandbox = ctx.sandboxes["quickbooks"][0]
    worker: asyncio.Task[None] | None = None
    try:
        await conn.setup_demo()
        async with services.db.transaction() as s:        # whatever the demo company left to send is sent
            await s.execute(update(OutboxJob).where(OutboxJob.status == "pending").values(status="done"))
        qb_sandbox.revoke()                                 # e.g. the refresh token expired: invalid_grant
        async with services.db.sessions() as s:
            invoice = int((await s.scalars(select(Invoice.id).where(  # not in QuickBooks yet: pushed with it
                Invoice.balance_minor >= 50_00, Invoice.is_voided.is_(False), Invoice.accounting_id.is_(None))
                .limit(1))).one())
        paid = await payments.take_payment(PaymentRequest(invoice, 12_34, card()))
        assert paid.approved

        async def push_job() -> OutboxJob:
            async with services.db.sessions() as s:
                return (await s.scalars(select(OutboxJob).where(OutboxJob.payment_id == paid.payment_id,
                                                                OutboxJob.kind == JobKind.PUSH_PAYMENT))).one()

        worker = asyncio.create_task(outbox.run_forever())
        outbox.wake()
        deadline = time.monotonic() + 10
        while "Reconnect QuickBooks" not in english(outbox.stopped_reason):
            assert time.monotonic() < deadline, "the worker never found QuickBooks disconnected"
            await asyncio.sleep(0.02)
        await asyncio.sleep(0.2)                            # the run writes its outcome
        held = await push_job()
        assert held.status == "pending" and held.attempts == 0
        assert held.next_attempt_at > utcnow() + dt.timedelta(minutes=4)      # held back for five minutes

        await conn.connect_demo()                           # the admin reconnects QuickBooks
        deadline = time.monotonic() + 5
        while (job := await push_job()).status != "done":
            assert job.status == "pending" and time.monotonic() < deadline, f"held job: {job.status}, {job.last_error}"
            await asyncio.sleep(0.05)
        assert any(str(p.get("PrivateNote", "")).startswith(f"PayApp {paid.order_id}")
                   for p in qb_sandbox.all("Payment"))
        assert outbox.stopped_reason == ""
    finally:
        if worker is not None:
            worker.cancel()
            with contextlib.suppress(BaseException):
                await worker
        await ctx.aclose()


async def test_saving_a_new_quickbooks_secret_counts_as_a_change_of_sign_in(tmp_path: Path) -> None:
    """A wrong client secret is one reason QuickBooks refuses the sign-in: saving a new one forgets the problem
    Test connection found and tells the listeners (the outbox then sends the jobs it held back); saving only
    the client id does neither."""
    from payapp.app import build_context
    from payapp.config import load_config

    ctx = build_context(load_config(demo=True, data_dir=tmp_path / "app"))
    conn = ctx.services.connections
    assert conn is not None
    calls: list[int] = []
    conn.on_quickbooks_connected(lambda: calls.append(1))
    try:
        await conn.setup_demo()
        calls.clear()
        ctx.sandboxes["quickbooks"][0].revoke()             # e.g. the app's secret was rotated at Intuit
        ok, _message = await conn.test_quickbooks()
        assert not ok and (await conn.quickbooks_status()).problem
        await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID)
        assert calls == [] and (await conn.quickbooks_status()).problem
        await conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET))
        assert calls == [1] and (await conn.quickbooks_status()).problem is None
    finally:
        await ctx.aclose()
