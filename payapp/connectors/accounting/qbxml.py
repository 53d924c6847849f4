"""qbXML for QuickBooks Desktop (through the Web Connector): the requests PayApp sends and a total parser of
QuickBooks' answers (docs/quickbooks-desktop.md).

- Every request is one document holding one `...Rq` element with a `requestID` attribute; QuickBooks echoes the
  id on its `...Rs`, so an answer to another request is recognised and refused.
- Element order follows Intuit's qbXML reference (QuickBooks validates order, not only names).
- Lists are addressed by `ListID`, transactions by `TxnID`; nothing here relies on an idempotency key (qbXML has
  none that survives between sessions): the caller queries by PayApp's own reference before every add.
- A refund is done as QuickBooks Desktop does it: a credit memo for the amount, then an `ARRefundCreditCard`
  applied to that credit memo (Intuit: "Requests for credit card refunds must link the refund to an existing
  credit memo transaction").
- `parse_response` is total: any text gives a `QbResponse` or a `QbXmlError` (PayApp's own error), never a
  KeyError, a ParseError or an exception of the XML library; DOCTYPE/ENTITY declarations are refused before
  parsing."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.sax.saxutils import escape

from payapp.domain.errors import PayAppError
from payapp.domain.messages import Message, msg

QBXML_VERSION = "13.0"

#: the status codes PayApp acts on (Intuit's qbXML status code list)
STATUS_OK = 0
STATUS_NO_MATCH = 1            # "A query request did not find a matching object in QuickBooks"
STATUS_NAME_IN_USE = 3100      # "The name ... of the list element is already in use."
STATUS_STALE = 3200            # "The provided edit sequence ... is out-of-date."

#: qbXML field lengths (QuickBooks refuses longer values with 3070)
CUSTOMER_NAME_MAX = 41
REF_NUMBER_MAX = 11            # Invoice / CreditMemo / ARRefundCreditCard RefNumber
PAYMENT_REF_MAX = 20           # ReceivePayment RefNumber
MEMO_MAX = 4095
DESC_MAX = 4095


class QbXmlError(PayAppError):
    """An answer PayApp cannot read (kind "unreadable") or one that does not answer the request ("mismatch")."""

    def __init__(self, user_message: str | Message, *, kind: str = "unreadable", detail: str = "") -> None:
        super().__init__(user_message, detail=detail)
        self.kind = kind


# ---------------------------------------------------------------- building


def _t(value: str) -> str:
    return escape(value, {'"': "&quot;"})


def _el(name: str, value: str) -> str:
    return f"<{name}>{_t(value)}</{name}>"


def _amount(value: Decimal) -> str:
    """qbXML AMTTYPE: two decimals, a dot, no thousands separator."""
    return f"{value.quantize(Decimal('0.01')):f}"


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." not in text else text.rstrip("0").rstrip(".")


def document(request_type: str, request_id: str, body: str, *, attributes: str = "") -> str:
    """One qbXML request document (`stopOnError`: a failing request never lets a later one run)."""
    return (f'<?xml version="1.0" encoding="utf-8"?><?qbxml version="{QBXML_VERSION}"?>'
            f'<QBXML><QBXMLMsgsRq onError="stopOnError"><{request_type}Rq requestID="{_t(request_id)}"{attributes}>'
            f"{body}</{request_type}Rq></QBXMLMsgsRq></QBXML>")


def customer_query(request_id: str, full_name: str) -> str:
    return document("CustomerQuery", request_id, _el("FullName", full_name[:CUSTOMER_NAME_MAX]))


def customer_add(request_id: str, name: str, company_name: str = "") -> str:
    body = _el("Name", name[:CUSTOMER_NAME_MAX])
    if company_name:
        body += _el("CompanyName", company_name[:CUSTOMER_NAME_MAX])
    return document("CustomerAdd", request_id, f"<CustomerAdd>{body}</CustomerAdd>")


@dataclass(frozen=True)
class LineOut:
    description: str
    amount: Decimal
    quantity: Decimal | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class InvoiceAdd:
    customer_list_id: str
    txn_date: dt.date
    ref_number: str
    item_name: str
    lines: tuple[LineOut, ...]
    due_date: dt.date | None = None
    memo: str = ""


def invoice_query(request_id: str, ref_number: str) -> str:
    return document("InvoiceQuery", request_id, _el("RefNumber", ref_number[:REF_NUMBER_MAX]))


def _line(tag: str, item_name: str, line: LineOut) -> str:
    parts = f"<ItemRef>{_el('FullName', item_name)}</ItemRef>{_el('Desc', line.description[:DESC_MAX])}"
    if line.quantity is not None and line.rate is not None:
        parts += _el("Quantity", _quantity(line.quantity)) + _el("Rate", _amount(line.rate))
    else:
        parts += _el("Amount", _amount(line.amount))
    return f"<{tag}>{parts}</{tag}>"


def invoice_add(request_id: str, invoice: InvoiceAdd) -> str:
    body = (f"<CustomerRef>{_el('ListID', invoice.customer_list_id)}</CustomerRef>"
            + _el("TxnDate", invoice.txn_date.isoformat()) + _el("RefNumber", invoice.ref_number[:REF_NUMBER_MAX]))
    if invoice.due_date:
        body += _el("DueDate", invoice.due_date.isoformat())
    if invoice.memo:
        body += _el("Memo", invoice.memo[:MEMO_MAX])
    body += "".join(_line("InvoiceLineAdd", invoice.item_name, ln) for ln in invoice.lines)
    return document("InvoiceAdd", request_id, f"<InvoiceAdd>{body}</InvoiceAdd>")


@dataclass(frozen=True)
class ReceivePaymentAdd:
    customer_list_id: str
    invoice_txn_id: str
    txn_date: dt.date
    ref_number: str                  # PayApp's short reference of the payment (PAYMENT_REF_MAX)
    total: Decimal
    applied: Decimal
    memo: str                        # holds the full order id: the query checks it


def receive_payment_query(request_id: str, ref_number: str) -> str:
    return document("ReceivePaymentQuery", request_id, _el("RefNumber", ref_number[:PAYMENT_REF_MAX]))


def receive_payment_by_id(request_id: str, txn_id: str) -> str:
    return document("ReceivePaymentQuery", request_id, _el("TxnID", txn_id))


def receive_payment_add(request_id: str, payment: ReceivePaymentAdd) -> str:
    body = (f"<CustomerRef>{_el('ListID', payment.customer_list_id)}</CustomerRef>"
            + _el("TxnDate", payment.txn_date.isoformat()) + _el("RefNumber", payment.ref_number[:PAYMENT_REF_MAX])
            + _el("TotalAmount", _amount(payment.total)) + _el("Memo", payment.memo[:MEMO_MAX])
            + f"<AppliedToTxnAdd>{_el('TxnID', payment.invoice_txn_id)}"
            f"{_el('PaymentAmount', _amount(payment.applied))}</AppliedToTxnAdd>")
    return document("ReceivePaymentAdd", request_id, f"<ReceivePaymentAdd>{body}</ReceivePaymentAdd>")


def txn_void(request_id: str, txn_type: str, txn_id: str) -> str:
    return document("TxnVoid", request_id, _el("TxnVoidType", txn_type) + _el("TxnID", txn_id))


@dataclass(frozen=True)
class CreditMemoAdd:
    customer_list_id: str
    txn_date: dt.date
    ref_number: str
    item_name: str
    amount: Decimal
    memo: str


def credit_memo_query(request_id: str, ref_number: str) -> str:
    return document("CreditMemoQuery", request_id, _el("RefNumber", ref_number[:REF_NUMBER_MAX]))


def credit_memo_add(request_id: str, memo: CreditMemoAdd) -> str:
    body = (f"<CustomerRef>{_el('ListID', memo.customer_list_id)}</CustomerRef>"
            + _el("TxnDate", memo.txn_date.isoformat()) + _el("RefNumber", memo.ref_number[:REF_NUMBER_MAX])
            + _el("Memo", memo.memo[:MEMO_MAX])
            + _line("CreditMemoLineAdd", memo.item_name, LineOut("Refund", memo.amount)))
    return document("CreditMemoAdd", request_id, f"<CreditMemoAdd>{body}</CreditMemoAdd>")


@dataclass(frozen=True)
class RefundAdd:
    customer_list_id: str
    credit_memo_txn_id: str
    txn_date: dt.date
    ref_number: str
    amount: Decimal
    memo: str
    from_account: str = ""           # "" = QuickBooks' default (Undeposited Funds)


def refund_query(request_id: str, ref_number: str) -> str:
    return document("ARRefundCreditCardQuery", request_id, _el("RefNumber", ref_number[:REF_NUMBER_MAX]))


def refund_add(request_id: str, refund: RefundAdd) -> str:
    body = f"<CustomerRef>{_el('ListID', refund.customer_list_id)}</CustomerRef>"
    if refund.from_account:
        body += f"<RefundFromAccountRef>{_el('FullName', refund.from_account)}</RefundFromAccountRef>"
    body += (_el("TxnDate", refund.txn_date.isoformat()) + _el("RefNumber", refund.ref_number[:REF_NUMBER_MAX])
             + _el("Memo", refund.memo[:MEMO_MAX])
             + f"<RefundAppliedToTxnAdd>{_el('TxnID', refund.credit_memo_txn_id)}"
             f"{_el('RefundAmount', _amount(refund.amount))}</RefundAppliedToTxnAdd>")
    return document("ARRefundCreditCardAdd", request_id, f"<ARRefundCreditCardAdd>{body}</ARRefundCreditCardAdd>")


# ---------------------------------------------------------------- reading


@dataclass(frozen=True)
class QbRecord:
    """One `...Ret` element: the fields PayApp uses (absent ones are "" or None)."""
    kind: str                        # "CustomerRet", "InvoiceRet", ...
    list_id: str = ""
    txn_id: str = ""
    edit_sequence: str = ""
    name: str = ""                   # Name / FullName of a list element
    ref_number: str = ""
    customer_list_id: str = ""
    customer_name: str = ""
    amount: Decimal | None = None    # TotalAmount / Subtotal / TotalAmount of a refund
    memo: str = ""
    is_active: bool = True


@dataclass(frozen=True)
class QbResponse:
    request_type: str                # "CustomerQuery"
    request_id: str
    status_code: int
    severity: str                    # "Info" | "Warn" | "Error"
    message: str
    records: tuple[QbRecord, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status_code == STATUS_OK

    @property
    def no_match(self) -> bool:
        return self.status_code == STATUS_NO_MATCH

    @property
    def is_error(self) -> bool:
        """An error status: anything but OK and "no match" (which answers a query, not a fault)."""
        return self.status_code not in (STATUS_OK, STATUS_NO_MATCH) and self.severity != "Info"

    def describe(self) -> Message:
        """The answer's status for a person: "QuickBooks Desktop: <QuickBooks's own words> (status 3100)" (the
        code as QuickBooks writes it, not grouped like a count)."""
        return msg("qbxml.answer_status", message=self.message or msg("qbxml.no_message"), status=str(self.status_code))


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child_text(el: ET.Element, name: str) -> str:
    for child in el:
        if _local(child.tag) == name:
            return (child.text or "").strip()
    return ""


def _child(el: ET.Element, name: str) -> ET.Element | None:
    for child in el:
        if _local(child.tag) == name:
            return child
    return None


def _decimal(text: str) -> Decimal | None:
    if not text:
        return None
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


def _record(el: ET.Element) -> QbRecord:
    customer = _child(el, "CustomerRef")
    amount = None
    for field in ("TotalAmount", "Subtotal"):
        amount = _decimal(_child_text(el, field))
        if amount is not None:
            break
    return QbRecord(
        kind=_local(el.tag), list_id=_child_text(el, "ListID"), txn_id=_child_text(el, "TxnID"),
        edit_sequence=_child_text(el, "EditSequence"),
        name=_child_text(el, "FullName") or _child_text(el, "Name"), ref_number=_child_text(el, "RefNumber"),
        customer_list_id=_child_text(customer, "ListID") if customer is not None else "",
        customer_name=_child_text(customer, "FullName") if customer is not None else "",
        amount=amount, memo=_child_text(el, "Memo"),
        is_active=_child_text(el, "IsActive").lower() != "false")


def _refuse(what: str) -> QbXmlError:
    return QbXmlError(msg("qbxml.unreadable"), detail=f"unreadable: {what}")


def parse_responses(text: object) -> list[QbResponse]:
    """Every `...Rs` in a qbXML answer document, in order."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse("not UTF-8") from None
    if not isinstance(text, str):
        raise _refuse("not text")
    body = text.strip().lstrip("\ufeff")
    if not body.startswith("<"):
        raise _refuse("not XML")
    upper = body.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise _refuse("a document type declaration")
    try:
        root = ET.fromstring(body)
    except (ET.ParseError, ValueError, RecursionError):
        raise _refuse("malformed XML") from None
    if _local(root.tag) != "QBXML":
        raise _refuse("no QBXML root")
    msgs = _child(root, "QBXMLMsgsRs")
    if msgs is None:
        raise _refuse("no QBXMLMsgsRs")
    out = []
    for rs in msgs:
        tag = _local(rs.tag)
        if not tag.endswith("Rs"):
            continue
        code_text = (rs.get("statusCode") or "").strip()
        if not code_text.lstrip("-").isdigit() or len(code_text) > 9:
            raise _refuse(f"{tag} without a status code")
        records = tuple(_record(child) for child in rs if _local(child.tag).endswith("Ret"))
        out.append(QbResponse(tag[:-2], (rs.get("requestID") or "").strip(), int(code_text),
                              (rs.get("statusSeverity") or "").strip(), (rs.get("statusMessage") or "").strip(),
                              records))
    return out


def parse_response(text: object, *, request_type: str = "", request_id: str = "") -> QbResponse:
    """The one answer to one request. When `request_type`/`request_id` are given, an answer to anything else
    is refused (kind "mismatch"): it belongs to another request (a Web Connector that replays an old one)."""
    responses = parse_responses(text)
    if len(responses) != 1:
        raise _refuse(f"{len(responses)} answers to one request")
    (rs,) = responses
    if request_type and rs.request_type != request_type:
        raise QbXmlError(msg("qbxml.mismatch"), kind="mismatch",
                         detail=f"{rs.request_type} for {request_type}")
    if request_id and rs.request_id != request_id:
        raise QbXmlError(msg("qbxml.mismatch"), kind="mismatch",
                         detail=f"requestID {rs.request_id!r} for {request_id!r}")
    return rs


def first(records: Sequence[QbRecord]) -> QbRecord | None:
    return records[0] if records else None


def is_voided(record: QbRecord) -> bool:
    """QuickBooks Desktop keeps a voided transaction with a zero amount and "VOID:" before its memo."""
    return record.amount is not None and record.amount == 0 and record.memo.upper().startswith("VOID")
