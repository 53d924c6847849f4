"""Admin › Client Portal › Sign-in and who may pay: how clients reach the portal (secret payment links, sign-in
with an e-mailed one-time link, or both; saved with the page) and, per contact of an organization, whether they
may pay there or see invoices only (PortalAccessService; each choice is saved and audited at once)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QGroupBox,
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
from payapp.services.portal_access import ACCESS_BOTH, ACCESS_LINKS, ACCESS_SIGNIN, access_mode
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.messages import user_text
from payapp.ui.widgets import HINT_STYLE

KEYS = ("portal.access_mode",)
ERROR_COLOUR = "#d9534f"
# the "May pay" column's choices: the service's None / True / False
CHOICES: tuple[tuple[str, bool | None], ...] = (("default", None), ("yes", True), ("no", False))


class PortalAccessBox(QGroupBox):
    changed = Signal()

    def __init__(self, access: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Sign-in and who may pay"))
        self.setObjectName("portalAccessBox")
        self._access = access
        self.work = WidgetTasks(self)
        self._company_id: int | None = None

        self.mode_combo = QComboBox(self)
        self.mode_combo.setObjectName("portalAccessMode")
        self.mode_combo.setAccessibleName(self.tr("Clients reach the portal by"))
        for mode, label in ((ACCESS_LINKS, self.tr("Secret payment links")),
                            (ACCESS_SIGNIN, self.tr("Signing in with their e-mail address")),
                            (ACCESS_BOTH, self.tr("Both: payment links and signing in"))):
            self.mode_combo.addItem(label, mode)
        self.mode_combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
        mode_hint = QLabel(self.tr("Signing in: a contact enters their e-mail address and gets a link that signs "
                                   "them in once, for 15 minutes (no passwords). They see their organization's "
                                   "recent invoices and their own saved payment methods. With sign-in only, "
                                   "payment links work for a signed-in contact who may pay."), self)
        mode_hint.setWordWrap(True)
        mode_hint.setStyleSheet(HINT_STYLE)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("portalAccessSearch")
        self.search_edit.setPlaceholderText(self.tr("Organization name"))
        self.search_edit.setAccessibleName(self.tr("Find an organization"))
        self.search_edit.returnPressed.connect(self._on_search)
        self.search_button = QPushButton(self.tr("Find"), self)
        self.search_button.setObjectName("portalAccessFind")
        self.search_button.clicked.connect(self._on_search)
        self.company_combo = QComboBox(self)
        self.company_combo.setObjectName("portalAccessCompany")
        self.company_combo.setAccessibleName(self.tr("Organization"))
        self.company_combo.currentIndexChanged.connect(self._on_company)
        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)

        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("portalAccessContacts")
        self.table.setAccessibleName(self.tr("Contacts and who may pay"))
        self.table.setHorizontalHeaderLabels([self.tr("Contact"), self.tr("E-mail"), self.tr("Primary"),
                                              self.tr("May pay")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for column, mode in enumerate((QHeaderView.ResizeMode.Stretch, QHeaderView.ResizeMode.Stretch,
                                       QHeaderView.ResizeMode.ResizeToContents,
                                       QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(column, mode)
        self.table.setMinimumHeight(160)
        self.table.hide()                  # until an organization is found: the hint below says what to do
        self.empty_hint = QLabel(self.tr("Find an organization by its name to see its contacts and choose who may "
                                         "pay."), self)
        self.empty_hint.setObjectName("portalAccessEmpty")
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setStyleSheet(HINT_STYLE)
        self.company_combo.hide()
        self.error = QLabel(self)
        self.error.setObjectName("portalAccessError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.error.hide()
        pay_hint = QLabel(self.tr("By default the organization's primary contact may pay and the other contacts "
                                  "see invoices only. A choice here is saved at once."), self)
        pay_hint.setWordWrap(True)
        pay_hint.setStyleSheet(HINT_STYLE)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow(self.tr("Clients reach the portal by:"), self.mode_combo)
        form.addRow(mode_hint)
        form.addRow(self.tr("Organization:"), search_row)
        form.addRow("", self.company_combo)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.empty_hint)
        layout.addWidget(self.table)
        layout.addWidget(self.error)
        layout.addWidget(pay_hint)

    # -- the access mode (saved with the page) ----------------------------------------------------------
    def load(self, saved: dict[str, Any]) -> None:
        index = self.mode_combo.findData(access_mode(saved.get("portal.access_mode")))
        self.mode_combo.setCurrentIndex(max(index, 0))

    def values(self) -> dict[str, str]:
        return {"portal.access_mode": str(self.mode_combo.currentData())}

    # -- who may pay (saved at once) ------------------------------------------------------------------
    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))

    @widget_slot
    async def _on_search(self) -> None:
        await self.search(self.search_edit.text())

    async def search(self, text: str) -> None:
        try:
            found = await self._access.companies(text)
        except PayAppError as exc:
            self._show_error(user_text(exc))
            return
        self._show_error("" if found else self.tr("No organization has that name."))
        self.company_combo.blockSignals(True)
        self.company_combo.clear()
        for company_id, name in found:
            self.company_combo.addItem(name, company_id)
        self.company_combo.blockSignals(False)
        self.company_combo.setVisible(bool(found))
        self.table.setVisible(bool(found))
        self.empty_hint.setVisible(not found)
        if found:
            await self.show_company(found[0][0])
        else:
            self.table.setRowCount(0)

    @widget_slot
    async def _on_company(self, _index: int) -> None:
        company_id = self.company_combo.currentData()
        if isinstance(company_id, int):
            await self.show_company(company_id)

    async def show_company(self, company_id: int) -> None:
        try:
            contacts = await self._access.contacts(company_id)
        except PayAppError as exc:
            self._show_error(user_text(exc))
            return
        self._company_id = company_id
        self.table.setRowCount(len(contacts))
        for row, contact in enumerate(contacts):
            name = contact.name or contact.email
            if not contact.is_active:
                name = self.tr("%1 (inactive)").replace("%1", name)
            self.table.setItem(row, 0, QTableWidgetItem(name))
            self.table.setItem(row, 1, QTableWidgetItem(contact.email))
            self.table.setItem(row, 2, QTableWidgetItem(self.tr("Primary") if contact.is_primary else ""))
            combo = QComboBox(self.table)
            combo.setObjectName(f"portalMayPay_{contact.id}")
            combo.setAccessibleName(self.tr("%1 may pay").replace("%1", name))
            default = self.tr("Default: may pay") if contact.is_primary else self.tr("Default: invoices only")
            labels = {"default": default, "yes": self.tr("May pay"), "no": self.tr("Invoices only")}
            for key, choice in CHOICES:
                combo.addItem(labels[key], choice)
            combo.setCurrentIndex(next(i for i, (_k, c) in enumerate(CHOICES) if c == contact.choice))
            combo.currentIndexChanged.connect(
                lambda index, cid=contact.id: self._on_choice(cid, CHOICES[index][1]))
            self.table.setCellWidget(row, 3, combo)

    @widget_slot
    async def _on_choice(self, contact_id: int, choice: bool | None) -> None:
        await self.set_choice(contact_id, choice)

    async def set_choice(self, contact_id: int, choice: bool | None) -> bool:
        try:
            await self._access.set_may_pay(contact_id, choice)
        except PayAppError as exc:
            self._show_error(user_text(exc))
            if self._company_id is not None:
                await self.show_company(self._company_id)       # the saved choice back in the list
            return False
        self._show_error("")
        return True
