"""Lazy table models over keyset-paged queries (Invoice History, Payment Search, Audit Log), and the view
that shows them.

Qt's fetchMore pattern (docs/architecture.md, Databases › Big tables): `fetchMore` starts one async page load;
rows are appended with a correct, inclusive `beginInsertRows` range; a new filter or sort bumps the generation
and cancels the load in flight (`Database.read` stops its statement), so a page that arrives late is never
shown. A failed page sets `failed` (no retry storm) until `retry()`.

Painting is the GUI thread's biggest cost here: a view asks `data()` for eight roles of every visible cell
on every paint. `data()` answers the roles that are not shown first, formats each visible cell once (Babel is
the expensive part) and keeps the text. `LazyTableView` makes a page arriving cost one paint instead of three:
it lays the new rows out before they are painted, and keeps its vertical scroll bar, so the viewport does not
narrow (and repaint whole) when the first page brings one."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import shiboken6
from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QHelpEvent, QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from payapp.domain.errors import PayAppError
from payapp.ui.widgets import return_focus_on_close

log = logging.getLogger(__name__)

RowT = TypeVar("RowT")
KeyT = TypeVar("KeyT")
ModelIndex = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1          # the row object, safe through proxies
# Roles as plain ints: `data()` receives ints, and comparing them with enum members costs a Python call each.
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_ALIGN = Qt.ItemDataRole.TextAlignmentRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_ACCESSIBLE = Qt.ItemDataRole.AccessibleTextRole.value
_ROW = int(ROW_ROLE)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_LEFT = int((Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter).value)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


@dataclass(frozen=True)
class Column(Generic[RowT]):
    header: str                                 # QT_TRANSLATE_NOOP(<the model's CONTEXT>, ...)
    display: Callable[[RowT, str], str]         # (row, Babel locale) -> text
    sort_key: str = ""                          # a name the service maps to an SQL column; "" = not sortable
    right: bool = False                         # numbers and money: right-aligned


def spawn(coro: Coroutine[Any, Any, None]) -> asyncio.Task[None] | None:
    """A task on the running loop, or on the loop set for this thread (qasync before it runs); None without."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            coro.close()
            return None
    return loop.create_task(coro)


class LazyTableModel(QAbstractTableModel, Generic[RowT, KeyT]):
    """Rows of a query, read a page at a time. A subclass says what a column shows (`COLUMNS`, `CONTEXT`),
    how to read a page (`fetch_page`) and where a row sits in the order (`row_key`)."""

    PAGE = 200
    CONTEXT: ClassVar[str] = ""                 # translation context of the column headers
    COLUMNS: ClassVar[Sequence[Column[Any]]] = ()

    load_failed = Signal(str)        # a page could not be read: show it with Retry
    loading_changed = Signal(bool)
    page_loaded = Signal(int)        # rows loaded so far

    def __init__(self, *, locale: str = "en_US", page_size: int | None = None, parent: Any = None) -> None:
        super().__init__(parent)
        self._locale = locale
        self._page_size = page_size
        self._rows: list[RowT] = []
        self._display: dict[tuple[int, int], str] = {}
        self._last_key: KeyT | None = None
        self._exhausted = False
        self._failed = False
        self._loading: asyncio.Task[None] | None = None
        self._generation = 0
        self._columns = tuple(self.COLUMNS)
        self._alignments = tuple(_RIGHT if c.right else _LEFT for c in self._columns)
        self.pages_loaded = 0

    # ------------------------------------------------------------------ what a subclass provides

    async def fetch_page(self, after: KeyT | None, limit: int) -> list[RowT]:
        raise NotImplementedError

    def row_key(self, row: RowT) -> KeyT:
        raise NotImplementedError

    def load_error_text(self, exc: Exception) -> str:
        """The banner text for an unexpected error (a PayAppError brings its own user_message). By default the
        error's kind only: its text can hold SQL."""
        return type(exc).__name__

    def extra_data(self, row: RowT, column: int, role: int) -> Any:
        """Roles beyond display, alignment, row and accessible text (a tool tip, say); None by default."""
        return None

    def rows_added(self, start: int, rows: Sequence[RowT]) -> None:
        """Called after rows were appended (a subclass indexes them)."""

    # ------------------------------------------------------------------ state

    @property
    def page_size(self) -> int:
        return self._page_size or self.PAGE

    @property
    def loading(self) -> bool:
        return self._loading is not None

    @property
    def exhausted(self) -> bool:
        return self._exhausted

    @property
    def failed(self) -> bool:
        return self._failed

    def row_at(self, row: int) -> RowT | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    async def wait_idle(self) -> None:
        """Await the page being loaded (tests, screenshots)."""
        while self._loading is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(self._loading)
            await asyncio.sleep(0)

    # ------------------------------------------------------------------ Qt model API

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: ModelIndex, role: int = _DISPLAY) -> Any:
        # The view asks ~8 roles per visible cell per paint: the shown ones are answered from plain ints and
        # cached text; an invalid index has row -1.
        r = index.row()
        c = index.column()
        if r < 0 or c < 0 or r >= len(self._rows) or c >= len(self._columns):
            return None
        if role == _DISPLAY:
            key = (r, c)
            text = self._display.get(key)
            if text is None:
                text = self._display[key] = self._columns[c].display(self._rows[r], self._locale)
            return text
        if role == _ALIGN:
            return self._alignments[c]
        if role == _ROW:
            return self._rows[r]
        if role == _ACCESSIBLE:
            header = QCoreApplication.translate(self.CONTEXT, self._columns[c].header)
            return f"{header}: {self.data(index, _DISPLAY)}"
        if role == _TOOLTIP:
            return self.extra_data(self._rows[r], c, role)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return None
        if role == _DISPLAY:
            return QCoreApplication.translate(self.CONTEXT, self._columns[section].header)
        if role == _ALIGN and self._columns[section].right:
            return _RIGHT
        return None

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def canFetchMore(self, parent: ModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not (parent.isValid() or self._exhausted or self._failed or self._loading is not None)

    def fetchMore(self, parent: ModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._loading is not None or self._exhausted or self._failed:
            return
        self._loading = spawn(self._load_page(self._generation))
        if self._loading is not None:
            self.fetch_started()
            self.loading_changed.emit(True)

    def fetch_started(self) -> None:
        """Called when a page load starts (a subclass may note that the view wants rows)."""

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Forget the loaded rows and read the first page again (a new filter or sort)."""
        self._cancel_load()
        self._generation += 1
        self.beginResetModel()
        self._rows = []
        self._display = {}
        self._last_key = None
        self._exhausted = False
        self._failed = False
        self.rows_cleared()
        self.endResetModel()
        self.fetchMore()

    def rows_cleared(self) -> None:
        """Called inside reload's model reset (a subclass drops its row index)."""

    def retry(self) -> None:
        self._failed = False
        self.fetchMore()

    def close(self) -> None:
        """Stop the page load in flight (the window is closing)."""
        self._cancel_load()

    def _cancel_load(self) -> None:
        if self._loading is not None:
            loading, self._loading = self._loading, None
            loading.cancel()                     # Database.read stops the statement
            self.loading_changed.emit(False)

    async def _load_page(self, generation: int) -> None:
        try:
            rows = await self.fetch_page(self._last_key, self.page_size)
        except asyncio.CancelledError:
            raise
        except PayAppError as exc:
            self._fail(generation, exc.user_message)
            return
        except Exception as exc:  # a database error: shown in the banner with Retry, not a crash
            if shiboken6.isValid(self):
                log.exception("page failed")
                self._fail(generation, self.load_error_text(exc))
            return
        if not shiboken6.isValid(self) or generation != self._generation:   # gone, or re-sorted meanwhile
            return
        self._loading = None
        self._exhausted = len(rows) < self.page_size
        self.pages_loaded += 1
        if rows:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)     # last row, inclusive
            self._rows.extend(rows)
            self.rows_added(start, rows)
            self.endInsertRows()
            self._last_key = self.row_key(rows[-1])
        self.loading_changed.emit(False)
        self.page_loaded.emit(len(self._rows))

    def _fail(self, generation: int, message: str) -> None:
        if not shiboken6.isValid(self) or generation != self._generation:
            return
        self._loading, self._failed = None, True
        self.loading_changed.emit(False)
        self.load_failed.emit(message)

    def remove_row(self, index: int) -> None:
        """Take a row out that no longer matches the filter (an invoice paid under "Open"); paging goes on from
        the last loaded row's key, which the removed row no longer matches either."""
        if not 0 <= index < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), index, index)
        del self._rows[index]
        self._display = {}                       # the cache is by row number: the rows below moved up
        self.rows_cleared()
        self.rows_added(0, self._rows)
        self.endRemoveRows()

    def replace_row(self, index: int, row: RowT) -> None:
        """Show a re-read row in place (after a payment), keeping the loaded pages."""
        self._rows[index] = row
        for c in range(len(self._columns)):
            self._display.pop((index, c), None)
        self.dataChanged.emit(self.index(index, 0), self.index(index, len(self._columns) - 1))


class LazyTableView(QTableView):
    """A table view for a LazyTableModel: new rows are laid out before they are painted, the vertical scroll
    bar stays (one paint per page), and the next page is asked for when the current row nears the end (Qt
    asks only when scrolled there)."""

    # Enter or Return on a valid current row (QTableView itself only moves the cursor)
    enter_pressed = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lazy: LazyTableModel[Any, Any] | None = None
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        # Tab moves to the next control, not cell by cell (the arrow keys move between rows)
        self.setTabKeyNavigation(False)
        self._fit_elastic: tuple[int, ...] = ()
        self._fit_cap = 320
        self._auto_fit = False
        self._fitted = False
        self._fitting = False

    # ------------------------------------------------------------------ column widths that fit the window

    def enable_auto_fit(self, elastic: Sequence[int], cap: int = 320) -> None:
        """Fit the columns to the view once the first rows are in (while the user has not laid them out): each
        as wide as its header and cells (at most `cap`), and when that is wider than the view, the `elastic`
        columns (names, methods, statuses) give up room down to their header's width, their cells ending in
        "…" with the whole text as a tooltip. So no column is pushed out of a 1280 px window, in German either."""
        self._fit_elastic = tuple(elastic)
        self._fit_cap = cap
        self._auto_fit = True
        self._fitted = False
        self.horizontalHeader().sectionResized.connect(self._section_resized)
        if self.model() is not None and self.model().rowCount() and self.isVisible():
            self.fit_columns()

    def refit(self) -> None:
        """Back to fitted widths (Reset columns), now if there are rows, else with the first page."""
        if not self._fit_elastic:
            return
        self._auto_fit = True
        self._fitted = False
        if self.model() is not None and self.model().rowCount() and self.isVisible():
            self.fit_columns()

    def fit_columns(self) -> None:
        header = self.horizontalHeader()
        model = self.model()
        if model is None:
            return
        columns = [header.logicalIndex(v) for v in range(header.count())
                   if not header.isSectionHidden(header.logicalIndex(v))]
        if not columns:
            return
        arrow = 2 * self.style().pixelMetric(QStyle.PixelMetric.PM_HeaderMargin) + 16     # the sort indicator
        floor = {c: header.fontMetrics().horizontalAdvance(str(model.headerData(c, Qt.Orientation.Horizontal)
                                                               or "")) + arrow for c in columns}
        contents = {c: max(floor[c], min(self._fit_cap, max(self.sizeHintForColumn(c),
                                                              header.sectionSizeHint(c)))) for c in columns}
        # Dates, numbers and amounts are never cut: their starting width or their cells, whichever is wider. The
        # elastic columns start at their starting width (or narrower cells), then give up or take the room left.
        want = {c: min(contents[c], max(floor[c], header.sectionSize(c))) if c in self._fit_elastic
                else max(contents[c], min(self._fit_cap, header.sectionSize(c))) for c in columns}
        room = self.viewport().width() - 2
        elastic = [c for c in columns if c in self._fit_elastic]
        if sum(want.values()) > room:         # tight: dates and amounts as wide as their cells, a little spare
            for c in columns:
                if c not in self._fit_elastic:
                    want[c] = min(want[c], contents[c] + 12)
        excess = sum(want.values()) - room
        if excess > 0:
            give = {c: want[c] - floor[c] for c in elastic if want[c] > floor[c]}
            if give:
                share = min(1.0, excess / sum(give.values()))
                for c, spare in give.items():
                    want[c] -= int(spare * share + 0.999)
        else:
            take = {c: contents[c] - want[c] for c in elastic if contents[c] > want[c]}
            if take:
                share = min(1.0, -excess / sum(take.values()))
                for c, more in take.items():
                    want[c] += int(more * share)
        self._fitting = True
        try:
            for c in columns:
                header.resizeSection(c, want[c])
        finally:
            self._fitting = False
        self._fitted = True

    def _section_resized(self, column: int, _old: int, _new: int) -> None:
        header = self.horizontalHeader()
        last = max((header.visualIndex(c) for c in range(header.count()) if not header.isSectionHidden(c)),
                   default=-1)
        if not self._fitting and header.visualIndex(column) != last and self._fitted:
            self._auto_fit = False          # the user's own widths from now on

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if self._auto_fit and not self._fitted and self.model() is not None and self.model().rowCount():
            self.fit_columns()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Keyboard use of a grid: Menu and Shift+F10 open the row's context menu, Enter opens the row,
        Ctrl+Tab and Ctrl+Shift+Tab leave the grid like Tab and Shift+Tab."""
        key, mods = event.key(), event.modifiers()
        shift = Qt.KeyboardModifier.ShiftModifier
        if key == Qt.Key.Key_Menu or (key == Qt.Key.Key_F10 and mods == shift):
            self.open_context_menu_at_current()
            event.accept()
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.enter_pressed.emit(self.currentIndex())
            event.accept()
            return
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab) and mods & Qt.KeyboardModifier.ControlModifier:
            self.focusNextPrevChild(key == Qt.Key.Key_Tab and not mods & shift)
            event.accept()
            return
        super().keyPressEvent(event)

    def open_context_menu_at_current(self) -> None:
        """Ask for the context menu of the current row (the first row if none is current yet)."""
        model = self.model()
        index = self.currentIndex()
        if not index.isValid() and model is not None and model.rowCount() > 0:
            index = model.index(0, 0)
            self.setCurrentIndex(index)
        if not index.isValid() or self.contextMenuPolicy() != Qt.ContextMenuPolicy.CustomContextMenu:
            return
        self.scrollTo(index)
        rect = self.visualRect(index)
        x = min(max(rect.left() + 8, 0), max(self.viewport().width() - 1, 0))
        self.customContextMenuRequested.emit(QPoint(x, rect.center().y()))

    def setModel(self, model: Any) -> None:
        if self._lazy is not None:
            self._lazy.rowsInserted.disconnect(self._rows_inserted)
        super().setModel(model)
        self._lazy = model if isinstance(model, LazyTableModel) else None
        if self._lazy is not None:
            self._lazy.rowsInserted.connect(self._rows_inserted)
            self.selectionModel().currentChanged.connect(self._current_changed)

    def viewportEvent(self, event: QEvent) -> bool:
        """A cell cut short with "…" (a long company name, German or a narrow column) shows its whole text as a
        tooltip, unless the model gives a tooltip of its own."""
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            index = self.indexAt(event.pos())
            if index.isValid() and index.data(Qt.ItemDataRole.ToolTipRole) is None:
                text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
                margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, self) + 1)
                if text and self.fontMetrics().horizontalAdvance(text) > self.visualRect(index).width() - margin:
                    QToolTip.showText(event.globalPos(), text, self.viewport(), self.visualRect(index))
                    return True
        return super().viewportEvent(event)

    def _rows_inserted(self, *_args: object) -> None:
        # Without this the view paints the rows, then lays them out (a timer), then paints them all again.
        self.executeDelayedItemsLayout()
        if self._auto_fit and not self._fitted and self.isVisible():
            self.fit_columns()

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        model = self._lazy
        if model is not None and current.isValid() and current.row() >= model.rowCount() - 5 \
                and model.canFetchMore():
            model.fetchMore()


class ColumnChooser(QObject):
    """Which of a grid's columns are shown, per user: the header's context menu lists the columns with check
    boxes and "Reset columns"; `open_dialog` ("Columns…" in the View menu) does the same from the keyboard. At
    least one column stays shown. The hidden columns are kept by their (untranslated) header text under
    `columns/<key>` of the user's WindowState, so a reordered or renamed translation does not mix them up."""

    changed = Signal()

    def __init__(self, view: QTableView, state: Any, key: str, column_ids: Sequence[str] | None = None,
                 save_layout: Callable[[], None] | None = None) -> None:
        super().__init__(view)
        self._view = view
        self._state = state
        self._key = key
        model = view.model()
        if column_ids is None:          # a LazyTableModel's columns by their untranslated header texts
            column_ids = [c.header for c in model.COLUMNS] if isinstance(model, LazyTableModel) else \
                [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in range(model.columnCount())]
        self._ids = list(column_ids)
        self._save_layout = save_layout
        self.menu: QMenu | None = None
        self.dialog: ColumnsDialog | None = None
        header = view.horizontalHeader()
        self._defaults = header.saveState()          # the default widths and order: call before restore_header
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._on_header_menu)

    # ------------------------------------------------------------------ state

    def column_count(self) -> int:
        return len(self._ids)

    def label(self, column: int) -> str:
        model = self._view.model()
        text = model.headerData(column, Qt.Orientation.Horizontal) if model is not None else None
        return str(text or self._ids[column])

    def is_shown(self, column: int) -> bool:
        return not self._view.horizontalHeader().isSectionHidden(column)

    def hidden_columns(self) -> set[int]:
        return {c for c in range(len(self._ids)) if not self.is_shown(c)}

    def restore(self) -> None:
        """Show and hide the columns as this user left them (after the workstation's header layout is in)."""
        hidden = set(self._state.json_value(f"columns/{self._key}", []))
        header = self._view.horizontalHeader()
        for column, ident in enumerate(self._ids):
            header.setSectionHidden(column, ident in hidden)
        if len(self.hidden_columns()) == len(self._ids):               # everything hidden: a broken file
            header.setSectionHidden(0, False)

    def set_shown(self, column: int, shown: bool) -> bool:
        """Show or hide a column; False (and nothing changes) for hiding the last shown one."""
        if not 0 <= column < len(self._ids):
            return False
        if not shown and self.is_shown(column) and len(self.hidden_columns()) >= len(self._ids) - 1:
            return False
        header = self._view.horizontalHeader()
        if shown and header.sectionSize(column) < header.minimumSectionSize() + 4:
            header.resizeSection(column, max(header.defaultSectionSize(), 80))
        header.setSectionHidden(column, not shown)
        if shown and isinstance(self._view, LazyTableView) and self._view._auto_fit:
            self._view.refit()                  # the shown column takes room from the elastic ones
        self._store()
        return True

    def reset(self) -> None:
        """Every column back, in the default order and widths; the sort stays."""
        header = self._view.horizontalHeader()
        section, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
        header.restoreState(self._defaults)
        for column in range(len(self._ids)):
            header.setSectionHidden(column, False)
        header.setSortIndicator(section, order)
        if isinstance(self._view, LazyTableView):
            self._view.refit()
        self._state.remove(f"columns/{self._key}")
        if self._save_layout is not None:
            self._save_layout()
        self.changed.emit()

    def _store(self) -> None:
        self._state.set_json_value(f"columns/{self._key}", [self._ids[c] for c in sorted(self.hidden_columns())])
        if self._save_layout is not None:
            self._save_layout()
        self.changed.emit()

    # ------------------------------------------------------------------ menu and dialog

    def build_menu(self, parent: QWidget) -> QMenu:
        """The columns with check boxes (in the order shown), then "Columns…" and "Reset columns"."""
        if self.menu is not None and shiboken6.isValid(self.menu):
            self.menu.close()
            self.menu.deleteLater()
        menu = QMenu(parent)
        menu.setObjectName("columnsMenu")
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        header = self._view.horizontalHeader()
        last = len(self.hidden_columns()) >= len(self._ids) - 1
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            act = QAction(self.label(column), menu)
            act.setObjectName(f"columnAction{column}")
            act.setCheckable(True)
            act.setChecked(self.is_shown(column))
            act.setEnabled(not (last and self.is_shown(column)))     # the last shown column stays
            act.toggled.connect(lambda on, c=column: self.set_shown(c, on))
            menu.addAction(act)
        menu.addSeparator()
        more = QAction(QCoreApplication.translate("ColumnChooser", "Columns…"), menu)
        more.setObjectName("columnsDialogAction")
        more.triggered.connect(lambda: self.open_dialog())
        menu.addAction(more)
        reset = QAction(QCoreApplication.translate("ColumnChooser", "Reset columns"), menu)
        reset.setObjectName("resetColumnsAction")
        reset.triggered.connect(self.reset)
        menu.addAction(reset)
        menu.destroyed.connect(lambda *_a: setattr(self, "menu", None))
        self.menu = menu
        return menu

    def _on_header_menu(self, pos: QPoint) -> None:
        header = self._view.horizontalHeader()
        self.build_menu(self._view).popup(header.mapToGlobal(pos))

    def open_dialog(self) -> ColumnsDialog:
        """The keyboard way: a list of the columns with check boxes (Space), Reset columns, Close (Esc)."""
        if self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        dialog = ColumnsDialog(self, self._view.window())
        return_focus_on_close(dialog)
        dialog.destroyed.connect(lambda *_a: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()
        return dialog


class ColumnsDialog(QDialog):
    def __init__(self, chooser: ColumnChooser, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("columnsDialog")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(self.tr("Columns"))
        self._chooser = chooser
        hint = QLabel(self.tr("Tick the columns to show. Space ticks or clears the selected one; at least one "
                              "column stays."), self)
        hint.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("columnsList")
        self.list.setAccessibleName(self.tr("Columns"))
        self.reset_button = QPushButton(self.tr("Reset columns"), self)
        self.reset_button.setObjectName("resetColumnsButton")
        self.reset_button.setAutoDefault(False)
        self.reset_button.clicked.connect(self._reset)
        close = QPushButton(self.tr("Close"), self)
        close.setObjectName("columnsCloseButton")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addWidget(self.reset_button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        self._fill()
        self.list.itemChanged.connect(self._item_changed)
        self.list.setCurrentRow(0)
        self.list.setFocus()
        self.resize(340, 420)

    def _fill(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        header = self._chooser._view.horizontalHeader()
        for visual in range(header.count()):
            column = header.logicalIndex(visual)
            item = QListWidgetItem(self._chooser.label(column), self.list)
            item.setData(Qt.ItemDataRole.UserRole, column)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if self._chooser.is_shown(column) else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)

    def item_for(self, column: int) -> QListWidgetItem | None:
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == column:
                return item
        return None

    def _item_changed(self, item: QListWidgetItem) -> None:
        column = int(item.data(Qt.ItemDataRole.UserRole))
        shown = item.checkState() == Qt.CheckState.Checked
        if not self._chooser.set_shown(column, shown):
            self.list.blockSignals(True)
            item.setCheckState(Qt.CheckState.Checked)          # the last shown column stays
            self.list.blockSignals(False)

    def _reset(self) -> None:
        row = self.list.currentRow()
        self._chooser.reset()
        self._fill()
        self.list.setCurrentRow(max(row, 0))
