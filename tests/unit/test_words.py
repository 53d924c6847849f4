"""Issue #15.10: the words PayApp puts together read right."""

from __future__ import annotations

from payapp.ui.i18n import fill


def test_a_name_ending_in_a_full_stop_ends_the_sentence_once() -> None:
    template = "%1 can still be refunded to %2 for invoice %3 of %4."
    assert fill(template, "$5.00", "Visa •••• 1111", "2026000099", "Westfield Pharmacy Inc.") == (
        "$5.00 can still be refunded to Visa •••• 1111 for invoice 2026000099 of Westfield Pharmacy Inc.")
    assert fill("Voided for %1. The charge disappears.", "Delta Co.") == "Voided for Delta Co. The charge disappears."
    assert fill("%1.", "Acme LLC") == "Acme LLC."


def test_fill_replaces_each_placeholder_once() -> None:
    assert fill("%1 and %2", "50%2 off", "B") == "50%2 off and B"     # chained replace() made "50B off"
    assert fill("%2 before %1", "a", "b") == "b before a"
    assert fill("missing %3", "a") == "missing %3"


def test_the_audit_log_names_a_payment_by_its_numbers() -> None:
    from payapp.ui.audit_labels import entity_label

    assert entity_label("payment", "57", name="4000123456", invoice_number="2026000099") == (
        "Payment 4000123456 · invoice 2026000099")
    assert entity_label("user", "1", name="Dana Smith") == "User Dana Smith"
    assert entity_label("payment", "57") == "Payment 57"              # not known (any more): the id


def test_one_date_format_per_locale_the_date_fields_own() -> None:
    """Issue #15.9: grid, filters, dialogs and receipts write a date the way the date fields show it."""
    import datetime as dt

    from PySide6.QtCore import QDate, QLocale

    from payapp.ui.i18n import date_edit_format, format_day, format_moment
    from payapp.ui.invoices.invoice_model import short_date
    from payapp.ui.payments.payment_model import format_when

    day = dt.date(2026, 12, 2)
    assert format_day(day, "en_US") == "12/2/2026" and format_day(day, "de_DE") == "02.12.2026"
    for loc in ("en_US", "de_DE"):
        field = QLocale(loc).toString(QDate(2026, 12, 2), date_edit_format(loc))
        assert format_day(day, loc) == field == short_date(day, loc)
        moment = dt.datetime(2026, 12, 2, 15, 4, tzinfo=dt.UTC)
        assert format_when(moment, loc).startswith(format_day(moment.astimezone().date(), loc) + ", ")
    assert format_day(None, "en_US") == ""
    assert format_moment(dt.datetime(2026, 12, 2, 15, 4, 5, tzinfo=dt.UTC).astimezone(), "de_DE",
                         seconds=True).count(":") == 2
