"""Payment Search › E-mail receipt… (payapp/ui/payments/receipt_mail_dialog.py) on the demo company against a real
SMTP server on loopback: the receipt PDF arrives as an attachment, the send is audited, and a refusal shows the
server's reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot
from sqlalchemy import select

from payapp.app import AppContext
from payapp.models import AuditEvent
from payapp.services.invoice_mail import RECEIPT_FAILED, RECEIPT_SENT
from tests.smtp_server import smtp_server
from tests.ui.test_email_links_dialog import use_server
from tests.ui.test_payment_search_tab import shown_tab


def test_the_receipt_is_e_mailed_as_a_pdf_and_audited(qtbot: QtBot, demo_context: AppContext, run: Any,
                                                      tmp_path: Path) -> None:
    services = demo_context.services
    tab = shown_tab(qtbot, services, tmp_path)
    run(tab.wait_ready())
    assert tab.model is not None
    index = next(i for i in range(tab.model.rowCount()) if (r := tab.model.row_at(i)) and r.status == "settled")
    tab.table.selectRow(index)
    row = tab.selected_row()
    assert tab.actions.email_receipt_button.isEnabled()
    with smtp_server(refuse=("nobody@client.example",)) as server:
        use_server(demo_context, run, server)
        dialog = tab.actions.email_receipt()
        assert dialog is not None
        run(dialog.wait_ready())
        payer = dialog.to_edit.text()
        assert "@" in payer                            # filled in with the payer's address
        dialog.to_edit.setText("nobody@client.example")
        assert not run(dialog.send())
        assert dialog.banner.kind == "error" and "550 5.1.1" in dialog.banner.text
        dialog.to_edit.setText(payer)
        assert run(dialog.send())
        assert dialog.banner.kind == "success"
    [message] = server.messages
    assert message["To"] == payer and row.invoice_number in str(message["Subject"])
    [pdf] = list(message.iter_attachments())
    assert pdf.get_filename() == f"receipt-{row.invoice_number}-{row.id}.pdf"
    assert pdf.get_content().startswith(b"%PDF")

    async def actions() -> list[str]:
        async with services.db.sessions() as s:
            return list((await s.scalars(select(AuditEvent.action).where(
                AuditEvent.action.in_([RECEIPT_SENT, RECEIPT_FAILED])).order_by(AuditEvent.id))).all())
    assert run(actions()) == [RECEIPT_FAILED, RECEIPT_SENT]
    dialog.close()
    tab.shutdown()
