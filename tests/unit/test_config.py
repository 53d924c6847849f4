from __future__ import annotations

from pathlib import Path

import pytest

from payapp.config import load_config


def test_nothing_configured_means_demo_in_its_own_folder(tmp_path: Path) -> None:
    config = load_config(data_dir=tmp_path)
    assert config.demo
    assert config.data_dir == tmp_path / "demo"
    assert config.database_url.endswith("demo/payapp-demo.db")


def test_database_url_from_environment_means_real_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYAPP_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/acme")
    config = load_config(data_dir=tmp_path)
    assert not config.demo
    assert config.database_url == "postgresql://postgres@127.0.0.1:5432/acme"


def test_existing_company_database_is_opened(tmp_path: Path) -> None:
    (tmp_path / "payapp.db").write_bytes(b"")
    config = load_config(data_dir=tmp_path)
    assert not config.demo
    assert config.database_url == f"sqlite:///{tmp_path / 'payapp.db'}"


def test_demo_flag_wins(tmp_path: Path) -> None:
    (tmp_path / "payapp.db").write_bytes(b"")
    assert load_config(demo=True, data_dir=tmp_path).demo


def test_tuning_defaults_are_todays_values() -> None:
    from payapp.config import Tuning, load_tuning

    t = load_tuning({})
    assert t == Tuning()
    assert (t.lookup_delays, t.unmatched_grace, t.outbox_lease, t.quickbooks_rate) == ((0.2, 0.6, 1.5), 300.0,
                                                                                     300.0, 8.0)


@pytest.mark.logs_warnings("bad PAYAPP_* values are reported in the log")
def test_tuning_from_environment_and_bad_values_keep_defaults() -> None:
    from payapp.config import Tuning, load_tuning

    t = load_tuning({"PAYAPP_LOOKUP_DELAYS": "0.01, 0.02", "PAYAPP_SEND_WINDOW": "2.5",
                     "PAYAPP_QUICKBOOKS_RATE": "0", "PAYAPP_OUTBOX_LEASE": "nan", "PAYAPP_UNMATCHED_GRACE": "-1",
                     "PAYAPP_RECHECK_BACKOFF": "1,x", "PAYAPP_GATEWAY_TIMEOUT": "1e400"})
    d = Tuning()
    assert (t.lookup_delays, t.send_window, t.quickbooks_rate) == ((0.01, 0.02), 2.5, 0.0)
    assert (t.outbox_lease, t.unmatched_grace, t.recheck_backoff, t.gateway_timeout) == (
        d.outbox_lease, d.unmatched_grace, d.recheck_backoff, d.gateway_timeout)
