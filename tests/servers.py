"""Serve an ASGI app with uvicorn on 127.0.0.1 (a free port) in a background thread, for integration
tests that need real sockets, timeouts and dropped connections. Reusable by every sandbox's tests:

    with serve_asgi(app) as base_url:
        ...
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve_asgi(app: Any, *, port: int = 0, lifespan: str = "off", **options: Any) -> Iterator[str]:
    """Yield the base URL ("http://127.0.0.1:PORT") of `app` served by uvicorn; stop it on exit. `lifespan="on"`
    runs the app's start-up and shut-down (the portal closes its database and HTTP client there, in its loop);
    `options` go to uvicorn.Config (the portal: proxy_headers=False, server_header=False, as `payapp portal`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    actual = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="critical", lifespan=lifespan, access_log=False, timeout_graceful_shutdown=1,
                            **options)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{actual}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
