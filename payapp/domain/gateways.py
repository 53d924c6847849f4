"""The gateways PayApp can talk to, declared once: the credentials each needs, the currencies and payment
types it supports, and where it lives. The Admin page and the services read this table; a new gateway
adds a row (and a connector)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CredentialField:
    name: str            # keyring entry name, e.g. "gateway.private_key"
    label: str           # shown next to the masked field
    fingerprint_key: str  # settings key holding the fingerprint
    required: bool = True
    help: str = ""


@dataclass(frozen=True)
class GatewaySpec:
    name: str
    label: str
    fields: tuple[CredentialField, ...]
    currencies: frozenset[str]
    payment_types: frozenset[str]          # "card", "echeck"
    production_url: str
    sandbox_url: str = ""                  # "" = the admin enters the sandbox address

    def supports(self, currency: str) -> bool:
        return currency in self.currencies


PAYMENT_TYPES: tuple[tuple[str, str], ...] = (("card", "Credit card"), ("echeck", "eCheck"))
ENVIRONMENTS: tuple[tuple[str, str], ...] = (("back_office", "Back office"), ("portal", "Client portal"))

NMI = GatewaySpec(
    name="nmi",
    label="BNG Gateway (NMI protocol)",
    fields=(
        CredentialField("gateway.private_key", "Private key (security key)", "gateway.private_key_fingerprint",
                        help="Server-side key used for every charge, refund and look-up."),
        CredentialField("gateway.public_key", "Public key (tokenization key)", "gateway.public_key_fingerprint",
                        required=False, help="Used only by the client portal's card form (Collect.js)."),
    ),
    currencies=frozenset({"USD"}),
    payment_types=frozenset({"card", "echeck"}),
    production_url="https://secure.bngpaymentgateway.com",
    sandbox_url="",
)

GATEWAYS: dict[str, GatewaySpec] = {g.name: g for g in (NMI,)}


def gateway_spec(name: str) -> GatewaySpec | None:
    return GATEWAYS.get(name)


#: Currencies offered when the internal currency is chosen (ISO 4217); the gateway's own come first.
COMMON_CURRENCIES: tuple[str, ...] = ("USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "JPY", "MXN")
