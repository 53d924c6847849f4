"""E-mail templates for invoices, reminders and credit notes, in English and German, with placeholders such as
`[Invoice.customerportal_url]`, and the one renderer that fills them.

A template is a subject and a text. Placeholders are `[Name.field]`; each kind of template knows its own list
(`PLACEHOLDERS`). The renderer is total: it returns the filled message, or raises TemplateError listing every
placeholder it does not know (a typo: `[Invoice.numbr]`) and every one it has no value for (an invoice without a
due date, a company without a contact name) — before anything is sent, so a client never gets a raw `[...]`.
Text in brackets that is not shaped like a placeholder ("[draft]", "[1]") is left as it is.

Templates an admin edited are kept in the settings (mail.template.<kind>.<language>.subject / .text); an empty
setting means the default below."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg

KINDS = ("invoice", "reminder", "credit_note")
LANGUAGES = ("en", "de")

#: the placeholders every kind knows (the invoice the e-mail is about, its client, the merchant)
COMMON = ("Invoice.number", "Invoice.date", "Invoice.due_date", "Invoice.total", "Invoice.amount_due",
          "Invoice.customerportal_url", "Company.name", "Contact.name", "Contact.first_name", "Merchant.name",
          "Merchant.email", "Merchant.phone")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    "invoice": COMMON,
    "reminder": (*COMMON, "Reminder.customerportal_url"),
    "credit_note": (*COMMON, "CreditNote.number", "CreditNote.amount", "CreditNote.customerportal_url"),
}
#: placeholders whose value is the invoice's portal address (a payment link, made when the e-mail is sent)
URL_PLACEHOLDERS = frozenset({"Invoice.customerportal_url", "Reminder.customerportal_url",
                              "CreditNote.customerportal_url"})

_PLACEHOLDER = re.compile(r"\[([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+)\]")
MAX_SUBJECT = 300
MAX_TEXT = 20_000


@dataclass(frozen=True)
class Template:
    subject: str
    text: str


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str


@dataclass(frozen=True)
class TemplateProblem:
    placeholder: str          # "Invoice.numbr" (without brackets)
    problem: str              # "unknown" | "missing"


class TemplateError(PayAppError):
    """The template cannot be filled; `problems` lists each placeholder and why."""

    def __init__(self, user_message: str | Message, problems: tuple[TemplateProblem, ...]) -> None:
        super().__init__(user_message)
        self.problems = problems

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(p.placeholder for p in self.problems if p.problem == "unknown")

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(p.placeholder for p in self.problems if p.problem == "missing")


DEFAULTS: dict[tuple[str, str], Template] = {
    ("invoice", "en"): Template(
        "Invoice [Invoice.number] from [Merchant.name]",
        "Dear [Contact.name],\n\n"
        "Here is invoice [Invoice.number] of [Invoice.date] for [Company.name]: [Invoice.amount_due] is due "
        "by [Invoice.due_date].\n\n"
        "You can look at the invoice and pay it online here:\n"
        "[Invoice.customerportal_url]\n\n"
        "Thank you for your business.\n\n"
        "[Merchant.name]\n"),
    ("invoice", "de"): Template(
        "Rechnung [Invoice.number] von [Merchant.name]",
        "Guten Tag [Contact.name],\n\n"
        "anbei erhalten Sie die Rechnung [Invoice.number] vom [Invoice.date] für [Company.name]: "
        "[Invoice.amount_due] sind bis zum [Invoice.due_date] fällig.\n\n"
        "Hier können Sie die Rechnung ansehen und online bezahlen:\n"
        "[Invoice.customerportal_url]\n\n"
        "Vielen Dank für Ihren Auftrag.\n\n"
        "[Merchant.name]\n"),
    ("reminder", "en"): Template(
        "Reminder: invoice [Invoice.number] is due",
        "Dear [Contact.name],\n\n"
        "Our records show [Invoice.amount_due] still open on invoice [Invoice.number] for [Company.name], due "
        "on [Invoice.due_date]. If you have paid it already, please ignore this message.\n\n"
        "You can pay it here:\n"
        "[Reminder.customerportal_url]\n\n"
        "[Merchant.name]\n"),
    ("reminder", "de"): Template(
        "Zahlungserinnerung: Rechnung [Invoice.number]",
        "Guten Tag [Contact.name],\n\n"
        "auf der Rechnung [Invoice.number] für [Company.name], fällig am [Invoice.due_date], sind noch "
        "[Invoice.amount_due] offen. Falls Sie bereits bezahlt haben, betrachten Sie diese Nachricht bitte als "
        "gegenstandslos.\n\n"
        "Hier können Sie bezahlen:\n"
        "[Reminder.customerportal_url]\n\n"
        "[Merchant.name]\n"),
    ("credit_note", "en"): Template(
        "Credit note [CreditNote.number] from [Merchant.name]",
        "Dear [Contact.name],\n\n"
        "We have issued credit note [CreditNote.number] of [CreditNote.amount] for [Company.name].\n\n"
        "You can look at it here:\n"
        "[CreditNote.customerportal_url]\n\n"
        "[Merchant.name]\n"),
    ("credit_note", "de"): Template(
        "Gutschrift [CreditNote.number] von [Merchant.name]",
        "Guten Tag [Contact.name],\n\n"
        "wir haben für [Company.name] die Gutschrift [CreditNote.number] über [CreditNote.amount] "
        "ausgestellt.\n\n"
        "Hier können Sie sie ansehen:\n"
        "[CreditNote.customerportal_url]\n\n"
        "[Merchant.name]\n"),
}


def setting_key(kind: str, language: str, part: str) -> str:
    """mail.template.invoice.en.subject / .text"""
    return f"mail.template.{kind}.{language}.{part}"


def language_of(text: str) -> str:
    """"de" for German ("de", "de_DE"), "en" for everything else."""
    return "de" if (text or "").lower().startswith("de") else "en"


def template_from_settings(values: Mapping[str, object], kind: str, language: str) -> Template:
    """The template an admin saved, part by part; an empty part is the default's."""
    default = DEFAULTS[(kind, language_of(language))]
    subject = str(values.get(setting_key(kind, language_of(language), "subject")) or "") or default.subject
    text = str(values.get(setting_key(kind, language_of(language), "text")) or "") or default.text
    return Template(subject, text)


def placeholders_in(text: str) -> list[str]:
    """Every placeholder name in `text`, in order, each once."""
    seen: dict[str, None] = {}
    for match in _PLACEHOLDER.finditer(text or ""):
        seen.setdefault(match.group(1), None)
    return list(seen)


def unknown_placeholders(kind: str, template: Template) -> list[str]:
    known = set(PLACEHOLDERS.get(kind, ()))
    return [name for name in placeholders_in(f"{template.subject}\n{template.text}") if name not in known]


def problem_words(error: TemplateError) -> str:
    """The problems in one English sentence (the UI lists them with its own words)."""
    parts = []
    if error.unknown:
        parts.append("unknown: " + ", ".join(f"[{p}]" for p in error.unknown))
    if error.missing:
        parts.append("no value for: " + ", ".join(f"[{p}]" for p in error.missing))
    return "; ".join(parts)


def render(kind: str, template: Template, values: Mapping[str, str]) -> RenderedMail:
    """The template filled with `values` ({"Invoice.number": "1001", ...}); TemplateError when a placeholder is
    unknown for this kind or has no value (empty or absent). The subject is kept on one line."""
    if kind not in PLACEHOLDERS:
        raise TemplateError(msg("mail_template.unknown_kind"), ())
    known = set(PLACEHOLDERS[kind])
    problems: list[TemplateProblem] = []
    for name in placeholders_in(f"{template.subject}\n{template.text}"):
        if name not in known:
            problems.append(TemplateProblem(name, "unknown"))
        elif not str(values.get(name) or "").strip():
            problems.append(TemplateProblem(name, "missing"))
    if problems:
        error = TemplateError(msg("mail_template.cannot_fill"), tuple(problems))
        error.detail = problem_words(error)
        raise error

    def fill(match: re.Match[str]) -> str:
        return str(values[match.group(1)])

    # one pass: a value that itself looks like a placeholder ("[Acme.Inc]") is not filled again
    subject = " ".join(_PLACEHOLDER.sub(fill, template.subject).split())[:MAX_SUBJECT]
    text = _PLACEHOLDER.sub(fill, template.text)[:MAX_TEXT]
    return RenderedMail(subject, text)


def check_template(kind: str, template: Template) -> None:
    """Saving a template: refuse unknown placeholders and an empty subject or text (missing values can only be
    known for one invoice, when it is rendered)."""
    from payapp.domain.errors import ValidationError

    if not template.subject.strip():
        raise ValidationError(msg("mail_template.subject_empty"), field="subject")
    if not template.text.strip():
        raise ValidationError(msg("mail_template.text_empty"), field="text")
    if len(template.subject) > MAX_SUBJECT or len(template.text) > MAX_TEXT:
        raise ValidationError(msg("mail_template.too_long"), field="text")
    unknown = unknown_placeholders(kind, template)
    if unknown:
        raise ValidationError(msg("mail_template.unknown_placeholders",
                                  placeholders=", ".join(f"[{u}]" for u in unknown)), field="text")
