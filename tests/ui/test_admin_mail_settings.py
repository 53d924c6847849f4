"""Admin › Client Portal › E-mail (payapp/ui/admin/mail_settings.py) on the demo company, against a real SMTP
server on loopback: Save, the masked password (never read back, its fingerprint shown), "Send test e-mail" with the
result in the banner, and the server's own reason when it refuses."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.services.mail import MAIL_PASSWORD
from payapp.ui.admin.mail_settings import MailSettingsBox, MailTemplatesBox
from tests.smtp_server import smtp_server
from tests.ui.test_admin_company_portal import admin_page

PASSWORD = "Ui-mail-pa55word-never-shown"


def mail_box(qtbot: QtBot, ctx: AppContext, run: Any) -> MailSettingsBox:
    box = MailSettingsBox(ctx.services.mail)
    qtbot.addWidget(box)
    box.show()
    run(box.wait_ready())
    return box


def test_the_section_is_on_the_client_portal_page(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    page = admin_page(qtbot, demo_context, run, "clientPortalPage")
    assert isinstance(page.mail_box, MailSettingsBox) and page.mail_box.isVisible()
    assert isinstance(page.templates_box, MailTemplatesBox) and page.templates_box.isVisible()
    run(page.templates_box.wait_ready())
    run(page.mail_box.wait_ready())
    assert page.mail_box.saved is not None and not page.has_unsaved_changes()
    page.mail_box.host_edit.setText("smtp.example.com")
    assert page.has_unsaved_changes() and not page.revert_button.isEnabled()   # Revert is the portal fields'
    page.mail_box.show_saved(page.mail_box.saved)


def fill(box: MailSettingsBox, port: int, *, user: str = "", password: str = "") -> None:
    box.host_edit.setText("127.0.0.1")
    box.tls_combo.setCurrentIndex(box.tls_combo.findData("none"))
    box.port_spin.setValue(port)
    box.user_edit.setText(user)
    if password:
        box.password_edit.setText(password)
    box.sender_edit.setText("billing@northwind.example")
    box.test_to_edit.setText("me@northwind.example")


def test_save_then_send_test_e_mail(qtbot: QtBot, demo_context: AppContext, run: Any,
                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    box = mail_box(qtbot, demo_context, run)
    assert box.password_stack.currentIndex() == 0           # nothing saved yet: the masked field
    with smtp_server() as server:
        fill(box, server.port, user="billing", password=PASSWORD)
        assert box.has_unsaved_changes()
        # no AUTH on a plain test server: the save works, the sign-in is refused with the reason
        assert run(box.save())
        assert box.password_stack.currentIndex() == 1 and box.password_edit.text() == ""
        assert "fingerprint" in box.password_status.text() and PASSWORD not in box.password_status.text()
        stored = demo_context.services.secrets.get(MAIL_PASSWORD)
        assert stored is not None and stored.reveal() == PASSWORD
        box.user_edit.setText("")                             # this server takes mail without a sign-in
        box.test_button.click()
        run(wait_until_not_busy(box))
    assert box.banner.kind == "success", box.banner.text
    assert "me@northwind.example" in box.banner.text
    [message] = server.messages
    assert message["To"] == "me@northwind.example"
    assert "Northwind IT Services" in str(message["From"])
    assert PASSWORD not in caplog.text


async def wait_until_not_busy(box: MailSettingsBox) -> None:
    for task in box.work.tasks:
        await task


def test_the_servers_reason_is_in_the_banner(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    box = mail_box(qtbot, demo_context, run)
    with smtp_server(refuse=("me@northwind.example",)) as server:
        fill(box, server.port)
        assert not run(box.send_test())
    assert box.banner.kind == "error"
    assert "550 5.1.1" in box.banner.text and "no such user" in box.banner.text
    assert server.messages == []


def test_a_bad_sender_is_refused_next_to_its_field(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    box = mail_box(qtbot, demo_context, run)
    fill(box, 2525)
    box.sender_edit.setText("billing at northwind")
    assert not run(box.save())
    assert box.banner.kind == "error" and "e-mail address" in box.banner.text
    assert box.sender_edit.hasFocus()


def test_the_port_follows_the_encryption_until_typed(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    box = mail_box(qtbot, demo_context, run)
    box.tls_combo.setCurrentIndex(box.tls_combo.findData("starttls"))
    assert box.port_spin.value() == 587
    box.tls_combo.setCurrentIndex(box.tls_combo.findData("tls"))
    assert box.port_spin.value() == 465
    box.port_spin.setValue(2465)
    box.tls_combo.setCurrentIndex(box.tls_combo.findData("starttls"))
    assert box.port_spin.value() == 2465


def test_remove_forgets_the_saved_password(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    box = mail_box(qtbot, demo_context, run)
    fill(box, 2525, user="billing", password=PASSWORD)
    assert run(box.save())
    box.remove_button.click()
    assert box.password_stack.currentIndex() == 0 and box.has_unsaved_changes()
    assert run(box.save())
    assert demo_context.services.secrets.get(MAIL_PASSWORD) is None
    assert box.saved is not None and not box.saved.password_saved


# ------------------------------------------------------------------------------------------------ templates

def templates_box(qtbot: QtBot, ctx: AppContext, run: Any) -> MailTemplatesBox:
    box = MailTemplatesBox(ctx.services.invoice_mail)
    qtbot.addWidget(box)
    box.show()
    run(box.wait_ready())
    return box


def test_a_template_is_edited_previewed_with_a_real_invoice_and_saved(qtbot: QtBot, demo_context: AppContext,
                                                                      run: Any) -> None:
    box = templates_box(qtbot, demo_context, run)
    box.kind_combo.setCurrentIndex(box.kind_combo.findData("reminder"))
    box.language_combo.setCurrentIndex(box.language_combo.findData("de"))
    assert box.subject_edit.text().startswith("Zahlungserinnerung")
    assert "[Reminder.customerportal_url]" in [box.placeholders.itemText(i) for i in range(box.placeholders.count())]
    box.subject_edit.setText("Offen: Rechnung [Invoice.number]")
    assert box.has_unsaved_changes()
    assert run(box.preview())
    preview = box.preview_text.toPlainText()
    assert preview.startswith("Offen: Rechnung ") and "[" not in preview.splitlines()[0]
    assert "/pay/…" in preview and "Invoice" in box.preview_label.text()
    assert run(box.save()) and not box.has_unsaved_changes()
    saved = run(demo_context.services.invoice_mail.templates())[("reminder", "de")]
    assert saved.subject == "Offen: Rechnung [Invoice.number]"
    assert run(box.reset())
    assert box.subject_edit.text().startswith("Zahlungserinnerung")


def test_an_unknown_placeholder_is_refused_and_shown_in_the_preview(qtbot: QtBot, demo_context: AppContext,
                                                                    run: Any) -> None:
    box = templates_box(qtbot, demo_context, run)
    box.text_edit.setPlainText("Pay [Invoice.customerportal_url] by [Invoice.duedate]")
    assert not run(box.preview())
    assert box.banner.kind == "warning" and "[Invoice.duedate]" in box.banner.text
    assert not run(box.save())
    assert box.banner.kind == "error" and "[Invoice.duedate]" in box.banner.text
