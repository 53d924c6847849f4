"""The client portal in a real browser (Debian's chromium through Playwright) against the portal and the sandbox
gateway on loopback: paying from a link by card and by eCheck, in full and in part, saved methods, declines, German,
dead links, double clicks, two browsers at once, and that no card or account number ever reached the portal."""

from __future__ import annotations

import concurrent.futures
import io
import re
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from payapp.sandbox.gateway import DEMO_SECURITY_KEY
from tests.payment_helpers import ACH_ACCOUNT, ACH_ROUTING, VISA, gateway_declines
from tests.portal.conftest import MERCHANT, Site, shot

pytestmark = pytest.mark.slow

CVV = "999"
#: what a browser test types into the gateway's fields; none of it may reach the portal
TYPED_SECRETS = (VISA.encode(), CVV.encode(), ACH_ACCOUNT.encode(), ACH_ROUTING.encode(),
                 DEMO_SECURITY_KEY.encode())


def gateway_input(page: Any, field: str) -> Any:
    return page.frame_locator(f"#{field} iframe").locator("input")


def wait_fields(page: Any) -> None:
    page.wait_for_selector("#pay-form.fields-ready")


def fill_card(page: Any, number: str = VISA, expiry: str = "12/30", cvv: str = CVV) -> None:
    page.check("#method-new-card")
    wait_fields(page)
    gateway_input(page, "ccnumber").fill(number)
    gateway_input(page, "ccexp").fill(expiry)
    gateway_input(page, "cvv").fill(cvv)
    page.fill("#first_name", "Ada")
    page.fill("#last_name", "Lovelace")


def fill_echeck(page: Any, holder: str = "business") -> None:
    page.check("#method-new-echeck")
    wait_fields(page)
    page.select_option("#holder_type", holder)
    page.select_option("#account_type", "checking")
    gateway_input(page, "checkname").fill("Acme Inc")
    gateway_input(page, "checkaccount").fill(ACH_ACCOUNT)
    gateway_input(page, "checkaba").fill(ACH_ROUTING)


def partial(page: Any, amount: str) -> None:
    page.check("#amount-partial")
    page.fill("#amount", amount)


def continue_to_review(page: Any) -> None:
    page.click("#continue")
    page.wait_for_selector("#confirm-form")


def assert_no_card_data(site: Site) -> None:
    bodies = site.bodies()
    assert bodies, "the recorder saw no request bodies"
    # the random CSRF and payment tokens may hold a short secret ("999") by chance: they are taken out first
    bodies = re.sub(rb"(csrf|payment_token)=[^&\s]*", b"", bodies)
    for secret in TYPED_SECRETS:
        assert secret not in bodies, f"the portal received typed card or account data ({secret[:2]!r}…)"
    paths = " ".join(p for _m, p, _b in site.recorder.requests)
    for secret in TYPED_SECRETS:
        assert secret.decode() not in paths


def test_pay_by_card_in_full_from_a_link(site_any_db: Site, new_page: Any) -> None:
    site = site_any_db
    page = new_page()
    page.goto(site.link())
    assert page.text_content("#merchant-name") == MERCHANT
    assert page.text_content("#invoice-number") == "INV-1001"
    assert page.text_content("#amount-due") == "$250.00"
    assert page.text_content("#paid-so-far") == "$0.00"
    assert "Managed services, November" in page.text_content("#invoice-lines")
    shot(page, "01-invoice-en")
    fill_card(page)
    shot(page, "02-card-form-en")
    continue_to_review(page)
    assert page.text_content("#review-amount") == "$250.00"
    assert "Visa •••• 1111" in page.text_content("#review-method")
    shot(page, "03-review-card-en")
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    assert page.text_content("#result-banner") == "Payment has been processed"
    assert page.text_content("#remaining-balance") == "$0.00"
    shot(page, "04-processed-en")
    with page.expect_download() as download:
        page.click("#receipt-link")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "INV-1001" in text and "$250.00" in text and MERCHANT in text and VISA not in text
    page.click("#receipt-page")
    page.wait_for_selector("#receipt")
    assert page.text_content("#receipt-amount") == "$250.00"
    shot(page, "05-receipt-en")
    inv = site.invoice()
    assert inv.balance_minor == 0
    [payment] = site.payments()
    assert payment.status == "approved" and payment.amount_minor == 250_00 and payment.method == "card"
    assert getattr(payment, "source", "client_portal") == "client_portal"
    # the link is closed now, and says why
    page.goto(site.link("INV-1002"))       # (another invoice still opens)
    assert page.text_content("#invoice-number") == "INV-1002"
    assert_no_card_data(site)


def test_paid_link_says_so(site: Site, new_page: Any) -> None:
    page = new_page()
    url = site.link()
    page.goto(url)
    fill_card(page)
    continue_to_review(page)
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    page.goto(url)
    assert page.text_content("#message h1") == "This invoice has been paid"


def test_partial_echeck_payment_is_pending_settlement(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.link())
    fill_echeck(page)
    partial(page, "40.00")
    shot(page, "06-echeck-form-en")
    continue_to_review(page)
    assert page.text_content("#review-amount") == "$40.00"
    text = page.text_content("#ach-text")
    assert "ACH debit authorization (CCD" in text and "ending 3815" in text and "$40.00" in text
    shot(page, "07-review-echeck-en")
    # the authorization must be agreed to: the browser refuses the form without the box ticked
    page.click("#pay-button")
    assert page.is_visible("#confirm-form")
    page.check("#agree")
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    banner = page.text_content("#result-banner")
    assert "Payment has been processed" in banner and "pending settlement" in banner
    assert page.text_content("#payment-status") == "Pending settlement"
    assert page.text_content("#remaining-balance") == "$210.00"
    shot(page, "08-echeck-pending-en")
    [payment] = site.payments()
    assert payment.method == "echeck" and payment.amount_minor == 40_00 and payment.status == "approved"
    assert site.invoice().balance_minor == 210_00
    assert_no_card_data(site)


def test_saved_card_is_offered_and_selected_on_the_next_link(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.link("INV-1001"))
    fill_card(page)
    page.check("#save_method")
    continue_to_review(page)
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    assert page.text_content("#result-banner") == "Payment has been processed"
    # the company's next invoice, in a fresh browser (no cookies): the saved card, selected
    other = new_page()
    other.goto(site.link("INV-1002"))
    saved = other.locator("input[name=method][value^=saved-]")
    assert saved.count() == 1
    assert saved.first.is_checked()
    assert "Visa •••• 1111" in other.text_content("label.method")
    shot(other, "09-saved-method-en")
    continue_to_review(other)
    other.click("#pay-button")
    other.wait_for_selector("#result-banner")
    assert other.text_content("#result-banner") == "Payment has been processed"
    assert site.invoice("INV-1002").balance_minor == 0
    # another company's link does not offer Acme's card
    third = new_page()
    third.goto(site.link("INV-2001"))
    assert third.locator("input[name=method][value^=saved-]").count() == 0
    assert_no_card_data(site)


def test_a_decline_is_told_in_plain_words(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.link())
    fill_card(page)
    continue_to_review(page)
    with gateway_declines(site.sandbox):
        page.click("#pay-button")
        page.wait_for_selector("#result-banner")
    banner = page.text_content("#result-banner")
    assert banner.startswith("The payment was declined.") and MERCHANT in banner
    shot(page, "10-declined-en")
    assert site.invoice().balance_minor == 250_00
    [payment] = site.payments()
    assert payment.status == "declined"


def test_german_page_and_the_language_switch(site: Site, new_page: Any) -> None:
    page = new_page("de-DE")
    page.goto(site.link())
    assert page.text_content("#pay-title") == "Zahlung leisten"
    assert page.text_content("#amount-due").replace("\xa0", " ") == "250,00 $"
    assert page.get_attribute("html", "lang") == "de"
    assert "Kreditkarte hinzufügen" in page.text_content("#pay-form")
    shot(page, "11-invoice-de")
    fill_card(page)
    partial(page, "100,50")
    continue_to_review(page)
    assert page.text_content("#review-amount").replace("\xa0", " ") == "100,50 $"
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    assert page.text_content("#result-banner") == "Die Zahlung wurde verarbeitet"
    shot(page, "12-processed-de")
    page.click("#lang-en")
    assert page.text_content("#result-banner") == "Payment has been processed"
    assert site.invoice().balance_minor == 250_00 - 100_50


@pytest.mark.parametrize("locale", ["en-US", "de-DE"])
def test_the_invoice_page_fits_a_phone(site: Site, new_page: Any, locale: str) -> None:
    """390 × 844 (a phone held upright): nothing runs off to the side, and the pay button is there to tap."""
    page = new_page(locale, width=390, height=844)
    page.goto(site.link())
    page.wait_for_selector("#pay-form")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("""() => {            // the invoice lines keep inside their card
        const lines = document.getElementById("invoice-lines");
        const card = lines.parentElement.getBoundingClientRect();
        return lines.getBoundingClientRect().right <= card.right - 1;
    }""")
    assert page.locator("#pay-form button[type=submit]").first.is_visible()
    shot(page, f"15-phone-{locale[:2]}")


def test_expired_revoked_and_unknown_links_look_the_same(site: Site, new_page: Any) -> None:
    import datetime as dt

    from sqlalchemy import update

    from payapp.models import PaymentLink
    from payapp.services.payment_links import token_hash

    expired, revoked = site.link("INV-1001"), site.link("INV-1002")

    async def age(db: Any) -> None:
        async with db.transaction() as s:
            await s.execute(update(PaymentLink).where(PaymentLink.token_hash == token_hash(expired.rsplit("/", 1)[1]))
                            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)))
            await s.execute(update(PaymentLink).where(PaymentLink.token_hash == token_hash(revoked.rsplit("/", 1)[1]))
                            .values(revoked_at=dt.datetime.now(dt.UTC), revoked_reason="revoked"))
    site.query(age)
    unknown = site.url + "/pay/" + "A" * 43
    answers = []
    page = new_page()
    for url in (expired, revoked, unknown, site.url + "/pay/short"):
        response = page.goto(url)
        answers.append((response.status, page.content()))
    shot(page, "13-link-not-valid-en")
    assert {status for status, _ in answers} == {404}
    assert len({body for _, body in answers}) == 1
    assert "This link is not valid" in answers[0][1]


def test_a_double_click_and_a_resubmitted_form_charge_once(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.link())
    fill_card(page)
    continue_to_review(page)
    form = page.eval_on_selector("#confirm-form", "f => new URLSearchParams(new FormData(f)).toString()")
    page.dblclick("#pay-button")
    page.wait_for_selector("#result-banner")
    assert page.text_content("#result-banner") == "Payment has been processed"
    # the same confirm form sent again (back button and submit, a retrying proxy): no second charge
    action = site.url + page.url.split(site.url, 1)[1].split("/payment/")[0] + "/confirm"
    again = page.request.post(action, data=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert again.ok
    assert "Payment has been processed" in again.text()
    payments = site.payments()
    assert len(payments) == 1 and payments[0].status == "approved"
    assert site.invoice().balance_minor == 0


def test_two_browsers_paying_one_invoice_never_overpay(site_any_db: Site, new_page: Any) -> None:
    site = site_any_db
    url = site.link()
    pages = [new_page(), new_page()]
    for page, number in zip(pages, (VISA, "5431111111111111"), strict=True):
        page.goto(url)
        fill_card(page, number=number)
        continue_to_review(page)
    # both press Pay at the same moment
    with concurrent.futures.ThreadPoolExecutor(2):
        for page in pages:
            page.evaluate("document.getElementById('confirm-form').requestSubmit()")
        for index, page in enumerate(pages):
            page.wait_for_load_state("load")
            shot(page, f"14-two-browsers-{index + 1}")
            page.wait_for_selector("#result-banner, #error-banner, #duplicate-banner, #message")
    approved = [p for p in site.payments() if p.status == "approved"]
    assert sum(p.amount_minor for p in approved) <= 250_00
    assert len(approved) == 1
    assert site.invoice().balance_minor == 0
    texts = [p.text_content("body") for p in pages]
    assert sum("Payment has been processed" in t for t in texts) == 1


def test_no_request_to_the_portal_carries_card_or_account_data(site: Site, new_page: Any) -> None:
    page = new_page()
    page.goto(site.link("INV-1001"))
    fill_card(page)
    partial(page, "10.00")
    continue_to_review(page)
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    page.goto(site.link("INV-1001"))
    fill_echeck(page, holder="personal")
    partial(page, "12.00")
    continue_to_review(page)
    page.check("#agree")
    page.click("#pay-button")
    page.wait_for_selector("#result-banner")
    posts = [(m, p) for m, p, _b in site.recorder.requests if m == "POST"]
    assert len(posts) == 4
    assert all(re.fullmatch(r"/pay/[A-Za-z0-9_-]{43}/(review|confirm)", p) for _m, p in posts)
    assert_no_card_data(site)
    # ...while the gateway did get them (the sandbox saw the card and the account)
    assert len([p for p in site.payments() if p.status == "approved"]) == 2
