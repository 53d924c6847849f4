"""Admin › Connections › QuickBooks Desktop: choose the connector, set the Web Connector's password (masked, never
shown again), save a .qwc file, see the last session and the queue (real services on a real SQLite file)."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from payapp.models import QbwcSession
from payapp.models.db import Database
from payapp.services.auth import CurrentUser
from payapp.services.qbwc import QbwcService
from payapp.services.secrets import SecretStore
from payapp.services.settings import SettingsService
from payapp.ui.admin.qbwc_box import QuickBooksDesktopBox
from payapp.ui.widgets import Banner
from tests.integration.qbwc_helpers import seed_small

PASSWORD = "typed by the admin 42"


def test_quickbooks_desktop_box(qtbot: Any, sqlite_url: str, secret_store: SecretStore, current_user: CurrentUser,
                                run: Callable[[Awaitable[Any]], Any], tmp_path: Path) -> None:
    db = Database(sqlite_url)
    try:
        run(seed_small(db))
        settings = SettingsService(db, secret_store, current_user)
        service = QbwcService(db, secret_store, settings)
        banner = Banner()
        qtbot.addWidget(banner)
        box = QuickBooksDesktopBox(service, banner)
        qtbot.addWidget(box)
        run(box.reload())
        assert box.connector.currentData() == "quickbooks_online"
        assert "No password yet" in box.password_state.text()
        assert "has not called yet" in box.last_session.text()
        assert box.queue.text().startswith("2 ")
        password = box.findChild(QLineEdit, "qbwcPassword")
        assert password.echoMode() == QLineEdit.EchoMode.Password
        assert password.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu

        box.connector.setCurrentIndex(box.connector.findData("quickbooks_desktop"))
        box.app_url.setText("https://payapp.example.com/qbwc")
        box.schedule.setValue(20)
        password.setText(PASSWORD)
        assert box.has_unsaved_changes()
        run(box._on_save())
        assert banner.kind == "success", banner
        assert password.text() == "" and not box.has_unsaved_changes()
        assert "A password is set" in box.password_state.text()
        assert run(settings.get("accounting.connector")) == "quickbooks_desktop"
        assert run(service.authenticate("payapp", PASSWORD))[1] == ""

        target = tmp_path / "PayApp.qwc"
        changed: list[bool] = []
        service.on_local_serving_changed(lambda: changed.append(True))
        box.app_url.setText("")
        box.serve_locally.setChecked(True)
        box.local_port.setValue(18471)
        run(box._on_save())
        assert banner.kind == "success" and changed == [True]
        assert box.app_url.text() == "http://localhost:18471/qbwc" and box.serve_locally.isChecked()
        box.app_url.setText("https://payapp.example.com/qbwc")
        run(box._on_save())
        run(box.save_qwc_to(target))
        qwc = ET.fromstring(target.read_text(encoding="utf-8"))
        assert qwc.findtext("AppURL") == "https://payapp.example.com/qbwc"
        assert qwc.findtext("Scheduler/RunEveryNMinutes") == "20"
        assert PASSWORD not in target.read_text(encoding="utf-8")

        async def a_session() -> None:
            async with db.transaction() as s:
                s.add(QbwcSession(ticket="t1", user_name="payapp", started_at=dt.datetime.now(dt.UTC),
                                  last_seen_at=dt.datetime.now(dt.UTC), ended_at=dt.datetime.now(dt.UTC),
                                  company_file="", requests=7, errors=1, last_error="QuickBooks was busy",
                                  pending=""))

        run(a_session())
        run(box.reload())
        assert "7 request(s), 1 error(s)" in box.last_session.text()
        assert "QuickBooks was busy" in box.last_session.text()
        # a wrong address is refused with the service's own words
        box.app_url.setText("http://payapp.example.com/qbwc")
        run(box._on_save())
        assert banner.kind == "error"
    finally:
        run(db.dispose())
