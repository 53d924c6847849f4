"""The ACH debit authorization a customer agrees to before an eCheck is taken (pure Python, no I/O).

What the wording has to say follows the NACHA Operating Rules for a debit authorization as banks publish them for
their originators (e.g. https://www.bankfivenine.com/business/cash-management/ach-origination/ach-user-information/
ach-authorization-requirements/ and https://help.icheckgateway.com/en/knowledge/ppd-transaction-authorization):

- PPD (a consumer's personal account): in writing and signed or similarly authenticated, readily identifiable as an
  ACH debit authorization, clear terms (the amount, the date of the debit, the account), how the customer can revoke
  it, and a copy given to the customer (the receipt carries it).
- CCD (a business account): the receiving company's agreement to the debit and to be bound by the NACHA Operating
  Rules.
- Retention: the originator keeps the authorization for two years after it ends (termination or revocation); a
  one-time debit's authorization ends with that debit, so the record is kept two years from the payment.

The wording is versioned: the payment stores the version, the exact text shown and its SHA-256 hash, so what the
customer agreed to can be shown again even after a later version changes the wording.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg

WORDING_VERSION = "2026-12-ach-1"
#: NACHA: kept two years after the authorization ends (a one-time debit: after the debit).
RETENTION = dt.timedelta(days=2 * 366)

SEC_CODES = {"personal": "PPD", "business": "CCD"}
#: authorised online (the client portal): WEB is the consumer's internet-authorised debit; a business account's
#: debit stays CCD however it was authorised (NACHA; e.g. https://www.easypaydirect.com/faq/what-is-the-nacha-sec-code/
#: "CCD ... any ACH debit or credit from a business bank account", https://actumprocessing.com/knowledge-base/
#: understanding-standard-entry-class-sec-codes-with-actum/ "WEB entries ... from a consumer on their website")
ONLINE_SEC_CODES = {"personal": "WEB", "business": "CCD"}

_PPD = ("ACH debit authorization (PPD, one-time). I, {name}, authorize {merchant} to debit my {account_type} "
        "account ending {last_four} once, on or after {date}, for {amount} in payment of invoice "
        "{invoice}. I confirm I am an owner of this account and may authorize this debit. I may revoke this "
        "authorization by telling {merchant} before the debit is sent; I will receive a copy of it with my "
        "receipt. If the debit is returned by my bank, {merchant} may treat the invoice as unpaid.")
_WEB = ("ACH debit authorization (WEB, one-time). By selecting to agree, I, {name}, authorize {merchant} to debit my "
        "{account_type} account ending {last_four} once, on or after {date}, for {amount} in payment of invoice "
        "{invoice}. I confirm I am an owner of this account and may authorize this debit. I may revoke this "
        "authorization by telling {merchant} before the debit is sent; my receipt shows a copy of it, and I can "
        "print or save it. If the debit is returned by my bank, {merchant} may treat the invoice as unpaid.")
_CCD = ("ACH debit authorization (CCD, one-time). {name}, on behalf of {company}, authorizes {merchant} to debit "
        "the company's {account_type} account ending {last_four} once, on or after {date}, for {amount} "
        "in payment of invoice {invoice}, and agrees that this debit is governed by the NACHA Operating Rules. "
        "{name} confirms being authorized to approve debits to this account. The company may revoke this "
        "authorization by telling {merchant} before the debit is sent, and receives a copy with its receipt.")


@dataclass(frozen=True)
class AchAuthorization:
    """What a customer agreed to, as stored with the payment (never the account or routing number)."""

    sec_code: str                 # PPD | CCD
    authorized_by: str            # the account holder's name as they gave it
    authorized_at: dt.datetime    # UTC
    wording_version: str
    text: str

    @property
    def text_hash(self) -> str:
        return wording_hash(self.text)

    def retain_until(self) -> dt.datetime:
        return retain_until(self.authorized_at)


def sec_code(holder_type: str, *, online: bool = False) -> str:
    """PPD for a person's account, CCD for a business's; authorised `online` (the client portal), WEB for a
    person's. PayApp's own error for anything else."""
    code = (ONLINE_SEC_CODES if online else SEC_CODES).get(holder_type if isinstance(holder_type, str) else "")
    if code is None:
        raise ValidationError(msg("ach.holder_type"), field="holder_type")
    return code


def wording_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def retain_until(authorized_at: dt.datetime) -> dt.datetime:
    return authorized_at + RETENTION


def authorization_text(*, holder_type: str, name: str, company: str, merchant: str, account_type: str,
                       last_four: str, amount: str, invoice: str, date: dt.date, online: bool = False) -> str:
    """The wording (English; the form shows the one it will store) for one debit. `amount` is already formatted,
    `last_four` is at most four digits (never the account number). `online`: the client agrees on the client
    portal (WEB for a person's account, CCD for a business's)."""
    code = sec_code(holder_type, online=online)
    template = {"PPD": _PPD, "WEB": _WEB}.get(code, _CCD)
    four = "".join(ch for ch in str(last_four) if ch.isdigit())[-4:] or "····"
    return template.format(name=name.strip() or "the account holder", company=company.strip() or "the company",
                           merchant=merchant.strip() or "the merchant",
                           account_type="savings" if account_type == "savings" else "checking",
                           last_four=four,
                           date=f"{date:%B} {date.day}, {date.year}", amount=amount, invoice=invoice)
