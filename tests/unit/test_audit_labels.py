"""The audit log's details are shown with labels in the user's language and money in the user's locale; every
key an audit writer stores and every setting has a label."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from payapp.domain.messages import msg, to_stored
from payapp.domain.money import Money
from payapp.domain.settings_spec import SPECS
from payapp.ui.audit_labels import DETAIL_KEYS, SETTINGS, details_text
from payapp.ui.i18n import install_translators, remove_translators

ROOT = Path(__file__).resolve().parents[2]
APPROVED = json.dumps({"amount_minor": 27606, "currency": "USD", "invoice_id": 12, "last_four": "1111",
                       "method": "card", "order_id": "demo-98-93", "response_code": "100",
                       "transaction_id": "8800000093"}, sort_keys=True)


def test_details_are_labelled_and_money_is_formatted() -> None:
    text = details_text(APPROVED)
    assert text.startswith("Amount: $276.06 · Payment type: Credit card · Last four digits: 1111")
    assert "amount_minor" not in text and "USD" not in text and "27606" not in text
    assert details_text(json.dumps({"demo": True})) == "Demo: Yes"
    assert details_text(json.dumps({"approval_id": 3, "amount_minor": 5000}), "en_US", "JPY") == (
        "Amount: ¥5,000 · Approval request: 3")
    assert details_text(json.dumps({"changes": {"payment_types.back_office.card": [False, True]}})) == (
        "Changes: Credit card for the back office: No → Yes")
    assert details_text("not json") == "not json"
    assert details_text(json.dumps({"later_key": "x"})) == "later_key: x"        # unknown keys still shown


def test_details_in_german(qapp: QApplication) -> None:
    try:
        install_translators(qapp, "de")
        text = details_text(APPROVED, "de_DE").replace("\xa0", " ")
        assert text.startswith("Betrag: 276,06 $ · Zahlungsart: Kreditkarte · Letzte vier Ziffern: 1111")
        assert "Auftrags-ID: demo-98-93" in text
        assert details_text(json.dumps({"demo": True}), "de_DE") == "Demo: Ja"
        assert details_text(json.dumps({"changes": {"payment_types.back_office.card": [False, True]}}),
                            "de_DE") == "Änderungen: Kreditkarte im Backoffice: Nein → Ja"
        assert details_text(json.dumps({"role": ["viewer", "admin"]}), "de_DE").startswith("Rolle: ")
        assert details_text(json.dumps({"reason": "wrong password"}), "de_DE") == "Grund: falsches Passwort"
        # the payment engine keeps its words as data (to_stored): in German with German money; the gateway's own
        # words as they are
        kept = to_stored(msg("attention.returned_after_refund", amount=Money(1250, "EUR")))
        assert details_text(json.dumps({"message": kept}), "de_DE").replace("\xa0", " ").startswith(
            "Meldung des Gateways: Die Bank hat diesen eCheck zurückgegeben, nachdem 12,50 € davon erstattet")
        assert details_text(json.dumps({"message": "DECLINE"}), "de_DE") == "Meldung des Gateways: DECLINE"
    finally:
        remove_translators(qapp)
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))


def _stored_keys() -> dict[str, str]:
    """{key: where} for the detail keys the audit writers store: keyword arguments of audit.record/entry (and
    the wrappers around them), and the keys of dict literals named `details` that are passed on with **."""
    found: dict[str, str] = {}
    for path in sorted((ROOT / "payapp").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
                first = node.args[0] if node.args else None
                action = next((a.value for a in node.args if isinstance(a, ast.Constant)
                               and isinstance(a.value, str) and "." in a.value), None)
                if name in ("entry", "record", "_audit") and (action or isinstance(first, ast.Name)):
                    for kw in node.keywords:
                        if kw.arg and kw.arg not in ("entity_type", "entity_id"):
                            found.setdefault(kw.arg, f"{where}:{node.lineno}")
            if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict)
                    and any(isinstance(t, ast.Name) and t.id == "details" for t in node.targets)):
                for key in node.value.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        found.setdefault(key.value, f"{where}:{node.lineno}")
    return found


def test_every_stored_detail_key_and_every_setting_has_a_label() -> None:
    stored = _stored_keys()
    assert {"amount_minor", "currency", "demo", "changes", "kind", "reason"} <= set(stored), "is the scan working?"
    missing = sorted(f"{where}: {key}" for key, where in stored.items() if key not in DETAIL_KEYS)
    assert not missing, "Add a label to DETAIL_KEYS in payapp/ui/audit_labels.py:\n" + "\n".join(missing)
    assert sorted(SETTINGS) == sorted(s.key for s in SPECS), "SETTINGS in audit_labels.py and SPECS differ"


def test_a_money_setting_is_shown_as_money_in_the_currency_recorded_with_it() -> None:
    text = details_text(json.dumps({"changes": {"refunds.approval_threshold_minor": [0, 500_00]}, "currency": "USD"}))
    assert "$500.00" in text and "USD" not in text and "50,000" not in text
