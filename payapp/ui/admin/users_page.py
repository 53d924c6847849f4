"""Admin → Users: list, add, disable/enable, change role, reset password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.domain.roles import USER_ROLES, Role
from payapp.services.users import MIN_PASSWORD, UserRow, UserService
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.i18n import format_moment
from payapp.ui.messages import user_text
from payapp.ui.widgets import Banner

# Reds that read at 4.5:1 or more on the light and on the dark window (no one red does on both; issue #15.8)
FIELD_ERROR_COLOURS = {"light": "#c0392b", "dark": "#ff8a80"}


def field_error_colour() -> str:
    app = QApplication.instance()
    scheme = app.property("payapp_scheme") if app is not None else None
    return FIELD_ERROR_COLOURS["dark" if scheme == "dark" else "light"]

ROLE_LABELS = {Role.ADMIN: QT_TRANSLATE_NOOP("UsersPage", "Admin"),
               Role.FINANCE: QT_TRANSLATE_NOOP("UsersPage", "Finance"),
               Role.VIEWER: QT_TRANSLATE_NOOP("UsersPage", "Viewer"),
               # shown in the audit log for what the client portal did; never offered for a user
               Role.PORTAL: QT_TRANSLATE_NOOP("UsersPage", "Client portal")}
HEADERS = (QT_TRANSLATE_NOOP("UsersPage", "Username"), QT_TRANSLATE_NOOP("UsersPage", "Name"),
           QT_TRANSLATE_NOOP("UsersPage", "Role"), QT_TRANSLATE_NOOP("UsersPage", "Status"),
           QT_TRANSLATE_NOOP("UsersPage", "Last sign-in"))


def role_label(role: Role) -> str:
    return QCoreApplication.translate("UsersPage", ROLE_LABELS[role])


def field_error(parent: QWidget, object_name: str) -> QLabel:
    """A red message under one field of a form (hidden until a rule about that field is broken)."""
    label = QLabel(parent)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.hide()
    return label


def show_field_error(labels: dict[str, QLabel], fallback: QLabel, text: str, field: str) -> None:
    """`text` under the field it concerns ("username", "password", "password2"), or in `fallback`; the other
    messages are cleared, and the field gets the focus."""
    target = labels.get(field, fallback)
    for label in (*labels.values(), fallback):
        if label is not target:
            label.clear()
            label.hide()
    target.setStyleSheet(f"color: {field_error_colour()};")
    target.setText(text)
    target.show()
    buddy = target.property("field_widget")
    if isinstance(buddy, QWidget):
        buddy.setFocus()


def _lay_out_password_dialog(dialog: QDialog, form: QFormLayout, error: QLabel, ok_text: str, ok_name: str,
                             submit: Callable[[], None]) -> QDialogButtonBox:
    """The form, its error line and OK (`ok_text`, submits) / Cancel below; the button box."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
    ok.setText(ok_text)
    ok.setObjectName(ok_name)
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return buttons


class AddUserDialog(QDialog):
    """Username, name, role, password twice. Emits `submitted` with the values; the page does the work and
    closes the dialog (or shows the error in it)."""

    submitted = Signal(str, str, str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addUserDialog")
        self.setWindowTitle(self.tr("Add user"))
        self.username = QLineEdit(self)
        self.username.setObjectName("newUsername")
        self.display_name = QLineEdit(self)
        self.display_name.setObjectName("newDisplayName")
        self.role = QComboBox(self)
        self.role.setObjectName("newRole")
        for role in (Role.FINANCE, Role.VIEWER, Role.ADMIN):
            self.role.addItem(role_label(role), role.value)
        self.password = QLineEdit(self)
        self.password.setObjectName("newPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("At least {n} characters").format(n=MIN_PASSWORD))
        self.password2 = QLineEdit(self)
        self.password2.setObjectName("newPasswordRepeat")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = field_error(self, "addUserError")
        # each rule's message under the field it concerns (issue #15.11); others in self.error
        self.field_errors = {"username": field_error(self, "newUsernameError"),
                             "password": field_error(self, "newPasswordError"),
                             "password2": field_error(self, "newPasswordRepeatError")}
        for name, widget in (("username", self.username), ("password", self.password),
                             ("password2", self.password2)):
            self.field_errors[name].setProperty("field_widget", widget)
        form = QFormLayout()
        form.addRow(self.tr("Username:"), self.username)
        form.addRow("", self.field_errors["username"])
        form.addRow(self.tr("Name:"), self.display_name)
        form.addRow(self.tr("Role:"), self.role)
        form.addRow(self.tr("Password:"), self.password)
        form.addRow("", self.field_errors["password"])
        form.addRow(self.tr("Repeat password:"), self.password2)
        form.addRow("", self.field_errors["password2"])
        self.buttons = _lay_out_password_dialog(self, form, self.error, self.tr("Add user"), "addUserOk",
                                                self._submit)
        self.setMinimumWidth(420)

    def _submit(self) -> None:
        if self.password.text() != self.password2.text():
            self.show_error(self.tr("The passwords do not match."), "password2")
            return
        self.submitted.emit(self.username.text(), self.display_name.text(), self.role.currentData(),
                            self.password.text())

    def show_error(self, text: str, field: str = "") -> None:
        show_field_error(self.field_errors, self.error, text, field)


class ResetPasswordDialog(QDialog):
    submitted = Signal(str)

    def __init__(self, username: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resetPasswordDialog")
        self.setWindowTitle(self.tr("Reset password"))
        self.password = QLineEdit(self)
        self.password.setObjectName("resetPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText(self.tr("At least {n} characters").format(n=MIN_PASSWORD))
        self.password2 = QLineEdit(self)
        self.password2.setObjectName("resetPasswordRepeat")
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = field_error(self, "resetPasswordError")
        self.field_errors = {"password": field_error(self, "resetPasswordFieldError"),
                             "password2": field_error(self, "resetPasswordRepeatError")}
        self.field_errors["password"].setProperty("field_widget", self.password)
        self.field_errors["password2"].setProperty("field_widget", self.password2)
        form = QFormLayout()
        form.addRow(self.tr("New password for {name}:").format(name=username), self.password)
        form.addRow("", self.field_errors["password"])
        form.addRow(self.tr("Repeat:"), self.password2)
        form.addRow("", self.field_errors["password2"])
        self.buttons = _lay_out_password_dialog(self, form, self.error, self.tr("Reset password"), "resetPasswordOk",
                                                self._submit)
        self.setMinimumWidth(440)

    def _submit(self) -> None:
        if self.password.text() != self.password2.text():
            self.show_error(self.tr("The passwords do not match."), "password2")
            return
        self.submitted.emit(self.password.text())

    def show_error(self, text: str, field: str = "") -> None:
        show_field_error(self.field_errors, self.error, text, field)


class UsersPage(QWidget):
    def __init__(self, users: UserService, parent: QWidget | None = None, *, locale: str = "en_US") -> None:
        super().__init__(parent)
        self._users = users
        self._locale = locale
        self.rows: list[UserRow] = []
        self.work = WidgetTasks(self, load=self.reload)
        self.banner = Banner(self, "usersBanner")
        title = QLabel(self.tr("Users"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("usersTable")
        self.table.setHorizontalHeaderLabels([QCoreApplication.translate("UsersPage", h) for h in HEADERS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        for column, width in enumerate((180, 240, 110, 110)):
            header.resizeSection(column, width)
        self.table.setAlternatingRowColors(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button = QPushButton(self.tr("Add user…"), self)
        self.add_button.setObjectName("addUserButton")
        self.add_button.clicked.connect(self.open_add_dialog)
        self.toggle_button = QPushButton(self.tr("Disable"), self)
        self.toggle_button.setObjectName("toggleUserButton")
        self.toggle_button.clicked.connect(self._on_toggle)
        self.role_combo = QComboBox(self)
        self.role_combo.setObjectName("roleCombo")
        for role in USER_ROLES:
            self.role_combo.addItem(role_label(role), role.value)
        self.role_button = QPushButton(self.tr("Change role"), self)
        self.role_button.setObjectName("changeRoleButton")
        self.role_button.clicked.connect(self._on_change_role)
        self.reset_button = QPushButton(self.tr("Reset password…"), self)
        self.reset_button.setObjectName("resetPasswordButton")
        self.reset_button.setToolTip(self.tr("Sets a new password and lifts a sign-in lockout."))
        self.reset_button.clicked.connect(self.open_reset_dialog)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addSpacing(16)
        buttons.addWidget(self.toggle_button)
        buttons.addWidget(self.reset_button)
        buttons.addSpacing(16)
        buttons.addWidget(QLabel(self.tr("Role:"), self))
        buttons.addWidget(self.role_combo)
        buttons.addWidget(self.role_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        self._selection_changed()

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        self.work.first_show()

    def refresh(self) -> None:
        self.work.reload()

    async def wait_ready(self) -> None:
        await self.work.wait_loaded()

    async def reload(self) -> None:
        selected = self.selected()
        try:
            rows = await self._users.list_users()
            self.rows = rows
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self.table.setRowCount(len(self.rows))
        for r, user in enumerate(self.rows):
            last = format_moment(user.last_sign_in_at, self._locale) if user.last_sign_in_at else "—"
            status = self.tr("Active") if user.is_active else self.tr("Disabled")
            if user.is_active and user.locked_until is not None and user.locked_until > dt.datetime.now(dt.UTC):
                status = self.tr("Locked")
            for c, text in enumerate((user.username, user.display_name, role_label(user.role), status, last)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, user.id)
                self.table.setItem(r, c, item)
            if selected is not None and user.id == selected.id:
                self.table.selectRow(r)
        self._selection_changed()

    def selected(self) -> UserRow | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows or rows[0].row() >= len(self.rows):
            return None
        return self.rows[rows[0].row()]

    def select_user(self, username: str) -> None:
        for r, user in enumerate(self.rows):
            if user.username == username:
                self.table.selectRow(r)

    def _selection_changed(self) -> None:
        user = self.selected()
        for button in (self.toggle_button, self.role_button, self.reset_button):
            button.setEnabled(user is not None)
        if user is not None:
            self.toggle_button.setText(self.tr("Disable") if user.is_active else self.tr("Enable"))
            self.role_combo.setCurrentIndex(self.role_combo.findData(user.role.value))

    def open_add_dialog(self) -> AddUserDialog:
        dialog = AddUserDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda u, n, r, p: self._add(dialog, u, n, r, p))
        dialog.open()
        return dialog

    @widget_slot
    async def _add(self, dialog: AddUserDialog, username: str, name: str, role: str, password: str) -> None:
        dialog.buttons.setEnabled(False)
        try:
            row = await self._users.add_user(username, password, Role(role), name)
        except PayAppError as exc:
            dialog.show_error(user_text(exc), str(getattr(exc, "field", "")))
            dialog.buttons.setEnabled(True)
            return
        dialog.accept()
        await self.reload()
        self.select_user(row.username)
        self.banner.show_success(self.tr("User {name} added.").format(name=row.username))

    def open_reset_dialog(self) -> ResetPasswordDialog | None:
        user = self.selected()
        if user is None:
            return None
        dialog = ResetPasswordDialog(user.username, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.submitted.connect(lambda password: self._reset(dialog, user, password))
        dialog.open()
        return dialog

    @widget_slot
    async def _reset(self, dialog: ResetPasswordDialog, user: UserRow, password: str) -> None:
        dialog.buttons.setEnabled(False)
        try:
            await self._users.reset_password(user.id, password)
        except PayAppError as exc:
            dialog.show_error(user_text(exc), str(getattr(exc, "field", "")))
            dialog.buttons.setEnabled(True)
            return
        dialog.accept()
        await self.reload()
        self.banner.show_success(self.tr("New password set for {name}.").format(name=user.username))

    @widget_slot
    async def _on_toggle(self) -> None:
        user = self.selected()
        if user is None:
            return
        try:
            row = await self._users.set_active(user.id, not user.is_active)
        except PayAppError as exc:
            await self.reload()
            self.banner.show_error(user_text(exc))
        else:
            await self.reload()
            self.banner.show_success((self.tr("{name} enabled.") if row.is_active else self.tr("{name} disabled."))
                                     .format(name=row.username))

    @widget_slot
    async def _on_change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        role = Role(self.role_combo.currentData())
        try:
            row = await self._users.change_role(user.id, role)
        except PayAppError as exc:
            await self.reload()
            self.banner.show_error(user_text(exc))
        else:
            await self.reload()
            self.banner.show_success(self.tr("{name} is now {role}.").format(name=row.username,
                                                                           role=role_label(row.role)))
