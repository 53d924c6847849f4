"""Admin → Payment Processing through the UI: masked keys that end up only in the keyring, a plaintext
keyring refused, the payment-type rule on the status label, the set-once currency."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.config import setup_logging
from payapp.services.auth import Actor
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.processing import CONNECTOR_MISSING
from payapp.services.secrets import SERVICE, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY, PUBLIC_KEY
from payapp.ui.admin.admin_tab import AdminTab
from payapp.ui.admin.processing_page import ProcessingPage
from payapp.ui.widgets import MaskedLineEdit
from tests.conftest import TEST_ALLOWED_BACKENDS
from tests.plaintext_keyring import PlaintextKeyring
from tests.ui.conftest import close_context, company_context, wait_until

PRIV = "K8sPrivSecurityKey-9f3e2a7c41d05b68"
PUB = "checkout_public_Zq7Lm2Xc9Vb4Nw1"


def processing_page(qtbot: QtBot, ctx: AppContext, run: Any) -> ProcessingPage:
    tab = AdminTab(ctx.services)
    qtbot.addWidget(tab)
    tab.resize(1100, 800)
    tab.show()
    page = tab.show_page("paymentProcessingPage")
    assert isinstance(page, ProcessingPage)
    page._test_tab = tab  # type: ignore[attr-defined]  # keep the tab (and so the page) alive
    run(page.wait_ready())
    return page


def edit(page: ProcessingPage, name: str) -> MaskedLineEdit:
    w = page.findChild(MaskedLineEdit, name)
    assert w is not None, name
    return w


def save(page: ProcessingPage, run: Any) -> None:
    page.banner.clear()
    page.findChild(QPushButton, "saveProcessingButton").click()
    run(wait_until(lambda: page.banner.kind is not None and page.save_button.isEnabled(), 10))


def files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_keys_saved_through_the_ui_are_only_in_the_keyring(
        qtbot: QtBot, admin_company: AppContext, company_keyring: MemoryKeyring, run: Any) -> None:
    ctx = admin_company
    log_path = setup_logging(ctx.config)
    window = build_main_window(ctx)          # writes workstation.ini on close
    qtbot.addWidget(window)
    page = processing_page(qtbot, ctx, run)
    priv, pub = edit(page, "privateKeyEdit"), edit(page, "publicKeyEdit")
    for field in (priv, pub):                                  # a key field cannot leak
        assert field.echoMode() == QLineEdit.EchoMode.Password
        field.setEchoMode(QLineEdit.EchoMode.Normal)
        assert field.echoMode() == QLineEdit.EchoMode.Password
        assert field.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
        assert not field.dragEnabled()
    qtbot.keyClicks(priv, PRIV)
    qtbot.keyClicks(pub, PUB)
    save(page, run)
    assert (page.banner.kind, page.banner.text.endswith("Settings saved")) == ("success", True)
    assert company_keyring.store[(SERVICE, PRIVATE_KEY)] == PRIV
    assert company_keyring.store[(SERVICE, PUBLIC_KEY)] == PUB
    assert priv.text() == "" and pub.text() == ""                # never read back into a widget
    status = page.findChild(QLabel, "privateKeyStatus")
    assert status.isVisible() and status.text().startswith("Configured · fingerprint ")
    assert page.findChild(QPushButton, "privateKeyReplace").isVisible()
    assert page.keyring_label.text() == "Keys are kept in: demo — not saved"       # words, not "MemoryKeyring"
    # issue #15.11: Replace can be cancelled, with the button and with Esc, and nothing typed is kept
    replace = page.findChild(QPushButton, "privateKeyReplace")
    cancel = page.findChild(QPushButton, "privateKeyCancelReplace")
    page.activateWindow()
    for how in ("button", "escape"):
        qtbot.mouseClick(replace, Qt.MouseButton.LeftButton)
        assert priv.isVisible() and cancel.isVisible()
        qtbot.keyClicks(priv, "half a key")
        if how == "button":
            qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
        else:
            priv.setFocus()
            qtbot.keyClick(priv, Qt.Key.Key_Escape)
        assert status.isVisible() and replace.isVisible() and not priv.isVisible(), how
        assert priv.text() == "" and not cancel.isVisible(), how
    assert company_keyring.store[(SERVICE, PRIVATE_KEY)] == PRIV                 # the saved key is untouched
    logging.getLogger("payapp.test").info("after saving keys")
    window.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    data_files = files_under(ctx.config.data_dir, ctx.config.log_dir)
    names = {p.name for p in data_files}
    assert "payapp.db" in names and "workstation.ini" in names and log_path.name in names
    assert any(n.endswith("-wal") for n in names)                 # the WAL is searched too
    for path in data_files:
        content = path.read_bytes()
        assert PRIV.encode() not in content and PUB.encode() not in content, path
    for root, _dirs, files in __import__("os").walk(ctx.config.data_dir.parent):
        for name in files:
            content = (Path(root) / name).read_bytes()
            assert PRIV.encode() not in content and PUB.encode() not in content, name


def test_the_page_saves_the_credentials_the_gateway_declares(
        qtbot: QtBot, admin_company: AppContext, company_keyring: MemoryKeyring, run: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's key fields come from the gateway's own list (GatewaySpec.fields), and so does saving: each
    typed value goes to the keyring under its own field's name, whatever order the gateway lists them in."""
    import dataclasses

    from payapp.domain.gateways import NMI

    reordered = dataclasses.replace(NMI, fields=tuple(reversed(NMI.fields)))
    monkeypatch.setattr("payapp.services.processing.gateway_spec", lambda name: reordered)
    page = processing_page(qtbot, admin_company, run)
    assert list(page.key_rows) == [PUBLIC_KEY, PRIVATE_KEY]
    qtbot.keyClicks(edit(page, "privateKeyEdit"), PRIV)
    qtbot.keyClicks(edit(page, "publicKeyEdit"), PUB)
    save(page, run)
    assert page.banner.kind == "success", page.banner.text
    assert company_keyring.store[(SERVICE, PRIVATE_KEY)] == PRIV
    assert company_keyring.store[(SERVICE, PUBLIC_KEY)] == PUB


def test_a_typed_key_cannot_be_copied_cut_or_dragged_out(qtbot: QtBot, admin_company: AppContext,
                                                         run: Any) -> None:
    from PySide6.QtGui import QKeySequence
    from PySide6.QtWidgets import QApplication

    page = processing_page(qtbot, admin_company, run)
    field = edit(page, "privateKeyEdit")
    qtbot.keyClicks(field, PRIV)
    clipboard = QApplication.clipboard()
    clipboard.setText("before")
    field.selectAll()
    for keys in (QKeySequence.StandardKey.Copy, QKeySequence.StandardKey.Cut):
        sequence = QKeySequence(keys)[0]
        qtbot.keyClick(field, sequence.key(), sequence.keyboardModifiers())
    field.copy()
    field.cut()
    assert clipboard.text() == "before" and field.text() == PRIV
    assert not field.dragEnabled() and field.contextMenuPolicy() == Qt.ContextMenuPolicy.NoContextMenu
    assert field.actions() == [] and field.echoMode() == QLineEdit.EchoMode.Password     # no reveal button


def test_plaintext_keyring_refused_with_a_banner(qtbot: QtBot, tmp_path: Path, run: Any) -> None:
    backend = PlaintextKeyring()
    ctx = company_context(tmp_path, backend, allow=None)          # the real allow-list
    try:
        assert ctx.services.users is not None
        run(ctx.services.users.create_first_admin("alice", "first admin password"))
        page = processing_page(qtbot, ctx, run)
        assert "plain text" in page.findChild(QLabel, "keyringStatus").text()
        qtbot.keyClicks(edit(page, "privateKeyEdit"), PRIV)
        qtbot.keyClicks(edit(page, "publicKeyEdit"), PUB)
        save(page, run)
        assert page.banner.kind == "error" and "plain text" in page.banner.text
        assert "Credential Manager" in page.banner.text              # says how to fix it
        assert backend.store == {}
        assert run(ctx.services.settings.get("gateway.private_key_fingerprint")) == ""
        assert run(ctx.services.settings.get("gateway.public_key_fingerprint")) == ""
        assert not run(ctx.services.settings.processing_status()).active
    finally:
        close_context(ctx, run)


def test_status_label_follows_all_sixteen_payment_type_combinations(qtbot: QtBot, demo_context: AppContext,
                                                                    run: Any) -> None:
    page = processing_page(qtbot, demo_context, run)
    label = page.findChild(QLabel, "processingStatus")
    names = ("type_back_office_card", "type_back_office_echeck", "type_portal_card", "type_portal_echeck")
    for combo in itertools.product((False, True), repeat=4):
        for name, on in zip(names, combo, strict=True):
            page.findChild(type(page.type_boxes["back_office.card"]), name).setChecked(on)
        save(page, run)
        assert page.banner.kind == "success"
        active = run(demo_context.services.settings.processing_status()).active
        assert active == any(combo)
        assert label.text().startswith("✔ Processing is active") == any(combo), (combo, label.text())
        if not any(combo):
            assert "No payment type is enabled" in label.text()


def _payable_invoice(ctx: AppContext, run: Any) -> tuple[int, int]:
    from sqlalchemy import select

    from payapp.models import Invoice

    async def find() -> tuple[int, int]:
        async with ctx.services.db.sessions() as s:
            row = (await s.execute(select(Invoice.id, Invoice.balance_minor).where(
                Invoice.balance_minor > 0, Invoice.is_voided.is_(False), Invoice.currency == "USD").limit(1))).one()
        return row.id, row.balance_minor

    return run(find())


def test_process_payment_follows_all_sixteen_boxes_with_and_without_keys(qtbot: QtBot, demo_context: AppContext,
                                                                        run: Any) -> None:
    """Each of the 16 settings of the four boxes, saved through the page, without and then with keys: Process
    Payment (the one rule the invoice menu, the invoice view and the payment window use) is available exactly
    when keys are here and a back-office type is on; the payment service takes a card or an eCheck exactly when
    keys are here and that type is on in the back office (the portal boxes never open the back office)."""

    services = demo_context.services
    invoice_id, balance = _payable_invoice(demo_context, run)
    run(services.processing.clear_keys())
    page = processing_page(qtbot, demo_context, run)
    _walk_sixteen(qtbot, page, demo_context, run, invoice_id, balance)    # garbage: the conftest's collector


def _walk_sixteen(qtbot: QtBot, page: ProcessingPage, demo_context: AppContext, run: Any, invoice_id: int,
                  balance: int) -> None:
    from payapp.domain.errors import PayAppError, ValidationError
    from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY
    from payapp.services.payments import PaymentRequest
    from payapp.ui.invoices.pay_rule import pay_block_reason
    from tests.payment_helpers import bank, card

    services = demo_context.services
    assert services.payments is not None
    names = ("back_office.card", "back_office.echeck", "portal.card", "portal.echeck")
    checked = 0
    for with_keys in (False, True):
        if with_keys:                                           # typed into the page, saved with the first combo
            qtbot.keyClicks(edit(page, "privateKeyEdit"), DEMO_SECURITY_KEY)
            qtbot.keyClicks(edit(page, "publicKeyEdit"), DEMO_PUBLIC_KEY)
        for combo in itertools.product((False, True), repeat=4):
            for name, on in zip(names, combo, strict=True):
                page.type_boxes[name].setChecked(on)
            save(page, run)
            assert page.banner.kind == "success", page.banner.text
            assert page.state is not None and page.state.keys_configured == with_keys
            status = run(services.settings.processing_status())
            on = dict(zip(names, combo, strict=True))
            available = with_keys and (on["back_office.card"] or on["back_office.echeck"])
            reason = pay_block_reason(status, services.current_user, balance)
            assert (reason == "") == available, (with_keys, combo, reason)
            if not with_keys:
                assert "not set up" in reason
            for kind, method in (("card", card()), ("echeck", bank())):
                # more than the balance: an accepted request stops at the amount check, before the gateway
                request = PaymentRequest(invoice_id, balance + 1, method)
                allowed = with_keys and on[f"back_office.{kind}"]
                with pytest.raises(PayAppError) as refused:
                    run(services.payments.take_payment(request))
                is_amount = isinstance(refused.value, ValidationError) and "open balance" in str(refused.value)
                assert is_amount == allowed, (with_keys, combo, kind, str(refused.value))
                checked += 1
    assert checked == 2 * 16 * 2
    sales = demo_context.sandboxes["gateway"][0].approved_sales()     # the demo's earlier payments are demo-…
    assert not [t for t in sales if not t.order_id.startswith("demo-")]      # nothing was charged


def test_status_without_keys_and_clear_keys(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    page = processing_page(qtbot, demo_context, run)
    page.findChild(QPushButton, "clearKeysButton").click()
    run(wait_until(lambda: page.findChild(QMessageBox, "confirmBox") is not None, 10))
    box = page.findChild(QMessageBox, "confirmBox")
    box.button(QMessageBox.StandardButton.Yes).click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    run(wait_until(lambda: page.state is not None and not page.state.keys_configured, 10))
    label = page.findChild(QLabel, "processingStatus")
    assert "not set up" in label.text()
    for box_ in page.type_boxes.values():                       # any types: still off without keys
        box_.setChecked(True)
    save(page, run)
    assert "not set up" in label.text()
    assert edit(page, "privateKeyEdit").isVisible()


def test_currency_is_read_only_once_set(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    page = processing_page(qtbot, admin_company, run)
    combo = page.currency_combo
    assert combo.isVisible() and combo.currentData() == "USD"      # the gateway's currency first
    page.findChild(QPushButton, "setCurrencyButton").click()
    run(wait_until(lambda: page.findChild(QMessageBox, "currencyConfirm") is not None, 10))
    box = page.findChild(QMessageBox, "currencyConfirm")
    assert "never be changed" in box.informativeText()
    box.button(QMessageBox.StandardButton.Yes).click()
    run(wait_until(lambda: page.state is not None and page.state.currency == "USD", 10))
    assert not combo.isVisible() and not page.findChild(QPushButton, "setCurrencyButton").isVisible()
    assert "can never be changed" in page.findChild(QLabel, "currencyValue").text()


def test_unsupported_currency_explained(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    page = processing_page(qtbot, admin_company, run)
    page.currency_combo.setCurrentIndex(page.currency_combo.findData("EUR"))
    page.findChild(QPushButton, "setCurrencyButton").click()
    run(wait_until(lambda: page.findChild(QMessageBox, "currencyConfirm") is not None, 10))
    page.findChild(QMessageBox, "currencyConfirm").button(QMessageBox.StandardButton.Yes).click()
    run(wait_until(lambda: page.state is not None and page.state.currency == "EUR", 10))
    assert "takes only USD" in page.findChild(QLabel, "currencyValue").text()
    qtbot.keyClicks(edit(page, "privateKeyEdit"), PRIV)
    page.type_boxes["back_office.card"].setChecked(True)
    save(page, run)
    assert "does not support EUR" in page.findChild(QLabel, "processingStatus").text()


def test_test_keys_without_connector(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    from payapp.services.processing import ProcessingSetupService

    s = admin_company.services
    s.processing = ProcessingSetupService(s.settings, s.secrets, s.current_user, None)     # no gateway connector
    page = processing_page(qtbot, admin_company, run)
    page.findChild(QPushButton, "testKeysButton").click()
    result = page.findChild(QLabel, "testKeysResult")
    run(wait_until(lambda: CONNECTOR_MISSING.english() in result.text(), 10))


def test_test_keys_against_the_sandbox(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    if demo_context.services.gateways is None:
        pytest.skip("the gateway connector has not landed in this tree yet")
    page = processing_page(qtbot, demo_context, run)
    result = page.findChild(QLabel, "testKeysResult")
    page.findChild(QPushButton, "testKeysButton").click()
    run(wait_until(lambda: result.text().startswith(("✔", "✖")) and page.test_button.isEnabled(), 10))
    assert "Keys work" in result.text()
    page.findChild(QPushButton, "privateKeyReplace").click()
    qtbot.keyClicks(edit(page, "privateKeyEdit"), "not-the-right-key-000")
    result.clear()
    page.findChild(QPushButton, "testKeysButton").click()
    run(wait_until(lambda: result.text().startswith(("✔", "✖")) and page.test_button.isEnabled(), 10))
    assert "Authentication failed" in result.text()


def test_keys_changed_on_another_workstation(
        qtbot: QtBot, admin_company: AppContext, run: Any, company_keyring: MemoryKeyring) -> None:
    from payapp.services.processing import ProcessingSetupService
    from payapp.services.settings import SettingsService

    s = admin_company.services
    other_store = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
    other = ProcessingSetupService(SettingsService(s.db, other_store, s.current_user), other_store,
                                   s.current_user, None)
    run(other.save_keys(Secret(PRIV), Secret(PUB)))            # saved at "another workstation"
    page = processing_page(qtbot, admin_company, run)
    warning = page.findChild(QLabel, "keysMismatch")
    assert warning.isVisible() and "Alice Admin" in warning.text() and "blocked here" in warning.text()
    assert "not on this workstation" in page.findChild(QLabel, "privateKeyStatus").text()
    page.findChild(QPushButton, "privateKeyReplace").click()
    page.findChild(QPushButton, "publicKeyReplace").click()
    qtbot.keyClicks(edit(page, "privateKeyEdit"), PRIV)
    qtbot.keyClicks(edit(page, "publicKeyEdit"), PUB)
    save(page, run)
    assert not warning.isVisible()
    assert company_keyring.store[(SERVICE, PRIVATE_KEY)] == PRIV


def test_admin_tab_for_non_admins_shows_no_pages(qtbot: QtBot, admin_company: AppContext) -> None:
    from payapp.domain.roles import Role

    admin_company.services.current_user.actor = Actor(user_id=9, username="fin", role=Role.FINANCE)
    tab = AdminTab(admin_company.services)
    qtbot.addWidget(tab)
    assert tab.findChild(ProcessingPage) is None
    assert tab.stack.count() == 1 and tab.stack.widget(0).objectName() == "adminDenied"


def test_refund_approval_amount_is_set_in_admin_and_audited(qtbot: QtBot, demo_context: AppContext,
                                                            run: Any) -> None:
    """Issue #6: the amount above which a void or refund needs a second user's approval is set on this page,
    in the internal currency, saved with Save and audited old → new; empty means off; admins only."""
    import json

    from sqlalchemy import select

    from payapp.domain.errors import PermissionDenied
    from payapp.domain.roles import Role
    from payapp.models import AuditEvent
    from payapp.services.refund_approvals import THRESHOLD_KEY

    services = demo_context.services
    approvals = services.refund_approvals
    page = processing_page(qtbot, demo_context, run)
    field = page.findChild(QLineEdit, "approvalThresholdEdit")
    status = page.findChild(QLabel, "approvalThresholdStatus")
    assert field is not None and field.isEnabled() and field.text() == ""
    assert status.text().startswith("Off") and page.findChild(QLabel, "approvalThresholdCurrency").text() == "USD"
    assert "Payment Search" in page.findChild(QLabel, "approvalThresholdHint").text()
    assert "Pending approvals" in page.findChild(QLabel, "approvalThresholdHint").text()

    async def changes() -> list[dict[str, Any]]:
        async with services.db.sessions() as s:
            rows = (await s.scalars(select(AuditEvent.details).where(AuditEvent.action == "settings.changed")
                                    .order_by(AuditEvent.id))).all()
        return [c for c in (json.loads(d).get("changes", {}) for d in rows) if THRESHOLD_KEY in c]

    field.setText("1,234.50")
    save(page, run)
    assert page.banner.kind == "success", page.banner.text
    assert run(services.settings.get(THRESHOLD_KEY)) == 1234_50
    assert run(approvals.needs_approval(1234_51)) and not run(approvals.needs_approval(1234_50))
    assert run(changes()) == [{THRESHOLD_KEY: [0, 1234_50]}]

    async def currencies() -> list[str]:            # the audit entry says what currency the amounts are in
        async with services.db.sessions() as s:
            rows = (await s.scalars(select(AuditEvent.details).where(AuditEvent.action == "settings.changed"))).all()
        return [json.loads(d).get("currency") for d in rows if THRESHOLD_KEY in json.loads(d).get("changes", {})]

    assert run(currencies()) == ["USD"]
    assert field.text() == "1234.50" and "$1,234.50" in status.text()

    field.setText("twelve")                                   # refused before anything is saved
    assert page.findChild(QLabel, "approvalThresholdError").isVisibleTo(page)
    page.type_boxes["portal.echeck"].setChecked(True)
    save(page, run)
    assert page.banner.kind == "error"
    assert run(services.settings.get(THRESHOLD_KEY)) == 1234_50
    assert not run(services.settings.get("payment_types.portal.echeck"))

    field.setText("")                                         # empty: the rule is off
    save(page, run)
    assert run(services.settings.get(THRESHOLD_KEY)) == 0 and status.text().startswith("Off")
    assert run(changes())[-1] == {THRESHOLD_KEY: [1234_50, 0]}

    german = ProcessingPage(services.processing, locale="de_DE")      # typed the German way
    qtbot.addWidget(german)
    run(german.wait_ready())
    german.findChild(QLineEdit, "approvalThresholdEdit").setText("1.000,50")
    assert german.threshold_minor() == 1000_50

    admin = services.current_user.actor
    services.current_user.actor = Actor(user_id=None, username="fin", role=Role.FINANCE)
    try:
        with pytest.raises(PermissionDenied):
            run(services.processing.save_approval_threshold(5_00))
    finally:
        services.current_user.actor = admin
    assert run(services.settings.get(THRESHOLD_KEY)) == 0


def test_the_keyring_is_named_in_words() -> None:
    """Issue #15.10: "Keys are kept in: macOS Keychain", not "Keyring: Keyring" (the class name of both macOS's
    and Secret Service's backends) or "MemoryKeyring"."""
    from payapp.ui.admin.processing_page import keyring_words

    assert keyring_words(("keyring.backends.Windows",), "WinVaultKeyring") == "Windows Credential Manager"
    assert keyring_words(("keyring.backends.macOS",), "Keyring") == "macOS Keychain"
    assert keyring_words(("keyring.backends.SecretService",), "Keyring").startswith("Secret Service")
    assert keyring_words(("payapp.services.memory_keyring",), "MemoryKeyring") == "demo — not saved"
    assert keyring_words(("keyring.backends.macOS", "keyring.backends.SecretService")) == (
        "macOS Keychain, Secret Service (GNOME Keyring, KWallet)")
    assert keyring_words((), "OddKeyring") == "OddKeyring"


def test_the_language_setting_the_readme_promises(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    """Issue #15.11: Admin › Language saves "ui.language", which the next start speaks (payapp.ui.i18n)."""
    from payapp.ui.admin.language_page import LanguagePage
    from payapp.ui.i18n import resolve_language

    tab = AdminTab(demo_context.services)
    qtbot.addWidget(tab)
    tab.show()
    page = tab.show_page("languagePage")
    assert isinstance(page, LanguagePage)
    run(page.wait_ready())
    assert page.combo.currentData() == "" and not page.has_unsaved_changes()     # follows the system at first
    page.combo.setCurrentIndex(page.combo.findData("de"))
    assert page.has_unsaved_changes()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind == "success", 10))
    assert "Deutsch" in page.banner.text and not page.has_unsaved_changes()
    setting = run(demo_context.services.settings.get("ui.language"))
    assert setting == "de" and resolve_language("", setting) == "de"


def test_leaving_a_page_or_quitting_with_unsaved_changes_asks(qtbot: QtBot, demo_context: AppContext,
                                                               run: Any) -> None:
    """Issue #15.11: a changed, unsaved page asks before the Admin tab leaves it and before the window closes;
    Cancel stays, Discard goes."""
    window = build_main_window(demo_context)
    qtbot.addWidget(window)
    window.show()
    tab = window.tab("adminTab")
    assert isinstance(tab, AdminTab)
    page = tab.show_page("paymentProcessingPage")
    assert isinstance(page, ProcessingPage)
    run(page.wait_ready())
    assert not page.has_unsaved_changes()
    asked: list[str] = []
    answer = [False]

    def ask(text: str, on_discard: Any) -> None:
        asked.append(text)
        if answer[0]:
            on_discard()

    tab.ask_discard = ask                                  # type: ignore[method-assign]
    tab.pages.setCurrentRow(1)                             # nothing changed: no question
    assert not asked and tab.stack.currentWidget() is not page
    tab.pages.setCurrentRow(0)
    page.refuse_cvv_box.setChecked(not page.refuse_cvv_box.isChecked())
    assert page.has_unsaved_changes()
    tab.pages.setCurrentRow(1)                             # Cancel: stays on the page
    assert len(asked) == 1 and "Payment Processing" in asked[0]
    assert tab.stack.currentWidget() is page and tab.pages.currentRow() == 0
    assert not window.close() and window.isVisible()       # quitting asks too; Cancel keeps the window
    assert len(asked) == 2
    answer[0] = True
    tab.pages.setCurrentRow(1)                             # Discard: leaves
    assert tab.stack.currentWidget() is not page and tab.pages.currentRow() == 1
    window.close()                                         # still unsaved: asked again, and Discard closes
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)
    assert len(asked) == 4


def test_the_unsaved_changes_question_is_a_box_that_esc_cancels(qtbot: QtBot, demo_context: AppContext,
                                                                run: Any) -> None:
    """The real question: a window-modal box (no nested event loop), Cancel by default and on Esc."""
    tab = AdminTab(demo_context.services)
    qtbot.addWidget(tab)
    tab.show()
    page = tab.show_page("paymentProcessingPage")
    run(page.wait_ready())                                 # type: ignore[attr-defined]
    page.refuse_cvv_box.setChecked(not page.refuse_cvv_box.isChecked())   # type: ignore[attr-defined]
    tab.pages.setCurrentRow(1)
    box = tab.findChild(QMessageBox, "unsavedChangesBox")
    assert box is not None and box.isVisible() and tab.stack.currentWidget() is page
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert tab.stack.currentWidget() is page
    tab.pages.setCurrentRow(1)
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Discard).click()
    assert tab.stack.currentWidget() is not page and tab.pages.currentRow() == 1


def test_choosing_payengine_shows_its_credentials_and_its_payment_types(
        qtbot: QtBot, admin_company: AppContext, company_keyring: MemoryKeyring, run: Any) -> None:
    """Admin chooses the gateway; the credential fields are the chosen adapter's (the API key masked, the merchant
    id not), kept in the keyring; the payment-type grid offers what that gateway takes per channel and currency."""
    page = processing_page(qtbot, admin_company, run)
    combo = page.gateway_combo
    assert combo.objectName() == "gatewayChoice" and combo.currentData() == "nmi"
    combo.setCurrentIndex(combo.findData("payengine"))
    combo.activated.emit(combo.currentIndex())
    run(wait_until(lambda: page.state is not None and page.state.gateway.name == "payengine", 10))
    assert list(page.key_rows) == ["gateway.payengine.api_key", "gateway.payengine.merchant_id"]
    assert page.findChild(MaskedLineEdit, "privateKeyEdit") is None
    api_key = edit(page, "payengineApiKeyEdit")
    merchant = page.findChild(QLineEdit, "payengineMerchantIdEdit")
    assert api_key.echoMode() == QLineEdit.EchoMode.Password
    assert not isinstance(merchant, MaskedLineEdit) and merchant.echoMode() == QLineEdit.EchoMode.Normal
    assert page.address.text() == "https://api.payengine.de/v1"
    # no currency yet: card and SEPA in the back office, eCheck not at all; the portal's cards go through
    # PayEngine's hosted page (nothing typed reaches the portal), as its PayPal does; no SEPA there, and PayPal
    # not in the back office
    boxes = page.type_boxes
    assert boxes["back_office.card"].isEnabled() and boxes["back_office.sepa"].isEnabled()
    assert not boxes["back_office.echeck"].isEnabled()
    assert boxes["portal.card"].isEnabled() and boxes["portal.paypal"].isEnabled()
    assert not any(boxes[f"portal.{t}"].isEnabled() for t in ("echeck", "sepa"))
    assert not boxes["back_office.paypal"].isEnabled()
    qtbot.keyClicks(api_key, "pe-api-key-7Hq2A9xZ")
    qtbot.keyClicks(merchant, "Merchant-0001")
    save(page, run)
    assert page.banner.kind == "success", page.banner.text
    assert company_keyring.store[(SERVICE, "gateway.payengine.api_key")] == "pe-api-key-7Hq2A9xZ"
    assert company_keyring.store[(SERVICE, "gateway.payengine.merchant_id")] == "Merchant-0001"
    assert "Configured" in page.findChild(QLabel, "payengineApiKeyStatus").text()
    # back to NMI: its own fields again (its keys were never touched)
    combo.setCurrentIndex(combo.findData("nmi"))
    combo.activated.emit(combo.currentIndex())
    run(wait_until(lambda: page.state is not None and page.state.gateway.name == "nmi", 10))
    assert list(page.key_rows) == [PRIVATE_KEY, PUBLIC_KEY]
    assert page.type_boxes["back_office.echeck"].isEnabled() and not page.type_boxes["back_office.sepa"].isEnabled()
