"""Time to window: PayApp (demo mode, demo database already generated) against a bare PySide6 window.

    .venv/bin/python bench/startup.py [--runs 7] [--platform offscreen] [--importtime]

Each run is a fresh process. The clock starts just before the process is spawned and stops at the main window's
first paint, which the process reports as `PAYAPP_SHOWN <unix time>` (PayApp: PAYAPP_EXIT_AFTER_SHOWN=1, see
payapp/gui.py; the bare window prints the same line from its own paint event). PayApp paints its window before
it opens the company database; it then reports `PAYAPP_READY` when the real tabs are in and painted, so the
JSON shows both: `ratio` (time to window, the target) and `ready_ratio` (time until the tabs can be used).
Prints JSON: every run, the medians and the ratios. With --importtime, also the slowest imports of one PayApp
start (python -X importtime).

Bytecode is compiled once before the runs and written (PYTHONDONTWRITEBYTECODE is dropped for the child
processes): an installed PayApp (pip or the PyInstaller bundle) starts from compiled bytecode, so compiling
every module on every start would measure the development checkout, not the app.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

BARE = r"""
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("bare"))
class FirstPaint(QObject):
    done = False
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and not self.done:
            self.done = True
            print(f"PAYAPP_SHOWN {time.time():.6f}", flush=True)
            QTimer.singleShot(0, app.quit)
        return False
f = FirstPaint()
window.installEventFilter(f)
window.resize(1280, 800)
window.show()
app.exec()
"""


def _env(tmp: Path, platform: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PAYAPP_EXIT_AFTER_SHOWN="1", PAYAPP_DATA_DIR=str(tmp / "data"), PAYAPP_LOG_DIR=str(tmp / "log"),
               QT_QPA_PLATFORM=platform)
    env.pop("PAYAPP_DATABASE_URL", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_to(cmd: list[str], env: dict[str, str], timeout: float = 60) -> dict[str, float]:
    """Seconds from spawning `cmd` to each `PAYAPP_<EVENT> <unix time>` line it prints: {"shown": …, "ready": …}."""
    started = time.time()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    moments = {line.split()[0].removeprefix("PAYAPP_").lower(): float(line.split()[1]) - started
               for line in proc.stdout.splitlines() if line.startswith("PAYAPP_")}
    if "shown" not in moments:
        raise RuntimeError(f"{cmd} never reported its window (exit {proc.returncode}): {proc.stderr[-2000:]}")
    return moments


def time_to_window(cmd: list[str], env: dict[str, str], timeout: float = 60) -> float:
    return time_to(cmd, env, timeout)["shown"]


def slowest_imports(cmd: list[str], env: dict[str, str], top: int = 15) -> list[dict[str, object]]:
    proc = subprocess.run([cmd[0], "-X", "importtime", *cmd[1:]], env=env, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    rows = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _self, cumulative, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
        rows.append({"module": name.strip(), "cumulative_ms": int(cumulative) / 1000})
    top_level = [r for r in rows if not str(r["module"]).startswith(" ") and "." not in str(r["module"])]
    return sorted(top_level, key=lambda r: -float(r["cumulative_ms"]))[:top]  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--platform", default=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                        help="Qt platform plugin (default offscreen; xcb/windows/cocoa for a real screen)")
    parser.add_argument("--importtime", action="store_true", help="also list the slowest top-level imports")
    args = parser.parse_args()

    payapp_cmd = [sys.executable, "-m", "payapp", "--demo"]
    bare_cmd = [sys.executable, "-c", BARE]
    with tempfile.TemporaryDirectory(prefix="payapp-bench-") as tmp_name:
        env = _env(Path(tmp_name), args.platform)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "payapp")], check=True, env=env)
        time_to(payapp_cmd, env, timeout=300)             # generates the demo database; not counted
        time_to_window(bare_cmd, env)                      # warms the OS file cache; not counted
        payapp_runs, ready_runs, bare_runs = [], [], []
        for _ in range(args.runs):                         # interleaved, so drift hits both alike
            bare_runs.append(time_to_window(bare_cmd, env))
            moments = time_to(payapp_cmd, env)
            payapp_runs.append(moments["shown"])
            ready_runs.append(moments.get("ready", float("nan")))
        result: dict[str, object] = {
            "benchmark": "startup_time_to_window",
            "platform": args.platform,
            "runs": args.runs,
            "bare_s": [round(t, 3) for t in bare_runs],
            "payapp_s": [round(t, 3) for t in payapp_runs],
            "bare_median_s": round(statistics.median(bare_runs), 3),
            "payapp_median_s": round(statistics.median(payapp_runs), 3),
            "payapp_ready_s": [round(t, 3) for t in ready_runs],
            "payapp_ready_median_s": round(statistics.median(ready_runs), 3),
        }
        result["ratio"] = round(statistics.median(payapp_runs) / statistics.median(bare_runs), 2)
        result["target_ratio"] = 1.5
        result["ready_ratio"] = round(statistics.median(ready_runs) / statistics.median(bare_runs), 2)
        if args.importtime:
            result["slowest_imports"] = slowest_imports(payapp_cmd, env)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
