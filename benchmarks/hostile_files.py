"""What hostile and large files cost to refuse or to open, and how fast the app ends when its
window is closed during a step-through export (issue 11).

    python benchmarks/hostile_files.py

Prints time and peak traced memory (tracemalloc: NumPy reports its arrays to it) beside the goal
for each case, then the exit time of `rnnviz --task text --hidden 128 --seq-len 120` whose window
is closed while it renders a GIF. Timings depend on the machine; the tests check mechanisms only.
"""

import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.core.data import MAX_TEXT_BYTES, read_text_file  # noqa: E402
from rnnviz.core.session_file import LIMITS, load_session, save_session  # noqa: E402
from tests.session_files import forged_npy, member_bytes, npy_bytes, valid_data, write_members  # noqa: E402
from tests.ui.test_closing import DRIVER  # noqa: E402


def measure(label: str, fn, goal: str) -> None:
    tracemalloc.start()
    t0 = time.perf_counter()
    try:
        fn()
        outcome = "opened"
    except ValueError as e:
        outcome = f"refused: {str(e)[:70]}"
    elapsed = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{label:<38} {elapsed * 1e3:8.1f} ms {peak / 2**20:8.1f} MiB   goal {goal:<22} {outcome}")


def hostile_files(folder: Path) -> None:
    base = folder / "base.rnnviz"
    save_session(base, valid_data(seq_len=10))

    long_x = folder / "long.rnnviz"
    members = member_bytes(base)
    members["x"] = members["y"] = npy_bytes(np.zeros(30_000, np.int64))
    write_members(long_x, members)
    measure("x of 30,000 tokens (seq_len 10)", lambda: load_session(long_x), "refused, < 4 MiB")

    bomb = folder / "bomb.rnnviz"
    write_members(bomb, member_bytes(base))
    with (
        zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as zf,
        zf.open("bomb.npy", "w", force_zip64=True) as f,
    ):
        f.write(forged_npy("<f8", (512 * 2**20,)))
        for _ in range(4096):  # 4 GiB of zeros, about 4 MB compressed
            f.write(bytes(2**20))
    label = f"extra member inflating to 4 GiB ({bomb.stat().st_size // 2**20} MB)"
    measure(label, lambda: load_session(bomb), "refused, < 4 MiB")

    trillion = folder / "trillion.rnnviz"
    members = member_bytes(base)
    members["U"] = forged_npy("<f8", (10**6, 10**6), b"\0" * 64)
    write_members(trillion, members)
    measure("U header declaring 10^12 values", lambda: load_session(trillion), "refused, < 4 MiB")

    many = folder / "many.rnnviz"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(150_000):
            zf.writestr(f"{i}.npy", b"")
    measure("150,000 zip entries (14 MB)", lambda: load_session(many), "refused, < 4 MiB")

    huge_text = folder / "huge.txt"
    with open(huge_text, "wb") as f:
        f.truncate(3_000_000_000)
    measure("3 GB text file", lambda: read_text_file(huge_text), "refused, < 4 MiB")

    K, H, T = LIMITS["K"], LIMITS["H"], LIMITS["T"]
    text = "".join(chr(0x4E00 + i) for i in range(K)) * (MAX_TEXT_BYTES // (3 * K))  # K different characters
    big = folder / "largest.rnnviz"
    save_session(big, valid_data(task="file", text=text, hidden=H, seq_len=T))
    size = big.stat().st_size
    print(f"(largest valid file: K={K} H={H} T={T}, text {len(text.encode()):,} bytes: {size:,} bytes)")
    measure("largest valid session", lambda: load_session(big), "opened")


def exit_after_close(folder: Path, runs: int = 3) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(folder / "config")}
    root = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    for i in range(runs):
        out = folder / f"exit{i}" / "steps.gif"
        out.parent.mkdir()
        p = subprocess.Popen([sys.executable, "-c", DRIVER, str(out)], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)  # fmt: skip
        closed_at = None
        for line in p.stdout:  # the driver says "closing" as it closes the window mid-export
            if line.strip() == "closing":
                closed_at = time.perf_counter()
        p.wait(timeout=120)
        ended = time.perf_counter()
        p.stdout.close()
        what = f"exited {ended - closed_at:.3f} s after the close" if closed_at else "never closed"
        print(f"window closed during a GIF export (H 128, T 120): {what} (exit code {p.returncode}); "
              f"goal < 1 s; files left: {len(list(out.parent.iterdir()))}")  # fmt: skip


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        hostile_files(Path(tmp))
        exit_after_close(Path(tmp))
