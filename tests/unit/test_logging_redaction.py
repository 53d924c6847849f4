"""Nothing secret reaches the log file: card numbers, keys, tokens — from our loggers, from library
loggers (httpx), from formatting arguments and from tracebacks."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.config import load_config, setup_logging
from payapp.domain.redaction import forget_secrets, redact, register_secret
from payapp.services.memory_keyring import MemoryKeyring
from payapp.services.secrets import Secret, SecretStore

PAN = "4111111111111111"
SPACED_PAN = "5431 1111 1111 1111"
KEY = "6457Thfj624V5r7WUwc5v6a68Zsd6YEm"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl"


@pytest.mark.logs_warnings("logs secrets on purpose to check the redaction")
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


# Issue #12.5: forms that passed through redact().
SANDBOX_KEY = "demo-sandbox-security-key-6457Hq2A"        # the sandbox's own demo key (payapp/sandbox/gateway.py)
QB_REFRESH = "qr-Gx3p_9vQ-2mKdL8sWzY1aBcDeFgHiJkLmNo"      # the QuickBooks sandbox's refresh token form
INTUIT_REFRESH = "AB11733160218GmjQ8Jd9hZcJxSxWnTbXvQ0pLmKoPqRsTuVwXyZ"   # Intuit's own form (50 characters)


@pytest.mark.parametrize(("text", "secret"), [
    (f"gateway key {SANDBOX_KEY} refused", SANDBOX_KEY),
    ("debit from account 24413815 failed", "24413815"),
    ("Account Number: 24413815", "24413815"),
    ("acct #24413815", "24413815"),
    ("routing number 490000018", "490000018"),
    ("cvv 999 sent", "999"),
    ("CVV2: 1234", "1234"),
    ("security code 999", "999"),
    ("card 4111.1111.1111.1111 typed", "4111.1111.1111.1111"),
    ("card 4111.1111.1111.1111 typed", "1111.1111"),
    ("typed 5431-1111-1111-1111", "5431-1111-1111-1111"),
    (f"refresh token {QB_REFRESH} rotated", QB_REFRESH),
    (f"refresh_token={QB_REFRESH}", QB_REFRESH),
    (f"tokens {INTUIT_REFRESH}", INTUIT_REFRESH),
    ("access eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", "eyJzdWIiOiIxIn0"),
    ("token dGhpcyBpcyBhIHRlc3QgdG9rZW4+Zm9vYmFy==", "Zm9vYmFy"),
    ('{"refresh_token": "qr-abcdefgh12345678"}', "qr-abcdefgh12345678"),
])
def test_redact_masks_the_forms_that_used_to_pass(text: str, secret: str) -> None:
    assert secret not in redact(text)


@pytest.mark.parametrize("text", [
    "order demo-98-93 for inv-42 at 2026-12-03 06:30:01,123",
    "approved transaction 8800000123 for $12.50",
    "request 3f2a9c1e-1234-4abc-9def-0123456789ab",
    'File "/work/wt/input/.venv/lib/python3.11/site-packages/httpx/_client.py", line 12',
    "payapp.services.payment_search: 2 rows",
    "CVV response M, AVS Y",
    "QuickBooks account 42 (Undeposited Funds)",
    "card 3 of 5",
    "fingerprint 1a2b3c4d5e6f",
    "timestamps survive: 1700000000000",
])
def test_redact_keeps_what_is_not_secret(text: str) -> None:
    assert redact(text) == text


def test_secrets_the_app_holds_are_masked_by_value_wherever_they_appear() -> None:
    odd = "plain words secret"                           # no pattern would catch it
    try:
        assert redact(f"x {odd} y") == f"x {odd} y"
        register_secret(odd)
        register_secret("short")                         # too short to mask everywhere: ignored
        assert redact(f"x {odd} y, again:{odd}") == "x *** y, again:***"
        assert redact("a short word") == "a short word"
    finally:
        forget_secrets()


def test_the_secret_store_registers_what_it_hands_out(memory_keyring: MemoryKeyring, secret_store: SecretStore) -> None:
    store = secret_store
    try:
        store.set("quickbooks.access", Secret('{"token": "opaque access value", "expires_at": "2026-12-03T07:00:00"}'))
        assert "opaque access value" not in redact("Authorization failed for opaque access value")
        assert "2026-12-03T07:00:00" in redact("expires 2026-12-03T07:00:00")    # not a secret
        forget_secrets()
        memory_keyring.set_password("payapp", "autotask.secret", "another plain value")
        assert store.get("autotask.secret") is not None
        assert "another plain value" not in redact("login with another plain value")
    finally:
        forget_secrets()


@given(text=st.text(max_size=200))
def test_redact_takes_any_text(text: str) -> None:
    assert isinstance(redact(text), str)


def test_the_registry_keeps_the_newest_values() -> None:
    from payapp.domain.redaction import MAX_KNOWN_SECRETS, known_secret_count

    try:
        for i in range(MAX_KNOWN_SECRETS + 10):
            register_secret(f"rotated access value {i:04d}")
        assert known_secret_count() == MAX_KNOWN_SECRETS
        assert redact(f"rotated access value {MAX_KNOWN_SECRETS + 9:04d}") == "***"
        assert redact("rotated access value 0000") == "rotated access value 0000"
    finally:
        forget_secrets()
