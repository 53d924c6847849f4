"""Sign-in dialog (first admin, errors, lockout), Users page, Audit Log page, and the Admin tab per role."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QLineEdit, QPushButton
from pytestqt.qtbot import QtBot

from payapp.app import AppContext, build_main_window
from payapp.domain.roles import Role
from payapp.services.auth import Actor
from payapp.services.users import AuditFilter
from payapp.ui.admin.admin_tab import AdminTab
from payapp.ui.admin.audit_page import AuditPage
from payapp.ui.admin.users_page import AddUserDialog, UsersPage
from payapp.ui.sign_in import SignInDialog
from tests.ui.conftest import ADMIN_PASSWORD, wait_until


@pytest.fixture(autouse=True)
def _keep_running_when_dialogs_close(qapp: QApplication) -> Iterator[None]:
    """The app (gui.py) does not quit when its last window closes; a lone dialog closing must not stop the
    test's loop either."""
    previous = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    yield
    qapp.setQuitOnLastWindowClosed(previous)


def click(dialog: SignInDialog, run: Any) -> None:
    dialog.error.hide()
    dialog.findChild(QPushButton, "signInButton").click()
    run(wait_until(lambda: dialog.error.isVisible() or dialog.actor is not None, 10))


def test_first_start_creates_the_admin_account(qtbot: QtBot, company: AppContext, run: Any) -> None:
    users = company.services.users
    assert users is not None and run(users.needs_first_admin())
    dialog = SignInDialog(users, first_admin=True)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "usernameEdit"), "alice")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "displayNameEdit"), "Alice Admin")
    qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordRepeatEdit"), "something else")
    click(dialog, run)
    assert "do not match" in dialog.findChild(QLabel, "signInError").text()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)   # fields were cleared
    qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordRepeatEdit"), ADMIN_PASSWORD)
    click(dialog, run)
    assert dialog.actor is not None and dialog.actor.role is Role.ADMIN
    assert company.services.current_user.actor == dialog.actor
    assert not dialog.isVisible()
    assert not run(users.needs_first_admin())


def test_sign_in_errors_and_lockout(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    users = admin_company.services.users
    assert users is not None
    users.sign_out()
    dialog = SignInDialog(users, first_admin=False)
    qtbot.addWidget(dialog)
    dialog.open()
    assert not dialog.findChild(QLineEdit, "passwordRepeatEdit").isVisible()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "usernameEdit"), "alice")
    error = dialog.findChild(QLabel, "signInError")
    for attempt in range(5):
        qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordEdit"), f"wrong password {attempt}")
        click(dialog, run)
        assert dialog.findChild(QLineEdit, "passwordEdit").text() == ""
        if attempt < 4:
            assert error.text() == "Wrong username or password."
    assert "locked for 15 more minutes" in error.text()
    qtbot.keyClicks(dialog.findChild(QLineEdit, "passwordEdit"), ADMIN_PASSWORD)
    click(dialog, run)
    assert "locked" in error.text() and dialog.actor is None and dialog.isVisible()


def test_sign_in_succeeds_and_result_is_awaitable(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    users = admin_company.services.users
    assert users is not None
    dialog = SignInDialog(users, first_admin=False)
    qtbot.addWidget(dialog)

    async def scenario() -> Actor | None:
        waiting = __import__("asyncio").ensure_future(dialog.result_actor())
        await wait_until(dialog.isVisible)
        dialog.username.setText("alice")
        dialog.password.setText(ADMIN_PASSWORD)
        dialog.findChild(QPushButton, "signInButton").click()
        return await waiting

    actor = run(scenario())
    assert actor is not None and actor.username == "alice"


def users_page(qtbot: QtBot, ctx: AppContext, run: Any) -> UsersPage:
    tab = AdminTab(ctx.services)
    qtbot.addWidget(tab)
    tab.show()
    page = tab.show_page("usersPage")
    assert isinstance(page, UsersPage)
    page._test_tab = tab  # type: ignore[attr-defined]
    run(page.wait_ready())
    return page


def test_users_page_add_disable_change_role(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    page = users_page(qtbot, admin_company, run)
    assert [r.username for r in page.rows] == ["alice"]
    dialog = page.open_add_dialog()
    assert isinstance(dialog, AddUserDialog)
    dialog.username.setText("bob")
    dialog.display_name.setText("Bob Finance")
    dialog.role.setCurrentIndex(dialog.role.findData("finance"))
    dialog.password.setText("bob's long password")
    dialog.password2.setText("bob's long passwort")
    dialog.findChild(QPushButton, "addUserOk").click()
    # issue #15.11: each password error sits under the field it concerns
    repeat_error = dialog.findChild(QLabel, "newPasswordRepeatError")
    assert repeat_error.isVisibleTo(dialog) and "do not match" in repeat_error.text()
    dialog.password.setText("short")
    dialog.password2.setText("short")
    dialog.findChild(QPushButton, "addUserOk").click()
    password_error = dialog.findChild(QLabel, "newPasswordError")
    run(wait_until(lambda: password_error.isVisibleTo(dialog), 10))
    assert "at least 10 characters" in password_error.text()
    assert not repeat_error.isVisibleTo(dialog) and not dialog.error.isVisibleTo(dialog)
    layout = dialog.layout().itemAt(0).layout()                    # the form: the message is right below the field
    row = layout.getWidgetPosition(dialog.password)[0]
    assert layout.getWidgetPosition(password_error)[0] == row + 1
    dialog.password.setText("bob's long password")
    dialog.password2.setText("bob's long password")
    dialog.findChild(QPushButton, "addUserOk").click()
    run(wait_until(lambda: len(page.rows) == 2, 10))
    assert page.banner.kind == "success"
    bob = page.selected()
    assert bob is not None and bob.username == "bob" and bob.role is Role.FINANCE
    page.findChild(QPushButton, "toggleUserButton").click()
    run(wait_until(lambda: page.banner.text.endswith("bob disabled."), 10))
    assert page.table.item(page.rows.index(page.selected()), 3).text() == "Disabled"  # type: ignore[arg-type]
    combo = page.findChild(QComboBox, "roleCombo")
    combo.setCurrentIndex(combo.findData("viewer"))
    page.findChild(QPushButton, "changeRoleButton").click()
    run(wait_until(lambda: "now Viewer" in page.banner.text, 10))
    # the last active admin cannot demote herself: a clear message
    page.select_user("alice")
    combo.setCurrentIndex(combo.findData("finance"))
    page.findChild(QPushButton, "changeRoleButton").click()
    run(wait_until(lambda: page.banner.kind == "error", 10))
    assert "last active admin" in page.banner.text


def test_audit_page_lists_filters_and_exports(qtbot: QtBot, admin_company: AppContext, run: Any,
                                              tmp_path: Path, qtmodeltester: Any) -> None:
    users = admin_company.services.users
    assert users is not None
    run(users.add_user("bob", "bob's long password", Role.FINANCE))
    run(admin_company.services.settings.set("payment_types.back_office.card", True))
    tab = AdminTab(admin_company.services)
    qtbot.addWidget(tab)
    tab.show()
    page = tab.show_page("auditLogPage")
    assert isinstance(page, AuditPage)
    run(page.wait_ready())
    model = page.model
    actions = [model.row(i).action for i in range(model.rowCount())]
    assert actions == ["settings.changed", "user.created", "user.created"]      # newest first
    qtmodeltester.check(model)
    # Details in words (the CSV keeps the stored JSON): the setting's label, Yes/No for a boolean.
    assert model.index(0, 5).data() == "Changes: Credit card for the back office: No → Yes"
    assert page.findChild(QLabel, "auditCount").text() == "3 of 3 entries shown"
    page.action_combo.setCurrentText("user.")
    page.findChild(QPushButton, "auditApply").click()
    run(page.wait_ready())
    assert model.rowCount() == 2
    page.text_edit.setText("no such thing anywhere")
    page.apply_filters()
    run(page.wait_ready())
    assert model.rowCount() == 0
    qtmodeltester.check(model)
    page.text_edit.setText("bob")
    page.apply_filters()
    run(page.wait_ready())
    out = tmp_path / "audit.csv"
    page.export_to(out)
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "success", page.banner.text
    with out.open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["action"] for r in rows] == ["user.created"] and "bob" in rows[0]["details"]
    assert json.loads(rows[0]["details"])["role"] == "finance"                 # the CSV keeps the stored JSON


def test_audit_model_pages_lazily(qtbot: QtBot, admin_company: AppContext, run: Any, qtmodeltester: Any) -> None:
    users = admin_company.services.users
    assert users is not None
    for i in range(5):
        run(users.add_user(f"user{i}", "a long enough password", Role.VIEWER))
    from payapp.ui.admin.audit_page import AuditTableModel

    model = AuditTableModel(admin_company.services.audit_log)  # type: ignore[arg-type]
    model.PAGE = 2
    model.reset()
    run(model.wait_idle())
    assert model.rowCount() == 2 and model.canFetchMore()
    while model.canFetchMore():
        model.fetchMore()
        run(model.wait_idle())
    assert model.rowCount() == 6
    ids = [model.row(i).id for i in range(6)]
    assert ids == sorted(ids, reverse=True)
    qtmodeltester.check(model)


def test_main_window_hides_admin_tab_for_non_admins(qtbot: QtBot, admin_company: AppContext) -> None:
    window = build_main_window(admin_company)
    qtbot.addWidget(window)
    admin_index = window.tabs.indexOf(window.tab("adminTab"))
    window.apply_role(admin_company.services.current_user.actor)
    assert window.tabs.isTabVisible(admin_index)
    window.tabs.setCurrentIndex(admin_index)
    window.apply_role(Actor(user_id=2, username="fin", role=Role.FINANCE))
    assert not window.tabs.isTabVisible(admin_index) and not window.tabs.isTabEnabled(admin_index)
    assert window.tabs.currentIndex() != admin_index
    window.apply_role(Actor(user_id=3, username="view", role=Role.VIEWER))
    assert not window.tabs.isTabVisible(admin_index)


def test_demo_mode_signs_in_as_a_real_admin_row(demo_context: AppContext, run: Any) -> None:
    actor = demo_context.services.current_user.actor
    assert actor is not None and actor.user_id is not None and actor.role is Role.ADMIN
    rows = run(demo_context.services.users.list_users())  # type: ignore[union-attr]
    # the demo admin, and the demo's Finance and Viewer users to sign in as (File › Sign out)
    assert sorted(r.username for r in rows) == ["demo", "finance", "viewer"]
    demo = next(r for r in rows if r.username == "demo")
    assert demo.id == actor.user_id and demo.last_sign_in_at is not None
    # the demo's sign-in is audited like any other, so the demo's Audit page is not empty
    log = demo_context.services.audit_log
    assert log is not None
    events = run(log.page(AuditFilter(action="auth.sign_in")))
    assert [(e.username, e.entity_id) for e in events] == [("demo", str(actor.user_id))]


def test_screenshot_states_cover_every_admin_page_and_the_dialogs(qtbot: QtBot, demo_context: AppContext,
                                                                  run: Any) -> None:
    tab = AdminTab(demo_context.services)
    qtbot.addWidget(tab)
    states = run(tab.screenshot_states())
    names = [n for n, _w in states]
    assert names[:3] == ["admin-paymentProcessingPage", "admin-usersPage", "admin-auditLogPage"]
    assert {"admin-addUserDialog", "signInDialog", "firstAdminDialog"} <= set(names)
    for _name, widget in states:
        assert not widget.grab().isNull()
        widget.close()


def test_run_gui_sign_in_step_first_start_then_cancel(qtbot: QtBot, company: AppContext, run: Any) -> None:
    from payapp.gui import _sign_in

    def dialog() -> SignInDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()]
        return found[0] if found else None

    async def first_start() -> bool:
        task = __import__("asyncio").ensure_future(_sign_in(company))
        await wait_until(lambda: dialog() is not None)
        d = dialog()
        assert d is not None and d.first_admin
        d.username.setText("alice")
        d.password.setText(ADMIN_PASSWORD)
        d.password2.setText(ADMIN_PASSWORD)
        d.findChild(QPushButton, "signInButton").click()
        return await task

    assert run(first_start()) is True
    assert company.services.current_user.actor is not None

    async def cancelled() -> bool:
        task = __import__("asyncio").ensure_future(_sign_in(company))
        await wait_until(lambda: dialog() is not None)
        d = dialog()
        assert d is not None and not d.first_admin
        d.reject()
        return await task

    assert run(cancelled()) is False


def test_users_page_reset_password(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    users = admin_company.services.users
    assert users is not None
    run(users.add_user("bob", "bob's long password", Role.FINANCE))
    page = users_page(qtbot, admin_company, run)
    page.select_user("bob")
    dialog = page.open_reset_dialog()
    assert dialog is not None
    dialog.password.setText("bob's new password")
    dialog.password2.setText("bob's new password")
    dialog.findChild(QPushButton, "resetPasswordOk").click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.text.endswith("New password set for bob.")
    assert run(users.sign_in("bob", "bob's new password")).username == "bob"


def test_admin_tab_adds_connections_when_the_service_is_there(qtbot: QtBot, demo_context: AppContext,
                                                               run: Any) -> None:
    s = demo_context.services       # the composition root always builds the connections service
    tab = AdminTab(s)
    qtbot.addWidget(tab)
    titles = [tab.pages.item(i).text() for i in range(tab.pages.count())]
    assert titles == ["Payment Processing", "Users", "Audit Log", "Connections", "Company details",
                      "Client Portal", "Language"]
    tab.show()
    tab.show_page("connectionsPage")
    run(tab.wait_ready(), 20)
    # issue #15.11: the Connections page knows when something typed is not saved yet
    page = tab.page("connectionsPage")
    assert not page.has_unsaved_changes()                   # type: ignore[attr-defined]
    page.at_user.setText(page.at_user.text() + "x")         # type: ignore[attr-defined]
    assert page.has_unsaved_changes()                       # type: ignore[attr-defined]
    page.at_user.setText(page.at_user.text()[:-1])          # type: ignore[attr-defined]
    assert not page.has_unsaved_changes()                   # type: ignore[attr-defined]
