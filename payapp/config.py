"""Where PayApp keeps things, which database it opens, demo mode, and logging.

Configuration comes from the environment (and the command line), so an installer or an admin can set
it without touching code:
- PAYAPP_DATABASE_URL  a team's PostgreSQL database (postgresql://user@host/db); default: SQLite file
  `payapp.db` in the data folder.
- PAYAPP_DATA_DIR      data folder (default: the platform's user data folder, e.g. %LOCALAPPDATA%\\PayApp).
- PAYAPP_LOG_DIR       log folder (default: the platform's user log folder).
- PAYAPP_DEMO=1        force demo mode.
- Timings (`Tuning`, seconds unless said otherwise; today's values are the defaults): PAYAPP_GATEWAY_TIMEOUT,
  PAYAPP_LOOKUP_DELAYS (comma-separated), PAYAPP_SEND_WINDOW, PAYAPP_UNMATCHED_GRACE, PAYAPP_RECHECK_BACKOFF
  (comma-separated), PAYAPP_PAYMENT_CHECK_INTERVAL, PAYAPP_OUTBOX_LEASE, PAYAPP_OUTBOX_BACKOFF_BASE,
  PAYAPP_OUTBOX_BACKOFF_CAP, PAYAPP_QUICKBOOKS_RATE (requests per second, 0 = no limit).
With nothing configured and no company database yet, PayApp opens in demo mode."""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from platformdirs import PlatformDirs

from payapp import APP_NAME, ORG_NAME

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


class Tuning(NamedTuple):
    """Timeouts, look-up delays, the outbox lease and back-off and the QuickBooks request rate: read by the
    composition root (payapp.app) and passed to the services, so tests and harnesses (bench/chaos.py) set them.
    A NamedTuple for the reason given at AppConfig; `_replace` gives a changed copy."""

    gateway_timeout: float | None = None    # one gateway request; None: the HTTP client's (30 s, connect 10 s)
    lookup_delays: tuple[float, ...] = (0.2, 0.6, 1.5)  # quick look-ups of an unknown outcome, in take_payment
    send_window: float = 60.0           # a pending payment may be sent this long after it was written (DB clock)
    unmatched_grace: float = 300.0      # after the send window, "no match at the gateway" means "never sent"
    recheck_backoff: tuple[float, ...] = (60.0, 120.0, 300.0, 900.0, 3600.0)   # reconcile of unknown payments
    payment_check_interval: float = 300.0   # the periodic reconcile and settlement check
    outbox_lease: float = 300.0
    outbox_backoff_base: float = 30.0
    outbox_backoff_cap: float = 6 * 3600.0
    quickbooks_rate: float = 8.0        # requests per second (demo: 0, no limit)
    mail_timeout: float = 30.0          # one SMTP conversation's socket timeout (payapp/services/mail.py)


_TUNING_ENV = {name: f"PAYAPP_{name.upper()}" for name in Tuning._fields}


def _seconds(text: str, *, allow_zero: bool = True) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero) or value > 366 * 86400:
        return None
    return value


def load_tuning(environ: Mapping[str, str] | None = None) -> Tuning:
    """Tuning from PAYAPP_* variables; a missing or unreadable value keeps its default (and is logged)."""
    env = os.environ if environ is None else environ
    values: dict[str, object] = {}
    defaults = Tuning()
    for name, var in _TUNING_ENV.items():
        raw = env.get(var, "").strip()
        if not raw:
            continue
        default = getattr(defaults, name)
        parsed: object | None
        if isinstance(default, tuple):
            parts = [_seconds(p.strip()) for p in raw.split(",") if p.strip()]
            parsed = tuple(p for p in parts if p is not None) if parts and None not in parts else None
            if name == "recheck_backoff" and parsed is not None and (not parsed or 0.0 in parsed):
                parsed = None
        else:
            parsed = _seconds(raw, allow_zero=name in ("quickbooks_rate", "outbox_backoff_base"))
        if parsed is None:
            logging.getLogger(__name__).warning("%s=%r is not a number of seconds; using %r", var, raw[:40], default)
            continue
        values[name] = parsed
    return defaults._replace(**values)


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
        # here, not at module level: its patterns take ~6 ms to compile, and this module is imported before
        # the window's first paint, logging only after it
        from payapp.domain.redaction import redact

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
