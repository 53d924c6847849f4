"""The status-bar sync widget shows the sync's progress and the Autotask threshold warning in German, counts
grouped the German way (the sync service writes them in English, en_US-grouped)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QApplication

from payapp.services.sync import SyncProgress
from payapp.ui.i18n import install_translators
from payapp.ui.sync_status import SyncStatusWidget

WARNING = "Autotask API use is at 7,600 of 10,000 requests this hour (over 75%): the sync is slowing down a lot to " \
          "leave room for others."


def test_progress_and_threshold_warning_in_german(qtbot: Any, qapp: QApplication) -> None:
    install_translators(qapp, "de")
    try:
        widget = SyncStatusWidget(object(), locale="de_DE")
        qtbot.addWidget(widget)
        widget._on_progress(SyncProgress("invoices", 1000, 10000, "Reading invoices: 1,000 of 10,000", WARNING))
        assert widget.label.text() == "Lese Rechnungen: 1.000 von 10.000"
        assert widget.threshold_warning.toolTip() == (
            "Die Autotask-API-Nutzung liegt in dieser Stunde bei 7.600 von 10.000 Anfragen (über 75 %): Der Abgleich "
            "wird stark verlangsamt, um anderen Platz zu lassen.")
        widget._on_progress(SyncProgress("", 10000, 10000, "Sync finished.", ""))
        assert widget.label.text() == "Abgleich abgeschlossen." and not widget.threshold_warning.isVisibleTo(widget)
    finally:
        install_translators(qapp, "en")
