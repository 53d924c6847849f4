"""Export the rows of a payment filter to CSV or XLSX, streamed.

Formats (both the same columns, in this order; one header row):

    payment_id, date_utc, company, invoice, method, brand, last_four, currency,
    sale_amount, applied, refunded, status, transaction_id, order_id, user, source,
    accounting_sync, psa_sync

- Money is a plain decimal string in the currency's minor digits with a dot and no grouping or
  symbol ("1234.56", "-5.00", JPY "1234"); the `currency` column holds the ISO 4217 code. In XLSX the
  money cells are these same strings (text), so no spreadsheet float rounding can change them.
- Dates are UTC in ISO 8601 form `YYYY-MM-DD HH:MM:SS` (no zone suffix; the column name says UTC).
- Card/account numbers are never exported: only the brand and last four digits.
- CSV is UTF-8 (no BOM), comma-separated, `\\r\\n` line ends (Python's csv "excel" dialect).
- XLSX is written with openpyxl in write-only mode (one sheet named "Payments").

The rows are fetched in keyset pages, each read and turned into rows in a worker thread
(`Database.read`), and each page is written to the file in a worker thread (`asyncio.to_thread`): the
event loop only hands pages on, so the GUI never stalls (bench/payment_search.py: longest stall during
100,000 rows ~10 ms; the garbage collector's full passes were the rest, see payapp.gui's
freeze_startup_objects).

The rows go to `<name>.part` beside the chosen file, which replaces the chosen file only when every row is
written: cancelling (between pages) or a failure removes the partial file and leaves a file that was
already there as it was."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from payapp.domain.money import Money
from payapp.services.payment_search import PaymentQuery, PaymentRow, PaymentSearchService

HEADER = ("payment_id", "date_utc", "company", "invoice", "method", "brand", "last_four", "currency",
          "sale_amount", "applied", "refunded", "status", "transaction_id", "order_id", "user", "source",
          "accounting_sync", "psa_sync")
FORMATS = ("csv", "xlsx")


def money_text(minor: int, currency: str) -> str:
    return Money(minor, currency).wire()


def date_text(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def export_row(r: PaymentRow) -> tuple[Any, ...]:
    return (r.id, date_text(r.created_at), r.company_name, r.invoice_number, r.method, r.brand, r.last_four,
            r.currency, money_text(r.amount_minor, r.currency), money_text(r.applied_minor, r.currency),
            money_text(r.refunded_minor, r.currency), r.status, r.transaction_id, r.order_id, r.created_by_name,
            r.source, r.accounting_sync_state, r.psa_sync_state)


class _Writer(Protocol):
    def write(self, rows: list[tuple[Any, ...]]) -> None: ...
    def close(self) -> None: ...
    def discard(self) -> None: ...


class _CsvWriter:
    def __init__(self, path: Path) -> None:
        self._f = path.open("w", newline="", encoding="utf-8")
        self._w = csv.writer(self._f)
        self._w.writerow(HEADER)

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        self._w.writerows(rows)

    def close(self) -> None:
        self._f.close()

    discard = close                  # the .part file it wrote is removed by the caller


class _XlsxWriter:
    def __init__(self, path: Path) -> None:
        from openpyxl import Workbook

        self._path = path
        self._wb = Workbook(write_only=True)
        self._ws = self._wb.create_sheet("Payments")
        self._ws.append(list(HEADER))

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        for row in rows:
            self._ws.append(list(row))

    def close(self) -> None:
        self._wb.save(str(self._path))

    def discard(self) -> None:
        """Finish the sheet's temporary file and remove it: openpyxl would leave it until the app exits, and
        its half-written sheet fails when the garbage collector closes it."""
        self._ws.close()
        writer = getattr(self._ws, "_writer", None)
        if writer is not None:
            writer.cleanup()


def _open(fmt: str, path: Path) -> _Writer:
    if fmt == "csv":
        return _CsvWriter(path)
    if fmt == "xlsx":
        return _XlsxWriter(path)
    raise ValueError(f"unknown export format {fmt!r}")


async def export_payments(search: PaymentSearchService, query: PaymentQuery, path: Path, fmt: str, *,
                          total: int | None = None, page_size: int = 1000,
                          on_progress: Callable[[int, int], None] | None = None) -> int:
    """Write every row of `query` to `path`; returns the number of rows. `on_progress(done, total)` after
    each page (total is -1 when unknown). Cancel the task to stop; the partial file is removed."""
    part = partial_path(path)
    writer = await asyncio.to_thread(_open, fmt, part)
    done = 0
    ok = False
    try:
        async for rows in search.iter_pages(query, page_size):
            await asyncio.to_thread(_write_page, writer, rows)
            done += len(rows)
            if on_progress is not None:
                on_progress(done, -1 if total is None else total)
        await asyncio.to_thread(_finish, writer, part, path)
        ok = True
    finally:
        if not ok:
            with contextlib.suppress(Exception):
                await asyncio.shield(asyncio.to_thread(_discard, writer, part))
    return done


def partial_path(path: Path) -> Path:
    """Where an export is written until it is complete."""
    return path.with_name(path.name + ".part")


def _finish(writer: _Writer, part: Path, path: Path) -> None:
    writer.close()
    os.replace(part, path)


def _write_page(writer: _Writer, rows: list[PaymentRow]) -> None:
    writer.write([export_row(r) for r in rows])


def _discard(writer: _Writer, part: Path) -> None:
    with contextlib.suppress(Exception):
        writer.discard()
    part.unlink(missing_ok=True)
