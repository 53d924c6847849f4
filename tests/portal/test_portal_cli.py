"""`payapp portal` and `payapp portal link`: the demo company with nothing configured, over its database and
sandboxes, and a payment link printed for an invoice number."""

from __future__ import annotations

import concurrent.futures
import re
import sqlite3
from pathlib import Path
from typing import Any

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


def test_the_demo_portal_serves_the_sandboxes_payment_pages(new_page: Any) -> None:
    """In the demo, PayEngine's and PayPal's sandboxes run in the portal's process under made-up hosts; the demo
    portal serves their browser pages under its own address, so a payer pays there by PayPal through PayEngine's
    hosted page and by PayPal's Express Checkout, and comes back to the portal's result page."""
    from payapp.app import build_portal
    from payapp.services.demo_data import write_demo_settings

    config = load_config()
    assert config.demo
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    portal = build_portal(config, public_url=url, gateway_browser_url="http://127.0.0.1:1")
    db = Path(config.database_url.removeprefix("sqlite:///"))
    with sqlite3.connect(db) as conn:
        numbers = [r[0] for r in conn.execute(
            "SELECT invoice_number FROM invoices WHERE balance_minor > 0 AND status != 'voided' "
            "AND currency = 'USD' ORDER BY id LIMIT 2")]
        before = conn.execute("SELECT COALESCE(MAX(id), 0) FROM payments").fetchone()[0]
    links = []
    for number in numbers:
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            links.append(pool.submit(_link_of, number).result())
    with serve_asgi(portal.app, port=port, lifespan="on", **PORTAL_SERVER):
        # only the sandboxes' browser pages are served, not their APIs or control routes
        assert httpx.get(f"{url}/_sandbox/payengine/v1/orders", timeout=20).status_code == 404
        assert httpx.post(f"{url}/_sandbox/paypal/nvp", timeout=20).status_code == 404
        for gateway, link, sandbox_path in (("payengine", links[0], "/_sandbox/payengine/hosted/"),
                                            ("paypal", links[1], "/_sandbox/paypal/cgi-bin/webscr")):
            write_demo_settings(config.database_url, {"gateway.name": gateway, "payment_types.portal.paypal": True})
            page = new_page()
            page.goto(link)
            page.click("#hosted-paypal")
            page.wait_for_url(f"{url}{sandbox_path}*")
            page.click("#approve")
            page.wait_for_url(f"{url}/pay/*/payment/*")
            assert "Payment has been processed" in page.inner_text("#result-banner"), gateway
            assert page.inner_text("#payment-method") == "PayPal"
    with sqlite3.connect(db) as conn:
        paid = conn.execute("SELECT gateway, status FROM payments WHERE id > ? ORDER BY id", (before,)).fetchall()
    assert paid == [("payengine", "approved"), ("paypal", "approved")]


def _link_of(number: str) -> str:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["portal", "link", number]) == 0
    return out.getvalue().strip()
