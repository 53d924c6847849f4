"""The Payment Search tab's actions on the selected payment and on the search: details, void / refund, retry
sync, receipt (PDF, print, e-mail), pending approvals, demo settlement, export (CSV, Excel); the buttons under
the grid, the grid's context menu (the same actions), and what each one does."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QFileDialog, QHBoxLayout, QMenu, QMessageBox, QProgressBar, QPushButton, QWidget

from payapp.domain.errors import PayAppError
from payapp.domain.money import format_money
from payapp.domain.roles import Permission
from payapp.services.context import Services
from payapp.services.payment_export import export_payments
from payapp.services.payment_search import PaymentDetails, PaymentQuery
from payapp.services.receipts import Receipt
from payapp.services.refund_approvals import RefundApprovalService
from payapp.ui.async_work import WidgetTasks
from payapp.ui.messages import message_text, user_text
from payapp.ui.payments.payment_details import (
    PaymentDetailsDialog,
    PendingApprovalsDialog,
    RefundDialog,
    receipt_document,
    write_receipt_pdf,
)
from payapp.ui.payments.receipt_mail_dialog import ReceiptMailDialog
from payapp.ui.widgets import Banner, ask, confirm_box, return_focus_on_close


class PaymentActions(QWidget):
    """The row of buttons under the payments grid. It reports in the tab's `banner` (or in the window an action
    was started from), runs its work in the tab's `tasks`, acts on `selected_row()`, exports `query()` (None
    without a payment search) and calls `reload()` when a payment changed."""

    def __init__(self, services: Services, banner: Banner, tasks: WidgetTasks, parent: QWidget, *,
                 selected_row: Callable[[], Any], query: Callable[[], PaymentQuery | None],
                 reload: Callable[[], None]) -> None:
        super().__init__(parent)
        self._services = services
        self._locale = services.locale
        self._search = services.payment_search
        self._approvals: RefundApprovalService | None = services.refund_approvals
        self.banner = banner
        self._tasks = tasks
        self._selected_row = selected_row
        self._query = query
        self._reload = reload
        self._export_task: asyncio.Task[int] | None = None
        self.context_menu: QMenu | None = None
        self.details_button = self._button("detailsButton", self.tr("Details…"), self.open_details)
        self.refund_button = self._button("refundButton", self.tr("Void / Refund…"), self._on_refund_clicked)
        self.retry_button = self._button("retrySyncButton", self.tr("Retry sync"), self._on_retry_clicked)
        self.receipt_button = self._button("receiptButton", self.tr("Save receipt as PDF…"), self._on_receipt_clicked)
        self.email_receipt_button = self._button("emailReceiptButton", self.tr("E-mail receipt…"),
                                                 self.email_receipt)
        self.open_mail_dialogs: list[ReceiptMailDialog] = []
        self.approvals_button = self._button("approvalsButton", self.tr("Pending approvals…"), self._open_approvals)
        self.csv_button = self._button("exportCsvButton", self.tr("Export CSV…"), lambda: self._on_export("csv"))
        self.xlsx_button = self._button("exportXlsxButton", self.tr("Export Excel…"), lambda: self._on_export("xlsx"))
        may_manage = services.current_user.can(Permission.MANAGE_PAYMENT)
        self.refund_button.setVisible(may_manage)
        self.retry_button.setVisible(may_manage)
        # Demo only: the demo gateway settles at a daily cut-off; "Settle now" runs that batch at once, so a
        # refund can be tried on a new payment.
        self._demo_settlement = services.demo_settlement if services.demo else None
        self.settle_button = self._button("demoSettleButton", self.tr("Settle now (demo)"), self._on_settle_clicked)
        self.settle_button.setToolTip(self.tr("The demo gateway settles every day at its cut-off. This settles "
                                              "its pending payments now, so you can try a refund."))
        self.settle_button.setVisible(self._demo_settlement is not None and may_manage)
        self.export_progress = QProgressBar(self)
        self.export_progress.setObjectName("exportProgress")
        self.export_progress.setMaximumWidth(220)
        self.export_progress.hide()
        self.export_cancel = QPushButton(self.tr("Cancel export"), self)
        self.export_cancel.setObjectName("exportCancelButton")
        self.export_cancel.hide()
        self.export_cancel.clicked.connect(self.cancel_export)

        actions = QHBoxLayout(self)
        actions.setContentsMargins(0, 0, 0, 0)
        for b in (self.details_button, self.refund_button, self.retry_button, self.receipt_button,
                  self.email_receipt_button, self.approvals_button, self.settle_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.export_progress)
        actions.addWidget(self.export_cancel)
        actions.addWidget(self.csv_button)
        actions.addWidget(self.xlsx_button)
        self.update_buttons()

    def _spawn(self, coro: Any) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    # ---------------------------------------------------------------- helpers
    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.clicked.connect(lambda _checked=False: slot())
        return b

    def update_buttons(self) -> None:
        row = self._selected_row()
        has = row is not None
        self.details_button.setEnabled(has)
        self.refund_button.setEnabled(has and row.status in ("approved", "settled", "partially_refunded"))
        bad = {"failed", "needs_attention"}
        self.retry_button.setEnabled(has and bool(bad & {row.accounting_sync_state, row.psa_sync_state}))
        self.receipt_button.setEnabled(has and row.status not in ("declined", "pending", "unknown", "error"))
        self.email_receipt_button.setEnabled(self.receipt_button.isEnabled())
        exporting = self._export_task is not None
        self.csv_button.setEnabled(self._search is not None and not exporting)
        self.xlsx_button.setEnabled(self._search is not None and not exporting)
        self.approvals_button.setVisible(self._approvals is not None)

    # ---------------------------------------------------------------- context menu
    def build_context_menu(self) -> QMenu:
        """The selected payment's actions, as the buttons under the grid offer them."""
        if self.context_menu is not None:
            self.context_menu.close()
            self.context_menu.deleteLater()
        menu = QMenu(self)
        menu.setObjectName("paymentContextMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for name, button in (("detailsAction", self.details_button), ("refundAction", self.refund_button),
                             ("retrySyncAction", self.retry_button), ("receiptAction", self.receipt_button),
                             ("emailReceiptAction", self.email_receipt_button)):
            if not button.isVisibleTo(self):
                continue
            act = QAction(button.text(), menu)
            act.setObjectName(name)
            act.setEnabled(button.isEnabled())
            act.triggered.connect(lambda _checked=False, b=button: b.click())
            menu.addAction(act)
        menu.destroyed.connect(lambda *_a: setattr(self, "context_menu", None))
        self.context_menu = menu
        return menu

    # ---------------------------------------------------------------- details
    def open_details(self) -> None:
        row = self._selected_row()
        if row is not None:
            self._spawn(self.show_details(row.id))

    async def load_details(self, payment_id: int, banner: Banner | None = None) -> PaymentDetails | None:
        assert self._search is not None
        try:
            return await self._search.details(payment_id)
        except PayAppError as exc:
            (banner or self.banner).show_error(user_text(exc))
            return None

    async def show_details(self, payment_id: int) -> PaymentDetailsDialog | None:
        details = await self.load_details(payment_id)
        if details is None:
            return None
        dlg = PaymentDetailsDialog(details, self._locale, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.action_requested.connect(lambda action: self._spawn(self._details_action(dlg, action)))
        return_focus_on_close(dlg)               # Esc or Close: back to the payment's row
        dlg.open()
        return dlg

    async def _details_action(self, dlg: PaymentDetailsDialog, action: str) -> None:
        pid = dlg.details.row.id
        if action == "refund":
            done = await self.manage(pid, dlg)
            if done:
                dlg.close()
        elif action == "retry_sync":
            await self.retry_sync(pid, dlg.banner)
        elif action == "receipt_pdf":
            await self.save_receipt(dlg.details, dlg)
        elif action == "receipt_print":
            await self.print_receipt(dlg.details, dlg)

    # ---------------------------------------------------------------- void / refund, retry sync, demo settlement
    def _on_refund_clicked(self) -> None:
        row = self._selected_row()
        if row is not None:
            self._spawn(self.manage(row.id, self))

    async def open_refund_dialog(self, details: PaymentDetails, parent: QWidget) -> RefundDialog:
        threshold = await self._approvals.threshold_minor() if self._approvals is not None else 0
        dlg = RefundDialog(details, self._locale, threshold, parent)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dlg)
        dlg.open()
        return dlg

    async def manage(self, payment_id: int, parent: QWidget) -> bool:
        """Void or refund: choose amount and reason, confirm amount and effect, then send (or ask for approval).
        Started from the details window, its problems are shown in that window, not behind it."""
        banner = self._banner_of(parent)
        details = await self.load_details(payment_id, banner)
        if details is None:
            return False
        if not (details.can_void or details.can_refund):
            banner.show_warning(self.tr("This payment cannot be voided or refunded."))
            return False
        dlg = await self.open_refund_dialog(details, parent)
        done: asyncio.Future[tuple[int, str, bool] | None] = asyncio.get_running_loop().create_future()

        def finished(result: int) -> None:   # read the choice now: the dialog deletes itself on close
            if not done.done():
                done.set_result((dlg.amount_minor(), dlg.reason(), dlg.reopen_invoice()) if result == 1 else None)

        dlg.finished.connect(finished)
        choice = await done
        if choice is None:
            return False
        amount, reason, reopen = choice
        r = details.row
        money = format_money(amount, r.currency, self._locale)
        needs_approval = self._approvals is not None and await self._approvals.needs_approval(amount)
        if details.can_void:
            title, yes = self.tr("Void this payment?"), self.tr("Void %1").replace("%1", money)
            text = self.tr("Void %1 on invoice %2 of %3?").replace("%1", money).replace(
                "%2", r.invoice_number).replace("%3", r.company_name)
            # Voids and refunds go to QuickBooks only: the one Autotask write is marking a paid invoice paid.
            effect = self.tr("The charge is cancelled before it settles; the invoice balance goes back up by %1 "
                             "and QuickBooks is corrected. Autotask keeps the invoice as it is.").replace("%1", money)
        else:
            title, yes = self.tr("Refund this payment?"), self.tr("Refund %1").replace("%1", money)
            text = self.tr("Refund %1 of %2 on invoice %3 of %4?").replace("%1", money).replace(
                "%2", format_money(r.amount_minor, r.currency, self._locale)).replace(
                "%3", r.invoice_number).replace("%4", r.company_name)
            if reopen:
                effect = self.tr("%1 goes back to the customer's %2 and the invoice is re-opened: its balance goes "
                                 "back up by %1 and the payment is voided in QuickBooks. Autotask keeps its paid "
                                 "date.").replace("%1", money).replace("%2", r.brand or self.tr("account"))
            else:
                effect = self.tr("%1 goes back to the customer's %2; the invoice stays paid and QuickBooks gets a "
                                 "refund receipt. Autotask keeps the invoice as it is.").replace(
                    "%1", money).replace("%2", r.brand or self.tr("account"))
        if needs_approval:
            yes = self.tr("Ask for approval")
            effect = self.tr("This amount needs another user's approval: nothing is sent until they approve it "
                             "under Pending approvals.")
        box = confirm_box(parent, title, text, yes, informative=effect)
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return False
        return await self._send_manage(payment_id, amount if amount != r.refundable_minor else None, reason, banner,
                                       reopen_invoice=reopen)

    async def _send_manage(self, payment_id: int, amount_minor: int | None, reason: str,
                           banner: Banner | None = None, *, reopen_invoice: bool = False) -> bool:
        """Send the void or refund; a failure is shown in `banner` (the window it was asked in), the outcome of
        one that went through in this tab's banner (the details window closes then)."""
        where = banner if banner is not None and shiboken6.isValid(banner) else self.banner
        self.refund_button.setEnabled(False)
        try:
            if self._approvals is not None:
                outcome = await self._approvals.void_or_refund(payment_id, amount_minor, reason,
                                                               reopen_invoice=reopen_invoice)
                if outcome.needs_approval:
                    a = outcome.approval
                    self.banner.show_info(self.tr("Refund of %1 is waiting for another user's approval.").replace(
                        "%1", format_money(a.amount_minor, a.currency, self._locale)))
                    return True
                result = outcome.result
            else:
                assert self._services.payments is not None
                result = await self._services.payments.void_or_refund(payment_id, amount_minor, reason,
                                                                      reopen_invoice=reopen_invoice)
        except PayAppError as exc:
            (where if shiboken6.isValid(where) else self.banner).show_error(user_text(exc))
            return False
        finally:
            if shiboken6.isValid(self):
                self.update_buttons()
        kind = {"approved": "success", "declined": "error", "error": "error"}.get(result.status, "warning")
        self.banner.show_message(kind, message_text(result.message))
        if where is not self.banner and shiboken6.isValid(where) and result.status != "approved":
            where.show_message(kind, message_text(result.message))
        self._reload()
        return result.status == "approved"

    def _on_retry_clicked(self) -> None:
        row = self._selected_row()
        if row is not None:
            self._spawn(self.retry_sync(row.id, self.banner))

    async def retry_sync(self, payment_id: int, banner: Banner) -> None:
        assert self._search is not None
        try:
            n = await self._search.retry_sync(payment_id)
        except PayAppError as exc:
            banner.show_error(user_text(exc))
            return
        banner.show_success(self.tr("Sync will be tried again now (%1 job(s) queued).").replace("%1", str(n)))
        self._reload()

    def _on_settle_clicked(self) -> None:
        self._spawn(self.settle_now())

    async def settle_now(self) -> None:
        """Demo only: the demo gateway's daily batch now; the grid shows what settled."""
        if self._demo_settlement is None:
            return
        self.settle_button.setEnabled(False)
        try:
            n = await self._demo_settlement.settle_now()
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        finally:
            self.settle_button.setEnabled(True)
        self.banner.show_success(self.tr("The demo gateway ran its daily settlement now (%n payment(s) settled).",
                                         "", n))
        self._reload()

    # ---------------------------------------------------------------- receipt
    def email_receipt(self) -> ReceiptMailDialog | None:
        """E-mail receipt…: the selected payment's receipt PDF to the payer (a dialog, opened)."""
        row = self._selected_row()
        if row is None:
            return None
        title = f"{row.invoice_number} · {format_money(row.amount_minor, row.currency, self._locale)}"
        dialog = ReceiptMailDialog(self._services.invoice_mail, row.id, title, language=self._locale, parent=self)
        self.open_mail_dialogs.append(dialog)
        dialog.destroyed.connect(lambda *_a: self.open_mail_dialogs.remove(dialog)
                                 if dialog in self.open_mail_dialogs else None)
        dialog.open()
        return dialog

    def _on_receipt_clicked(self) -> None:
        row = self._selected_row()
        if row is None:
            return

        async def go() -> None:
            details = await self.load_details(row.id)
            if details is not None:
                await self.save_receipt(details, self)
        self._spawn(go())

    async def choose_file(self, parent: QWidget, caption: str, name: str, filters: str) -> str:
        dlg = QFileDialog(parent, caption, str(Path.home() / name), filters)
        dlg.setObjectName("saveFileDialog")
        dlg.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        done: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        dlg.fileSelected.connect(lambda p: done.done() or done.set_result(p))
        dlg.finished.connect(lambda _r: done.done() or done.set_result(""))
        dlg.open()
        return await done

    async def _receipt(self, payment_id: int, banner: Banner) -> Receipt | None:
        """The payment's receipt (services/receipts.py), or None with the reason in `banner`."""
        try:
            return await self._services.receipts.receipt(payment_id)
        except PayAppError as exc:
            banner.show_error(user_text(exc))
            return None

    async def save_receipt(self, details: PaymentDetails, parent: QWidget, path: str = "") -> str:
        r = details.row
        path = path or await self.choose_file(parent, self.tr("Save receipt as PDF"),
                                              f"receipt-{r.transaction_id or r.id}.pdf", self.tr("PDF (*.pdf)"))
        if not path:
            return ""
        banner = self._banner_of(parent)
        receipt = await self._receipt(r.id, banner)
        if receipt is None:
            return ""
        try:
            await write_receipt_pdf(receipt, self._locale, path)
        except OSError as exc:
            banner.show_error(self.tr("The receipt could not be saved (%1).").replace("%1", str(exc)))
            return ""
        await self._audit(self._search.receipt_issued(r.id, printed=False) if self._search else None)
        banner.show_success(self.tr("Receipt saved to %1.").replace("%1", path))
        return path

    async def print_receipt(self, details: PaymentDetails, parent: QWidget) -> bool:
        """Print the receipt through the system print dialog (opened with open(), awaited)."""
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dlg = QPrintDialog(printer, parent)
        dlg.setObjectName("printReceiptDialog")
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        dlg.finished.connect(lambda r: done.done() or done.set_result(r == 1))
        QDialog.open(dlg)        # QPrintDialog.open(receiver, member) hides QDialog's open() in PySide6
        try:
            if not await done:
                return False
        finally:
            dlg.deleteLater()    # not before the answer: the dialog writes its choices into `printer`
        banner = self._banner_of(parent)
        to_file = printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        if to_file and (not printer.outputFileName() or Path(printer.outputFileName()).is_dir()):
            # Without a printer the dialog offers only "Print to File (PDF)", named after a folder.
            banner.show_error(self.tr("Nothing was printed: choose a printer, or a file name for the PDF."))
            return False
        receipt = await self._receipt(details.row.id, banner)
        if receipt is None:
            return False
        receipt_document(receipt, self._locale).print_(printer)
        if printer.printerState() == QPrinter.PrinterState.Error:
            banner.show_error(self.tr("The receipt could not be printed. Check the printer and try again."))
            return False
        await self._audit(self._search.receipt_issued(details.row.id, printed=True) if self._search else None)
        banner.show_success(self.tr("Receipt sent to the printer."))
        return True

    def _banner_of(self, parent: QWidget) -> Banner:
        """Where a receipt action reports: the dialog it was started from (the details window) if it has a banner,
        else this tab's."""
        banner = getattr(parent, "banner", None)
        return banner if isinstance(banner, Banner) else self.banner

    async def _audit(self, entry: Awaitable[None] | None) -> None:
        """Await one of the search service's audit calls; a refusal shows in the banner, the action stays done."""
        if entry is None:
            return
        try:
            await entry
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))

    # ---------------------------------------------------------------- export
    def _on_export(self, fmt: str) -> None:
        async def go() -> None:
            name = f"payments-{dt.date.today().isoformat()}.{fmt}"
            filters = self.tr("CSV (*.csv)") if fmt == "csv" else self.tr("Excel workbook (*.xlsx)")
            path = await self.choose_file(self, self.tr("Export payments"), name, filters)
            if path:
                await self.export_to(Path(path), fmt)
        self._spawn(go())

    async def export_to(self, path: Path, fmt: str) -> int:
        """Export the current filter (all rows) with progress in the tab; Cancel stops it."""
        query = self._query()
        assert self._search is not None and query is not None
        search = self._search
        # The rows start at once; the count (seconds without a date filter) arrives beside them and turns the
        # busy bar into "n of m".
        self.export_progress.setRange(0, 0)
        self.export_progress.setValue(0)
        self.export_progress.setFormat(self.tr("Exporting %v of %m"))
        self.export_progress.show()
        self.export_cancel.show()
        written = [0]

        def progress(done: int, _total: int) -> None:
            written[0] = done
            if self.export_progress.maximum() > 0:
                self.export_progress.setValue(min(done, self.export_progress.maximum()))

        async def count() -> None:
            try:
                total = (await search.totals(query)).count
            except PayAppError:
                return                          # the bar stays busy; the export does not need the count
            self.export_progress.setRange(0, max(total, 1))
            self.export_progress.setValue(min(written[0], max(total, 1)))

        counting = self._spawn(count())
        self._export_task = asyncio.ensure_future(export_payments(search, query, path, fmt, on_progress=progress))
        self.update_buttons()
        try:
            n = await self._export_task
        except asyncio.CancelledError:
            self.banner.show_info(self.tr("Export cancelled; no file was written."))
            return 0
        except OSError as exc:
            self.banner.show_error(self.tr("The export could not be written (%1).").replace("%1", str(exc)))
            return 0
        finally:
            counting.cancel()
            self._export_task = None
            self.export_progress.hide()
            self.export_cancel.hide()
            self.update_buttons()
        await self._audit(search.export_written(fmt, n, query))
        self.banner.show_success(self.tr("Exported %1 payments to %2.").replace("%1", str(n)).replace(
            "%2", str(path)))
        return n

    def cancel_export(self) -> None:
        if self._export_task is not None:
            self._export_task.cancel()

    # ---------------------------------------------------------------- approvals
    def _open_approvals(self) -> None:
        self._spawn(self.show_approvals())

    async def show_approvals(self) -> PendingApprovalsDialog:
        can = self._services.current_user.can(Permission.APPROVE_REFUND)
        dlg = PendingApprovalsDialog(self._locale, can, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        return_focus_on_close(dlg)
        dlg.approve_requested.connect(lambda aid: self._spawn(self._approve(dlg, aid)))
        dlg.reject_requested.connect(lambda aid: self._spawn(self._reject(dlg, aid)))
        await self._fill_approvals(dlg)
        dlg.open()
        return dlg

    async def _fill_approvals(self, dlg: PendingApprovalsDialog) -> None:
        if self._approvals is None:
            return
        try:
            dlg.set_rows(await self._approvals.pending())
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))

    async def _approve(self, dlg: PendingApprovalsDialog, approval_id: int) -> None:
        a = next((x for x in await self._approvals.pending() if x.id == approval_id), None)
        if a is None:
            return
        money = format_money(a.amount_minor, a.currency, self._locale)
        box = confirm_box(dlg, self.tr("Approve refund?"),
                          self.tr("Send the refund of %1 on invoice %2 of %3 to the gateway?").replace(
                              "%1", money).replace("%2", a.invoice_number).replace("%3", a.company_name),
                          self.tr("Approve and refund %1").replace("%1", money),
                          informative=self.tr("Requested by %1. The money goes back to the customer and the invoice "
                                              "balance goes back up.").replace("%1", a.requested_by_name))
        if await ask(box) != QMessageBox.StandardButton.Yes:
            return
        try:
            result = await self._approvals.approve(approval_id)
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))
            return
        kind = {"approved": "success", "declined": "error", "error": "error"}.get(result.status, "warning")
        dlg.banner.show_message(kind, message_text(result.message))
        await self._fill_approvals(dlg)
        self._reload()

    async def _reject(self, dlg: PendingApprovalsDialog, approval_id: int) -> None:
        try:
            await self._approvals.reject(approval_id)
        except PayAppError as exc:
            dlg.banner.show_error(user_text(exc))
            return
        dlg.banner.show_success(self.tr("Request rejected; nothing was refunded."))
        await self._fill_approvals(dlg)
