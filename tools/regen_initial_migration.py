"""Regenerate migration 0001 from the ORM models.

Until PayApp ships a release there is one initial migration; after the first release, new schema
changes get new revisions (`alembic revision --autogenerate`) and this tool is retired.
Run: `.venv/bin/python tools/regen_initial_migration.py`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command

from payapp.migrations import HERE, alembic_config

TARGET = HERE / "versions" / "0001_initial.py"


def main() -> None:
    TARGET.unlink(missing_ok=True)
    for stale in (HERE / "versions").glob("*_initial_schema.py"):
        stale.unlink()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'empty.db'}"
        cfg = alembic_config(url)
        # Autogenerate against an empty database, with no later revisions in the way.
        later = sorted(p for p in (HERE / "versions").glob("0*.py"))
        hidden = [p.rename(p.with_suffix(".hidden")) for p in later]
        try:
            command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
        finally:
            for p in hidden:
                p.rename(p.with_suffix(".py"))
    generated = next((HERE / "versions").glob("0001_*.py"))
    generated.rename(TARGET)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
