"""Payment Search tab and its model over the demo company, with the in-process sandbox gateway:
qtmodeltester, void before settlement, refunds after (partial up to the remainder), the approval rule,
Viewer refused, and the refund dialog → confirmation → gateway flow through the tab."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext
from payapp.domain.errors import PermissionDenied, ValidationError
from payapp.domain.roles import Role
from payapp.domain.validation import card_brand
from payapp.models import AuditEvent, Invoice, User
from payapp.services.auth import Actor
from payapp.services.payment_search import PaymentQuery
from payapp.services.payments import PaymentRequest
from payapp.ui.payments.payment_filters import BRANDS, date_range
from payapp.ui.payments.payment_model import PaymentTableModel
from payapp.ui.payments.payment_search_tab import PaymentSearchTab
from payapp.ui.window_state import WindowState
from tests.payment_helpers import AMEX, MASTERCARD, VISA, card
from tests.ui.conftest import wait_until

Run = Callable[[Awaitable[Any]], Any]


def shown_tab(qtbot: QtBot, services: Any, tmp_path: Path) -> PaymentSearchTab:
    """The Payment Search tab over the demo company's services, shown, with its layout kept in tmp_path."""
    tab = PaymentSearchTab(services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(tab)
    tab.show()
    return tab


def test_model_passes_modeltester(qtmodeltester: Any, demo_context: AppContext, run: Run) -> None:
    search = demo_context.services.payment_search
    assert search is not None
    model = PaymentTableModel(search)
    model.fetchMore()
    run(model.wait_idle())
    model.fetchMore()
    run(model.wait_idle())
    assert model.rowCount() == 2 * PaymentTableModel.PAGE
    qtmodeltester.check(model)
    run(model.wait_idle())
    model.sort(4, Qt.SortOrder.AscendingOrder)          # sale amount
    run(model.wait_idle())
    amounts = [model.row_at(i).amount_minor for i in range(model.rowCount())]  # type: ignore[union-attr]
    assert amounts == sorted(amounts) and amounts
    qtmodeltester.check(model)
    run(model.wait_idle())
    model.set_query(PaymentQuery(company="no such company"))
    run(model.wait_idle())
    assert model.rowCount() == 0 and model.exhausted
    qtmodeltester.check(model)
    run(model.wait_idle())
    model.close()


async def _invoice_with_balance(ctx: AppContext, at_least: int) -> int:
    async with ctx.services.db.sessions() as s:
        return int((await s.scalars(select(Invoice.id).where(Invoice.balance_minor >= at_least,
                                                             Invoice.is_voided.is_(False)).limit(1))).one())


async def _second_user(ctx: AppContext) -> Actor:
    async with ctx.services.db.transaction() as s:
        u = User(username="fin2", display_name="Second Finance", role="finance", password_hash="!")
        s.add(u)
        await s.flush()
        return Actor(user_id=u.id, username="fin2", role=Role.FINANCE, display_name="Second Finance")


def test_void_refund_partial_and_approval_rule(demo_context: AppContext, run: Run) -> None:
    ctx = demo_context
    services = ctx.services
    approvals = services.refund_approvals
    sandbox = ctx.sandboxes["gateway"][0]
    assert services.payments is not None and services.payment_search is not None
    admin = services.current_user.actor
    assert admin is not None and admin.user_id is not None

    async def scenario() -> None:
        assert services.payments is not None and services.payment_search is not None
        inv = await _invoice_with_balance(ctx, 200_00)
        # Before settlement: void only, in full.
        p1 = await services.payments.take_payment(PaymentRequest(inv, 40_00, card()))
        assert p1.approved
        d = await services.payment_search.details(p1.payment_id)
        assert d.can_void and not d.can_refund
        with pytest.raises(ValidationError, match="voided in full"):
            await approvals.void_or_refund(p1.payment_id, 10_00)
        out = await approvals.void_or_refund(p1.payment_id, None, "entered twice")
        assert out.result is not None and out.result.kind == "void" and out.result.payment_status == "voided"
        # After settlement: partial refunds up to the remainder.
        p2 = await services.payments.take_payment(PaymentRequest(inv, 60_00, card(MASTERCARD)))
        sandbox.settle_now()
        await services.payments.check_settlements()
        d = await services.payment_search.details(p2.payment_id)
        assert d.can_refund and not d.can_void and d.row.status == "settled"
        out = await approvals.void_or_refund(p2.payment_id, 10_00, "discount")
        assert out.result is not None and out.result.kind == "refund"
        assert out.result.payment_status == "partially_refunded"
        with pytest.raises(ValidationError, match="at most"):
            await approvals.void_or_refund(p2.payment_id, 50_01)
        # Approval rule: above 15.00 waits for a second user; the requester cannot approve.
        await services.settings.set_many({"refunds.approval_threshold_minor": 15_00})
        out = await approvals.void_or_refund(p2.payment_id, 20_00, "goodwill")
        assert out.needs_approval and out.approval is not None
        assert [a.id for a in await approvals.pending()] == [out.approval.id]
        with pytest.raises(ValidationError, match="waiting for approval"):
            await approvals.request(p2.payment_id, 40_00, "too much with the pending one")
        with pytest.raises(PermissionDenied, match="another user"):
            await approvals.approve(out.approval.id)
        d = await services.payment_search.details(p2.payment_id)
        assert d.row.refunded_minor == 10_00            # nothing sent yet
        second = await _second_user(ctx)
        services.current_user.actor = second
        result = await approvals.approve(out.approval.id)
        assert result.approved and result.amount_minor == 20_00
        assert await approvals.pending() == []
        d = await services.payment_search.details(p2.payment_id)
        assert d.row.refunded_minor == 30_00 and d.row.status == "partially_refunded"
        actions = [a.action for a in d.audit]
        assert "refund.approval_requested" in actions and "refund.approval_approved" in actions
        # A Viewer cannot manage.
        services.current_user.actor = Actor(user_id=None, username="v", role=Role.VIEWER)
        with pytest.raises(PermissionDenied):
            await approvals.void_or_refund(p2.payment_id, 1_00)
        with pytest.raises(PermissionDenied):
            await services.payments.void_or_refund(p2.payment_id, 1_00)
        with pytest.raises(PermissionDenied):
            await services.payment_search.retry_sync(p2.payment_id)
        services.current_user.actor = admin

    run(scenario(), 30)


def test_refund_through_the_tab(qtbot: QtBot, demo_context: AppContext, run: Run, tmp_path: Path) -> None:
    ctx = demo_context
    services = ctx.services
    tab = shown_tab(qtbot, services, tmp_path)

    async def scenario() -> None:
        assert services.payments is not None
        inv = await _invoice_with_balance(ctx, 100_00)
        p = await services.payments.take_payment(PaymentRequest(inv, 30_00, card()))
        ctx.sandboxes["gateway"][0].settle_now()
        await services.payments.check_settlements()
        tab.filters.txn_edit.setText(p.transaction_id)
        tab.apply_filters()
        await tab.wait_ready()
        assert tab.model is not None and tab.model.rowCount() == 1
        assert "1 payment" in tab.totals_label.text()
        tab.table.selectRow(0)
        task = asyncio.ensure_future(tab.actions.manage(p.payment_id, tab))
        await wait_until(lambda: tab.findChild(object, "refundDialog") is not None)
        dlg = tab.findChild(object, "refundDialog")
        dlg.partial.setChecked(True)
        dlg.amount_edit.setText("12.50")
        dlg.reason_edit.setText("credit")
        # Its captions end in a colon, like "Partial amount:".
        assert [w.text() for w in dlg.findChildren(QLabel) if w.buddy() is dlg.reason_edit] == ["Reason:"]
        dlg.findChild(QPushButton, "refundOk").click()
        await wait_until(lambda: tab.findChild(QMessageBox, "confirmBox") is not None)
        box = tab.findChild(QMessageBox, "confirmBox")
        assert "$12.50" in box.text() and "invoice stays paid" in box.informativeText()
        # A refund is pushed to QuickBooks only; Autotask gets no correction (docs/protocols.md): say so, not "the PSA".
        assert "QuickBooks gets a refund receipt. Autotask keeps the invoice as it is." in box.informativeText()
        assert "PSA" not in box.informativeText()
        box.button(QMessageBox.StandardButton.Yes).click()
        assert await task is True
        assert tab.banner.kind == "success"
        d = await services.payment_search.details(p.payment_id)  # type: ignore[union-attr]
        assert d.row.refunded_minor == 12_50
        # Receipt as PDF and export are audited.
        pdf = await tab.actions.save_receipt(d, tab, str(tmp_path / "r.pdf"))
        assert Path(pdf).read_bytes().startswith(b"%PDF")
        assert await tab.actions.export_to(tmp_path / "e.csv", "csv") == 1
        async with services.db.sessions() as s:
            actions = set((await s.scalars(select(AuditEvent.action))).all())
        assert {"payment.receipt_saved", "payments.exported"} <= actions
        tab.shutdown()

    run(scenario(), 30)


def test_demo_settle_now_lets_a_new_payment_be_refunded(qtbot: QtBot, demo_context: AppContext, run: Run,
                                                         tmp_path: Path) -> None:
    """The demo gateway settles at a daily cut-off; "Settle now (demo)" runs that batch at once (through the
    demo's settlement service), so a refund can be tried on a payment just taken."""
    ctx = demo_context
    services = ctx.services
    tab = shown_tab(qtbot, services, tmp_path)
    assert tab.actions.settle_button.isVisible() and tab.actions.settle_button.text() == "Settle now (demo)"

    async def scenario() -> None:
        assert services.payments is not None and services.payment_search is not None
        inv = await _invoice_with_balance(ctx, 10_00)
        p = await services.payments.take_payment(PaymentRequest(inv, 6_00, card()))
        assert (await services.payment_search.details(p.payment_id)).row.status == "approved"
        tab.actions.settle_button.click()
        await wait_until(lambda: tab.banner.kind == "success", 10)
        assert "settlement now (" in tab.banner.text      # the demo's own recent payments settle too
        assert (await services.payment_search.details(p.payment_id)).row.status == "settled"
        refund = await services.payments.void_or_refund(p.payment_id, 2_00, "try a refund")
        assert refund.approved and refund.kind == "refund"
        tab.shutdown()

    run(scenario(), 30)


def test_settle_now_is_demo_only(qtbot: QtBot, demo_context: AppContext, tmp_path: Path) -> None:
    services = demo_context.services
    services.demo = False
    try:
        tab = shown_tab(qtbot, services, tmp_path)
        assert not tab.actions.settle_button.isVisible()
        tab.shutdown()
    finally:
        services.demo = True


def test_export_starts_without_waiting_for_the_count(qtbot: QtBot, demo_context: AppContext, run: Run,
                                                     tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counting a filter without a date range takes seconds over millions of payments: the export writes its
    rows meanwhile (a busy bar), and the count, when it comes, only turns the bar into "n of m"."""
    services = demo_context.services
    search = services.payment_search
    assert search is not None
    tab = shown_tab(qtbot, services, tmp_path)
    release = asyncio.Event()
    real_totals = search.totals
    maxima: list[int] = []

    async def slow_totals(query: PaymentQuery) -> Any:
        await release.wait()
        return await real_totals(query)

    async def scenario() -> None:
        await tab.wait_ready()
        assert tab.model is not None
        expected = (await real_totals(tab.model.query)).count
        monkeypatch.setattr(search, "totals", slow_totals)
        progress = tab.actions.export_progress
        progress.valueChanged.connect(lambda _v: maxima.append(progress.maximum()))
        n = await asyncio.wait_for(tab.actions.export_to(tmp_path / "all.csv", "csv"), 20)
        assert n == expected > 0
        assert (tmp_path / "all.csv").read_text(encoding="utf-8").count("\n") == n + 1
        assert not release.is_set() and set(maxima) <= {0}     # the count never came: the bar stayed busy
        release.set()
        tab.shutdown()

    run(scenario(), 30)


def test_brand_filter_finds_the_brands_as_payments_store_them(qtbot: QtBot, demo_context: AppContext, run: Run,
                                                              tmp_path: Path) -> None:
    """The engine stores validation.card_brand's names ("Amex"); the filter's "American Express" must find them."""
    services = demo_context.services
    tab = shown_tab(qtbot, services, tmp_path)
    assert {value for _label, value in BRANDS} == {card_brand(n) for n in (VISA, MASTERCARD, AMEX, "6011000991300009",
                                                                          "36000000000008", "3528000000000007")}

    async def scenario() -> tuple[set[str], set[int]]:
        assert services.payments is not None and tab.model is not None
        inv = await _invoice_with_balance(demo_context, 50_00)
        paid = await services.payments.take_payment(PaymentRequest(inv, 20_00, card(AMEX, cvv="9997")))
        assert paid.approved
        await tab.wait_ready()
        tab.filters.brand_combo.setCurrentIndex(tab.filters.brand_combo.findText("American Express"))
        await tab.wait_ready()
        while tab.model.canFetchMore():
            tab.model.fetchMore()
            await tab.model.wait_idle()
        rows = [tab.model.row_at(i) for i in range(tab.model.rowCount())]
        tab.shutdown()
        return {r.brand for r in rows if r is not None}, {r.id for r in rows if r is not None} & {paid.payment_id}

    brands, ours = run(scenario(), 30)
    assert brands == {"Amex"} and ours


def test_a_viewer_sees_no_manage_actions(qtbot: QtBot, demo_context: AppContext, run: Run, tmp_path: Path) -> None:
    services = demo_context.services
    admin = services.current_user.actor
    services.current_user.actor = Actor(user_id=None, username="v", role=Role.VIEWER)
    try:
        tab = shown_tab(qtbot, services, tmp_path)

        async def scenario() -> Any:
            await tab.wait_ready()
            tab.table.selectRow(0)
            row = tab.selected_row()
            assert row is not None
            dlg = await tab.actions.show_details(row.id)
            approvals = await tab.actions.show_approvals()
            tab.shutdown()
            return dlg, approvals

        dlg, approvals = run(scenario(), 30)
        assert not tab.actions.refund_button.isVisibleTo(tab) and not tab.actions.retry_button.isVisibleTo(tab)
        assert not dlg.refund_button.isVisibleTo(dlg) and not dlg.retry_button.isVisibleTo(dlg)
        assert not approvals.approve_button.isVisibleTo(approvals)
        dlg.close()
        approvals.close()
    finally:
        services.current_user.actor = admin


def test_cancel_in_the_tab_stops_the_export(qtbot: QtBot, demo_context: AppContext, run: Run, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    services = demo_context.services
    search = services.payment_search
    assert search is not None
    tab = shown_tab(qtbot, services, tmp_path)
    real_page = search.page
    first_page = asyncio.Event()
    hold = asyncio.Event()

    async def slow_page(*args: Any, **kw: Any) -> Any:
        rows = await real_page(*args, **kw)
        if kw.get("limit", args[2] if len(args) > 2 else 0) == 1000:     # the export's pages
            first_page.set()
            await hold.wait()
        return rows

    target = tmp_path / "x.xlsx"
    target.write_bytes(b"last month's export")      # the user chose to replace it, then cancelled

    async def scenario() -> int:
        await tab.wait_ready()
        monkeypatch.setattr(search, "page", slow_page)
        export = asyncio.ensure_future(tab.actions.export_to(target, "xlsx"))
        await first_page.wait()
        assert tab.actions.export_progress.isVisible() and tab.actions.export_cancel.isVisible()
        assert not tab.actions.csv_button.isEnabled()
        tab.actions.export_cancel.click()
        n = await asyncio.wait_for(export, 10)
        tab.shutdown()
        return n

    assert run(scenario(), 30) == 0
    assert target.read_bytes() == b"last month's export" and sorted(tmp_path.glob("x.xlsx*")) == [target]
    assert not [p for p in ALL_TEMP_FILES if Path(p).exists()]     # openpyxl's sheet file is gone too
    assert "cancelled" in tab.banner.text.lower()
    assert not tab.actions.export_progress.isVisible() and tab.actions.csv_button.isEnabled()


@pytest.mark.parametrize(("kind", "days"), [("today", 1), ("week", 3), ("30days", 30), ("custom", 6), ("all", 0)])
def test_date_range_choices(kind: str, days: int) -> None:
    import datetime as dt

    wednesday = dt.date(2026, 3, 4)
    start, end = date_range(kind, wednesday, dt.date(2026, 2, 1), dt.date(2026, 2, 6))
    if kind == "all":
        assert start is None and end is None
        return
    assert start is not None and end is not None and start.tzinfo is not None
    local_start, local_end = start.astimezone(), end.astimezone()
    assert (local_start.hour, local_start.minute, local_end.hour, local_end.minute) == (0, 0, 0, 0)
    assert (local_end.date() - local_start.date()).days == days
    assert local_end.date() == (dt.date(2026, 2, 7) if kind == "custom" else dt.date(2026, 3, 5))


def test_print_receipt_goes_through_the_print_dialog_and_is_audited(qtbot: QtBot, demo_context: AppContext,
                                                                     run: Run, tmp_path: Path) -> None:
    """Printed through Qt's print dialog (on a machine without printers: "Print to File (PDF)")."""
    from PySide6.QtPrintSupport import QPrintDialog
    from PySide6.QtWidgets import QLineEdit

    services = demo_context.services
    tab = shown_tab(qtbot, services, tmp_path)
    out = tmp_path / "receipt.pdf"

    async def answer(details: Any, reply: str) -> bool:
        task = asyncio.ensure_future(tab.actions.print_receipt(details, tab))
        await wait_until(lambda: any(d.isVisible() for d in tab.findChildren(QPrintDialog)))
        dlg = next(d for d in tab.findChildren(QPrintDialog) if d.isVisible())
        if reply == "cancel":
            dlg.reject()
        else:
            if reply == "file":
                dlg.findChild(QLineEdit, "filename").setText(str(out))
            dlg.accept()
        return await task

    async def scenario() -> tuple[list[bool], str]:
        await tab.wait_ready()
        assert tab.model is not None and services.payment_search is not None
        row = next(r for i in range(tab.model.rowCount()) if (r := tab.model.row_at(i)) and r.status == "settled")
        details = await services.payment_search.details(row.id)
        results = [await answer(details, "cancel"), await answer(details, "folder")]
        error = tab.banner.text if tab.banner.kind == "error" else ""
        results.append(await answer(details, "file"))
        tab.shutdown()
        return results, error

    results, error = run(scenario(), 30)
    assert results == [False, False, True]
    assert "Nothing was printed" in error and tab.banner.kind == "success"
    assert out.read_bytes().startswith(b"%PDF")

    async def audited() -> list[str]:
        async with services.db.sessions() as s:
            return list((await s.scalars(select(AuditEvent.action))).all())

    assert run(audited()).count("payment.receipt_printed") == 1


def test_amount_filters_are_read_in_the_processing_currency(qtbot: QtBot, demo_context: AppContext, run: Run,
                                                            tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installation in yen: "500" in Min amount is ¥500 (500 minor units), not 500.00 (50,000)."""
    import dataclasses

    services = demo_context.services
    real_status = services.settings.processing_status

    async def in_yen(*args: Any, **kw: Any) -> Any:
        return dataclasses.replace(await real_status(*args, **kw), currency="JPY")

    monkeypatch.setattr(services.settings, "processing_status", in_yen)
    tab = PaymentSearchTab(services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(tab)
    tab.filters.amount_min_edit.setText("500")
    tab.show()

    async def scenario() -> tuple[int | None, int | None]:
        await tab.wait_ready()
        await wait_until(lambda: tab.model is not None and tab.model.query.amount_min == 500)
        tab.filters.amount_max_edit.setText("1200")
        tab.apply_filters()
        assert tab.model is not None
        query = tab.model.query
        await tab.wait_ready()
        tab.shutdown()
        return query.amount_min, query.amount_max

    assert run(scenario(), 30) == (500, 1200)


def test_receipt_is_in_the_users_language(qapp: QApplication, demo_context: AppContext, run: Run) -> None:
    """The one receipt (services/receipts.py) the desktop prints and saves, in the user's language."""
    import dataclasses

    from payapp.models import Payment
    from payapp.services.receipts import render_receipt_html
    from payapp.ui.payments.payment_details import receipt_document, receipt_language

    services = demo_context.services

    async def refunded() -> Any:
        async with services.db.sessions() as s:
            payment_id = (await s.scalars(select(Payment.id).where(Payment.refunded_minor > 0,
                                                                   Payment.currency == "USD"))).first()
        assert payment_id is not None
        return dataclasses.replace(await services.receipts.receipt(payment_id), merchant_name="Acme")

    r = run(refunded())
    english = render_receipt_html(r, receipt_language("en_US"))
    assert "Acme — Payment receipt" in english and ">Refunded<" in english and ">Net<" in english
    german = render_receipt_html(r, receipt_language("de_DE"))
    for text in ("Acme — Zahlungsbeleg", ">Bezahlt von<", ">Zahlungsmittel<", ">Betrag<", ">Erstattet<",
                 ">Endbetrag<", "Vielen Dank für Ihre Zahlung.", ">Offener Restbetrag<"):
        assert text in german, text
    for english_word in ("Payment receipt", "Paid by", "Thank you", ">Amount<", ">Net<"):
        assert english_word not in german, english_word
    whole = f"{r.amount_minor // 100:,}".replace(",", ".") + f",{r.amount_minor % 100:02d}\xa0$"
    assert whole in german                                   # 1.234,56 $: the German way
    # printing shows the same words as the PDF (QTextDocument of the same HTML)
    assert "Vielen Dank für Ihre Zahlung." in receipt_document(r, "de_DE").toPlainText()


def test_column_layout_is_saved_and_restored(qtbot: QtBot, demo_context: AppContext, run: Run,
                                             tmp_path: Path) -> None:
    """The user moves, resizes and hides payment columns; the next start (a new settings object over the same
    file, as after a restart) shows them the same way."""
    services = demo_context.services
    state = WindowState(tmp_path / "ui.ini")
    tab = PaymentSearchTab(services, state)
    qtbot.addWidget(tab)
    tab.resize(1300, 700)
    tab.show()
    run(tab.wait_ready(), 30)
    header = tab.table.horizontalHeader()
    assert header.sectionsMovable()                     # the user can drag a column to another place
    header.moveSection(header.visualIndex(5), 0)        # "applied" first
    header.resizeSection(1, 333)                        # a wider company column
    assert tab.columns is not None and tab.columns.set_shown(9, False)     # no user column (the chooser)
    tab.shutdown()
    tab.close()                                         # the window closes (and writes the settings file)
    state.sync()

    again = PaymentSearchTab(services, WindowState(tmp_path / "ui.ini"))
    qtbot.addWidget(again)
    again.resize(1300, 700)
    again.show()
    run(again.wait_ready(), 30)
    restored = again.table.horizontalHeader()
    assert restored.logicalIndex(0) == 5
    assert restored.sectionSize(1) == 333
    assert restored.isSectionHidden(9) and not restored.isSectionHidden(8)
    assert restored.count() == header.count()
    again.shutdown()


@pytest.mark.parametrize("locale", ["en_US", "de_DE"])
def test_the_date_filters_write_dates_like_the_grid(qtbot: QtBot, demo_context: AppContext, tmp_path: Path,
                                                    locale: str) -> None:
    """Issue #15.9: one date format per locale: the filters showed 04.11.26 beside the grid's 04.11.2026."""
    import datetime as dt

    from payapp.ui.i18n import format_day

    demo_context.services.locale = locale
    tab = shown_tab(qtbot, demo_context.services, tmp_path)
    day = tab.filters.date_from.date().toPython()
    assert isinstance(day, dt.date)
    assert tab.filters.date_from.text() == format_day(day, locale) and "20" in tab.filters.date_to.text()
