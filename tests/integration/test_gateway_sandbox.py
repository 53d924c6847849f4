"""The NMI connector against the sandbox gateway served by uvicorn on loopback (real sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from payapp.connectors.gateways.nmi import Billing, CardData, CheckData, NmiGateway, NmiQueryError
from payapp.sandbox.gateway import DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app
from tests.servers import serve_asgi

VISA = CardData("4111111111111111", "1230", "999")


@pytest.fixture
def sandbox() -> GatewaySandbox:
    return GatewaySandbox()


@pytest.fixture
def base_url(sandbox: GatewaySandbox) -> Iterator[str]:
    with serve_asgi(create_gateway_app(sandbox)) as url:
        yield url


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as c:
        yield c


@pytest.fixture
def gw(client: httpx.AsyncClient, base_url: str) -> NmiGateway:
    return NmiGateway(client, base_url, DEMO_SECURITY_KEY)


@pytest.mark.parametrize("number,cvv", [
    ("4111111111111111", "999"), ("5431111111111111", "999"), ("6011000991300009", "123"),
    ("341111111111111", "1234"), ("30205252489926", "123"), ("3541963594572595", "123"),
])
async def test_test_cards_approve(gw: NmiGateway, number: str, cvv: str) -> None:
    r = await gw.sale_card(order_id=f"o-{number}", amount="10.00", currency="USD", card=CardData(number, "1230", cvv),
                           billing=Billing(first_name="Ada", address1="888 Main", zip="77777"))
    assert r.outcome == "approved", r.message
    assert r.transaction_id and r.order_id == f"o-{number}"
    assert r.avs == "Y"
    assert r.cvv == ("M" if cvv == "999" else "N")


async def test_decline_below_one_dollar_and_invalid_card(gw: NmiGateway) -> None:
    r = await gw.sale_card(order_id="small", amount="0.99", currency="USD", card=VISA)
    assert (r.outcome, r.message) == ("declined", "DECLINE")
    r = await gw.sale_check(order_id="small-ck", amount="0.50", currency="USD",
                            check=CheckData("Ada", "123123123", "123123123"))
    assert (r.outcome, r.message) == ("declined", "FAILED")
    r = await gw.sale_card(order_id="bad", amount="5.00", currency="USD", card=CardData("4111111111111112", "1230"))
    assert r.outcome == "error" and r.response == "3"
    [t] = await gw.query_order("small")
    assert t.condition == "failed" and not t.has_action("sale")
    assert await gw.query_order("bad") == []


async def test_wrong_key(client: httpx.AsyncClient, base_url: str, gw: NmiGateway) -> None:
    bad = NmiGateway(client, base_url, "not-the-key")
    r = await bad.sale_card(order_id="x", amount="5.00", currency="USD", card=VISA)
    assert r.outcome == "error" and r.auth_failed
    with pytest.raises(NmiQueryError):
        await bad.query_order("x")
    ok, msg = await bad.test_keys()
    assert not ok and "authentication" in msg.english().lower()
    assert (await gw.test_keys())[0]


async def test_echeck_sale_void_and_refund(gw: NmiGateway, sandbox: GatewaySandbox) -> None:
    r = await gw.sale_check(order_id="ck1", amount="50.00", currency="USD",
                            check=CheckData("Acme", "490000018", "24413815"))
    assert r.approved
    refund = await gw.refund(r.transaction_id, payment="check")
    assert refund.outcome == "error"                        # not settled yet: void instead
    void = await gw.void(r.transaction_id, payment="check")
    assert void.approved
    [t] = await gw.query_transactions(r.transaction_id)
    assert t.condition == "canceled" and t.has_action("void")

    card = await gw.sale_card(order_id="c1", amount="20.00", currency="USD", card=VISA)
    sandbox.settle_now()
    assert (await gw.void(card.transaction_id)).outcome == "error"   # settled: refund instead
    part = await gw.refund(card.transaction_id, amount="5.00")
    assert part.approved and part.transaction_id != card.transaction_id
    assert (await gw.refund(card.transaction_id, amount="15.01")).outcome == "error"
    rest = await gw.refund(card.transaction_id)
    assert rest.approved
    [t] = await gw.query_transactions(card.transaction_id)
    assert [a.amount for a in t.actions if a.action_type == "refund"] == ["5.00", "15.00"]


async def test_vault_charge_and_save_update_delete(gw: NmiGateway) -> None:
    r = await gw.sale_card(order_id="v1", amount="12.00", currency="USD", card=VISA, save_as="cust-1")
    assert r.approved and r.customer_vault_id == "cust-1"
    rec = await gw.vault_record("cust-1")
    assert rec is not None and rec.fields["cc_number"].endswith("1111") and "4111111111111111" not in str(rec)
    again = await gw.sale_vault(order_id="v2", amount="3.00", currency="USD", customer_vault_id="cust-1")
    assert again.approved
    added = await gw.vault_add(CheckData("Acme", "123123123", "123123123"))
    assert added.approved and added.customer_vault_id
    assert (await gw.vault_update(added.customer_vault_id, CheckData("Acme", "490000018", "24413815"))).approved
    assert (await gw.vault_delete("cust-1")).approved
    assert await gw.vault_record("cust-1") is None
    assert (await gw.sale_vault(order_id="v3", amount="3.00", currency="USD", customer_vault_id="cust-1")).outcome \
        == "error"


async def test_duplicate_window(gw: NmiGateway) -> None:
    first = await gw.sale_card(order_id="dup", amount="7.00", currency="USD", card=VISA)
    assert first.approved
    second = await gw.sale_card(order_id="dup", amount="7.00", currency="USD", card=VISA)
    assert second.outcome == "error" and second.duplicate and "duplicate" in second.message.lower()
    # dup_seconds=0 disables the check (PayApp sends it for a payment the user confirmed as a deliberate repeat)
    r = await gw.sale(order_id="dup", amount="7.00", currency="USD", payment=VISA, dup_seconds=0)
    assert r.approved
    assert len(await gw.query_order("dup")) == 2


async def test_ach_returns_after_settlement(gw: NmiGateway, sandbox: GatewaySandbox) -> None:
    r = await gw.sale_check(order_id="ret", amount="30.00", currency="USD",
                            check=CheckData("Acme", "123123123", "9990000"))
    assert r.approved
    sandbox.settle_now(returns=False)
    [t] = await gw.query_order("ret")
    assert t.condition == "complete" and not t.has_action("return")
    assert sandbox.process_returns() == 1
    [t] = await gw.query_order("ret")
    # a return after settlement is `late_return` (PROTOCOLS.md §1, issue #13.2); query.php's `return` filter
    # finds it too
    assert t.has_action("late_return") and not t.has_action("return")
    assert sandbox.process_returns() == 0
    assert [x.transaction_id for x in await gw.query(action_type="return")] == [t.transaction_id]


@pytest.mark.parametrize("kind", ["lose_answer", "http_500_after", "garbage", "reset", "http_500"])
async def test_faults_are_unknown_and_lookup_tells_the_truth(gw: NmiGateway, sandbox: GatewaySandbox,
                                                              kind: str) -> None:
    sandbox.add_fault(kind)
    r = await gw.sale_card(order_id=f"f-{kind}", amount="9.00", currency="USD", card=VISA)
    assert r.outcome == "unknown" and r.sent
    found = await gw.query_order(f"f-{kind}")
    processed = kind not in ("reset", "http_500")
    assert len(found) == (1 if processed else 0)


async def test_timeout_is_unknown(client: httpx.AsyncClient, base_url: str, sandbox: GatewaySandbox) -> None:
    gw = NmiGateway(client, base_url, DEMO_SECURITY_KEY, timeout=0.2)
    sandbox.add_fault("delay", seconds=0.6)
    r = await gw.sale_card(order_id="slow", amount="9.00", currency="USD", card=VISA)
    assert r.outcome == "unknown" and r.sent
    assert len(await gw.query_order("slow")) == 1


async def test_connection_refused_is_not_sent(client: httpx.AsyncClient) -> None:
    from tests.servers import free_port

    gw = NmiGateway(client, f"http://127.0.0.1:{free_port()}", DEMO_SECURITY_KEY)
    r = await gw.sale_card(order_id="nowhere", amount="9.00", currency="USD", card=VISA)
    assert r.outcome == "unknown" and not r.sent


async def test_control_endpoints(client: httpx.AsyncClient, base_url: str, gw: NmiGateway) -> None:
    assert (await gw.sale_card(order_id="s1", amount="9.00", currency="USD", card=VISA)).approved
    assert (await client.post(f"{base_url}/_sandbox/settle-now")).json()["settled"] == 1
    state = (await client.get(f"{base_url}/_sandbox/state")).json()
    assert state["transactions"][0]["condition"] == "complete"
    assert "4111111111111111" not in str(state)
    assert (await client.post(f"{base_url}/_sandbox/faults", json={"kind": "http_500"})).status_code == 200
    assert (await client.post(f"{base_url}/_sandbox/faults", json={"kind": "nope"})).status_code == 400
    assert (await gw.sale_card(order_id="s2", amount="9.00", currency="USD", card=VISA)).outcome == "unknown"
    # faults cleared without wiping the transactions; cards settled without returning eChecks
    assert (await client.post(f"{base_url}/_sandbox/faults", json={"kind": "http_500", "times": 5})).status_code == 200
    assert (await client.delete(f"{base_url}/_sandbox/faults")).json() == {"faults": []}
    assert (await gw.sale_card(order_id="s3", amount="9.01", currency="USD", card=VISA)).approved  # not a duplicate
    assert (await client.post(f"{base_url}/_sandbox/settle-now?type=nope")).status_code == 400
    assert (await client.post(f"{base_url}/_sandbox/settle-now?type=cc&returns=0")).json() == {"settled": 1,
                                                                                               "returned": 0}
    await client.post(f"{base_url}/_sandbox/reset")
    assert (await client.get(f"{base_url}/_sandbox/state")).json()["transactions"] == []


async def test_in_process_transport_faults(sandbox: GatewaySandbox) -> None:
    transport = httpx.ASGITransport(app=create_gateway_app(sandbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as c:
        gw = NmiGateway(c, "http://gw", DEMO_SECURITY_KEY)
        sandbox.add_fault("lose_answer")
        r = await gw.sale_card(order_id="ip", amount="9.00", currency="USD", card=VISA)
        assert r.outcome == "unknown"
        assert len(await gw.query_order("ip")) == 1


def test_serve_registry() -> None:
    from payapp.sandbox import serve

    assert "gateway" in serve.APPS
    assert callable(serve.APPS["gateway"](serve.SandboxKeys()))
    with pytest.raises(ValueError, match="unknown sandbox"):
        serve.serve("nope", 0)


@pytest.mark.slow
@pytest.mark.parametrize("which,path", [("gateway", "/api/query.php"),
                                        ("autotask", "/atservicesrest/v1.0/zoneInformation"),
                                        ("quickbooks", "/connect/oauth2")])
async def test_payapp_sandbox_command_serves_on_loopback(which: str, path: str) -> None:
    """`payapp sandbox --port PORT --which NAME` serves the sandbox on 127.0.0.1 until stopped."""
    import asyncio
    import socket
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "payapp", "sandbox", "--port", str(port), "--which", which,
        cwd=Path(__file__).resolve().parents[2], stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    try:
        async with httpx.AsyncClient(timeout=2.0) as c:
            for _ in range(200):
                try:
                    # (Autotask answers 500 to a user it does not know: ask for the sandbox's own)
                    resp = await c.get(f"http://127.0.0.1:{port}{path}",
                                       params={"user": "payapp-demo@sandbox.autotask.example"})
                    break
                except httpx.TransportError:
                    assert proc.returncode is None, (await proc.communicate())[1].decode()[-2000:]
                    await asyncio.sleep(0.05)
            else:
                pytest.fail("the sandbox did not start")
            assert resp.status_code < 500
            if which == "gateway":
                gw = NmiGateway(c, f"http://127.0.0.1:{port}", DEMO_SECURITY_KEY)
                r = await gw.sale_card(order_id="cli-1", amount="5.00", currency="USD", card=VISA)
                assert r.approved and len(await gw.query_order("cli-1")) == 1
    finally:
        proc.terminate()
        await proc.wait()
