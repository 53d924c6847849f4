"""Taking a payment: two short transactions around the one gateway call. The first reads the settings, locks the
invoice, checks the amount against the balance minus every undecided payment (and the same amount paid lately:
`DuplicateWarning`) and commits the pending row; the second (`Recording._record`) records the answer. A send that
comes too late is refused on the database's clock; an unknown answer gets a few quick look-ups."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
import time
import uuid
from dataclasses import replace

from sqlalchemy import Connection, select

from payapp.connectors.gateways.port import GatewayAnswer, LookupFailed, PaymentGateway, SepaAccount, StoredCredential
from payapp.domain import ach, sepa
from payapp.domain.card_checks import cvv_mismatch
from payapp.domain.errors import ConflictError, NotFound, PayAppError, PermissionDenied, ValidationError
from payapp.domain.gateways import GatewaySpec
from payapp.domain.messages import Message, msg, to_stored
from payapp.domain.money import Money
from payapp.domain.payment_state import UNDECIDED, InvoiceStatus, PaymentStatus
from payapp.domain.roles import Permission, Role
from payapp.domain.validation import clean_typed_text
from payapp.models import Payment
from payapp.services.auth import Actor
from payapp.services.payments.base import _LOG, FAST_SEND, _GatewaySet
from payapp.services.payments.decisions import _Decision, _decision, _sale_decision
from payapp.services.payments.hosted import HOSTED_WINDOW, HostedSteps
from payapp.services.payments.preparing import MethodPreparation, _Opened, _Prepared
from payapp.services.payments.statements import (
    _CONTACT_COMPANY,
    _INSERT_ACH_AUTH,
    _INSERT_METHOD,
    _INSERT_METHOD_OWNER,
    _INSERT_PAYMENT,
    _INSERT_SEPA_MANDATE,
    _LOCK_INVOICE,
    _LOCK_INVOICE_AT,
    _METHOD_OWNER,
    _P,
    _RECENT_PAYMENTS,
    _SAVED_METHOD,
    _UPDATE_PAYMENT,
    _new_id,
)
from payapp.services.payments.values import (
    METHOD_LABELS,
    SOURCES,
    DuplicateWarning,
    HostedMethod,
    PaymentRequest,
    PaymentResult,
    RefundResult,
    SavedMethodRef,
    TokenizedPayment,
    gateway_minimum_minor,
)
from payapp.services.settings import (
    REFUSE_CVV_KEY,
    LocalKey,
    current_gateway,
    evaluate_processing,
    primary_fingerprint,
)

S = PaymentStatus

DUPLICATE_WINDOW = dt.timedelta(hours=24)
DUPLICATE_STATUSES = (S.APPROVED, S.SETTLED, S.PENDING, S.UNKNOWN, S.PARTIALLY_REFUNDED)


class _StaleKey(Exception):
    """The cached gateway key does not match the database's fingerprint (or is another gateway's): read the
    keyring for `gateway` and try again."""

    def __init__(self, gateway: GatewaySpec) -> None:
        super().__init__(gateway.name)
        self.gateway = gateway


class TakingPayments(HostedSteps, MethodPreparation):
    """`take_payment`: the method is prepared, the pending row opened, the payment sent once and the answer
    recorded; a hosted method goes on to `HostedSteps`, a refused CVV is voided through `Refunds`."""

    async def take_payment(self, request: PaymentRequest, *, confirm_duplicate: bool = False) -> PaymentResult:
        actor = self._current.require(Permission.TAKE_PAYMENT)
        if request.source not in SOURCES:
            raise ValidationError(msg("payment.unknown_source"), field="source")
        portal = request.source == "client_portal"
        if actor.role == Role.PORTAL and not portal:
            raise PermissionDenied(msg("payment.portal_source_only"))
        if portal and not isinstance(request.method, TokenizedPayment | SavedMethodRef | HostedMethod):
            # card and bank numbers never reach PayApp's server from the portal: the gateway's Collect.js takes them
            raise ValidationError(msg("payment.portal_tokenized_only"), field="method")
        if isinstance(request.method, HostedMethod):
            await self._close_unfinished_hosted(request.invoice_id)
        # Card/account checks need no database; their verdict is given in its usual place below (after
        # "is processing active?"), so the answer to a bad request does not depend on where it was found.
        prepared: _Prepared | None = None
        invalid: ValidationError | None = None
        try:
            prepared = self._prepare(request.method, portal=portal)
        except ValidationError as exc:
            invalid = exc
        local_keys = self._settings.local_key
        cached = local_keys.peek()
        key = cached if cached is not None else await local_keys.read()
        now = self._now()

        def open_payment(conn: Connection, key: LocalKey, key_is_fresh: bool) -> _Opened:
            # Settings are read here, in the payment's transaction, once per payment: processing status,
            # currency, payment types and the gateway address all come from this one read. On PostgreSQL the
            # invoice's lock comes first and brings the server's clock and the settings' version along (settings
            # unchanged since this process last read them are not read again: one round trip fewer).
            locked = None if self._db.is_sqlite else conn.execute(
                _LOCK_INVOICE_AT, {"invoice_id": request.invoice_id}).first()
            values = self._settings_snapshot.read(conn, locked.settings_version if locked is not None else None)
            spec = current_gateway(values)
            if spec is not None and (key.name != spec.primary.name or set(key.extras) != set(spec.server_extras)):
                raise _StaleKey(spec)            # another gateway's key is cached: read this one's
            status = evaluate_processing(values, key.fingerprint)
            if not status.active:
                stored = primary_fingerprint(values, spec)
                if spec is not None and stored and stored != key.fingerprint and not key_is_fresh:
                    raise _StaleKey(spec)
                raise PayAppError(status.reason_message or status.reason)
            if not isinstance(request.amount_minor, int) or request.amount_minor <= 0:
                raise ValidationError(msg("payment.amount_above_zero"), field="amount")
            minimum = gateway_minimum_minor(status.currency)
            if request.amount_minor < minimum:
                raise ValidationError(msg("payment.gateway_minimum", minimum=Money(minimum, status.currency)),
                                      field="amount")
            if invalid is not None:
                raise invalid
            assert prepared is not None
            gateway = self._gateways.build(values, key)
            inv = conn.execute(_LOCK_INVOICE, {"invoice_id": request.invoice_id}).first() if locked is None else locked
            if inv is None:
                raise NotFound(msg("invoice.this_gone"))
            if inv.is_voided or inv.status == InvoiceStatus.VOIDED:
                raise ConflictError(msg("payment.invoice_voided"))
            if inv.currency != status.currency:
                raise ValidationError(msg("payment.invoice_currency", invoice_currency=inv.currency,
                                          currency=status.currency), field="amount")
            if request.contact_id is not None:
                contact_company = conn.execute(_CONTACT_COMPANY, {"contact_id": request.contact_id}).scalar()
                if contact_company != inv.company_id:
                    raise ValidationError(msg("payment.contact_other_company"), field="contact")
            saved = None
            kind, vault_id, initial_transaction_id = prepared.kind, "", ""
            if isinstance(request.method, SavedMethodRef):
                saved = conn.execute(_SAVED_METHOD, {"method_id": request.method.saved_method_id}).first()
                if saved is None or not saved.is_active:
                    raise NotFound(msg("payment.saved_method_deleted"))
                if saved.company_id != inv.company_id:
                    raise ValidationError(msg("payment.saved_method_other_company"), field="method")
                if saved.gateway != gateway.name:
                    # its token lives in another gateway's vault: the chosen gateway cannot charge it
                    raise ValidationError(msg("payment.saved_method_other_gateway"), field="method")
                if portal:
                    owner = conn.execute(_METHOD_OWNER, {"method_id": saved.id}).scalar()
                    if owner is not None and owner != request.portal_user_id:
                        raise ValidationError(msg("payment.saved_method_other_company"), field="method")
                kind, vault_id = saved.method, saved.vault_id
                initial_transaction_id = saved.initial_transaction_id or ""
            # the payment type's own words (payapp/domain/gateways.py labels), a kind without them as it is
            label: Message | str = msg(f"payment_type.{kind}") if kind in METHOD_LABELS else kind
            if portal:
                # the payment types Admin enables for the client portal (payment_types.portal.*)
                if kind not in status.portal:
                    raise PayAppError(msg("payment.type_not_in_portal", payment_type=label))
            elif kind not in status.back_office:
                raise PayAppError(msg("payment.type_not_enabled", payment_type=label))
            consent = clean_typed_text(getattr(request.method, "authorization_text", "") or "").strip()
            if kind == "echeck" and not consent:
                raise ValidationError(msg("payment.ach_consent"), field="authorization")
            if kind == "sepa":
                consent = clean_typed_text(getattr(request.method, "mandate_text", "") or "").strip()
                if not consent:
                    raise ValidationError(msg("payment.sepa_mandate_consent"), field="mandate")
            recent = conn.execute(_RECENT_PAYMENTS, {"invoice_id": inv.id, "since": now - DUPLICATE_WINDOW}).all()
            reserved = sum(r.amount_minor for r in recent if r.status in UNDECIDED)
            available = inv.balance_minor - reserved
            if request.amount_minor > available:
                balance = Money(max(available, 0), inv.currency)
                raise ValidationError(msg("payment.more_than_balance_held", balance=balance) if reserved
                                      else msg("payment.more_than_balance", balance=balance), field="amount")
            if not confirm_duplicate:
                dup = next((r for r in recent if r.amount_minor == request.amount_minor
                            and r.status in DUPLICATE_STATUSES and r.created_at >= now - DUPLICATE_WINDOW), None)
                if dup is not None:
                    # a client on the portal is not told which member of staff took the other payment
                    paid = Money(request.amount_minor, inv.currency)
                    # the time as the check compares it (UTC, to the minute), not in the reader's date format
                    at = f"{dup.created_at:%Y-%m-%d %H:%M}"
                    raise DuplicateWarning(
                        msg("payment.already_paid_by", amount=paid, invoice=inv.invoice_number,
                            user=dup.created_by_name, time=at) if dup.created_by_name and not portal
                        else msg("payment.already_paid", amount=paid, invoice=inv.invoice_number, time=at),
                        previous_payment_id=dup.id, previous_at=dup.created_at)
            save_as: str | None = None
            saved_method_id = saved.id if saved is not None else None
            if request.save_method and saved is None:
                # The vault id is ours, so a crash between the gateway's answer and our record still
                # knows which vault entry to activate. Inactive (invisible) until the charge is approved.
                save_as = f"pa{secrets.token_hex(10)}"
                saved_method_id = _new_id(conn.execute(_INSERT_METHOD, {
                    "company_id": inv.company_id, "contact_id": request.contact_id, "gateway": gateway.name,
                    "vault_id": save_as, "method": kind, "brand": prepared.brand, "last_four": prepared.last_four,
                    "expiry": prepared.expiry, "account_type": prepared.account_type,
                    "account_holder_type": prepared.holder_type, "holder_name": prepared.holder_name[:200],
                    "is_active": False, "created_at": now}))
                if portal and request.portal_user_id is not None:
                    conn.execute(_INSERT_METHOD_OWNER, {"saved_method_id": saved_method_id,
                                                        "contact_id": request.portal_user_id})
            order_id = f"pa{inv.id}-{uuid.uuid4().hex[:24]}"
            shown = saved if saved is not None else prepared
            started_mono, started_wall = time.monotonic(), time.time()
            hosted = isinstance(request.method, HostedMethod)
            deadline = self._db_now(conn, inv) + (HOSTED_WINDOW if hosted else self._send_window)
            payment_id = _new_id(conn.execute(_INSERT_PAYMENT, {
                "order_id": order_id, "invoice_id": inv.id, "company_id": inv.company_id,
                "company_name": inv.company_name, "invoice_number": inv.invoice_number, "gateway": gateway.name,
                "amount_minor": request.amount_minor, "currency": inv.currency, "method": kind,
                "brand": shown.brand, "last_four": shown.last_four, "expiry": shown.expiry,
                "account_type": shown.account_type, "saved_method_id": saved_method_id,
                "contact_id": request.contact_id, "source": request.source, "status": S.PENDING.value,
                "created_by": actor.user_id,
                "created_by_name": (actor.display_name or actor.username)[:100], "created_at": now,
                "send_deadline": deadline,
            }))
            sec = ""
            if kind == "echeck":
                holder_type = saved.account_holder_type if saved is not None else prepared.holder_type
                who = (saved.holder_name if saved is not None else prepared.holder_name) or inv.company_name
                # the client authorised the debit on the portal: WEB (a business account: CCD); staff took it with
                # the customer: PPD/CCD
                sec = ach.sec_code(holder_type or "business", online=portal)
                conn.execute(_INSERT_ACH_AUTH, {
                    "payment_id": payment_id, "sec_code": sec,
                    "authorized_by": who[:200], "authorized_at": now,
                    "wording_version": (getattr(request.method, "wording_version", "") or ach.WORDING_VERSION)[:40],
                    "wording_text": consent, "wording_hash": ach.wording_hash(consent),
                    "recorded_by_name": (actor.display_name or actor.username)[:100],
                    "retain_until": ach.retain_until(now)})
            mandate: SepaAccount | None = None
            if kind == "sepa" and isinstance(prepared.payment, SepaAccount):
                # unique per payment (the creditor's reference of this one-off mandate)
                reference = (getattr(request.method, "mandate_reference", "")
                             or f"PA{payment_id}-{uuid.uuid4().hex[:16].upper()}")
                mandate = replace(prepared.payment, mandate_reference=reference, mandate_date=now.date(),
                                  mandate_text=consent)
                conn.execute(_INSERT_SEPA_MANDATE, {
                    "payment_id": payment_id, "mandate_reference": reference, "mandate_date": now.date(),
                    "authorized_by": prepared.holder_name[:200], "authorized_at": now,
                    "iban_country": mandate.iban[:2], "iban_last_four": mandate.iban[-4:],
                    "wording_version": (getattr(request.method, "wording_version", "") or sepa.WORDING_VERSION)[:40],
                    "wording_text": consent, "wording_hash": sepa.wording_hash(consent),
                    "recorded_by_name": (actor.display_name or actor.username)[:100],
                    "retain_until": sepa.retain_until(now)})
            return _Opened(payment_id, order_id, inv.currency, inv.invoice_number, gateway, save_as, vault_id,
                           started_mono, started_wall, bool(values.get(REFUSE_CVV_KEY)), kind,
                           initial_transaction_id, sec, mandate)

        try:
            opened = await self._uow.run(lambda conn: open_payment(conn, key, cached is None))
        except _StaleKey as stale:
            # keys saved or replaced since the cache was filled, or another gateway chosen: ask the keyring (off the
            # loop), once
            key = await local_keys.read(stale.gateway.primary.name, stale.gateway.server_extras)
            opened = await self._uow.run(lambda conn: open_payment(conn, key, True))
        assert prepared is not None
        gateway, payment_id, order_id = opened.gateway, opened.payment_id, opened.order_id
        await self._point("pending_committed")
        # Never send a pending payment past its deadline: another workstation's reconciliation may already have
        # closed it as "never reached the gateway" (issue #12.1).
        elapsed = max(time.monotonic() - opened.started_mono, time.time() - opened.started_wall)
        if elapsed >= min(FAST_SEND, self._send_window.total_seconds() / 2) and not await self._claim_send(payment_id):
            result = await self._record(payment_id, _Decision("error", message=msg("payment_result.held_up")), actor)
            await self._point("decision_recorded")
            return result
        await self._point("send_checked")

        amount = Money(request.amount_minor, opened.currency)
        if isinstance(request.method, HostedMethod):
            return await self._start_hosted(opened, request.method, amount, actor)
        # A payment the user confirmed as a deliberate second one of the same amount must not be refused by the
        # gateway's own duplicate check (same card or account and amount within its window).
        if prepared.kind == "saved":
            # card on file, the customer paying now: `used` with the charge that saved it
            stored = StoredCredential("used", "customer", opened.initial_transaction_id) \
                if opened.kind == "card" and opened.initial_transaction_id else None
            response = await gateway.charge_saved(order_id=order_id, amount=amount, vault_id=opened.vault_id,
                                                  allow_duplicate=confirm_duplicate, stored_credential=stored,
                                                  sec_code=opened.sec_code if portal else "")
        else:
            assert prepared.payment is not None
            stored = StoredCredential("stored", "customer") if opened.save_as is not None and \
                prepared.kind == "card" else None
            response = await gateway.charge(order_id=order_id, amount=amount,
                                            payment=opened.sepa_mandate or prepared.payment, billing=prepared.billing,
                                            save_as=opened.save_as,
                                            description=f"Invoice {opened.invoice_number}"[:255],
                                            allow_duplicate=confirm_duplicate, stored_credential=stored)
        await self._point("gateway_answered")

        if response.outcome == "unknown" and not response.sent:
            result = await self._record(payment_id, _Decision(
                "error", message=msg("payment_result.unreachable")), actor)
        elif response.duplicate:
            result = await self._record(payment_id, await self._duplicate_decision(gateway, order_id, response),
                                        actor)
        else:
            result = await self._record(payment_id, _decision(response), actor)
            for delay in self._lookup_delays if result.status == S.UNKNOWN else ():
                await asyncio.sleep(delay)
                resolved = await self._resolve_payment(_GatewaySet(self._gateways, gateway), payment_id, actor,
                                                       final=False)
                if resolved is not None and resolved.status != S.UNKNOWN:
                    result = resolved
                    break
        await self._point("decision_recorded")
        if (result.approved and opened.refuse_cvv_mismatch and (prepared.kind == "card" or (
                prepared.kind == "saved" and response.cvv)) and cvv_mismatch(response.cvv)):
            result = await self._refuse_cvv_mismatch(result, actor)
        return result

    @staticmethod
    async def _duplicate_decision(gateway: PaymentGateway, order_id: str, response: GatewayAnswer) -> _Decision:
        """The gateway's duplicate check refused the sale. If the gateway knows nothing under our order id, an
        earlier payment of the same card/account and amount made it refuse this one: nothing was charged, and
        the user is told so now. A failed look-up leaves it unknown (resolved later by order id)."""
        try:
            txs = await gateway.find_order(order_id)
        except LookupFailed:
            return _Decision("unknown", message=response.message)
        found = _sale_decision(txs)
        if found is not None:
            return found
        if txs:
            return _Decision("unknown", message=response.message)
        return _Decision("error", response.transaction_id, "", response.response_code, response.message,
                         duplicate=True)

    async def _refuse_cvv_mismatch(self, result: PaymentResult, actor: Actor) -> PaymentResult:
        """Admin › Payment Processing refuses card payments whose CVV does not match: void the approved charge
        at once, so nothing stays charged, and say why."""
        amount = Money(result.amount_minor, result.currency)
        void: RefundResult | None
        why: str | Message
        try:
            # the void's reason is kept (Refund.reason, the audit) as data: read in the reader's language
            void = await self._void_or_refund(actor, {"kind": "void", "amount_minor": None}, result.payment_id,
                                              None, to_stored(msg("refund_reason.cvv_mismatch"), limit=300),
                                              reopen_invoice=True)
        except PayAppError as exc:
            void = None
            why = exc.message or exc.user_message
        else:
            why = void.message
        if void is not None and void.approved:
            return replace(result, status=S.VOIDED.value, message=msg("payment_result.cvv_voided", amount=amount))
        text = msg("payment_result.cvv_not_voided", amount=amount, reason=why)
        try:
            async with self._db.transaction(lock=True) as s:
                p = await s.get(Payment, result.payment_id, with_for_update=True)
                if p is not None:
                    p.attention = to_stored(text, limit=300)
        except Exception:  # the banner still says it
            _LOG.exception("could not flag payment %s", result.payment_id)
        return replace(result, message=text)

    async def _claim_send(self, payment_id: int) -> bool:
        """Right before a late send: True (and `sent_at` written) while the payment is still pending and its
        deadline, on the database's clock, has not passed."""

        def work(conn: Connection) -> bool:
            row = conn.execute(select(_P.status, _P.send_deadline).where(_P.id == payment_id)
                               .with_for_update()).first()
            if row is None or row.status != S.PENDING:
                return False
            now = self._db_now(conn)
            if row.send_deadline is not None and now > row.send_deadline:
                return False
            conn.execute(_UPDATE_PAYMENT, {"row_id": payment_id, "sent_at": now})
            return True

        return await self._uow.run(work)
