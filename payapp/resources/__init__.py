"""Icons and translations, shipped INSIDE the package so they resolve the same way everywhere.

Why inside `payapp/` and not a top-level `resources/` folder: `pip install .` copies only the package into
site-packages, so a path like `Path(__file__).parent.parent / "resources"` would point nowhere once installed.
Here the files travel with the package (pyproject `package-data`), and the PyInstaller spec copies this folder to
the same relative place in the bundle (`payapp/resources`), so `resource()` needs no `sys._MEIPASS` checks.

Layout:
    icons/app.svg (+ app.ico, app.icns, app-256.png made by tools/make_icons.py)
    icons/brands/{visa,mastercard,amex,discover,diners,jcb,bank}.svg
    icons/states/{approved,declined,pending,unknown,voided,refunded,returned,...}.svg
    i18n/payapp_{de,en}.ts (sources, tools/i18n.py update) and .qm (compiled, committed; tools/i18n.py compile)
"""

from __future__ import annotations

from pathlib import Path

RESOURCES = Path(__file__).resolve().parent

CARD_BRANDS = ("visa", "mastercard", "amex", "discover", "diners", "jcb", "bank")
PAYMENT_STATES = ("approved", "settled", "declined", "pending", "unknown", "voided", "refunded",
                  "partially_refunded", "returned", "error")


def resource(name: str) -> Path:
    """Absolute path of a shipped resource, e.g. resource("icons/app.svg"). Raises FileNotFoundError if absent."""
    path = RESOURCES / name
    if not path.exists():
        raise FileNotFoundError(f"PayApp resource missing: {name}")
    return path


def brand_icon_path(brand: str) -> Path:
    """The badge for a card brand ("visa", "Mastercard", "American Express"...) or "bank" for eCheck/ACH;
    unknown brands get a generic card."""
    key = brand.strip().lower().replace(" ", "").replace("_", "")
    aliases = {"americanexpress": "amex", "dinersclub": "diners", "mc": "mastercard", "ach": "bank",
               "echeck": "bank", "checking": "bank", "savings": "bank"}
    key = aliases.get(key, key)
    return RESOURCES / "icons" / "brands" / (f"{key}.svg" if key in CARD_BRANDS else "card.svg")


def state_icon_path(state: str) -> Path:
    key = state.strip().lower()
    return RESOURCES / "icons" / "states" / (f"{key}.svg" if key in PAYMENT_STATES else "unknown.svg")
