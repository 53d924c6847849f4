"""Admin › Client Portal › Look of the portal: the accent colour's AA contrast warning, the live preview, the
fields' checks, and the values saved with the page's one audited change."""

from __future__ import annotations

from typing import Any

from pytestqt.qtbot import QtBot

from payapp.app import AppContext
from payapp.ui.admin.portal_page import ClientPortalPage
from tests.ui.conftest import wait_until
from tests.ui.test_admin_company_portal import admin_page, settings_changes


def test_accent_contrast_warning_preview_and_save(qtbot: QtBot, demo_context: AppContext, run: Any) -> None:
    settings = demo_context.services.settings
    run(settings.set_many({"merchant.name": "Northwind Services", "merchant.email": "billing@northwind.test"}))
    page = admin_page(qtbot, demo_context, run, "clientPortalPage")
    assert isinstance(page, ClientPortalPage)
    box = page.branding
    assert box.preview_name.text() == "Northwind Services"
    assert box.email_edit.placeholderText() == "billing@northwind.test"      # from Company details
    assert not box.contrast_warning.isVisibleTo(page)                        # the default blue passes AA

    box.accent_edit.setText("#ffcc00")                                       # yellow: white text unreadable
    assert box.contrast_warning.isVisibleTo(page)
    assert "WCAG AA" in box.contrast_warning.text() and "1.5:1" in box.contrast_warning.text()
    assert "#ffcc00" in box.preview_button.styleSheet()                      # the preview follows at once
    assert page.has_unsaved_changes()

    box.accent_edit.setText("#12")                                           # not a colour: refused, no warning
    assert box.accent_error.isVisibleTo(page) and not box.contrast_warning.isVisibleTo(page)
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "error" and run(settings.get("portal.accent_colour")) == ""

    box.accent_edit.setText("#0F766E")
    box.footer_edit.setText("  Thank you   for your business. ")
    box.phone_edit.setText("+1 555 0100")
    assert not box.accent_error.isVisibleTo(page) and not box.contrast_warning.isVisibleTo(page)
    assert "Thank you for your business." in box.preview_footer.text()
    assert "billing@northwind.test" in box.preview_footer.text() and "+1 555 0100" in box.preview_footer.text()
    page.banner.clear()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "success", page.banner.text
    assert run(settings.get("portal.accent_colour")) == "#0f766e"
    assert run(settings.get("portal.footer_text")) == "Thank you for your business."
    assert run(settings.get("portal.support_phone")) == "+1 555 0100"
    assert run(settings.get("portal.support_email")) == ""
    last = settings_changes(demo_context, run)[-1]
    assert set(last) == {"portal.accent_colour", "portal.footer_text", "portal.support_phone"}
    assert not page.has_unsaved_changes()

    box.phone_edit.setText("call us")
    assert box.phone_error.isVisibleTo(page)
    page.revert_button.click()
    assert box.phone_edit.text() == "+1 555 0100" and not box.phone_error.isVisibleTo(page)


def test_access_mode_saved_with_the_page_and_who_may_pay_at_once(qtbot: QtBot, demo_context: AppContext,
                                                                  run: Any) -> None:
    services = demo_context.services
    page = admin_page(qtbot, demo_context, run, "clientPortalPage")
    box = page.access_box
    assert box.isVisibleTo(page) and box.mode_combo.currentData() == "links"
    box.mode_combo.setCurrentIndex(box.mode_combo.findData("both"))
    assert page.has_unsaved_changes()
    page.save_button.click()
    run(wait_until(lambda: page.banner.kind is not None, 10))
    assert page.banner.kind == "success", page.banner.text
    assert run(services.settings.get("portal.access_mode")) == "both"

    companies = run(services.portal_access.companies(""))
    company_id, name = companies[0]
    assert box.table.isHidden() and not box.empty_hint.isHidden()     # the empty state says what to do
    run(box.search(name))
    assert box.company_combo.currentData() == company_id
    assert not box.table.isHidden() and box.empty_hint.isHidden()
    contacts = run(services.portal_access.contacts(company_id))
    assert box.table.rowCount() == len(contacts) >= 1
    primary = contacts[0]
    assert primary.is_primary                      # the demo marks each organization's first contact primary
    combo = box.table.cellWidget(0, 3)
    assert combo.objectName() == f"portalMayPay_{primary.id}" and combo.currentText() == "Default: may pay"
    assert run(box.set_choice(primary.id, False))
    assert not run(services.portal_access.contacts(company_id))[0].may_pay
