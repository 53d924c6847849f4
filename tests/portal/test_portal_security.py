"""The portal's web security over real HTTP (uvicorn on loopback; httpx as the client): CSRF on every form,
cookie flags, https behind a trusted proxy, security headers and the CSP, rate limits kept in the database, one
charge per confirm form, no in-memory state between processes, and logs that never show a link's token."""

from __future__ import annotations

import concurrent.futures
import logging
import logging.config
import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from payapp.config import Tuning
from payapp.portal.security import MaskTokensFilter, content_security_policy, uvicorn_log_config
from tests.portal.conftest import MERCHANT, Site, another_portal, card_token, forms_of, make_site


def client() -> httpx.Client:
    return httpx.Client(timeout=20.0, follow_redirects=True)


def pay_form(c: httpx.Client, url: str) -> dict[str, Any]:
    response = c.get(url)
    assert response.status_code == 200, response.text[:300]
    return forms_of(response.text)["pay-form"]


def review(c: httpx.Client, site: Site, url: str, token: str, **fields: str) -> httpx.Response:
    form = pay_form(c, url)
    data = {**form["fields"], "method": "new-card", "payment_token": token, "brand": "visa",
            "last_four": "1111", "expiry": "1230", "first_name": "Ada", "last_name": "Lovelace", **fields}
    return c.post(site.url + form["action"], data=data)


def confirm_form(c: httpx.Client, site: Site, url: str, **fields: str) -> tuple[str, dict[str, str]]:
    response = review(c, site, url, card_token(site.sandbox), **fields)
    assert response.status_code == 200, response.text[:500]
    form = forms_of(response.text)["confirm-form"]
    return site.url + form["action"], form["fields"]


def test_every_post_form_has_a_csrf_token_and_a_post_without_it_is_refused(site: Site) -> None:
    url = site.link()
    with client() as c:
        page = c.get(url)
        forms = forms_of(page.text)
        posting = [f for f in forms.values() if f["method"] == "post"]
        assert posting and all(f["fields"].get("csrf") for f in posting)
        action, fields = confirm_form(c, site, url)
        assert fields["csrf"]
        for changed in ({"csrf": ""}, {"csrf": "0" * 64}):
            refused = c.post(action, data={**fields, **changed})
            assert refused.status_code == 403
            assert "This form has expired" in refused.text
    # the right token from another browser's session (no cookie here) is refused as well
    with client() as other:
        refused = other.post(action, data=fields)
        assert refused.status_code == 403
    assert site.payments() == []


def test_session_cookie_is_httponly_and_samesite_and_not_secure_over_http(site: Site) -> None:
    with client() as c:
        response = c.get(site.link())
    cookie = response.headers["set-cookie"]
    assert "payapp_portal_session=" in cookie
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie
    assert "strict-transport-security" not in response.headers


def test_behind_a_trusted_tls_proxy_cookies_are_secure_and_hsts_is_sent(sqlite_url: str, tmp_path: Path) -> None:
    with make_site(sqlite_url, tmp_path, trusted_proxies=("127.0.0.1",)) as site, client() as c:
        response = c.get(site.link(), headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
        assert "Secure" in response.headers["set-cookie"]
        assert response.headers["strict-transport-security"].startswith("max-age=")
        plain = c.get(site.link(), headers={"X-Forwarded-Proto": "http"})
        assert "strict-transport-security" not in plain.headers


def test_x_forwarded_proto_from_an_untrusted_peer_is_ignored(site: Site) -> None:
    with client() as c:
        response = c.get(site.link(), headers={"X-Forwarded-Proto": "https"})
    assert "Secure" not in response.headers["set-cookie"]
    assert "strict-transport-security" not in response.headers


def test_the_https_flag_makes_cookies_secure_and_sends_hsts(sqlite_url: str, tmp_path: Path) -> None:
    with make_site(sqlite_url, tmp_path, https=True) as site, client() as c:
        response = c.get(site.link())
        assert "Secure" in response.headers["set-cookie"]
        assert "strict-transport-security" in response.headers


def test_security_headers_and_the_content_security_policy(site: Site) -> None:
    gateway = site.gateway_url
    with client() as c:
        for response in (c.get(site.link()), c.get(site.url + "/pay/" + "x" * 43), c.get(site.url + "/"),
                         c.get(site.url + "/static/portal.css")):
            h = response.headers
            csp = h["content-security-policy"]
            directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
            assert directives["script-src"] == f"'self' {gateway}"
            assert directives["frame-src"] == gateway
            assert directives["frame-ancestors"] == "'none'"
            assert directives["default-src"] == "'self'"
            assert directives["style-src"] == "'self'" and "unsafe-inline" not in csp
            assert directives["form-action"] == "'self'"
            assert h["x-content-type-options"] == "nosniff"
            assert h["referrer-policy"] == "no-referrer"
            assert h["x-frame-options"] == "DENY"
            assert "server" not in h
        page = c.get(site.link())
        assert page.headers["cache-control"] == "no-store"
        # the Collect.js script comes from the gateway with the public key, and there is no inline script
        assert f'<script src="{gateway}/token/Collect.js" data-tokenization-key=' in page.text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
        assert " style=" not in page.text


def test_csp_without_a_gateway_allows_no_frames() -> None:
    assert "frame-src 'none'" in content_security_policy("")


def test_rate_limits_per_address_and_per_token(sqlite_url: str, tmp_path: Path) -> None:
    with make_site(sqlite_url, tmp_path, limits={"address_limit": 1000, "token_limit": 3}) as site, client() as c:
        first, second = site.link("INV-1001"), site.link("INV-1002")
        statuses = [c.get(first).status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        assert c.get(second).status_code == 200            # another link is not held up by this one
        limited = c.get(first)
        assert limited.status_code == 429 and "Too many requests" in limited.text
        assert limited.headers["retry-after"] == "60"


def test_guessing_links_is_cut_short_per_address(sqlite_url: str, tmp_path: Path) -> None:
    with make_site(sqlite_url, tmp_path, limits={"address_limit": 5}) as site, client() as c:
        unknown = [c.get(f"{site.url}/pay/{'A' * 42}{i}").status_code for i in range(6)]
        assert unknown == [404] * 5 + [429]                 # guessing links is cut short, per address


def test_rate_limits_are_shared_by_every_portal_process(sqlite_url: str, tmp_path: Path) -> None:
    limits = {"address_limit": 1000, "token_limit": 4}
    with make_site(sqlite_url, tmp_path, limits=limits) as site, \
            another_portal(site, tmp_path, limits=limits) as second, client() as c:
        url = site.link()
        path = url.split(site.url, 1)[1]
        statuses = [c.get((site.url if i % 2 == 0 else second) + path).status_code for i in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


def test_a_confirm_form_sent_twice_at_once_charges_once(site_any_db: Site) -> None:
    site = site_any_db
    url = site.link()
    with client() as c:
        action, fields = confirm_form(c, site, url)

        def send() -> httpx.Response:
            return c.post(action, data=fields)

        with concurrent.futures.ThreadPoolExecutor(3) as pool:
            responses = list(pool.map(lambda _i: send(), range(3)))
        again = send()
    for response in [*responses, again]:
        assert response.status_code == 200
        assert "Payment has been processed" in response.text
        assert re.search(r"/payment/\d+$", str(response.url))
    payments = site.payments()
    assert len(payments) == 1 and payments[0].status == "approved"
    assert site.invoice().balance_minor == 0


def test_a_second_portal_process_finishes_what_the_first_began(site: Site, tmp_path: Path) -> None:
    """The review page from one process, the confirm on another (same database, same secrets file): nothing the
    second needs lives in the first one's memory."""
    url = site.link()
    with another_portal(site, tmp_path) as second, client() as c:
        action, fields = confirm_form(c, site, url)
        response = c.post(action.replace(site.url, second), data=fields)
    assert response.status_code == 200 and "Payment has been processed" in response.text
    assert [p.status for p in site.payments()] == ["approved"]


def test_a_payment_from_the_portal_records_its_source_and_is_not_confused_with_staff(site: Site) -> None:
    with client() as c:
        action, fields = confirm_form(c, site, site.link(), amount_mode="partial", amount="25.00")
        assert c.post(action, data=fields).status_code == 200
    [payment] = site.payments()
    assert payment.amount_minor == 25_00
    assert payment.created_by_name == "Client portal"
    if hasattr(payment, "source"):
        assert payment.source == "client_portal"


@pytest.mark.parametrize(("amount", "message"), [("300.00", "more than the amount due"),
                                                 ("abc", "Enter an amount above zero"),
                                                 ("0", "Enter an amount above zero")])
def test_a_wrong_amount_is_told_next_to_the_form(site: Site, amount: str, message: str) -> None:
    with client() as c:
        response = review(c, site, site.link(), card_token(site.sandbox), amount_mode="partial", amount=amount)
    assert response.status_code == 400
    assert message in forms_and_banner(response.text)
    assert site.payments() == []


def forms_and_banner(html: str) -> str:
    m = re.search(r'id="error-banner">([^<]*)<', html)
    return m.group(1) if m else ""


def test_a_saved_method_of_another_company_is_refused(site: Site) -> None:
    with client() as c:
        response = review(c, site, site.link(), "", method="saved-999")
    assert response.status_code == 400
    assert "no longer available" in forms_and_banner(response.text)


def test_a_voided_invoice_and_a_switched_off_portal_say_so(site: Site) -> None:
    from sqlalchemy import update

    from payapp.models import Invoice, Setting

    url = site.link()

    async def void(db: Any) -> None:
        async with db.transaction() as s:
            await s.execute(update(Invoice).where(Invoice.id == site.invoices["INV-1001"]).values(
                status="voided", is_voided=True))
    site.query(void)
    with client() as c:
        response = c.get(url)
        assert response.status_code == 200 and "This invoice was voided" in response.text

        async def off(db: Any) -> None:
            async with db.transaction() as s:
                await s.execute(update(Setting).where(Setting.key == "portal.enabled").values(value="false"))
        site.query(off)
        response = c.get(site.link("INV-1002"))
        assert response.status_code == 503 and "The client portal is not available" in response.text


def test_no_token_card_or_secret_in_the_portal_logs(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")    # an earlier test's configure_logging() quiets httpx
    url = site.link()
    token = url.rsplit("/", 1)[1]
    with client() as c:
        action, fields = confirm_form(c, site, url)
        payment_token = fields["payment_token"]
        assert c.post(action, data=fields).status_code == 200
    # (the test's own HTTP client logs the link it opens and the headers it gets back; everything else is the
    # portal's and its gateway client's)
    text = "\n".join(r.getMessage() for r in caplog.records
                     if not (r.name.startswith(("httpx", "httpcore")) and "/pay/" in r.getMessage()))
    assert "transact.php" in text
    for secret in (token, payment_token, "4111111111111111", "demo-sandbox-security-key"):
        assert secret not in text


def test_the_access_log_masks_the_link_token() -> None:
    token = "Ab3_" * 10 + "xyz"
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:50000", "POST", f"/pay/{token}/confirm?lang=de", "1.1", 303), None)
    assert MaskTokensFilter().filter(record)
    line = record.getMessage()
    assert token not in line and "/pay/<hidden>/confirm?<hidden>" in line
    config = uvicorn_log_config()
    assert all("mask_tokens" in h["filters"] for h in config["handlers"].values())
    # and the filter is the one uvicorn's dictConfig builds
    handler_config = {**config, "loggers": {"payapp-test-access": {"handlers": ["access"], "level": "INFO",
                                                                   "propagate": False}},
                      "disable_existing_loggers": False}
    handler_config["handlers"] = {"access": {**config["handlers"]["access"], "stream": "ext://sys.stdout"}}
    logging.config.dictConfig(handler_config)
    handler = logging.getLogger("payapp-test-access").handlers[0]
    assert any(isinstance(f, MaskTokensFilter) for f in handler.filters)
    logging.getLogger("payapp-test-access").handlers.clear()


def test_a_client_paying_what_staff_just_charged_is_warned_first(site: Site) -> None:
    from payapp.services.payments import PaymentRequest
    from tests.conftest import TEST_ALLOWED_BACKENDS
    from tests.payment_helpers import card, make_service
    from tests.portal.conftest import run

    async def staff_pays() -> str:
        from payapp.models.db import Database
        from payapp.sandbox.gateway import DEMO_SECURITY_KEY
        from payapp.services.memory_keyring import MemoryKeyring
        from payapp.services.secrets import Secret, SecretStore
        from payapp.services.settings import PRIVATE_KEY

        db = Database(site.db_url)
        secrets = SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS)
        secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY))
        try:
            async with httpx.AsyncClient(timeout=10) as http:
                service = make_service(db, secrets, http)
                result = await service.take_payment(PaymentRequest(site.invoices["INV-1001"], 50_00, card()))
                service.close()
                return result.status
        finally:
            await db.dispose()
    assert run(staff_pays) == "approved"
    with client() as c:
        action, fields = confirm_form(c, site, site.link(), amount_mode="partial", amount="50.00")
        warned = c.post(action, data=fields)
        assert warned.status_code == 200
        assert 'id="duplicate-banner"' in warned.text and "Pay anyway" in warned.text
        assert [p.amount_minor for p in site.payments()] == [50_00]
        again = forms_of(warned.text)["confirm-form"]
        assert again["fields"]["confirm_duplicate"] == "1"
        assert again["fields"]["idempotency_key"] != fields["idempotency_key"]
        paid = c.post(site.url + again["action"], data=again["fields"])
        assert "Payment has been processed" in paid.text
    assert [p.amount_minor for p in site.payments()] == [50_00, 50_00]
    assert site.invoice().balance_minor == 150_00


def test_an_echeck_needs_the_agreement_and_a_saved_account_is_offered_next_time(site: Site) -> None:
    from tests.portal.conftest import check_token

    with client() as c:
        form = pay_form(c, site.link("INV-1001"))
        data = {**form["fields"], "method": "new-echeck", "payment_token": check_token(site.sandbox),
                "last_four": "3815", "holder_name": "Pat Doe", "holder_type": "personal",
                "account_type": "savings", "save_method": "on"}
        reviewed = c.post(site.url + form["action"], data=data)
        assert reviewed.status_code == 200
        assert "ACH debit authorization" in reviewed.text and "Pat Doe" in reviewed.text
        confirm = forms_of(reviewed.text)["confirm-form"]
        assert "agree" not in confirm["fields"]
        # sent without ticking the box (the browser's `required` bypassed): refused, nothing charged
        refused = c.post(site.url + confirm["action"], data=confirm["fields"])
        assert refused.status_code == 400 and "Agree to the ACH debit authorization" in refused.text
        assert site.payments() == []
        again = forms_of(refused.text)["confirm-form"]
        paid = c.post(site.url + again["action"], data={**again["fields"], "agree": "on"})
        assert "pending settlement" in paid.text
        [payment] = site.payments()
        assert payment.method == "echeck" and payment.status == "approved"
        # the next invoice of the company offers the saved account, selected, and asks for a new agreement
        form = pay_form(c, site.link("INV-1002"))
        method = form["fields"]["method"]
        assert method.startswith("saved-")
        reviewed = c.post(site.url + form["action"], data=form["fields"])
        assert "ACH debit authorization" in reviewed.text and "INV-1002" in reviewed.text
        confirm = forms_of(reviewed.text)["confirm-form"]
        paid = c.post(site.url + confirm["action"], data={**confirm["fields"], "agree": "on"})
        assert "Payment has been processed" in paid.text
    assert site.invoice("INV-1002").balance_minor == 0
    assert [p.method for p in site.payments("INV-1002")] == ["echeck"]


def test_merchant_details_and_invoice_text_are_escaped_and_the_logo_is_shown(site: Site) -> None:
    import base64

    from sqlalchemy import update

    from payapp.models import InvoiceLine
    from tests.conftest import ADMIN
    from tests.portal.conftest import run

    logo = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 16).decode()

    async def set_up() -> None:
        from payapp.models.db import Database
        from payapp.services.auth import CurrentUser
        from payapp.services.memory_keyring import MemoryKeyring
        from payapp.services.secrets import SecretStore
        from payapp.services.settings import SettingsService
        from tests.conftest import TEST_ALLOWED_BACKENDS

        db = Database(site.db_url)
        try:
            settings = SettingsService(db, SecretStore(MemoryKeyring(), allow=TEST_ALLOWED_BACKENDS),
                                       CurrentUser(ADMIN))
            await settings.set_many({"merchant.name": "<script>alert('m')</script> & Co", "merchant.logo_png": logo})
            async with db.transaction() as s:
                await s.execute(update(InvoiceLine).values(description='"><img src=x onerror=alert(1)>'))
        finally:
            await db.dispose()
    run(set_up)
    with client() as c:
        page = c.get(site.link()).text
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;m&#39;)&lt;/script&gt; &amp; Co" in page
    assert "<img src=x" not in page and "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert f'<img class="logo" src="data:image/png;base64,{logo}"' in page


def test_an_unknown_outcome_tells_the_client_not_to_pay_again(site: Site) -> None:
    with client() as c:
        action, fields = confirm_form(c, site, site.link())
        site.sandbox.add_fault("http_500_after", path="transact")      # charged, but the answer is lost
        site.sandbox.add_fault("http_500", times=20, path="query")     # and the look-ups fail too
        response = c.post(action, data=fields)
    assert response.status_code == 200
    assert "We are still confirming this payment with the bank. Do not pay again" in response.text
    assert 'id="payment-status">Being confirmed<' in response.text
    assert 'id="receipt-link"' not in response.text
    assert [p.status for p in site.payments()] == ["unknown"]


def test_the_portal_decides_an_unknown_outcome_by_itself(sqlite_url: str, tmp_path: Path) -> None:
    """No workstation running: the portal's own periodic check looks the payment up at the gateway."""
    quick = Tuning(lookup_delays=(), recheck_backoff=(0.0,), payment_check_interval=0.2)
    with make_site(sqlite_url, tmp_path, tuning=quick) as site, client() as c:
        action, fields = confirm_form(c, site, site.link())
        site.sandbox.add_fault("http_500_after", path="transact")      # charged, but the answer is lost
        response = c.post(action, data=fields)
        assert 'id="payment-status">Being confirmed<' in response.text
        deadline = time.monotonic() + 15
        while [p.status for p in site.payments()] != ["approved"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p.status for p in site.payments()] == ["approved"]
        assert len(site.sandbox.approved_sales()) == 1                 # looked up, never charged again
        again = c.get(str(response.url))
        assert 'id="receipt-link"' in again.text


def test_payapp_portal_with_two_worker_processes_serves_one_company(site: Site, tmp_path: Path) -> None:
    """`payapp portal --database URL --workers 2` on a real company database, its secrets from the file named by
    PAYAPP_PORTAL_SECRETS: both workers answer the same links, and a payment goes through."""
    import os
    import subprocess
    import sys
    import time

    from tests.servers import free_port

    port = free_port()
    secrets_file = next(tmp_path.glob("portal-secrets-*.json"))
    env = {**os.environ, "PAYAPP_PORTAL_SECRETS": str(secrets_file)}
    child = subprocess.Popen([sys.executable, "-m", "payapp", "portal", "--database", site.db_url, "--port",
                              str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.3)
        else:
            pytest.fail("payapp portal --workers 2 did not start")
        url = site.link().replace(site.url, base)
        with client() as c:
            form = pay_form(c, url)
            data = {**form["fields"], "method": "new-card", "payment_token": card_token(site.sandbox),
                    "last_four": "1111", "first_name": "Ada", "last_name": "Lovelace"}
            reviewed = c.post(base + form["action"], data=data)
            confirm = forms_of(reviewed.text)["confirm-form"]
            paid = c.post(base + confirm["action"], data=confirm["fields"])
        assert "Payment has been processed" in paid.text
    finally:
        child.terminate()
        child.wait(timeout=30)
    assert [p.status for p in site.payments()] == ["approved"]


@pytest.mark.logs_warnings("the portal logs the failure it was made to have (its type, not its words)")
def test_an_unexpected_failure_shows_a_page_in_words(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("database went away")

    # the invoice page reads the invoice in its one round trip (payapp/portal/store.py), on a worker thread
    monkeypatch.setattr("payapp.portal.store.invoice_from_rows", broken)
    with client() as c:
        response = c.get(site.link(), headers={"Accept-Language": "de"})
    assert response.status_code == 500
    assert "Etwas ist schiefgegangen" in response.text and "database went away" not in response.text
    assert response.headers["content-security-policy"].endswith("frame-ancestors 'none'")


def test_old_rate_counters_and_confirm_forms_are_pruned(site: Site) -> None:
    import datetime as dt

    from sqlalchemy import func, select, update

    from payapp.models import PortalRateCount
    from payapp.portal.state import RateLimiter

    async def go(db: Any) -> int:
        limiter = RateLimiter(db)
        await limiter.allow([("addr", "198.51.100.7", 10), ("token", "t" * 43, 10)], 60)
        async with db.transaction() as s:
            await s.execute(update(PortalRateCount).values(
                window_start=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)))
        await limiter.allow([("addr", "198.51.100.8", 10)], 60)
        await limiter.prune(60)
        async with db.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(PortalRateCount)) or 0)
    assert site.query(go) == 1          # the fresh one stays, the two from an hour ago are gone


def test_a_database_connection_the_server_dropped_costs_no_page(site_any_db: Site) -> None:
    """The portal's connections are not pinged before each use: one that PostgreSQL dropped (a restart) fails,
    and the request runs again on a new connection."""
    site = site_any_db
    if not site.db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL drops connections; a SQLite file has none to drop")
    import psycopg
    from sqlalchemy.engine import make_url

    url = site.link()
    with client() as c:
        assert c.get(url).status_code == 200
        name = make_url(site.db_url).database
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as admin:
            dropped = admin.execute("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                    "WHERE datname = %s AND pid <> pg_backend_pid()", (name,)).fetchone()
        assert dropped is not None and dropped[0] >= 1
        assert [c.get(url).status_code for _ in range(6)] == [200] * 6


def test_a_settings_change_shows_on_the_next_page_on_either_database(site_any_db: Site) -> None:
    """The portal may skip reading unchanged settings (PostgreSQL: their version comes with the rate-limit counters),
    but a change written by any process, even straight into the table, shows on the very next page."""
    from sqlalchemy import delete, update

    from payapp.models import Setting

    site = site_any_db
    url = site.link()
    with client() as c:
        assert c.get(url).status_code == 200 and MERCHANT in c.get(url).text

        async def rename(db: Any) -> None:
            async with db.transaction() as s:
                await s.execute(update(Setting).where(Setting.key == "merchant.name").values(
                    value='"Renamed Services"'))
        site.query(rename)
        assert "Renamed Services" in c.get(url).text

        async def forget(db: Any) -> None:      # a removed row is a change too: its default applies
            async with db.transaction() as s:
                await s.execute(delete(Setting).where(Setting.key == "portal.enabled"))
        site.query(forget)
        assert c.get(url).status_code == 503
