"""The QuickBooks sign-in redirect receiver (services/oauth_loopback.py) over a real loopback socket."""

from __future__ import annotations

import socket

import httpx

from payapp.services.oauth_loopback import LoopbackReceiver


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_redirect_query_arrives_and_other_requests_are_ignored() -> None:
    port = _free_port()
    receiver = LoopbackReceiver()
    await receiver.start(f"http://127.0.0.1:{port}/callback")
    try:
        async with httpx.AsyncClient() as client:
            favicon = await client.get(f"http://127.0.0.1:{port}/favicon.ico")
            assert favicon.status_code == 200 and not receiver.result.done()
            page = await client.get(f"http://127.0.0.1:{port}/callback",
                                    params={"code": "c1", "state": "s1", "realmId": "9130"})
        assert "You can close this tab" in page.text
        assert await receiver.result == {"code": "c1", "state": "s1", "realmId": "9130"}
    finally:
        await receiver.close()


async def test_a_refusal_is_handed_over_too() -> None:
    port = _free_port()
    receiver = LoopbackReceiver()
    await receiver.start(f"http://127.0.0.1:{port}/callback")
    try:
        async with httpx.AsyncClient() as client:
            page = await client.get(f"http://127.0.0.1:{port}/callback", params={"error": "access_denied"})
        assert "did not receive" in page.text
        assert (await receiver.result)["error"] == "access_denied"
    finally:
        await receiver.close()
