"""The Invoice History tab's screenshot states (`payapp screenshots`): its context menu, an invoice, and the
payment window with a card form, an eCheck form, validation errors and an approved payment."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Protocol

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from payapp.domain.money import format_amount_input
from payapp.services.context import Services
from payapp.services.invoices import InvoiceQuery, InvoiceRow
from payapp.services.settings import ProcessingStatus
from payapp.ui.invoices.invoice_model import InvoiceTableModel
from payapp.ui.invoices.payment_dialog import PaymentDialog
from payapp.ui.lazy_model import LazyTableView
from payapp.ui.payments.saved_methods_dialog import SavedMethodsDialog


class InvoiceHistoryTab(Protocol):
    """What these states drive of the Invoice History tab (ui/invoices/invoice_history_tab.py, whose
    `screenshot_states` calls in here): named as a protocol, so this module does not import the tab back."""

    _services: Services
    _status: ProcessingStatus | None
    model: InvoiceTableModel
    table: LazyTableView

    async def wait_ready(self) -> None: ...
    async def wait_idle(self) -> None: ...
    def row_for(self, index: QModelIndex) -> InvoiceRow | None: ...
    def build_context_menu(self, row: InvoiceRow) -> QMenu: ...
    def open_invoice(self, invoice_id: int) -> asyncio.Task[Any]: ...
    def open_saved_methods(self, company_id: int, company_name: str,
                           parent: QWidget | None = None) -> asyncio.Task[SavedMethodsDialog]: ...
    async def _open_payment(self, invoice_id: int) -> PaymentDialog | None: ...

_used: set[int] = set()


async def _until(predicate: object, timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError("screen state not reached")
        await asyncio.sleep(0.02)


async def _open_invoices(tab: InvoiceHistoryTab, n: int) -> list[InvoiceRow]:
    invoices = tab._services.invoices
    assert invoices is not None
    rows = await invoices.page(InvoiceQuery(status="open", sort="invoice_date", descending=True), None, 50)
    fresh = [r for r in rows if r.id not in _used and r.balance_minor >= 1000][:n]
    _used.update(r.id for r in fresh)
    return fresh


async def _dialog(tab: InvoiceHistoryTab, row: InvoiceRow) -> PaymentDialog:
    dialog = await tab._open_payment(row.id)
    assert dialog is not None
    return dialog


def _type(edit: object, text: str) -> None:
    edit.setText(text)  # type: ignore[attr-defined]
    edit.textEdited.emit(text)  # type: ignore[attr-defined]


async def screenshot_states(tab: InvoiceHistoryTab) -> list[tuple[str, QWidget]]:
    await tab.wait_ready()
    shots: list[tuple[str, QWidget]] = []
    model = tab.model
    if model.rowCount():
        index = model.index(0, 0)
        tab.table.setCurrentIndex(index)
        tab._status = await tab._services.settings.processing_status()
        row = tab.row_for(index)
        assert row is not None
        menu = tab.build_context_menu(row)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)   # other windows opening close it
        menu.popup(tab.table.viewport().mapToGlobal(tab.table.visualRect(index).center()))
        shots.append(("invoiceContextMenu", menu))
    opened = await _open_invoices(tab, 4)
    if not opened:
        return shots
    paid = await tab._services.invoices.page(InvoiceQuery(status="paid"), None, 1)  # type: ignore[union-attr]
    view_task = tab.open_invoice((paid or opened)[0].id)
    view = await view_task
    view.resize(900, 640)
    shots.append(("invoiceView", view))

    card = await _dialog(tab, opened[0])
    card.new_card_radio.setChecked(True)
    _type(card.card_form.card_number_edit, "4111 1111 1111 1111")
    _type(card.card_form.expiry_edit, f"12/{(dt.date.today().year + 2) % 100:02d}")
    _type(card.card_form.cvv_edit, "123")
    card.card_form.first_name_edit.setText("Anna")
    card.card_form.last_name_edit.setText("Baker")
    card.card_form.card_state_edit.setText("TX")
    card.card_form.card_zip_edit.setText("78701")
    shots.append(("paymentDialog-card", card))

    echeck = await _dialog(tab, opened[1])
    echeck.new_bank_radio.setChecked(True)
    echeck.bank_form.account_name_edit.setText(opened[1].company_name)
    _type(echeck.bank_form.routing_number_edit, "123123123")
    _type(echeck.bank_form.account_number_edit, "123123123")
    shots.append(("paymentDialog-echeck", echeck))

    bad = await _dialog(tab, opened[2])
    bad.new_card_radio.setChecked(True)
    _type(bad.card_form.card_number_edit, "4111 1111 1111 1112")
    _type(bad.card_form.expiry_edit, "01/20")
    _type(bad.card_form.cvv_edit, "12")
    _type(bad.amount_edit, format_amount_input(50, opened[2].currency, tab._services.locale))   # under the minimum
    shots.append(("paymentDialog-errors", bad))

    ok = await _dialog(tab, opened[3])
    ok.new_card_radio.setChecked(True)
    _type(ok.card_form.card_number_edit, "4111111111111111")
    _type(ok.card_form.expiry_edit, f"10/{(dt.date.today().year + 3) % 100:02d}")
    _type(ok.card_form.cvv_edit, "123")
    ok.card_form.first_name_edit.setText("Anna")
    ok.card_form.last_name_edit.setText("Baker")
    ok.card_form.card_zip_edit.setText("78701")
    ok.pay_button.click()
    await _until(lambda: ok.findChild(QMessageBox, "confirmBox") is not None)
    box = ok.findChild(QMessageBox, "confirmBox")
    box.button(QMessageBox.StandardButton.Yes).click()
    await _until(lambda: ok.banner.kind is not None and ok.result_ is not None, 20)
    shots.append(("paymentDialog-approved", ok))
    saved = await tab.open_saved_methods(opened[0].company_id, opened[0].company_name)
    shots.append(("savedMethodsDialog", saved))
    await tab.wait_idle()   # the row refresh and totals the payment started: nothing of ours left pending
    return shots
