"""Every settings key the code reads or writes is declared in domain/settings_spec.py (type, default, label),
so an undeclared key fails here instead of falling back to a default nobody chose."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from payapp.domain.settings_spec import BY_KEY, UnknownSetting, spec

PAYAPP = Path(__file__).resolve().parents[2] / "payapp"


def _key_arg(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
        return call.args[0].value
    return None


def used_setting_keys() -> list[tuple[str, str]]:
    """(where, key) for every literal key given to a settings read or write in payapp/: `<…settings…>.get(k)`,
    `.set(k, …)`, `.set_many({k: …})`, and the services' `_setting(k)` helpers."""
    found: list[tuple[str, str]] = []
    for path in sorted(PAYAPP.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            receiver = ast.unparse(func.value).lower() if isinstance(func, ast.Attribute) else ""
            where = f"{path.relative_to(PAYAPP.parent)}:{node.lineno}"
            if name == "_setting" or (name in ("get", "set") and "settings" in receiver):
                key = _key_arg(node)
                if key is not None:
                    found.append((where, key))
            elif name == "set_many" and node.args and isinstance(node.args[0], ast.Dict):
                found.extend((where, k.value) for k in node.args[0].keys
                             if isinstance(k, ast.Constant) and isinstance(k.value, str))
    return found


def test_every_setting_key_in_the_code_is_declared() -> None:
    used = used_setting_keys()
    # the scan must see the reads it exists for, or it proves nothing
    assert {"quickbooks.item_id", "quickbooks.deposit_account_id", "quickbooks.refund_account_id",
            "gateway.name"} <= {key for _, key in used}
    undeclared = [f"{where}: {key}" for where, key in used if key not in BY_KEY]
    assert not undeclared, "settings keys used but not declared in domain/settings_spec.py:\n" + "\n".join(undeclared)


def test_every_gateways_settings_are_declared() -> None:
    """Each gateway's address and credential fingerprints are read by the key its table row names
    (domain.gateways), not by a literal the scan above sees."""
    from payapp.domain.gateways import ENVIRONMENTS, GATEWAYS, PAYMENT_TYPES

    for g in GATEWAYS.values():
        assert spec(g.base_url_key).type is str
        for f in g.fields:
            assert spec(f.fingerprint_key).type is str
    for env, _ in ENVIRONMENTS:
        for ptype, _ in PAYMENT_TYPES:
            assert spec(f"payment_types.{env}.{ptype}").type is bool


def test_quickbooks_mapping_settings_are_declared_strings() -> None:
    assert (spec("quickbooks.item_id").type, spec("quickbooks.item_id").default) == (str, "1")
    for key in ("quickbooks.deposit_account_id", "quickbooks.refund_account_id"):
        assert (spec(key).type, spec(key).default, spec(key).admin_only) == (str, "", True)
    with pytest.raises(UnknownSetting):
        spec("quickbooks.no_such_setting")
