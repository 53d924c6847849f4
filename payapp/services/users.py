"""Users, sign-in and the audit log viewer.

Passwords are hashed with Argon2id (memory-hard; argon2-cffi), off the event loop. Five failed sign-ins
lock an account for 15 minutes. The last active admin can be neither disabled nor demoted. Everything is
audited; the audit log itself is append-only (database triggers) and readable by admins only."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, and_, func, or_, select
from sqlalchemy.engine import URL
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from payapp.domain.errors import ConflictError, NotFound, PayAppError, ValidationError
from payapp.domain.messages import msg
from payapp.domain.roles import USER_ROLES, Permission, Role
from payapp.domain.validation import clean_typed_text
from payapp.models import AuditEvent, User
from payapp.models.db import Database, make_sync_engine
from payapp.services import audit
from payapp.services.auth import SYSTEM, Actor, CurrentUser

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
MIN_PASSWORD = 10


class SignInError(PayAppError):
    pass


class LockedOut(SignInError):
    def __init__(self, until: dt.datetime) -> None:
        minutes = max(1, int((until - dt.datetime.now(dt.UTC)).total_seconds() + 59) // 60)
        super().__init__(msg("users.locked_minute" if minutes == 1 else "users.locked_minutes", minutes=minutes))
        self.until = until


WRONG = msg("users.wrong_password")


@dataclass(frozen=True)
class UserRow:
    id: int
    username: str
    display_name: str
    role: Role
    is_active: bool
    locked_until: dt.datetime | None
    last_sign_in_at: dt.datetime | None
    created_at: dt.datetime


def _user_role(role: Role | str) -> Role:
    """A role a person may have (the client portal's role is no user's)."""
    try:
        known = Role(role)
    except ValueError:
        known = None
    if known not in USER_ROLES:
        raise ValidationError(msg("users.role_choice"), field="role")
    assert known is not None
    return known


def _row(u: User) -> UserRow:
    return UserRow(u.id, u.username, u.display_name, Role(u.role), u.is_active, u.locked_until,
                   u.last_sign_in_at, u.created_at)


def _actor(u: User) -> Actor:
    return Actor(user_id=u.id, username=u.username, role=Role(u.role), display_name=u.display_name)


def default_hasher() -> PasswordHasher:
    return PasswordHasher()       # Argon2id, 64 MiB, t=3 (RFC 9106 second recommended option)


def _check_new(username: str, password: str) -> str:
    username = username.strip()
    # isprintable() is False for spaces other than " ", control characters (NUL, which PostgreSQL refuses),
    # invisible format characters and lone surrogates (which no database encodes)
    if not username or len(username) > 100 or any(c.isspace() for c in username) or not username.isprintable():
        raise ValidationError(msg("users.username_rule"), field="username")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(msg("users.password_length", characters=MIN_PASSWORD), field="password")
    return username


def _password_bytes(password: str) -> bytes:
    """UTF-8, as Argon2 reads a str, but total: a lone surrogate pasted into a password field (which UTF-8 cannot
    encode) gives bytes of its own instead of UnicodeEncodeError. Every other password hashes as before."""
    return password.encode("utf-8", "surrogatepass")


class UserService:
    def __init__(self, db: Database, current: CurrentUser, *, hasher: PasswordHasher | None = None) -> None:
        self._db = db
        self._current = current
        self._hasher = hasher or default_hasher()

    async def _hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, _password_bytes(password))

    async def _verify(self, password_hash: str, password: str) -> bool:
        def verify() -> bool:
            try:
                return self._hasher.verify(password_hash, _password_bytes(password))
            except (VerificationError, InvalidHashError):
                return False
        return await asyncio.to_thread(verify)

    # -- first start and sign-in ------------------------------------------------------------------------
    async def needs_first_admin(self) -> bool:
        async with self._db.sessions() as s:
            return (await s.scalar(select(func.count()).select_from(User))) == 0

    async def create_first_admin(self, username: str, password: str, display_name: str = "") -> Actor:
        """Only while there is no user at all. Signs the new admin in."""
        username = _check_new(username, password)
        password_hash = await self._hash(password)
        async with self._db.transaction(lock=True) as s:
            if (await s.scalars(select(User.id).limit(1).with_for_update())).first() is not None:
                raise ConflictError(msg("users.admin_exists"))
            user = User(username=username, display_name=clean_typed_text(display_name).strip(), role=Role.ADMIN.value,
                        password_hash=password_hash, is_active=True, failed_attempts=0,
                        last_sign_in_at=dt.datetime.now(dt.UTC))
            s.add(user)
            await s.flush()
            actor = _actor(user)
            audit.record(s, actor, "user.created", entity_type="user", entity_id=user.id, username=username,
                         role=Role.ADMIN.value, first_admin=True)
        self._current.actor = actor
        return actor

    async def sign_in(self, username: str, password: str) -> Actor:
        username = username.strip()
        if not username.isprintable():                     # no user has such a name (_check_new): no query
            await self._verify(_DUMMY_HASH, password)
            await self._failed(None, clean_typed_text(username), "unknown user")
            raise SignInError(WRONG)
        async with self._db.sessions() as s:
            user = await s.scalar(select(User).where(User.username == username))
        now = dt.datetime.now(dt.UTC)
        if user is None:
            await self._verify(_DUMMY_HASH, password)          # same time as a real check
            await self._failed(None, username, "unknown user")
            raise SignInError(WRONG)
        if user.locked_until is not None and user.locked_until > now:
            await self._failed(user.id, username, "locked")
            raise LockedOut(user.locked_until)
        ok = await self._verify(user.password_hash, password)
        if not user.is_active:
            await self._failed(user.id, username, "disabled")
            raise SignInError(msg("users.disabled") if ok else WRONG)
        if not ok:
            locked_until = await self._failed(user.id, username, "wrong password")
            if locked_until is not None:
                raise LockedOut(locked_until)
            raise SignInError(WRONG)
        new_hash = await self._hash(password) if self._hasher.check_needs_rehash(user.password_hash) else None
        async with self._db.transaction(lock=True) as s:
            row = await s.get(User, user.id, with_for_update=True)
            assert row is not None
            row.failed_attempts = 0
            row.locked_until = None
            row.last_sign_in_at = now
            if new_hash:
                row.password_hash = new_hash
            actor = _actor(row)
            audit.record(s, actor, "auth.sign_in", entity_type="user", entity_id=row.id)
        self._current.actor = actor
        return actor

    async def _failed(self, user_id: int | None, username: str, reason: str) -> dt.datetime | None:
        """Count a failure (committed, then the caller raises). Returns the lock time if this locked it."""
        locked: dt.datetime | None = None
        async with self._db.transaction(lock=True) as s:
            if user_id is not None and reason == "wrong password":
                row = await s.get(User, user_id, with_for_update=True)
                assert row is not None
                row.failed_attempts += 1
                if row.failed_attempts >= MAX_FAILURES:
                    locked = dt.datetime.now(dt.UTC) + LOCKOUT
                    row.locked_until = locked
                    row.failed_attempts = 0
            audit.record(s, None, "auth.sign_in_failed", entity_type="user", entity_id=user_id or "",
                         username=username[:100], reason=reason)
            if locked is not None:
                audit.record(s, None, "auth.locked_out", entity_type="user", entity_id=user_id or "",
                             username=username[:100], until=locked.isoformat(timespec="seconds"))
        return locked

    def sign_out(self) -> None:
        self._current.actor = None

    # -- administration -------------------------------------------------------------------------------
    async def list_users(self) -> list[UserRow]:
        self._current.require(Permission.ADMINISTER)
        async with self._db.sessions() as s:
            return [_row(u) for u in (await s.scalars(select(User).order_by(User.username))).all()]

    async def add_user(self, username: str, password: str, role: Role, display_name: str = "") -> UserRow:
        actor = self._current.require(Permission.ADMINISTER)
        username = _check_new(username, password)
        role = _user_role(role)
        password_hash = await self._hash(password)
        async with self._db.transaction(lock=True) as s:
            if await s.scalar(select(User.id).where(func.lower(User.username) == username.lower())) is not None:
                raise ConflictError(msg("users.username_taken", username=username))
            user = User(username=username, display_name=clean_typed_text(display_name).strip(), role=role.value,
                        password_hash=password_hash, is_active=True, failed_attempts=0)
            s.add(user)
            await s.flush()
            audit.record(s, actor, "user.created", entity_type="user", entity_id=user.id, username=username,
                         role=role.value)
            return _row(user)

    async def _other_active_admins(self, s: AsyncSession, user_id: int) -> int:
        rows = (await s.scalars(select(User.id).where(User.role == Role.ADMIN.value, User.is_active.is_(True),
                                                      User.id != user_id).with_for_update())).all()
        return len(rows)

    async def set_active(self, user_id: int, active: bool) -> UserRow:
        actor = self._current.require(Permission.ADMINISTER)
        async with self._db.transaction(lock=True) as s:
            user = await s.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(msg("users.gone"))
            if user.is_active == active:
                return _row(user)
            if not active and user.role == Role.ADMIN.value and await self._other_active_admins(s, user_id) == 0:
                raise ConflictError(msg("users.last_admin"))
            user.is_active = active
            if active:
                user.failed_attempts, user.locked_until = 0, None
            audit.record(s, actor, "user.enabled" if active else "user.disabled", entity_type="user",
                         entity_id=user.id, username=user.username)
            return _row(user)

    async def change_role(self, user_id: int, role: Role) -> UserRow:
        actor = self._current.require(Permission.ADMINISTER)
        role = _user_role(role)
        async with self._db.transaction(lock=True) as s:
            user = await s.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(msg("users.gone"))
            old = user.role
            if old == role.value:
                return _row(user)
            if old == Role.ADMIN.value and user.is_active and await self._other_active_admins(s, user_id) == 0:
                raise ConflictError(msg("users.last_admin"))
            user.role = role.value
            audit.record(s, actor, "user.role_changed", entity_type="user", entity_id=user.id,
                         username=user.username, role=[old, role.value])
        if actor.user_id == user_id:
            self._current.actor = _actor(user)
        return _row(user)

    async def reset_password(self, user_id: int, password: str) -> None:
        actor = self._current.require(Permission.ADMINISTER)
        if len(password) < MIN_PASSWORD:
            raise ValidationError(msg("users.password_length", characters=MIN_PASSWORD), field="password")
        password_hash = await self._hash(password)
        async with self._db.transaction(lock=True) as s:
            user = await s.get(User, user_id, with_for_update=True)
            if user is None:
                raise NotFound(msg("users.gone"))
            user.password_hash = password_hash
            user.failed_attempts, user.locked_until = 0, None
            audit.record(s, actor, "user.password_reset", entity_type="user", entity_id=user.id,
                         username=user.username)


_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$RyFD7Jj5rbfbujI/taPbWw$"
               "MOq46agCyKHbpPYJYcQ5VOVtn0hUfHNw3Vu1mpQrfmA")


@dataclass(frozen=True)
class DemoUser:
    """One of the demo company's users, whose made-up password the demo's sign-in dialog shows."""
    username: str
    password: str
    role: Role
    display_name: str
    password_hash: str       # Argon2id of `password`, worked out once: hashing three at every start costs ~0.3 s


#: The demo's users, one per role, to try what each may do (File › Sign out). Not real passwords: the sign-in
#: dialog shows them; only demo mode (ensure_demo_admin) creates these rows.
DEMO_USERS = (
    DemoUser("demo", "demo-admin", Role.ADMIN, "Demo Admin",
             "$argon2id$v=19$m=65536,t=3,p=4$L2r/uXdcX75BJi17CRAkrg$dVCMBls7GaPGleeAyu2sIEgX/aFj0C5bZmAjpn+pVcw"),
    DemoUser("finance", "demo-finance", Role.FINANCE, "Demo Finance",
             "$argon2id$v=19$m=65536,t=3,p=4$YfsUll0lcbCpl7MesOmcig$54OP3mUXF9A+PRKvKESFu5crOWYR5WjSnURk69/ojEI"),
    DemoUser("viewer", "demo-viewer", Role.VIEWER, "Demo Viewer",
             "$argon2id$v=19$m=65536,t=3,p=4$dlpxd9oMplBTjus6KDOyTg$Lgyz+fycFJrSoTYLCXZL/j7YCsP1NfWzrHPSLJ80nDQ"),
)
_OLD_DEMO_HASH = "!demo-no-password"       # the demo admin's before it had a demo password


def ensure_demo_admin(database_url: str | URL, username: str = "demo", display_name: str = "Demo Admin") -> Actor:
    """Demo mode signs in as a real admin row (so audit entries carry a user id). Blocking: runs while the
    demo company is prepared, before the window opens. The demo's Finance and Viewer users (`DEMO_USERS`) are
    made too, so File › Sign out can try the roles.

    The sign-in is audited and stamped like any other, so the Audit and Users pages of the demo show it."""
    engine = make_sync_engine(database_url)
    try:
        with engine.begin() as conn:
            return ensure_demo_admin_in(conn, username, display_name)
    finally:
        engine.dispose()


def ensure_demo_admin_in(conn: Connection, username: str = "demo", display_name: str = "Demo Admin") -> Actor:
    """ensure_demo_admin inside the caller's transaction (the demo's start-up does all its writes in one)."""
    users = User.__table__
    now = dt.datetime.now(dt.UTC)
    demo = {u.username: u for u in DEMO_USERS}
    existing = {r.username: r for r in conn.execute(
        select(User.id, User.username, User.password_hash).where(User.username.in_([*demo, username])))}
    for u in DEMO_USERS:
        found = existing.get(u.username)
        if found is None:
            conn.execute(users.insert().values(
                username=u.username, display_name=u.display_name if u.username != username else display_name,
                role=u.role.value, password_hash=u.password_hash, is_active=True, failed_attempts=0,
                created_at=now))
        elif found.password_hash == _OLD_DEMO_HASH:     # a demo database from before the demo users
            conn.execute(users.update().where(users.c.id == found.id).values(password_hash=u.password_hash))
    row = conn.execute(select(User.id, User.role).where(User.username == username)).first()
    if row is None:
        user_id = conn.execute(users.insert().values(
            username=username, display_name=display_name, role=Role.ADMIN.value,
            password_hash=_OLD_DEMO_HASH, is_active=True, failed_attempts=0,
            created_at=now).returning(User.id)).scalar_one()
    else:
        user_id = row.id
    actor = Actor(user_id=user_id, username=username, role=Role.ADMIN, display_name=display_name)
    conn.execute(users.update().where(users.c.id == user_id).values(last_sign_in_at=now))
    conn.execute(AuditEvent.__table__.insert().values(
        occurred_at=now, **audit.entry(actor, "auth.sign_in", entity_type="user", entity_id=user_id, demo=True)))
    return actor


# -- audit log -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None         # inclusive
    username: str = ""
    action: str = ""                       # exact, or a prefix ending in "." (e.g. "auth.")
    text: str = ""


@dataclass(frozen=True)
class AuditRow:
    id: int
    occurred_at: dt.datetime
    username: str
    workstation: str
    action: str
    entity_type: str
    entity_id: str
    details: str
    #: the person as the screens name them: the user's display name ("" when they have none or are gone)
    user_name: str = ""
    #: the entity as the user knows it: a payment's transaction id (its order id before the gateway answered),
    #: a user's name ("" when unknown: the screen shows the entity_id)
    entity_name: str = ""
    #: a payment's invoice number ("" for other entities)
    invoice_number: str = ""

    @property
    def sort_key(self) -> tuple[dt.datetime, int]:
        return (self.occurred_at, self.id)


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


class AuditLogService:
    PAGE = 200

    def __init__(self, db: Database, current: CurrentUser) -> None:
        self._db = db
        self._current = current

    def _where(self, f: AuditFilter) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        if f.date_from:
            where.append(AuditEvent.occurred_at >= dt.datetime.combine(f.date_from, dt.time(), dt.UTC))
        if f.date_to:
            end = dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time(), dt.UTC)
            where.append(AuditEvent.occurred_at < end)
        if f.username.strip():
            where.append(func.lower(AuditEvent.username) == f.username.strip().lower())
        if f.action.strip():
            action = f.action.strip()
            where.append(AuditEvent.action.like(action.replace("%", "").replace("_", "\\_") + "%", escape="\\")
                         if action.endswith(".") else AuditEvent.action == action)
        if f.text.strip():
            pattern = _like(f.text.strip().lower())
            where.append(or_(*(func.lower(c).like(pattern, escape="\\") for c in (
                AuditEvent.details, AuditEvent.action, AuditEvent.username, AuditEvent.entity_id,
                AuditEvent.workstation))))
        return where

    async def page(self, f: AuditFilter, *, after: tuple[dt.datetime, int] | None = None,
                   limit: int = PAGE) -> list[AuditRow]:
        """Newest first, keyset-paged on (occurred_at, id)."""
        self._current.require(Permission.ADMINISTER)
        q = select(AuditEvent).where(*self._where(f))
        if after is not None:
            at, last_id = after
            q = q.where(or_(AuditEvent.occurred_at < at, and_(AuditEvent.occurred_at == at, AuditEvent.id < last_id)))
        q = q.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc()).limit(limit)
        async with self._db.sessions() as s:
            rows = (await s.scalars(q)).all()
            people, payments, users = await _audit_names(s, rows)
        # actors with no users row (the demo's signed-in admin, PayApp itself) by the names they go by
        for actor in (self._current.actor, SYSTEM):
            if actor is not None and actor.display_name:
                people.setdefault(actor.username.lower(), actor.display_name)
        out = []
        for r in rows:
            name, invoice = "", ""
            if r.entity_type == "payment" and r.entity_id in payments:
                name, invoice = payments[r.entity_id]
            elif r.entity_type == "user" and r.entity_id in users:
                name = users[r.entity_id]
            out.append(AuditRow(r.id, r.occurred_at, r.username, r.workstation, r.action, r.entity_type, r.entity_id,
                                r.details, people.get(r.username.lower(), ""), name, invoice))
        return out

    async def count(self, f: AuditFilter) -> int:
        self._current.require(Permission.ADMINISTER)
        async with self._db.sessions() as s:
            return int(await s.scalar(select(func.count()).select_from(AuditEvent).where(*self._where(f))) or 0)

    async def actions(self) -> list[str]:
        self._current.require(Permission.ADMINISTER)
        async with self._db.sessions() as s:
            return list((await s.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))).all())

    async def export_csv(self, f: AuditFilter, out: TextIO,
                         on_progress: Callable[[int], None] | None = None) -> int:
        """Write the filtered log as CSV, page by page (never the whole log in memory). Audited."""
        actor = self._current.require(Permission.ADMINISTER)
        writer = csv.writer(out)
        writer.writerow(["id", "occurred_at_utc", "username", "workstation", "action", "entity_type",
                         "entity_id", "details"])
        after: tuple[dt.datetime, int] | None = None
        written = 0
        while True:
            rows = await self.page(f, after=after, limit=1000)
            for r in rows:
                writer.writerow([r.id, r.occurred_at.isoformat(), _cell(r.username), _cell(r.workstation),
                                 r.action, r.entity_type, _cell(r.entity_id), _cell(r.details)])
            written += len(rows)
            if on_progress:
                on_progress(written)
            if len(rows) < 1000:
                break
            after = rows[-1].sort_key
        async with self._db.transaction() as s:
            audit.record(s, actor, "audit.exported", entity_type="audit", rows=written,
                         filters={k: str(v) for k, v in vars(f).items() if v})
        return written


    async def export_csv_file(self, f: AuditFilter, path: Path) -> int:
        """`export_csv` into the file at `path`: written under a temporary name beside it and renamed when
        complete, so a failed or cancelled export never leaves half a file (nor replaces an earlier one).
        OSError when the folder cannot be written."""
        tmp = path.with_name(path.name + ".part")
        try:
            with tmp.open("w", newline="", encoding="utf-8-sig") as out:
                written = await self.export_csv(f, out)
            tmp.replace(path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return written


async def _audit_names(s: AsyncSession, rows: Sequence[AuditEvent]) -> tuple[
        dict[str, str], dict[str, tuple[str, str]], dict[str, str]]:
    """What a page of the log refers to, as the user sees it (issue #15.10): the display names of its users
    (by lower-case username), its payments' transaction (or order) and invoice numbers, its user entities' names
    (both by the entity_id as stored). Three queries per page, none per row."""
    from payapp.models import Payment

    usernames = {r.username.lower() for r in rows if r.username}
    payment_ids = {int(r.entity_id) for r in rows if r.entity_type == "payment" and _is_id(r.entity_id)}
    user_ids = {int(r.entity_id) for r in rows if r.entity_type == "user" and _is_id(r.entity_id)}
    people: dict[str, str] = {}
    if usernames:
        for username, display in (await s.execute(select(User.username, User.display_name).where(
                func.lower(User.username).in_(usernames)))).all():
            if display:
                people[username.lower()] = display
    payments: dict[str, tuple[str, str]] = {}
    if payment_ids:
        for pid, txn, order, invoice in (await s.execute(select(
                Payment.id, Payment.transaction_id, Payment.order_id, Payment.invoice_number).where(
                Payment.id.in_(payment_ids)))).all():
            payments[str(pid)] = (txn or order, invoice)
    users: dict[str, str] = {}
    if user_ids:
        for uid, username, display in (await s.execute(select(User.id, User.username, User.display_name).where(
                User.id.in_(user_ids)))).all():
            users[str(uid)] = display or username
    return people, payments, users


async def display_names(s: AsyncSession, usernames: set[str], current: Actor | None = None) -> dict[str, str]:
    """The display names of these users (by lower-case username), as the screens name people: one form of a
    person's name everywhere (issue #15.10). Actors with no users row go by theirs (the demo admin, PayApp)."""
    names: dict[str, str] = {}
    wanted = {u.lower() for u in usernames if u}
    if wanted:
        for username, display in (await s.execute(select(User.username, User.display_name).where(
                func.lower(User.username).in_(wanted)))).all():
            if display:
                names[username.lower()] = display
    for actor in (current, SYSTEM):
        if actor is not None and actor.display_name:
            names.setdefault(actor.username.lower(), actor.display_name)
    return names


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) < 19           # "²".isdigit() is True


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in free text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


__all__ = [
    "DEMO_USERS",
    "AuditFilter",
    "AuditLogService",
    "AuditRow",
    "DemoUser",
    "LockedOut",
    "SignInError",
    "UserRow",
    "UserService",
    "ensure_demo_admin",
    "ensure_demo_admin_in",
]
