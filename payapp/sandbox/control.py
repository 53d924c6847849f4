"""What the payment sandboxes (gateway.py, payengine.py, paypal.py) share, written once:

- `SandboxApp`: the ASGI shim that keeps the server's own `send` in the scope (the lost-answer fault needs the
  socket); `.sandbox` is the state, `.state` the Starlette app's state.
- `answer_under_fault()`: how a request is answered while a fault is switched on (delay, lose_answer, reset,
  http_500, http_500_after, garbage; a sandbox adds its own refusals such as HTTP 429), and `take_fault()`, which
  uses one of a plan's times up.
- `control_routes(sandbox)`: the control endpoints all three have, for demos and tests:
  POST /_sandbox/faults (JSON `{"kind", "times": 1, "seconds": 0.0, <scope>}`; 400 with `{"error"}` when it cannot
  be read), DELETE /_sandbox/faults, POST /_sandbox/reset and GET /_sandbox/state.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Generic, Protocol, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

RAW_SEND = "payapp.sandbox.raw_send"


class DroppedConnection(ConnectionResetError):
    """Raised to an in-process client (httpx.ASGITransport) where there is no socket to drop."""


def drop_connection(request: Request) -> None:
    """Close the client's connection without an answer. Under uvicorn the ASGI `send` callable is a
    method of the request cycle, which holds the transport; in-process there is no socket, so raise."""
    send = request.scope.get(RAW_SEND)
    cycle = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None:
        raise DroppedConnection("sandbox dropped the connection")
    transport.abort()


class Dropped(Response):
    """Sends nothing: the connection is already gone (let the server notice before we return)."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        for _ in range(5):
            await asyncio.sleep(0.001)


SandboxT = TypeVar("SandboxT")


class SandboxApp(Generic[SandboxT]):
    """A sandbox's ASGI app: its Starlette routes, behind a shim that keeps the server's own `send` in the scope
    (RAW_SEND, for `drop_connection`). `.sandbox` is the state."""

    def __init__(self, app: Starlette, sandbox: SandboxT) -> None:
        self.app = app
        self.sandbox = sandbox
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            scope = {**scope, RAW_SEND: send}
        await self.app(scope, receive, send)


# ---------------------------------------------------------------------------------- faults

class FaultLike(Protocol):
    kind: str
    times: int
    seconds: float


FaultT = TypeVar("FaultT", bound=FaultLike)


def take_fault(faults: list[FaultT], applies: Callable[[FaultT], bool]) -> FaultT | None:
    """The first fault that applies and has times left, with one of its times used up (gone when none are left)."""
    for fault in faults:
        if applies(fault) and fault.times > 0:
            fault.times -= 1
            if fault.times == 0:
                faults.remove(fault)
            return fault
    return None


async def answer_under_fault(request: Request, fault: FaultLike | None, work: Callable[[], Response], *,
                             garbage: bytes, refuse: Callable[[str], Response | None] | None = None) -> Response:
    """The answer to a request with `fault` (None: `work()`'s answer). `refuse(kind)` answers a sandbox's own
    kinds that refuse the request unprocessed (HTTP 429 and the like); `garbage` is the body that is no answer."""
    if fault is None:
        return work()
    refused = refuse(fault.kind) if refuse is not None else None
    if refused is not None:
        return refused
    if fault.kind == "http_500":
        return Response(b"", status_code=500)
    if fault.kind == "reset":
        drop_connection(request)
        return Dropped()
    answer = work()                         # the sandbox processes the request ...
    if fault.kind == "delay":
        await asyncio.sleep(fault.seconds)
        return answer
    if fault.kind == "http_500_after":
        return Response(b"", status_code=500)
    if fault.kind == "garbage":
        return Response(garbage, media_type="text/html")
    drop_connection(request)                # lose_answer: ... and the answer never arrives
    return Dropped()


@dataclass(frozen=True)
class FaultPlan:
    """A fault asked for over POST /_sandbox/faults. `scope` is where it applies (a path kind or an NVP method)."""

    kind: str
    times: int
    seconds: float
    scope: str


def parse_fault_plan(body: object, *, scope_key: str, default_scope: str) -> FaultPlan:
    """The plan in a /_sandbox/faults body; KeyError or ValueError when it is not one."""
    if not isinstance(body, dict):
        raise ValueError("the body must be a JSON object")
    return FaultPlan(str(body["kind"]), int(body.get("times", 1)), float(body.get("seconds", 0.0)),
                     str(body.get(scope_key, default_scope)))


async def json_object(request: Request) -> dict[str, Any] | None:
    """The request's JSON object: {} for an empty body, None when it is not JSON or not an object."""
    raw = await request.body()
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------------------------- control routes

class ControlledSandbox(Protocol):
    @property
    def faults(self) -> Sequence[Any]: ...      # dataclass instances, listed with asdict()

    def add_fault_plan(self, plan: FaultPlan) -> None: ...

    def clear_faults(self) -> None: ...

    def reset(self) -> None: ...

    def snapshot(self) -> dict[str, Any]: ...


def control_routes(sandbox: ControlledSandbox, *, scope_key: str = "path",
                   default_scope: str = "transact") -> list[Route]:
    """POST and DELETE /_sandbox/faults, POST /_sandbox/reset, GET /_sandbox/state. `scope_key` names the body's
    field that says where a fault applies (the NMI sandbox's and PayEngine's `path`, PayPal's `method`)."""

    async def faults(request: Request) -> Response:
        try:
            sandbox.add_fault_plan(parse_fault_plan(await json_object(request), scope_key=scope_key,
                                                    default_scope=default_scope))
        except (KeyError, ValueError) as exc:
            return JSONResponse({"error": str(exc) or "bad request"}, status_code=400)
        return JSONResponse({"faults": [asdict(f) for f in sandbox.faults]})

    async def clear_faults(_request: Request) -> Response:
        sandbox.clear_faults()            # the transactions stay
        return JSONResponse({"faults": []})

    async def reset(_request: Request) -> Response:
        sandbox.reset()
        return JSONResponse({"ok": True})

    async def state_view(_request: Request) -> Response:
        return JSONResponse(sandbox.snapshot())

    return [
        Route("/_sandbox/faults", faults, methods=["POST"]),
        Route("/_sandbox/faults", clear_faults, methods=["DELETE"]),
        Route("/_sandbox/reset", reset, methods=["POST"]),
        Route("/_sandbox/state", state_view, methods=["GET"]),
    ]
