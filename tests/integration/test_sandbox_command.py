"""`payapp sandbox` (issue 13, item 7): on start it says where it serves and which keys it accepts, and
`--help` documents --which, --port and how to choose the keys, so anyone can point an NMI client at it."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import httpx
import pytest

from payapp.__main__ import main
from payapp.connectors.gateways.nmi import CardData, NmiGateway
from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY
from payapp.sandbox.serve import SECURITY_KEY_ENV, TOKENIZATION_KEY_ENV, banner, build, resolve_keys
from tests.servers import free_port

VISA = CardData("4111111111111111", "1230", "999")


def test_help_documents_which_port_and_keys(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["sandbox", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for needle in ("--which", "--port", "--security-key", "--tokenization-key", SECURITY_KEY_ENV,
                   TOKENIZATION_KEY_ENV, "gateway", "autotask", "quickbooks", "8765"):
        assert needle in text, needle


def test_keys_come_from_options_then_environment_then_demo() -> None:
    assert resolve_keys(environ={}).security_key == ""
    env = {SECURITY_KEY_ENV: "env-key", TOKENIZATION_KEY_ENV: "env-tok"}
    assert resolve_keys(environ=env) == resolve_keys("env-key", "env-tok", environ={})
    assert resolve_keys("opt-key", None, environ=env).security_key == "opt-key"
    app = build("gateway", resolve_keys(environ={}))
    out = banner("gateway", "http://127.0.0.1:8765", app)
    assert "http://127.0.0.1:8765" in out and DEMO_SECURITY_KEY in out and DEMO_PUBLIC_KEY in out
    app = build("gateway", resolve_keys("opt-key", "opt-tok", environ={}))
    out = banner("gateway", "http://127.0.0.1:9", app)
    assert "opt-key" in out and "opt-tok" in out and DEMO_SECURITY_KEY not in out
    assert "http://127.0.0.1:9" in banner("autotask", "http://127.0.0.1:9", build("autotask"))


@pytest.mark.slow
@pytest.mark.parametrize("how", ["option", "environment"])
async def test_started_sandbox_prints_address_and_the_key_it_accepts(how: str) -> None:
    port = free_port()
    args = [sys.executable, "-m", "payapp", "sandbox", "--which", "gateway", "--port", str(port)]
    env = {**os.environ}
    if how == "option":
        args += ["--security-key", "chosen-key-123", "--tokenization-key", "chosen-tok-456"]
    else:
        env[SECURITY_KEY_ENV], env[TOKENIZATION_KEY_ENV] = "chosen-key-123", "chosen-tok-456"
    proc = await asyncio.create_subprocess_exec(*args, cwd=Path(__file__).resolve().parents[2], env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    try:
        assert proc.stdout is not None
        lines = []
        while not any("Ctrl+C" in line for line in lines):
            line = (await asyncio.wait_for(proc.stdout.readline(), timeout=20)).decode()
            assert line, (await proc.communicate())[1].decode()[-2000:]
            lines.append(line)
        text = "".join(lines)
        address = f"http://127.0.0.1:{port}"
        assert address in text and "chosen-key-123" in text and "chosen-tok-456" in text
        key = next(line.rsplit(": ", 1)[1].strip() for line in lines if "security key" in line)
        async with httpx.AsyncClient(timeout=2.0) as c:
            for _ in range(200):                    # the banner comes just before uvicorn binds
                try:
                    await c.get(address)
                    break
                except httpx.TransportError:
                    await asyncio.sleep(0.05)
            r = await NmiGateway(c, address, key).sale_card(order_id="cli-k", amount="5.00", currency="USD",
                                                           card=VISA)
            assert r.approved, r.message
            assert (await NmiGateway(c, address, DEMO_SECURITY_KEY).sale_card(
                order_id="cli-d", amount="6.00", currency="USD", card=VISA)).auth_failed
    finally:
        proc.terminate()
        await proc.wait()
