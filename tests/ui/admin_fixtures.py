"""Fixtures for the Admin tab tests: a real (non-demo) company in a temporary folder, with an in-memory
keyring that tests may use, and a signed-in first admin."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from keyring.backend import KeyringBackend

from payapp.app import AppContext, build_context
from payapp.config import load_config
from payapp.services.memory_keyring import MemoryKeyring
from tests.conftest import TEST_ALLOWED_BACKENDS
from tests.ui.conftest import close_context

ADMIN_PASSWORD = "first admin password"


def company_context(tmp_path: Path, backend: KeyringBackend, *, allow: tuple[str, ...] | None) -> AppContext:
    config = load_config(demo=False, data_dir=tmp_path / "company")
    return build_context(config, keyring_backend=backend, allow_backends=allow)


@pytest.fixture
def company_keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def company(tmp_path: Path, company_keyring: MemoryKeyring,
            run: Callable[[Awaitable[Any]], Any]) -> Iterator[AppContext]:
    """A fresh real company database (SQLite in tmp), nobody signed in yet."""
    ctx = company_context(tmp_path, company_keyring, allow=TEST_ALLOWED_BACKENDS)
    yield ctx
    close_context(ctx, run)


@pytest.fixture
def admin_company(company: AppContext, run: Callable[[Awaitable[Any]], Any]) -> AppContext:
    """The company with its first admin created and signed in."""
    assert company.services.users is not None
    run(company.services.users.create_first_admin("alice", ADMIN_PASSWORD, "Alice Admin"))
    return company
