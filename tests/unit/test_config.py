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
