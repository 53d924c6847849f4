"""Running totals of whole tables, kept by database triggers (migration 0006_totals), summed at read.

Invoice History's status line with no filter (count and balance of every invoice) and Payment Search's
totals with no filter (count and sums per currency of every payment) read these few rows instead of
aggregating a million invoices or two million payments (0.4-2 s; bench/invoice_history.py and
bench/payment_search.py).

The triggers add each write's difference to a shard row in the same transaction as the write, so the sum
of a table's shards equals the exact aggregate in every snapshot. On PostgreSQL each writing transaction
claims a shard no other open transaction holds (a transaction-level advisory lock, trying the backend pid
modulo `TOTALS_SHARDS` first; statement-level triggers with transition tables, one upsert per statement and
currency): concurrent payments update different rows, so no row serialises them and no two of them can
deadlock on the totals. A write that changes none of the summed columns (a sync state, a
status) touches no shard. SQLite has one writer at a time anyway and keeps shard 0 only.

Nothing in Python writes these tables; services only read them (services/invoices.py,
services/payment_search.py)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from payapp.models.base import Base

#: PostgreSQL: shard rows per table (and currency). The migration's trigger functions use the same number.
TOTALS_SHARDS = 64


class InvoiceTotalsShard(Base):
    """One shard of (number of invoices, sum of balance_minor) over the whole invoices table."""

    __tablename__ = "invoice_totals"
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    invoice_count: Mapped[int] = mapped_column(BigInteger)
    balance_minor: Mapped[int] = mapped_column(BigInteger)


class PaymentTotalsShard(Base):
    """One shard of (count, amount, applied, refunded) of the payments in one currency."""

    __tablename__ = "payment_totals"
    shard: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    payment_count: Mapped[int] = mapped_column(BigInteger)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    applied_minor: Mapped[int] = mapped_column(BigInteger)
    refunded_minor: Mapped[int] = mapped_column(BigInteger)
