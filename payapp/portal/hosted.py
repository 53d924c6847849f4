"""The client portal's hosted steps: paying on the gateway's own page (PayPal's Express Checkout, PayEngine's hosted
card page) instead of in the gateway's fields on PayApp's page (docs/portal.md, "Paying on the gateway's page").

1. POST /pay/{token}/hosted/start    the pay page's "Pay with PayPal" / "Pay by card" form (amount, kind, CSRF).
   The engine writes the pending payment row, then asks the gateway for its page (`start_hosted`); the answer is a
   short page that sends the browser on to the gateway (a meta refresh and a link: the portal's CSP allows forms to
   post to the portal only, and a browser applies that to the redirect of a form's answer too).
2. GET  /pay/{token}/hosted/{order_id}/return   the gateway sends the payer back: `finish_hosted_payment` takes or
   reads the money (PayPal: GetExpressCheckoutDetails + DoExpressCheckoutPayment) and the visitor sees the same
   result and receipt pages as for a card payment. A reload shows what was recorded; an unknown outcome is
   resolved by look-up, never by paying again.
3. GET  /pay/{token}/hosted/{order_id}/cancel   the payer cancelled: the payment is closed with nothing charged and
   the invoice's pay page shows again.

A return or cancel names a payment of the link's own invoice only (our order id starts with `pa{invoice id}-`);
any other is answered like an unknown link."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from payapp.domain.errors import PayAppError, ValidationError
from payapp.domain.gateways import METHOD_PRODUCTS, gateway_spec
from payapp.domain.money import parse_amount
from payapp.portal.pages import HostedPortalHost, Page, engine_message, error_text

log = logging.getLogger(__name__)

#: the button's words per hosted payment type
BUTTON_LABELS = {"paypal": "Pay with PayPal", "card": "Pay by card on the secure payment page"}


def hosted_types(settings: Mapping[str, Any]) -> list[str]:
    """The payment types the chosen gateway takes on its own page and Admin enabled for the client portal."""
    spec = gateway_spec(str(settings.get("gateway.name") or ""))
    if spec is None:
        return []
    currency = str(settings.get("currency") or "")
    offered = spec.types_for("portal", currency)
    return [t for t in ("paypal", "card") if t in spec.hosted_types and t in offered
            and settings.get(f"payment_types.portal.{t}")]


def hosted_options(page: Page) -> list[dict[str, str]]:
    """The pay page's hosted buttons (template `_hosted.html`)."""
    return [{"kind": t, "label": page._(BUTTON_LABELS[t])} for t in hosted_types(page.settings)]


def browser_url(url: str, sandbox_pages: tuple[tuple[str, str], ...], base: str) -> str:
    """The gateway's page as the payer's browser reaches it: in the demo a sandbox's made-up origin becomes the
    portal's own path that serves its pages (PortalConfig.sandbox_pages); any other address is kept."""
    for origin, path in sandbox_pages:
        if url.startswith(f"{origin}/"):
            return f"{base}{path}{url[len(origin):]}"
    return url


def _own_order(invoice_id: int, order_id: str) -> bool:
    return order_id.startswith(f"pa{invoice_id}-") and len(order_id) <= 64


class HostedRoutes:
    def __init__(self, portal: HostedPortalHost) -> None:
        self.portal = portal

    @staticmethod
    def _base_url(page: Page, request: Request) -> str:
        """Where the gateway sends the payer back: the portal's public address (Admin › Client Portal), else the
        address this request came to."""
        public = str(page.settings.get("portal.public_url") or "").rstrip("/")
        return public or str(request.base_url).rstrip("/")

    async def start(self, request: Request) -> Response:
        portal = self.portal
        page, found, answer = await portal._guard(request, post=True)
        if answer is not None:
            return answer
        link, token, form, data, _claimed = found
        if link.closed:
            return portal._closed(page, link.closed)
        values = {k: str(v)[:200] for k, v in form.items() if k != "csrf" and isinstance(v, str)}
        kind = values.get("kind", "")
        invoice = portal._invoice_view(page, data)
        try:
            if kind not in hosted_types(page.settings):
                raise ValidationError(page._("Choose how to pay."), field="method")
            amount = invoice["balance_minor"]
            if values.get("amount_mode") == "partial":
                try:
                    amount = parse_amount(values.get("amount", ""), invoice["currency"], page.locale).minor
                except ValidationError:
                    raise ValidationError(page._("Enter an amount above zero."), field="amount") from None
            if amount <= 0:
                raise ValidationError(page._("Enter an amount above zero."), field="amount")
            if amount > invoice["balance_minor"]:
                raise ValidationError(page._("The amount is more than the amount due."), field="amount")
        except ValidationError as exc:
            return await portal._pay_form(page, link, token, error=error_text(page, exc), status=400)
        from payapp.services import payments as engine

        base = self._base_url(page, request)

        def urls(order_id: str) -> tuple[str, str, str]:
            back = f"{base}/pay/{token}/hosted/{order_id}"
            return f"{back}/return", f"{back}/return", f"{back}/cancel"

        method = engine.HostedMethod(kind, urls, product=METHOD_PRODUCTS.get(kind, kind))
        try:
            result = await portal.services.payments.take_payment(
                engine.PaymentRequest(invoice_id=link.invoice_id, amount_minor=amount, method=method,
                                      source="client_portal"),
                confirm_duplicate=values.get("confirm_duplicate") == "1")
        except engine.DuplicateWarning:
            return portal._render(page, "hosted_duplicate.html", 200, token=token, invoice=invoice, kind=kind,
                                  amount=portal._money(page, amount, invoice["currency"]),
                                  amount_input=values.get("amount", ""), amount_mode=values.get("amount_mode", ""))
        except PayAppError as exc:

            error = engine_message(page, exc.message or exc.user_message)
            return await portal._pay_form(page, link, token, error=error, status=400)
        if not result.redirect_url:
            return RedirectResponse(f"/pay/{token}/payment/{result.payment_id}", status_code=303)
        return portal._render(page, "hosted_redirect.html", 200, token=token, invoice=invoice,
                              redirect_url=browser_url(result.redirect_url, portal.config.sandbox_pages, base),
                              kind=kind)

    async def back(self, request: Request) -> Response:
        """The gateway's return (success or failure address)."""
        portal = self.portal
        page, found, answer = await portal._guard(request)
        if answer is not None:
            return answer
        link, token, _form, _data, _claimed = found
        order_id = str(request.path_params["order_id"])
        if not _own_order(link.invoice_id, order_id):
            return portal._link_not_valid(page)
        returned = {k: v[:200] for k, v in request.query_params.items() if k != "lang"}
        try:
            result = await portal.services.payments.finish_hosted_payment(order_id, returned)
        except PayAppError as exc:
            log.warning("portal: a hosted payment's return could not be recorded: %s", exc.user_message)
            return portal._link_not_valid(page)
        if result.status in ("approved", "settled"):
            portal.services.invoice_mail.receipt_after_portal_payment_soon(result.payment_id, page.language)
        return RedirectResponse(f"/pay/{token}/payment/{result.payment_id}", status_code=303)

    async def cancel(self, request: Request) -> Response:
        portal = self.portal
        page, found, answer = await portal._guard(request)
        if answer is not None:
            return answer
        link, token, _form, _data, _claimed = found
        order_id = str(request.path_params["order_id"])
        if not _own_order(link.invoice_id, order_id):
            return portal._link_not_valid(page)
        try:
            result = await portal.services.payments.cancel_hosted_payment(order_id)
        except PayAppError as exc:
            log.warning("portal: a hosted payment's cancel could not be recorded: %s", exc.user_message)
            return portal._link_not_valid(page)
        if result.status in ("approved", "settled"):       # the gateway had taken it after all
            return RedirectResponse(f"/pay/{token}/payment/{result.payment_id}", status_code=303)
        return await portal._pay_form(page, link, token, error=page._(
            "The payment was cancelled. Nothing was charged."))


def hosted_routes(portal: HostedPortalHost) -> list[Route]:
    routes = HostedRoutes(portal)
    return [Route("/pay/{token}/hosted/start", routes.start, methods=["POST"]),
            Route("/pay/{token}/hosted/{order_id}/return", routes.back, methods=["GET"]),
            Route("/pay/{token}/hosted/{order_id}/cancel", routes.cancel, methods=["GET"])]
