"""Issue #15.13 in the desktop: Saved payment methods… from the invoice's context menu and the invoice window,
driven with keys only (F2 rename, Ctrl+E new expiry, Del delete, Esc closes), against the demo company and its
gateway sandbox's vault; errors stay in the editor under its field; a viewer sees the list but cannot change it;
a company with none says what to do; German."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from payapp.app import AppContext
from payapp.models import AuditEvent, Company, SavedPaymentMethod
from payapp.services.auth import CurrentUser
from payapp.services.context import Services
from payapp.services.saved_methods import EXPIRED, EXPIRING
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.payments.saved_methods_dialog import SavedMethodsDialog, open_saved_methods
from tests.conftest import VIEWER
from tests.ui.conftest import wait_until
from tests.ui.test_invoice_history import gateway, tab  # noqa: F401  (the tab fixture)

Run = Callable[..., Any]
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support raise", "does not support grabbing the keyboard")


async def _company_with_card(services: Services) -> tuple[int, str]:
    async with services.db.sessions() as s:
        row = (await s.execute(
            select(Company.id, Company.name).join(SavedPaymentMethod, SavedPaymentMethod.company_id == Company.id)
            .where(SavedPaymentMethod.is_active.is_(True), SavedPaymentMethod.method == "card")
            .order_by(Company.id).limit(1))).one()
    return int(row[0]), str(row[1])


async def _company_without(services: Services) -> tuple[int, str]:
    """A company with no saved method (every demo company has one: a new company joins)."""
    async with services.db.transaction() as s:
        company = Company(name="Fresh Start LLC")
        s.add(company)
        await s.flush()
        return company.id, company.name


def _open(qtbot: QtBot, run: Run, services: Services, company: tuple[int, str]) -> SavedMethodsDialog:
    dlg = run(open_saved_methods(services, company[0], company[1], None))
    qtbot.addWidget(dlg)
    return dlg


async def _editor_open(dlg: SavedMethodsDialog) -> None:
    await wait_until(lambda: dlg.editor is not None and dlg.editor.isVisible())


def test_rename_new_expiry_and_delete_with_keys_only(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    company = run(_company_with_card(services))
    dlg = _open(qtbot, run, services, company)
    assert dlg.table.isVisible() and not dlg.empty.isVisible() and dlg.table.hasFocus()
    card_row = next(i for i, m in enumerate(dlg._rows) if m.method == "card")
    dlg.table.selectRow(card_row)
    m = dlg.selected()
    assert m is not None and m.method == "card" and dlg.expiry_button.isEnabled()
    vault = gateway(demo_context).vault

    # F2: a name, typed and saved with Enter
    qtbot.keyClick(dlg.table, Qt.Key.Key_F2)
    run(_editor_open(dlg))
    assert dlg.editor is not None
    editor = dlg.editor.edit
    editor.selectAll()
    qtbot.keyClicks(editor, "Office card")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    run(wait_until(lambda: dlg.editor is None and dlg.banner.kind == "success"))
    run(dlg.wait_idle())
    assert dlg.selected() is not None and dlg.selected().nickname == "Office card"   # type: ignore[union-attr]
    assert dlg.table.item(dlg.table.currentRow(), 1).text() == "Office card"

    # Ctrl+E: a past expiry is refused under the field, the editor stays; then a good one goes to the vault
    qtbot.keyClick(dlg.table, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    run(_editor_open(dlg))
    assert dlg.editor is not None
    ed = dlg.editor
    ed.edit.selectAll()
    qtbot.keyClicks(ed.edit, "01/20")
    qtbot.keyClick(ed.edit, Qt.Key.Key_Return)
    run(wait_until(lambda: ed.error.isVisible()))
    assert "expired" in ed.error.text() and ed.isVisible() and ed.edit.hasFocus()
    ed.edit.selectAll()
    qtbot.keyClicks(ed.edit, "11/31")
    qtbot.keyClick(ed.edit, Qt.Key.Key_Return)
    run(wait_until(lambda: dlg.editor is None and "expiry" in dlg.banner._label.text()))
    run(dlg.wait_idle())
    row = dlg.selected()
    assert row is not None and row.expiry == "1131" and row.expiry_state == ""
    assert vault[_vault_id(run, services, row.id)].cc_exp == "1131"

    # Esc in an editor cancels it and changes nothing
    qtbot.keyClick(dlg.table, Qt.Key.Key_F2)
    run(_editor_open(dlg))
    assert dlg.editor is not None
    qtbot.keyClick(dlg.editor.edit, Qt.Key.Key_Escape)
    run(wait_until(lambda: dlg.editor is None))
    run(dlg.wait_idle())
    assert dlg.table.hasFocus()

    # Del: asked first (Cancel is the default), then deleted here and in the vault
    vault_id = _vault_id(run, services, row.id)
    count = len(dlg._rows)
    qtbot.keyClick(dlg.table, Qt.Key.Key_Delete)
    run(wait_until(lambda: dlg.findChild(QMessageBox, "confirmBox") is not None))
    box = dlg.findChild(QMessageBox, "confirmBox")
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert "vault" in box.informativeText()
    box.button(QMessageBox.StandardButton.Yes).click()
    run(wait_until(lambda: len(dlg._rows) == count - 1))
    run(dlg.wait_idle())
    assert vault_id not in vault and all(r.id != row.id for r in dlg._rows)

    async def audited() -> list[str]:
        async with services.db.sessions() as s:
            return list((await s.scalars(select(AuditEvent.action).where(
                AuditEvent.entity_id == str(row.id), AuditEvent.entity_type == "saved_payment_method")
                .order_by(AuditEvent.id))).all())

    assert run(audited())[-3:] == ["payment_method.renamed", "payment_method.expiry_updated",
                                   "payment_method.deleted"]
    qtbot.keyClick(dlg.table, Qt.Key.Key_Escape)
    assert not dlg.isVisible()


def _vault_id(run: Run, services: Services, method_id: int) -> str:
    async def get() -> str:
        async with services.db.sessions() as s:
            m = await s.get(SavedPaymentMethod, method_id)
            assert m is not None
            return m.vault_id
    return str(run(get()))


def test_expiring_and_expired_cards_are_flagged_in_words(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    company = run(_company_with_card(services))

    async def set_expiries() -> None:
        async with services.db.transaction() as s:
            cards = (await s.scalars(select(SavedPaymentMethod).where(
                SavedPaymentMethod.company_id == company[0], SavedPaymentMethod.method == "card"))).all()
            cards[0].expiry = "0120"
            s.add(SavedPaymentMethod(company_id=company[0], gateway="nmi", vault_id="flag-test", method="card",
                                     brand="Visa", last_four="4242", expiry=_this_month(), holder_name="Ada"))

    run(set_expiries())
    dlg = _open(qtbot, run, services, company)
    states = {m.last_four: m.expiry_state for m in dlg._rows}
    assert states["4242"] == EXPIRING and EXPIRED in states.values()
    texts = [dlg.table.item(i, 2).text() for i in range(dlg.table.rowCount())]
    assert any("expires soon" in t for t in texts) and any("expired" in t for t in texts)
    assert dlg.expiry_note.isVisible() and "within 60 days" in dlg.expiry_note.text()


def _this_month() -> str:
    """This month's MMYY: the card's last day is at most 31 days away, so it is expiring (and not expired)."""
    import datetime as dt

    d = dt.date.today()
    return f"{d.month:02d}{d.year % 100:02d}"


def test_empty_state_and_viewer(qtbot: QtBot, demo_context: AppContext, run: Run) -> None:
    services = demo_context.services
    none = run(_company_without(services))
    dlg = _open(qtbot, run, services, none)
    assert dlg.empty.isVisible() and not dlg.table.isVisible()
    assert "Save payment information" in dlg.empty.text() and none[1] in dlg.empty.text()
    dlg.close()
    services.current_user = CurrentUser(VIEWER)
    try:
        viewer = _open(qtbot, run, services, run(_company_with_card(services)))
        assert viewer.table.rowCount() > 0 and viewer.role_note.isVisible()
        assert not viewer.rename_button.isVisible() and not viewer.delete_button.isVisible()
        qtbot.keyClick(viewer.table, Qt.Key.Key_Delete)
        assert viewer.findChild(QMessageBox, "confirmBox") is None and viewer.editor is None
    finally:
        services.current_user = demo_context.services.current_user


def test_reached_from_the_invoice_menu_and_window(qtbot: QtBot, tab: InvoiceHistoryTab,  # noqa: F811
                                                  demo_context: AppContext, run: Run) -> None:
    index = tab.model.index(0, 0)
    row = tab.row_for(index)
    assert row is not None
    menu = tab.build_context_menu(row)
    action = next(a for a in menu.actions() if a.objectName() == "savedMethodsAction")
    action.trigger()
    run(wait_until(lambda: _dialogs(tab) != []))
    dlg = _dialogs(tab)[0]
    assert row.company_name in dlg.windowTitle()
    dlg.close()
    run(tab.open_invoice(row.id))
    view = tab.open_views[-1]
    assert view.saved_button.isEnabled()
    view.saved_button.click()
    run(wait_until(lambda: any(d.parent() is view for d in _dialogs(view))))
    run(asyncio.sleep(0))
    for d in _dialogs(view):
        d.close()
    view.close()


def _dialogs(parent: Any) -> list[SavedMethodsDialog]:
    return [d for d in parent.findChildren(SavedMethodsDialog) if shiboken6.isValid(d) and d.isVisible()]


def test_german(qtbot: QtBot, qapp: QApplication, demo_context: AppContext, run: Run) -> None:
    from PySide6.QtCore import QLocale

    from payapp.ui.i18n import install_translators, remove_translators

    services = demo_context.services
    company = run(_company_with_card(services))
    try:
        install_translators(qapp, "de")
        dlg = _open(qtbot, run, services, company)
        assert dlg.windowTitle().startswith("Gespeicherte Zahlungsmittel")
        assert dlg.delete_button.text() == "&Löschen …"
        assert dlg.table.horizontalHeaderItem(2).text() == "Gültig bis"
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    assert run(_count(services)) > 0


async def _count(services: Services) -> int:
    async with services.db.sessions() as s:
        return int(await s.scalar(select(func.count()).select_from(SavedPaymentMethod)) or 0)


def test_screenshots(qtbot: QtBot, demo_context: AppContext, run: Run, tmp_path: Path) -> None:
    """Renders the dialog (tests do not look; a person does: PAYAPP_SHOTS=dir keeps the PNGs)."""
    import os

    services = demo_context.services
    dlg = _open(qtbot, run, services, run(_company_with_card(services)))
    out = Path(os.environ.get("PAYAPP_SHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    assert dlg.grab().save(str(out / "saved-methods.png"))
    empty = _open(qtbot, run, services, run(_company_without(services)))
    assert empty.grab().save(str(out / "saved-methods-empty.png"))


def test_managed_from_the_payment_window(qtbot: QtBot, tab: InvoiceHistoryTab,  # noqa: F811
                                         demo_context: AppContext, run: Run) -> None:
    """The payment window's "Manage saved methods…" opens the dialog over it; a rename or delete there shows in
    the payment window's list at once."""
    from payapp.services.invoices import InvoiceQuery

    services = demo_context.services
    company_id, _name = run(_company_with_card(services))
    rows = run(services.invoices.page(InvoiceQuery(status="open"), None, 500))
    invoice = next(r for r in rows if r.company_id == company_id and r.balance_minor > 0)
    payment = run(tab.process_payment(invoice.id))
    assert payment is not None and payment.saved_methods.methods
    target = payment.saved_methods.methods[0]
    payment.manage_saved_button.click()
    run(wait_until(lambda: _dialogs(payment) != []))
    dlg = _dialogs(payment)[0]
    run(wait_until(lambda: any(m.id == target.id for m in dlg._rows)))
    dlg.table.selectRow(next(i for i, m in enumerate(dlg._rows) if m.id == target.id))
    task = asyncio.ensure_future(dlg.rename_selected())
    run(_editor_open(dlg))
    assert dlg.editor is not None
    dlg.editor.edit.setText("Head office")
    dlg.editor.buttons.button(dlg.editor.buttons.StandardButton.Save).click()
    assert run(task) is True
    run(wait_until(lambda: "Head office" in payment.saved_methods.radios[target.id].text()))
    dlg.close()
    payment.close()
