"""Run a sandbox app with uvicorn: `payapp sandbox [--which gateway] [--port PORT] [--security-key KEY]`.

Adding a sandbox is one line in `APPS`: a name and a factory of its ASGI app (taking the chosen keys).
On start, `serve` prints the address it serves and, for the gateway, the keys it accepts, so anyone pointing an
NMI client at it can use it from that output alone. The keys are the sandbox's own made-up ones (never a real
gateway's): the demo defaults, or what --security-key / --tokenization-key or the environment variables
PAYAPP_SANDBOX_SECURITY_KEY / PAYAPP_SANDBOX_TOKENIZATION_KEY choose."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TextIO

SECURITY_KEY_ENV = "PAYAPP_SANDBOX_SECURITY_KEY"
TOKENIZATION_KEY_ENV = "PAYAPP_SANDBOX_TOKENIZATION_KEY"


@dataclass(frozen=True)
class SandboxKeys:
    security_key: str = ""          # "" = the sandbox's demo key
    tokenization_key: str = ""


def _gateway(keys: SandboxKeys) -> Any:
    from payapp.sandbox.gateway import DEMO_PUBLIC_KEY, DEMO_SECURITY_KEY, GatewaySandbox, create_gateway_app

    return create_gateway_app(GatewaySandbox(security_key=keys.security_key or DEMO_SECURITY_KEY,
                                             tokenization_key=keys.tokenization_key or DEMO_PUBLIC_KEY))


def _paypal(_keys: SandboxKeys) -> Any:
    from payapp.sandbox.paypal import create_paypal_app

    return create_paypal_app()
def _payengine(keys: SandboxKeys) -> Any:
    from payapp.sandbox.payengine import DEMO_API_KEY, PayEngineSandbox, create_payengine_app

    return create_payengine_app(PayEngineSandbox(api_key=keys.security_key or DEMO_API_KEY))


#: name -> factory of the ASGI app. Factories import lazily so one sandbox never needs another's code.
APPS: dict[str, Callable[[SandboxKeys], Any]] = {
    "gateway": _gateway,
    "payengine": _payengine,
    "autotask": lambda _keys: __import__("payapp.sandbox.autotask", fromlist=["_"]).create_autotask_app(),
    "quickbooks": lambda _keys: __import__("payapp.sandbox.quickbooks", fromlist=["_"]).create_quickbooks_app(),
    "paypal": _paypal,
}


def resolve_keys(security_key: str | None = None, tokenization_key: str | None = None,
                 environ: dict[str, str] | None = None) -> SandboxKeys:
    """The keys the gateway sandbox accepts: the options, else the environment variables, else the demo keys."""
    env = os.environ if environ is None else environ
    return SandboxKeys(security_key or env.get(SECURITY_KEY_ENV, ""),
                       tokenization_key or env.get(TOKENIZATION_KEY_ENV, ""))


def banner(which: str, base_url: str, app: Any) -> str:
    """What `payapp sandbox` prints on start: where it serves and how to talk to it."""
    lines = [f"PayApp {which} sandbox serving at {base_url}"]
    sandbox = getattr(app, "sandbox", None)
    if which == "gateway" and sandbox is not None:
        lines += [
            f"  transactions: POST {base_url}/api/transact.php   look-ups: POST {base_url}/api/query.php",
            f"  security key (form field security_key): {sandbox.security_key}",
            f"  tokenization key (Collect.js data-tokenization-key): {sandbox.tokenization_key}",
            f"  Collect.js (inline): <script src=\"{base_url}/token/Collect.js\" data-tokenization-key=...>; "
            "tokens last 15 minutes, once",
            "  test cards: 4111111111111111 (Visa), 5431111111111111 (Mastercard), any future expiry; CVV 999 "
            "matches; amounts under 1.00 decline",
            "  test eCheck: routing 490000018, account 24413815 (or 123123123 / 123123123)",
            f"  control: POST {base_url}/_sandbox/settle-now, /_sandbox/faults, /_sandbox/reset; "
            f"GET {base_url}/_sandbox/state",
            "  These are the sandbox's own made-up keys; choose others with --security-key / --tokenization-key "
            f"or {SECURITY_KEY_ENV} / {TOKENIZATION_KEY_ENV}.",
        ]
    if which == "paypal" and sandbox is not None:
        lines += _paypal_banner(base_url, sandbox)
    if which == "payengine" and sandbox is not None:
        lines += [
            f"  API base (Admin's PayEngine address): {base_url}/v1   (HTTP Basic merchant id : API key)",
            f"  merchant id: {sandbox.merchant_id}",
            f"  API key: {sandbox.api_key}",
            "  test cards: 4111111111111111, 5431111111111111 approve, 4000000000000002 declines (any future expiry)",
            "  test IBANs: DE89370400440532013000 settles, DE82370400440532013999 declines, "
            "DE68370400440000202051 is returned by the bank on settlement",
            f"  hosted payment page: {base_url}/hosted/<orderId> (Approve / Cancel)",
            f"  control: POST {base_url}/_sandbox/settle-now, /_sandbox/faults, /_sandbox/reset; "
            f"GET {base_url}/_sandbox/state",
            "  These are the sandbox's own made-up credentials; choose another API key with --security-key or "
            f"{SECURITY_KEY_ENV}.",
        ]
    lines.append("Press Ctrl+C to stop.")
    return "\n".join(lines)


def _paypal_banner(base_url: str, sandbox: Any) -> list[str]:
    from payapp.sandbox.paypal import TEST_BUYERS

    return [
        f"  NVP API: POST {base_url}/nvp   (the connector's base URL: {base_url})",
        f"  API username (USER): {sandbox.username}",
        f"  API password (PWD): {sandbox.password}",
        f"  API signature (SIGNATURE): {sandbox.signature}",
        f"  buyer's page: {base_url}/cgi-bin/webscr?cmd=_express-checkout&token=EC-...",
        *(f"  test buyer {b.email}: {b.description}" for b in TEST_BUYERS),
        f"  control: POST {base_url}/_sandbox/complete-pending, /_sandbox/reverse, /_sandbox/faults, "
        f"/_sandbox/reset; GET {base_url}/_sandbox/state",
        "  These are the sandbox's own made-up credentials, never a real PayPal account's.",
    ]


def build(which: str, keys: SandboxKeys | None = None) -> Any:
    try:
        factory = APPS[which]
    except KeyError:
        raise ValueError(f"unknown sandbox {which!r}; one of {', '.join(sorted(APPS))}") from None
    return factory(keys or SandboxKeys())


def serve(which: str, port: int, host: str = "127.0.0.1", *, keys: SandboxKeys | None = None,
          out: TextIO | None = None) -> None:
    """Serve the named sandbox until interrupted (blocking), after printing its banner to `out` (stdout)."""
    import sys

    import uvicorn

    app = build(which, keys)
    stream = out if out is not None else sys.stdout
    print(banner(which, f"http://{host}:{port}", app), file=stream, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
