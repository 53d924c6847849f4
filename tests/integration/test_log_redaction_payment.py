"""Issue #12.5: after payments with the sandbox's own hyphenated key, the test eCheck account, CVV 999 and a
QuickBooks refresh token held by the secret store, the log file (the app's rotating file, every handler
redacting, everything at DEBUG) holds none of them, however they were written into a log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from payapp.config import load_config, setup_logging
from payapp.domain.redaction import forget_secrets
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY
from payapp.services.payments import PaymentRequest
from payapp.services.secrets import Secret, SecretStore
from tests.payment_helpers import (
    ACH_ACCOUNT,
    TEST_CVV,
    VISA,
    ServedGateway,
    bank,
    card,
    configure_processing,
    make_invoice,
    make_service,
)

QB_REFRESH = "qr-Gx3p_9vQ-2mKdL8sWzY1aBcDeFgHiJkLmNo"
AUTOTASK_SECRET = "plain words as a secret"       # matches no pattern: only the registry of known values masks it
DOTTED_VISA = ".".join(VISA[i:i + 4] for i in range(0, 16, 4))


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    forget_secrets()
    path = setup_logging(load_config(demo=True, data_dir=tmp_path / "data"))
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "httpcore")}
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield path
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in list(root.handlers):
        if getattr(handler, "_payapp", False):
            root.removeHandler(handler)
            handler.close()
    forget_secrets()


def _found(secret: str, haystack: str) -> bool:
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", haystack) is not None


@pytest.mark.logs_warnings("logs secrets on purpose to check the redaction")
async def test_the_log_file_after_payments_holds_no_key_account_cvv_card_or_token(
        database: Database, secret_store: SecretStore, served_gateway: ServedGateway, log_file: Path) -> None:
    await configure_processing(database, secret_store, served_gateway.url, key=DEMO_SECURITY_KEY)
    secret_store.set("quickbooks.refresh_token", Secret(QB_REFRESH))
    secret_store.set("autotask.secret", Secret(AUTOTASK_SECRET))
    inv_id = await make_invoice(database, total_minor=1_000_00)
    log = logging.getLogger("payapp.test")
    async with httpx.AsyncClient(timeout=5.0) as client:
        svc = make_service(database, secret_store, client)
        card_result = await svc.take_payment(PaymentRequest(inv_id, 10_00, card(cvv=TEST_CVV)))
        bank_result = await svc.take_payment(PaymentRequest(inv_id, 12_00, bank(account=ACH_ACCOUNT)))
    assert card_result.approved and bank_result.approved
    # what careless code or a library might write, in each form redact() used to let through
    log.info("gateway key %s, again as key=%s", DEMO_SECURITY_KEY, DEMO_SECURITY_KEY)
    log.info("debit from account %s, cvv %s, card %s", ACH_ACCOUNT, TEST_CVV, DOTTED_VISA)
    log.warning("QuickBooks refresh token %s rotated", QB_REFRESH)
    log.debug("Autotask login with %s", AUTOTASK_SECRET)
    try:
        raise RuntimeError(f"refused {DEMO_SECURITY_KEY} / {QB_REFRESH} / account {ACH_ACCOUNT}")
    except RuntimeError:
        log.exception("payment follow-up failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = log_file.read_text(encoding="utf-8")
    assert "payment follow-up failed" in text and "RuntimeError" in text
    for secret in (DEMO_SECURITY_KEY, QB_REFRESH, AUTOTASK_SECRET, ACH_ACCOUNT, DOTTED_VISA, VISA):
        assert not _found(secret, text), f"{secret[:6]}… is in the log file"
    assert not re.search(rf"cvv\W+{TEST_CVV}\b", text, re.IGNORECASE)
