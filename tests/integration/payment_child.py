"""A PayApp process for crash and concurrency tests (run by the tests as a child process).

    python -m tests.integration.payment_child DB_URL GATEWAY_URL INVOICE_IDS AMOUNT_MINOR

Environment:
  PAYAPP_KILL_POINT  a checkpoint name (pending_committed, gateway_answered, decision_recorded):
                     on reaching it, write PAYAPP_READY_FILE and sleep until killed.
  PAYAPP_GO_FILE     wait for this file to exist before paying (lines up two processes).
  PAYAPP_CHILD_GATEWAY  nmi (default) | payengine | paypal: whose sandbox keys go into this process's keyring
                     (paypal: the payment is an Express Checkout, the test buyer approving on the sandbox's page).
Prints one JSON line per invoice: {"invoice_id", "status"} or {"invoice_id", "error"}.
The gateway key is the sandbox's demo key, put into this process's own in-memory keyring."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx

from payapp.domain.errors import PayAppError
from payapp.models.db import Database
from payapp.sandbox.gateway import DEMO_SECURITY_KEY
from payapp.sandbox.payengine import DEMO_API_KEY, DEMO_MERCHANT_ID
from payapp.sandbox.paypal import DEMO_API_PASSWORD, DEMO_API_SIGNATURE, DEMO_API_USERNAME
from payapp.services.memory_keyring import MEMORY_BACKEND_MODULES, MemoryKeyring
from payapp.services.payments import NewCard, PaymentRequest, PaymentResult, PaymentService
from payapp.services.secrets import ALLOWED_BACKENDS, Secret, SecretStore
from payapp.services.settings import PRIVATE_KEY
from tests.payment_helpers import PAYPAL_PAYS, hosted_urls, make_service

CARD = NewCard(number="4111111111111111", expiry_mmyy="1230", cvv="999", first_name="Ada", last_name="Child")


async def main(db_url: str, gateway_url: str, invoice_ids: list[int], amount: int) -> None:
    kill_point = os.environ.get("PAYAPP_KILL_POINT", "")
    ready = os.environ.get("PAYAPP_READY_FILE", "")
    go = os.environ.get("PAYAPP_GO_FILE", "")

    async def checkpoint(name: str) -> None:
        if name == kill_point:
            Path(ready).write_text(name)
            while True:                       # the parent kills us here (SIGKILL)
                time.sleep(1)

    secrets = SecretStore(MemoryKeyring(), allow=ALLOWED_BACKENDS + MEMORY_BACKEND_MODULES)
    which = os.environ.get("PAYAPP_CHILD_GATEWAY", "nmi")
    if which == "paypal":
        secrets.set("gateway.paypal.api_password", Secret(DEMO_API_PASSWORD))
        secrets.set("gateway.paypal.api_username", Secret(DEMO_API_USERNAME))
        secrets.set("gateway.paypal.api_signature", Secret(DEMO_API_SIGNATURE))
    elif which == "payengine":
        secrets.set("gateway.payengine.api_key", Secret(DEMO_API_KEY))
        secrets.set("gateway.payengine.merchant_id", Secret(DEMO_MERCHANT_ID))
    else:
        secrets.set(PRIVATE_KEY, Secret(DEMO_SECURITY_KEY))
    db = Database(db_url)
    async with httpx.AsyncClient(timeout=10) as client:
        svc = make_service(db, secrets, client, checkpoint=checkpoint)
        if go:
            while not Path(go).exists():
                time.sleep(0.001)
        for inv in invoice_ids:
            try:
                if which == "paypal":
                    result = await pay_by_paypal_page(svc, client, gateway_url, inv, amount)
                else:
                    result = await svc.take_payment(PaymentRequest(inv, amount, CARD), confirm_duplicate=True)
                print(json.dumps({"invoice_id": inv, "status": result.status}), flush=True)
            except PayAppError as exc:
                print(json.dumps({"invoice_id": inv, "error": type(exc).__name__}), flush=True)
    await db.dispose()


async def pay_by_paypal_page(svc: PaymentService, client: httpx.AsyncClient, sandbox_url: str, invoice_id: int,
                             amount: int) -> PaymentResult:
    """Express Checkout as the browser does it: the buyer's page's Approve (its form post) gives the return address."""
    started = await svc.take_payment(PaymentRequest(invoice_id, amount, hosted_urls(), source="client_portal"),
                                     confirm_duplicate=True)
    if not started.redirect_url:
        return started
    token = parse_qs(urlsplit(started.redirect_url).query)["token"][0]
    page = await client.post(f"{sandbox_url}/cgi-bin/webscr/decide",
                             data={"action": "approve", "token": token, "PayerID": PAYPAL_PAYS})
    back = page.headers["location"]
    return await svc.finish_hosted_payment(started.order_id, {k: v[0] for k, v in parse_qs(urlsplit(back).query)
                                                              .items()})


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")], int(sys.argv[4])))
