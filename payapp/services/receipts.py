"""The payment receipt: one document for the desktop (Save as PDF, Print) and the client portal (issue #15.12).

`ReceiptService.receipt(payment_id)` gathers the facts (the merchant from the merchant.* settings, the invoice
and what is left to pay on it, the payer, the masked method, the status in words, and for an eCheck the ACH debit
authorization the customer agreed to); `render_receipt_html` and `render_receipt_pdf` write them in English or
German, money and dates the way the UI writes them in that language. No Qt here: the web portal renders the same
receipt. The PDF is made with fpdf2 (pure Python) in DejaVu Sans, shipped in payapp/resources/fonts (Bitstream
Vera licence, which allows redistributing the unmodified fonts with software; LICENSE-DejaVu.txt beside them), so
umlauts, € and names in other Latin, Greek or Cyrillic letters print on Windows and macOS as on Linux.

Never a card or account number: brand or account type and the last four digits only.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import datetime as dt
import html
import io
from dataclasses import dataclass, field

from babel.dates import format_date, format_time
from sqlalchemy import func, select

from payapp.domain.errors import NotFound
from payapp.domain.messages import msg
from payapp.domain.money import format_money
from payapp.domain.payment_state import PaymentStatus
from payapp.domain.roles import Permission
from payapp.models import AchAuthorization, Contact, Invoice, Payment, SavedPaymentMethod, SepaMandate
from payapp.models.db import Database
from payapp.resources import RESOURCES
from payapp.services.auth import CurrentUser
from payapp.services.settings import SettingsService

FONT_DIR = RESOURCES / "fonts"
S = PaymentStatus

#: Babel locale and date pattern per language: the date fields' own short format with a four-digit year, as
#: payapp.ui.i18n.format_day writes dates (12/2/2026, 02.12.2026; issue #15.9, tests/unit/test_receipts.py).
_LOCALES = {"en": ("en_US", "M/d/yyyy"), "de": ("de_DE", "dd.MM.yyyy")}

# Statuses whose payment took money off the invoice (what a later payment applied is added back to the balance).
_APPLIED = (S.APPROVED, S.SETTLED, S.PARTIALLY_REFUNDED, S.REFUNDED)


@dataclass(frozen=True)
class ReceiptAuthorization:
    """The ACH debit authorization an eCheck was taken under, as the customer agreed to it."""
    authorized_by: str
    authorized_at: dt.datetime
    sec_code: str                  # PPD (personal account) | CCD (business account) | WEB (portal); SEPA: the
    wording_version: str           # mandate reference
    wording_text: str
    #: "ach" (an eCheck's debit authorization) | "sepa" (a SEPA direct debit mandate)
    kind: str = "ach"

    @property
    def title(self) -> str:
        return "SEPA direct debit mandate" if self.kind == "sepa" else "ACH debit authorization"


@dataclass(frozen=True)
class Receipt:
    payment_id: int
    invoice_id: int                # the portal checks a receipt belongs to its link's invoice
    # the merchant (merchant.* settings)
    merchant_name: str
    merchant_address: tuple[str, ...]
    merchant_email: str
    merchant_phone: str
    merchant_logo_png: bytes | None = field(repr=False)
    # the invoice
    company_name: str
    invoice_number: str
    invoice_date: dt.date | None
    # the payment
    paid_at: dt.datetime
    amount_minor: int
    refunded_minor: int
    currency: str
    method: str                    # card | echeck
    brand: str
    last_four: str
    account_type: str              # eCheck: checking | savings
    transaction_id: str
    auth_code: str
    status: str                    # domain.payment_state.PaymentStatus value
    balance_after_minor: int       # what is left to pay on the invoice after this payment
    payer_name: str                # the card holder / the name on the account (the company when not known)
    contact_name: str              # the contact who paid (portal) or was chosen, "" when none
    contact_email: str
    source: str                    # back_office | client_portal
    authorization: ReceiptAuthorization | None = None

    @property
    def pending_settlement(self) -> bool:
        """An approved eCheck or SEPA debit is not money in the bank until it settles (issue #15.6)."""
        return self.method in ("echeck", "sepa") and self.status == S.APPROVED

    @property
    def method_masked(self) -> str:
        """ "Visa …1111", "eCheck checking …3123" (English; `method_words` for a language)."""
        return method_words(self, "en")


class ReceiptService:
    def __init__(self, db: Database, settings: SettingsService, current: CurrentUser) -> None:
        self._db = db
        self._settings = settings
        self._current = current

    async def receipt(self, payment_id: int) -> Receipt:
        """The receipt of one payment (Permission.VIEW). Raises payapp.domain.errors.NotFound."""
        self._current.require(Permission.VIEW)
        values = await self._settings.get_all()
        async with self._db.sessions() as s:
            p = await s.get(Payment, payment_id)
            if p is None:
                raise NotFound(msg("payment.this_gone"))
            inv = await s.get(Invoice, p.invoice_id)
            # the balance right after this payment: today's, plus what later payments took off it since
            later = await s.scalar(
                select(func.coalesce(func.sum(Payment.applied_minor), 0)).where(
                    Payment.invoice_id == p.invoice_id, Payment.status.in_([x.value for x in _APPLIED]),
                    (Payment.created_at > p.created_at)
                    | ((Payment.created_at == p.created_at) & (Payment.id > p.id))))
            consent = (await s.scalars(select(AchAuthorization)
                                       .where(AchAuthorization.payment_id == p.id))).first()
            mandate = (await s.scalars(select(SepaMandate).where(SepaMandate.payment_id == p.id))).first() \
                if p.method == "sepa" else None
            saved = await s.get(SavedPaymentMethod, p.saved_method_id) if p.saved_method_id else None
            contact = await s.get(Contact, p.contact_id) if p.contact_id else None
        balance = (inv.balance_minor if inv is not None else 0) + int(later or 0)
        contact_name = " ".join(x for x in (contact.first_name, contact.last_name) if x) if contact else ""
        payer = ((consent.authorized_by if consent is not None else "")
                 or (mandate.authorized_by if mandate is not None else "")
                 or (saved.holder_name if saved is not None else "") or contact_name or p.company_name)
        authorization = None
        if consent is not None:
            authorization = ReceiptAuthorization(consent.authorized_by, consent.authorized_at, consent.sec_code,
                                                 consent.wording_version, consent.wording_text)
        elif mandate is not None:          # the debtor's copy of the SEPA mandate
            authorization = ReceiptAuthorization(mandate.authorized_by, mandate.authorized_at,
                                                 mandate.mandate_reference, mandate.wording_version,
                                                 mandate.wording_text, kind="sepa")
        address = tuple(line.strip() for line in str(values.get("merchant.address") or "").splitlines()
                        if line.strip())
        return Receipt(
            payment_id=p.id, invoice_id=p.invoice_id, merchant_name=str(values.get("merchant.name") or "").strip(),
            merchant_address=address, merchant_email=str(values.get("merchant.email") or "").strip(),
            merchant_phone=str(values.get("merchant.phone") or "").strip(),
            merchant_logo_png=_logo(str(values.get("merchant.logo_png") or "")),
            company_name=p.company_name, invoice_number=p.invoice_number,
            invoice_date=inv.invoice_date if inv is not None else None,
            paid_at=p.decided_at or p.created_at, amount_minor=p.amount_minor, refunded_minor=p.refunded_minor,
            currency=p.currency, method=p.method, brand=p.brand, last_four=p.last_four,
            account_type=p.account_type, transaction_id=p.transaction_id, auth_code=p.auth_code, status=p.status,
            balance_after_minor=max(balance, 0), payer_name=payer, contact_name=contact_name,
            contact_email=contact.email if contact is not None else "", source=p.source,
            authorization=authorization)


    @staticmethod
    async def pdf(receipt: Receipt, language: str) -> bytes:
        """`render_receipt_pdf` on a worker thread: reading the fonts and subsetting them takes a few hundred
        milliseconds, which a window's event loop (or the portal's) should not wait through."""
        return await asyncio.to_thread(render_receipt_pdf, receipt, language)


def _logo(text: str) -> bytes | None:
    """The merchant.logo_png setting (base64 PNG) as bytes; None when unset or not a PNG."""
    if not text.strip():
        return None
    try:
        data = base64.b64decode(text.strip(), validate=False)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(b"\x89PNG\r\n\x1a\n") else None


# ------------------------------------------------------------------------------------------- words

_DE = {
    "Payment receipt": "Zahlungsbeleg",
    "%1 — Payment receipt": "%1 — Zahlungsbeleg",
    "Date": "Datum",
    "Paid by": "Bezahlt von",
    "Contact": "Kontakt",
    "Company": "Firma",
    "Invoice": "Rechnung",
    "Invoice date": "Rechnungsdatum",
    "Method": "Zahlungsmittel",
    "Transaction ID": "Transaktions-ID",
    "Authorization": "Autorisierungscode",
    "Status": "Status",
    "Paid through": "Bezahlt über",
    "Amount": "Betrag",
    "Refunded": "Erstattet",
    "Net": "Endbetrag",
    "Remaining balance": "Offener Restbetrag",
    "Thank you for your payment.": "Vielen Dank für Ihre Zahlung.",
    "ACH debit authorization": "ACH-Lastschriftermächtigung",
    "SEPA direct debit mandate": "SEPA-Lastschriftmandat",
    "SEPA direct debit": "SEPA-Lastschrift",
    "Mandate reference %1": "Mandatsreferenz %1",
    "Agreed by %1 on %2 · wording %3": "Zugestimmt von %1 am %2 · Text %3",
    "PPD · personal account": "PPD · Privatkonto",
    "CCD · business account": "CCD · Geschäftskonto",
    "WEB · authorized online": "WEB · online erteilt",
    "An eCheck is final once the bank has settled it, usually within a few banking days.":
        "Ein eCheck ist endgültig, sobald die Bank ihn abgerechnet hat, meist innerhalb weniger Bankarbeitstage.",
    "Card": "Karte",
    "eCheck checking": "eCheck Girokonto",
    "eCheck savings": "eCheck Sparkonto",
    "Back office": "Backoffice",
    "Client portal": "Kundenportal",
    "Pending settlement": "Abrechnung ausstehend",
    "Approved": "Genehmigt",
    "Settled": "Abgerechnet",
    "Voided": "Storniert",
    "Refunded in full": "Vollständig erstattet",
    "Partially refunded": "Teilweise erstattet",
    "Returned by the bank": "Von der Bank zurückgegeben",
    "Declined": "Abgelehnt",
    "Being confirmed": "Wird bestätigt",
    "Failed": "Fehlgeschlagen",
}
_STATUS: dict[str, str] = {
    S.APPROVED: "Approved", S.SETTLED: "Settled", S.VOIDED: "Voided", S.REFUNDED: "Refunded in full",
    S.PARTIALLY_REFUNDED: "Partially refunded", S.RETURNED: "Returned by the bank", S.DECLINED: "Declined",
    S.PENDING: "Being confirmed", S.UNKNOWN: "Being confirmed", S.ERROR: "Failed",
}
_SOURCES = {"back_office": "Back office", "client_portal": "Client portal"}


def _language(language: str) -> str:
    return "de" if language.lower().startswith("de") else "en"


def _t(text: str, language: str) -> str:
    return _DE.get(text, text) if _language(language) == "de" else text


def babel_locale(language: str) -> str:
    return _LOCALES[_language(language)][0]


def format_receipt_day(day: dt.date | None, language: str) -> str:
    """12/2/2026 · 02.12.2026: as the UI writes a date (payapp.ui.i18n.format_day)."""
    locale, pattern = _LOCALES[_language(language)]
    return str(format_date(day, pattern, locale=locale)) if day else ""


def format_receipt_moment(when: dt.datetime, language: str) -> str:
    """12/2/2026, 3:04 PM · 02.12.2026, 15:04 in this computer's time zone (payapp.ui.i18n.format_moment)."""
    local = when.astimezone()
    return (f"{format_receipt_day(local.date(), language)}, "
            f"{format_time(local, 'short', locale=babel_locale(language))}")


def method_words(r: Receipt, language: str) -> str:
    """ "Visa …1111", "eCheck Girokonto …3123": the brand or account type and the last four digits only."""
    if r.method == "echeck":
        kind = _t("eCheck savings" if r.account_type == "savings" else "eCheck checking", language)
    elif r.method == "sepa":
        kind = _t("SEPA direct debit", language)
    else:
        kind = r.brand or _t("Card", language)
    return f"{kind} …{r.last_four}" if r.last_four else kind


def status_words(r: Receipt, language: str) -> str:
    if r.pending_settlement:
        return _t("Pending settlement", language)
    return _t(_STATUS.get(r.status, r.status), language)       # StrEnum: "approved" finds S.APPROVED


def sec_code_words(code: str, language: str) -> str:
    words = {"PPD": "PPD · personal account", "CCD": "CCD · business account", "WEB": "WEB · authorized online"}
    return _t(words[code], language) if code in words else code


def _fill(template: str, *values: str) -> str:
    """Qt-style %1…%9 placeholders, filled in one pass (a value containing "%2" stays as it is)."""
    out, i = [], 0
    while i < len(template):
        ch = template[i]
        if ch == "%" and i + 1 < len(template) and template[i + 1].isdigit() and 0 < int(template[i + 1]) <= len(
                values):
            out.append(values[int(template[i + 1]) - 1])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def receipt_title(r: Receipt, language: str) -> str:
    return (_fill(_t("%1 — Payment receipt", language), r.merchant_name) if r.merchant_name
            else _t("Payment receipt", language))


def receipt_rows(r: Receipt, language: str) -> list[tuple[str, str]]:
    """The receipt's (label, value) lines in order, before the money lines."""
    payer = r.payer_name
    if r.company_name and r.company_name != payer:
        payer = f"{payer} · {r.company_name}" if payer else r.company_name
    rows = [(_t("Date", language), format_receipt_moment(r.paid_at, language)),
            (_t("Paid by", language), payer)]
    if r.contact_name and r.contact_name != r.payer_name:
        rows.append((_t("Contact", language), " · ".join(x for x in (r.contact_name, r.contact_email) if x)))
    invoice = r.invoice_number
    if r.invoice_date is not None:
        invoice = f"{invoice} · {format_receipt_day(r.invoice_date, language)}"
    rows += [(_t("Invoice", language), invoice),
             (_t("Method", language), method_words(r, language)),
             (_t("Transaction ID", language), r.transaction_id)]
    if r.auth_code:                                  # cards have one; eChecks none
        rows.append((_t("Authorization", language), r.auth_code))
    rows += [(_t("Status", language), status_words(r, language)),
             (_t("Paid through", language), _t(_SOURCES.get(r.source, r.source), language))]
    return [(k, v or "—") for k, v in rows]


def money_rows(r: Receipt, language: str) -> list[tuple[str, str, bool]]:
    """(label, amount, bold): the amount, refunds and the net, then what is left to pay on the invoice."""
    locale = babel_locale(language)

    def money(minor: int) -> str:
        return format_money(minor, r.currency, locale)

    rows = [(_t("Amount", language), money(r.amount_minor), True)]
    if r.refunded_minor:
        rows += [(_t("Refunded", language), money(r.refunded_minor), False),
                 (_t("Net", language), money(r.amount_minor - r.refunded_minor), True)]
    rows.append((_t("Remaining balance", language), money(r.balance_after_minor), False))
    return rows


def authorization_meta(a: ReceiptAuthorization, language: str) -> str:
    head = (_fill(_t("Mandate reference %1", language), a.sec_code) if a.kind == "sepa"
            else sec_code_words(a.sec_code, language))
    return (head + " · "
            + _fill(_t("Agreed by %1 on %2 · wording %3", language), a.authorized_by,
                    format_receipt_moment(a.authorized_at, language), a.wording_version))


def merchant_contact(r: Receipt) -> str:
    return " · ".join(x for x in (r.merchant_email, r.merchant_phone) if x)


# ------------------------------------------------------------------------------------------- HTML

def render_receipt_html(receipt: Receipt, language: str) -> str:
    """The receipt as a small HTML page (Qt's QTextDocument prints it; the portal shows it). The logo, if any, is
    an inline data: URL."""
    r, e = receipt, html.escape
    lang = _language(language)

    def label(text: str) -> str:
        return f"<td style='color:#555;padding-right:16px'>{e(text)}</td>"

    head = ""
    if r.merchant_logo_png:
        logo = base64.b64encode(r.merchant_logo_png).decode("ascii")
        head += f"<p><img src='data:image/png;base64,{logo}' height='48' alt=''></p>"
    head += f"<h2>{e(receipt_title(r, lang))}</h2>"          # the merchant's name is in the title
    lines = [*r.merchant_address, merchant_contact(r)]
    if any(lines):
        head += "<p style='color:#333'>" + "<br>".join(e(x) for x in lines if x) + "</p>"
    body = "".join(f"<tr>{label(k)}<td>{e(v)}</td></tr>" for k, v in receipt_rows(r, lang))
    body += "".join(f"<tr>{label(k)}<td>{'<b>' + e(v) + '</b>' if bold else e(v)}</td></tr>"
                    for k, v, bold in money_rows(r, lang))
    notes = ""
    if r.pending_settlement:
        notes += "<p style='color:#555'>" + e(_t(
            "An eCheck is final once the bank has settled it, usually within a few banking days.", lang)) + "</p>"
    if r.authorization is not None:        # the customer's copy of the ACH debit authorization (NACHA)
        a = r.authorization
        notes += (f"<h3>{e(_t(a.title, lang))}</h3><p>{e(a.wording_text)}</p>"
                  f"<p style='color:#555'>{e(authorization_meta(a, lang))}</p>")
    thanks = e(_t("Thank you for your payment.", lang))
    return (f"<html lang='{lang}'><head><meta charset='utf-8'><title>{e(receipt_title(r, lang))}</title></head>"
            f"<body style='font-family:sans-serif'>{head}"
            f"<table style='margin-top:12px'>{body}</table>{notes}<p style='color:#555'>{thanks}</p></body></html>")


# ------------------------------------------------------------------------------------------- PDF

def render_receipt_pdf(receipt: Receipt, language: str) -> bytes:
    """The receipt as a one-page (US Letter) PDF with the DejaVu Sans font embedded (subset)."""
    from fpdf import FPDF  # imported when a receipt is made, off the path to the first window

    r, lang = receipt, _language(language)
    pdf = FPDF(orientation="portrait", unit="mm", format="letter")
    pdf.set_margins(20, 18, 20)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("DejaVu", "", FONT_DIR / "DejaVuSans.ttf")
    pdf.add_font("DejaVu", "B", FONT_DIR / "DejaVuSans-Bold.ttf")
    title = receipt_title(r, lang)
    pdf.set_title(title)
    pdf.set_author(r.merchant_name or "PayApp")
    pdf.set_creator("PayApp")
    pdf.set_lang("de-DE" if lang == "de" else "en-US")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    if r.merchant_logo_png:
        try:
            pdf.image(io.BytesIO(r.merchant_logo_png), h=16, keep_aspect_ratio=True)
            pdf.ln(2)
        except Exception:        # a broken logo never stops a receipt
            pass
    if r.merchant_name:
        pdf.set_font("DejaVu", "B", 15)
        pdf.multi_cell(width, 7, r.merchant_name, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(60, 60, 60)
    for line in (*r.merchant_address, merchant_contact(r)):
        if line:
            pdf.multi_cell(width, 4.8, line, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(5)
    pdf.set_draw_color(190, 190, 190)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(5)
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, title if not r.merchant_name else _t("Payment receipt", lang),
                   new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(3)

    label_w = 48.0

    def row(label: str, value: str, strong: bool = False) -> None:
        pdf.set_font("DejaVu", "", 10)
        pdf.set_text_color(85, 85, 85)
        y = pdf.get_y()
        pdf.multi_cell(label_w, 6, label, new_x="RIGHT", new_y="TOP")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "B" if strong else "", 10)
        pdf.set_xy(pdf.l_margin + label_w, y)
        pdf.multi_cell(width - label_w, 6, value, new_x="LMARGIN", new_y="NEXT", align="L")

    for k, v in receipt_rows(r, lang):
        row(k, v)
    pdf.ln(2)
    for k, v, strong in money_rows(r, lang):
        row(k, v, strong)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 9.5)
    pdf.set_text_color(85, 85, 85)
    if r.pending_settlement:
        pdf.multi_cell(width, 5, _t("An eCheck is final once the bank has settled it, usually within a few "
                                    "banking days.", lang), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
    if r.authorization is not None:
        a = r.authorization
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "B", 11)
        pdf.multi_cell(width, 6, _t(a.title, lang), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.set_font("DejaVu", "", 9.5)
        pdf.multi_cell(width, 5, a.wording_text, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(1)
        pdf.set_text_color(85, 85, 85)
        pdf.multi_cell(width, 5, authorization_meta(a, lang), new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(2)
    pdf.multi_cell(width, 5, _t("Thank you for your payment.", lang), new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
