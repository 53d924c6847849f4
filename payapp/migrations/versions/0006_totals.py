"""running totals of invoices and payments, kept by triggers (models/totals.py)

- invoice_totals(shard): number of invoices and sum of their balances;
- payment_totals(shard, currency): number of payments and sums of amount, applied and refunded.

Triggers add every INSERT, UPDATE and DELETE's difference in the writing transaction; the readers sum the
shards. PostgreSQL: statement-level triggers with transition tables (one upsert per statement, and none when
the summed columns did not change) into a shard the writing transaction has claimed for itself (an
advisory transaction lock, first try the backend pid modulo 64), so concurrent writers never update the
same row: no waiting, and no deadlock between the two totals tables; TRUNCATE empties the totals. SQLite: row triggers
into shard 0 (SQLite has one writer at a time). The current contents are counted once here.

Revision ID: 0006_totals
Revises: 0005_gateway
"""

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0006_totals"
down_revision = "0005_gateway"
branch_labels = None
depends_on = None

SHARDS = 64          # payapp.models.totals.TOTALS_SHARDS (a migration keeps its own copy)
#: The first key of the (int, int) advisory locks claiming a shard (PayApp's other advisory lock, the sync's,
#: is a single bigint key: a separate key space).
LOCK_CLASS = 7260

_PAYMENT_SUMS = ("payment_count", "amount_minor", "applied_minor", "refunded_minor")


def _tables() -> None:
    op.create_table(
        "invoice_totals",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("invoice_count", sa.BigInteger(), nullable=False),
        sa.Column("balance_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_invoice_totals")),
    )
    op.create_table(
        "payment_totals",
        sa.Column("shard", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("payment_count", sa.BigInteger(), nullable=False),
        sa.Column("amount_minor", sa.BigInteger(), nullable=False),
        sa.Column("applied_minor", sa.BigInteger(), nullable=False),
        sa.Column("refunded_minor", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", "currency", name=op.f("pk_payment_totals")),
    )


def _backfill() -> None:
    op.execute("INSERT INTO invoice_totals (shard, invoice_count, balance_minor)"
               " SELECT 0, count(*), coalesce(sum(balance_minor), 0) FROM invoices")
    op.execute("INSERT INTO payment_totals (shard, currency, payment_count, amount_minor, applied_minor,"
               " refunded_minor) SELECT 0, currency, count(*), sum(amount_minor), sum(applied_minor),"
               " sum(refunded_minor) FROM payments GROUP BY currency")


# ---------------------------------------------------------------- PostgreSQL

def _pg_invoice_delta(op_name: str) -> str:
    """SELECT (shard, count delta, balance delta) of one statement, no row when nothing changed."""
    if op_name == "INSERT":
        body = "SELECT count(*) AS n, coalesce(sum(balance_minor), 0) AS b FROM new_rows"
    elif op_name == "DELETE":
        body = "SELECT -count(*) AS n, -coalesce(sum(balance_minor), 0) AS b FROM old_rows"
    else:
        body = ("SELECT 0 AS n, (SELECT coalesce(sum(balance_minor), 0) FROM new_rows)"
                " - (SELECT coalesce(sum(balance_minor), 0) FROM old_rows) AS b")
    return (f"INSERT INTO invoice_totals AS t (shard, invoice_count, balance_minor)"
            f" SELECT my_shard, d.n, d.b FROM ({body}) d WHERE d.n <> 0 OR d.b <> 0"
            f" ON CONFLICT (shard) DO UPDATE SET invoice_count = t.invoice_count + excluded.invoice_count,"
            f" balance_minor = t.balance_minor + excluded.balance_minor;")


def _pg_payment_delta(op_name: str) -> str:
    plus = "SELECT currency, 1 AS n, amount_minor AS a, applied_minor AS ap, refunded_minor AS rf FROM new_rows"
    minus = ("SELECT currency, -1 AS n, -amount_minor AS a, -applied_minor AS ap, -refunded_minor AS rf"
             " FROM old_rows")
    rows = {"INSERT": plus, "DELETE": minus}.get(op_name, f"{plus} UNION ALL {minus}")
    sets = ", ".join(f"{c} = t.{c} + excluded.{c}" for c in _PAYMENT_SUMS)
    return (f"INSERT INTO payment_totals AS t (shard, currency, {', '.join(_PAYMENT_SUMS)})"
            f" SELECT my_shard, d.currency, sum(d.n), sum(d.a), sum(d.ap), sum(d.rf) FROM ({rows}) d"
            f" GROUP BY d.currency"
            f" HAVING sum(d.n) <> 0 OR sum(d.a) <> 0 OR sum(d.ap) <> 0 OR sum(d.rf) <> 0"
            f" ON CONFLICT (shard, currency) DO UPDATE SET {sets};")


def _pg_function(name: str, make: Callable[[str], str]) -> str:
    return f"""
    CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        tries integer := 0;
        my_shard integer;
    BEGIN
        -- A shard no other open transaction writes: each is claimed with a transaction-level advisory lock
        -- (held until commit; the transaction's own claims succeed again), starting at this backend's own.
        WHILE tries < {SHARDS} AND NOT pg_try_advisory_xact_lock({LOCK_CLASS},
                                                                 (pg_backend_pid() + tries) % {SHARDS}) LOOP
            tries := tries + 1;
        END LOOP;
        my_shard := (pg_backend_pid() + tries) % {SHARDS};   -- all claimed: the backend's own, waiting its turn
        IF TG_OP = 'INSERT' THEN
            {make("INSERT")}
        ELSIF TG_OP = 'DELETE' THEN
            {make("DELETE")}
        ELSE
            {make("UPDATE")}
        END IF;
        RETURN NULL;
    END;
    $$;
    """


def _pg_upgrade() -> None:
    op.execute(_pg_function("payapp_invoice_totals", _pg_invoice_delta))
    op.execute(_pg_function("payapp_payment_totals", _pg_payment_delta))
    for table, function, totals in (("invoices", "payapp_invoice_totals", "invoice_totals"),
                                    ("payments", "payapp_payment_totals", "payment_totals")):
        op.execute(f"CREATE TRIGGER {table}_totals_insert AFTER INSERT ON {table}"
                   f" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(f"CREATE TRIGGER {table}_totals_update AFTER UPDATE ON {table}"
                   f" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
                   f" FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(f"CREATE TRIGGER {table}_totals_delete AFTER DELETE ON {table}"
                   f" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(f"CREATE FUNCTION {function}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$"
                   f" BEGIN DELETE FROM {totals}; RETURN NULL; END; $$")
        op.execute(f"CREATE TRIGGER {table}_totals_truncate AFTER TRUNCATE ON {table}"
                   f" FOR EACH STATEMENT EXECUTE FUNCTION {function}_truncate()")


def _pg_downgrade() -> None:
    for table, function in (("invoices", "payapp_invoice_totals"), ("payments", "payapp_payment_totals")):
        for event in ("insert", "update", "delete", "truncate"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_totals_{event} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
        op.execute(f"DROP FUNCTION IF EXISTS {function}_truncate()")


# ---------------------------------------------------------------- SQLite

_SQLITE_INVOICE_ROW = ("INSERT INTO invoice_totals (shard, invoice_count, balance_minor) SELECT 0, 0, 0"
                       " WHERE NOT EXISTS (SELECT 1 FROM invoice_totals WHERE shard = 0);")


def _sqlite_payment_row(ref: str) -> str:
    # Not INSERT OR IGNORE: an outer statement's conflict policy would override the trigger's.
    return (f"INSERT INTO payment_totals (shard, currency, payment_count, amount_minor, applied_minor,"
            f" refunded_minor) SELECT 0, {ref}.currency, 0, 0, 0, 0 WHERE NOT EXISTS"
            f" (SELECT 1 FROM payment_totals WHERE shard = 0 AND currency = {ref}.currency);")


def _sqlite_payment_add(ref: str, sign: str) -> str:
    sets = ", ".join(f"{c} = {c} {sign} {ref}.{c}" for c in _PAYMENT_SUMS[1:])
    return (f"UPDATE payment_totals SET payment_count = payment_count {sign} 1, {sets}"
            f" WHERE shard = 0 AND currency = {ref}.currency;")


def _sqlite_upgrade() -> None:
    op.execute(f"CREATE TRIGGER invoices_totals_insert AFTER INSERT ON invoices BEGIN {_SQLITE_INVOICE_ROW}"
               " UPDATE invoice_totals SET invoice_count = invoice_count + 1,"
               " balance_minor = balance_minor + NEW.balance_minor WHERE shard = 0; END")
    op.execute(f"CREATE TRIGGER invoices_totals_delete AFTER DELETE ON invoices BEGIN {_SQLITE_INVOICE_ROW}"
               " UPDATE invoice_totals SET invoice_count = invoice_count - 1,"
               " balance_minor = balance_minor - OLD.balance_minor WHERE shard = 0; END")
    op.execute("CREATE TRIGGER invoices_totals_update AFTER UPDATE OF balance_minor ON invoices"
               f" WHEN OLD.balance_minor IS NOT NEW.balance_minor BEGIN {_SQLITE_INVOICE_ROW}"
               " UPDATE invoice_totals SET balance_minor = balance_minor - OLD.balance_minor + NEW.balance_minor"
               " WHERE shard = 0; END")
    op.execute(f"CREATE TRIGGER payments_totals_insert AFTER INSERT ON payments BEGIN {_sqlite_payment_row('NEW')}"
               f" {_sqlite_payment_add('NEW', '+')} END")
    op.execute(f"CREATE TRIGGER payments_totals_delete AFTER DELETE ON payments BEGIN {_sqlite_payment_row('OLD')}"
               f" {_sqlite_payment_add('OLD', '-')} END")
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in ("currency", *_PAYMENT_SUMS[1:]))
    op.execute("CREATE TRIGGER payments_totals_update AFTER UPDATE OF currency, amount_minor, applied_minor,"
               f" refunded_minor ON payments WHEN {changed} BEGIN {_sqlite_payment_row('OLD')}"
               f" {_sqlite_payment_add('OLD', '-')} {_sqlite_payment_row('NEW')} {_sqlite_payment_add('NEW', '+')}"
               " END")


def _sqlite_downgrade() -> None:
    for table in ("invoices", "payments"):
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_totals_{event}")


def upgrade() -> None:
    _tables()
    if op.get_bind().dialect.name == "postgresql":
        # No write may fall between the count below and the triggers: the tables are locked until commit.
        op.execute("LOCK TABLE invoices, payments IN SHARE ROW EXCLUSIVE MODE")
        _pg_upgrade()
    else:
        _sqlite_upgrade()
    _backfill()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _pg_downgrade()
    else:
        _sqlite_downgrade()
    op.drop_table("payment_totals")
    op.drop_table("invoice_totals")
