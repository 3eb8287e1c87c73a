"""`python -m rnnviz.experiments NAME --seeds 5`: train each cell on a paper's task from several seeds and
print the table (Markdown) with the published figures beside. NAME: long-lag, embedded-reber,
temporal-order, all (those three), or smoke (a seconds-long check)."""

from __future__ import annotations

import argparse
import sys
import time

from rnnviz.experiments.catalog import ALL, EXPERIMENTS
from rnnviz.experiments.runner import run_experiment
from rnnviz.experiments.table import report


def _seeds(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seeds must be a whole number, got {text!r}") from None
    if not 1 <= value <= 100:
        raise argparse.ArgumentTypeError(f"seeds must be between 1 and 100, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="python -m rnnviz.experiments",
        description="Reproduce the papers' long-range memory results: a table of success rates over seeds.",
    )
    ap.add_argument(
        "name", choices=(*ALL, "all", "smoke"), help="which experiment ('all': the three papers' tasks)"
    )
    ap.add_argument("--seeds", type=_seeds, default=5, help="trials per row, seeds 0..N-1 (default 5)")
    ap.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    names = ALL if args.name == "all" else (args.name,)
    start = time.perf_counter()

    def progress(done: int, total: int, what: str) -> None:
        if not args.quiet:
            print(
                f"[{done}/{total} {time.perf_counter() - start:6.0f} s] {what}", file=sys.stderr, flush=True
            )

    for i, name in enumerate(names):
        experiment = EXPERIMENTS[name]
        rows = run_experiment(experiment, seeds=args.seeds, progress=progress)
        print(("\n" if i else "") + report(experiment, rows, args.seeds), flush=True)
    print(f"\nRun time: {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
