"""Admin → Audit Log: filters, a lazily paged table (keyset pages from AuditLogService) and CSV export."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QDate,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.services.users import AuditFilter, AuditLogService, AuditRow
from payapp.ui.async_work import WidgetTasks, widget_slot
from payapp.ui.audit_labels import action_label, details_text, entity_label, group_label
from payapp.ui.i18n import date_edit_format, format_moment
from payapp.ui.lazy_model import ROW_ROLE, Column, LazyTableModel, LazyTableView
from payapp.ui.messages import user_text
from payapp.ui.widgets import Banner, EmptyState, set_column_widths

__all__ = ["COLUMNS", "ROW_ROLE", "AuditPage", "AuditTableModel"]

COLUMNS: tuple[Column[AuditRow], ...] = (
    Column(QT_TRANSLATE_NOOP("AuditTable", "When (local time)"),
           lambda r, loc: format_moment(r.occurred_at, loc, seconds=True)),
    # One form of a person's name everywhere: the display name as the status bar shows it (the username filters)
    Column(QT_TRANSLATE_NOOP("AuditTable", "User"), lambda r, _l: r.user_name or r.username or "—"),
    # Codes in the user's language; the code itself is the action's tooltip (the filter and the CSV use codes).
    Column(QT_TRANSLATE_NOOP("AuditTable", "Action"), lambda r, _l: action_label(r.action)),
    # What it was as the user sees it (a payment's transaction and invoice numbers), not an internal id
    Column(QT_TRANSLATE_NOOP("AuditTable", "Entity"),
           lambda r, _l: entity_label(r.entity_type, r.entity_id, name=r.entity_name, invoice_number=r.invoice_number)),
    Column(QT_TRANSLATE_NOOP("AuditTable", "Workstation"), lambda r, _l: r.workstation),
    # Labels in the user's language, money in the user's locale (the CSV export writes the stored JSON).
    Column(QT_TRANSLATE_NOOP("AuditTable", "Details"), lambda r, loc: details_text(r.details, loc)),
)


ACTION_COLUMN = 2
USER_COLUMN = 1


class AuditTableModel(LazyTableModel[AuditRow, tuple[dt.datetime, int]]):
    """The audit log, newest first, a page at a time (the paging is LazyTableModel's)."""

    CONTEXT = "AuditTable"
    COLUMNS = COLUMNS
    loaded = Signal()

    def __init__(self, service: AuditLogService, locale: str = "en_US", parent: Any = None) -> None:
        super().__init__(locale=locale, parent=parent)
        self._service = service
        self._filter = AuditFilter()
        self.page_loaded.connect(lambda _rows: self.loaded.emit())

    async def fetch_page(self, after: tuple[dt.datetime, int] | None, limit: int) -> list[AuditRow]:
        return await self._service.page(self._filter, after=after, limit=limit)

    def row_key(self, row: AuditRow) -> tuple[dt.datetime, int]:
        return row.sort_key

    def extra_data(self, row: AuditRow, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.ToolTipRole and column == len(COLUMNS) - 1:
            return details_text(row.details, self._locale)
        if role == Qt.ItemDataRole.ToolTipRole and column == ACTION_COLUMN:
            return f"{action_label(row.action)} ({row.action})"
        if role == Qt.ItemDataRole.ToolTipRole and column == USER_COLUMN and row.user_name:
            return row.username                      # what the Username filter takes
        return None

    def set_filter(self, f: AuditFilter) -> None:
        self._filter = f
        self.reset()

    @property
    def filter(self) -> AuditFilter:
        return self._filter

    def reset(self) -> None:
        self.reload()

    def row(self, n: int) -> AuditRow:
        return self._rows[n]


class AuditPage(QWidget):
    def __init__(self, service: AuditLogService, parent: QWidget | None = None, *, locale: str = "en_US") -> None:
        super().__init__(parent)
        self._service = service
        self._started = False
        self.work = WidgetTasks(self)
        self.banner = Banner(self, "auditBanner")
        title = QLabel(self.tr("Audit Log"), self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)

        today = QDate.currentDate()
        self.from_check = QCheckBox(self.tr("From"), self)
        self.from_check.setObjectName("auditFromCheck")
        self.from_date = QDateEdit(today.addDays(-30), self)
        self.from_date.setObjectName("auditFrom")
        self.to_check = QCheckBox(self.tr("To"), self)
        self.to_check.setObjectName("auditToCheck")
        self.to_date = QDateEdit(today, self)
        self.to_date.setObjectName("auditTo")
        self.from_date.setAccessibleName(self.tr("From date"))
        self.to_date.setAccessibleName(self.tr("To date"))
        for d in (self.from_date, self.to_date):
            d.setCalendarPopup(True)
            d.setDisplayFormat(date_edit_format(locale))
            d.setEnabled(False)
        self.from_check.toggled.connect(self.from_date.setEnabled)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("auditUser")
        self.user_edit.setPlaceholderText(self.tr("Username"))
        # A placeholder is not a name screen readers speak (and it disappears once typed over).
        self.user_edit.setAccessibleName(self.tr("Username"))
        self.action_combo = QComboBox(self)
        self.action_combo.setObjectName("auditAction")
        self.action_combo.setEditable(True)
        self.action_combo.setMinimumContentsLength(18)
        self.action_combo.lineEdit().setPlaceholderText(self.tr("Any action"))
        self.action_combo.setAccessibleName(self.tr("Action"))
        self.text_edit = QLineEdit(self)
        self.text_edit.setObjectName("auditText")
        self.text_edit.setPlaceholderText(self.tr("Search details…"))
        self.text_edit.setAccessibleName(self.tr("Search details"))
        self.text_edit.setClearButtonEnabled(True)
        self.apply_button = QPushButton(self.tr("Apply"), self)
        self.apply_button.setObjectName("auditApply")
        self.apply_button.clicked.connect(self.apply_filters)
        for edit in (self.user_edit, self.text_edit):
            edit.returnPressed.connect(self.apply_filters)
        self.export_button = QPushButton(self.tr("Export CSV…"), self)
        self.export_button.setObjectName("auditExport")
        self.export_button.clicked.connect(self._choose_export_file)
        filters = QHBoxLayout()
        for w in (self.from_check, self.from_date, self.to_check, self.to_date):
            filters.addWidget(w)
        filters.addSpacing(8)
        filters.addWidget(self.user_edit)
        filters.addWidget(self.action_combo)
        filters.addWidget(self.text_edit, 1)
        filters.addWidget(self.apply_button)
        filters.addWidget(self.export_button)

        self.model = AuditTableModel(service, locale, self)
        self.model.load_failed.connect(self.banner.show_error)
        self.model.loaded.connect(self._update_count)
        self.view = LazyTableView(self)
        self.view.setObjectName("auditTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        # Action and entity fit a typical label in the user's language (German and the pseudo-locale are longer).
        set_column_widths(self.view, (170, 110, 170, 110, 120),
                          {2: action_label("payment.approved"), 3: entity_label("payment", "12345")})
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("auditCount")
        self.empty = EmptyState("", self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.count_label)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if not self._started:
            self._started = True
            self.apply_filters()
            self.work.spawn(self._load_actions())

    async def wait_ready(self) -> None:
        if not self._started:
            self._started = True
            self.apply_filters()
        await self.model.wait_idle()
        await self._update_count_async()

    async def _load_actions(self) -> None:
        try:
            actions = await self._service.actions()
        except PayAppError:
            return
        current = self.action_combo.currentText()
        self.action_combo.clear()
        self.action_combo.addItem("", "")
        # Shown in the user's language, matched by code: a typed code or prefix ("user.") still works.
        prefixes = sorted({a.split(".")[0] + "." for a in actions if "." in a})
        for prefix in prefixes:
            self.action_combo.addItem(group_label(prefix), prefix)
        for action in actions:
            self.action_combo.addItem(action_label(action), action)
            self.action_combo.setItemData(self.action_combo.count() - 1, action, Qt.ItemDataRole.ToolTipRole)
        view = self.action_combo.view()    # the list as wide as its longest label, not cut at the box's width
        view.setMinimumWidth(view.sizeHintForColumn(0) + view.verticalScrollBar().sizeHint().width())
        self.action_combo.setCurrentText(current)

    def _action_code(self) -> str:
        text = self.action_combo.currentText()
        index = self.action_combo.findText(text, Qt.MatchFlag.MatchExactly)
        return str(self.action_combo.itemData(index) or text) if index >= 0 else text

    def current_filter(self) -> AuditFilter:
        def day(edit: QDateEdit) -> dt.date:
            d = edit.date()
            return dt.date(d.year(), d.month(), d.day())

        return AuditFilter(date_from=day(self.from_date) if self.from_check.isChecked() else None,
                           date_to=day(self.to_date) if self.to_check.isChecked() else None,
                           username=self.user_edit.text(), action=self._action_code(),
                           text=self.text_edit.text())

    def apply_filters(self) -> None:
        self.banner.clear()
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        self.work.spawn(self._update_count_async())

    async def _update_count_async(self) -> None:
        try:
            total = await self._service.count(self.model.filter)
        except PayAppError as exc:
            self.banner.show_error(user_text(exc))
            return
        self.count_label.setText(self.tr("{shown} of {total} entries shown").format(
            shown=self.model.rowCount(), total=total))
        f = self.model.filter
        if total:
            self.stack.setCurrentWidget(self.view)
            return
        if f.date_from or f.date_to or f.username or f.action or f.text:
            self.empty.setText(self.tr("No entries match these filters. Untick the dates or clear the other "
                                       "filters, then press Apply."))
        else:
            self.empty.setText(self.tr("Nothing has been recorded yet. Sign-ins, payments and changes to "
                                       "settings and users appear here."))
        self.stack.setCurrentWidget(self.empty)

    def _choose_export_file(self) -> None:
        dialog = QFileDialog(self, self.tr("Export audit log"))
        dialog.setObjectName("auditExportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setNameFilter(self.tr("CSV files (*.csv)"))
        dialog.setDefaultSuffix("csv")
        dialog.selectFile(f"payapp-audit-{dt.date.today().isoformat()}.csv")
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.open()

    @widget_slot
    async def export_to(self, path: Path) -> None:
        """Stream the filtered log to `path` (written to a temporary name, renamed when complete)."""
        self.export_button.setEnabled(False)
        try:
            written = await self._service.export_csv_file(self.model.filter, path)
        except (PayAppError, OSError) as exc:
            message = user_text(exc) if isinstance(exc, PayAppError) else str(exc)
            self.banner.show_error(self.tr("Export failed: {reason}").format(reason=message))
        else:
            self.banner.show_success(self.tr("Exported {n} entries to {path}").format(n=written, path=str(path)))
        finally:
            self.export_button.setEnabled(True)
