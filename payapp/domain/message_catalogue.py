"""Every message the Qt-free layers give a person, by id: its English and its German, the one place either lives.

Templates name their values in braces ("The security code has {digits} digits."); payapp/domain/messages.py
checks a message's values against the English template and writes them the language's way. A new message adds an
entry to ENGLISH and to GERMAN (tests/unit/test_messages.py fails when the German is missing or names other
values); ids are grouped by what they are about ("card.", "amount.") and never reused for another meaning.
A Python module, not a data file, so the bundle (PyInstaller) and mypy need nothing more.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # payapp/domain/money.py: typing an amount (shown next to the field)
    "amount.enter": "Enter an amount.",
    "amount.not_an_amount": "That is not an amount.",
    "amount.decimal_places": "Use at most {digits} decimal places.",
    "amount.currency_decimal_places": "Amounts in {currency} have at most {digits} decimal places.",
    "amount.cents_after_comma": "Write cents after a comma (12,50); a dot only separates thousands (1.000).",
    "amount.cents_after_dot": "Write cents after a dot (12.50); a comma only separates thousands (1,000).",
    "amount.at_most": "An amount can be at most {maximum}.",
    # payapp/domain/validation.py: a card, a bank account, an address, a search filter, a key
    "card.number_missing": "Enter the card number.",
    "card.number_digits_only": "A card number has digits only.",
    "card.number_length": "The card number is too short or too long.",
    "card.number_invalid": "This card number is not valid. Check the digits.",
    "card.expiry_format": "Enter the expiry as MM/YY.",
    "card.expiry_month": "The month must be 01 to 12.",
    "card.expired": "This card has expired.",
    "card.expiry_too_far": "The expiry year is too far ahead.",
    "card.cvv_digits": "The security code has {digits} digits.",
    "bank.routing_digits": "A routing number has 9 digits.",
    "bank.routing_invalid": "This routing number is not valid. Check the digits.",
    "bank.account_digits": "An account number has 4 to 17 digits.",
    "address.zip_missing": "Enter the billing ZIP code.",
    "address.zip_format": "A ZIP code has 5 digits, or 5 and 4 (12345-6789).",
    "address.postal_code_missing": "Enter the postal code.",
    "address.canadian_postal_code": "A Canadian postal code looks like K1A 0B1.",
    "search.last_four": "Enter the last 4 digits of the card or account.",
    "key.characters": "A key has letters, digits and signs only, without spaces: paste it again from the "
                      "provider's page.",
    # payapp/domain/colour.py: the portal's accent colour
    "colour.format": "Enter a colour like #1f5fae.",
    # payapp/domain/ach.py and sepa.py: bank debits
    "ach.holder_type": "Choose personal or business.",
    "sepa.iban_missing": "Enter the IBAN.",
    "sepa.iban_invalid": "That IBAN is not valid. Check it and type it again.",
    "sepa.bic_invalid": "That BIC is not valid.",
    "sepa.bic_invalid_or_empty": "That BIC is not valid. Check it, or leave it empty.",
    "sepa.reference_invalid": "That mandate reference is not valid.",
    # payapp/domain/payment_state.py: a change of status the state machine refuses, and the status words it names
    "payment.illegal_transition": "A payment that is {current} cannot become {new}.",
    "payment_status.pending": "pending",
    "payment_status.unknown": "unknown",
    "payment_status.approved": "approved",
    "payment_status.declined": "declined",
    "payment_status.settled": "settled",
    "payment_status.voided": "voided",
    "payment_status.refunded": "refunded",
    "payment_status.partially_refunded": "partially refunded",
    "payment_status.returned": "returned",
    "payment_status.error": "error",
    # payapp/domain/card_checks.py: the gateway's AVS result in plain words (banner, Payment details)
    "avs.street_and_zip9": "Street address and 9-digit ZIP code match.",
    "avs.street_and_zip5": "Street address and 5-digit ZIP code match.",
    "avs.street_and_postal": "Street address and postal code match.",
    "avs.street_not_zip": "Street address matches; ZIP code does not.",
    "avs.street_postal_unchecked": "Street address matches; postal code not checked.",
    "avs.zip9_not_street": "9-digit ZIP code matches; street address does not.",
    "avs.zip5_not_street": "5-digit ZIP code matches; street address does not.",
    "avs.postal_street_unchecked": "Postal code matches; street address not checked.",
    "avs.no_match": "Neither street address nor ZIP code matches.",
    "avs.no_information": "Address information is not available from the card issuer.",
    "avs.issuer_abroad": "The card issuer (outside the U.S.) does not check addresses.",
    "avs.issuer_unavailable": "The card issuer's system was unavailable; try again to check the address.",
    "avs.not_allowed": "Address check not allowed for this kind of transaction.",
    "avs.not_supported": "The card issuer does not support address checks.",
    "avs.not_available": "Address check not available.",
    "avs.name_street_zip": "Street address, ZIP code and cardholder name match.",
    "avs.name_street_not_zip": "Street address and cardholder name match; ZIP code does not.",
    "avs.name_zip_not_street": "ZIP code and cardholder name match; street address does not.",
    "avs.name_no_match": "Neither street address, ZIP code nor cardholder name matches.",
    "avs.not_checked": "Address not checked.",
    "avs.unknown_code": "Address check: unknown result code {code}.",
    # ... and the CVV result
    "cvv.match": "Security code (CVV) matches.",
    "cvv.no_match": "Security code (CVV) does not match.",
    "cvv.not_checked": "Security code (CVV) not checked.",
    "cvv.not_present": "The security code (CVV) should be on the card, but was not given as present.",
    "cvv.issuer_does_not_check": "The card issuer does not check security codes (CVV).",
    "cvv.unknown_code": "Security code check: unknown result code {code}.",
    # payapp/services/auth.py and users.py: signing in, users and roles
    "auth.sign_in_first": "Sign in first.",
    "auth.role_may_not": "Your role ({role}) may not do this.",
    "users.admin_exists": "An admin account exists already: sign in instead.",
    "users.wrong_password": "Wrong username or password.",
    "users.disabled": "This account is disabled. Ask an admin.",
    "users.locked_minute": "Too many failed sign-ins: this account is locked for {minutes} more minute. Try again "
                           "later or ask an admin.",
    "users.locked_minutes": "Too many failed sign-ins: this account is locked for {minutes} more minutes. Try again "
                            "later or ask an admin.",
    "users.username_taken": "The username {username} is taken.",
    "users.gone": "That user no longer exists.",
    "users.last_admin": "This is the last active admin: make another user admin first.",
    "users.username_rule": "Choose a username without spaces (up to 100 characters).",
    "users.password_length": "The password needs at least {characters} characters.",
    "users.role_choice": "Choose admin, finance or viewer.",
    # payapp/services/payment_links.py, invoices.py, portal_access.py: invoices, payment links, portal access
    "portal.address_missing": "Set the client portal's address in Admin › Client Portal first.",
    "invoice.gone": "The invoice no longer exists.",
    "invoice.this_gone": "This invoice no longer exists.",
    "invoice.voided_nothing_to_pay": "Invoice {invoice} is voided; there is nothing to pay.",
    "invoice.paid_nothing_to_pay": "Invoice {invoice} is paid in full; there is nothing to pay.",
    "invoice.status_choice": "Choose a status from the list.",
    "contact.gone": "The contact no longer exists.",
    "portal_access.may_pay_choice": "Choose yes, no or the default.",
    # payapp/services/refund_approvals.py: refunds that need a second user
    "payment.this_gone": "This payment no longer exists.",
    "refund_approval.named_user": "Sign in as a named user to ask for a refund approval.",
    "refund_approval.at_most_waiting": "You can refund at most {amount} (other refunds are waiting for approval).",
    "refund_approval.gone": "This approval request no longer exists.",
    "refund_approval.already_decided": "This request was already {status}.",
    "refund_approval.another_user": "A refund you asked for must be approved by another user.",
    # payapp/services/mail.py: e-mail set-up (Admin › Client Portal) and sending
    "mail.address_missing": "Enter an e-mail address.",
    "mail.address_invalid": "That is not an e-mail address. Write it like name@example.com.",
    "mail.host_missing": "Enter the mail server's host name.",
    "mail.host_invalid": "That is not a host name. Write it like smtp.example.com.",
    "mail.port_range": "The port is a number from 1 to 65535.",
    "mail.tls_choice": "Choose STARTTLS, TLS or no encryption.",
    "mail.user_invalid": "The user name is too long or has a line break.",
    "mail.password_line_break": "The password has a line break: type it again.",
    "mail.not_set_up": "E-mail is not set up: enter the mail server and sender in Admin › Client Portal.",
    "mail.password_missing": "The mail server's password is not on this computer: enter it in Admin › Client Portal.",
    "mail.no_starttls": "The mail server at {server} does not offer STARTTLS: choose TLS, or ask the server's "
                        "administrator.",
    "mail.no_auth": "The mail server at {server} does not offer a sign-in (AUTH) on this connection: check the "
                    "encryption setting, or leave the user name empty.",
    "mail.recipient_refused": "The mail server refused the recipient: {reason}",
    "mail.login_refused": "The mail server refused the user name or password: {reason}",
    "mail.sender_refused": "The mail server refused the sender address: {reason}",
    "mail.disconnected": "The mail server at {server} closed the connection before the message was accepted "
                         "({reason}). Nothing was sent; try again.",
    "mail.not_taken": "The mail server did not take the message: {reason}",
    "mail.certificate_not_trusted": "The mail server's certificate is not trusted ({reason}): check the host name.",
    "mail.no_encryption": "No encrypted connection to the mail server at {server} ({reason}): check the port and the "
                          "encryption (STARTTLS is usually port 587, TLS port 465).",
    "mail.timeout": "The mail server at {server} did not answer in time. Nothing was sent; try again.",
    "mail.unreachable": "The mail server at {server} cannot be reached ({reason}).",
    # payapp/services/mail_templates.py, invoice_mail.py: e-mail templates, receipts by e-mail; demo_data.py
    "mail_template.unknown_kind": "There is no e-mail template of that kind.",
    "mail_template.cannot_fill": "The e-mail template cannot be filled in.",
    "mail_template.subject_empty": "The subject is empty.",
    "mail_template.text_empty": "The text is empty.",
    "mail_template.too_long": "The template is too long.",
    "mail_template.unknown_placeholders": "Unknown placeholders: {placeholders}",
    "receipt.payment_not_taken": "This payment was not taken, so it has no receipt to send.",
    "demo.gateway_no_answer": "The demo gateway did not answer. Try again.",
    # payapp/services/secrets.py: the keyring
    "secrets.insecure_keyring": "Keys cannot be saved: this computer's keyring ({backend}) keeps secrets in plain "
                                "text or is not available. Use the system keychain (Windows Credential Manager, "
                                "macOS Keychain, or a Secret Service such as GNOME Keyring or KWallet), then save "
                                "again.",
    # payapp/domain/gateways.py: the gateway table (names, credential labels and their help)
    "gateway.nmi": "BNG Gateway (NMI protocol)",
    "gateway.nmi.private_key": "Private key (security key)",
    "gateway.nmi.private_key_help": "Server-side key used for every charge, refund and look-up.",
    "gateway.nmi.public_key": "Public key (tokenization key)",
    "gateway.nmi.public_key_help": "Used only by the client portal's card form (Collect.js).",
    "gateway.payengine": "Concardis PayEngine",
    "gateway.payengine.api_key": "API key",
    "gateway.payengine.api_key_help": "The merchant's API key (HTTP Basic password of every server call).",
    "gateway.payengine.merchant_id": "Merchant ID",
    "gateway.payengine.merchant_id_help": "The merchant id PayEngine gave you with the API key.",
    "gateway.paypal": "PayPal",
    "gateway.paypal.api_password": "API password",
    "gateway.paypal.api_password_help": "The API password of the PayPal business account's API signature credentials.",
    "gateway.paypal.api_username": "API username",
    "gateway.paypal.api_username_help": "The API username PayPal shows with the password and signature (it names the "
                                        "account; it is not secret).",
    "gateway.paypal.api_signature": "API signature",
    "gateway.paypal.api_signature_help": "The API signature PayPal shows with the API username and password.",
    # payapp/services/connections.py: Admin › Connections, Autotask, QuickBooks
    "quickbooks.redirect_uri_https": "The redirect URI must be an https address registered in your Intuit app (for "
                                     "example https://www.example.com/quickbooks).",
    "quickbooks.redirect_uri_ip": "Intuit does not accept an IP address in a redirect URI: use a host name.",
    "quickbooks.paste_address": "Paste the address your browser shows after you signed in to QuickBooks.",
    "quickbooks.no_sign_in_code": "That address has no sign-in code: paste the whole address your browser shows "
                                  "after you signed in.",
    "connections.demo_only": "Only the demo company connects to the sandboxes by itself.",
    "autotask.api_user_missing": "Enter the Autotask API user (an e-mail address).",
    "autotask.address_https": "The Autotask address must start with https://.",
    "autotask.secret_missing": "Enter the API user's secret.",
    "autotask.integration_code_missing": "Enter the API tracking identifier (integration code).",
    "autotask.not_set_up": "Autotask is not set up on this workstation: enter the API user, secret and integration "
                           "code in Admin › Connections.",
    "autotask.secret_replaced": "The Autotask secret was replaced on another workstation: enter it here too in Admin "
                                "› Connections.",
    "quickbooks.client_id_missing": "Enter the QuickBooks client id.",
    "quickbooks.client_secret_missing": "Enter the QuickBooks client secret.",
    "quickbooks.client_missing": "Enter the QuickBooks client id and client secret in Admin › Connections first.",
    "quickbooks.sign_in_unknown": "This QuickBooks sign-in is not the one PayApp started (or it took too long): "
                                  "click Connect QuickBooks again.",
    "quickbooks.no_company": "QuickBooks did not send a company to connect.",
    "quickbooks.connect_first": "Click Connect QuickBooks first, then paste the address you land on.",
    "quickbooks.paste_whole_address": "Paste the whole address (it names the company), not only the code.",
    "quickbooks.refund_account_choice": "Choose the bank account refunds are paid from.",
    "quickbooks.browserless_demo_only": "Connecting without a browser is only for demo mode.",
    "quickbooks.did_not_connect": "QuickBooks did not connect: {error}. Click Connect QuickBooks to try again.",
    # payapp/services/sync/locking.py and service.py: the sync lock
    "sync.already_running": "A sync is already running on this workstation.",
    "sync.lock_taken_over": "Another workstation took over the sync lock; this sync stopped.",
    "sync.busy_elsewhere": "Another workstation ({workstation}) is syncing with Autotask right now. Its changes will "
                           "appear here when it finishes; try again in a few minutes.",
    "sync.another_workstation": "another workstation",
    # payapp/services/saved_methods.py, payment_search.py, receipts.py, installation.py
    "saved_method.already_deleted": "This saved payment method was already deleted.",
    "saved_method.expiry_card_only": "Only a card has an expiry date.",
    "saved_method.deleted_meanwhile": "This saved payment method was deleted meanwhile.",
    "payment.that_gone": "That payment no longer exists.",
    "installation.id_unreadable": "The installation id in the settings cannot be read.",
    "saved_method.name_length": "A name can be at most {characters} characters.",
    "saved_method.expiry_not_taken": "The gateway did not take the new expiry ({reason}). The saved card still has "
                                     "the old one; try again.",
    "saved_method.delete_not_done": "The gateway did not delete the saved method ({reason}). It is still saved; try "
                                    "again.",
    "gateway.no_answer": "no answer",
    # payapp/domain/gateways.py: payment types and channels; payapp/services/processing.py: Admin › Payment Processing
    "payment_type.card": "Credit card",
    "payment_type.echeck": "eCheck",
    "payment_type.sepa": "SEPA direct debit",
    "payment_type.paypal": "PayPal",
    "channel.back_office": "Back office",
    "channel.portal": "Client portal",
    "processing.address_https": "The gateway address must start with https:// and name a host.",
    "processing.address_extras": "The gateway address must not carry a user, password or query.",
    "processing.unknown_gateway": "PayApp does not know the gateway {gateway}.",
    "processing.key_missing": "Type a key to save.",
    "processing.unknown_payment_type": "Unknown payment type {name}.",
    "processing.type_not_offered": "{gateway} does not take {payment_type} payments.",
    "processing.type_not_offered_portal": "{gateway} does not take {payment_type} payments in the client portal.",
    "processing.unknown_environment": "Unknown environment {name}.",
    "processing.currency_not_supported": "{gateway} does not take {currency}, the internal currency.",
    "processing.currency_code": "Choose a three-letter ISO 4217 currency code, e.g. USD.",
    "processing.currency_set_once": "The internal currency is {currency} and can never be changed.",
    # payapp/services/payments/ and refund_approvals.py: taking, voiding and refunding payments
    "payment.account_type": "Choose checking or savings.",
    "payment.account_name": "Enter the name on the account.",
    "payment.sepa_holder": "Enter the name of the account holder.",
    "payment.choose_method": "Choose a payment method.",
    "payment.token_unreadable": "The payment details could not be read. Enter them again.",
    "payment.card_or_bank": "Choose a card or a bank account.",
    "payment.unknown_source": "Unknown payment source.",
    "payment.portal_source_only": "The client portal takes client portal payments only.",
    "payment.portal_tokenized_only": "The client portal takes tokenized or saved payment methods only.",
    "payment.amount_above_zero": "Enter an amount above zero.",
    "payment.gateway_minimum": "The gateway takes payments of {minimum} or more.",
    "payment.invoice_voided": "This invoice was voided; it cannot be paid.",
    "payment.invoice_currency": "This invoice is in {invoice_currency}, but payments are taken in {currency}.",
    "payment.contact_other_company": "This contact does not belong to the invoice's company.",
    "payment.saved_method_deleted": "This saved payment method was deleted. Choose another one.",
    "payment.saved_method_other_company": "This saved payment method belongs to another company.",
    "payment.saved_method_other_gateway": "This saved payment method is kept by another gateway than the one payments "
                                          "now go through. Enter the card or account again.",
    "payment.type_not_in_portal": "{payment_type} payments are not available in the client portal.",
    "payment.type_not_enabled": "{payment_type} payments are not enabled. An admin can enable them in Admin.",
    "payment.ach_consent": "The customer must agree to the ACH debit authorization before an eCheck is taken.",
    "payment.sepa_mandate_consent": "The account holder must agree to the SEPA direct debit mandate before the debit "
                                    "is taken.",
    "payment.more_than_balance": "The amount is more than the open balance of {balance}.",
    "payment.more_than_balance_held": "The amount is more than the open balance of {balance} (a payment still being "
                                      "confirmed is held against it).",
    # {time}: as the duplicate check compares it, in UTC ("2026-12-04 14:05")
    "payment.already_paid": "{amount} was already paid on invoice {invoice} at {time} UTC. Pay again only if the "
                            "customer really means to pay twice.",
    "payment.already_paid_by": "{amount} was already paid on invoice {invoice} by {user} at {time} UTC. Pay again "
                               "only if the customer really means to pay twice.",
    "payment.not_refundable": "A payment that is {status} cannot be voided or refunded.",
    "payment.lookup_failed": "The gateway could not be asked about this payment ({reason}). Nothing was changed; try "
                             "again.",
    "payment.gateway_state_not_refundable": "The gateway shows this payment as '{state}', so it cannot be voided or "
                                            "refunded from PayApp. Check it in the gateway's portal.",
    "refund.still_confirming": "A void or refund of this payment is still being confirmed. Wait for it.",
    "refund.void_in_full": "Until the payment settles (usually the next business day) it can only be voided in "
                           "full. Void it, or refund part of it after it settles.",
    "refund.at_most": "You can refund at most {amount}.",
    "refund.whole_to_reopen": "Only a refund of the whole payment can re-open the invoice. Refund part of it with "
                              "the invoice kept paid, or refund all of it.",
    # payapp/services/settings.py: why payment processing is not active (taking a payment raises it again)
    "processing.gateway_unknown_choose": "PayApp cannot talk to the gateway {gateway}: choose another in Admin.",
    "processing.not_set_up": "Payment processing is not set up: enter the gateway keys in Admin.",
    "processing.keys_not_here": "The gateway keys are not on this workstation: enter them in Admin.",
    "processing.keys_replaced_by": "The gateway keys were replaced by {user} on another workstation: enter the new "
                                   "keys here in Admin.",
    "processing.keys_replaced": "The gateway keys were replaced by another admin on another workstation: enter the "
                                "new keys here in Admin.",
    "processing.choose_currency": "Choose the internal currency in Admin.",
    "processing.currency_unsupported": "The gateway does not support {currency}; it takes {currencies}.",
    "processing.currency_unsupported_none": "The gateway does not support {currency}; it takes no currency.",
    "processing.no_payment_type": "No payment type is enabled: enable credit card or eCheck in Admin.",
    # payapp/services/gateways.py: a gateway PayApp cannot build (taking a payment raises it again)
    "gateways.cannot_talk": "PayApp cannot talk to the gateway {gateway}.",
    # {credential}: the credential's label as the sentence writes it, in lower case ("private key (security key)")
    "gateways.not_set_up_here": "Payment processing through {gateway} is not set up on this workstation: enter the "
                                "gateway's {credential} in Admin.",
    "gateways.enter_credential": "{gateway}: enter the {credential} in Admin.",
    "gateways.address_missing": "The gateway address is missing: enter it in Admin.",
}

GERMAN: dict[str, str] = {
    "amount.enter": "Geben Sie einen Betrag ein.",
    "amount.not_an_amount": "Das ist kein Betrag.",
    "amount.decimal_places": "Verwenden Sie höchstens {digits} Nachkommastellen.",
    "amount.currency_decimal_places": "Beträge in {currency} haben höchstens {digits} Nachkommastellen.",
    "amount.cents_after_comma": "Cents mit Komma schreiben (12,50); ein Punkt trennt nur Tausender (1.000).",
    "amount.cents_after_dot": "Cents mit Punkt schreiben (12.50); ein Komma trennt hier nur Tausender (1,000).",
    "amount.at_most": "Ein Betrag darf höchstens {maximum} sein.",
    "card.number_missing": "Geben Sie die Kartennummer ein.",
    "card.number_digits_only": "Eine Kartennummer besteht nur aus Ziffern.",
    "card.number_length": "Die Kartennummer ist zu kurz oder zu lang.",
    "card.number_invalid": "Diese Kartennummer ist ungültig. Prüfen Sie die Ziffern.",
    "card.expiry_format": "Geben Sie das Ablaufdatum als MM/JJ ein.",
    "card.expiry_month": "Der Monat muss zwischen 01 und 12 liegen.",
    "card.expired": "Diese Karte ist abgelaufen.",
    "card.expiry_too_far": "Das Ablaufjahr liegt zu weit in der Zukunft.",
    "card.cvv_digits": "Die Prüfnummer hat {digits} Ziffern.",
    "bank.routing_digits": "Eine Bankleitzahl (Routing-Nummer) hat 9 Ziffern.",
    "bank.routing_invalid": "Diese Bankleitzahl ist ungültig. Prüfen Sie die Ziffern.",
    "bank.account_digits": "Eine Kontonummer hat 4 bis 17 Ziffern.",
    "address.zip_missing": "Geben Sie die Postleitzahl der Rechnungsadresse ein.",
    "address.zip_format": "Eine US-Postleitzahl (ZIP) hat 5 Ziffern oder 5 und 4 (12345-6789).",
    "address.postal_code_missing": "Geben Sie die Postleitzahl ein.",
    "address.canadian_postal_code": "Eine kanadische Postleitzahl sieht so aus: K1A 0B1.",
    "search.last_four": "Geben Sie die letzten 4 Ziffern der Karte oder des Kontos ein.",
    "key.characters": "Ein Schlüssel besteht nur aus Buchstaben, Ziffern und Zeichen, ohne Leerzeichen: Fügen Sie "
                      "ihn noch einmal von der Seite des Anbieters ein.",
    "colour.format": "Geben Sie eine Farbe wie #1f5fae ein.",
    "ach.holder_type": "Wählen Sie privat oder geschäftlich.",
    "sepa.iban_missing": "Geben Sie die IBAN ein.",
    "sepa.iban_invalid": "Diese IBAN ist ungültig. Prüfen Sie sie und geben Sie sie erneut ein.",
    "sepa.bic_invalid": "Diese BIC ist ungültig.",
    "sepa.bic_invalid_or_empty": "Diese BIC ist ungültig. Prüfen Sie sie oder lassen Sie das Feld leer.",
    "sepa.reference_invalid": "Diese Mandatsreferenz ist ungültig.",
    "payment.illegal_transition": "Eine Zahlung mit dem Status „{current}“ kann nicht in den Status „{new}“ "
                                  "wechseln.",
    "payment_status.pending": "ausstehend",
    "payment_status.unknown": "unbekannt",
    "payment_status.approved": "genehmigt",
    "payment_status.declined": "abgelehnt",
    "payment_status.settled": "abgerechnet",
    "payment_status.voided": "storniert",
    "payment_status.refunded": "erstattet",
    "payment_status.partially_refunded": "teilweise erstattet",
    "payment_status.returned": "zurückgebucht",
    "payment_status.error": "fehlgeschlagen",
    "avs.street_and_zip9": "Straße und 9-stellige Postleitzahl stimmen überein.",
    "avs.street_and_zip5": "Straße und 5-stellige Postleitzahl stimmen überein.",
    "avs.street_and_postal": "Straße und Postleitzahl stimmen überein.",
    "avs.street_not_zip": "Die Straße stimmt überein, die Postleitzahl nicht.",
    "avs.street_postal_unchecked": "Die Straße stimmt überein; die Postleitzahl wurde nicht geprüft.",
    "avs.zip9_not_street": "Die 9-stellige Postleitzahl stimmt überein, die Straße nicht.",
    "avs.zip5_not_street": "Die 5-stellige Postleitzahl stimmt überein, die Straße nicht.",
    "avs.postal_street_unchecked": "Die Postleitzahl stimmt überein; die Straße wurde nicht geprüft.",
    "avs.no_match": "Weder Straße noch Postleitzahl stimmen überein.",
    "avs.no_information": "Die Kartenbank hat keine Adressangaben.",
    "avs.issuer_abroad": "Die Kartenbank (außerhalb der USA) prüft keine Adressen.",
    "avs.issuer_unavailable": "Das System der Kartenbank war nicht erreichbar; versuchen Sie es erneut, um die "
                              "Adresse zu prüfen.",
    "avs.not_allowed": "Für diese Art von Transaktion ist keine Adressprüfung erlaubt.",
    "avs.not_supported": "Die Kartenbank unterstützt keine Adressprüfung.",
    "avs.not_available": "Adressprüfung nicht verfügbar.",
    "avs.name_street_zip": "Straße, Postleitzahl und Name des Karteninhabers stimmen überein.",
    "avs.name_street_not_zip": "Straße und Name des Karteninhabers stimmen überein, die Postleitzahl nicht.",
    "avs.name_zip_not_street": "Postleitzahl und Name des Karteninhabers stimmen überein, die Straße nicht.",
    "avs.name_no_match": "Weder Straße noch Postleitzahl noch Name des Karteninhabers stimmen überein.",
    "avs.not_checked": "Adresse nicht geprüft.",
    "avs.unknown_code": "Adressprüfung: unbekannter Ergebniscode {code}.",
    "cvv.match": "Der Sicherheitscode (CVV) stimmt überein.",
    "cvv.no_match": "Der Sicherheitscode (CVV) stimmt nicht überein.",
    "cvv.not_checked": "Der Sicherheitscode (CVV) wurde nicht geprüft.",
    "cvv.not_present": "Der Sicherheitscode (CVV) sollte auf der Karte stehen, wurde aber als nicht vorhanden "
                       "angegeben.",
    "cvv.issuer_does_not_check": "Die Kartenbank prüft keine Sicherheitscodes (CVV).",
    "cvv.unknown_code": "Prüfung des Sicherheitscodes: unbekannter Ergebniscode {code}.",
    "auth.sign_in_first": "Melden Sie sich zuerst an.",
    "auth.role_may_not": "Ihre Rolle ({role}) darf das nicht.",
    "users.admin_exists": "Es gibt bereits ein Administratorkonto: Melden Sie sich stattdessen an.",
    "users.wrong_password": "Benutzername oder Passwort ist falsch.",
    "users.disabled": "Dieses Konto ist deaktiviert. Wenden Sie sich an einen Administrator.",
    "users.locked_minute": "Zu viele fehlgeschlagene Anmeldungen: Dieses Konto ist noch {minutes} Minute gesperrt. "
                           "Versuchen Sie es später erneut oder wenden Sie sich an einen Administrator.",
    "users.locked_minutes": "Zu viele fehlgeschlagene Anmeldungen: Dieses Konto ist noch {minutes} Minuten gesperrt. "
                            "Versuchen Sie es später erneut oder wenden Sie sich an einen Administrator.",
    "users.username_taken": "Der Benutzername {username} ist vergeben.",
    "users.gone": "Diesen Benutzer gibt es nicht mehr.",
    "users.last_admin": "Dies ist der letzte aktive Administrator: Machen Sie zuerst einen anderen Benutzer zum "
                        "Administrator.",
    "users.username_rule": "Wählen Sie einen Benutzernamen ohne Leerzeichen (bis zu 100 Zeichen).",
    "users.password_length": "Das Passwort braucht mindestens {characters} Zeichen.",
    "users.role_choice": "Wählen Sie Administrator, Finanzen oder Nur Lesen.",
    "portal.address_missing": "Legen Sie zuerst die Adresse des Kundenportals unter Admin › Kundenportal fest.",
    "invoice.gone": "Die Rechnung existiert nicht mehr.",
    "invoice.this_gone": "Diese Rechnung gibt es nicht mehr.",
    "invoice.voided_nothing_to_pay": "Rechnung {invoice} ist storniert; es gibt nichts zu bezahlen.",
    "invoice.paid_nothing_to_pay": "Rechnung {invoice} ist vollständig bezahlt; es gibt nichts zu bezahlen.",
    "invoice.status_choice": "Wählen Sie einen Status aus der Liste.",
    "contact.gone": "Den Kontakt gibt es nicht mehr.",
    "portal_access.may_pay_choice": "Wählen Sie Ja, Nein oder die Voreinstellung.",
    "payment.this_gone": "Diese Zahlung gibt es nicht mehr.",
    "refund_approval.named_user": "Melden Sie sich als namentlicher Benutzer an, um eine Erstattungsfreigabe "
                                  "anzufordern.",
    "refund_approval.at_most_waiting": "Sie können höchstens {amount} erstatten (andere Erstattungen warten auf "
                                       "Freigabe).",
    "refund_approval.gone": "Diese Freigabeanfrage gibt es nicht mehr.",
    "refund_approval.already_decided": "Diese Anfrage wurde bereits bearbeitet ({status}).",
    "refund_approval.another_user": "Eine Erstattung, die Sie angefordert haben, muss ein anderer Benutzer freigeben.",
    "mail.address_missing": "Geben Sie eine E-Mail-Adresse ein.",
    "mail.address_invalid": "Das ist keine E-Mail-Adresse. Schreiben Sie sie wie name@example.com.",
    "mail.host_missing": "Geben Sie den Hostnamen des Mailservers ein.",
    "mail.host_invalid": "Das ist kein Hostname. Schreiben Sie ihn wie smtp.example.com.",
    "mail.port_range": "Der Port ist eine Zahl von 1 bis 65535.",
    "mail.tls_choice": "Wählen Sie STARTTLS, TLS oder keine Verschlüsselung.",
    "mail.user_invalid": "Der Benutzername ist zu lang oder enthält einen Zeilenumbruch.",
    "mail.password_line_break": "Das Passwort enthält einen Zeilenumbruch: Geben Sie es noch einmal ein.",
    "mail.not_set_up": "E-Mail ist nicht eingerichtet: Geben Sie Mailserver und Absender unter Admin › Kundenportal "
                       "ein.",
    "mail.password_missing": "Das Passwort des Mailservers ist nicht auf diesem Computer: Geben Sie es unter Admin › "
                             "Kundenportal ein.",
    "mail.no_starttls": "Der Mailserver {server} bietet kein STARTTLS an: Wählen Sie TLS oder fragen Sie den "
                        "Administrator des Servers.",
    "mail.no_auth": "Der Mailserver {server} bietet auf dieser Verbindung keine Anmeldung (AUTH) an: Prüfen Sie die "
                    "Verschlüsselung oder lassen Sie den Benutzernamen leer.",
    "mail.recipient_refused": "Der Mailserver hat den Empfänger abgelehnt: {reason}",
    "mail.login_refused": "Der Mailserver hat Benutzername oder Passwort abgelehnt: {reason}",
    "mail.sender_refused": "Der Mailserver hat die Absenderadresse abgelehnt: {reason}",
    "mail.disconnected": "Der Mailserver {server} hat die Verbindung getrennt, bevor er die Nachricht angenommen hat "
                         "({reason}). Es wurde nichts gesendet; versuchen Sie es noch einmal.",
    "mail.not_taken": "Der Mailserver hat die Nachricht nicht angenommen: {reason}",
    "mail.certificate_not_trusted": "Dem Zertifikat des Mailservers wird nicht vertraut ({reason}): Prüfen Sie den "
                                    "Hostnamen.",
    "mail.no_encryption": "Keine verschlüsselte Verbindung zum Mailserver {server} ({reason}): Prüfen Sie Port und "
                          "Verschlüsselung (STARTTLS meist Port 587, TLS Port 465).",
    "mail.timeout": "Der Mailserver {server} hat nicht rechtzeitig geantwortet. Es wurde nichts gesendet; versuchen "
                    "Sie es noch einmal.",
    "mail.unreachable": "Der Mailserver {server} ist nicht erreichbar ({reason}).",
    "mail_template.unknown_kind": "Eine E-Mail-Vorlage dieser Art gibt es nicht.",
    "mail_template.cannot_fill": "Die E-Mail-Vorlage kann nicht ausgefüllt werden.",
    "mail_template.subject_empty": "Der Betreff ist leer.",
    "mail_template.text_empty": "Der Text ist leer.",
    "mail_template.too_long": "Die Vorlage ist zu lang.",
    "mail_template.unknown_placeholders": "Unbekannte Platzhalter: {placeholders}",
    "receipt.payment_not_taken": "Diese Zahlung wurde nicht ausgeführt; es gibt keinen Beleg zu senden.",
    "demo.gateway_no_answer": "Das Demo-Gateway hat nicht geantwortet. Versuchen Sie es erneut.",
    "secrets.insecure_keyring": "Schlüssel können nicht gespeichert werden: Der Schlüsselbund dieses Computers "
                                "({backend}) speichert Geheimnisse im Klartext oder ist nicht verfügbar. Verwenden "
                                "Sie den Schlüsselbund des Systems (Windows-Anmeldeinformationsverwaltung, "
                                "macOS-Schlüsselbund oder einen Secret Service wie GNOME Keyring oder KWallet) und "
                                "speichern Sie erneut.",
    "gateway.nmi": "BNG Gateway (NMI-Protokoll)",
    "gateway.nmi.private_key": "Privater Schlüssel (Security Key)",
    "gateway.nmi.private_key_help": "Serverseitiger Schlüssel für jede Belastung, Erstattung und Abfrage.",
    "gateway.nmi.public_key": "Öffentlicher Schlüssel (Tokenization Key)",
    "gateway.nmi.public_key_help": "Nur für das Kartenformular des Kundenportals (Collect.js).",
    "gateway.payengine": "Concardis PayEngine",
    "gateway.payengine.api_key": "API-Schlüssel",
    "gateway.payengine.api_key_help": "Der API-Schlüssel des Händlers (HTTP-Basic-Passwort jedes Serveraufrufs).",
    "gateway.payengine.merchant_id": "Händler-ID",
    "gateway.payengine.merchant_id_help": "Die Händler-ID, die PayEngine Ihnen mit dem API-Schlüssel gegeben hat.",
    "gateway.paypal": "PayPal",
    "gateway.paypal.api_password": "API-Passwort",
    "gateway.paypal.api_password_help": "Das API-Passwort der API-Signatur-Zugangsdaten des PayPal-Geschäftskontos.",
    "gateway.paypal.api_username": "API-Benutzername",
    "gateway.paypal.api_username_help": "Der API-Benutzername, den PayPal mit Passwort und Signatur anzeigt (er "
                                        "benennt das Konto und ist nicht geheim).",
    "gateway.paypal.api_signature": "API-Signatur",
    "gateway.paypal.api_signature_help": "Die API-Signatur, die PayPal mit API-Benutzername und Passwort anzeigt.",
    "quickbooks.redirect_uri_https": "Die Weiterleitungs-URI muss eine in Ihrer Intuit-App registrierte "
                                     "https-Adresse sein (zum Beispiel https://www.example.com/quickbooks).",
    "quickbooks.redirect_uri_ip": "Intuit akzeptiert keine IP-Adresse in einer Weiterleitungs-URI: Verwenden Sie "
                                  "einen Hostnamen.",
    "quickbooks.paste_address": "Fügen Sie die Adresse ein, die Ihr Browser nach der Anmeldung bei QuickBooks anzeigt.",
    "quickbooks.no_sign_in_code": "Diese Adresse enthält keinen Anmeldecode: Fügen Sie die ganze Adresse ein, die "
                                  "Ihr Browser nach der Anmeldung anzeigt.",
    "connections.demo_only": "Nur die Demo-Firma verbindet sich von selbst mit den Sandboxes.",
    "autotask.api_user_missing": "Geben Sie den Autotask-API-Benutzer ein (eine E-Mail-Adresse).",
    "autotask.address_https": "Die Autotask-Adresse muss mit https:// beginnen.",
    "autotask.secret_missing": "Geben Sie das Geheimnis des API-Benutzers ein.",
    "autotask.integration_code_missing": "Geben Sie die API-Tracking-Kennung (Integrationscode) ein.",
    "autotask.not_set_up": "Autotask ist auf diesem Arbeitsplatz nicht eingerichtet: Geben Sie API-Benutzer, "
                           "Geheimnis und Integrationscode in Verwaltung › Verbindungen ein.",
    "autotask.secret_replaced": "Das Autotask-Geheimnis wurde an einem anderen Arbeitsplatz ersetzt: Geben Sie es "
                                "auch hier in Verwaltung › Verbindungen ein.",
    "quickbooks.client_id_missing": "Geben Sie die QuickBooks-Client-ID ein.",
    "quickbooks.client_secret_missing": "Geben Sie das QuickBooks-Client-Geheimnis ein.",
    "quickbooks.client_missing": "Geben Sie zuerst Client-ID und Client-Geheimnis von QuickBooks in Verwaltung › "
                                 "Verbindungen ein.",
    "quickbooks.sign_in_unknown": "Diese QuickBooks-Anmeldung wurde nicht von PayApp gestartet (oder hat zu lange "
                                  "gedauert): Klicken Sie erneut auf „QuickBooks verbinden“.",
    "quickbooks.no_company": "QuickBooks hat keine Firma zum Verbinden gesendet.",
    "quickbooks.connect_first": "Klicken Sie zuerst auf „QuickBooks verbinden“ und fügen Sie dann die Adresse ein, "
                                "auf der Sie landen.",
    "quickbooks.paste_whole_address": "Fügen Sie die ganze Adresse ein (sie nennt die Firma), nicht nur den Code.",
    "quickbooks.refund_account_choice": "Wählen Sie das Bankkonto, von dem Erstattungen gezahlt werden.",
    "quickbooks.browserless_demo_only": "Verbinden ohne Browser gibt es nur im Demomodus.",
    "quickbooks.did_not_connect": "QuickBooks wurde nicht verbunden: {error}. Klicken Sie auf „QuickBooks "
                                  "verbinden“, um es erneut zu versuchen.",
    "sync.already_running": "Auf diesem Arbeitsplatz läuft bereits ein Abgleich.",
    "sync.lock_taken_over": "Ein anderer Arbeitsplatz hat die Abgleichssperre übernommen; dieser Abgleich wurde "
                            "angehalten.",
    "sync.busy_elsewhere": "Ein anderer Arbeitsplatz ({workstation}) gleicht gerade mit Autotask ab. Seine "
                           "Änderungen erscheinen hier, wenn er fertig ist; versuchen Sie es in ein paar Minuten "
                           "erneut.",
    "sync.another_workstation": "ein anderer Arbeitsplatz",
    "saved_method.already_deleted": "Dieses gespeicherte Zahlungsmittel wurde bereits gelöscht.",
    "saved_method.expiry_card_only": "Nur eine Karte hat ein Ablaufdatum.",
    "saved_method.deleted_meanwhile": "Dieses gespeicherte Zahlungsmittel wurde inzwischen gelöscht.",
    "payment.that_gone": "Diese Zahlung gibt es nicht mehr.",
    "installation.id_unreadable": "Die Installations-ID in den Einstellungen ist nicht lesbar.",
    "saved_method.name_length": "Ein Name darf höchstens {characters} Zeichen lang sein.",
    "saved_method.expiry_not_taken": "Das Gateway hat das neue Ablaufdatum nicht übernommen ({reason}). Die "
                                     "gespeicherte Karte hat noch das alte; versuchen Sie es erneut.",
    "saved_method.delete_not_done": "Das Gateway hat das gespeicherte Zahlungsmittel nicht gelöscht ({reason}). Es "
                                    "ist weiterhin gespeichert; versuchen Sie es erneut.",
    "gateway.no_answer": "keine Antwort",
    "payment_type.card": "Kreditkarte",
    "payment_type.echeck": "eCheck",
    "payment_type.sepa": "SEPA-Lastschrift",
    "payment_type.paypal": "PayPal",
    "channel.back_office": "Backoffice",
    "channel.portal": "Kundenportal",
    "processing.address_https": "Die Gateway-Adresse muss mit https:// beginnen und einen Host nennen.",
    "processing.address_extras": "Die Gateway-Adresse darf keinen Benutzer, kein Passwort und keine Abfrage enthalten.",
    "processing.unknown_gateway": "PayApp kennt das Gateway {gateway} nicht.",
    "processing.key_missing": "Geben Sie einen Schlüssel zum Speichern ein.",
    "processing.unknown_payment_type": "Unbekannte Zahlungsart {name}.",
    "processing.type_not_offered": "{gateway} nimmt keine Zahlungen per {payment_type} an.",
    "processing.type_not_offered_portal": "{gateway} nimmt im Kundenportal keine Zahlungen per {payment_type} an.",
    "processing.unknown_environment": "Unbekannte Umgebung {name}.",
    "processing.currency_not_supported": "{gateway} nimmt {currency}, die interne Währung, nicht an.",
    "processing.currency_code": "Wählen Sie einen dreibuchstabigen ISO-4217-Währungscode, z. B. USD.",
    "processing.currency_set_once": "Die interne Währung ist {currency} und kann nie mehr geändert werden.",
    "payment.account_type": "Wählen Sie Girokonto oder Sparkonto.",
    "payment.account_name": "Geben Sie den Namen des Kontoinhabers ein.",
    "payment.sepa_holder": "Geben Sie den Namen des Kontoinhabers ein.",
    "payment.choose_method": "Wählen Sie eine Zahlungsart.",
    "payment.token_unreadable": "Die Zahlungsdaten konnten nicht gelesen werden. Geben Sie sie bitte erneut ein.",
    "payment.card_or_bank": "Wählen Sie eine Karte oder ein Bankkonto.",
    "payment.unknown_source": "Unbekannte Zahlungsquelle.",
    "payment.portal_source_only": "Das Kundenportal nimmt nur Zahlungen über das Kundenportal an.",
    "payment.portal_tokenized_only": "Das Kundenportal nimmt nur tokenisierte oder gespeicherte Zahlungsmethoden an.",
    "payment.amount_above_zero": "Geben Sie einen Betrag über null ein.",
    "payment.gateway_minimum": "Das Gateway nimmt Zahlungen ab {minimum} an.",
    "payment.invoice_voided": "Diese Rechnung wurde storniert; sie kann nicht bezahlt werden.",
    "payment.invoice_currency": "Diese Rechnung ist in {invoice_currency}, Zahlungen werden aber in {currency} "
                                "angenommen.",
    "payment.contact_other_company": "Dieser Kontakt gehört nicht zur Firma der Rechnung.",
    "payment.saved_method_deleted": "Dieses gespeicherte Zahlungsmittel wurde gelöscht. Wählen Sie ein anderes.",
    "payment.saved_method_other_company": "Dieses gespeicherte Zahlungsmittel gehört zu einer anderen Firma.",
    "payment.saved_method_other_gateway": "Diese gespeicherte Zahlungsart wird von einem anderen Gateway verwahrt als "
                                          "dem, über das Zahlungen jetzt laufen. Geben Sie die Karte oder das Konto "
                                          "erneut ein.",
    "payment.type_not_in_portal": "Zahlungen per {payment_type} sind im Kundenportal nicht verfügbar.",
    "payment.type_not_enabled": "Zahlungen per {payment_type} sind nicht aktiviert. Ein Administrator kann sie in der "
                                "Verwaltung aktivieren.",
    "payment.ach_consent": "Der Kunde muss der ACH-Lastschriftermächtigung zustimmen, bevor ein eCheck eingezogen "
                           "wird.",
    "payment.sepa_mandate_consent": "Der Kontoinhaber muss dem SEPA-Lastschriftmandat zustimmen, bevor die "
                                    "Lastschrift eingezogen wird.",
    "payment.more_than_balance": "Der Betrag ist höher als der offene Betrag von {balance}.",
    "payment.more_than_balance_held": "Der Betrag ist höher als der offene Betrag von {balance} (eine Zahlung, die "
                                      "noch bestätigt wird, ist davon schon vorgemerkt).",
    "payment.already_paid": "{amount} wurde bereits auf Rechnung {invoice} um {time} UTC bezahlt. Zahlen Sie nur "
                            "erneut, wenn der Kunde wirklich zweimal zahlen will.",
    "payment.already_paid_by": "{amount} wurde bereits auf Rechnung {invoice} von {user} um {time} UTC bezahlt. "
                               "Zahlen Sie nur erneut, wenn der Kunde wirklich zweimal zahlen will.",
    "payment.not_refundable": "Eine Zahlung im Status „{status}“ kann nicht storniert oder erstattet werden.",
    "payment.lookup_failed": "Das Gateway konnte zu dieser Zahlung nicht befragt werden ({reason}). Nichts wurde "
                             "geändert; versuchen Sie es erneut.",
    "payment.gateway_state_not_refundable": "Das Gateway zeigt diese Zahlung als „{state}“, daher kann PayApp sie "
                                            "nicht stornieren oder erstatten. Prüfen Sie sie im Portal des Gateways.",
    "refund.still_confirming": "Ein Storno oder eine Erstattung dieser Zahlung wird noch bestätigt. Warten Sie darauf.",
    "refund.void_in_full": "Bis die Zahlung abgerechnet ist (meist am nächsten Werktag), kann sie nur vollständig "
                           "storniert werden. Stornieren Sie sie, oder erstatten Sie einen Teil nach der Abrechnung.",
    "refund.at_most": "Sie können höchstens {amount} erstatten.",
    "refund.whole_to_reopen": "Nur eine Erstattung der ganzen Zahlung kann die Rechnung wieder öffnen. Erstatten Sie "
                              "einen Teil mit bezahlt bleibender Rechnung, oder erstatten Sie alles.",
    "processing.gateway_unknown_choose": "PayApp kann nicht mit dem Gateway {gateway} sprechen: Wählen Sie in der "
                                         "Verwaltung ein anderes.",
    "processing.not_set_up": "Die Zahlungsabwicklung ist nicht eingerichtet: Geben Sie die Gateway-Schlüssel in der "
                             "Verwaltung ein.",
    "processing.keys_not_here": "Die Gateway-Schlüssel sind nicht auf diesem Arbeitsplatz: Geben Sie sie in der "
                                "Verwaltung ein.",
    "processing.keys_replaced_by": "Die Gateway-Schlüssel wurden von {user} an einem anderen Arbeitsplatz ersetzt: "
                                   "Geben Sie die neuen Schlüssel hier in der Verwaltung ein.",
    "processing.keys_replaced": "Die Gateway-Schlüssel wurden von einem anderen Administrator an einem anderen "
                                "Arbeitsplatz ersetzt: Geben Sie die neuen Schlüssel hier in der Verwaltung ein.",
    "processing.choose_currency": "Wählen Sie die interne Währung in der Verwaltung.",
    "processing.currency_unsupported": "Das Gateway unterstützt {currency} nicht; es nimmt {currencies}.",
    "processing.currency_unsupported_none": "Das Gateway unterstützt {currency} nicht; es nimmt keine Währung.",
    "processing.no_payment_type": "Keine Zahlungsart ist aktiviert: Aktivieren Sie Kreditkarte oder eCheck in der "
                                  "Verwaltung.",
    "gateways.cannot_talk": "PayApp kann nicht mit dem Gateway {gateway} sprechen.",
    "gateways.not_set_up_here": "Die Zahlungsabwicklung über {gateway} ist auf diesem Arbeitsplatz nicht "
                                "eingerichtet: Geben Sie unter Verwaltung {credential} des Gateways ein.",
    "gateways.enter_credential": "{gateway}: Geben Sie unter Verwaltung {credential} ein.",
    "gateways.address_missing": "Die Gateway-Adresse fehlt: Geben Sie sie in der Verwaltung ein.",
}


def _merge() -> None:
    """The subject files' messages join the catalogue (an id twice is a mistake: it fails at import, in the tests)."""
    from payapp.domain import message_catalogue_connectors, message_catalogue_payments, message_catalogue_sync

    for part in (message_catalogue_payments, message_catalogue_connectors, message_catalogue_sync):
        for catalogue, more in ((ENGLISH, part.ENGLISH), (GERMAN, part.GERMAN)):
            twice = catalogue.keys() & more.keys()
            if twice:
                raise ValueError(f"message ids defined twice: {sorted(twice)}")
            catalogue.update(more)


_merge()
