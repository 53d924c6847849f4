"""The e-mail template renderer (payapp/services/mail_templates.py) is total: a filled message, or a TemplateError
naming every unknown or missing placeholder, and never a raw `[...]` placeholder in what it returns."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from payapp.domain.errors import ValidationError
from payapp.services.invoice_mail import text_to_html
from payapp.services.mail_templates import (
    DEFAULTS,
    KINDS,
    LANGUAGES,
    PLACEHOLDERS,
    Template,
    TemplateError,
    check_template,
    placeholders_in,
    render,
    template_from_settings,
)

VALUES = {name: f"value-of-{name}" for kind in KINDS for name in PLACEHOLDERS[kind]}
PLACEHOLDER_SHAPE = re.compile(r"\[[A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*)+\]")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_default_fills_completely(kind: str, language: str) -> None:
    template = DEFAULTS[(kind, language)]
    check_template(kind, template)
    rendered = render(kind, template, VALUES)
    assert not PLACEHOLDER_SHAPE.search(rendered.subject + rendered.text)
    url = {"invoice": "Invoice", "reminder": "Reminder", "credit_note": "CreditNote"}[kind]
    assert f"value-of-{url}.customerportal_url" in rendered.text


def test_unknown_and_missing_placeholders_are_reported_together() -> None:
    template = Template("Invoice [Invoice.numbr]",
                        "Due [Invoice.due_date] for [Contact.name] [Reminder.customerportal_url]")
    with pytest.raises(TemplateError) as caught:
        render("invoice", template, {**VALUES, "Invoice.due_date": "", "Contact.name": "  "})
    assert caught.value.unknown == ("Invoice.numbr", "Reminder.customerportal_url")
    assert caught.value.missing == ("Invoice.due_date", "Contact.name")
    assert "[Invoice.numbr]" in caught.value.detail


def test_the_reminder_link_belongs_to_reminders_only() -> None:
    template = Template("s", "[Reminder.customerportal_url]")
    assert render("reminder", template, VALUES).text == "value-of-Reminder.customerportal_url"
    with pytest.raises(TemplateError):
        render("invoice", template, VALUES)


def test_brackets_that_are_not_placeholders_stay_and_values_are_not_filled_again() -> None:
    template = Template("[draft] [Invoice.number]", "[1] [Company.name]")
    rendered = render("invoice", template, {**VALUES, "Company.name": "[Invoice.number] Ltd"})
    assert rendered.subject == "[draft] value-of-Invoice.number"
    assert rendered.text == "[1] [Invoice.number] Ltd"           # the company's name as it is


def test_a_subject_stays_on_one_line() -> None:
    rendered = render("invoice", Template("[Company.name]", "t"), {**VALUES, "Company.name": "Acme\r\nBcc: x"})
    assert rendered.subject == "Acme Bcc: x"


def test_saving_refuses_unknown_placeholders_and_empty_parts() -> None:
    with pytest.raises(ValidationError, match=r"Invoice\.nmber"):
        check_template("invoice", Template("s", "[Invoice.nmber]"))
    with pytest.raises(ValidationError):
        check_template("invoice", Template(" ", "text"))
    with pytest.raises(ValidationError):
        check_template("invoice", Template("subject", ""))


def test_an_admins_edit_replaces_the_default_part_by_part() -> None:
    values = {"mail.template.invoice.de.subject": "Ihre Rechnung [Invoice.number]"}
    template = template_from_settings(values, "invoice", "de_DE")
    assert template.subject == "Ihre Rechnung [Invoice.number]"
    assert template.text == DEFAULTS[("invoice", "de")].text
    assert template_from_settings({}, "reminder", "fr") == DEFAULTS[("reminder", "en")]


@given(st.text(max_size=300), st.text(max_size=300))
def test_render_is_total(subject: str, text: str) -> None:
    try:
        rendered = render("invoice", Template(subject, text), VALUES)
    except TemplateError as exc:
        assert exc.problems
        return
    for name in placeholders_in(rendered.subject + rendered.text):
        # only what the values themselves brought in could look like a placeholder; they do not here
        assert f"[{name}]" not in VALUES.values()
    assert "\n" not in rendered.subject


def test_html_escapes_and_links_addresses() -> None:
    out = text_to_html("Pay <now> at https://pay.example.com/pay/abc?x=1&y=2\nThanks")
    assert "&lt;now&gt;" in out
    assert '<a href="https://pay.example.com/pay/abc?x=1&amp;y=2">' in out
    assert "<br>" in out
