"""The tables and SQL Core statements of the engine's two hot transactions (opening a payment, recording its
decision), built once at import (SQL Core: no identity map, no flush), and the helpers that run them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, CursorResult, Insert, bindparam, func, insert, literal_column, select, update

from payapp.domain.payment_state import UNDECIDED
from payapp.models import (
    AchAuthorization,
    AuditEvent,
    Contact,
    Invoice,
    OutboxJob,
    Payment,
    PortalMethodOwner,
    SavedPaymentMethod,
    SepaMandate,
)
from payapp.services.settings import SETTINGS_VERSION_SQL

_PAYMENTS = Payment.__table__
_INVOICES = Invoice.__table__
_METHODS = SavedPaymentMethod.__table__
_AUDIT_EVENTS = AuditEvent.__table__
_OUTBOX = OutboxJob.__table__
_P, _I, _M = _PAYMENTS.c, _INVOICES.c, _METHODS.c

_CONTACT_COMPANY = select(Contact.__table__.c.company_id).where(Contact.__table__.c.id == bindparam("contact_id"))
_LOCK_INVOICE = (select(_I.id, _I.company_id, _I.company_name, _I.invoice_number, _I.currency, _I.balance_minor,
                        _I.status, _I.is_voided)
                 .where(_I.id == bindparam("invoice_id")).with_for_update())
#: PostgreSQL: the invoice locked with the server's clock (`db_now`) in the same round trip, the clock a payment's
#: send deadline counts from (read as the row is found, a moment before it is written: a deadline no later), and the
#: settings' version (services/settings.py SettingsSnapshot: unchanged settings are not read again)
_LOCK_INVOICE_AT = _LOCK_INVOICE.add_columns(func.clock_timestamp().label("db_now"),
                                             literal_column(SETTINGS_VERSION_SQL).label("settings_version"))
_SAVED_METHOD = (select(_M.id, _M.company_id, _M.is_active, _M.method, _M.vault_id, _M.brand, _M.last_four,
                        _M.expiry, _M.account_type, _M.initial_transaction_id, _M.account_holder_type,
                        _M.holder_name, _M.gateway)
                 .where(_M.id == bindparam("method_id")))
_METHOD_OWNER = (select(PortalMethodOwner.__table__.c.contact_id)
                 .where(PortalMethodOwner.__table__.c.saved_method_id == bindparam("method_id")))
_INSERT_METHOD_OWNER = insert(PortalMethodOwner.__table__)
# One read of an invoice's undecided and recent payments serves the balance and the duplicate checks.
_RECENT_PAYMENTS = (select(_P.id, _P.status, _P.amount_minor, _P.created_at, _P.created_by_name)
                    .where(_P.invoice_id == bindparam("invoice_id"),
                           _P.status.in_(sorted(UNDECIDED)) | (_P.created_at >= bindparam("since")))
                    .order_by(_P.created_at.desc()))
# The payment and its invoice, both locked (PostgreSQL: FOR UPDATE of both rows), in one round trip.
_LOCK_PAYMENT_AND_INVOICE = (
    select(_P.id, _P.order_id, _P.invoice_id, _P.status, _P.amount_minor, _P.currency, _P.method, _P.last_four,
           _P.transaction_id, _P.response_text, _P.saved_method_id, _P.reconcile_attempts, _P.approved_late,
           _I.total_minor, _I.paid_minor, _I.balance_minor, _I.is_voided)
    .select_from(_PAYMENTS.join(_INVOICES, _I.id == _P.invoice_id))
    .where(_P.id == bindparam("payment_id")).with_for_update())
_LOCK_SAVED_METHOD = (select(_M.id, _M.company_id, _M.method, _M.last_four, _M.is_active, _M.last_used_at)
                      .where(_M.id == bindparam("method_id")).with_for_update())
# UPDATEs whose SET clause is the parameters given at execution; the row is named by `row_id`.
_UPDATE_PAYMENT = update(_PAYMENTS).where(_P.id == bindparam("row_id"))
_UPDATE_INVOICE = update(_INVOICES).where(_I.id == bindparam("row_id"))
_UPDATE_METHOD = update(_METHODS).where(_M.id == bindparam("row_id"))
_INSERT_PAYMENT = insert(_PAYMENTS)
_INSERT_METHOD = insert(_METHODS)
_INSERT_ACH_AUTH = insert(AchAuthorization.__table__)
_INSERT_SEPA_MANDATE = insert(SepaMandate.__table__)
_INSERT_AUDIT_EVENT = insert(_AUDIT_EVENTS)
_INSERT_OUTBOX_JOB = insert(_OUTBOX)


def _new_id(result: CursorResult[Any]) -> int:
    """The id an INSERT gave its row (SQLAlchemy types `inserted_primary_key` as optional: other statements have
    none)."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the INSERT returned no primary key")
    new_id: int = key[0]
    return new_id


def _insert_rows(conn: Connection, statement: Insert, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (all with the same keys): one plain execute for one row, executemany for more."""
    if len(rows) == 1:
        conn.execute(statement, rows[0])
    elif rows:
        conn.execute(statement, rows)
