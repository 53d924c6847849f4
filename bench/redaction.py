"""Benchmark: redact() per log line (every handler runs it on every record).

    .venv/bin/python bench/redaction.py [--lines 20000] [--secrets 12]

Log lines like the app writes (payment and sync messages, httpx request lines, SQL debug lines with their
parameters, traceback lines) with a share of lines that hold a card number, a key, a token or an account number,
and `--secrets` values registered as known secrets (the keys and tokens the secret store hands out). Each line
is redacted 5 times and its fastest time kept; prints JSON: median, p95, p99 and max microseconds per line, the
same for the lines without any secret, and lines per second."""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from payapp.domain.redaction import forget_secrets, redact, register_secret

PLAIN = (
    "2026-12-03 06:31:20,548 INFO payapp.services.payments: payment {n} approved: transaction {t}, order demo-{n}-{m}",
    "2026-12-03 06:31:20,548 INFO httpx: HTTP Request: POST http://127.0.0.1:8765/api/transact.php \"HTTP/1.1 200 OK\"",
    "2026-12-03 06:31:20,549 INFO payapp.services.sync: Autotask page {n}: {m} invoices, {t} companies",
    "2026-12-03 06:31:20,550 DEBUG aiosqlite: executing functools.partial(<built-in method execute of sqlite3.Cursor "
    "object at 0x7fd91edb2ac0>, 'SELECT settings.\"key\", settings.value FROM settings WHERE settings.\"key\" = ?', "
    "('payment_types.back_office.card',))",
    "2026-12-03 06:31:20,551 WARNING payapp.services.outbox: QuickBooks job {n} retried in {m} s (HTTP 429)",
    '  File "/opt/payapp/lib/python3.11/site-packages/payapp/services/payments.py", line {n}, in take_payment',
    "2026-12-03 06:31:20,552 INFO payapp.services.payment_search: export of {t} rows took {m} ms",
)
SECRET = (
    "2026-12-03 06:31:20,553 ERROR payapp.payments: gateway refused ccnumber=4111111111111111&cvv=999&amount=10.00",
    "2026-12-03 06:31:20,553 WARNING payapp.test: debit from account 24413815, cvv 999, card 4111.1111.1111.1111",
    "2026-12-03 06:31:20,554 ERROR payapp.sync: header Authorization: Bearer {token}",
    "2026-12-03 06:31:20,554 ERROR payapp.sync: refresh token {qr} rotated",
    "2026-12-03 06:31:20,555 ERROR payapp.gateway: key demo-sandbox-security-key-6457Hq2A refused",
    "2026-12-03 06:31:20,555 ERROR payapp.connections: login with {known}",
)


def _lines(count: int, known: list[str], rng: random.Random) -> list[tuple[str, bool]]:
    out = []
    for _ in range(count):
        secret = rng.random() < 0.1
        template = rng.choice(SECRET if secret else PLAIN)
        out.append((template.format(n=rng.randint(1, 99999), m=rng.randint(1, 999), t=rng.randint(10**9, 10**10),
                                    token=secrets.token_urlsafe(32), qr="qr-" + secrets.token_urlsafe(24),
                                    known=rng.choice(known)), secret))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--secrets", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(12)
    forget_secrets()
    known = [f"known-{secrets.token_urlsafe(18)}" for _ in range(max(args.secrets, 1))]
    for value in known:
        register_secret(value)
    lines = _lines(args.lines, known, rng)
    times: list[float] = []
    plain: list[float] = []
    start = time.perf_counter()
    for line, has_secret in lines:
        best = float("inf")
        for _ in range(5):
            t0 = time.perf_counter()
            redacted = redact(line)
            best = min(best, time.perf_counter() - t0)
        times.append(best * 1e6)
        if not has_secret:
            plain.append(best * 1e6)
        elif any(k in redacted for k in known):
            raise SystemExit(f"a known secret survived: {redacted}")
    elapsed = time.perf_counter() - start
    forget_secrets()

    def q(values: list[float], p: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(p) - 1], 2)

    print(json.dumps({
        "lines": len(lines), "known_secrets": len(known),
        "median_us_per_line": round(statistics.median(times), 2), "p95_us": q(times, 95), "p99_us": q(times, 99),
        "max_us": round(max(times), 2),
        "median_us_per_line_without_secret": round(statistics.median(plain), 2),
        "lines_per_second": round(len(lines) * 5 / elapsed),
    }))


if __name__ == "__main__":
    main()
