"""The one-shot loopback receiver of the QuickBooks sign-in redirect with development keys (RFC 8252 §7.3).

Intuit sends the browser back to the registered redirect URI; with development keys that is
`http://localhost:<fixed port>/callback`, and this small asyncio server on that port takes the redirect's query.
No Qt here: the Connections page starts it, opens the browser and awaits `result`."""

from __future__ import annotations

import asyncio
import contextlib
import urllib.parse

CALLBACK_PATH = "/callback"


class LoopbackReceiver:
    """A one-shot HTTP server on localhost (the fixed port of the registered development redirect URI) for the
    OAuth redirect (RFC 8252 §7.3). `result` gets
    the redirect's query: `code`, `state`, `realmId` — or `error` (the user cancelled or Intuit refused).
    Other requests (a browser's /favicon.ico) are answered and ignored."""

    def __init__(self) -> None:
        self.result: asyncio.Future[dict[str, str]] = asyncio.get_running_loop().create_future()
        self._server: asyncio.base_events.Server | None = None

    async def start(self, redirect_uri: str) -> str:
        """Listen where `redirect_uri` (http://localhost:PORT/callback) points; OSError if the port is taken."""
        parts = urllib.parse.urlsplit(redirect_uri)
        self._path = parts.path or CALLBACK_PATH
        self._server = await asyncio.start_server(self._handle, parts.hostname or "localhost", parts.port or 80)
        return redirect_uri

    _path = CALLBACK_PATH

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            line = (await asyncio.wait_for(reader.readline(), 10)).decode("latin-1")
            target = line.split(" ")[1] if line.count(" ") >= 2 else "/"
            parts = urllib.parse.urlsplit(target)
            query = dict(urllib.parse.parse_qsl(parts.query))
            ok = "code" in query
            redirect = parts.path == self._path and ("code" in query or "error" in query)
            body = ("PayApp received the QuickBooks sign-in. You can close this tab and go back to PayApp." if ok
                    else "PayApp did not receive an authorisation. Go back to PayApp and try again.").encode()
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n"
                         + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
            await writer.drain()
            if redirect and not self.result.done():
                self.result.set_result(query)
        except (TimeoutError, ConnectionError, IndexError):
            pass
        finally:
            writer.close()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
