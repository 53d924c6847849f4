"""Refunds above an amount need a second user's approval.

The rule is the setting `refunds.approval_threshold_minor` (Admin; 0 = off). A void or refund whose
amount is above it is not sent to the gateway: it is recorded as a pending `RefundApproval`, and another
user with the approve permission approves it (which then performs the void/refund through
`PaymentService.void_or_refund`) or rejects it. The requester can never approve their own request.
Every step is written to the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from payapp.domain.errors import ConflictError, NotFound, PermissionDenied, ValidationError
from payapp.domain.messages import msg
from payapp.domain.money import Money
from payapp.domain.payment_state import PaymentStatus, status_word
from payapp.domain.roles import Permission
from payapp.domain.validation import clean_typed_text
from payapp.models import Payment, Refund, RefundApproval, User
from payapp.models.base import utcnow
from payapp.models.db import Database
from payapp.services import audit
from payapp.services.auth import CurrentUser
from payapp.services.payment_search import REFUNDABLE, VOIDABLE
from payapp.services.settings import SettingsService

if TYPE_CHECKING:
    from payapp.services.payments import PaymentService, RefundResult

THRESHOLD_KEY = "refunds.approval_threshold_minor"


@dataclass(frozen=True)
class ApprovalView:
    id: int
    payment_id: int
    company_name: str
    invoice_number: str
    transaction_id: str
    amount_minor: int
    currency: str
    reason: str
    status: str
    requested_by: int
    requested_by_name: str
    requested_at: dt.datetime
    reopen_invoice: bool = False       # the requester chose to re-open the invoice (else it stays paid)


@dataclass(frozen=True)
class ManageOutcome:
    """What happened to a void/refund request: done at the gateway (`result`), or waiting for approval."""

    result: RefundResult | None = None
    approval: ApprovalView | None = None

    @property
    def needs_approval(self) -> bool:
        return self.approval is not None


class RefundApprovalService:
    def __init__(self, db: Database, payments: PaymentService, settings: SettingsService,
                 current: CurrentUser) -> None:
        self._db = db
        self._payments = payments
        self._settings = settings
        self._current = current

    async def threshold_minor(self) -> int:
        value = await self._settings.get(THRESHOLD_KEY)
        return int(value or 0)

    async def needs_approval(self, amount_minor: int) -> bool:
        threshold = await self.threshold_minor()
        return threshold > 0 and amount_minor > threshold

    async def void_or_refund(self, payment_id: int, amount_minor: int | None = None,
                             reason: str = "", *, reopen_invoice: bool = False) -> ManageOutcome:
        """The one Manage action: void/refund now, or (above the threshold) ask for approval."""
        self._current.require(Permission.MANAGE_PAYMENT)
        async with self._db.sessions() as s:
            p = await s.get(Payment, payment_id)
        if p is None:
            raise NotFound(msg("payment.this_gone"))
        remaining = p.amount_minor - p.refunded_minor
        amount = remaining if amount_minor is None else amount_minor
        if await self.needs_approval(amount):
            return ManageOutcome(approval=await self.request(payment_id, amount, reason,
                                                             reopen_invoice=reopen_invoice))
        return ManageOutcome(result=await self._payments.void_or_refund(payment_id, amount_minor, reason,
                                                                        reopen_invoice=reopen_invoice))

    async def request(self, payment_id: int, amount_minor: int, reason: str = "", *,
                      reopen_invoice: bool = False) -> ApprovalView:
        actor = self._current.require(Permission.MANAGE_PAYMENT)
        reason = clean_typed_text(reason)              # typed: stored, so no NUL and no lone surrogate
        if actor.user_id is None:
            raise PermissionDenied(msg("refund_approval.named_user"))
        async with self._db.transaction(lock=True) as s:
            p = await s.get(Payment, payment_id, with_for_update=True)
            if p is None:
                raise NotFound(msg("payment.this_gone"))
            if p.status not in VOIDABLE | REFUNDABLE:
                raise ConflictError(msg("payment.not_refundable", status=status_word(PaymentStatus(p.status))))
            pending = int(sum((await s.scalars(select(RefundApproval.amount_minor).where(
                RefundApproval.payment_id == payment_id, RefundApproval.status == "pending"))).all()))
            remaining = p.amount_minor - p.refunded_minor - pending
            if amount_minor <= 0 or amount_minor > remaining:
                if pending:
                    raise ValidationError(msg("refund_approval.at_most_waiting",
                                              amount=Money(max(remaining, 0), p.currency)), field="amount")
                raise ValidationError(msg("refund.at_most", amount=Money(max(remaining, 0), p.currency)),
                                      field="amount")
            a = RefundApproval(payment_id=payment_id, amount_minor=amount_minor, reason=reason[:300],
                               status="pending", requested_by=actor.user_id, requested_at=utcnow(),
                               reopen_invoice=bool(reopen_invoice))
            s.add(a)
            await s.flush()
            audit.record(s, actor, "refund.approval_requested", entity_type="payment", entity_id=payment_id,
                         approval_id=a.id, amount_minor=amount_minor, currency=p.currency, reason=reason[:300])
            return await self._view(s, a)

    async def pending(self) -> list[ApprovalView]:
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(RefundApproval).where(RefundApproval.status == "pending")
                                    .order_by(RefundApproval.requested_at, RefundApproval.id))).all()
            return [await self._view(s, a) for a in rows]

    async def approve(self, approval_id: int) -> RefundResult:
        """Approve someone else's request and perform the void/refund."""
        actor = self._current.require(Permission.APPROVE_REFUND)
        async with self._db.transaction(lock=True) as s:
            a = await s.get(RefundApproval, approval_id, with_for_update=True)
            if a is None:
                raise NotFound(msg("refund_approval.gone"))
            if a.status != "pending":
                raise ConflictError(msg("refund_approval.already_decided", status=a.status))
            if actor.user_id is None or actor.user_id == a.requested_by:
                raise PermissionDenied(msg("refund_approval.another_user"))
            a.status = "approved"
            a.decided_by = actor.user_id
            a.decided_at = utcnow()
            payment_id, amount, reason, reopen = a.payment_id, a.amount_minor, a.reason, a.reopen_invoice
            audit.record(s, actor, "refund.approval_approved", entity_type="payment", entity_id=payment_id,
                         approval_id=approval_id, amount_minor=amount)
        try:
            result = await self._payments.void_or_refund(payment_id, amount, reason, reopen_invoice=reopen)
        except Exception as exc:
            await self._finish(approval_id, "pending", None, f"failed: {getattr(exc, 'user_message', exc)}")
            raise
        final = "done" if result.status in ("approved", "unknown", "pending") else "pending"
        await self._finish(approval_id, final, result.refund_id, f"gateway: {result.status}")
        return result

    async def reject(self, approval_id: int, reason: str = "") -> None:
        actor = self._current.require(Permission.APPROVE_REFUND)
        reason = clean_typed_text(reason)
        async with self._db.transaction(lock=True) as s:
            a = await s.get(RefundApproval, approval_id, with_for_update=True)
            if a is None:
                raise NotFound(msg("refund_approval.gone"))
            if a.status != "pending":
                raise ConflictError(msg("refund_approval.already_decided", status=a.status))
            a.status = "rejected"
            a.decided_by = actor.user_id
            a.decided_at = utcnow()
            audit.record(s, actor, "refund.approval_rejected", entity_type="payment", entity_id=a.payment_id,
                         approval_id=approval_id, amount_minor=a.amount_minor, reason=reason[:300])

    async def _finish(self, approval_id: int, status: str, refund_id: int | None, note: str) -> None:
        """After the gateway call: `done` (with the refund), or back to `pending` if nothing was done."""
        actor = self._current.actor
        async with self._db.transaction(lock=True) as s:
            a = await s.get(RefundApproval, approval_id, with_for_update=True)
            if a is None:
                return
            a.status = status
            if refund_id is not None and await s.get(Refund, refund_id) is not None:
                a.refund_id = refund_id
            if status == "pending":
                a.decided_by = None
                a.decided_at = None
            audit.record(s, actor, "refund.approval_" + ("done" if status == "done" else "reopened"),
                         entity_type="payment", entity_id=a.payment_id, approval_id=approval_id, note=note)

    @staticmethod
    async def _view(s: AsyncSession, a: RefundApproval) -> ApprovalView:
        p = await s.get(Payment, a.payment_id)
        u = await s.get(User, a.requested_by)
        assert p is not None
        return ApprovalView(a.id, a.payment_id, p.company_name, p.invoice_number, p.transaction_id, a.amount_minor,
                            p.currency, a.reason, a.status, a.requested_by,
                            (u.display_name or u.username) if u else "", a.requested_at, a.reopen_invoice)
