"""The SOAP 1.1 face of the QBWC service (namespace http://developer.intuit.com/), as a small Starlette app:
POST a SOAP envelope to `/qbwc`, get the method's answer back. The Web Connector sends each method as the first
child of `soap:Body` with its parameters as children; answers are `<{method}Response><{method}Result>`.

Parsing is total: an envelope PayApp cannot read is answered with a SOAP Fault (HTTP 500, as SOAP 1.1 says),
never a traceback. DOCTYPE/ENTITY declarations are refused before parsing. The password is never logged."""

from __future__ import annotations

import contextlib
import logging
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from xml.sax.saxutils import escape

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from payapp.domain.errors import PayAppError
from payapp.domain.messages import msg
from payapp.services.qbwc import QbwcService

log = logging.getLogger(__name__)

NS = "http://developer.intuit.com/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MAX_BODY = 20 * 1024 * 1024           # a qbXML answer with many records stays far below this
METHODS = ("serverVersion", "clientVersion", "authenticate", "sendRequestXML", "receiveResponseXML",
           "connectionError", "getLastError", "closeConnection")


class SoapError(PayAppError):
    pass


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_call(body: bytes) -> tuple[str, dict[str, str]]:
    """(method, {parameter: text}) of a SOAP request envelope, or SoapError."""
    text = body.lstrip()
    if not text.startswith(b"<"):
        raise SoapError(msg("qbwc_soap.not_envelope"))
    upper = text.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise SoapError(msg("qbwc_soap.doctype"))
    try:
        root = ET.fromstring(text)
    except (ET.ParseError, ValueError, RecursionError):
        raise SoapError(msg("qbwc_soap.malformed")) from None
    if _local(root.tag) != "Envelope":
        raise SoapError(msg("qbwc_soap.not_envelope"))
    soap_body = next((c for c in root if _local(c.tag) == "Body"), None)
    call = next(iter(soap_body), None) if soap_body is not None else None
    if call is None:
        raise SoapError(msg("qbwc_soap.body_empty"))
    method = _local(call.tag)
    if method not in METHODS:
        raise SoapError(msg("qbwc_soap.unknown_method", method=repr(method[:60])))
    return method, {_local(p.tag): (p.text or "") for p in call}


def envelope(inner: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>'
            f'<soap:Envelope xmlns:soap="{SOAP_NS}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
            f"<soap:Body>{inner}</soap:Body></soap:Envelope>")


def answer(method: str, result: str | int | tuple[str, ...]) -> str:
    if isinstance(result, tuple):
        value = "".join(f"<string>{escape(v)}</string>" for v in result)
    else:
        value = escape(str(result))
    return envelope(f'<{method}Response xmlns="{NS}"><{method}Result>{value}</{method}Result></{method}Response>')


def fault(message: str) -> str:
    return envelope(f"<soap:Fault><faultcode>soap:Client</faultcode><faultstring>{escape(message)}</faultstring>"
                    "</soap:Fault>")


async def call(service: QbwcService, method: str, p: dict[str, str]) -> str | int | tuple[str, ...]:
    if method == "serverVersion":
        return await service.server_version()
    if method == "clientVersion":
        return await service.client_version(p.get("strVersion", ""))
    if method == "authenticate":
        return await service.authenticate(p.get("strUserName", ""), p.get("strPassword", ""))
    if method == "sendRequestXML":
        return await service.send_request_xml(p.get("ticket", ""), p.get("strCompanyFileName", ""))
    if method == "receiveResponseXML":
        return await service.receive_response_xml(p.get("ticket", ""), p.get("response", ""), p.get("hresult", ""),
                                                  p.get("message", ""))
    if method == "connectionError":
        return await service.connection_error(p.get("ticket", ""), p.get("hresult", ""), p.get("message", ""))
    if method == "getLastError":
        return await service.get_last_error(p.get("ticket", ""))
    return await service.close_connection(p.get("ticket", ""))


def create_qbwc_app(service: QbwcService, path: str = "/qbwc",
                    on_shutdown: Callable[[], Awaitable[None]] | None = None) -> Any:
    """The ASGI app; `on_shutdown` runs in the server's loop when it stops (closing the database it used)."""
    async def soap(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(fault("The request is too large."), status_code=413, media_type="text/xml")
        try:
            method, params = parse_call(body)
        except SoapError as exc:
            return Response(fault(exc.user_message), status_code=500, media_type="text/xml; charset=utf-8")
        result = await call(service, method, params)
        return Response(answer(method, result), media_type="text/xml; charset=utf-8")

    async def hello(_: Request) -> Response:
        return PlainTextResponse("PayApp QuickBooks Web Connector service: add PayApp's .qwc file to the Web "
                                 "Connector; it posts SOAP here.")

    @contextlib.asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if on_shutdown is not None:
                await on_shutdown()

    app = Starlette(routes=[Route(path, soap, methods=["POST"]), Route(path, hello, methods=["GET"])],
                    lifespan=lifespan)
    app.state.qbwc = service
    return app
