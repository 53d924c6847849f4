"""Read views: the payments of an invoice, and a company's saved methods (kept by services/saved_methods.py)."""

from __future__ import annotations

from sqlalchemy import select

from payapp.domain.roles import Permission
from payapp.models import Payment
from payapp.services.payments.base import EngineBase
from payapp.services.payments.values import PaymentView
from payapp.services.saved_methods import SavedMethodService, SavedMethodView


class Views(EngineBase):
    """What the invoice views and the portal list."""

    async def saved_methods(self, company_id: int) -> list[SavedMethodView]:
        """The company's saved methods (services/saved_methods.py keeps them: list, rename, expiry, delete)."""
        return await SavedMethodService(self._db, self._gateways, self._current, clock=self._clock).list(company_id)

    async def delete_saved_method(self, saved_method_id: int) -> None:
        await SavedMethodService(self._db, self._gateways, self._current, clock=self._clock).delete(saved_method_id)

    async def payments_for_invoice(self, invoice_id: int) -> list[PaymentView]:
        self._current.require(Permission.VIEW)
        async with self._db.sessions() as s:
            rows = (await s.scalars(select(Payment).where(Payment.invoice_id == invoice_id)
                                    .order_by(Payment.created_at.desc(), Payment.id.desc()))).all()
        return [PaymentView(p.id, p.order_id, p.invoice_id, p.status, p.amount_minor, p.refunded_minor, p.currency,
                            p.method, p.brand, p.last_four, p.transaction_id, p.response_text, p.created_at,
                            p.created_by_name, p.decided_at, p.settled_at, p.accounting_sync_state)
                for p in rows]
