"""Every setting PayApp keeps in the database, declared once: key, type, default, rule."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SettingSpec:
    key: str
    type: type
    default: Any
    label: str
    set_once: bool = False      # e.g. the internal currency: chosen once, never changed
    admin_only: bool = True


SPECS: tuple[SettingSpec, ...] = (
    SettingSpec("gateway.name", str, "nmi", "Gateway"),
    SettingSpec("gateway.base_url", str, "https://secure.bngpaymentgateway.com", "Gateway address"),
    SettingSpec("gateway.private_key_fingerprint", str, "", "Private key fingerprint"),
    SettingSpec("gateway.public_key_fingerprint", str, "", "Public key fingerprint"),
    SettingSpec("gateway.keys_changed_by", str, "", "Keys replaced by"),
    SettingSpec("gateway.keys_changed_at", str, "", "Keys replaced at"),
    SettingSpec("payment_types.back_office.card", bool, False, "Credit card for the back office"),
    SettingSpec("payment_types.back_office.echeck", bool, False, "eCheck for the back office"),
    SettingSpec("payment_types.portal.card", bool, False, "Credit card for the client portal"),
    SettingSpec("payment_types.portal.echeck", bool, False, "eCheck for the client portal"),
    SettingSpec("currency", str, "", "Internal currency", set_once=True),
    SettingSpec("refunds.approval_threshold_minor", int, 0, "Refunds above this need a second user (0 = off)"),
    SettingSpec("payments.refuse_cvv_mismatch", bool, False,
                "Refuse card payments whose CVV does not match (void them at once)"),
    SettingSpec("ui.language", str, "", "Language (empty = follow the system)", admin_only=False),
    SettingSpec("autotask.api_user", str, "", "Autotask API user"),
    SettingSpec("autotask.integration_code_fingerprint", str, "", "Autotask integration code fingerprint"),
    SettingSpec("autotask.secret_fingerprint", str, "", "Autotask secret fingerprint"),
    SettingSpec("autotask.zone_url", str, "", "Autotask zone (cached)"),
    SettingSpec("autotask.base_url", str, "https://webservices2.autotask.net/atservicesrest", "Autotask address"),
    SettingSpec("quickbooks.client_id", str, "", "QuickBooks client id"),
    SettingSpec("quickbooks.client_secret_fingerprint", str, "", "QuickBooks client secret fingerprint"),
    SettingSpec("quickbooks.realm_id", str, "", "QuickBooks company (realm) id"),
    SettingSpec("quickbooks.base_url", str, "https://quickbooks.api.intuit.com", "QuickBooks address"),
    SettingSpec("quickbooks.auth_base_url", str, "https://oauth.platform.intuit.com", "QuickBooks sign-in address"),
    SettingSpec("quickbooks.connected", bool, False, "QuickBooks connected"),
    SettingSpec("quickbooks.company_name", str, "", "QuickBooks company name (read when connecting)"),
    # QuickBooks ids the pushes refer to ("1" is the Services item every QuickBooks company starts with; an
    # empty account lets QuickBooks choose: payments then go to Undeposited Funds)
    SettingSpec("quickbooks.item_id", str, "1", "QuickBooks item (Id) for invoice and refund lines"),
    SettingSpec("quickbooks.deposit_account_id", str, "", "QuickBooks account (Id) payments are deposited to"),
    SettingSpec("quickbooks.refund_account_id", str, "", "QuickBooks account (Id) refunds are paid from"),
    SettingSpec("quickbooks.refund_account_name", str, "", "QuickBooks account refunds are paid from"),
    # the https page registered as redirect URI in the Intuit app ("" = the development loopback on localhost)
    SettingSpec("quickbooks.redirect_uri", str, "", "QuickBooks redirect URI"),
    # the merchant as its clients see it: on receipts and on the client portal's pages
    SettingSpec("merchant.name", str, "", "Company name"),
    SettingSpec("merchant.address", str, "", "Address (one line per row)"),
    SettingSpec("merchant.email", str, "", "Contact e-mail"),
    SettingSpec("merchant.phone", str, "", "Contact phone"),
    SettingSpec("merchant.logo_png", str, "", "Logo (PNG, base64)"),
    # the client portal (payapp/portal): off until an admin turns it on; links are {public_url}/pay/{token}
    SettingSpec("portal.enabled", bool, False, "Client portal on"),
    SettingSpec("portal.public_url", str, "", "Client portal address"),
    SettingSpec("portal.link_lifetime_days", int, 30, "Payment links expire after (days)"),
    SettingSpec("sync.interval_minutes", int, 15, "Sync every (minutes)"),
    # generated once per database (payapp/services/installation.py); part of every derived request id
    SettingSpec("installation.id", str, "", "Installation id", admin_only=False),
)

BY_KEY: dict[str, SettingSpec] = {s.key: s for s in SPECS}


class UnknownSetting(KeyError):
    pass


def spec(key: str) -> SettingSpec:
    try:
        return BY_KEY[key]
    except KeyError:
        raise UnknownSetting(key) from None
