"""The gateways PayApp can talk to, declared once: the credentials each needs (label, secret or not), the currencies
and payment types it supports, and where it lives. The Admin page and the services read this table; the adapter of a
gateway (payapp/connectors/gateways, the port in port.py) names its row as `spec`. A new gateway adds a row and an
adapter (docs/gateways.md)."""

from __future__ import annotations

from dataclasses import dataclass

from payapp.domain.messages import Message, msg


@dataclass(frozen=True)
class CredentialField:
    name: str            # keyring entry name, e.g. "gateway.private_key"
    label_message: Message  # shown next to the field (payapp/domain/message_catalogue.py)
    fingerprint_key: str  # settings key holding the fingerprint
    required: bool = True
    help_message: Message | None = None
    #: a secret (API key, password) is typed into a masked field; an identifier (merchant id, user name) is not
    #: secret, and is shown as typed while it is typed. Both live in the keyring and are never read back.
    secret: bool = True

    @property
    def label(self) -> str:
        """The label in English (services' texts and logs); the UI renders label_message."""
        return self.label_message.english()

    @property
    def help(self) -> str:
        return self.help_message.english() if self.help_message else ""


@dataclass(frozen=True)
class GatewaySpec:
    name: str
    label_message: Message
    fields: tuple[CredentialField, ...]
    currencies: frozenset[str]
    payment_types: frozenset[str]          # "card", "echeck", "sepa", "paypal"
    production_url: str
    sandbox_url: str = ""                  # "" = the admin enters the sandbox address
    #: settings key of this gateway's address (each gateway keeps its own, so a payment taken through a gateway
    #: that is no longer the chosen one can still be voided or refunded through it)
    base_url_key: str = "gateway.base_url"
    #: payment types offered per channel ("back_office" / "portal"); absent = every payment type
    channel_types: tuple[tuple[str, frozenset[str]], ...] = ()
    #: offered first when the internal currency is chosen
    home_currency: str = ""
    #: payment types the client portal takes on the gateway's own page (the hosted step: PayPal's Express Checkout,
    #: PayEngine's hosted card page) instead of the gateway's fields in PayApp's page (NMI's Collect.js)
    hosted_types: frozenset[str] = frozenset()

    @property
    def label(self) -> str:
        """The gateway's name in English (services' texts and logs); the UI renders label_message."""
        return self.label_message.english()

    def supports(self, currency: str) -> bool:
        return currency in self.currencies

    @property
    def primary(self) -> CredentialField:
        """The credential without which nothing can be charged: its fingerprint says "set up here"."""
        return self.fields[0]

    @property
    def server_extras(self) -> tuple[str, ...]:
        """Keyring names of the other credentials every server call needs besides the primary (a merchant id)."""
        return tuple(f.name for f in self.fields[1:] if f.required)

    def types_for(self, channel: str, currency: str = "") -> frozenset[str]:
        """The payment types this gateway offers on `channel`, in `currency` ("" = not chosen yet: any)."""
        types = dict(self.channel_types).get(channel, self.payment_types)
        return frozenset(t for t in types if not currency or currency in TYPE_CURRENCIES.get(t, {currency}))


#: the payment types and the channels that offer them, as messages (the UI renders them), and as (name, English)
PAYMENT_TYPE_LABELS: dict[str, Message] = {"card": msg("payment_type.card"), "echeck": msg("payment_type.echeck"),
                                           "sepa": msg("payment_type.sepa"), "paypal": msg("payment_type.paypal")}
PAYMENT_TYPES: tuple[tuple[str, str], ...] = tuple((name, label.english())
                                              for name, label in PAYMENT_TYPE_LABELS.items())
#: the gateway's product name of a payment type paid on its own page (PayEngine's `product`; PayPal has one product)
METHOD_PRODUCTS: dict[str, str] = {"card": "creditcard", "paypal": "paypal"}
ENVIRONMENT_LABELS: dict[str, Message] = {"back_office": msg("channel.back_office"), "portal": msg("channel.portal")}
ENVIRONMENTS: tuple[tuple[str, str], ...] = tuple((name, label.english()) for name, label in ENVIRONMENT_LABELS.items())
#: payment types bound to one currency: eCheck (ACH) is a US dollar scheme, SEPA direct debit a euro one
TYPE_CURRENCIES: dict[str, frozenset[str]] = {"echeck": frozenset({"USD"}), "sepa": frozenset({"EUR"})}

NMI = GatewaySpec(
    name="nmi",
    label_message=msg("gateway.nmi"),
    fields=(
        CredentialField("gateway.private_key", msg("gateway.nmi.private_key"), "gateway.private_key_fingerprint",
                        help_message=msg("gateway.nmi.private_key_help")),
        CredentialField("gateway.public_key", msg("gateway.nmi.public_key"), "gateway.public_key_fingerprint",
                        required=False, help_message=msg("gateway.nmi.public_key_help")),
    ),
    currencies=frozenset({"USD"}),
    payment_types=frozenset({"card", "echeck"}),
    production_url="https://secure.bngpaymentgateway.com",
    sandbox_url="",
    home_currency="USD",
)

#: Concardis PayEngine (now Nexi): REST with HTTP Basic merchant id + API key; test and live hosts.
PAYENGINE = GatewaySpec(
    name="payengine",
    label_message=msg("gateway.payengine"),
    fields=(
        CredentialField("gateway.payengine.api_key", msg("gateway.payengine.api_key"),
                        "gateway.payengine.api_key_fingerprint", help_message=msg("gateway.payengine.api_key_help")),
        CredentialField("gateway.payengine.merchant_id", msg("gateway.payengine.merchant_id"),
                        "gateway.payengine.merchant_id_fingerprint", secret=False,
                        help_message=msg("gateway.payengine.merchant_id_help")),
    ),
    currencies=frozenset({"EUR", "USD", "GBP", "CHF"}),
    # PayPal is one of PayEngine's products (`product: "paypal"`): the payer approves on PayPal's page, reached
    # through PayEngine's hosted step, so only the client portal offers it
    payment_types=frozenset({"card", "sepa", "paypal"}),
    production_url="https://api.payengine.de/v1",
    sandbox_url="https://apitest.payengine.de/v1",
    base_url_key="gateway.payengine.base_url",
    # the back office types card numbers and IBANs; the client portal never receives them: its card payments go
    # through PayEngine's hosted payment page, as its PayPal payments do
    channel_types=(("back_office", frozenset({"card", "sepa"})), ("portal", frozenset({"card", "paypal"}))),
    home_currency="EUR",
    hosted_types=frozenset({"card", "paypal"}),
)

#: PayPal (classic NVP, API signature): Express Checkout only, so the payer pays on PayPal's page (the portal's
#: hosted step); the back office cannot take a PayPal payment (PayApp never sees how the payer funds it).
PAYPAL = GatewaySpec(
    name="paypal",
    label_message=msg("gateway.paypal"),
    fields=(
        CredentialField("gateway.paypal.api_password", msg("gateway.paypal.api_password"),
                        "gateway.paypal.api_password_fingerprint",
                        help_message=msg("gateway.paypal.api_password_help")),
        CredentialField("gateway.paypal.api_username", msg("gateway.paypal.api_username"),
                        "gateway.paypal.api_username_fingerprint", secret=False,
                        help_message=msg("gateway.paypal.api_username_help")),
        CredentialField("gateway.paypal.api_signature", msg("gateway.paypal.api_signature"),
                        "gateway.paypal.api_signature_fingerprint",
                        help_message=msg("gateway.paypal.api_signature_help")),
    ),
    # the currencies PayPal accepts for payments (developer.paypal.com, "Currency codes")
    currencies=frozenset({"AUD", "BRL", "CAD", "CHF", "CZK", "DKK", "EUR", "GBP", "HKD", "HUF", "ILS", "JPY",
                          "MXN", "NOK", "NZD", "PHP", "PLN", "SEK", "SGD", "THB", "USD"}),
    payment_types=frozenset({"paypal"}),
    production_url="https://api-3t.paypal.com",
    sandbox_url="https://api-3t.sandbox.paypal.com",
    base_url_key="gateway.paypal.base_url",
    channel_types=(("back_office", frozenset()), ("portal", frozenset({"paypal"}))),
    home_currency="EUR",
    hosted_types=frozenset({"paypal"}),
)

GATEWAYS: dict[str, GatewaySpec] = {g.name: g for g in (NMI, PAYENGINE, PAYPAL)}
#: not offered: giropay, which had absorbed paydirekt, closed at the end of 2024
NOT_OFFERED: tuple[tuple[str, str], ...] = (("paydirekt", "giropay (with paydirekt) closed at the end of 2024"),)


def gateway_spec(name: str) -> GatewaySpec | None:
    return GATEWAYS.get(name)


#: Currencies offered when the internal currency is chosen (ISO 4217); the gateway's own come first.
COMMON_CURRENCIES: tuple[str, ...] = ("USD", "CAD", "EUR", "GBP", "AUD", "NZD", "CHF", "JPY", "MXN")
