"""Run a sandbox app with uvicorn: `payapp sandbox --port PORT [--which gateway]`.

Adding a sandbox is one line in `APPS`: a name and a zero-argument factory of its ASGI app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def _gateway() -> Any:
    from payapp.sandbox.gateway import create_gateway_app

    return create_gateway_app()


#: name -> factory of the ASGI app. Factories import lazily so one sandbox never needs another's code.
APPS: dict[str, Callable[[], Any]] = {
    "gateway": _gateway,
    "autotask": lambda: __import__("payapp.sandbox.autotask", fromlist=["_"]).create_autotask_app(),
    "quickbooks": lambda: __import__("payapp.sandbox.quickbooks", fromlist=["_"]).create_quickbooks_app(),
}


def serve(which: str, port: int, host: str = "127.0.0.1") -> None:
    """Serve the named sandbox until interrupted (blocking)."""
    import uvicorn

    try:
        factory = APPS[which]
    except KeyError:
        raise ValueError(f"unknown sandbox {which!r}; one of {', '.join(sorted(APPS))}") from None
    uvicorn.run(factory(), host=host, port=port, log_level="warning")
