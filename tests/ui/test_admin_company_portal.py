"""Admin › Company details and Admin › Client Portal through the UI, on the demo company's real SQLite file:
saved in one audited settings change, validation next to the field, Revert, the unsaved-changes question,
the logo (preview, size limit, Remove), the portal's address rule, and roles (the service refuses a non-admin)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext, build_context
from payapp.config import load_config
from payapp.models import AuditEvent
from payapp.ui.admin.admin_tab import AdminTab
from payapp.ui.admin.company_page import MAX_LOGO_BYTES, CompanyDetailsPage
from payapp.ui.admin.portal_page import ClientPortalPage, url_problem
from payapp.ui.admin.processing_page import ProcessingPage
from payapp.ui.async_work import WidgetTasks
from tests.conftest import FINANCE
from tests.ui.conftest import close_context, wait_until


def admin_page(qtbot: QtBot, ctx: AppContext, run: Any, name: str) -> Any:
    tab = AdminTab(ctx.services)
    qtbot.addWidget(tab)
    tab.resize(1280, 720)
    tab.show()
    page = tab.show_page(name)
    page._test_tab = tab     # keep the tab (and so the page) alive
    run(page.wait_ready())
    # the page the tab showed first loads too (Audit log: its count): let it finish, so no page's work is left
    # running when the test ends (on a slow machine the count outlived a short test)
    run(wait_until(lambda: not any(w.work.busy for w in tab.findChildren(QWidget) if isinstance(
        getattr(w, "work", None), WidgetTasks)), 20))
    return page


def settings_changes(ctx: AppContext, run: Any) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        async with ctx.services.db.sessions() as s:
            rows = (await s.scalars(select(AuditEvent.details).where(AuditEvent.action == "settings.changed")
                                    .order_by(AuditEvent.id))).all()
        return [json.loads(d).get("changes", {}) for d in rows]

    return run(read())


def png_file(path: Path, width: int = 64, height: int = 32) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#0f766e"))
    assert image.save(str(path), "PNG")
    return path


# ------------------------------------------------------------------------------------------------ company

def test_demo_seeds_merchant_details_once_and_edits_survive_a_restart(tmp_path: Path, run: Any) -> None:
    config = load_config(demo=True, data_dir=tmp_path / "app")
    ctx = build_context(config)
    settings = ctx.services.settings
    assert run(settings.get("merchant.name")) == "Northwind IT Services"
    assert "Austin, TX" in run(settings.get("merchant.address"))
    assert base64.b64decode(run(settings.get("merchant.logo_png"))).startswith(b"\x89PNG")
    run(settings.set_many({"merchant.name": "My Own Company", "merchant.logo_png": ""}))
    close_context(ctx, run)
    again = build_context(load_config(demo=True, data_dir=tmp_path / "app"))
    try:
        assert run(again.services.settings.get("merchant.name")) == "My Own Company"
        assert run(again.services.settings.get("merchant.logo_png")) == ""
        assert run(again.services.settings.get("merchant.email")) == "billing@northwind.example"
    finally:
        close_context(again, run)


def test_company_details_save_is_one_audited_change_and_revert_restores(
        qtbot: QtBot, demo_context: AppContext, run: Any, tmp_path: Path) -> None:
    page = admin_page(qtbot, demo_context, run, "companyDetailsPage")
    assert isinstance(page, CompanyDetailsPage)
    assert page.name_edit.text() == "Northwind IT Services"
    assert not page.has_unsaved_changes() and not page.revert_button.isEnabled()
    assert page.logo_preview.pixmap() is not None and not page.logo_preview.pixmap().isNull()

    page.name_edit.setText("  Contoso Managed IT  ")
    page.address_edit.setPlainText("1 Main Street\nSpringfield, IL 62701  \n")
    page.email_edit.setText("accounts@contoso.example")
    page.phone_edit.setText("+1 (217) 555-0199")
    assert page.load_logo_file(png_file(tmp_path / "logo.png"))
    assert page.has_unsaved_changes() and page.revert_button.isEnabled()
    before = len(settings_changes(demo_context, run))
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "success", page.banner.text
    settings = demo_context.services.settings
    assert run(settings.get("merchant.name")) == "Contoso Managed IT"
    assert run(settings.get("merchant.address")) == "1 Main Street\nSpringfield, IL 62701"
    assert run(settings.get("merchant.phone")) == "+1 (217) 555-0199"
    logo = base64.b64decode(run(settings.get("merchant.logo_png")))
    assert logo == (tmp_path / "logo.png").read_bytes()
    changes = settings_changes(demo_context, run)[before:]
    assert len(changes) == 1                                     # one audited change, old → new
    assert changes[0]["merchant.name"] == ["Northwind IT Services", "Contoso Managed IT"]
    assert not page.has_unsaved_changes()

    page.name_edit.setText("Typed, not saved")
    page.remove_logo()
    assert page.logo_preview.text() == "No logo" and not page.remove_logo_button.isEnabled()
    assert page.has_unsaved_changes()
    page.revert_button.click()
    assert page.name_edit.text() == "Contoso Managed IT" and page.remove_logo_button.isEnabled()
    assert not page.has_unsaved_changes()


def test_company_details_validation_next_to_the_field(qtbot: QtBot, demo_context: AppContext, run: Any,
                                                      tmp_path: Path) -> None:
    page = admin_page(qtbot, demo_context, run, "companyDetailsPage")
    page.email_edit.setText("billing at example")
    page.phone_edit.setText("call us: 555")
    assert page.email_error.isVisibleTo(page) and "e-mail address" in page.email_error.text()
    assert page.phone_error.isVisibleTo(page) and "digits" in page.phone_error.text()
    assert page.email_edit.accessibleDescription() == page.email_error.text()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "error"
    assert run(demo_context.services.settings.get("merchant.email")) == "billing@northwind.example"
    page.email_edit.setText("billing@example.com")
    page.phone_edit.setText("12")
    assert not page.email_error.isVisibleTo(page) and "whole phone number" in page.phone_error.text()
    page.phone_edit.setText("")                              # empty is allowed
    assert not page.phone_error.isVisibleTo(page)

    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * MAX_LOGO_BYTES)
    assert not page.load_logo_file(big)
    assert page.logo_error.isVisibleTo(page) and "at most 256 KB" in page.logo_error.text()
    fake = tmp_path / "not.png"
    fake.write_bytes(b"GIF89a not a png")
    assert not page.load_logo_file(fake) and "not a PNG" in page.logo_error.text()
    assert not page.load_logo_file(tmp_path / "missing.png") and "cannot be read" in page.logo_error.text()
    assert page.load_logo_file(png_file(tmp_path / "ok.png")) and not page.logo_error.isVisibleTo(page)


def test_company_details_unsaved_changes_are_asked_about(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    page = admin_page(qtbot, demo_context, run, "companyDetailsPage")
    tab: AdminTab = page._test_tab
    asked: list[str] = []
    answer = [False]

    def ask(text: str, on_discard: Any) -> None:
        asked.append(text)
        if answer[0]:
            on_discard()

    tab.ask_discard = ask                                    # type: ignore[method-assign]
    page.email_edit.setText("new@example.com")
    tab.show_page("usersPage")                               # Cancel: stays
    assert len(asked) == 1 and "Company details" in asked[0] and tab.stack.currentWidget() is page
    answer[0] = True
    tab.show_page("usersPage")                               # Discard: leaves
    assert tab.stack.currentWidget() is not page
    assert run(demo_context.services.settings.get("merchant.email")) == "billing@northwind.example"


def test_company_details_refused_for_a_non_admin(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    services = demo_context.services
    page = admin_page(qtbot, demo_context, run, "companyDetailsPage")
    admin = services.current_user.actor
    services.current_user.actor = FINANCE                    # signed in again as Finance meanwhile
    try:
        page.name_edit.setText("Not allowed")
        page.save_button.click()
        run(wait_until(lambda: page.banner.kind is not None, 10))
        assert page.banner.kind == "error"
        denied = AdminTab(services)                          # a Finance user gets no Admin pages at all
        qtbot.addWidget(denied)
        assert [denied.pages.item(i).text() for i in range(denied.pages.count())] == ["Admin"]
    finally:
        services.current_user.actor = admin
    assert run(services.settings.get("merchant.name")) == "Northwind IT Services"


# ------------------------------------------------------------------------------------------------- portal

@pytest.mark.parametrize(("url", "problem"), [
    ("https://pay.example.com", ""), ("https://pay.example.com/portal", ""), ("http://localhost:8000", ""),
    ("http://127.0.0.1:8765/", ""), ("", ""), ("http://pay.example.com", "scheme"), ("ftp://x.example", "scheme"),
    ("pay.example.com", "scheme"), ("https://", "host"), ("https://pay example.com", "host"),
    ("https://pay.example.com/?a=1", "extra"), ("https://user:pw@pay.example.com", "extra"),
    ("https://pay.example.com:99999", "host")])
def test_portal_address_rule(url: str, problem: str) -> None:
    assert url_problem(url) == problem


def test_client_portal_save_validation_and_mirrored_payment_types(qtbot: QtBot, demo_context: AppContext,
                                                                  run: Any) -> None:
    settings = demo_context.services.settings
    # the demo seeds its own portal (on, at http://127.0.0.1:8470); this test starts from a portal never set up
    run(settings.set_many({"portal.enabled": False, "portal.public_url": ""}))
    page = admin_page(qtbot, demo_context, run, "clientPortalPage")
    assert isinstance(page, ClientPortalPage)
    assert not page.enabled_box.isChecked() and page.lifetime_spin.value() == 30
    assert page.type_boxes["card"].isChecked() and not page.type_boxes["echeck"].isChecked()   # the demo's
    assert page.lifetime_spin.minimum() == 1 and page.lifetime_spin.maximum() == 365

    page.enabled_box.setChecked(True)                        # on without an address: said next to the field
    assert page.url_error.isVisibleTo(page) and "to turn it on" in page.url_error.text()
    page.url_edit.setText("http://pay.example.com")
    assert "https://" in page.url_error.text()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "error" and not run(settings.get("portal.enabled"))

    page.url_edit.setText("https://pay.example.com/")
    assert not page.url_error.isVisibleTo(page)
    assert page.link_example.text() == "Payment links look like: https://pay.example.com/pay/…"
    page.lifetime_spin.setValue(14)
    page.type_boxes["echeck"].setChecked(True)
    page.banner.clear()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "success", page.banner.text
    assert "https://pay.example.com" in page.banner.text
    assert run(settings.get("portal.enabled")) is True
    assert run(settings.get("portal.public_url")) == "https://pay.example.com"
    assert run(settings.get("portal.link_lifetime_days")) == 14
    assert run(settings.get("payment_types.portal.echeck")) is True
    last = settings_changes(demo_context, run)[-1]
    assert set(last) == {"portal.enabled", "portal.public_url", "portal.link_lifetime_days",
                         "payment_types.portal.echeck"}
    assert not page.has_unsaved_changes()

    tab: AdminTab = page._test_tab                           # the same choice on Payment Processing
    processing = tab.show_page("paymentProcessingPage")
    assert isinstance(processing, ProcessingPage)
    run(processing.wait_ready())
    assert processing.type_boxes["portal.echeck"].isChecked()
    processing.type_boxes["portal.echeck"].setChecked(False)
    processing.save_button.click()
    run(wait_until(lambda: processing.banner.kind is not None and processing.save_button.isEnabled(), 10))
    tab.show_page("clientPortalPage")                        # shown again: read again
    run(page.wait_ready())
    assert not page.type_boxes["echeck"].isChecked()

    page.url_edit.setText("http://localhost:8765")
    page.enabled_box.setChecked(False)
    assert page.has_unsaved_changes()
    page.revert_button.click()
    assert page.url_edit.text() == "https://pay.example.com" and page.enabled_box.isChecked()


def test_client_portal_unsaved_prompt_and_role(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    services = demo_context.services
    page = admin_page(qtbot, demo_context, run, "clientPortalPage")
    tab: AdminTab = page._test_tab
    asked: list[str] = []
    tab.ask_discard = lambda text, _on: asked.append(text)   # type: ignore[method-assign]
    page.lifetime_spin.setValue(90)
    tab.show_page("languagePage")
    assert len(asked) == 1 and "Client Portal" in asked[0] and tab.stack.currentWidget() is page
    admin = services.current_user.actor
    services.current_user.actor = FINANCE
    try:
        page.save_button.click()
        run(wait_until(lambda: page.banner.kind is not None, 10))
        assert page.banner.kind == "error"
    finally:
        services.current_user.actor = admin
    assert run(services.settings.get("portal.link_lifetime_days")) == 30
