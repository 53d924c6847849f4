"""Sign-in dialog. On the very first start (no user yet) it asks for the first admin account instead."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)
from qasync import asyncSlot

from payapp import APP_NAME
from payapp.domain.errors import PayAppError
from payapp.services.auth import Actor
from payapp.services.users import MIN_PASSWORD, UserService
from payapp.ui.messages import user_text


class SignInDialog(QDialog):
    """Open it with `open()` and await `result()`; `actor` holds who signed in."""

    def __init__(self, users: UserService, *, first_admin: bool, parent: QWidget | None = None) -> None:
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
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(440)
        self.username.setFocus()

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
