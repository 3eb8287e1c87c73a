"""Every figure of issue 8 in one run, each beside its reference and its goal, with one BLAS thread
and with OpenBLAS's default, on a quiet machine and (--busy) beside two busy processes.

    python benchmarks/issue8.py [--busy] [--quick]

Runs, in fresh processes and for each thread setting: ui_step.py (reset, one step + full redraw,
cold start vs the bare imports), jacobian_row.py (the slow numbers' long pole, and the event
loop's gaps while it computes), training_responsiveness.py (event-loop gaps, Esc), app_memory.py
(peak memory) and, where present, cells_speed.py (training iterations/s vs torch float32; the core's
speed, issue 12). "default" leaves OPENBLAS_NUM_THREADS unset: the app then limits BLAS to one
thread itself (rnnviz/ui/blas.py), so its figures must not depend on the setting; torch and the
bare imports follow the setting. The load average is printed before and after: other work on the
machine shows there.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def runs(quick: bool) -> list[list[str]]:
    seconds, repeats = ("2", "1") if quick else ("5", "3")
    out = [
        ["ui_step.py", "--repeats", repeats],
        ["jacobian_row.py", "--repeats", repeats],
        ["training_responsiveness.py", "--seconds", seconds],
        ["app_memory.py", "--size", "large"],
        ["app_memory.py", "--size", "words"],
    ]
    if (HERE / "cells_speed.py").exists():
        out.append(["cells_speed.py", "--repeats", "5" if quick else "15"])
    return out


def environment(threads: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARS}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    if threads == "1":
        env.update({var: "1" for var in THREAD_VARS})
    return env


def run_all(quick: bool) -> None:
    for threads in ("1", "default"):
        print(f"\n=== BLAS threads: {threads}   (load average {os.getloadavg()[0]:.2f})", flush=True)
        for script, *args in runs(quick):
            if script == "cells_speed.py":  # it sets the thread variables from its own option
                args += ["--threads", "1" if threads == "1" else str(os.cpu_count())]
            cmd = [sys.executable, str(HERE / script), *args]
            r = subprocess.run(cmd, env=environment(threads), capture_output=True, text=True, timeout=1800)
            lines = [line for line in r.stdout.splitlines() if line.strip()]
            if r.returncode:
                lines.append(f"{script} failed ({r.returncode}): {r.stderr.strip().splitlines()[-1:]}")
            for line in lines:
                print("  " + line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--busy", action="store_true", help="run beside two busy processes")
    ap.add_argument("--quick", action="store_true", help="shorter runs (rougher figures)")
    args = ap.parse_args()
    print(f"{os.cpu_count()} cores; load average {os.getloadavg()[0]:.2f} before", flush=True)
    busy = []
    if args.busy:
        for _ in range(2):
            busy.append(subprocess.Popen([sys.executable, "-c", "while 1: pass"]))
        time.sleep(1)
        print(f"beside two busy processes (pids {', '.join(str(p.pid) for p in busy)})")
    try:
        run_all(args.quick)
    finally:
        for p in busy:
            p.terminate()
            p.wait()
    print(f"\nload average {os.getloadavg()[0]:.2f} after")


if __name__ == "__main__":
    main()
