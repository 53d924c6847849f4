"""The composition root (payapp/app.py) builds every service without Qt: the coming web portal imports and
builds them in a process where PySide6, qasync and shiboken6 cannot be imported at all."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import MISSING, fields
from pathlib import Path

from payapp.services.context import Services

_WITHOUT_QT = textwrap.dedent('''
    import asyncio, importlib, pkgutil, sys
    from pathlib import Path

    class NoQt:
        """A finder that refuses Qt, as on a web server where it is not installed."""
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "qasync", "shiboken6"):
                raise ImportError(f"no Qt here: {name}")
            return None

    sys.meta_path.insert(0, NoQt())
    import payapp
    for package in ("domain", "models", "connectors", "services", "sandbox"):
        root = importlib.import_module(f"payapp.{package}")
        for info in pkgutil.walk_packages(root.__path__, f"payapp.{package}."):
            importlib.import_module(info.name)
    from payapp.app import build_context
    from payapp.config import load_config

    ctx = build_context(load_config(demo=True, data_dir=Path(sys.argv[1])))

    async def use() -> None:
        try:
            await ctx.services.connections.setup_demo()     # the demo's sandboxes, wired by the root
            status = await ctx.services.connections.quickbooks_status()
            assert status.connected, status
            from payapp.services.invoices import InvoiceQuery

            assert await ctx.services.invoices.page(InvoiceQuery(), limit=5)      # the demo company is there
        finally:
            await ctx.aclose()

    asyncio.run(use())
    qt = sorted(m for m in sys.modules if m.split(".")[0] in ("PySide6", "qasync", "shiboken6"))
    assert not qt, qt
    print("built without Qt")
''')


def test_every_service_imports_and_is_built_without_qt(tmp_path: Path) -> None:
    env = dict(os.environ, PAYAPP_LOG_DIR=str(tmp_path / "logs"))
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run([sys.executable, "-c", _WITHOUT_QT, str(tmp_path / "data")], capture_output=True,
                            text=True, env=env, timeout=180, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("built without Qt")


def test_services_are_required_typed_fields_with_no_untyped_extras() -> None:
    """Every service is built by the root and handed over whole: no field may be left out, none is an
    untyped bag (`extras`), and a widget never has to check for a missing service."""
    optional = {f.name for f in fields(Services) if f.default is not MISSING or f.default_factory is not MISSING}
    assert optional == {"demo", "locale"}
    assert "extras" not in {f.name for f in fields(Services)}
    assert {"refund_approvals", "processing", "payments", "sync", "outbox", "connections"} <= {
        f.name for f in fields(Services)}
