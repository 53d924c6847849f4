"""The portal's languages: English, and German by the browser's Accept-Language (or the visitor's switch).

Texts are written in English in the templates and code (`_("...")`); `GERMAN` holds their German. A text missing
here shows in English (tests/portal/test_portal_pages.py checks that every template text has German). A message of
the engine (a Message: payapp/domain/messages.py) has its German in payapp/domain/message_catalogue.py, not here:
the portal renders it (payapp/portal/pages.py message_text)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

LANGUAGES = ("en", "de")
LOCALES = {"en": "en_US", "de": "de_DE"}

GERMAN: dict[str, str] = {
    "Invoice": "Rechnung",
    "Invoice date": "Rechnungsdatum",
    "Due date": "Fällig am",
    "Amount due": "Offener Betrag",
    "Invoice total": "Rechnungsbetrag",
    "Paid so far": "Bisher bezahlt",
    "Description": "Beschreibung",
    "Quantity": "Menge",
    "Unit price": "Einzelpreis",
    "Amount": "Betrag",
    "Tax": "Steuer",
    "Make a Payment": "Zahlung leisten",
    "Payment method": "Zahlungsart",
    "Add Credit Card": "Kreditkarte hinzufügen",
    "Add Bank Information (eCheck)": "Bankverbindung hinzufügen (eCheck)",
    "Card number": "Kartennummer",
    "Expiry (MM/YY)": "Gültig bis (MM/JJ)",
    "CVV": "Prüfnummer (CVV)",
    "First name (as on the card)": "Vorname (wie auf der Karte)",
    "Last name (as on the card)": "Nachname (wie auf der Karte)",
    "Billing address": "Rechnungsadresse",
    "Street and number": "Straße und Hausnummer",
    "City": "Ort",
    "State": "Bundesstaat",
    "ZIP code": "Postleitzahl",
    "Country": "Land",
    "Save payment information": "Zahlungsdaten speichern",
    "Account holder type": "Art des Kontoinhabers",
    "Personal": "Privat",
    "Business": "Geschäftlich",
    "Account type": "Kontoart",
    "Checking": "Girokonto",
    "Savings": "Sparkonto",
    "Name on account": "Name des Kontoinhabers",
    "Account number": "Kontonummer",
    "Routing number (nine digits)": "Bankleitzahl (ABA, neun Ziffern)",
    "Company (for a business account)": "Firma (bei einem Geschäftskonto)",
    "Amount to pay": "Zu zahlender Betrag",
    "Full amount": "Gesamtbetrag",
    "Another amount": "Anderer Betrag",
    "Continue": "Weiter",
    "Back": "Zurück",
    "Review your payment": "Zahlung prüfen",
    "Pay": "Bezahlen",
    "Pay anyway": "Trotzdem bezahlen",
    "Paying": "Wird bezahlt",
    "ACH debit authorization": "ACH-Lastschriftermächtigung",
    "I agree to this ACH debit authorization.": "Ich stimme dieser ACH-Lastschriftermächtigung zu.",
    "Agree to the ACH debit authorization to pay by eCheck.":
        "Stimmen Sie der ACH-Lastschriftermächtigung zu, um per eCheck zu zahlen.",
    "Payment has been processed": "Die Zahlung wurde verarbeitet",
    "Your eCheck payment was accepted. It is pending settlement: the bank takes a few business days.":
        "Ihre eCheck-Zahlung wurde angenommen. Sie wartet auf die Abrechnung: Die Bank braucht dafür einige "
        "Werktage.",
    "The payment was declined. The card was declined, or the card or bank details were wrong or incomplete. "
    "Check them and try again, or contact {merchant}.":
        "Die Zahlung wurde abgelehnt. Die Karte wurde abgelehnt, oder die Karten- oder Bankdaten waren falsch oder "
        "unvollständig. Prüfen Sie sie und versuchen Sie es erneut, oder wenden Sie sich an {merchant}.",
    "The payment could not be completed. Nothing was charged. Try again later or contact {merchant}.":
        "Die Zahlung konnte nicht ausgeführt werden. Es wurde nichts abgebucht. Versuchen Sie es später erneut "
        "oder wenden Sie sich an {merchant}.",
    "We are still confirming this payment with the bank. Do not pay again; look at this page again in a few "
    "minutes or contact {merchant}.":
        "Wir bestätigen diese Zahlung noch mit der Bank. Bitte zahlen Sie nicht erneut; sehen Sie in einigen "
        "Minuten wieder auf dieser Seite nach oder wenden Sie sich an {merchant}.",
    "This payment is being processed. Do not pay again.":
        "Diese Zahlung wird gerade verarbeitet. Bitte zahlen Sie nicht erneut.",
    "Receipt": "Beleg",
    "Payment": "Zahlung",
    "Download receipt": "Beleg herunterladen",
    "Printable receipt": "Beleg zum Drucken",
    "Remaining balance": "Restbetrag",
    "Paid with": "Bezahlt mit",
    "Transaction": "Transaktion",
    "Date": "Datum",
    "Status": "Status",
    "Approved": "Genehmigt",
    "Pending settlement": "Abrechnung ausstehend",
    "Declined": "Abgelehnt",
    "Failed": "Fehlgeschlagen",
    "Being confirmed": "Wird bestätigt",
    "Settled": "Abgerechnet",
    "Back to the invoice": "Zurück zur Rechnung",
    # paying on the gateway's own page (payapp/portal/hosted.py)
    "Pay with PayPal": "Mit PayPal bezahlen",
    "Pay by card on the secure payment page": "Mit Karte auf der sicheren Zahlungsseite bezahlen",
    "You pay on the payment provider's own secure page and come back here afterwards.":
        "Sie bezahlen auf der sicheren Seite des Zahlungsanbieters und kehren danach hierher zurück.",
    "You are being taken to the secure payment page.": "Sie werden zur sicheren Zahlungsseite weitergeleitet.",
    "Continue to the payment page": "Weiter zur Zahlungsseite",
    "The same amount was paid on this invoice a short time ago. Pay again only if you really mean to pay twice.":
        "Derselbe Betrag wurde vor kurzem auf diese Rechnung gezahlt. Zahlen Sie nur dann noch einmal, wenn Sie "
        "wirklich zweimal zahlen möchten.",
    "Pay {amount} again": "{amount} noch einmal zahlen",
    "The payment was cancelled. Nothing was charged.": "Die Zahlung wurde abgebrochen. Es wurde nichts belastet.",
    "This link is not valid": "Dieser Link ist nicht gültig",
    "The payment link is unknown, has expired or was withdrawn. Ask the sender for a new link.":
        "Der Zahlungslink ist unbekannt, abgelaufen oder wurde zurückgezogen. Bitten Sie den Absender um einen "
        "neuen Link.",
    "This invoice has been paid": "Diese Rechnung ist bezahlt",
    "Thank you. There is nothing left to pay on this invoice.":
        "Vielen Dank. Auf diese Rechnung ist nichts mehr zu zahlen.",
    "This invoice was voided": "Diese Rechnung wurde storniert",
    "There is nothing to pay on it. Contact the sender if you have questions.":
        "Es ist nichts zu zahlen. Wenden Sie sich bei Fragen an den Absender.",
    "The client portal is not available": "Das Kundenportal ist nicht verfügbar",
    "Online payment is switched off at the moment. Contact the sender of the link.":
        "Die Online-Zahlung ist zurzeit ausgeschaltet. Wenden Sie sich an den Absender des Links.",
    "Online payment is not available for this invoice at the moment. Contact {merchant}.":
        "Die Online-Zahlung ist für diese Rechnung zurzeit nicht möglich. Wenden Sie sich an {merchant}.",
    "Too many requests": "Zu viele Anfragen",
    "Wait a minute, then try again.": "Warten Sie eine Minute und versuchen Sie es dann erneut.",
    "This form has expired": "Dieses Formular ist abgelaufen",
    "Open the payment link again and repeat the last step. Nothing was charged.":
        "Öffnen Sie den Zahlungslink erneut und wiederholen Sie den letzten Schritt. Es wurde nichts abgebucht.",
    "Choose how to pay.": "Wählen Sie, wie Sie zahlen möchten.",
    "Enter the card or bank details.": "Geben Sie die Karten- oder Bankdaten ein.",
    "Enter an amount above zero.": "Geben Sie einen Betrag über null ein.",
    "The amount is more than the amount due.": "Der Betrag ist höher als der offene Betrag.",
    "Enter the first and last name.": "Geben Sie Vor- und Nachnamen ein.",
    "This saved payment method is no longer available. Choose another one.":
        "Diese gespeicherte Zahlungsart ist nicht mehr verfügbar. Wählen Sie eine andere.",
    "The card or bank details could not be checked. Check them and try again.":
        "Die Karten- oder Bankdaten konnten nicht geprüft werden. Prüfen Sie sie und versuchen Sie es erneut.",
    "Page not found": "Seite nicht gefunden",
    "Something went wrong": "Etwas ist schiefgegangen",
    "The page could not be shown. If you were paying, do not pay again before you have looked at the invoice once "
    "more or asked the sender.":
        "Die Seite konnte nicht angezeigt werden. Wenn Sie gerade bezahlt haben, zahlen Sie nicht erneut, bevor Sie "
        "die Rechnung noch einmal angesehen oder den Absender gefragt haben.",
    "Another payment on this invoice is being processed right now. Open the invoice again in a minute to see what "
    "is left to pay.":
        "Eine andere Zahlung auf diese Rechnung wird gerade verarbeitet. Öffnen Sie die Rechnung in einer Minute "
        "erneut, um zu sehen, was noch zu zahlen ist.",
    "Saved": "Gespeichert",
    "expires": "gültig bis",
    "Questions about this invoice?": "Fragen zu dieser Rechnung?",
    "Language": "Sprache",
    "Secure payment: card and bank details go directly to the payment processor.":
        "Sichere Zahlung: Karten- und Bankdaten gehen direkt an den Zahlungsdienstleister.",
    "Loading the secure payment fields…": "Die sicheren Zahlungsfelder werden geladen …",
    "The secure payment fields could not be loaded. Reload the page or contact {merchant}.":
        "Die sicheren Zahlungsfelder konnten nicht geladen werden. Laden Sie die Seite neu oder wenden Sie sich "
        "an {merchant}.",
    "A payment of the same amount was made on this invoice a short time ago. Pay again only if you really mean "
    "to pay twice.":
        "Auf diese Rechnung wurde vor kurzem eine Zahlung in gleicher Höhe geleistet. Zahlen Sie nur dann erneut, "
        "wenn Sie wirklich zweimal zahlen möchten.",
    # signed in (payapp/portal/account_pages.py)
    "Sign in": "Anmelden",
    "Questions?": "Fragen?",
    "Sign out": "Abmelden",
    "Sign in to pay": "Zum Bezahlen anmelden",
    "Sign in with your e-mail address to see and pay your invoices.":
        "Melden Sie sich mit Ihrer E-Mail-Adresse an, um Ihre Rechnungen zu sehen und zu bezahlen.",
    "E-mail address": "E-Mail-Adresse",
    "Send me a sign-in link": "Anmeldelink senden",
    "Enter the e-mail address {merchant} has for you. We send you a link that signs you in; it works once, for 15 "
    "minutes.":
        "Geben Sie die E-Mail-Adresse ein, die {merchant} von Ihnen hat. Wir senden Ihnen einen Link, der Sie "
        "anmeldet; er funktioniert einmal, 15 Minuten lang.",
    "Enter your e-mail address, like name@example.com.": "Geben Sie Ihre E-Mail-Adresse ein, etwa name@example.com.",
    "Check your e-mail": "Sehen Sie in Ihre E-Mails",
    "If {email} is the address of one of our contacts, we have sent a sign-in link to it. The link works once, for "
    "15 minutes.":
        "Wenn {email} die Adresse eines unserer Kontakte ist, haben wir einen Anmeldelink dorthin gesendet. Der Link "
        "funktioniert einmal, 15 Minuten lang.",
    "Hello {name},\n\nopen this link to sign in to the client portal of {merchant} for {organization}:\n\n{url}\n\n"
    "The link works once, for 15 minutes. If you did not ask for it, you can ignore this e-mail.":
        "Hallo {name},\n\nöffnen Sie diesen Link, um sich im Kundenportal von {merchant} für {organization} "
        "anzumelden:\n\n{url}\n\nDer Link funktioniert einmal, 15 Minuten lang. Wenn Sie ihn nicht angefordert "
        "haben, können Sie diese E-Mail ignorieren.",
    "Your sign-in link for {merchant}": "Ihr Anmeldelink für {merchant}",
    "Sign in to the client portal of {merchant}. The link works once.":
        "Melden Sie sich im Kundenportal von {merchant} an. Der Link funktioniert einmal.",
    "This sign-in link is not valid": "Dieser Anmeldelink ist nicht gültig",
    "The link was used already, has expired or is unknown. Ask for a new one.":
        "Der Link wurde schon benutzt, ist abgelaufen oder unbekannt. Fordern Sie einen neuen an.",
    "Open the page again and repeat the last step.":
        "Öffnen Sie die Seite erneut und wiederholen Sie den letzten Schritt.",
    "Recent invoices for {organization}": "Letzte Rechnungen für {organization}",
    "Open": "Offen",
    "Paid": "Bezahlt",
    "There are no invoices yet.": "Es gibt noch keine Rechnungen.",
    "You can see these invoices. Paying them online is not switched on for you; ask {merchant} if you should be "
    "able to pay.":
        "Sie können diese Rechnungen sehen. Online bezahlen ist für Sie nicht freigeschaltet; fragen Sie {merchant}, "
        "wenn Sie bezahlen können sollten.",
    "You cannot pay invoices here": "Sie können hier keine Rechnungen bezahlen",
    "You can see your organization's invoices, but paying them online is not switched on for you. Ask {merchant} "
    "if you should be able to pay.":
        "Sie können die Rechnungen Ihrer Organisation sehen, aber online bezahlen ist für Sie nicht freigeschaltet. "
        "Fragen Sie {merchant}, wenn Sie bezahlen können sollten.",
    "This invoice cannot be paid here": "Diese Rechnung kann hier nicht bezahlt werden",
    "It is paid, voided or not one of your organization's invoices.":
        "Sie ist bezahlt, storniert oder keine Rechnung Ihrer Organisation.",
    "Your invoices": "Ihre Rechnungen",
    "Your account": "Ihr Konto",
    "Invoices": "Rechnungen",
    "Payment methods": "Zahlungsarten",
    "Saved payment methods": "Gespeicherte Zahlungsarten",
    "The payment methods you saved when you paid. Only you are offered them; the one you used last is chosen first.":
        "Die Zahlungsarten, die Sie beim Bezahlen gespeichert haben. Nur Ihnen werden sie angeboten; die zuletzt "
        "benutzte ist vorausgewählt.",
    "Default": "Standard",
    "Delete": "Löschen",
    "You have no saved payment methods.": "Sie haben keine gespeicherten Zahlungsarten.",
    "The payment method was deleted.": "Die Zahlungsart wurde gelöscht.",
    "The payment method could not be deleted. Try again later or contact {merchant}.":
        "Die Zahlungsart konnte nicht gelöscht werden. Versuchen Sie es später erneut oder wenden Sie sich an "
        "{merchant}.",
}


def pick_language(accept_language: str, chosen: str = "") -> str:
    """"de" or "en": the visitor's switch first, then the first of Accept-Language's languages we speak (by
    weight), English otherwise."""
    if chosen in LANGUAGES:
        return chosen
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                weight = float(params[2:])
            except ValueError:
                weight = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and weight > 0:
            ranked.append((-weight, index, primary))
    return min(ranked)[2] if ranked else "en"


def table_of(language: str) -> dict[str, str]:
    """The texts of `language` by their English ({} for English: a text is its own translation)."""
    return GERMAN if language == "de" else {}


class FoldTranslations(Extension):
    """Writes each `_('literal')` of a template (no values to fill in) as its translated text when the template
    is compiled, so a page does not call the translator for its forty-odd fixed texts: one environment per
    language (`environment.portal_language`). `_('...', name=value)` and `_(variable)` stay calls. The result
    is exactly what `translator(language)` gives for the same text."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        table = table_of(getattr(self.environment, "portal_language", "en"))
        tokens = list(stream)
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if (t.type == "name" and t.value == "_" and i + 3 < len(tokens) and tokens[i + 1].type == "lparen"
                    and tokens[i + 2].type == "string" and tokens[i + 3].type == "rparen"
                    and (i == 0 or tokens[i - 1].type != "dot")):
                text = tokens[i + 2].value
                yield Token(t.lineno, "string", table.get(text, text))
                i += 4
                continue
            yield t
            i += 1


def translator(language: str) -> Callable[..., str]:
    """`_(text, **values)`: the text in `language`, with {placeholders} filled in."""
    table = table_of(language)

    def _(text: str, **values: object) -> str:
        out = table.get(text, text)
        return out.format(**values) if values else out

    return _
