"""Sign-in dialog. On the very first start (no user yet) it asks for the first admin account instead."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from payapp import APP_NAME
from payapp.domain.errors import PayAppError
from payapp.services.auth import Actor
from payapp.services.users import MIN_PASSWORD, DemoUser, UserService
from payapp.ui.main_window import role_text
from payapp.ui.messages import user_text


class SignInDialog(QDialog):
    """Open it with `open()` and await `result()`; `actor` holds who signed in. In the demo (`demo_users`) it
    lists the demo's users with their made-up passwords; a "Use" button fills them in."""

    def __init__(self, users: UserService, *, first_admin: bool, parent: QWidget | None = None,
                 demo_users: Sequence[DemoUser] = ()) -> None:
        super().__init__(parent)
        self._users = users
        self.first_admin = first_admin
        self.actor: Actor | None = None
        self.setObjectName("firstAdminDialog" if first_admin else "signInDialog")
        self.setWindowTitle(self.tr("Create the admin account") if first_admin else self.tr("Sign in to {app}")
                            .format(app=APP_NAME))
        heading = QLabel(self)
        heading.setObjectName("signInHeading")
        heading.setWordWrap(True)
        if first_admin:
            heading.setText(self.tr("<b>Welcome to {app}.</b><br>No one uses this company database yet. Create the "
                                    "first admin account; admins add everyone else in Admin → Users.")
                            .format(app=APP_NAME))
        else:
            heading.setText(self.tr("<b>Sign in to {app}</b>").format(app=APP_NAME))
        self.username = QLineEdit(self)
        self.username.setObjectName("usernameEdit")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("displayNameEdit")
        self.password = QLineEdit(self)
        self.password.setObjectName("passwordEdit")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit(self)
        self.password2.setObjectName("passwordRepeatEdit")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(self.tr("Username:"), self.username)
        if first_admin:
            form.addRow(self.tr("Your name:"), self.display_name)
            self.password.setPlaceholderText(self.tr("At least {n} characters").format(n=MIN_PASSWORD))
        form.addRow(self.tr("Password:"), self.password)
        if first_admin:
            form.addRow(self.tr("Repeat password:"), self.password2)
        else:
            self.display_name.hide()
            self.password2.hide()
        self.error = QLabel(self)
        self.error.setObjectName("signInError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("QLabel#signInError { color: #c0392b; }")
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setObjectName("signInButton")
        ok.setText(self.tr("Create admin account") if first_admin else self.tr("Sign in"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Quit"))
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addSpacing(8)
        layout.addLayout(form)
        if demo_users and not first_admin:
            layout.addWidget(self._demo_box(demo_users))
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self.username.setFocus()

    def _demo_box(self, demo_users: Sequence[DemoUser]) -> QGroupBox:
        box = QGroupBox(self.tr("Demo users (demo — not real passwords)"), self)
        box.setObjectName("demoUsersBox")
        grid = QGridLayout(box)
        hint = QLabel(self.tr("Sign in as each role to see what it may do: Finance takes payments and refunds, "
                              "Viewer only looks."), box)
        hint.setWordWrap(True)
        grid.addWidget(hint, 0, 0, 1, 3)
        self.demo_buttons: dict[str, QPushButton] = {}
        for row, user in enumerate(demo_users, start=1):
            login = self.tr("user <tt>%1</tt>, password <tt>%2</tt>").replace("%1", html.escape(user.username)) \
                .replace("%2", html.escape(user.password))
            who = QLabel(f"<b>{html.escape(user.display_name)}</b> · {html.escape(role_text(user.role.value))}"
                         f"<br>{login}", box)
            who.setObjectName(f"demoLogin_{user.username}")
            who.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            use = QPushButton(self.tr("Use"), box)
            use.setObjectName(f"demoUse_{user.username}")
            use.setAutoDefault(False)
            use.setAccessibleName(self.tr("Use %1").replace("%1", user.display_name))
            use.clicked.connect(lambda _c=False, u=user: self.fill_in(u))
            self.demo_buttons[user.username] = use
            grid.addWidget(who, row, 0, 1, 2)
            grid.addWidget(use, row, 2)
        grid.setColumnStretch(1, 1)
        return box

    def fill_in(self, user: DemoUser) -> None:
        """A demo user's name and password in the fields; Enter (or Sign in) signs in."""
        self.username.setText(user.username)
        self.password.setText(user.password)
        self.password.setFocus()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setDefault(True)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    async def result_actor(self) -> Actor | None:
        """Await the dialog closing; the signed-in actor, or None when cancelled."""
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.finished.connect(lambda r: done.done() or done.set_result(r))
        if not self.isVisible():
            self.open()
        await done
        return self.actor

    @asyncSlot()
    async def _submit(self) -> None:
        self.error.hide()
        if self.first_admin and self.password.text() != self.password2.text():
            self.show_error(self.tr("The passwords do not match."))
            self.password.clear()
            self.password2.clear()
            self.password.setFocus()
            return
        self.buttons.setEnabled(False)
        try:
            if self.first_admin:
                self.actor = await self._users.create_first_admin(self.username.text(), self.password.text(),
                                                                  self.display_name.text())
            else:
                self.actor = await self._users.sign_in(self.username.text(), self.password.text())
        except PayAppError as exc:
            self.show_error(user_text(exc))
            self.password.clear()
            self.password2.clear()
            self.password.setFocus()
            return
        finally:
            self.buttons.setEnabled(True)
        self.password.clear()
        self.password2.clear()
        self.accept()
