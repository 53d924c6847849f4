"""`payapp portal` and `payapp portal link`: the demo company with nothing configured, over its database and
sandboxes, and a payment link printed for an invoice number."""

from __future__ import annotations

import concurrent.futures
import re
import sqlite3
from pathlib import Path

import httpx
import pytest

from payapp.__main__ import main
from payapp.config import load_config
from tests.portal.conftest import PORTAL_SERVER
from tests.servers import free_port, serve_asgi

pytestmark = pytest.mark.slow


def cli(*argv: str) -> int:
    """`payapp ...` in a worker thread (its asyncio.run needs a thread without a running loop; the browser tests'
    Playwright owns this one's)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(main, list(argv)).result()


def test_the_demo_portal_and_a_link_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    from payapp.app import build_portal

    config = load_config()                    # nothing configured: the demo company
    assert config.demo
    port = free_port()
    portal = build_portal(config, public_url=f"http://127.0.0.1:{port}",
                          gateway_browser_url="http://127.0.0.1:1")
    assert portal.gateway_app is not None     # the demo gateway, for the browser's Collect.js
    db = Path(config.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        number = conn.execute("SELECT invoice_number FROM invoices WHERE balance_minor > 0 AND status != 'voided' "
                              "ORDER BY id LIMIT 1").fetchone()[0]
        settings = dict(conn.execute("SELECT key, value FROM settings WHERE key LIKE 'portal.%'").fetchall())
    assert settings["portal.enabled"] == "true"
    assert settings["portal.public_url"] == f'"http://127.0.0.1:{port}"'
    assert cli("portal", "link", number) == 0
    url = capsys.readouterr().out.strip()
    assert re.fullmatch(rf"http://127\.0\.0\.1:{port}/pay/[A-Za-z0-9_-]{{43}}", url)
    with serve_asgi(portal.app, port=port, lifespan="on", **PORTAL_SERVER):
        page = httpx.get(url, timeout=20)
    assert page.status_code == 200
    assert f"Invoice <span id=\"invoice-number\">{number}</span>" in page.text
    assert '<script src="http://127.0.0.1:1/token/Collect.js" data-tokenization-key="demo-sandbox-' in page.text


def test_a_link_to_an_unknown_invoice_is_refused_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli("portal", "link", "NO-SUCH-INVOICE") == 2
    assert "There is no invoice 'NO-SUCH-INVOICE'" in capsys.readouterr().err


def test_payapp_portal_serves_and_its_access_log_never_shows_a_token(tmp_path: Path) -> None:
    """`payapp portal` as a process (the demo company): prints the address, serves a link, logs /pay/<hidden>."""
    import os
    import subprocess
    import sys
    import time

    port = free_port()
    out = tmp_path / "portal.out"
    with out.open("wb") as sink:
        child = subprocess.Popen([sys.executable, "-m", "payapp", "portal", "--port", str(port)], stdout=sink,
                                 stderr=subprocess.STDOUT, env=dict(os.environ))
        try:
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.3)
            else:
                pytest.fail("payapp portal did not start: " + out.read_text()[-2000:])
            db = Path(load_config().database_url.removeprefix("sqlite:///"))
            with sqlite3.connect(db) as conn:
                number = conn.execute("SELECT invoice_number FROM invoices WHERE balance_minor > 0 AND status != "
                                      "'voided' ORDER BY id LIMIT 1").fetchone()[0]
            assert cli("portal", "link", number) == 0
            token = "Zz9" * 14 + "x"
            assert httpx.get(f"http://127.0.0.1:{port}/pay/{token}", timeout=20).status_code == 404
            gateway = httpx.get(f"http://127.0.0.1:{port + 1}/token/Collect.js", timeout=20)
            assert gateway.status_code == 200 and "CollectJS" in gateway.text
        finally:
            child.terminate()
            child.wait(timeout=30)
    log = out.read_text()
    assert f"Client portal of the demo company: http://127.0.0.1:{port}" in log
    assert '"GET /pay/<hidden> HTTP/1.1" 404' in log
    assert token not in log
