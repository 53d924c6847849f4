"""The status-bar sync widget shows the sync's progress and the Autotask threshold warning in German, counts
grouped the German way (the sync service gives them as Messages with int counts)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from payapp.domain.messages import msg
from payapp.services.sync import SyncProgress
from payapp.ui.i18n import install_translators
from payapp.ui.sync_status import SyncStatusWidget

WARNING = msg("sync.api_use_high", used=7_600, limit=10_000)
READING = msg("sync.reading_of", entity=msg("sync_entity.invoices"), done=1_000, total=10_000)


def test_progress_and_threshold_warning_in_german(qtbot: Any, qapp: QApplication) -> None:
    install_translators(qapp, "de")
    try:
        widget = SyncStatusWidget(object(), locale="de_DE")
        qtbot.addWidget(widget)
        widget._on_progress(SyncProgress("invoices", 1000, 10000, READING, WARNING))
        assert widget.label.text() == "Lese Rechnungen: 1.000 von 10.000"
        assert widget.threshold_warning.toolTip() == (
            "Die Autotask-API-Nutzung liegt in dieser Stunde bei 7.600 von 10.000 Anfragen (über 75 %): Der Abgleich "
            "wird stark verlangsamt, um anderen Platz zu lassen.")
        widget._on_progress(SyncProgress("", 10000, 10000, msg("sync.finished")))
        assert widget.label.text() == "Abgleich abgeschlossen." and not widget.threshold_warning.isVisibleTo(widget)
    finally:
        install_translators(qapp, "en")
