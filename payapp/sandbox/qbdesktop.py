"""A QuickBooks Desktop company in memory that answers qbXML, and a Web Connector client that polls a QBWC
service over HTTP the way Intuit's does (docs/quickbooks-desktop.md).

`QbDesktopCompany.process(request)` answers a qbXML request document like QuickBooks: customers (names unique
case-insensitively across customers and the other name lists: 3100), invoices, received payments applied to an
invoice (its balance follows), `TxnVoid` (amount 0, "VOID:" before the memo), credit memos and
`ARRefundCreditCard` refunds applied to one; queries by FullName, RefNumber or TxnID answer status 1 when nothing
matches; a reference to a missing ListID/TxnID is 3140 (or 3120 for a void); a field longer than QuickBooks
holds is 3070; a document it cannot parse raises `QbXmlParseError` with the HRESULT the Web Connector passes on.
Faults for tests: `faults.error_next` (the next write answers that status), `faults.stale_next` (3200).

`WebConnectorClient.run_session()` calls, in Intuit's order: serverVersion, clientVersion, authenticate, then
sendRequestXML / receiveResponseXML until the percentage is 100 (negative: getLastError), closeConnection.
Faults: `cut_next` (the session dies after QuickBooks processed a request, before its answer reaches the service),
`drop_next` (it dies with a request handed out that QuickBooks never saw),
`restart_after` (the Web Connector is restarted after that many requests: the session is dropped, unanswered)."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import httpx

from payapp.sandbox.persist import load_state, save_state

Rec = dict[str, Any]
COMPANY_FILE = r"C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\PayApp Demo.qbw"
WC_VERSION = "2.3.0.215"
NS = "http://developer.intuit.com/"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
HRESULT_PARSE = "0x80040400"      # "QuickBooks found an error when parsing the provided XML text stream."


class QbXmlParseError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.hresult = HRESULT_PARSE
        self.message = message


@dataclass
class QbdFaults:
    error_next: list[tuple[int, str]] = field(default_factory=list)   # (statusCode, statusMessage) for next writes
    stale_next: int = 0


def _t(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _text(el: ET.Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path)
    return (found.text or "").strip() if found is not None else ""


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text or "0")
    except InvalidOperation:
        raise _Status(3020, f'There was an error when converting the amount "{text}" in the field.') from None
    return value.quantize(Decimal("0.01"))


class _Status(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class QbDesktopCompany:
    """The company file. Thread-safe (the test's Web Connector and the assertions may run in other threads)."""
    company_name: str = "PayApp Demo Company (QuickBooks Desktop sandbox)"
    customers: dict[str, Rec] = field(default_factory=dict)
    other_names: list[str] = field(default_factory=list)       # vendors / employees: their names are taken too
    txns: dict[str, Rec] = field(default_factory=dict)         # TxnID → {"type": "Invoice", ...}
    faults: QbdFaults = field(default_factory=QbdFaults)
    requests: list[str] = field(default_factory=list)          # the request types processed, in order
    _seq: Any = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    # -- state

    def to_state(self) -> Rec:
        with self._lock:
            return {"customers": self.customers, "other_names": self.other_names, "txns": self.txns,
                    "next": next(self._seq)}

    @classmethod
    def from_state(cls, data: Rec) -> QbDesktopCompany:
        company = cls(customers=dict(data.get("customers", {})), other_names=list(data.get("other_names", [])),
                      txns=dict(data.get("txns", {})))
        company._seq = itertools.count(int(data.get("next", 1)))
        return company

    @classmethod
    def persisted(cls, path: Path) -> QbDesktopCompany:
        state = load_state(path)
        return cls.from_state(state) if state is not None else cls()

    def save(self, path: Path) -> None:
        save_state(path, self.to_state())

    def of_type(self, kind: str) -> list[Rec]:
        with self._lock:
            return [dict(t) for t in self.txns.values() if t["type"] == kind]

    # -- ids

    def _stamp(self) -> str:
        return str(int(self.clock().timestamp()))

    def _new_id(self) -> str:
        return f"{next(self._seq):X}-{self._stamp()}"

    # -- qbXML

    def process(self, request: str) -> str:
        """The qbXML answer document to a request document (or QbXmlParseError, as QuickBooks' HRESULT)."""
        text = request.strip()
        if "<!DOCTYPE" in text.upper():
            raise QbXmlParseError("QuickBooks found an error when parsing the provided XML text stream.")
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            raise QbXmlParseError("QuickBooks found an error when parsing the provided XML text stream.") from None
        msgs = root.find("QBXMLMsgsRq")
        if _local(root.tag) != "QBXML" or msgs is None:
            raise QbXmlParseError("QuickBooks found an error when parsing the provided XML text stream.")
        out = []
        stop = msgs.get("onError", "stopOnError") == "stopOnError"
        with self._lock:
            for rq in msgs:
                tag = _local(rq.tag)
                handler = getattr(self, f"_{tag[:-2]}", None) if tag.endswith("Rq") else None
                if handler is None:
                    raise QbXmlParseError("QuickBooks found an error when parsing the provided XML text stream.")
                self.requests.append(tag[:-2])
                rs_tag = tag[:-2] + "Rs"
                rid = rq.get("requestID", "")
                rid_attr = f' requestID="{_t(rid)}"' if rid else ""
                try:
                    if not tag.endswith("QueryRq"):
                        self._injected_fault()
                    body = handler(rq)
                except _Status as st:
                    severity = "Info" if st.code == 1 else "Error"
                    out.append(f'<{rs_tag}{rid_attr} statusCode="{st.code}" statusSeverity="{severity}" '
                               f'statusMessage="{_t(st.message)}" />')
                    if stop and st.code != 1:
                        break
                    continue
                out.append(f'<{rs_tag}{rid_attr} statusCode="0" statusSeverity="Info" statusMessage="Status OK">'
                           f"{body}</{rs_tag}>")
        return '<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n' + "\n".join(out) + "\n</QBXMLMsgsRs>\n</QBXML>\n"

    def _injected_fault(self) -> None:
        if self.faults.stale_next > 0:
            self.faults.stale_next -= 1
            raise _Status(3200, f'The provided edit sequence "{self._stamp()}" is out-of-date.')
        if self.faults.error_next:
            code, message = self.faults.error_next.pop(0)
            raise _Status(code, message)

    @staticmethod
    def _no_match() -> _Status:
        return _Status(1, "A query request did not find a matching object in QuickBooks")

    @staticmethod
    def _check_length(value: str, limit: int, name: str) -> None:
        if len(value) > limit:
            raise _Status(3070, f'The string "{value}" in the field "{name}" is too long.')

    def _customer_ret(self, c: Rec) -> str:
        return (f"<CustomerRet><ListID>{_t(c['ListID'])}</ListID><EditSequence>{c['EditSequence']}</EditSequence>"
                f"<Name>{_t(c['Name'])}</Name><FullName>{_t(c['Name'])}</FullName>"
                f"<IsActive>{'true' if c.get('IsActive', True) else 'false'}</IsActive>"
                f"{'<CompanyName>' + _t(c['CompanyName']) + '</CompanyName>' if c.get('CompanyName') else ''}"
                f"<Sublevel>0</Sublevel><Balance>{c.get('Balance', Decimal('0.00'))}</Balance></CustomerRet>")

    def _CustomerQuery(self, rq: ET.Element) -> str:
        names = [(n.text or "").strip().lower() for n in rq.findall("FullName")]
        ids = [(n.text or "").strip() for n in rq.findall("ListID")]
        found = [c for c in self.customers.values()
                 if (names and c["Name"].lower() in names) or (ids and c["ListID"] in ids)
                 or (not names and not ids and c.get("IsActive", True))]
        if not found:
            raise self._no_match()
        return "".join(self._customer_ret(c) for c in found)

    def _CustomerAdd(self, rq: ET.Element) -> str:
        add = rq.find("CustomerAdd")
        name = _text(add, "Name")
        if not name:
            raise _Status(3150, 'There is a missing element: "Name".')
        self._check_length(name, 41, "Name")
        taken = {c["Name"].lower() for c in self.customers.values()} | {n.lower() for n in self.other_names}
        if name.lower() in taken:
            raise _Status(3100, f'The name "{name}" of the list element is already in use.')
        c = {"ListID": self._new_id(), "EditSequence": self._stamp(), "Name": name,
             "CompanyName": _text(add, "CompanyName"), "IsActive": True, "Balance": Decimal("0.00")}
        self.customers[c["ListID"]] = c
        return self._customer_ret(c)

    def _customer(self, ref: ET.Element | None, what: str) -> Rec:
        list_id, full_name = _text(ref, "ListID"), _text(ref, "FullName")
        for c in self.customers.values():
            if (list_id and c["ListID"] == list_id) or (full_name and c["Name"].lower() == full_name.lower()):
                return c
        raise _Status(3140, f'There is an invalid reference to QuickBooks Customer "{list_id or full_name}" in the '
                            f"{what}. QuickBooks error message: Invalid argument.  The specified record does not "
                            "exist in the list.")

    def _txn_ret(self, t: Rec) -> str:
        kind = t["type"]
        parts = [f"<TxnID>{_t(t['TxnID'])}</TxnID><EditSequence>{t['EditSequence']}</EditSequence>",
                 f"<CustomerRef><ListID>{_t(t['CustomerListID'])}</ListID><FullName>{_t(t['CustomerName'])}"
                 "</FullName></CustomerRef>",
                 f"<TxnDate>{t['TxnDate']}</TxnDate><RefNumber>{_t(t['RefNumber'])}</RefNumber>"]
        if kind in ("Invoice", "CreditMemo"):
            parts.append(f"<Subtotal>{t['Amount']}</Subtotal>")
            if kind == "Invoice":
                parts.append(f"<BalanceRemaining>{t['Balance']}</BalanceRemaining>")
            else:
                parts.append(f"<CreditRemaining>{t['Balance']}</CreditRemaining>")
        else:
            parts.append(f"<TotalAmount>{t['Amount']}</TotalAmount>")
        if t.get("Memo"):
            parts.append(f"<Memo>{_t(t['Memo'])}</Memo>")
        if kind == "ReceivePayment" and t.get("AppliedTo"):
            parts.append(f"<AppliedToTxnRet><TxnID>{_t(t['AppliedTo'])}</TxnID><TxnType>Invoice</TxnType>"
                         f"<Amount>{t['Applied']}</Amount></AppliedToTxnRet>")
        if kind == "ARRefundCreditCard":
            parts.append(f"<RefundAppliedToTxnRet><TxnID>{_t(t['AppliedTo'])}</TxnID><TxnType>CreditMemo</TxnType>"
                         f"<RefundAmount>{t['Amount']}</RefundAmount></RefundAppliedToTxnRet>")
        return f"<{kind}Ret>{''.join(parts)}</{kind}Ret>"

    def _query(self, kind: str, rq: ET.Element) -> str:
        refs = [(n.text or "").strip() for n in rq.findall("RefNumber")]
        ids = [(n.text or "").strip() for n in rq.findall("TxnID")]
        found = [t for t in self.txns.values() if t["type"] == kind
                 and ((refs and t["RefNumber"] in refs) or (ids and t["TxnID"] in ids) or (not refs and not ids))]
        if not found:
            raise self._no_match()
        return "".join(self._txn_ret(t) for t in found)

    def _new_txn(self, kind: str, customer: Rec, body: ET.Element, amount: Decimal, **extra: Any) -> Rec:
        ref = _text(body, "RefNumber")
        self._check_length(ref, 20 if kind == "ReceivePayment" else 11, "RefNumber")
        memo = _text(body, "Memo")
        self._check_length(memo, 4095, "Memo")
        t = {"type": kind, "TxnID": self._new_id(), "EditSequence": self._stamp(), "CustomerListID": customer["ListID"],
             "CustomerName": customer["Name"], "TxnDate": _text(body, "TxnDate") or self.clock().date().isoformat(),
             "RefNumber": ref, "Amount": amount, "Memo": memo, **extra}
        self.txns[t["TxnID"]] = t
        return t

    def _InvoiceQuery(self, rq: ET.Element) -> str:
        return self._query("Invoice", rq)

    def _InvoiceAdd(self, rq: ET.Element) -> str:
        body = rq.find("InvoiceAdd")
        customer = self._customer(body.find("CustomerRef") if body is not None else None, "Invoice")
        total = Decimal("0.00")
        for line in body.findall("InvoiceLineAdd") if body is not None else []:
            if _text(line, "Amount"):
                total += _amount(_text(line, "Amount"))
            else:
                total += (_amount(_text(line, "Rate")) * Decimal(_text(line, "Quantity") or "1")).quantize(
                    Decimal("0.01"))
        assert body is not None
        t = self._new_txn("Invoice", customer, body, total, Balance=total,
                          Lines=len(body.findall("InvoiceLineAdd")))
        return self._txn_ret(t)

    def _ReceivePaymentQuery(self, rq: ET.Element) -> str:
        return self._query("ReceivePayment", rq)

    def _ReceivePaymentAdd(self, rq: ET.Element) -> str:
        body = rq.find("ReceivePaymentAdd")
        assert body is not None
        customer = self._customer(body.find("CustomerRef"), "ReceivePayment")
        total = _amount(_text(body, "TotalAmount"))
        applied_to = _text(body, "AppliedToTxnAdd/TxnID")
        applied = _amount(_text(body, "AppliedToTxnAdd/PaymentAmount")) if applied_to else Decimal("0.00")
        if applied_to:
            inv = self.txns.get(applied_to)
            if inv is None or inv["type"] != "Invoice" or inv["CustomerListID"] != customer["ListID"]:
                raise _Status(3140, f'There is an invalid reference to QuickBooks Invoice "{applied_to}" in the '
                                    "ReceivePayment.")
            inv["Balance"] = inv["Balance"] - applied
        t = self._new_txn("ReceivePayment", customer, body, total, AppliedTo=applied_to, Applied=applied)
        return self._txn_ret(t)

    def _TxnVoid(self, rq: ET.Element) -> str:
        kind, txn_id = _text(rq, "TxnVoidType"), _text(rq, "TxnID")
        t = self.txns.get(txn_id)
        if t is None or t["type"] != kind:
            raise _Status(3120, f'Object "{txn_id}" specified in the request cannot be found.')
        if t["Amount"] != 0:
            if t["type"] == "ReceivePayment" and t.get("AppliedTo") in self.txns:
                self.txns[t["AppliedTo"]]["Balance"] += t["Applied"]
            t["Amount"], t["Applied"] = Decimal("0.00"), Decimal("0.00")
            t["Memo"] = "VOID: " + t.get("Memo", "")
            t["EditSequence"] = str(int(t["EditSequence"]) + 1)
        return f"<TxnVoidType>{_t(kind)}</TxnVoidType><TxnID>{_t(txn_id)}</TxnID>"

    def _CreditMemoQuery(self, rq: ET.Element) -> str:
        return self._query("CreditMemo", rq)

    def _CreditMemoAdd(self, rq: ET.Element) -> str:
        body = rq.find("CreditMemoAdd")
        assert body is not None
        customer = self._customer(body.find("CustomerRef"), "CreditMemo")
        total = sum((_amount(_text(line, "Amount")) for line in body.findall("CreditMemoLineAdd")), Decimal("0.00"))
        return self._txn_ret(self._new_txn("CreditMemo", customer, body, total, Balance=total))

    def _ARRefundCreditCardQuery(self, rq: ET.Element) -> str:
        return self._query("ARRefundCreditCard", rq)

    def _ARRefundCreditCardAdd(self, rq: ET.Element) -> str:
        body = rq.find("ARRefundCreditCardAdd")
        assert body is not None
        customer = self._customer(body.find("CustomerRef"), "ARRefundCreditCard")
        memo_id = _text(body, "RefundAppliedToTxnAdd/TxnID")
        credit = self.txns.get(memo_id)
        if credit is None or credit["type"] != "CreditMemo" or credit["CustomerListID"] != customer["ListID"]:
            raise _Status(3140, f'There is an invalid reference to QuickBooks CreditMemo "{memo_id}" in the '
                                "ARRefundCreditCard.")
        amount = _amount(_text(body, "RefundAppliedToTxnAdd/RefundAmount"))
        if amount > credit["Balance"]:
            raise _Status(3040, f'There was an error when converting the amount "{amount}": it is more than the '
                                "credit remaining.")
        credit["Balance"] -= amount
        t = self._new_txn("ARRefundCreditCard", customer, body, amount, AppliedTo=memo_id,
                          FromAccount=_text(body, "RefundFromAccountRef/FullName") or "Undeposited Funds")
        return self._txn_ret(t)


# ---------------------------------------------------------------- the Web Connector


@dataclass
class WcFaults:
    cut_next: int = 0          # the next n sessions die after QuickBooks processed a request, before its answer
    drop_next: int = 0         # the next n sessions die with a request handed out that never reached QuickBooks
    restart_after: int = 0     # the Web Connector restarts after this many requests in a session (once)


@dataclass
class SessionLog:
    ticket: str = ""
    auth: str = ""                     # "", "none", "nvu" or a company file path
    calls: list[str] = field(default_factory=list)
    percents: list[int] = field(default_factory=list)
    requests: int = 0
    last_error: str = ""
    close_message: str = ""
    cut: bool = False
    failed: str = ""                   # the transport error that ended it


class WebConnectorClient:
    """Intuit's Web Connector, as far as PayApp's service can tell: SOAP 1.1 over the caller's httpx client."""

    def __init__(self, url: str, http: httpx.AsyncClient, company: QbDesktopCompany, *, user_name: str,
                 password: str, faults: WcFaults | None = None,
                 on_request: Callable[[str], None] | None = None) -> None:
        self._url = url
        self._http = http
        self.company = company
        self._user = user_name
        self.__password = password
        self.faults = faults or WcFaults()
        self._on_request = on_request

    def __repr__(self) -> str:
        return f"WebConnectorClient(url={self._url!r}, user={self._user!r}, password='***')"

    async def _call(self, log: SessionLog, method: str, **params: str) -> list[str]:
        log.calls.append(method)
        inner = "".join(f"<{k}>{_t(v)}</{k}>" for k, v in params.items())
        body = (f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP_NS}">'
                f'<soap:Body><{method} xmlns="{NS}">{inner}</{method}></soap:Body></soap:Envelope>')
        resp = await self._http.post(self._url, content=body.encode(), headers={
            "Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}{method}"'})
        resp.raise_for_status()
        root = ET.fromstring(resp.content)
        result = root.find(f".//{{{NS}}}{method}Result")
        if result is None:
            raise httpx.HTTPError(f"no {method}Result")
        strings = result.findall(f"{{{NS}}}string")
        return [(s.text or "") for s in strings] if strings else [result.text or ""]

    async def run_session(self) -> SessionLog:
        log = SessionLog()
        try:
            await self._session(log)
        except httpx.HTTPError as exc:
            log.failed = type(exc).__name__
        return log

    async def _session(self, log: SessionLog) -> None:
        await self._call(log, "serverVersion")
        version_answer = (await self._call(log, "clientVersion", strVersion=WC_VERSION))[0]
        if version_answer.startswith("E:"):
            log.last_error = version_answer[2:]
            return
        auth = await self._call(log, "authenticate", strUserName=self._user, strPassword=self.__password)
        log.ticket, log.auth = [*auth, "", ""][:2]
        if log.auth == "nvu":
            return
        if log.auth == "none":
            log.close_message = (await self._call(log, "closeConnection", ticket=log.ticket))[0]
            return
        while True:
            request = (await self._call(log, "sendRequestXML", ticket=log.ticket, strHCPResponse="",
                                        strCompanyFileName=log.auth or COMPANY_FILE, qbXMLCountry="US",
                                        qbXMLMajorVers="13", qbXMLMinorVers="0"))[0]
            if not request:
                log.last_error = (await self._call(log, "getLastError", ticket=log.ticket))[0]
                break
            log.requests += 1
            if self._on_request is not None:
                self._on_request(request)
            if self.faults.drop_next > 0:
                self.faults.drop_next -= 1
                log.cut = True                 # the request is lost before QuickBooks sees it
                return
            hresult = message = response = ""
            try:
                response = self.company.process(request)
            except QbXmlParseError as exc:
                hresult, message = exc.hresult, exc.message
            if self.faults.cut_next > 0:
                self.faults.cut_next -= 1
                log.cut = True                 # QuickBooks did it; the answer never reaches the service
                return
            if self.faults.restart_after and log.requests >= self.faults.restart_after:
                self.faults.restart_after = 0
                log.cut = True                 # restarted: this session is gone, its last answer with it
                return
            percent_text = (await self._call(log, "receiveResponseXML", ticket=log.ticket, response=response,
                                             hresult=hresult, message=message))[0]
            try:
                percent = int(percent_text)
            except ValueError:
                percent = -1
            log.percents.append(percent)
            if percent < 0:
                log.last_error = (await self._call(log, "getLastError", ticket=log.ticket))[0]
                break
            if percent >= 100:
                break
        log.close_message = (await self._call(log, "closeConnection", ticket=log.ticket))[0]

    async def run_until_idle(self, max_sessions: int = 20) -> list[SessionLog]:
        """Sessions (like "Update Selected" pressed again) until the service has nothing to do."""
        logs = []
        for _ in range(max_sessions):
            log = await self.run_session()
            logs.append(log)
            if log.auth in ("none", "nvu") or log.failed:
                break
        return logs


async def run_against(url: str, *, user_name: str, password: str, state_path: Path | None = None,
                      sessions: int = 20) -> list[SessionLog]:
    """`payapp sandbox --which qbwc`: a Web Connector on a sandbox company against the service at `url`."""
    company = QbDesktopCompany.persisted(state_path) if state_path else QbDesktopCompany()
    async with httpx.AsyncClient(timeout=60) as http:
        logs = await WebConnectorClient(url, http, company, user_name=user_name,
                                        password=password).run_until_idle(sessions)
    if state_path:
        company.save(state_path)
    return logs
