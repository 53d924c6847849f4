"""Invoice History › E-mail payment link… (payapp/ui/invoices/mail_links_dialog.py) on the demo company against a
real SMTP server on loopback: several invoices with progress, Cancel stopping after the e-mail on its way, the
failures listed with the server's reason and sent again by Retry, a template problem shown before anything is
sent, each send audited."""

from __future__ import annotations

import json
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from payapp.app import AppContext
from payapp.models import AuditEvent, Contact, Invoice, PaymentLink
from payapp.services.invoice_mail import FAILED, SENT
from payapp.ui.invoices.invoice_history_tab import InvoiceHistoryTab
from payapp.ui.invoices.mail_links_dialog import EmailLinksDialog
from payapp.ui.window_state import WindowState
from tests.smtp_server import SmtpServer, smtp_server
from tests.ui.conftest import wait_until


def open_invoices(ctx: AppContext, run: Any, count: int) -> list[int]:
    """Open invoices of different companies that have a contact with an e-mail address."""
    async def read() -> list[int]:
        async with ctx.services.db.sessions() as s:
            with_mail = select(Contact.company_id).where(Contact.email != "").distinct()
            rows = (await s.execute(select(Invoice.id, Invoice.company_id).where(
                Invoice.balance_minor > 0, Invoice.is_voided.is_(False), Invoice.company_id.in_(with_mail))
                .order_by(Invoice.id))).all()
        chosen: dict[int, int] = {}
        for invoice_id, company_id in rows:
            chosen.setdefault(company_id, invoice_id)
        return list(chosen.values())[:count]
    ids = run(read())
    assert len(ids) == count
    return ids


def use_server(ctx: AppContext, run: Any, server: SmtpServer) -> None:
    run(ctx.services.settings.set_many({"mail.smtp_host": server.host, "mail.smtp_port": server.port,
                                        "mail.tls_mode": "none", "mail.sender": "billing@northwind.example"}))


def audit_actions(ctx: AppContext, run: Any) -> list[tuple[str, dict[str, Any]]]:
    async def read() -> list[tuple[str, dict[str, Any]]]:
        async with ctx.services.db.sessions() as s:
            rows = (await s.execute(select(AuditEvent.action, AuditEvent.details).where(
                AuditEvent.action.in_([SENT, FAILED])).order_by(AuditEvent.id))).all()
        return [(a, json.loads(d)) for a, d in rows]
    return run(read())


def dialog_for(qtbot: QtBot, ctx: AppContext, run: Any, ids: list[int]) -> EmailLinksDialog:
    dialog = EmailLinksDialog(ctx.services.invoice_mail, ids, language="en")   # deletes itself on close
    dialog.open()
    run(dialog.wait_ready())
    return dialog


def test_several_invoices_are_sent_with_progress_and_audited(qtbot: QtBot, demo_context: AppContext,
                                                             run: Any) -> None:
    ids = open_invoices(demo_context, run, 3)
    with smtp_server() as server:
        use_server(demo_context, run, server)
        dialog = dialog_for(qtbot, demo_context, run, ids)
        assert dialog.table.rowCount() == 3 and dialog.send_button.isEnabled()
        assert dialog.preview_text.toPlainText().startswith("Dear ")
        assert "/pay/…" in dialog.preview_text.toPlainText() and not dialog.problems_label.isVisible()
        recipients = [dialog.recipient(i) for i in range(3)]
        with qtbot.waitSignal(dialog.finished_sending, timeout=30_000):
            dialog.send_button.click()
        assert [dialog.status_text(i) for i in range(3)] == ["Sent"] * 3
        assert dialog.progress.value() == 3 and dialog.progress.maximum() == 3
        assert not dialog.failures.isVisible() and dialog.banner.kind == "success"
        assert sorted(m["To"] for m in server.messages) == sorted(recipients)
    sent = audit_actions(demo_context, run)
    assert [a for a, _d in sent] == [SENT] * 3
    assert {d["recipient"] for _a, d in sent} == set(recipients)
    dialog.close()


def test_failures_are_listed_with_the_servers_reason_and_retried(qtbot: QtBot, demo_context: AppContext,
                                                                 run: Any) -> None:
    ids = open_invoices(demo_context, run, 2)

    async def add_contact() -> None:           # a contact of the second invoice's company whose mailbox is gone
        async with demo_context.services.db.transaction() as s:
            invoice = await s.get(Invoice, ids[1])
            assert invoice is not None
            s.add(Contact(company_id=invoice.company_id, first_name="No", last_name="Body",
                          email="nobody@client.example"))
    run(add_contact())
    with smtp_server(refuse=("nobody@client.example",)) as server:
        use_server(demo_context, run, server)
        dialog = dialog_for(qtbot, demo_context, run, ids)
        good = dialog.recipient(1)
        dialog.recipient_combo(1).setEditText("nobody@client.example")
        with qtbot.waitSignal(dialog.finished_sending, timeout=30_000):
            dialog.send_button.click()
        assert [dialog.status_text(i) for i in range(2)] == ["Sent", "Not sent"]
        assert dialog.failures.isVisible() and dialog.failures.count() == 1
        failure = dialog.failures.item(0).text()
        assert "550 5.1.1" in failure and "nobody@client.example" in failure
        assert dialog.retry_button.isVisible() and dialog.banner.kind == "error"
        assert len(server.messages) == 1
        # corrected, then Retry sends only the one that failed
        dialog.recipient_combo(1).setEditText(good)
        with qtbot.waitSignal(dialog.finished_sending, timeout=30_000):
            dialog.retry_button.click()
        assert [dialog.status_text(i) for i in range(2)] == ["Sent", "Sent"]
        assert not dialog.failures.isVisible() and not dialog.retry_button.isVisible()
        assert len(server.messages) == 2
    assert [a for a, _d in audit_actions(demo_context, run)] == [SENT, FAILED, SENT]
    dialog.close()


def test_cancel_stops_after_the_e_mail_on_its_way(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    ids = open_invoices(demo_context, run, 3)
    with smtp_server(delay_s=0.6) as server:
        use_server(demo_context, run, server)
        dialog = dialog_for(qtbot, demo_context, run, ids)
        dialog.send_button.click()
        run(wait_until(lambda: dialog.status_text(0) == "Sending…", timeout=10))
        assert dialog.cancel_button.text() == "Cancel"
        dialog.cancel_button.click()                    # stops before the next one; the dialog stays open
        assert dialog.isVisible()
        run(wait_until(lambda: not dialog.sending, timeout=20))
        assert [dialog.status_text(i) for i in range(3)] == ["Sent", "Cancelled", "Cancelled"]
        assert len(server.messages) == 1
        assert dialog.retry_button.isVisible() and dialog.cancel_button.text() == "Close"
        with qtbot.waitSignal(dialog.finished_sending, timeout=30_000):
            dialog.retry_button.click()
        assert [dialog.status_text(i) for i in range(3)] == ["Sent"] * 3
        assert len(server.messages) == 3
    dialog.cancel_button.click()
    assert not dialog.isVisible()


def test_a_template_problem_is_shown_before_sending_and_nothing_goes(qtbot: QtBot, demo_context: AppContext,
                                                                     run: Any) -> None:
    ids = open_invoices(demo_context, run, 1)
    with smtp_server() as server:
        use_server(demo_context, run, server)
        run(demo_context.services.settings.set_many({
            "mail.template.reminder.en.text": "Pay [Reminder.customerportal_url] [Invoice.numbr]"}))
        dialog = dialog_for(qtbot, demo_context, run, ids)
        dialog.template_combo.setCurrentIndex(dialog.template_combo.findData("reminder"))
        run(dialog.wait_ready())
        assert dialog.problems_label.isVisible() and "[Invoice.numbr]" in dialog.problems_label.text()
        with qtbot.waitSignal(dialog.finished_sending, timeout=30_000):
            dialog.send_button.click()
        assert dialog.status_text(0) == "Not sent" and "[Invoice.numbr]" in dialog.failures.item(0).text()
        assert server.messages == []

    async def links() -> int:
        async with demo_context.services.db.sessions() as s:
            return int(await s.scalar(select(func.count(PaymentLink.id)).where(PaymentLink.invoice_id == ids[0]))
                       or 0)
    assert run(links()) == 0                            # no link was made for an e-mail that did not go
    dialog.close()


def test_the_history_tab_opens_it_for_the_selected_invoices(qtbot: QtBot, demo_context: AppContext, run: Any,
                                                            tmp_path: Any) -> None:
    tab = InvoiceHistoryTab(demo_context.services, WindowState(tmp_path / "state.ini"))
    qtbot.addWidget(tab)
    tab.resize(1280, 720)
    tab.show()
    run(wait_until(lambda: tab.model.rowCount() >= 3, timeout=15))
    tab.table.selectRow(0)
    from PySide6.QtCore import QItemSelectionModel

    model = tab.table.selectionModel()
    model.select(tab.model.index(2, 0), QItemSelectionModel.SelectionFlag.Select
                 | QItemSelectionModel.SelectionFlag.Rows)
    ids = tab.selected_invoice_ids()
    assert len(ids) == 2
    row = tab.row_for(tab.model.index(0, 0))
    assert row is not None
    menu = tab.build_context_menu(row)
    action = next(a for a in menu.actions() if a.objectName() == "emailPaymentLinkAction")
    assert action.isVisible() and "2 invoices" in action.text()
    action.trigger()
    [dialog] = tab.open_mail_dialogs
    run(dialog.wait_ready())
    assert dialog.table.rowCount() == 2
    dialog.close()
    menu.close()
