"""The hosted step's redirect as the payer's browser gets it: the demo maps its sandboxes' made-up origins to the
portal's own paths; every other address (a real gateway's) is kept as the gateway gave it."""

from __future__ import annotations

from payapp.app import DEMO_PAYENGINE_URL, DEMO_PAYPAL_URL, DEMO_SANDBOX_PAGES
from payapp.portal.hosted import browser_url

PAGES = tuple((origin, path) for _name, origin, path, _pages in DEMO_SANDBOX_PAGES)
PORTAL = "http://127.0.0.1:8470"


def test_demo_sandbox_pages_go_to_the_portal() -> None:
    assert browser_url(f"{DEMO_PAYENGINE_URL}/hosted/order_1", PAGES, PORTAL) == \
        f"{PORTAL}/_sandbox/payengine/hosted/order_1"
    assert browser_url(f"{DEMO_PAYPAL_URL}/cgi-bin/webscr?cmd=_express-checkout&token=EC-1", PAGES, PORTAL) == \
        f"{PORTAL}/_sandbox/paypal/cgi-bin/webscr?cmd=_express-checkout&token=EC-1"


def test_other_addresses_are_kept() -> None:
    real = "https://www.paypal.com/cgi-bin/webscr?cmd=_express-checkout&token=EC-1"
    assert browser_url(real, PAGES, PORTAL) == real
    # a look-alike host is not the demo's sandbox
    look_alike = f"{DEMO_PAYENGINE_URL}.evil.example/hosted/x"
    assert browser_url(look_alike, PAGES, PORTAL) == look_alike
    assert browser_url(f"{DEMO_PAYENGINE_URL}/hosted/x", (), PORTAL) == f"{DEMO_PAYENGINE_URL}/hosted/x"
