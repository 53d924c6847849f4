"""Nothing secret reaches the log file: card numbers, keys, tokens — from our loggers, from library
loggers (httpx), from formatting arguments and from tracebacks."""

from __future__ import annotations

import logging
from pathlib import Path

from payapp.config import load_config, setup_logging

PAN = "4111111111111111"
SPACED_PAN = "5431 1111 1111 1111"
KEY = "6457Thfj624V5r7WUwc5v6a68Zsd6YEm"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"


def test_log_file_never_holds_card_numbers_keys_or_tokens(tmp_path: Path) -> None:
    config = load_config(demo=True, data_dir=tmp_path / "data")
    path = setup_logging(config)
    try:
        logging.getLogger("payapp.payments").warning("charging card %s with key %s", PAN, f"security_key={KEY}")
        logging.getLogger("httpx").warning("HTTP Request: POST https://x.test/api?security_key=%s", KEY)
        logging.getLogger("payapp.sync").error("header Authorization: Bearer %s", TOKEN)
        logging.getLogger().warning("typed %s into the field", SPACED_PAN)
        try:
            raise ValueError(f"gateway refused ccnumber={PAN} for {KEY}")
        except ValueError:
            logging.getLogger("payapp.crash").exception("Unhandled error")
        logging.getLogger("payapp").info("timestamps survive: 1700000000000, order inv-42")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
    text = path.read_text(encoding="utf-8")
    for secret in (PAN, SPACED_PAN, KEY, TOKEN):
        assert secret not in text
    assert "1700000000000" in text
    assert "Unhandled error" in text and "ValueError" in text
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_payapp", False):
            root.removeHandler(handler)
            handler.close()
