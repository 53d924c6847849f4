"""Taking, resolving, voiding and refunding payments: the engine that never charges twice.

The rules (docs/architecture.md, "A payment, end to end" and "Payments: the state machine"):

1. Before any call to the gateway, the payment row is committed as `pending` with a unique order id
   (the idempotency key), inside a transaction that locks the invoice row (SQLite: BEGIN IMMEDIATE;
   PostgreSQL: SELECT ... FOR UPDATE). The amount is checked against the invoice balance *minus every
   undecided (pending/unknown) payment of that invoice*, so two workstations paying at once cannot
   overpay.
2. The gateway call carries that order id and is never repeated. Any answer whose outcome cannot be
   known (timeout, dropped connection, HTTP error, unreadable body, response codes 420/421) makes the
   payment `unknown`, and it is resolved only by looking the order id up at the gateway: a few quick tries
   inside `take_payment`, then `reconcile_undecided` (at start-up and periodically) with backoff
   (`next_check_at`). Answers that say nothing was processed are decided at once: a rate limit (301 or
   HTTP 429: "try again shortly"), and a "Duplicate transaction" rejection (the gateway's check of the same
   card or account and amount within its window) once a look-up shows the gateway has nothing under our
   order id. A payment the user confirmed as a deliberate duplicate is sent with `dup_seconds=0`.
   Charges that save a card, and charges of a saved card, carry the stored-credential fields.
3. "No match" rule, on one clock (issue #12.1): each pending row carries a send deadline written from the
   database's clock (PostgreSQL: the server's `clock_timestamp()`; SQLite: its one computer's) plus the
   send window. A workstation never sends after that deadline: a send more than a moment after the insert
   re-checks it on the database first. A look-up that finds no transaction for the order id leaves the
   payment undecided until the deadline is past by `UNMATCHED_GRACE` (a request that reached the gateway
   shows up in its look-ups within seconds); after that, no match means the request never reached the
   gateway: the payment becomes `error` and nothing was charged. A request that certainly never left
   this computer (connection refused / connect timeout) is `error` at once. A failed look-up
   (gateway down, `<error_response>`) is never "no match". Should the gateway approve a payment PayApp
   closed as `error` all the same (a workstation held between its check and its send), the approval is
   recorded, never dropped: approved, `approved_late`, an alert for a person, the invoice balance following;
   reconciliation looks such recently closed payments up again. Voids and refunds follow the same rules.
4. Every decision is recorded in one transaction with everything that follows from it: the invoice's
   paid/balance/status, the saved method, the audit entry and the outbox jobs for accounting and the
   PSA. Recording is idempotent: a payment already decided (by another workstation's reconcile) is
   left as it is.
5. Voids and refunds follow the same pattern, each with its own `Refund` row and order id.

Taking a payment is two short transactions around the gateway call, each one hop to a worker thread (SQLite)
or one run on the async connection (PostgreSQL), written in SQL Core rather than the ORM: the first reads the
settings (is processing active?), locks the invoice and commits the pending row; the second records the
outcome with everything that follows from it. The keyring is not read per payment: the settings service
keeps this workstation's key in memory while its fingerprint is the one the database names.

Outbox job kinds written here (payloads are JSON):
`accounting.push_payment` {"payment_id"}, `psa.mark_invoice_paid` {"invoice_id", "paid_date"},
`accounting.void_payment` {"payment_id"}, `accounting.refund_payment` {"payment_id", "refund_id",
"amount_minor"}, `accounting.reverse_returned_payment` {"payment_id"}. An invoice re-opened by a void,
refund or return does not queue anything for the PSA (Autotask cannot un-pay an invoice through its
API); the invoice view shows it as open again.

The engine is one class, `PaymentService`, put together here from one module per job, each a mixin on `EngineBase`
(base.py: the collaborators, the clocks, the timings and the unit of work). A job builds on the jobs it calls, so
the modules import one another in one direction only (an import contract in pyproject.toml holds them to it):

- values.py: what callers hand the engine and get back (NewCard, PaymentRequest, PaymentResult, RefundResult ...);
- decisions.py: a gateway answer or look-up as a `_Decision`, and the words a person is told about a payment;
- statements.py: the tables and SQL Core statements of the two hot transactions;
- recording.py: the one write path of a payment's decision (`_record`), its consequences and outbox job rows;
- refunds.py: voids and refunds, each with its `Refund` row, recorded and resolved the same way;
- reconciliation.py: looking undecided payments, voids and refunds up at the gateway; flagging failed checks;
- settlement.py: settlement and returns of approved payments;
- preparing.py: checking a payment method and turning it into what the gateway adapter sends;
- hosted.py: payments on the gateway's own page (start, the payer's return, cancel);
- taking.py: `take_payment`, the two transactions around the one gateway call;
- views.py: an invoice's payments and a company's saved methods.
"""

from __future__ import annotations

from payapp.services.payments.base import (
    FAST_SEND,
    QUICK_LOOKUP_DELAYS,
    RECHECK_BACKOFF,
    SEND_WINDOW,
    UNMATCHED_GRACE,
    Checkpoint,
)
from payapp.services.payments.decisions import RATE_LIMITED_TEXT
from payapp.services.payments.hosted import HOSTED_WINDOW
from payapp.services.payments.reconciliation import LATE_APPROVAL_WATCH, LATE_APPROVAL_WATCH_PERIODIC
from payapp.services.payments.recording import APPROVED_LATE_ALERT
from payapp.services.payments.refunds import REFUND_CLOCK_SLACK, REFUND_UNDECIDED
from payapp.services.payments.settlement import RETURN_WATCH, Settlement
from payapp.services.payments.taking import DUPLICATE_STATUSES, DUPLICATE_WINDOW, TakingPayments
from payapp.services.payments.values import (
    BANK_DEBITS,
    GATEWAY_MINIMUM_MAJOR,
    METHOD_LABELS,
    RETURNABLE,
    SOURCES,
    DuplicateWarning,
    HostedMethod,
    NewBankAccount,
    NewCard,
    NewSepaAccount,
    PaymentMethod,
    PaymentRequest,
    PaymentResult,
    PaymentView,
    RefundResult,
    SavedMethodRef,
    SettlementReport,
    TokenizedPayment,
    gateway_minimum_minor,
)
from payapp.services.payments.views import Views
from payapp.services.saved_methods import SavedMethodView

__all__ = [
    "APPROVED_LATE_ALERT",
    "BANK_DEBITS",
    "DUPLICATE_STATUSES",
    "DUPLICATE_WINDOW",
    "FAST_SEND",
    "GATEWAY_MINIMUM_MAJOR",
    "HOSTED_WINDOW",
    "LATE_APPROVAL_WATCH",
    "LATE_APPROVAL_WATCH_PERIODIC",
    "METHOD_LABELS",
    "QUICK_LOOKUP_DELAYS",
    "RATE_LIMITED_TEXT",
    "RECHECK_BACKOFF",
    "REFUND_CLOCK_SLACK",
    "REFUND_UNDECIDED",
    "RETURNABLE",
    "RETURN_WATCH",
    "SEND_WINDOW",
    "SOURCES",
    "UNMATCHED_GRACE",
    "Checkpoint",
    "DuplicateWarning",
    "HostedMethod",
    "NewBankAccount",
    "NewCard",
    "NewSepaAccount",
    "PaymentMethod",
    "PaymentRequest",
    "PaymentResult",
    "PaymentService",
    "PaymentView",
    "RefundResult",
    "SavedMethodRef",
    "SavedMethodView",
    "SettlementReport",
    "TokenizedPayment",
    "gateway_minimum_minor",
]


class PaymentService(TakingPayments, Settlement, Views):
    """Takes, resolves, voids and refunds payments (the rules: this package's docstring). Each job lives in its
    module, named there; this class puts them together on the state they share (`EngineBase.__init__`)."""
