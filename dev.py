#!/usr/bin/env python3
"""The two commands a developer needs, on Windows, macOS and Linux:

    python3 dev.py run [payapp arguments]   # opens PayApp (demo mode when nothing is configured)
    python3 dev.py test [pytest arguments]  # lint, import contracts, types and the whole test suite

Each creates `.venv` beside this file on first use and installs what is needed into it (again only when
pyproject.toml changes). Nothing is installed outside `.venv`."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def ensure_venv(extras: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 (dev.py runs on whatever python3 the user has)
        sys.exit("PayApp needs Python 3.11 or newer.")
    if not PY.exists():
        print(f"Creating a virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / f".installed-{extras or 'app'}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing PayApp and its dependencies into .venv ...", flush=True)
    target = f".[{extras}]" if extras else "."
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(digest)


def run(args: list[str]) -> int:
    ensure_venv("")
    return subprocess.call([str(PY), "-m", "payapp", *args], cwd=ROOT)


def test(args: list[str]) -> int:
    ensure_venv("test")
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    steps = [
        # the translations as committed: every string has German, and each .qm matches its .ts (never recompiled
        # here, so a stale catalogue fails instead of being fixed in passing)
        [str(PY), str(ROOT / "tools" / "i18n.py"), "check"],
        [str(PY), "-m", "ruff", "check", "payapp", "tests", "bench", "tools", "dev.py"],
        [str(BIN / "lint-imports")],
        [str(PY), "-m", "mypy"],
    ]
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)), flush=True)
        code = subprocess.call(step, cwd=ROOT, env=env)
        if code:
            return code
    pytest = [str(PY), "-m", "pytest", "-q", "-p", "no:randomly"]
    if args:                       # a chosen part of the suite: one pytest, as asked
        print("$", "python -m pytest", " ".join(args), flush=True)
        return subprocess.call([*pytest, *args], cwd=ROOT, env=env)
    return run_shards(pytest, env)


# The whole suite runs as four pytest processes side by side (most tests wait on sockets, the database, a
# browser and subprocesses, so together they keep both cores busy): the desktop's Qt tests with the pure unit
# tests, the client portal (in a real browser), and the services against the real database, sandboxes and SMTP
# server in two halves. The portal's browser tests and the Qt tests never share a process: Qt objects left by
# one and freed during the other crashed pytest-qt. Plain processes rather than pytest-xdist: each shard runs its
# files in pytest's usual order, and a crash is reported by its own shard.
SHARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("desktop", ("tests/unit", "tests/ui")),
    ("portal", ("tests/portal",)),
    # the services' tests are the most, in two halves: the first files and the payment engine's ...
    ("services-a", ("tests/integration/test_[a-h]*.py", "tests/integration/test_pay*.py")),
    # ... and the rest of tests/integration (a folder takes the files no earlier shard took)
    ("services-b", ("tests/contract", "tests/integration")),
)


def shard_files() -> dict[str, list[str]]:
    """Each shard's test files, in pytest's own order: a glob takes what it matches, a folder every test file in
    it that no earlier shard took."""
    taken: set[Path] = set()
    shards: dict[str, list[str]] = {}
    for name, patterns in SHARDS:
        files: list[Path] = []
        for pattern in patterns:
            found = (sorted((ROOT / pattern).rglob("test_*.py")) if (ROOT / pattern).is_dir()
                     else sorted(ROOT.glob(pattern)))
            files += [f for f in found if f not in taken and f not in files]
        taken.update(files)
        shards[name] = sorted(f.relative_to(ROOT).as_posix() for f in files)
    return shards


def run_shards(pytest: list[str], env: dict[str, str]) -> int:
    import tempfile
    import time

    shards = shard_files()
    claimed = {f for files in shards.values() for f in files}
    missing = sorted(f.relative_to(ROOT).as_posix() for f in (ROOT / "tests").rglob("test_*.py")
                     if f.relative_to(ROOT).as_posix() not in claimed)
    if missing:                    # a new test folder must be given a shard, or it would silently never run
        print(f"dev.py: test files in no shard: {', '.join(missing)}", flush=True)
        return 1
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="payapp-tests-") as tmp:
        running = []
        for name, patterns in SHARDS:
            log = open(Path(tmp) / f"{name}.log", "w+", encoding="utf-8")  # noqa: SIM115 (closed below)
            cmd = [*pytest, "--basetemp", str(Path(tmp) / f"{name}-tmp"), *shards[name]]
            print("$", "python -m pytest", " ".join(patterns), f"  [{name}: {len(shards[name])} files]", flush=True)
            running.append((name, log, subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)))
        codes = {}
        for name, log, proc in running:
            codes[name] = proc.wait()
            log.seek(0)
            print(f"\n===== shard {name}: {' '.join(dict(SHARDS)[name])} =====", flush=True)
            sys.stdout.write(log.read())
            log.close()
    failed = [name for name, code in codes.items() if code]
    print(f"\nall shards done in {time.monotonic() - started:.0f} s; "
          + (f"FAILED: {', '.join(failed)}" if failed else "every shard passed"), flush=True)
    return 1 if failed else 0


def main() -> int:
    if len(sys.argv) < 2 or sys.argv[1] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = sys.argv[1], sys.argv[2:]
    return run(rest) if command == "run" else test(rest)


if __name__ == "__main__":
    sys.exit(main())
