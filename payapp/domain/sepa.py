"""SEPA direct debit: the IBAN check and the mandate a debtor agrees to before a SEPA debit is taken (pure Python).

The mandate wording follows the European Payments Council's SEPA Core Direct Debit rulebook (the mandate's
mandatory elements: creditor name and identifier, the mandate reference, the debtor's name and account, the
authorisation of the creditor to send instructions and of the debtor's bank to debit the account, and the refund
right of eight weeks from the debit date) as banks publish it for their creditors (e.g. the German standard text
"SEPA-Lastschriftmandat": "Ich ermächtige ... Zahlungen von meinem Konto mittels Lastschrift einzuziehen ...
Innerhalb von acht Wochen, beginnend mit dem Belastungsdatum, die Erstattung des belasteten Betrages verlangen").
As for ACH (domain/ach.py), the wording is versioned and the payment keeps the version, the exact text and its
SHA-256, with the mandate reference and date. Mandates are kept for 14 months after the last debit (the period in
which a debtor can claim an unauthorised debit back), rounded up here to two years like the ACH authorizations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re

from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg

WORDING_VERSION = "2026-12-sepa-core-1"
RETENTION = dt.timedelta(days=2 * 366)
#: a mandate reference: up to 35 characters of A-Z, 0-9 and + ? / - : ( ) . , ' and space (EPC rulebook)
_REFERENCE = re.compile(r"[A-Za-z0-9+?/\-:().,' ]{1,35}")

_MANDATE = ("SEPA Direct Debit Mandate (one-off payment). Mandate reference: {reference}. Creditor: {merchant}. "
            "By agreeing to this mandate, I, {name}, authorise {merchant} to send instructions to my bank to debit "
            "my account {iban_masked} once for {amount} in payment of invoice {invoice}, and my bank to debit my "
            "account in accordance with those instructions. I am entitled to a refund from my bank under the terms "
            "and conditions of my agreement with it; a refund must be claimed within eight weeks starting from the "
            "date on which my account was debited. Date: {date}.")


def check_iban(text: object) -> str:
    """The IBAN in its compact form (upper case, no spaces) if its country, length, format and check digits are
    right; PayApp's own error otherwise (never the IBAN itself in the message)."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(msg("sepa.iban_missing"), field="iban")
    # schwifty (and its country tables) only when an IBAN is checked: ~15 ms the desktop's start need not pay
    from schwifty import IBAN
    from schwifty.exceptions import SchwiftyException

    try:
        iban = IBAN(text.strip())
    except (SchwiftyException, ValueError, TypeError):
        raise ValidationError(msg("sepa.iban_invalid"), field="iban") from None
    return str(iban.compact)


def check_bic(text: object) -> str:
    """"" for none given, else the BIC (8 or 11 characters) if its format and country are right."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return ""
    if not isinstance(text, str):
        raise ValidationError(msg("sepa.bic_invalid"), field="bic")
    from schwifty import BIC
    from schwifty.exceptions import SchwiftyException

    try:
        return str(BIC(text.strip()).compact)
    except (SchwiftyException, ValueError, TypeError):
        raise ValidationError(msg("sepa.bic_invalid_or_empty"), field="bic") from None


def iban_masked(iban: str) -> str:
    """Country code and the last four characters only ("DE•• •••• 3000")."""
    return f"{iban[:2]}•• •••• {iban[-4:]}" if len(iban) >= 6 else "••••"


def check_reference(text: str) -> str:
    if not _REFERENCE.fullmatch(text or ""):
        raise ValidationError(msg("sepa.reference_invalid"), field="mandate_reference")
    return text


def mandate_text(*, reference: str, name: str, merchant: str, iban: str, amount: str, invoice: str,
                 date: dt.date) -> str:
    """The mandate wording for one debit (English; the form shows the one it will store). `iban` may be the full IBAN
    or already masked: only its country code and last four characters appear."""
    return _MANDATE.format(reference=reference, name=name.strip() or "the account holder",
                           merchant=merchant.strip() or "the merchant", iban_masked=iban_masked(iban),
                           amount=amount, invoice=invoice, date=date.isoformat())


def wording_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def retain_until(agreed_at: dt.datetime) -> dt.datetime:
    return agreed_at + RETENTION
