"""Users, sign-in, lockout, roles and the audit log viewer, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Awaitable
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from payapp.domain.errors import ConflictError, PayAppError, PermissionDenied, ValidationError
from payapp.domain.roles import Role
from payapp.models import AuditEvent, User
from payapp.models.db import Database
from payapp.services.auth import Actor, CurrentUser
from payapp.services.secrets import SecretStore
from payapp.services.users import (
    MAX_FAILURES,
    AuditFilter,
    AuditLogService,
    LockedOut,
    SignInError,
    UserService,
)
from tests.conftest import ADMIN, FINANCE, VIEWER

FAST = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)   # still Argon2id; tests stay quick
PASSWORD = "correct horse battery"


def users(database: Database, current: CurrentUser | None = None) -> UserService:
    return UserService(database, current or CurrentUser(None), hasher=FAST)


async def audit_rows(database: Database, action: str | None = None) -> list[AuditEvent]:
    async with database.sessions() as s:
        q = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            q = q.where(AuditEvent.action == action)
        return list((await s.scalars(q)).all())


async def first_admin(database: Database) -> tuple[UserService, CurrentUser]:
    current = CurrentUser(None)
    svc = users(database, current)
    assert await svc.needs_first_admin()
    await svc.create_first_admin("alice", PASSWORD, "Alice Admin")
    return svc, current


async def test_first_admin_once_then_sign_in(database: Database) -> None:
    svc, current = await first_admin(database)
    assert current.actor is not None and current.actor.role is Role.ADMIN and current.actor.user_id
    assert not await svc.needs_first_admin()
    with pytest.raises(ConflictError):
        await users(database).create_first_admin("mallory", PASSWORD)
    fresh = CurrentUser(None)
    actor = await users(database, fresh).sign_in("alice", PASSWORD)
    assert fresh.actor == actor and actor.username == "alice"
    signed = await audit_rows(database, "auth.sign_in")
    assert [e.user_id for e in signed] == [actor.user_id]
    created = await audit_rows(database, "user.created")
    assert json.loads(created[0].details)["first_admin"] is True


async def test_password_is_stored_as_argon2id_hash(database: Database) -> None:
    svc = UserService(database, CurrentUser(None))          # the real (default) parameters
    await svc.create_first_admin("alice", PASSWORD)
    async with database.sessions() as s:
        stored = await s.scalar(select(User.password_hash))
    assert stored is not None and PASSWORD not in stored
    assert stored.startswith("$argon2id$") and "m=65536" in stored
    for e in await audit_rows(database):
        assert PASSWORD not in e.details


async def test_weak_input_refused(database: Database) -> None:
    with pytest.raises(ValidationError):
        await users(database).create_first_admin("alice", "short")
    with pytest.raises(ValidationError):
        await users(database).create_first_admin("al ice", PASSWORD)


async def test_wrong_password_and_unknown_user_fail_the_same_and_are_audited(database: Database) -> None:
    await first_admin(database)
    svc = users(database)
    with pytest.raises(SignInError) as wrong:
        await svc.sign_in("alice", "not the password")
    with pytest.raises(SignInError) as unknown:
        await svc.sign_in("nobody", "not the password")
    assert wrong.value.user_message == unknown.value.user_message
    failed = await audit_rows(database, "auth.sign_in_failed")
    assert [json.loads(e.details)["username"] for e in failed] == ["alice", "nobody"]
    assert all("not the password" not in e.details for e in failed)


async def test_lockout_after_five_failures_for_fifteen_minutes(database: Database) -> None:
    await first_admin(database)
    svc = users(database)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError) as exc:
            await svc.sign_in("alice", "wrong password!")
        assert not isinstance(exc.value, LockedOut)
    with pytest.raises(LockedOut) as locked:
        await svc.sign_in("alice", "wrong password!")
    assert dt.timedelta(minutes=14) < locked.value.until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15)
    with pytest.raises(LockedOut, match="locked for 15 more minutes"):
        await svc.sign_in("alice", PASSWORD)                   # even the right password
    assert len(await audit_rows(database, "auth.locked_out")) == 1
    async with database.transaction() as s:                    # time passes
        user = await s.scalar(select(User).where(User.username == "alice"))
        assert user is not None
        user.locked_until = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
    assert (await svc.sign_in("alice", PASSWORD)).username == "alice"


async def test_success_resets_failure_count(database: Database) -> None:
    await first_admin(database)
    svc = users(database)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError):
            await svc.sign_in("alice", "wrong password!")
    await svc.sign_in("alice", PASSWORD)
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(SignInError) as exc:
            await svc.sign_in("alice", "wrong password!")
        assert not isinstance(exc.value, LockedOut)


async def test_admin_manages_users_and_everything_is_audited(database: Database) -> None:
    svc, current = await first_admin(database)
    bob = await svc.add_user("bob", PASSWORD, Role.FINANCE, "Bob Finance")
    with pytest.raises(ConflictError):
        await svc.add_user("BOB", PASSWORD, Role.VIEWER)
    await svc.change_role(bob.id, Role.VIEWER)
    await svc.set_active(bob.id, False)
    with pytest.raises(SignInError, match="disabled"):
        await users(database).sign_in("bob", PASSWORD)
    await svc.set_active(bob.id, True)
    assert (await users(database).sign_in("bob", PASSWORD)).role is Role.VIEWER
    actions = [e.action for e in await audit_rows(database) if e.entity_id == str(bob.id)]
    assert actions[:4] == ["user.created", "user.role_changed", "user.disabled", "auth.sign_in_failed"]
    assert "user.enabled" in actions and actions[-1] == "auth.sign_in"
    changed = (await audit_rows(database, "user.role_changed"))[0]
    assert json.loads(changed.details)["role"] == ["finance", "viewer"]
    assert changed.user_id == current.actor.user_id  # type: ignore[union-attr]


async def test_last_active_admin_cannot_be_disabled_or_demoted(database: Database) -> None:
    svc, current = await first_admin(database)
    me = current.actor
    assert me is not None and me.user_id is not None
    with pytest.raises(ConflictError, match="last active admin"):
        await svc.set_active(me.user_id, False)
    with pytest.raises(ConflictError, match="last active admin"):
        await svc.change_role(me.user_id, Role.FINANCE)
    carol = await svc.add_user("carol", PASSWORD, Role.ADMIN)
    await svc.set_active(carol.id, False)                        # a disabled admin does not count
    with pytest.raises(ConflictError):
        await svc.change_role(me.user_id, Role.FINANCE)
    await svc.set_active(carol.id, True)
    await svc.change_role(me.user_id, Role.FINANCE)              # now allowed; I lose admin at once
    assert current.actor is not None and current.actor.role is Role.FINANCE
    with pytest.raises(PermissionDenied):
        await svc.list_users()


@pytest.mark.parametrize("actor", [FINANCE, VIEWER], ids=["finance", "viewer"])
async def test_non_admins_cannot_manage_users_or_read_the_audit_log(database: Database, actor: object) -> None:
    await first_admin(database)
    current = CurrentUser(actor)  # type: ignore[arg-type]
    svc = users(database, current)
    log = AuditLogService(database, current)
    for call in (svc.list_users(), svc.add_user("eve", PASSWORD, Role.ADMIN), svc.set_active(1, False),
                 svc.change_role(1, Role.VIEWER), svc.reset_password(1, PASSWORD), log.page(AuditFilter()),
                 log.count(AuditFilter()), log.export_csv(AuditFilter(), io.StringIO())):
        with pytest.raises(PermissionDenied):
            await call
    async with database.sessions() as s:
        assert (await s.scalars(select(User.username))).all() == ["alice"]


async def test_signed_out_can_do_nothing(database: Database) -> None:
    await first_admin(database)
    with pytest.raises(PermissionDenied, match="Sign in"):
        await users(database).list_users()


async def test_audit_log_filters_keyset_pages_and_export(database: Database) -> None:
    svc, _current = await first_admin(database)
    for i in range(7):
        await svc.add_user(f"user{i}", PASSWORD, Role.VIEWER)
    with pytest.raises(SignInError):
        await users(database).sign_in("user3", "wrong password!")
    log = AuditLogService(database, CurrentUser(ADMIN))
    everything = AuditFilter()
    total = await log.count(everything)
    assert total == 1 + 7 + 1
    seen: list[int] = []
    after = None
    while True:
        page = await log.page(everything, after=after, limit=3)
        seen += [r.id for r in page]
        if len(page) < 3:
            break
        after = page[-1].sort_key
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == total
    assert await log.count(AuditFilter(action="auth.")) == 1
    assert await log.count(AuditFilter(action="user.created")) == 8
    assert await log.count(AuditFilter(text="USER3")) == 2
    assert await log.count(AuditFilter(text="50%_")) == 0          # wildcards are literal
    assert await log.count(AuditFilter(username="alice")) == 8
    today = dt.datetime.now(dt.UTC).date()
    assert await log.count(AuditFilter(date_from=today, date_to=today)) == total
    assert await log.count(AuditFilter(date_to=today - dt.timedelta(days=1))) == 0
    out = io.StringIO()
    assert await log.export_csv(AuditFilter(action="user.created"), out) == 8
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("id,occurred_at_utc,username") and len(lines) == 9
    assert await log.count(AuditFilter(action="audit.exported")) == 1


async def test_csv_export_neutralises_formulas(database: Database) -> None:
    svc, _ = await first_admin(database)
    await svc.add_user("=cmd", PASSWORD, Role.VIEWER)
    await users(database).sign_in("=cmd", PASSWORD)
    out = io.StringIO()
    await AuditLogService(database, CurrentUser(ADMIN)).export_csv(AuditFilter(username="=cmd"), out)
    assert ",'=cmd," in out.getvalue()


async def test_reset_password_lifts_lockout_and_is_audited(database: Database) -> None:
    svc, _current = await first_admin(database)
    bob = await svc.add_user("bob", PASSWORD, Role.FINANCE)
    for _ in range(MAX_FAILURES):
        with pytest.raises(SignInError):
            await users(database).sign_in("bob", "wrong password!")
    with pytest.raises(LockedOut):
        await users(database).sign_in("bob", PASSWORD)
    await svc.reset_password(bob.id, "a brand new password")
    assert (await users(database).sign_in("bob", "a brand new password")).username == "bob"
    reset = await audit_rows(database, "user.password_reset")
    assert len(reset) == 1 and "a brand new password" not in reset[0].details


#: What each role may do, as issue #3 says: Admin everything; Finance takes, voids and refunds payments; Viewer
#: only reads. One row per service entry point; the services enforce it, whatever the UI shows.
ROLE_MATRIX = {"read invoices and payments": {"admin", "finance", "viewer"},
               "take a payment": {"admin", "finance"},
               "void or refund a payment": {"admin", "finance"},
               "manage users": {"admin"},
               "read the audit log": {"admin"},
               "set up payment processing": {"admin"},
               "change a company setting": {"admin"}}


@pytest.mark.parametrize("actor", [ADMIN, FINANCE, VIEWER], ids=["admin", "finance", "viewer"])
async def test_each_roles_permissions_in_the_services(database: Database, secret_store: SecretStore,
                                                      actor: Actor) -> None:
    import httpx

    from payapp.services.gateways import GatewayProvider
    from payapp.services.invoices import InvoiceQuery, InvoiceService
    from payapp.services.payment_search import PaymentQuery, PaymentSearchService
    from payapp.services.payments import PaymentRequest, PaymentService
    from payapp.services.processing import ProcessingSetupService
    from payapp.services.settings import SettingsService
    from tests.payment_helpers import card

    await first_admin(database)
    current = CurrentUser(actor)
    settings = SettingsService(database, secret_store, current)
    async with httpx.AsyncClient() as client:       # never used: nothing is configured, nothing is sent
        payments = PaymentService(database, GatewayProvider(client, settings, secret_store), settings, current)
        try:
            calls = {
                "read invoices and payments": lambda: _both(InvoiceService(database, current).page(InvoiceQuery()),
                                                            PaymentSearchService(database, current).page(
                                                                PaymentQuery())),
                "take a payment": lambda: payments.take_payment(PaymentRequest(1, 10_00, card())),
                "void or refund a payment": lambda: payments.void_or_refund(1),
                "manage users": lambda: users(database, current).add_user(f"new-{actor.username}", PASSWORD,
                                                                          Role.VIEWER),
                "read the audit log": lambda: AuditLogService(database, current).page(AuditFilter()),
                "set up payment processing": lambda: ProcessingSetupService(settings, secret_store, current,
                                                                            None).save_payment_types(
                    {"back_office.card": True}),
                "change a company setting": lambda: settings.set("sync.interval_minutes", 7),
            }
            assert calls.keys() == ROLE_MATRIX.keys()
            for what, call in calls.items():
                allowed = actor.role.value in ROLE_MATRIX[what]
                try:
                    await call()
                except PermissionDenied:
                    assert not allowed, f"{actor.role.value} was refused: {what}"
                except PayAppError as exc:            # got past the permission check (nothing is set up)
                    assert allowed, f"{actor.role.value} may not {what}, but got as far as: {exc}"
                else:
                    assert allowed, f"{actor.role.value} may not {what}"
        finally:
            payments.close()


async def _both(*calls: Awaitable[object]) -> None:
    for call in calls:
        await call


async def test_audit_log_names_people_and_payments_as_the_user_sees_them(db_url: str) -> None:
    """Issue #15.10: the log's user column has the person's display name (the one the status bar shows) and the
    entity column the payment's transaction and invoice numbers or the user's name, not internal ids."""
    from payapp.models import Payment
    from payapp.services.audit import record
    from payapp.services.demo_data import generate_demo_company

    generate_demo_company(db_url, companies=2, years=1, seed=3)
    database = Database(db_url)
    try:
        svc, current = await first_admin(database)
        bob = await svc.add_user("bob", PASSWORD, Role.FINANCE, "Bob Finance")
        async with database.sessions() as s:
            pay = (await s.scalars(select(Payment).where(Payment.transaction_id != "").limit(1))).one()
        bob_actor = Actor(user_id=bob.id, username="bob", role=Role.FINANCE)
        async with database.transaction() as s:
            record(s, bob_actor, "payment.voided", entity_type="payment", entity_id=pay.id)
            record(s, bob_actor, "payment.voided", entity_type="payment", entity_id="99999999")   # gone: the id
        rows = await AuditLogService(database, current).page(AuditFilter())
        voided = [r for r in rows if r.action == "payment.voided"]
        assert {(r.user_name, r.entity_name, r.invoice_number) for r in voided} == {
            ("Bob Finance", pay.transaction_id, pay.invoice_number), ("Bob Finance", "", "")}
        created = next(r for r in rows if r.action == "user.created")
        assert (created.user_name, created.entity_name) == ("Alice Admin", "Bob Finance")
    finally:
        await database.dispose()


async def test_audit_export_to_a_file_leaves_no_half_file(database: Database, tmp_path: Path) -> None:
    """The file handling of the audit export lives in the service: complete file or nothing, earlier file kept."""
    await first_admin(database)
    log = AuditLogService(database, CurrentUser(ADMIN))
    folder = tmp_path / "exports"
    folder.mkdir()
    target = folder / "audit.csv"
    assert await log.export_csv_file(AuditFilter(), target) >= 1
    assert target.read_text(encoding="utf-8-sig").startswith("id,occurred_at_utc")
    assert [p.name for p in folder.iterdir()] == ["audit.csv"]
    target.write_text("earlier export", encoding="utf-8")
    with pytest.raises(PermissionDenied):
        await AuditLogService(database, CurrentUser(None)).export_csv_file(AuditFilter(), target)
    assert target.read_text(encoding="utf-8") == "earlier export"
    assert [p.name for p in folder.iterdir()] == ["audit.csv"]
    with pytest.raises(OSError):
        await log.export_csv_file(AuditFilter(), tmp_path / "missing-folder" / "audit.csv")
