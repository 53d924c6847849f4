"""Messages about the connectors and Admin's connection tests (connectors/, services/connections.py, gateways.py,
processing.py, secrets.py, settings.py): their English and German.

Part of the catalogue (payapp/domain/message_catalogue.py merges it); kept apart only so the catalogue stays a file
a reader can scan by subject. Values named {status} are HTTP status codes; {said}, {listing}, {reason} and {error}
are the provider's own words (or the name of a network error), inserted as they are."""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # payapp/connectors/accounting/quickbooks_online.py: QuickBooks Online's sign-in and API
    "qbo.disconnected": "QuickBooks is disconnected: Reconnect QuickBooks in Admin › Connections.",
    # {why}: one of the qbo.why.* messages
    "qbo.disconnected_why": "QuickBooks is disconnected ({why}): Reconnect QuickBooks in Admin › Connections.",
    "qbo.why.not_connected_here": "not connected on this workstation",
    "qbo.why.sign_in_invalid": "the sign-in is no longer valid",
    "qbo.why.refused_after_refresh": "the sign-in was refused after a refresh",
    "qbo.why.stored_unreadable": "the stored sign-in cannot be read",
    "qbo.why.revoked": "authorisation revoked",
    "qbo.refund_account_missing": "Needs set-up: choose the bank account refunds are paid from in Admin › "
                                  "Connections (QuickBooks).",
    "qbo.tokens_unusable": "QuickBooks sign-in sent tokens PayApp cannot use; PayApp will try again.",
    "qbo.server_error": "QuickBooks had a server error (HTTP {status}); PayApp will try again.",
    "qbo.throttled": "QuickBooks is throttling requests; PayApp will wait and try again.",
    "qbo.sign_in_unreachable": "QuickBooks sign-in could not be reached; PayApp will try again.",
    "qbo.sign_in_server_error": "QuickBooks sign-in had a server error (HTTP {status}).",
    "qbo.client_refused": "QuickBooks refused the client id or client secret: check them in Admin, then Reconnect "
                          "QuickBooks.",
    "qbo.sign_in_failed": "QuickBooks sign-in failed ({reason}).",
    "qbo.sign_in_expired": "QuickBooks sign-in expired.",
    "qbo.no_answer": "QuickBooks did not answer; PayApp will try again with the same request id.",
    "qbo.unreadable": "QuickBooks sent an answer PayApp cannot read.",
    "qbo.stale": "QuickBooks: the record changed meanwhile. {listing}",
    "qbo.refused": "QuickBooks refused it: {listing}",
    "qbo.forbidden": "QuickBooks refused access: {listing}",
    "qbo.customer_name_not_found": "QuickBooks says a customer named '{name}' exists, but PayApp cannot find it (it "
                                   "may be inactive, or a vendor or employee uses the name).",
    "qbo.connected_custom_numbers": "Connected to QuickBooks company {company} · custom invoice numbers",
    "qbo.connected_quickbooks_numbers": "Connected to QuickBooks company {company} · QuickBooks numbers invoices",
    # payapp/connectors/psa/autotask.py: the Autotask REST API
    "autotask.no_zone": "Autotask did not name a zone for this API user.",
    "autotask.unreachable_retry": "Autotask could not be reached; PayApp will try again.",
    "autotask.busy": "Autotask is busy (too many requests); PayApp will wait and try again.",
    "autotask.server_error": "Autotask had a server error (HTTP {status}); PayApp will try again.",
    "autotask.credentials_refused": "Autotask refused the API user, secret or integration code: check them in Admin.",
    "autotask.credentials_refused_said": "Autotask refused the API user or integration code: {said}. Check them in "
                                         "Admin › Connections.",
    "autotask.not_allowed": "The Autotask API user is not allowed to do this: {said}. Give its security level the "
                            "permission in Autotask.",
    "autotask.request_refused": "Autotask refused the request (HTTP {status}): {said}",
    "autotask.reported_error": "Autotask reported an error: {said}",
    "autotask.unreadable": "Autotask sent an answer PayApp cannot read.",
    "autotask.endless_pages": "Autotask kept sending more pages; the sync stopped to avoid an endless loop.",
    # {entity}: Autotask's entity name ("Invoices"); {record}: the record's id as Autotask sent it
    "autotask.record_unreadable": "Autotask sent a record PayApp cannot read ({entity} {record}); it was skipped.",
    "autotask.record_without_id": "Autotask sent a {entity} record without a readable id; it was skipped.",
    "autotask.invoice_gone": "Autotask no longer has invoice {invoice}; it was not marked paid.",
    "autotask.invoice_voided": "Invoice {invoice} is voided in Autotask; it was not marked paid.",
    # {host}: the zone's host name; {used}, {limit}: requests this hour
    "autotask.connected": "Connected to {host} · {used} of {limit} requests used this hour",
    # payapp/services/connections.py: Test connection when the network failed ({error}: the error's name)
    "connections.autotask_unreachable": "Autotask could not be reached ({error}).",
    "connections.quickbooks_unreachable": "QuickBooks could not be reached ({error}).",
    # ... an error without a Message of its own ({error}: its English)
    "connections.failed": "The test failed: {error}",
    # payapp/connectors/gateways/paypal.py: PayPal classic NVP ({text}: PayPal's own words, or paypal.request_refused)
    "paypal.said": "PayPal: {text}",
    "paypal.said_code": "PayPal: {text} (error {code})",
    "paypal.request_refused": "PayPal refused the request.",
    "paypal.unreadable": "PayPal's answer could not be read.",
    "paypal.no_transaction_id": "PayPal's payment answer has no transaction id.",
    "paypal.no_refund_id": "PayPal's refund answer has no refund transaction id.",
    "paypal.unreachable": "Could not reach PayPal ({error}).",
    "paypal.no_answer": "No answer from PayPal ({error}).",
    "paypal.http_status": "PayPal answered HTTP {status}.",
    "paypal.no_checkout_token": "PayPal's answer has no checkout token.",
    "paypal.credentials_refused": "PayPal refused the API credentials. Check the API username, password and "
                                  "signature.",
    # {reason}: a PayPal message (nested)
    "paypal.could_not_ask": "PayPal could not be asked: {reason}",
    "paypal.credentials_accepted": "PayPal accepted the API credentials.",
    # payapp/connectors/gateways/payengine.py, nmi.py: Test keys ({reason}: the gateway's own words)
    "payengine.credentials_refused": "PayEngine refused the merchant id or API key (authentication failed).",
    "payengine.could_not_ask": "PayEngine could not be asked: {reason}",
    "payengine.credentials_accepted": "PayEngine accepted the merchant id and API key.",
    "nmi.key_refused": "The gateway refused the key (authentication failed). Check the private key.",
    "nmi.could_not_ask": "The gateway could not be asked: {reason}",
    "nmi.key_accepted": "The gateway accepted the key.",
    # payapp/services/gateways.py, processing.py: Admin › Payment Processing › Test keys
    # {credential}: the credential's label as the sentence writes it, in lower case ("private key (security key)")
    "test_keys.enter_first": "Enter the {credential} first.",
    "test_keys.connector_missing": "The gateway connector is missing from this build: keys cannot be tested.",
    "test_keys.unreachable": "The gateway could not be reached. Check the address and the network.",
    "test_keys.keys_work": "Keys work: the gateway accepted the private key.",
    "test_keys.authentication_failed": "Authentication failed: the gateway refused the private key.",
    # payapp/services/settings.py: a setting refused ({setting}: its label; {type}: the type it takes)
    "settings.wrong_type": "{setting}: expected {type}",
    "settings.set_once": "{setting} is set to {value} and can never be changed.",
    # the gateways' answers in PayApp's words (GatewayAnswer.message, LookupFailed): when the gateway said nothing
    # itself, could not be reached or sent what PayApp cannot read; its own words stay str values
    "gateway_answer.unreadable": "The gateway's answer could not be read.",
    "gateway_answer.not_reached": "Could not reach the gateway ({error}).",
    "gateway_answer.no_answer": "No answer from the gateway ({error}).",
    "gateway_answer.too_many_requests": "Too many requests (HTTP 429).",
    "gateway_answer.http_status": "The gateway answered HTTP {status}.",
    "gateway_answer.lookup_unreadable": "The gateway's look-up answer could not be read.",
    "gateway_answer.lookup_refused": "The gateway refused the look-up.",
    "gateway_answer.does_not_take": "{gateway} does not take {what}.",
    "gateway_what.card_or_bank_details": "card or bank details (the payer pays on PayPal's page)",
    "gateway_what.saved_methods": "saved payment methods",
    "gateway_what.voids": "voids (refund the payment instead)",
    "gateway_what.payments_in": "payments in {currency}",
    "gateway_what.sepa": "SEPA direct debits",
    "gateway_what.sepa_in": "SEPA direct debits in {currency}",
    "gateway_what.echeck": "eCheck (ACH) payments",
    "gateway_what.collect_js_tokens": "Collect.js payment tokens",
    "gateway_what.this_method": "this payment method",
    "payengine.http_status": "PayEngine answered HTTP {status}.",
    "payengine.unreadable": "PayEngine's answer could not be read.",
    "payengine.lookup_unreadable": "PayEngine's look-up answer could not be read.",
    "paypal.not_taken": "PayPal did not take the payment ({status}).",
    "paypal.no_status": "no status",
    "paypal.back_without_token": "PayPal sent the payer back without a checkout token; nothing was paid.",
    "paypal.other_checkout": "PayPal's checkout belongs to another payment; nothing was paid.",
    "paypal.not_approved": "The payer did not approve the payment at PayPal.",
    "paypal.funding_declined": "PayPal could not take the money from the payer's chosen funding source.",
    "paypal.not_shown_yet": "PayPal has not shown this payment yet.",
    "paypal.amount_unreadable": "PayPal's amount of the payment could not be read.",
}

GERMAN: dict[str, str] = {
    "qbo.disconnected": "QuickBooks ist getrennt: Verbinden Sie QuickBooks in Verwaltung › Verbindungen erneut.",
    "qbo.disconnected_why": "QuickBooks ist getrennt ({why}): Verbinden Sie QuickBooks in Verwaltung › Verbindungen "
                            "erneut.",
    "qbo.why.not_connected_here": "auf diesem Arbeitsplatz nicht verbunden",
    "qbo.why.sign_in_invalid": "die Anmeldung ist nicht mehr gültig",
    "qbo.why.refused_after_refresh": "die Anmeldung wurde nach einer Erneuerung abgewiesen",
    "qbo.why.stored_unreadable": "die gespeicherte Anmeldung ist nicht lesbar",
    "qbo.why.revoked": "die Berechtigung wurde widerrufen",
    "qbo.refund_account_missing": "Einrichtung nötig: Wählen Sie unter Verwaltung › Verbindungen (QuickBooks) das "
                                  "Bankkonto, von dem Erstattungen gezahlt werden.",
    "qbo.tokens_unusable": "Die QuickBooks-Anmeldung hat Token gesendet, die PayApp nicht verwenden kann; PayApp "
                           "versucht es erneut.",
    "qbo.server_error": "QuickBooks hatte einen Serverfehler (HTTP {status}); PayApp versucht es erneut.",
    "qbo.throttled": "QuickBooks bremst die Anfragen; PayApp wartet und versucht es erneut.",
    "qbo.sign_in_unreachable": "Die QuickBooks-Anmeldung war nicht erreichbar; PayApp versucht es erneut.",
    "qbo.sign_in_server_error": "Bei der QuickBooks-Anmeldung trat ein Serverfehler auf (HTTP {status}).",
    "qbo.client_refused": "QuickBooks hat Client-ID oder Client-Geheimnis abgewiesen: Prüfen Sie beides in der "
                          "Verwaltung und verbinden Sie QuickBooks erneut.",
    "qbo.sign_in_failed": "Die QuickBooks-Anmeldung ist fehlgeschlagen ({reason}).",
    "qbo.sign_in_expired": "Die QuickBooks-Anmeldung ist abgelaufen.",
    "qbo.no_answer": "QuickBooks hat nicht geantwortet; PayApp versucht es mit derselben Anfrage-ID erneut.",
    "qbo.unreadable": "QuickBooks hat eine Antwort gesendet, die PayApp nicht lesen kann.",
    "qbo.stale": "QuickBooks: Der Datensatz wurde inzwischen geändert. {listing}",
    "qbo.refused": "QuickBooks hat es abgewiesen: {listing}",
    "qbo.forbidden": "QuickBooks hat den Zugriff verweigert: {listing}",
    "qbo.customer_name_not_found": "QuickBooks meldet einen Kunden namens '{name}', aber PayApp findet ihn nicht (er "
                                   "ist vielleicht inaktiv, oder ein Lieferant oder Mitarbeiter trägt den Namen).",
    "qbo.connected_custom_numbers": "Verbunden mit QuickBooks-Firma {company} · eigene Rechnungsnummern",
    "qbo.connected_quickbooks_numbers": "Verbunden mit QuickBooks-Firma {company} · QuickBooks nummeriert die "
                                        "Rechnungen",
    "autotask.no_zone": "Autotask hat für diesen API-Benutzer keine Zone genannt.",
    "autotask.unreachable_retry": "Autotask war nicht erreichbar; PayApp versucht es erneut.",
    "autotask.busy": "Autotask ist ausgelastet (zu viele Anfragen); PayApp wartet und versucht es erneut.",
    "autotask.server_error": "Bei Autotask trat ein Serverfehler auf (HTTP {status}); PayApp versucht es erneut.",
    "autotask.credentials_refused": "Autotask hat API-Benutzer, Geheimnis oder Integrationscode abgewiesen: Prüfen "
                                    "Sie sie in der Verwaltung.",
    "autotask.credentials_refused_said": "Autotask hat den API-Benutzer oder den Integrationscode abgelehnt: {said}. "
                                         "Prüfen Sie sie unter Verwaltung › Verbindungen.",
    "autotask.not_allowed": "Der Autotask-API-Benutzer darf das nicht: {said}. Geben Sie seiner Sicherheitsstufe in "
                            "Autotask die Berechtigung.",
    "autotask.request_refused": "Autotask hat die Anfrage abgewiesen (HTTP {status}): {said}",
    "autotask.reported_error": "Autotask meldet einen Fehler: {said}",
    "autotask.unreadable": "Autotask hat eine Antwort gesendet, die PayApp nicht lesen kann.",
    "autotask.endless_pages": "Autotask hat immer weitere Seiten gesendet; der Abgleich wurde angehalten, um eine "
                              "Endlosschleife zu vermeiden.",
    "autotask.record_unreadable": "Autotask hat einen Datensatz gesendet, den PayApp nicht lesen kann ({entity} "
                                  "{record}); er wurde übersprungen.",
    "autotask.record_without_id": "Autotask hat einen Datensatz ({entity}) ohne lesbare ID gesendet; er wurde "
                                  "übersprungen.",
    "autotask.invoice_gone": "Autotask hat die Rechnung {invoice} nicht mehr; sie wurde nicht als bezahlt markiert.",
    "autotask.invoice_voided": "Die Rechnung {invoice} ist in Autotask storniert; sie wurde nicht als bezahlt "
                               "markiert.",
    "autotask.connected": "Verbunden mit {host} · {used} von {limit} Anfragen in dieser Stunde verbraucht",
    "connections.autotask_unreachable": "Autotask war nicht erreichbar ({error}).",
    "connections.quickbooks_unreachable": "QuickBooks war nicht erreichbar ({error}).",
    "connections.failed": "Der Test ist fehlgeschlagen: {error}",
    "paypal.said": "PayPal: {text}",
    "paypal.said_code": "PayPal: {text} (Fehler {code})",
    "paypal.request_refused": "PayPal hat die Anfrage abgelehnt.",
    "paypal.unreadable": "Die Antwort von PayPal konnte nicht gelesen werden.",
    "paypal.no_transaction_id": "Die Zahlungsantwort von PayPal enthält keine Transaktions-ID.",
    "paypal.no_refund_id": "Die Erstattungsantwort von PayPal enthält keine Transaktions-ID der Erstattung.",
    "paypal.unreachable": "PayPal ist nicht erreichbar ({error}).",
    "paypal.no_answer": "Keine Antwort von PayPal ({error}).",
    "paypal.http_status": "PayPal hat mit HTTP {status} geantwortet.",
    "paypal.no_checkout_token": "Die Antwort von PayPal enthält kein Checkout-Token.",
    "paypal.credentials_refused": "PayPal hat die API-Zugangsdaten abgelehnt. Prüfen Sie API-Benutzername, "
                                  "API-Passwort und API-Signatur.",
    "paypal.could_not_ask": "PayPal konnte nicht gefragt werden: {reason}",
    "paypal.credentials_accepted": "PayPal hat die API-Zugangsdaten angenommen.",
    "payengine.credentials_refused": "PayEngine hat die Händler-ID oder den API-Schlüssel abgelehnt "
                                     "(Authentifizierung fehlgeschlagen).",
    "payengine.could_not_ask": "PayEngine konnte nicht gefragt werden: {reason}",
    "payengine.credentials_accepted": "PayEngine hat die Händler-ID und den API-Schlüssel angenommen.",
    "nmi.key_refused": "Das Gateway hat den Schlüssel abgelehnt (Anmeldung fehlgeschlagen). Prüfen Sie den privaten "
                       "Schlüssel.",
    "nmi.could_not_ask": "Das Gateway konnte nicht abgefragt werden: {reason}",
    "nmi.key_accepted": "Das Gateway hat den Schlüssel angenommen.",
    "test_keys.enter_first": "Geben Sie zuerst {credential} ein.",
    "test_keys.connector_missing": "Dieser Version fehlt die Anbindung an das Gateway: Schlüssel können nicht "
                                   "getestet werden.",
    "test_keys.unreachable": "Das Gateway war nicht erreichbar. Prüfen Sie die Adresse und das Netzwerk.",
    "test_keys.keys_work": "Die Schlüssel funktionieren: Das Gateway hat den privaten Schlüssel angenommen.",
    "test_keys.authentication_failed": "Anmeldung fehlgeschlagen: Das Gateway hat den privaten Schlüssel abgelehnt.",
    "settings.wrong_type": "{setting}: erwartet {type}",
    "settings.set_once": "{setting} ist auf {value} gesetzt und kann nie mehr geändert werden.",
    "gateway_answer.unreadable": "Die Antwort des Gateways konnte nicht gelesen werden.",
    "gateway_answer.not_reached": "Das Gateway war nicht erreichbar ({error}).",
    "gateway_answer.no_answer": "Keine Antwort vom Gateway ({error}).",
    "gateway_answer.too_many_requests": "Zu viele Anfragen (HTTP 429).",
    "gateway_answer.http_status": "Das Gateway hat mit HTTP {status} geantwortet.",
    "gateway_answer.lookup_unreadable": "Die Antwort des Gateways auf die Abfrage konnte nicht gelesen werden.",
    "gateway_answer.lookup_refused": "Das Gateway hat die Abfrage abgelehnt.",
    "gateway_answer.does_not_take": "{gateway} nimmt {what} an.",
    "gateway_what.card_or_bank_details": "keine Karten- oder Bankdaten (der Zahler zahlt auf der Seite von PayPal)",
    "gateway_what.saved_methods": "keine gespeicherten Zahlungsmethoden",
    "gateway_what.voids": "keine Stornos (erstatten Sie die Zahlung stattdessen)",
    "gateway_what.payments_in": "keine Zahlungen in {currency}",
    "gateway_what.sepa": "keine SEPA-Lastschriften",
    "gateway_what.sepa_in": "keine SEPA-Lastschriften in {currency}",
    "gateway_what.echeck": "keine eCheck-Zahlungen (ACH)",
    "gateway_what.collect_js_tokens": "keine Collect.js-Zahlungstoken",
    "gateway_what.this_method": "diese Zahlungsart nicht",
    "payengine.http_status": "PayEngine hat mit HTTP {status} geantwortet.",
    "payengine.unreadable": "Die Antwort von PayEngine konnte nicht gelesen werden.",
    "payengine.lookup_unreadable": "Die Antwort von PayEngine auf die Abfrage konnte nicht gelesen werden.",
    "paypal.not_taken": "PayPal hat die Zahlung nicht angenommen ({status}).",
    "paypal.no_status": "kein Status",
    "paypal.back_without_token": "PayPal hat den Zahler ohne Checkout-Token zurückgeschickt; nichts wurde bezahlt.",
    "paypal.other_checkout": "Der Checkout bei PayPal gehört zu einer anderen Zahlung; nichts wurde bezahlt.",
    "paypal.not_approved": "Der Zahler hat die Zahlung bei PayPal nicht freigegeben.",
    "paypal.funding_declined": "PayPal konnte das Geld nicht von der gewählten Zahlungsquelle des Zahlers abbuchen.",
    "paypal.not_shown_yet": "PayPal zeigt diese Zahlung noch nicht an.",
    "paypal.amount_unreadable": "Der Betrag der Zahlung bei PayPal konnte nicht gelesen werden.",
}
