"""Keeping a sandbox's state in a file, so the demo's three sandboxes survive a restart of the app.

- `save_state(path, data)` writes JSON atomically (a temporary file in the same folder, flushed and fsynced,
  then `os.replace`), so a crash mid-write leaves the previous state, never half a file. Decimals are kept
  exactly (`{"$decimal": "12.34"}`), never as floats.
- `load_state(path)` reads it back; a missing file is None, and so is a file that is not a sandbox state
  (logged): the caller then seeds the sandbox again.
- `PersistingApp(app, save)` wraps a sandbox's ASGI app and calls `save()` after every request that may have
  changed something (any method but GET/HEAD/OPTIONS)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_DECIMAL = "$decimal"
_READ_ONLY = frozenset({"GET", "HEAD", "OPTIONS"})


def _encode(o: Any) -> Any:
    if isinstance(o, Decimal):
        return {_DECIMAL: str(o)}
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    raise TypeError(f"{type(o).__name__} is not stored in a sandbox state")


def _decode(d: dict[str, Any]) -> Any:
    if len(d) == 1 and _DECIMAL in d and isinstance(d[_DECIMAL], str):
        return Decimal(d[_DECIMAL])
    return d


def save_state(path: Path, data: dict[str, Any]) -> None:
    """Write `data` as JSON to `path` atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, default=_encode, separators=(",", ":"), ensure_ascii=False)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_state(path: Path) -> dict[str, Any] | None:
    """The state saved at `path`, or None when there is none (or it cannot be read: logged)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("sandbox state %s cannot be read (%s); seeding again", path.name, type(exc).__name__)
        return None
    try:
        data = json.loads(text, object_hook=_decode)
    except ValueError:
        log.warning("sandbox state %s is not JSON; seeding again", path.name)
        return None
    if not isinstance(data, dict):
        log.warning("sandbox state %s is not an object; seeding again", path.name)
        return None
    return data


class PersistingApp:
    """An ASGI app that saves its sandbox's state after every request that may write. `.inner` is the app."""

    def __init__(self, app: Any, save: Callable[[], None]) -> None:
        self.inner = app
        self.save = save
        self.state = getattr(app, "state", None)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await self.inner(scope, receive, send)
        finally:
            # Collect.js's tokenization endpoints (/token/...) change only the in-memory tokens, never saved
            if (scope.get("type") == "http" and scope.get("method", "GET") not in _READ_ONLY
                    and not str(scope.get("path", "")).startswith("/token/")):
                self.save()
