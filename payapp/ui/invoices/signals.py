"""Work around a PySide6 6.12.0 reference-count bug: `SignalInstance.emit()` returns `True` without a new
reference, so each emit from Python takes one reference from `True` until the interpreter aborts with
"bool_dealloc". Keeping the returned object gives the reference back; with a fixed PySide6 it only keeps
one more pointer to `True`. Remove once PySide6 is pinned to a release without the bug."""

from __future__ import annotations

from typing import Any

_kept: list[object] = []


def emit(signal: Any, *args: Any) -> None:
    result = signal.emit(*args)
    if result is True or result is False:
        if len(_kept) < 1_000_000:
            _kept.append(result)
        else:                       # never grow without bound: keep the count in one slot instead
            _kept[-1] = result
