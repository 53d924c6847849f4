"""QuickBooks Desktop through the Web Connector, over real HTTP on loopback: PayApp's QBWC service (served by
uvicorn) and the sandbox's Web Connector client with its QuickBooks Desktop company. A full sync of the demo
company's invoices and payments, then a void and a refund: every record exactly once, QuickBooks numbers back on
PayApp's invoices; and the fault matrix (a session cut after QuickBooks did a request, the Web Connector
restarting, error statuses 3100 / 3200 / a passing one / an unknown one, an answer PayApp cannot read)."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from payapp.domain.messages import stored_text
from payapp.domain.outbox_jobs import JobKind
from payapp.models import Invoice, OutboxJob, Payment, QbwcExchange, QbwcSession, Refund
from payapp.models.db import Database
from payapp.sandbox.qbdesktop import QbDesktopCompany, WcFaults, WebConnectorClient
from payapp.services.demo_data import generate_demo_company
from payapp.services.secrets import SecretStore
from tests.integration.qbwc_helpers import (
    PASSWORD,
    USER,
    add_job,
    job_states,
    remember_password,
    seed_small,
    served_qbwc,
)


def client(url: str, http: httpx.AsyncClient, company: QbDesktopCompany, **kw: object) -> WebConnectorClient:
    return WebConnectorClient(url, http, company, user_name=USER, password=PASSWORD, **kw)  # type: ignore[arg-type]


async def enqueue_demo_jobs(db: Database) -> tuple[int, int]:
    """A push job for every demo invoice, then one for every payment that took money."""
    async with db.transaction() as s:
        invoices = (await s.scalars(select(Invoice.id).order_by(Invoice.id))).all()
        payments = (await s.scalars(select(Payment.id).where(Payment.status != "declined")
                                    .order_by(Payment.id))).all()
        for inv in invoices:
            s.add(OutboxJob(kind=JobKind.PUSH_INVOICE, payload=f'{{"invoice_id": {inv}}}', invoice_id=inv))
        for pid in payments:
            s.add(OutboxJob(kind=JobKind.PUSH_PAYMENT, payload=f'{{"payment_id": {pid}}}', payment_id=pid))
    return len(invoices), len(payments)


async def test_demo_company_full_sync_then_void_and_refund_exactly_once(
        sqlite_url: str, secret_store: SecretStore) -> None:
    generate_demo_company(sqlite_url, companies=2, years=1, seed=7)
    db = Database(sqlite_url)
    try:
        n_invoices, n_payments = await enqueue_demo_jobs(db)
        assert n_invoices > 10 and n_payments > 5
        remember_password(secret_store)
        company = QbDesktopCompany()
        with served_qbwc(sqlite_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=30) as http:
                wc = client(url, http, company)
                logs = await wc.run_until_idle()
                assert logs[-1].auth == "none" and all(not log.failed for log in logs)
                first = logs[0]
                assert first.calls[:4] == ["serverVersion", "clientVersion", "authenticate", "sendRequestXML"]
                assert first.calls[-1] == "closeConnection" and first.percents[-1] == 100
                assert all(0 < p <= 100 for p in first.percents)

                invoices = company.of_type("Invoice")
                async with db.sessions() as s:
                    rows = (await s.scalars(select(Invoice).order_by(Invoice.id))).all()
                assert len(invoices) == n_invoices
                assert sorted(i["RefNumber"] for i in invoices) == sorted(r.invoice_number for r in rows)
                by_ref = {i["RefNumber"]: i for i in invoices}
                for row in rows:            # QuickBooks' numbers and ids came back to PayApp's invoices
                    assert row.accounting_number == row.invoice_number
                    assert row.accounting_id == by_ref[row.invoice_number]["TxnID"]
                    assert row.sync_state == "synced"
                assert len(company.customers) == 2
                qb_payments = company.of_type("ReceivePayment")
                assert len(qb_payments) == n_payments
                async with db.sessions() as s:
                    pays = (await s.scalars(select(Payment).where(Payment.status != "declined"))).all()
                assert Counter(p["Memo"].split(" ")[1] for p in qb_payments) == Counter(p.order_id for p in pays)
                assert {p.accounting_sync_state for p in pays} == {"synced"}
                assert {p.accounting_id for p in pays} == {p["TxnID"] for p in qb_payments}

                # a void and a refund
                voided, refunded = pays[0], pays[1]
                await add_job(db, JobKind.VOID_PAYMENT, voided.id)
                await add_job(db, JobKind.REFUND_PAYMENT, refunded.id, amount_minor=12_34)
                logs = await wc.run_until_idle()
                assert logs[-1].auth == "none"
                (qb_voided,) = [p for p in company.of_type("ReceivePayment") if p["TxnID"] == voided.accounting_id]
                assert qb_voided["Amount"] == 0 and qb_voided["Memo"].startswith("VOID: ")
                (memo,) = company.of_type("CreditMemo")
                (refund,) = company.of_type("ARRefundCreditCard")
                assert str(memo["Amount"]) == "12.34" and refund["AppliedTo"] == memo["TxnID"]
                assert str(refund["Amount"]) == "12.34" and memo["Balance"] == 0
                # nothing more, and nothing twice
                assert (await wc.run_session()).auth == "none"
        assert len(company.of_type("Invoice")) == n_invoices
        assert len(company.of_type("ReceivePayment")) == n_payments
        assert await job_states(db) == {"done": n_invoices + n_payments + 2}
        async with db.sessions() as s:
            exchanges = (await s.scalars(select(QbwcExchange))).all()
            sessions = (await s.scalars(select(QbwcSession))).all()
        assert exchanges and all(e.status_code is not None and e.received_at for e in exchanges)
        assert all(sess.ended_at is not None for sess in sessions)
    finally:
        await db.dispose()


async def test_wrong_password_is_nvu_and_nothing_to_do_is_none(sqlite_url: str, secret_store: SecretStore,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    remember_password(secret_store)
    company = QbDesktopCompany()
    with served_qbwc(sqlite_url, secret_store) as url:
        async with httpx.AsyncClient(timeout=10) as http:
            wrong = await WebConnectorClient(url, http, company, user_name=USER, password="guess").run_session()
            assert wrong.auth == "nvu" and wrong.calls == ["serverVersion", "clientVersion", "authenticate"]
            other_user = await WebConnectorClient(url, http, company, user_name="admin",
                                                  password=PASSWORD).run_session()
            assert other_user.auth == "nvu"
            idle = await client(url, http, company).run_session()
            assert idle.auth == "none" and idle.calls[-1] == "closeConnection"
            # a SOAP body PayApp cannot read is a SOAP fault, not a crash
            resp = await http.post(url, content=b"<not-soap/>", headers={"Content-Type": "text/xml"})
            assert resp.status_code == 500 and b"faultstring" in resp.content
            resp = await http.post(url, content=b"\xff\xfe garbage")
            assert resp.status_code == 500
    assert "sign-in refused" in caplog.text               # logged, without the passwords typed
    assert PASSWORD not in caplog.text and "guess" not in caplog.text


@pytest.mark.parametrize("quickbooks_did_it", [True, False], ids=["processed", "never-reached-quickbooks"])
@pytest.mark.parametrize("cut_at", range(1, 9))
async def test_a_session_cut_between_request_and_answer_adds_nothing_twice(
        sqlite_url: str, secret_store: SecretStore, cut_at: int, quickbooks_did_it: bool) -> None:
    """Customer query/add, invoice query/add, payment query/add, void check/void: the session dies between
    request `cut_at` and its answer (after QuickBooks did it, or before it reached QuickBooks); the next
    sessions finish the work, every record once."""
    db = Database(sqlite_url)
    try:
        await seed_small(db)
        await add_job(db, JobKind.VOID_PAYMENT, 1)
        remember_password(secret_store)
        company = QbDesktopCompany()
        seen: list[str] = []
        faults = WcFaults()

        def on_request(request: str) -> None:
            seen.append(ET.fromstring(request)[0][0].tag)
            if len(seen) == cut_at:
                if quickbooks_did_it:
                    faults.cut_next = 1
                else:
                    faults.drop_next = 1

        with served_qbwc(sqlite_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company, faults=faults, on_request=on_request).run_until_idle()
        assert logs[0].cut and logs[-1].auth == "none"
        assert len(company.customers) == 1
        assert len(company.of_type("Invoice")) == 1
        (payment,) = company.of_type("ReceivePayment")
        assert payment["Amount"] == 0 and payment["Memo"].startswith("VOID: PayApp pa1-0001")
        assert await job_states(db) == {"done": 3}
        async with db.sessions() as s:
            inv = await s.get(Invoice, 1)
            pay = await s.get(Payment, 1)
        assert inv is not None and inv.accounting_number == "2026000001"
        assert pay is not None and pay.accounting_id == payment["TxnID"]
    finally:
        await db.dispose()


async def test_web_connector_restart_mid_session(db_url: str, secret_store: SecretStore) -> None:
    db = Database(db_url)
    try:
        await seed_small(db, payments=3)
        remember_password(secret_store)
        company = QbDesktopCompany()
        faults = WcFaults(restart_after=5)
        with served_qbwc(db_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company, faults=faults).run_until_idle()
        assert logs[0].cut and logs[-1].auth == "none"
        assert len(company.of_type("ReceivePayment")) == 3 and len(company.of_type("Invoice")) == 1
        assert await job_states(db) == {"done": 4}
    finally:
        await db.dispose()


async def test_name_in_use_matches_the_customer_added_meanwhile(sqlite_url: str, secret_store: SecretStore) -> None:
    """3100 on CustomerAdd: somebody added the customer in QuickBooks between PayApp's query and its add."""
    db = Database(sqlite_url)
    try:
        await seed_small(db, payments=0)
        remember_password(secret_store)
        company = QbDesktopCompany()

        def on_request(request: str) -> None:
            if "<CustomerAddRq" in request and not company.customers:
                company.process('<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerAddRq>'
                                "<CustomerAdd><Name>ACME DENTAL</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq>"
                                "</QBXML>")

        with served_qbwc(sqlite_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                await client(url, http, company, on_request=on_request).run_until_idle()
        assert "CustomerAdd" in company.requests and len(company.customers) == 1
        (inv,) = company.of_type("Invoice")
        assert inv["CustomerName"] == "ACME DENTAL"
        assert await job_states(db) == {"done": 1}
    finally:
        await db.dispose()


async def test_name_used_by_a_vendor_is_a_sync_problem(db_url: str, secret_store: SecretStore) -> None:
    db = Database(db_url)
    try:
        await seed_small(db, payments=1)
        remember_password(secret_store)
        company = QbDesktopCompany(other_names=["Acme Dental"])
        with served_qbwc(db_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company).run_until_idle()
        assert logs[-1].auth == "none" and not company.customers
        async with db.sessions() as s:
            jobs = (await s.scalars(select(OutboxJob).order_by(OutboxJob.id))).all()
            inv = await s.get(Invoice, 1)
            pay = await s.get(Payment, 1)
        assert jobs[0].status == "needs_attention" and "(status 3100)" in stored_text(jobs[0].last_error, "en")
        assert inv is not None and inv.sync_state == "failed"
        # the payment's job tried the customer too, and is a problem of its own
        assert jobs[1].status == "needs_attention" and pay is not None and pay.accounting_sync_state == "failed"
    finally:
        await db.dispose()


@pytest.mark.parametrize(("status", "message", "outcome"), [
    (3200, 'The provided edit sequence "1" is out-of-date.', "done"),
    (3180, "There was an error when saving a ReceivePayment: the record is in use.", "done"),   # passing: retried
    (3140, 'There is an invalid reference to QuickBooks Account "Checking" in the ReceivePayment.', "needs_attention"),
    (39999, "Something QuickBooks has never said before.", "needs_attention"),
])
async def test_error_statuses_on_a_write(sqlite_url: str, secret_store: SecretStore, status: int, message: str,
                                         outcome: str) -> None:
    db = Database(sqlite_url)
    try:
        await seed_small(db)
        remember_password(secret_store)
        company = QbDesktopCompany()
        armed: list[bool] = []

        def on_request(request: str) -> None:
            if "<ReceivePaymentAddRq" in request and not armed:
                armed.append(True)
                if status == 3200:
                    company.faults.stale_next = 1
                else:
                    company.faults.error_next.append((status, message))

        with served_qbwc(sqlite_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company, on_request=on_request).run_until_idle()
        assert logs[-1].auth == "none"
        async with db.sessions() as s:
            job = (await s.scalars(select(OutboxJob).where(OutboxJob.kind == JobKind.PUSH_PAYMENT))).one()
            pay = await s.get(Payment, 1)
        assert job.status == outcome
        assert len(company.of_type("ReceivePayment")) == (1 if outcome == "done" else 0)
        assert pay is not None
        if outcome == "needs_attention":
            assert f"(status {status})" in stored_text(job.last_error, "en") and pay.accounting_sync_state == "failed"
            assert message.split(":")[0][:30] in stored_text(pay.sync_error, "en")
        else:
            assert pay.accounting_sync_state == "synced"
    finally:
        await db.dispose()


async def test_an_unreadable_answer_is_asked_again(sqlite_url: str, secret_store: SecretStore) -> None:
    """QuickBooks' answer garbled on the way: negative percentage, getLastError, and the next session queries
    again (and finds the invoice QuickBooks did add)."""
    db = Database(sqlite_url)
    try:
        await seed_small(db, payments=0)
        remember_password(secret_store)
        company = QbDesktopCompany()
        real = company.process
        garbled: list[bool] = []

        def process(request: str) -> str:
            answer = real(request)
            if "<InvoiceAddRq" in request and not garbled:
                garbled.append(True)
                return answer[: len(answer) // 2]
            return answer

        company.process = process  # type: ignore[method-assign]
        with served_qbwc(sqlite_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company).run_until_idle()
        assert logs[0].percents[-1] < 0 and "cannot read" in logs[0].last_error
        assert logs[0].calls[-2:] == ["getLastError", "closeConnection"]
        assert len(company.of_type("Invoice")) == 1
        assert await job_states(db) == {"done": 1}
    finally:
        await db.dispose()


async def test_refund_after_cut_between_credit_memo_and_refund(db_url: str, secret_store: SecretStore) -> None:
    db = Database(db_url)
    try:
        await seed_small(db)
        async with db.transaction() as s:
            s.add(Refund(id=1, payment_id=1, kind="refund", amount_minor=40_00, currency="USD", status="approved",
                         order_id="rf1-0001"))
        await add_job(db, JobKind.REFUND_PAYMENT, 1, refund_id=1)
        remember_password(secret_store)
        company = QbDesktopCompany()
        faults = WcFaults()

        def on_request(request: str) -> None:
            if "<CreditMemoAddRq" in request or "<ARRefundCreditCardAddRq" in request:
                faults.cut_next = 1

        with served_qbwc(db_url, secret_store) as url:
            async with httpx.AsyncClient(timeout=10) as http:
                logs = await client(url, http, company, faults=faults, on_request=on_request).run_until_idle()
        assert sum(1 for log in logs if log.cut) == 2 and logs[-1].auth == "none"
        (memo,) = company.of_type("CreditMemo")
        (refund,) = company.of_type("ARRefundCreditCard")
        assert str(refund["Amount"]) == "40.00" and refund["AppliedTo"] == memo["TxnID"]
        assert await job_states(db) == {"done": 3}
    finally:
        await db.dispose()


def test_the_sandbox_company_persists(tmp_path: Path) -> None:
    company = QbDesktopCompany()
    company.process('<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><CustomerAddRq requestID="1">'
                    "<CustomerAdd><Name>Kept</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>")
    company.save(tmp_path / "qbd.json")
    again = QbDesktopCompany.persisted(tmp_path / "qbd.json")
    assert [c["Name"] for c in again.customers.values()] == ["Kept"]
    answer = again.process('<?xml version="1.0"?><QBXML><QBXMLMsgsRq><CustomerAddRq requestID="2"><CustomerAdd>'
                           "<Name>kept</Name></CustomerAdd></CustomerAddRq></QBXMLMsgsRq></QBXML>")
    assert 'statusCode="3100"' in answer


async def test_admin_set_up_password_and_qwc_file(sqlite_url: str, secret_store: SecretStore) -> None:
    from payapp.domain.errors import PermissionDenied, ValidationError
    from payapp.services.auth import CurrentUser
    from payapp.services.qbwc import QbwcService
    from payapp.services.secrets import Secret
    from payapp.services.settings import SettingsService
    from tests.conftest import ADMIN, VIEWER

    db = Database(sqlite_url)
    try:
        service = QbwcService(db, secret_store, SettingsService(db, secret_store, CurrentUser(ADMIN)))
        with pytest.raises(ValidationError):
            await service.generate_qwc()                  # no address yet
        with pytest.raises(ValidationError):
            await service.save_setup(connector="quickbooks_desktop", user_name="payapp",
                                     app_url="http://payapp.example.com/qbwc", run_every_minutes=15)
        with pytest.raises(ValidationError):
            await service.save_setup(connector="quickbooks_desktop", user_name="payapp",
                                     app_url="https://payapp.example.com/qbwc", run_every_minutes=15,
                                     password=Secret("short"))
        await service.save_setup(connector="quickbooks_desktop", user_name="office", run_every_minutes=30,
                                 app_url="https://payapp.example.com/qbwc", password=Secret(PASSWORD))
        setup = await service.setup()
        assert setup.connector == "quickbooks_desktop" and setup.password_set and setup.user_name == "office"
        assert await service.authenticate("office", PASSWORD) != ("", "nvu")
        assert await service.authenticate("office", PASSWORD + "x") == ("", "nvu")
        first = ET.fromstring(await service.generate_qwc())
        second = ET.fromstring(await service.generate_qwc())
        assert first.findtext("AppURL") == "https://payapp.example.com/qbwc"
        assert first.findtext("UserName") == "office" and first.findtext("QBType") == "QBFS"
        assert first.findtext("Scheduler/RunEveryNMinutes") == "30"
        owner = first.findtext("OwnerID") or ""
        assert owner.startswith("{") and owner.endswith("}") and owner != second.findtext("OwnerID")
        assert first.findtext("FileID") != second.findtext("FileID")
        assert (await service.setup()).owner_id == second.findtext("OwnerID")
        assert PASSWORD not in ET.tostring(first, encoding="unicode")
        viewer = QbwcService(db, secret_store, SettingsService(db, secret_store, CurrentUser(VIEWER)))
        with pytest.raises(PermissionDenied):
            await viewer.save_setup(connector="quickbooks_online", user_name="x", app_url="", run_every_minutes=5,
                                    password=Secret("another password"))
        assert await service.authenticate("office", PASSWORD) != ("", "nvu")     # unchanged
    finally:
        await db.dispose()


def test_payapp_sandbox_which_qbwc_runs_the_web_connector(sqlite_url: str, secret_store: SecretStore,
                                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from payapp.__main__ import main

    async def seed() -> None:
        db = Database(sqlite_url)
        await seed_small(db)
        await db.dispose()

    asyncio.run(seed())
    remember_password(secret_store)
    monkeypatch.setenv("PAYAPP_QBWC_PASSWORD", PASSWORD)
    state = tmp_path / "qbd.json"
    with served_qbwc(sqlite_url, secret_store) as url:
        assert main(["sandbox", "--which", "qbwc", "--url", url, "--user", USER, "--state", str(state)]) == 0
    out = capsys.readouterr().out
    assert f"polling {url}" in out and "session 2: authenticate → none" in out and PASSWORD not in out
    company = QbDesktopCompany.persisted(state)
    assert len(company.of_type("Invoice")) == 1 and len(company.of_type("ReceivePayment")) == 1


async def test_the_portal_server_serves_the_web_connector_at_qbwc(sqlite_url: str, tmp_path: Path) -> None:
    """`payapp portal --qbwc`: the team's server answers the Web Connector at /qbwc, with the password from the
    server's secrets file, and is the portal everywhere else."""
    import json
    import os

    from payapp.app import build_portal
    from payapp.config import AppConfig
    from payapp.portal.file_keyring import FileKeyring
    from payapp.services.demo_data import write_demo_settings
    from tests.servers import serve_asgi

    db = Database(sqlite_url)
    try:
        await seed_small(db)
        write_demo_settings(sqlite_url, {"accounting.connector": "quickbooks_desktop"})
        secrets_file = tmp_path / "secrets.json"
        secrets_file.write_text(json.dumps({"portal.session_secret": "s" * 40, "qbwc.password": PASSWORD}))
        os.chmod(secrets_file, 0o600)
        config = AppConfig(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=sqlite_url,
                           demo=False)
        portal = build_portal(config, public_url="http://127.0.0.1", keyring_backend=FileKeyring(secrets_file),
                              qbwc=True)
        company = QbDesktopCompany()
        with serve_asgi(portal.app, lifespan="on", proxy_headers=False, server_header=False) as base:
            async with httpx.AsyncClient(timeout=10) as http:
                assert (await http.get(f"{base}/healthz")).status_code == 200
                logs = await client(f"{base}/qbwc", http, company).run_until_idle()
        assert logs[-1].auth == "none" and len(company.of_type("ReceivePayment")) == 1
        assert await job_states(db) == {"done": 2}
    finally:
        await db.dispose()


async def test_an_add_is_allowed_only_in_the_session_whose_query_found_nothing(
        sqlite_url: str, secret_store: SecretStore) -> None:
    """The session ends right after "no such invoice" (before the add is handed out); meanwhile somebody enters
    the invoice in QuickBooks by hand. The next session queries again and adopts it instead of adding a second."""
    from payapp.services.qbwc import QbwcService
    from tests.integration.qbwc_helpers import DesktopSettings

    db = Database(sqlite_url)
    try:
        await seed_small(db, payments=0)
        remember_password(secret_store)
        service = QbwcService(db, secret_store, DesktopSettings())
        company = QbDesktopCompany()
        ticket, where = await service.authenticate(USER, PASSWORD)
        assert ticket and where == ""
        kinds = []
        while True:
            request = await service.send_request_xml(ticket)
            kinds.append(ET.fromstring(request)[0][0].tag)
            await service.receive_response_xml(ticket, company.process(request))
            if kinds[-1] == "InvoiceQueryRq":
                break                       # the Web Connector stops here
        assert kinds == ["CustomerQueryRq", "CustomerAddRq", "InvoiceQueryRq"]
        (customer,) = company.customers.values()
        company.process('<?xml version="1.0"?><QBXML><QBXMLMsgsRq onError="stopOnError"><InvoiceAddRq><InvoiceAdd>'
                        f"<CustomerRef><ListID>{customer['ListID']}</ListID></CustomerRef>"
                        "<RefNumber>2026000001</RefNumber><InvoiceLineAdd><ItemRef><FullName>Services</FullName>"
                        "</ItemRef><Amount>250.00</Amount></InvoiceLineAdd></InvoiceAdd></InvoiceAddRq>"
                        "</QBXMLMsgsRq></QBXML>")
        ticket2, _ = await service.authenticate(USER, PASSWORD)
        request = await service.send_request_xml(ticket2)
        assert "<InvoiceQueryRq" in request                 # not the add the old session was allowed
        assert await service.receive_response_xml(ticket2, company.process(request)) == 100
        assert await service.send_request_xml(ticket2) == ""
        assert len(company.of_type("Invoice")) == 1
        assert await job_states(db) == {"done": 1}
        assert "1 request(s), 0 error(s)" in await service.close_connection(ticket2)
    finally:
        await db.dispose()


async def test_the_desktop_app_answers_the_web_connector_on_localhost(sqlite_url: str, tmp_path: Path) -> None:
    """QuickBooks on the same computer: with "answer from this app" saved, the app context serves the QBWC
    service on 127.0.0.1 (its own thread and loop) until the app closes."""
    from payapp.app import build_context
    from payapp.config import AppConfig
    from payapp.services.demo_data import write_demo_settings
    from payapp.services.memory_keyring import MemoryKeyring
    from tests.conftest import TEST_ALLOWED_BACKENDS
    from tests.servers import free_port

    db = Database(sqlite_url)
    try:
        await seed_small(db)
    finally:
        await db.dispose()
    port = free_port()
    write_demo_settings(sqlite_url, {"accounting.connector": "quickbooks_desktop", "qbwc.serve_locally": True,
                                     "qbwc.local_port": port})
    config = AppConfig(data_dir=tmp_path / "data", log_dir=tmp_path / "logs", database_url=sqlite_url, demo=False)
    ctx = build_context(config, keyring_backend=MemoryKeyring(), allow_backends=TEST_ALLOWED_BACKENDS)
    try:
        remember_password(ctx.services.secrets)
        await ctx.sync_local_qbwc()
        assert ctx.local_qbwc is not None and await ctx.local_qbwc.wait_started()
        company = QbDesktopCompany()
        async with httpx.AsyncClient(timeout=10) as http:
            logs = await client(f"http://127.0.0.1:{port}/qbwc", http, company).run_until_idle()
        assert logs[-1].auth == "none" and len(company.of_type("ReceivePayment")) == 1
        write_demo_settings(sqlite_url, {"qbwc.serve_locally": False})
        await ctx.sync_local_qbwc()
        assert not ctx.local_qbwc.running
        async with httpx.AsyncClient(timeout=2) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(f"http://127.0.0.1:{port}/qbwc")
        write_demo_settings(sqlite_url, {"qbwc.serve_locally": True})
        await ctx.sync_local_qbwc()
        assert await ctx.local_qbwc.wait_started()
    finally:
        await ctx.aclose()
    assert ctx.local_qbwc is not None and not ctx.local_qbwc.running
