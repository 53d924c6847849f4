"""Connections page, sync status widget and sync problems dialog, driven on the qasync loop against the
real services and the in-process Autotask/QuickBooks sandboxes."""

from __future__ import annotations

import asyncio
import urllib.parse
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from payapp.app import demo_credentials
from payapp.domain.messages import Message, msg
from payapp.models import Company, Invoice, OutboxJob
from payapp.models.db import Database
from payapp.sandbox.autotask import (
    DEMO_API_USER,
    DEMO_INTEGRATION_CODE,
    DEMO_SECRET,
    AutotaskSandbox,
    create_autotask_app,
)
from payapp.sandbox.quickbooks import DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, QuickBooksSandbox, create_quickbooks_app
from payapp.services.auth import CurrentUser
from payapp.services.connections import ConnectionsService
from payapp.services.outbox import OutboxWorker
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from payapp.services.sync import SyncService
from payapp.ui.admin.connections_page import ConnectionsPage
from payapp.ui.sync_problems import PROBLEM, SyncProblemsDialog
from payapp.ui.sync_status import SyncStatusWidget
from tests.ui.conftest import wait_until

AT = "https://autotask.sandbox.test/atservicesrest"
QB = "https://quickbooks.sandbox.test"


class Env:
    def __init__(self, db: Database, http: httpx.AsyncClient, settings: SettingsService,
                 connections: ConnectionsService, qb: QuickBooksSandbox) -> None:
        self.db, self.http, self.settings, self.connections, self.qb = db, http, settings, connections, qb


@pytest.fixture
def env(sqlite_url: str, secret_store: SecretStore, current_user: CurrentUser,
        run: Callable[[Awaitable[Any]], Any]) -> Iterator[Env]:
    qb_sandbox = QuickBooksSandbox()
    qb_app = create_quickbooks_app(qb_sandbox)
    mounts = {"all://autotask.sandbox.test": httpx.ASGITransport(app=create_autotask_app(
        AutotaskSandbox(companies=4, invoices=20))),
        "all://quickbooks.sandbox.test": httpx.ASGITransport(app=qb_app)}
    db = Database(sqlite_url)
    http = httpx.AsyncClient(mounts=mounts)
    settings = SettingsService(db, secret_store, current_user)
    run(settings.set_many({"autotask.base_url": AT, "quickbooks.base_url": QB, "quickbooks.auth_base_url": QB,
                           "currency": "USD"}))
    yield Env(db, http, settings, ConnectionsService(db, settings, secret_store, current_user, http, demo=True,
                                                     demo_credentials=demo_credentials()),
              qb_sandbox)
    run(http.aclose())
    run(db.dispose())


def test_connections_page_masks_and_tests(qtbot: Any, env: Env, run: Callable[[Awaitable[Any]], Any]) -> None:
    page = ConnectionsPage(env.connections, env.settings)
    qtbot.addWidget(page)
    run(page.wait_ready())
    secret = page.findChild(QLineEdit, "autotaskSecretEdit")
    assert secret.echoMode() == QLineEdit.EchoMode.Password
    assert secret.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu and not secret.dragEnabled()
    page.findChild(QLineEdit, "autotaskUserEdit").setText(DEMO_API_USER)
    secret.setText(DEMO_SECRET)
    page.findChild(QLineEdit, "autotaskCodeEdit").setText(DEMO_INTEGRATION_CODE)

    async def save_and_test() -> None:
        page.at_save.click()
        await wait_until(lambda: page.banner.kind is not None)
        await wait_until(lambda: page.at_secret.stack.currentIndex() == 1)
        page.at_test.click()
        await wait_until(lambda: page.at_result.text().startswith(("✔", "✖")))

    run(save_and_test())
    assert page.banner.kind == "success", page.banner.text
    assert secret.text() == "" and "Configured · fingerprint" in page.at_secret.status.text()
    assert page.at_result.text().startswith("✔"), page.at_result.text()

    page.qb_client.setText(DEMO_CLIENT_ID)
    page.qb_secret.edit.setText(DEMO_CLIENT_SECRET)

    async def connect() -> None:
        page.qb_save.click()
        await wait_until(lambda: page.qb_secret.stack.currentIndex() == 1)
        page.banner.clear()
        page.qb_connect.click()
        await wait_until(lambda: page.banner.kind is not None)
        await wait_until(lambda: page.qb_state.text().startswith("Connected"))

    run(connect())
    assert page.banner.kind == "success", page.banner.text


def test_sync_widget_runs_and_problems_dialog(qtbot: Any, env: Env, current_user: CurrentUser,
                                             run: Callable[[Awaitable[Any]], Any]) -> None:
    from payapp.sandbox.autotask import DEMO_API_USER as USER
    from payapp.services.secrets import Secret

    run(env.connections.save_autotask(api_user=USER, secret=Secret(DEMO_SECRET),
                                      integration_code=Secret(DEMO_INTEGRATION_CODE)))
    sync = SyncService(env.db, env.connections.autotask, env.connections.quickbooks, env.settings, current_user)
    worker = OutboxWorker(env.db, env.connections.quickbooks, env.connections.autotask, current=current_user)
    widget = SyncStatusWidget(sync, worker)
    qtbot.addWidget(widget)
    done: list[bool] = []
    widget.sync_finished.connect(done.append)
    widget.sync_button.click()
    run(wait_until(lambda: bool(done), 15))
    assert done == [True] and widget.label.text().startswith("Synced at"), widget.label.text()
    assert not widget.progress.isVisible() and not widget.cancel_button.isVisible()

    async def make_problem() -> None:
        async with env.db.transaction() as s:
            inv = (await s.scalars(Invoice.__table__.select().limit(1))).first()
            company = await s.get(Company, 1)
            assert inv is not None and company is not None
            s.add(OutboxJob(kind="accounting.push_invoice", payload='{"invoice_id": 1}', invoice_id=1,
                            status="needs_attention", attempts=8, last_error="QuickBooks refused it: boom"))
        await widget.refresh_problems()

    run(make_problem())
    assert widget.problems_button.isVisibleTo(widget) and "1" in widget.problems_button.text()
    dialog = SyncProblemsDialog(worker)
    qtbot.addWidget(dialog)
    run(dialog.loaded.wait())
    assert dialog.table.rowCount() == 1 and "boom" in dialog.table.item(0, PROBLEM).text()
    dialog.table.selectRow(0)

    async def dismiss() -> None:
        dialog.dismiss_button.click()                 # no reason: refused
        await wait_until(lambda: dialog.banner.kind == "error")
        dialog.reason.setText("Entered in QuickBooks by hand")
        dialog.table.selectRow(0)
        dialog.dismiss_button.click()
        await wait_until(lambda: dialog.banner.kind == "success")
        await asyncio.sleep(0.05)
        await dialog.loaded.wait()

    run(dismiss())
    assert dialog.empty.isVisibleTo(dialog)


class _ScriptedSync:
    """A SyncService stand-in whose run reports pages, crossing 75% of Autotask's hourly limit half-way."""

    WARNING: Message | None = msg("sync.api_use_high", used=8_000, limit=10_000)

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []       # (label, warning label) after each progress report

    async def run(self, on_progress: Callable[[Any], None]) -> Any:
        import datetime as dt

        from payapp.services.sync import SyncProgress, SyncReport

        on_progress(SyncProgress("", 0, None, msg("sync.connecting")))
        for done in range(0, 1500, 500):
            warning = self.WARNING if done else None
            reading = msg("sync.reading_start", entity=msg("sync_entity.invoices"))
            on_progress(SyncProgress("invoices", done, 1500, reading, warning))
            await asyncio.sleep(0)
        now = dt.datetime.now(dt.UTC)
        return SyncReport(True, {"invoices": 1500}, 0, now, now, warning=self.WARNING)

    async def status(self) -> Any:
        from payapp.services.sync import SyncStatus

        return SyncStatus(None, True, "")


class _FakeOutbox:
    def __init__(self) -> None:
        self.stopped_reason = ""
        self.woken = 0

    async def counts(self) -> dict[str, int]:
        return {"needs_attention": 1}

    async def problems(self) -> list[Any]:
        return []

    def wake(self) -> None:
        self.woken += 1


def test_threshold_and_outbox_warnings_stay_in_the_status_bar(qtbot: Any, run: Callable[[Awaitable[Any]], Any]) -> None:
    sync, outbox = _ScriptedSync(), _FakeOutbox()
    widget = SyncStatusWidget(sync, outbox)
    qtbot.addWidget(widget)
    widget.show()
    done: list[bool] = []
    widget.sync_finished.connect(done.append)
    widget.sync_button.click()
    run(wait_until(lambda: bool(done)))
    # the last page's progress text and then "Synced at …" replaced the label, the warning is still there
    assert widget.label.text().startswith("Synced at")
    warning = widget.threshold_warning
    shown = ("Autotask API use is at 8,000 of 10,000 requests this hour (over 75%): the sync is slowing down a lot "
             "to leave room for others.")                          # counts grouped the locale's way
    assert warning.isVisible() and warning.text().startswith("⚠ Autotask API use is at 8,000")
    assert warning.toolTip() == shown and warning.accessibleName() == shown
    assert warning.sizeHint().width() <= 340                    # elided for the status bar
    assert not widget.outbox_warning.isVisible()

    # the outbox worker stopped (QuickBooks signed out): the status bar says so until it moves again
    outbox.stopped_reason = "QuickBooks is disconnected: Reconnect QuickBooks in Admin › Connections."
    assert widget.refresh_timer.isActive()
    widget.refresh_timer.timeout.emit()
    run(wait_until(lambda: widget.outbox_warning.isVisible()))
    assert "Reconnect QuickBooks" in widget.outbox_warning.toolTip()
    outbox.stopped_reason = ""
    widget.refresh_timer.timeout.emit()
    run(wait_until(lambda: not widget.outbox_warning.isVisible()))

    # a new sync under the limit clears the old threshold warning
    sync.WARNING = None
    done.clear()
    widget.sync_button.click()
    run(wait_until(lambda: bool(done)))
    assert not warning.isVisible()


def test_install_sync_status_in_the_main_window(qtbot: Any, tmp_path: Any,
                                                run: Callable[[Awaitable[Any]], Any]) -> None:
    from types import SimpleNamespace

    from payapp.ui.main_window import MainWindow
    from payapp.ui.sync_status import install_sync_status
    from payapp.ui.window_state import WindowState

    window = MainWindow.loading(WindowState(tmp_path / "window.ini"), demo=False)
    qtbot.addWidget(window)
    outbox = _FakeOutbox()
    allowed = [False]

    class Settings:
        async def get(self, key: str) -> Any:
            return {"sync.interval_minutes": 5}[key]

    user = SimpleNamespace(can=lambda permission: allowed[0])
    widget = install_sync_status(window, SimpleNamespace(sync=_ScriptedSync(), outbox=outbox, settings=Settings(),
                                                         current_user=user))
    window.show()
    assert window.statusBar().findChild(SyncStatusWidget) is widget
    run(wait_until(lambda: widget.problems_button.isVisible()))       # read once at start-up
    # incremental syncs on the schedule of sync.interval_minutes, for roles that may sync
    run(wait_until(lambda: widget.sync_timer.isActive()))
    assert widget.sync_timer.interval() == 5 * 60_000
    widget.sync_timer.timeout.emit()
    assert not widget.running                                         # a clerk's workstation does not sync
    allowed[0] = True
    scheduled: list[bool] = []
    widget.sync_finished.connect(scheduled.append)
    widget.sync_timer.timeout.emit()
    run(wait_until(lambda: bool(scheduled)))
    assert outbox.woken == 1
    widget.problems_button.click()
    dialog = widget.problems_dialog
    assert isinstance(dialog, SyncProblemsDialog) and dialog.isVisible() and dialog.parent() is window
    run(dialog.loaded.wait())
    dialog.reject()
    done: list[bool] = []
    widget.sync_finished.connect(done.append)
    widget.sync_button.click()
    run(wait_until(lambda: bool(done)))
    assert outbox.woken == 2            # invoices the sync queued go to QuickBooks now, not at the next tick


def test_quickbooks_connect_through_the_system_browser_and_the_loopback_redirect(
        qtbot: Any, env: Env, secret_store: SecretStore, current_user: CurrentUser, monkeypatch: pytest.MonkeyPatch,
        run: Callable[[Awaitable[Any]], Any]) -> None:
    """Not demo mode, development keys: Connect opens Intuit's authorisation page in the system browser, and
    Intuit's redirect comes back to a one-shot server on http://localhost:<fixed port> (the registered development
    redirect URI; Intuit refuses a random 127.0.0.1 port). A cancelled sign-in is reported at once."""
    import urllib.parse
    from types import SimpleNamespace

    from payapp.services import connections
    from payapp.services.secrets import Secret
    from payapp.ui.admin import connections_page
    from tests.servers import free_port

    loopback_uri = f"http://localhost:{free_port()}/callback"      # the fixed port, free on this test machine
    monkeypatch.setattr(connections, "LOOPBACK_REDIRECT", loopback_uri)
    env.qb.redirect_uris = (loopback_uri,)

    conn = ConnectionsService(env.db, env.settings, secret_store, current_user, env.http, demo=False)
    run(conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET)))
    opened: list[str] = []
    browser_pages: list[str] = []
    browsing: list[asyncio.Future[None]] = []

    async def browser(url: str) -> None:
        """The user signs in at Intuit (the sandbox stands in for appcenter.intuit.com) and is redirected."""
        parts = urllib.parse.urlsplit(url)
        at_intuit = await env.http.get(f"{QB}/connect/oauth2", params=dict(urllib.parse.parse_qsl(parts.query)))
        redirect = at_intuit.headers["location"]
        assert redirect.startswith(loopback_uri + "?")
        async with httpx.AsyncClient() as real_browser:          # a real socket to the loopback server
            loopback = urllib.parse.urlsplit(redirect)
            await real_browser.get(f"{loopback.scheme}://{loopback.netloc}/favicon.ico")   # ignored
            browser_pages.append((await real_browser.get(redirect)).text)

    def open_url(url: Any) -> bool:
        opened.append(url.toString())
        browsing.append(asyncio.ensure_future(browser(url.toString())))
        return True

    monkeypatch.setattr(connections_page, "QDesktopServices", SimpleNamespace(openUrl=open_url))
    page = ConnectionsPage(conn, env.settings)
    qtbot.addWidget(page)
    run(page.wait_ready())

    async def connect(kind: str) -> None:
        page.banner.clear()
        page.qb_connect.click()
        await wait_until(lambda: page.banner.kind == kind, 5)     # far less than the five-minute wait
        await wait_until(lambda: page.qb_connect.isEnabled() and not page.qb_state.text().startswith("Waiting"))

    env.qb.faults.deny_next = 1                                    # the user clicks Cancel at Intuit
    run(connect("error"))
    assert "did not send a company" in page.banner.text
    assert page.qb_state.text() == "Not connected"
    assert "did not receive an authorisation" in browser_pages[-1]

    run(connect("success"))
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(opened[-1]).query))
    assert opened[-1].startswith("https://appcenter.intuit.com/connect/oauth2?")
    assert query["client_id"] == DEMO_CLIENT_ID and query["scope"] == "com.intuit.quickbooks.accounting"
    assert query["redirect_uri"] == loopback_uri
    assert page.qb_state.text().startswith("Connected to PayApp Demo Company"), page.qb_state.text()
    assert "You can close this tab" in browser_pages[-1]
    assert secret_store.get("quickbooks.refresh_token") is not None      # tokens went to the keyring
    assert all(b.done() and b.exception() is None for b in browsing)


def test_problems_retry_is_audited_and_cancel_stops_a_running_sync(
        qtbot: Any, env: Env, current_user: CurrentUser, run: Callable[[Awaitable[Any]], Any]) -> None:
    from sqlalchemy import select

    from payapp.models import AuditEvent

    worker = OutboxWorker(env.db, env.connections.quickbooks, env.connections.autotask, current=current_user)

    async def make_problem() -> int:
        async with env.db.transaction() as s:
            job = OutboxJob(kind="psa.mark_invoice_paid", payload='{"invoice_id": 1}', status="needs_attention",
                            attempts=8, last_error="Autotask refused the request (HTTP 404)")
            s.add(job)
            await s.flush()
            return int(job.id)

    job_id = run(make_problem())
    dialog = SyncProblemsDialog(worker)
    qtbot.addWidget(dialog)
    run(dialog.loaded.wait())
    assert not dialog.retry_button.isEnabled()               # nothing selected yet
    dialog.table.selectRow(0)
    dialog.retry_button.click()
    run(wait_until(lambda: dialog.banner.kind == "success"))
    run(dialog.loaded.wait())

    async def read() -> tuple[str, list[tuple[str, str]]]:
        async with env.db.sessions() as s:
            job = await s.get(OutboxJob, job_id)
            events = (await s.execute(select(AuditEvent.action, AuditEvent.entity_id))).all()
        assert job is not None
        return job.status, [(a, str(e)) for a, e in events]

    status, events = run(read())
    assert status == "pending" and ("outbox.retried", str(job_id)) in events
    assert dialog.empty.isVisibleTo(dialog)

    class Endless:
        async def run(self, on_progress: Callable[[Any], None]) -> Any:
            from payapp.services.sync import SyncProgress

            on_progress(SyncProgress("invoices", 500, 100_000,
                                     msg("sync.reading_start", entity=msg("sync_entity.invoices"))))
            await asyncio.Event().wait()

    widget = SyncStatusWidget(Endless())
    qtbot.addWidget(widget)
    widget.show()
    finished: list[bool] = []
    widget.sync_finished.connect(finished.append)
    widget.sync_button.click()
    run(wait_until(lambda: widget.cancel_button.isVisible() and widget.progress.value() == 500))
    assert not widget.sync_button.isEnabled()
    widget.cancel_button.click()
    run(wait_until(lambda: bool(finished)))
    assert finished == [False] and widget.label.text().startswith("Sync cancelled")
    assert not widget.cancel_button.isVisible() and not widget.progress.isVisible() and widget.sync_button.isEnabled()


def test_connections_page_says_reconnect_when_quickbooks_refuses_the_sign_in(
        qtbot: Any, env: Env, run: Callable[[Awaitable[Any]], Any]) -> None:
    """Connected once, then the refresh token is refused (invalid_grant) while the outbox pushes: the page no
    longer claims "Connected", it says to reconnect; connecting again clears it."""
    from payapp.connectors.accounting.quickbooks_online import QuickBooksDisconnected
    from payapp.services.secrets import Secret

    run(env.connections.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET)))
    run(env.connections.connect_demo())
    page = ConnectionsPage(env.connections, env.settings)
    qtbot.addWidget(page)
    run(page.wait_ready())
    assert page.qb_state.text().startswith("Connected to PayApp Demo Company")

    env.qb.revoke()                                   # e.g. the refresh token expired after 100 days unused
    env.qb.expire_access_tokens()

    async def background_push() -> None:              # what the outbox worker does with the shared connector
        qb = await env.connections.quickbooks()
        with pytest.raises(QuickBooksDisconnected):
            await qb.preferences()
        await page.reload()

    run(background_push())
    assert page.qb_state.text().startswith("✖ QuickBooks is disconnected"), page.qb_state.text()
    assert "Reconnect QuickBooks" in page.qb_state.text()

    async def click(button: Any, done: Callable[[], bool]) -> None:
        page.banner.clear()
        button.click()
        await wait_until(done)
        await wait_until(lambda: button.isEnabled())
        await asyncio.sleep(0.05)
        await page.reload()

    run(click(page.qb_test, lambda: page.qb_result.text().startswith(("✔", "✖"))))
    assert page.qb_result.text().startswith("✖") and "Reconnect QuickBooks" in page.qb_state.text()
    run(click(page.qb_connect, lambda: page.banner.kind is not None))
    assert page.banner.kind == "success" and page.qb_state.text().startswith("Connected to PayApp Demo Company")


def test_quickbooks_connect_with_production_keys_pasting_the_address_and_choosing_the_refund_account(
        qtbot: Any, env: Env, secret_store: SecretStore, current_user: CurrentUser, monkeypatch: pytest.MonkeyPatch,
        run: Callable[[Awaitable[Any]], Any]) -> None:
    """Production keys: the admin saves the registered https page (shown with a Copy button), signs in with the
    browser, pastes the address it landed on, then picks the bank account refunds are paid from."""
    from types import SimpleNamespace

    from PySide6.QtGui import QGuiApplication

    from payapp.sandbox.quickbooks import DEMO_REDIRECT_URIS
    from payapp.services.secrets import Secret
    from payapp.ui.admin import connections_page

    env.qb.development_keys = False
    page_uri = DEMO_REDIRECT_URIS[1]
    conn = ConnectionsService(env.db, env.settings, secret_store, current_user, env.http, demo=False)
    run(conn.save_quickbooks_app(client_id=DEMO_CLIENT_ID, client_secret=Secret(DEMO_CLIENT_SECRET)))
    landed: list[str] = []

    async def browser(url: str) -> None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
        landed.append((await env.http.get(f"{QB}/connect/oauth2", params=query)).headers["location"])

    tasks: list[asyncio.Future[None]] = []
    monkeypatch.setattr(connections_page, "QDesktopServices", SimpleNamespace(
        openUrl=lambda url: tasks.append(asyncio.ensure_future(browser(url.toString()))) or True))
    page = ConnectionsPage(conn, env.settings)
    qtbot.addWidget(page)
    run(page.wait_ready())
    assert not page.qb_paste_box.isVisibleTo(page)

    async def save_redirect(text: str, kind: str) -> None:
        page.banner.clear()
        page.qb_redirect.setText(text)
        page.qb_save.click()
        await wait_until(lambda: page.banner.kind == kind)
        await wait_until(lambda: page.qb_save.isEnabled() and page.qb_redirect.text() == (
            text if kind == "success" else ""))          # reloaded

    run(save_redirect("http://10.0.0.1/cb", "error"))
    assert "https" in page.banner.text
    run(save_redirect(page_uri, "success"))
    run(wait_until(lambda: page.qb_paste_box.isVisibleTo(page)))   # the page reloads after the banner shows
    assert page.qb_paste_box.isVisibleTo(page) and "Register exactly this address" in page.qb_redirect_hint.text()
    page.qb_redirect_copy.click()
    assert QGuiApplication.clipboard().text() == page_uri

    async def connect() -> None:
        page.banner.clear()
        page.qb_connect.click()
        await wait_until(lambda: bool(landed) and page.qb_connect.isEnabled())
        page.qb_paste.setText(landed[-1])
        page.banner.clear()
        page.qb_paste_done.click()
        await wait_until(lambda: page.banner.kind is not None)
        await wait_until(lambda: page.qb_state.text().startswith("Connected"))

    run(connect())
    assert page.banner.kind == "success", page.banner.text
    assert "Not chosen" in page.qb_refund_account.currentText()

    async def choose() -> None:
        page.qb_load_accounts.click()
        await wait_until(lambda: page.qb_refund_account.count() == 3)
        page.banner.clear()
        page.qb_refund_account.setCurrentIndex(2)
        page.qb_refund_account.activated.emit(2)
        await wait_until(lambda: page.banner.kind is not None)

    run(choose())
    assert page.banner.kind == "success" and "Savings" in page.banner.text, page.banner.text
    status = run(conn.quickbooks_status())
    assert (status.refund_account_id, status.refund_account_name) == ("36", "Savings")


def test_connections_page_shows_test_results_in_german(qtbot: Any, qapp: Any, env: Env,
                                                       run: Callable[[Awaitable[Any]], Any]) -> None:
    """Test connection's answers are messages: a German admin reads Autotask's and QuickBooks' results in
    German."""
    from PySide6.QtCore import QLocale

    from payapp.ui.i18n import install_translators

    install_translators(qapp, "de")
    try:
        page = ConnectionsPage(env.connections, env.settings)
        qtbot.addWidget(page)
        run(page.wait_ready())
        page.findChild(QLineEdit, "autotaskUserEdit").setText(DEMO_API_USER)
        page.findChild(QLineEdit, "autotaskSecretEdit").setText(DEMO_SECRET)
        page.findChild(QLineEdit, "autotaskCodeEdit").setText(DEMO_INTEGRATION_CODE)

        async def save_and_test() -> None:
            page.at_save.click()
            await wait_until(lambda: page.at_secret.stack.currentIndex() == 1)
            page.at_test.click()
            await wait_until(lambda: page.at_result.text().startswith(("✔", "✖")))
            page.qb_test.click()
            await wait_until(lambda: page.qb_result.text().startswith(("✔", "✖")))
            await wait_until(lambda: not page.work.busy)      # the status line's reload after the test, too

        run(save_and_test())
        assert page.at_result.text().startswith("✔ Verbunden mit "), page.at_result.text()
        assert page.at_result.text().endswith(" Anfragen in dieser Stunde verbraucht"), page.at_result.text()
        assert page.qb_result.text() == ("✔ Verbunden mit QuickBooks-Firma PayApp Demo Company (sandbox) · "
                                         "QuickBooks nummeriert die Rechnungen"), page.qb_result.text()
    finally:
        install_translators(qapp, "en")
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
