"""Mask anything that looks like card data, account numbers, keys or tokens in free text."""

from __future__ import annotations

import re

_DIGIT_RUN = re.compile(r"(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])")
_SECRET_PARAM = re.compile(
    r"(?i)\b(security_key|tokenization_key|private_key|public_key|api_?key|secret|password|pwd|"
    r"signature|access_token|refresh_token|token|client_secret|ccnumber|cvv|checkaccount|checkaba|"
    r"account_?number|routing_?number|code)(\s*[=:]\s*|\"\s*:\s*\")([^&\s\",;]+)"
)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_LONG_HEX_OR_B64 = re.compile(r"\b[A-Za-z0-9]{32,}\b")
MASK = "***"


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    from stdnum import luhn  # here, not at import: the log set-up is on the path to the first window

    if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
        return MASK
    return match.group(0)


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """Return `text` with card numbers (Luhn-valid runs), secrets in key=value form, bearer tokens and
    long key-like strings masked. `extra_secrets` are literal values known to be secret."""
    for secret in extra_secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _DIGIT_RUN.sub(_mask_digits, text)
    text = _LONG_HEX_OR_B64.sub(MASK, text)
    return text
