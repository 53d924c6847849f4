"""Mask anything that looks like card data, account numbers, keys or tokens in free text.

Two layers: secrets the app holds (gateway keys, API secrets, OAuth tokens: the secret store registers each value
it hands out or stores, `register_secret`) are masked by value wherever they appear; patterns catch the rest
(card numbers with spaces, dashes or dots, key=value pairs (Collect.js's `payment_token=` too), "account 24413815",
"cvv 999", bearer tokens, JWTs, hyphenated keys like "demo-sandbox-security-key-6457Hq2A", "qr-…" tokens and long
base64-ish strings)."""

from __future__ import annotations

import re
import threading

MASK = "***"
MIN_SECRET_LENGTH = 6           # shorter values would mask ordinary words and numbers everywhere
MAX_KNOWN_SECRETS = 256         # QuickBooks rotates its access token hourly: the oldest (expired) values go first

_DIGIT_RUN = re.compile(r"(?<![0-9])(?:[0-9][ .-]?){12,18}[0-9](?![0-9])")
_SECRET_PARAM = re.compile(
    r"(?i)\b(security_key|tokenization_key|private_key|public_key|api_?key|secret|password|pwd|"
    r"signature|access_token|refresh_token|id_token|payment_token|token|client_secret|ccnumber|cvv|checkaccount|"
    r"checkaba|iban|"
    r"account_?number|routing_?number|code)(\s*[=:]\s*|\"\s*:\s*\")([^&\s\",;]+)"
)
# "account 24413815", "acct # 1234", "routing number: 021000021", "cvv 999", "security code 1234", "card 4111 …":
# a word that names the number, then the number (the digits masked, the word kept).
_NAMED_NUMBER = re.compile(
    r"(?i)\b((?:bank\s+)?(?:account|acct)(?:\s*(?:number|no\.?|num|#))?|routing(?:\s*(?:number|no\.?|#))?|aba|"
    r"cvv2?|cvc2?|cid|security\s+code|card(?:\s*(?:number|no\.?|#))?)"
    r"(\s*(?:[:=#]|is)?\s*)([0-9](?:[0-9 .-]*[0-9])?)(?![0-9])"
)
_NAMED_MIN_DIGITS = {"cvv": 3, "cvc": 3, "cid": 3, "security": 3, "card": 12}
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_.-]*")
_PREFIXED_TOKEN = re.compile(r"\bq[arc]-[A-Za-z0-9_-]{8,}")           # QuickBooks sandbox access/refresh/code
# A run of letters, digits, "-" and "_" (a hyphenated key, a URL-safe token); judged by _looks_secret.
_KEYISH = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9][A-Za-z0-9_-]{15,}")
_BASE64ISH = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{20,}={0,2}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SEGMENTS = re.compile(r"[-_]")
# an IBAN, compact or in groups of four ("DE89 3704 0044 0532 0130 00"); masked when its check digits are right
_IBAN = re.compile(r"\b[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}\b")
_LONG_ALNUM = re.compile(r"\b[A-Za-z0-9]{32,}\b")

_lock = threading.Lock()
_known: dict[str, None] = {}            # insertion-ordered set
_known_pattern: re.Pattern[str] | None = None
_known_stale = False                    # compiled on the next redact(), not at every registration


def register_secret(value: str) -> None:
    """Mask `value` in every later redact() call (the keys and tokens the app holds). Values shorter than
    MIN_SECRET_LENGTH are ignored; surrounding whitespace is not part of the secret."""
    global _known_stale
    if not isinstance(value, str):
        return
    value = value.strip()
    if len(value) < MIN_SECRET_LENGTH or value in _known:
        return
    with _lock:
        _known[value] = None
        while len(_known) > MAX_KNOWN_SECRETS:
            del _known[next(iter(_known))]
        _known_stale = True


def _known_secrets_pattern() -> re.Pattern[str] | None:
    global _known_pattern, _known_stale
    if _known_stale:
        with _lock:
            ordered = sorted(_known, key=len, reverse=True)   # the longest first: a secret inside another
            _known_pattern = re.compile("|".join(map(re.escape, ordered))) if ordered else None
            _known_stale = False
    return _known_pattern


def forget_secrets() -> None:
    """Empty the registry (tests; a sign-out that drops every key)."""
    global _known_pattern, _known_stale
    with _lock:
        _known.clear()
        _known_pattern, _known_stale = None, False


def known_secret_count() -> int:
    return len(_known)


def _mask_digits(match: re.Match[str]) -> str:
    digits = re.sub(r"[^0-9]", "", match.group(0))
    from stdnum import luhn  # here, not at import: the log set-up is on the path to the first window

    if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
        return MASK
    return match.group(0)


def _mask_named(match: re.Match[str]) -> str:
    word = match.group(1).split()[0].lower().rstrip("0123456789")
    digits = sum(c.isdigit() for c in match.group(3))
    if digits < _NAMED_MIN_DIGITS.get(word, 4):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}{MASK}"


def _mask_iban(match: re.Match[str]) -> str:
    """ISO 13616 check: the country and check digits moved to the end, letters as 10..35, the number mod 97 is 1."""
    iban = match.group(0).replace(" ", "")
    moved = iban[4:] + iban[:4]
    number = "".join(str(int(c, 36)) for c in moved)
    return MASK if len(iban) >= 15 and int(number) % 97 == 1 else match.group(0)


def _has_letter_and_digit(text: str) -> bool:
    return any(c.isdigit() for c in text) and any(c.isalpha() for c in text)


def _looks_secret(run: str) -> bool:
    """A hyphenated or URL-safe run that is a key, not an order id ("demo-98-93"), a name ("payment_search_tab")
    or a UUID: one of its parts mixes letters and digits over 6 characters or more, or the run is 24+ characters
    of upper case, lower case and digits (a random token)."""
    if _UUID.fullmatch(run):
        return False
    if any(len(part) >= 6 and _has_letter_and_digit(part) for part in _SEGMENTS.split(run)):
        return True
    return (len(run) >= 24 and any(c.isupper() for c in run) and any(c.islower() for c in run)
            and any(c.isdigit() for c in run))


def _mask_keyish(match: re.Match[str]) -> str:
    return MASK if _looks_secret(match.group(0)) else match.group(0)


def _mask_base64(match: re.Match[str]) -> str:
    run = match.group(0)
    if ("+" in run or run.endswith("=")) and _has_letter_and_digit(run) and not run.startswith("/"):
        return MASK
    return run


def redact(text: str, extra_secrets: tuple[str, ...] = ()) -> str:
    """Return `text` with the registered secrets, `extra_secrets` (literal values known to be secret), card
    numbers (Luhn-valid runs), named account numbers and security codes, secrets in key=value form, bearer
    tokens and key-like strings masked."""
    if not isinstance(text, str):
        text = str(text)
    for secret in extra_secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, MASK)
    known = _known_secrets_pattern()
    if known is not None:
        text = known.sub(MASK, text)
    text = _BEARER.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _JWT.sub(MASK, text)
    text = _SECRET_PARAM.sub(lambda m: f"{m.group(1)}{m.group(2)}{MASK}", text)
    text = _PREFIXED_TOKEN.sub(MASK, text)
    text = _NAMED_NUMBER.sub(_mask_named, text)
    text = _IBAN.sub(_mask_iban, text)
    text = _DIGIT_RUN.sub(_mask_digits, text)
    if "+" in text or "=" in text:
        text = _BASE64ISH.sub(_mask_base64, text)
    text = _LONG_ALNUM.sub(MASK, text)
    text = _KEYISH.sub(_mask_keyish, text)
    return text
