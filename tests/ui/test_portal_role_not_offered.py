"""The client portal's role (Role.PORTAL, services.auth.PORTAL_ACTOR) is no person's: Admin › Users never offers
it, and the users service refuses it however it is asked."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtWidgets import QComboBox
from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.domain.errors import ValidationError
from payapp.domain.roles import USER_ROLES, Permission, Role, allows
from payapp.services.auth import PORTAL_ACTOR
from payapp.ui.admin.users_page import AddUserDialog, role_label
from payapp.ui.main_window import role_text
from tests.ui.test_admin_users import users_page


def test_the_portal_role_may_view_and_take_payments_only() -> None:
    assert PORTAL_ACTOR.role is Role.PORTAL and PORTAL_ACTOR.user_id is None
    assert {p for p in Permission if allows(Role.PORTAL, p)} == {Permission.VIEW, Permission.TAKE_PAYMENT}
    assert Role.PORTAL not in USER_ROLES
    assert role_label(Role.PORTAL) == role_text("portal") == "Client portal"     # how the audit log names it


def test_admin_users_never_offers_the_portal_role(qtbot: QtBot, admin_company: AppContext, run: Any) -> None:
    page = users_page(qtbot, admin_company, run)
    combo = page.findChild(QComboBox, "roleCombo")
    assert [combo.itemData(i) for i in range(combo.count())] == [r.value for r in USER_ROLES]
    dialog = page.open_add_dialog()
    assert isinstance(dialog, AddUserDialog)
    assert "portal" not in [dialog.role.itemData(i) for i in range(dialog.role.count())]
    dialog.reject()
    users = admin_company.services.users
    assert users is not None
    with pytest.raises(ValidationError, match="admin, finance or viewer"):
        run(users.add_user("portal-user", "a long enough password", Role.PORTAL))
    alice = page.rows[0]
    with pytest.raises(ValidationError):
        run(users.change_role(alice.id, Role.PORTAL))
    assert [r.role for r in run(users.list_users())] == [Role.ADMIN]
