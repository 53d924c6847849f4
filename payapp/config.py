"""Where PayApp keeps things, which database it opens, demo mode, and logging.

Configuration comes from the environment (and the command line), so an installer or an admin can set
it without touching code:
- PAYAPP_DATABASE_URL  a team's PostgreSQL database (postgresql://user@host/db); default: SQLite file
  `payapp.db` in the data folder.
- PAYAPP_DATA_DIR      data folder (default: the platform's user data folder, e.g. %LOCALAPPDATA%\\PayApp).
- PAYAPP_LOG_DIR       log folder (default: the platform's user log folder).
- PAYAPP_DEMO=1        force demo mode.
With nothing configured and no company database yet, PayApp opens in demo mode."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import NamedTuple

from platformdirs import PlatformDirs

from payapp import APP_NAME, ORG_NAME
from payapp.domain.redaction import redact

DIRS = PlatformDirs(APP_NAME, ORG_NAME)


class AppConfig(NamedTuple):
    """Immutable. A NamedTuple rather than a dataclass: `dataclasses` imports `inspect` (with ast, dis and
    tokenize), ~8 ms on the path to the first window."""

    data_dir: Path
    log_dir: Path
    database_url: str
    demo: bool
    language: str = ""          # "" follows the OS; "de", "en", or "pseudo" (stretched, for screenshots)

    @property
    def settings_path(self) -> Path:
        """Per-workstation UI state (window geometry, column layout): a QSettings INI file."""
        return self.data_dir / "workstation.ini"

    def with_demo(self) -> AppConfig:
        demo_dir = self.data_dir / "demo" if not self.demo else self.data_dir
        return self._replace(demo=True, data_dir=demo_dir, database_url=f"sqlite:///{demo_dir / 'payapp-demo.db'}")


def default_data_dir() -> Path:
    return Path(os.environ.get("PAYAPP_DATA_DIR") or DIRS.user_data_dir)


def default_log_dir() -> Path:
    return Path(os.environ.get("PAYAPP_LOG_DIR") or DIRS.user_log_dir)


def load_config(*, demo: bool | None = None, database_url: str | None = None,
                data_dir: Path | None = None, language: str = "") -> AppConfig:
    """Resolve the configuration. `demo=None` means: demo only when nothing is configured."""
    data = data_dir or default_data_dir()
    url = database_url or os.environ.get("PAYAPP_DATABASE_URL", "")
    real_db = data / "payapp.db"
    if demo is None:
        demo = os.environ.get("PAYAPP_DEMO", "") == "1" or (not url and not real_db.exists())
    config = AppConfig(data_dir=data, log_dir=default_log_dir(), database_url=url or f"sqlite:///{real_db}",
                       demo=False, language=language or os.environ.get("PAYAPP_LANGUAGE", ""))
    return config.with_demo() if demo else config


class RedactingFilter(logging.Filter):
    """On handlers (logger filters miss records from child loggers such as httpx). Redacts the formatted
    message and any traceback, after formatting, so arguments cannot slip through."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def setup_logging(config: AppConfig, *, console: bool = False) -> Path:
    """Rotating file in the log folder, every handler redacting. Returns the log file's path."""
    from logging.handlers import RotatingFileHandler  # here: logging starts after the window is up

    config.log_dir.mkdir(parents=True, exist_ok=True)
    path = config.log_dir / "payapp.log"
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_payapp", False):
            root.removeHandler(h)
            h.close()
    handlers: list[logging.Handler] = [
        RotatingFileHandler(path, maxBytes=5_000_000, backupCount=5, encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler())
    for h in handlers:
        h.setFormatter(logging.Formatter(LOG_FORMAT))
        h.addFilter(RedactingFilter())
        h._payapp = True  # type: ignore[attr-defined]
        root.addHandler(h)
    root.setLevel(logging.INFO)
    # httpx logs full URLs at INFO; our own code logs what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    return path
