"""The demo sandboxes' state files: atomic JSON with exact decimals, read back after a restart (transaction ids
continue), and the gateway's daily settlement cut-off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from payapp.sandbox.gateway import DEMO_SECURITY_KEY, GatewaySandbox
from payapp.sandbox.persist import load_state, save_state
from payapp.sandbox.quickbooks import QuickBooksSandbox

SALE = {"security_key": DEMO_SECURITY_KEY, "type": "sale", "ccnumber": "4111111111111111", "ccexp": "1230",
        "amount": "10.00", "dup_seconds": "0"}


def test_state_is_written_atomically_with_exact_decimals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "state" / "s.json"
    save_state(path, {"amount": Decimal("0.10"), "ids": ("a", "b")})
    assert load_state(path) == {"amount": Decimal("0.10"), "ids": ["a", "b"]}

    def broken(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", broken)
    with pytest.raises(OSError):
        save_state(path, {"amount": Decimal("99.99")})
    assert load_state(path) == {"amount": Decimal("0.10"), "ids": ["a", "b"]}     # the old state stays whole
    assert [p.name for p in path.parent.iterdir()] == ["s.json"]                  # no temporary file left


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", "null", "\x00\xff"])
@pytest.mark.logs_warnings("an unreadable state file is reported")
def test_an_unreadable_state_is_none(tmp_path: Path, text: str) -> None:
    path = tmp_path / "s.json"
    path.write_text(text, encoding="utf-8", errors="surrogateescape")
    assert load_state(path) is None
    assert load_state(tmp_path / "missing.json") is None


def test_gateway_restart_keeps_transactions_and_ids_keep_increasing(tmp_path: Path) -> None:
    first = GatewaySandbox()
    a = first.transact(SALE)["transactionid"]
    b = first.transact({**SALE, "amount": "11.00"})["transactionid"]
    save_state(tmp_path / "g.json", first.state_dict())
    again = GatewaySandbox()
    data = load_state(tmp_path / "g.json")
    assert data is not None
    again.load_state_dict(data)
    assert set(again.transactions) == {a, b}
    assert again.transactions[a].amount == Decimal("10.00")
    c = again.transact({**SALE, "amount": "12.00"})["transactionid"]
    assert int(c) > int(b)
    voided = again.transact({"security_key": DEMO_SECURITY_KEY, "type": "void", "transactionid": a})
    assert voided["response"] == "1"


def test_gateway_ids_continue_after_known_transactions() -> None:
    sb = GatewaySandbox()
    sb.transact(SALE)
    known = next(iter(sb.transactions.values()))
    from dataclasses import replace

    sb.add_known(replace(known, transaction_id="8800009999", actions=list(known.actions)))
    assert int(sb.transact({**SALE, "amount": "13.00"})["transactionid"]) == 8800010000


def test_gateway_settles_at_its_daily_cutoff() -> None:
    now = [dt.datetime(2026, 12, 3, 21, 0, tzinfo=dt.UTC).timestamp()]
    sb = GatewaySandbox(clock=lambda: now[0], daily_cutoff=dt.time(22, 0))
    tid = sb.transact(SALE)["transactionid"]
    now[0] += 1800                                            # 21:30: before the cut-off
    sb.query({"security_key": DEMO_SECURITY_KEY, "transaction_id": tid})
    assert sb.transactions[tid].condition == "pendingsettlement"
    now[0] += 3600                                            # 22:30: after it
    sb.query({"security_key": DEMO_SECURITY_KEY, "transaction_id": tid})
    assert sb.transactions[tid].condition == "complete"
    assert GatewaySandbox().daily_cutoff is None              # tests' sandboxes settle only when told


def test_quickbooks_restart_keeps_records_tokens_and_counters(tmp_path: Path) -> None:
    qb = QuickBooksSandbox()
    qb.add_records("Customer", [{"Id": "7", "SyncToken": "0", "DisplayName": "Acme", "Balance": Decimal("1.50")}])
    qb.add_records("Invoice", [{"Id": "2500", "DocNumber": "1400", "SyncToken": "0", "Balance": Decimal("3")}])
    access, refresh = qb.issue_tokens()
    qb.replies["rid-1"] = (200, b'{"Payment": {"Id": "2501"}}')
    save_state(tmp_path / "q.json", qb.state_dict())
    again = QuickBooksSandbox()
    data = load_state(tmp_path / "q.json")
    assert data is not None
    again.load_state_dict(data)
    assert again.entities["Customer"]["7"]["Balance"] == Decimal("1.50")
    assert access in again.access_tokens and refresh in again.refresh_tokens
    assert again.replies["rid-1"] == (200, b'{"Payment": {"Id": "2501"}}')
    assert int(again.new_id()) > 2500 and again._doc_number >= 1400
