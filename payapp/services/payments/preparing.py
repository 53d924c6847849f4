"""Preparing a payment method for the gateway: typed card and bank details are checked in the domain, a browser's
token is checked for shape, and either becomes what the gateway adapter sends (`_Prepared`). `_Opened` is what the
first transaction of a payment hands to the send once the pending row is committed."""

from __future__ import annotations

import re
from dataclasses import dataclass

from payapp.connectors.gateways.port import AchAccount, Billing, BrowserToken, CardDetails, PaymentGateway, SepaAccount
from payapp.domain import ach, sepa, validation
from payapp.domain.errors import ValidationError
from payapp.domain.messages import msg
from payapp.services.payments.base import EngineBase
from payapp.services.payments.values import (
    METHOD_LABELS,
    HostedMethod,
    NewBankAccount,
    NewCard,
    NewSepaAccount,
    PaymentMethod,
    TokenizedPayment,
    _last_four,
)


@dataclass(frozen=True)
class _Prepared:
    kind: str                   # card | echeck | sepa | saved
    payment: CardDetails | AchAccount | SepaAccount | BrowserToken | None
    billing: Billing | None
    brand: str = ""
    last_four: str = ""
    expiry: str = ""
    account_type: str = ""
    holder_type: str = ""
    holder_name: str = ""


@dataclass(frozen=True)
class _Opened:
    payment_id: int
    order_id: str
    currency: str
    invoice_number: str
    gateway: PaymentGateway
    save_as: str | None
    vault_id: str
    started_mono: float          # time.monotonic()/time.time() taken before the row was written
    started_wall: float
    refuse_cvv_mismatch: bool = False
    kind: str = ""                       # card | echeck
    initial_transaction_id: str = ""     # saved cards: the charge that saved them
    sec_code: str = ""                   # eChecks: the ACH authorization's SEC code
    sepa_mandate: SepaAccount | None = None  # SEPA: the account with the mandate reference and date to send


#: A payment token as the gateway's Collect.js makes them: letters, digits, "-" and "_" (NMI's look like
#: "3455zJms-7qA2K2-VdVrSu-Rv7WpvPuG7s8").
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,128}")
_COLLECT_BRANDS = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex", "discover": "Discover",
                   "diners": "Diners", "jcb": "JCB"}
_EXPIRY_SHAPE = re.compile(r"(0[1-9]|1[0-2])[0-9]{2}")


class MethodPreparation(EngineBase):
    """Checks a payment method before anything is written or sent."""

    def _prepare(self, method: PaymentMethod, *, portal: bool = False) -> _Prepared:
        if isinstance(method, NewCard):
            number = validation.check_card_number(method.number)
            brand = validation.card_brand(number)
            expiry = validation.check_expiry(method.expiry_mmyy, today=self._now().date())
            cvv = validation.check_cvv(method.cvv, brand)
            billing = Billing(first_name=method.first_name, last_name=method.last_name, address1=method.address1,
                              city=method.city, state=method.state, zip=method.zip, country=method.country)
            return _Prepared("card", CardDetails(number, expiry.mmyy(), cvv), billing, brand, number[-4:],
                             expiry.mmyy(), holder_name=f"{method.first_name} {method.last_name}".strip())
        if isinstance(method, NewBankAccount):
            routing = validation.check_routing_number(method.routing_number)
            account = validation.check_account_number(method.account_number)
            if method.holder_type not in ("personal", "business"):
                raise ValidationError(msg("ach.holder_type"), field="holder_type")
            if method.account_type not in ("checking", "savings"):
                raise ValidationError(msg("payment.account_type"), field="account_type")
            if not method.name.strip():
                raise ValidationError(msg("payment.account_name"), field="name")
            billing = Billing(company=method.company, address1=method.address1, city=method.city,
                              state=method.state, zip=method.zip, country=method.country)
            return _Prepared("echeck", AchAccount(method.name.strip(), routing, account, method.holder_type,
                                                  method.account_type), billing, "eCheck", account[-4:],
                             account_type=method.account_type, holder_type=method.holder_type,
                             holder_name=method.name.strip())
        if isinstance(method, NewSepaAccount):
            iban = sepa.check_iban(method.iban)
            bic = sepa.check_bic(method.bic)
            if not method.holder.strip():
                raise ValidationError(msg("payment.sepa_holder"), field="holder")
            if method.mandate_reference:
                sepa.check_reference(method.mandate_reference)
            billing = Billing(address1=method.address1, city=method.city, zip=method.zip,
                              country=method.country or iban[:2])
            return _Prepared("sepa", SepaAccount(method.holder.strip(), iban, bic), billing, "SEPA", iban[-4:],
                             holder_name=method.holder.strip())
        if isinstance(method, TokenizedPayment):
            return self._prepare_token(method, portal)
        if isinstance(method, HostedMethod):
            if method.kind not in METHOD_LABELS:
                raise ValidationError(msg("payment.choose_method"), field="method")
            return _Prepared(method.kind, None, None, brand=METHOD_LABELS[method.kind][:20])
        return _Prepared("saved", None, None)

    @staticmethod
    def _prepare_token(method: TokenizedPayment, portal: bool) -> _Prepared:
        token = method.token if isinstance(method.token, str) else ""
        if not _TOKEN_SHAPE.fullmatch(token):
            # the browser's token is missing or mangled: the form must tokenize the details again
            raise ValidationError(msg("payment.token_unreadable"), field="payment_token")
        last_four = _last_four(method.last_four)
        billing = Billing(first_name=method.first_name, last_name=method.last_name, company=method.company,
                          address1=method.address1, city=method.city, state=method.state, zip=method.zip,
                          country=method.country, email=method.email)
        if method.kind == "card":
            expiry = method.expiry_mmyy if _EXPIRY_SHAPE.fullmatch(method.expiry_mmyy or "") else ""
            brand = (method.brand or "").strip()
            # Collect.js's card.type ("visa", "amex", ...) as the rest of PayApp names brands (domain.validation)
            brand = "" if brand.lower() == "unknown" else _COLLECT_BRANDS.get(brand.lower(), brand.capitalize())[:20]
            return _Prepared("card", BrowserToken(token, "card"), billing, brand, last_four, expiry,
                             holder_name=f"{method.first_name} {method.last_name}".strip())
        if method.kind == "echeck":
            if method.holder_type not in ("personal", "business"):
                raise ValidationError(msg("ach.holder_type"), field="holder_type")
            if method.account_type not in ("checking", "savings"):
                raise ValidationError(msg("payment.account_type"), field="account_type")
            name = (method.holder_name or f"{method.first_name} {method.last_name}").strip()
            if not name:
                raise ValidationError(msg("payment.account_name"), field="name")
            # the client authorised the debit on the portal (WEB; a business account CCD); staff enter what the
            # customer authorised (PPD/CCD)
            sec = ach.sec_code(method.holder_type, online=portal)
            return _Prepared("echeck", BrowserToken(token, "echeck", method.holder_type, method.account_type, sec),
                             billing, "eCheck", last_four, account_type=method.account_type,
                             holder_type=method.holder_type, holder_name=name)
        raise ValidationError(msg("payment.card_or_bank"), field="method")
