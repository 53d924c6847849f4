"""The sandbox gateway refuses what NMI's Direct Post API refuses (issue #12.4): NMI's documentation gives the
amount as "Format: x.xx" and card, ABA and account numbers as digits
(https://secure.networkmerchants.com/gw/merchants/resources/integration/integration_portal.php#transaction_variables).
The sandbox read amounts with Decimal() ("1e26" passed the parse and then raised decimal.InvalidOperation, a
500) and numbers with str.isdigit() (Arabic-Indic digits were approved)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs

import httpx
import pytest

from payapp.sandbox.gateway import DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from tests.servers import serve_asgi


def _arabic(digits: str) -> str:
    return "".join(chr(0x0660 + int(d)) for d in digits)


@pytest.fixture
def sandbox() -> GatewaySandbox:
    return GatewaySandbox()


@pytest.fixture
def url(sandbox: GatewaySandbox) -> Iterator[str]:
    with serve_asgi(create_gateway_app(sandbox)) as base:
        yield base + "/api/transact.php"


CARD = {"ccnumber": "4111111111111111", "ccexp": "1230", "cvv": "999"}
CHECK = {"checkname": "Acme", "checkaba": "490000018", "checkaccount": "24413815", "payment": "check"}


async def _post(url: str, **fields: str) -> dict[str, str]:
    async with httpx.AsyncClient(timeout=5) as client:
        resp = await client.post(url, data={"security_key": DEMO_SECURITY_KEY, "type": "sale", **fields})
    assert resp.status_code == 200, resp.text
    return {k: v[0] for k, v in parse_qs(resp.text).items()}


@pytest.mark.parametrize("amount", ["1e26", "1E2", "9" * 27, "1e400", "NaN", "Infinity", "12.345", "-5.00",
                                    _arabic("12") + ".00", "1,00", " 12.00", "0x10", "12.", ".5"])
async def test_an_amount_not_written_x_xx_is_refused(url: str, amount: str) -> None:
    answer = await _post(url, amount=amount, **CARD)
    assert (answer["response"], answer["responsetext"]) == ("3", "Invalid amount")


async def test_amounts_written_x_xx_are_taken(url: str) -> None:
    for amount in ("12.00", "12.5", "12"):
        # dup_seconds=0: the three are the same amount on the same card, which the duplicate check would refuse
        answer = await _post(url, amount=amount, orderid=f"o-{amount}", dup_seconds="0", **CARD)
        assert answer["response"] == "1"


@pytest.mark.parametrize(("field", "value", "text"), [
    ("ccnumber", _arabic("4111111111111111"), "Invalid Credit Card Number"),
    ("ccexp", _arabic("1230"), "Invalid Credit Card Expiration Date"),
])
async def test_card_fields_in_other_digits_are_refused(url: str, field: str, value: str, text: str) -> None:
    answer = await _post(url, amount="10.00", **{**CARD, field: value})
    assert answer["response"] == "3" and answer["responsetext"].startswith(text)


@pytest.mark.parametrize(("field", "value", "text"), [
    ("checkaba", _arabic("490000018"), "Invalid ABA number"),
    ("checkaccount", _arabic("24413815"), "Invalid check account number"),
])
async def test_check_fields_in_other_digits_are_refused(url: str, field: str, value: str, text: str) -> None:
    answer = await _post(url, amount="10.00", **{**CHECK, field: value})
    assert (answer["response"], answer["responsetext"]) == ("3", text)


async def test_a_refund_amount_not_written_x_xx_is_refused(url: str, sandbox: GatewaySandbox) -> None:
    sale = await _post(url, amount="10.00", **CARD)
    sandbox.settle_now()
    answer = await _post(url, type="refund", transactionid=sale["transactionid"], amount="1e1")
    assert (answer["response"], answer["responsetext"]) == ("3", "Invalid amount")
    assert (await _post(url, type="refund", transactionid=sale["transactionid"], amount="1.00"))["response"] == "1"
