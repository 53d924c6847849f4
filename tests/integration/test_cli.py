"""The command line as a user runs it: a real process each time."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from payapp import __version__


def _payapp(*args: str, tmp_path: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PAYAPP_DATA_DIR=str(tmp_path / "data"),
               PAYAPP_LOG_DIR=str(tmp_path / "logs"))
    return subprocess.run([sys.executable, "-m", "payapp", *args], capture_output=True, text=True, env=env,
                          timeout=timeout, check=False)


def test_version_and_help(tmp_path: Path) -> None:
    assert _payapp("--version", tmp_path=tmp_path).stdout.strip() == f"PayApp {__version__}"
    help_text = _payapp("--help", tmp_path=tmp_path).stdout
    for command in ("db", "demo-data", "screenshots", "sandbox", "sync"):
        assert command in help_text


def test_demo_data_bulk_invoices(tmp_path: Path) -> None:
    db = tmp_path / "bench.db"
    result = _payapp("demo-data", "--invoices", "5000", "--database", f"sqlite:///{db}", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM invoices").fetchone() == (5000,)
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "ix_invoices_company_name_id" in indexes


def test_demo_data_makes_the_demo_company_in_its_own_folder(tmp_path: Path) -> None:
    """Issue #2: at least 50 companies with contacts, contracts and tickets, two years of invoices in every state
    (open, partially paid, paid, overdue, voided), card and eCheck payments, some voided or refunded; written to
    the demo's own database, never the company's."""
    result = _payapp("demo-data", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "data" / "payapp.db").exists()
    db = tmp_path / "data" / "demo" / "payapp-demo.db"
    with sqlite3.connect(db) as conn:
        def one(sql: str) -> int:
            return int(conn.execute(sql).fetchone()[0])

        companies = one("SELECT COUNT(*) FROM companies")
        assert companies >= 50
        for table in ("contacts", "contracts", "tickets"):
            assert one(f"SELECT COUNT(DISTINCT company_id) FROM {table}") >= companies * 0.8, table
        statuses = {r[0] for r in conn.execute("SELECT DISTINCT status FROM invoices")}
        assert {"open", "partially_paid", "paid", "voided"} <= statuses
        assert one("SELECT COUNT(*) FROM invoices WHERE status IN ('open', 'partially_paid') "
                   "AND due_date < date('now')") > 0                                     # overdue
        assert one("SELECT julianday(MAX(invoice_date)) - julianday(MIN(invoice_date)) FROM invoices") >= 700
        kinds = {(m, s) for m, s in conn.execute("SELECT DISTINCT method, status FROM payments")}
        for method in ("card", "echeck"):
            assert (method, "settled") in kinds and (method, "voided") in kinds, method
            assert {(method, "refunded"), (method, "partially_refunded")} & kinds, method
        assert one("SELECT COUNT(*) FROM refunds") > 0
        # nothing has happened yet that lies in the future (payments shown as made next week look like a bug)
        for table, column in (("payments", "created_at"), ("payments", "settled_at"), ("payments", "voided_at"),
                              ("refunds", "created_at"), ("invoices", "paid_date"), ("invoices", "voided_date"),
                              ("invoices", "invoice_date")):
            assert one(f"SELECT COUNT(*) FROM {table} WHERE julianday({column}) > julianday('now')") == 0, column
        assert one("SELECT COUNT(*) FROM payments WHERE status = 'settled' AND settled_at IS NULL") == 0


def test_db_upgrade_creates_the_company_database(tmp_path: Path) -> None:
    result = _payapp("--no-demo", "db", "upgrade", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "payapp.db").exists()


@pytest.mark.slow
def test_smoke_test_and_screenshots(tmp_path: Path) -> None:
    smoke = _payapp("--smoke-test", tmp_path=tmp_path)
    assert smoke.returncode == 0, smoke.stderr
    assert "smoke test: rendered 3 tabs" in smoke.stdout
    out = tmp_path / "shots"
    result = _payapp("screenshots", str(out), tmp_path=tmp_path, timeout=300)
    assert result.returncode == 0, result.stderr
    pngs = sorted(out.glob("*.png"))
    names = {p.stem for p in pngs}
    for scheme in ("light", "dark"):
        for screen in ("adminTab", "invoiceHistoryTab", "paymentSearchTab", "aboutDialog"):
            assert f"{scheme}-{screen}" in names
    for png in pngs:
        image = QImage(str(png))
        assert not image.isNull() and image.width() > 100
