"""Command line: `rnnviz [options]` or `python -m rnnviz [options]`."""

from __future__ import annotations

import argparse
import sys

from rnnviz.ui import start_up

start_up.before_imports()  # first: BLAS's thread count before NumPy loads; no collector until shown

from rnnviz.core.cells import CELL_NAMES  # noqa: E402
from rnnviz.core.settings import APP_TASKS, LIMITS  # noqa: E402


def _positive(kind: str, low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{kind} must be a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{kind} must be between {low} and {high}, got {value}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="rnnviz", description="Step inside a recurrent neural network.")
    ap.add_argument(
        "--task",
        choices=APP_TASKS,
        default="echo",
        help="toy task, built-in text, or a long-range task (long-lag, embedded-reber, temporal-order:"
        " these set their own sequence length)",
    )
    ap.add_argument(
        "--lag",
        type=_positive("lag p", *LIMITS["lag"]),
        default=10,
        metavar="P",
        help="long-lag (task 2a): the time lag p, i.e. sequences of p steps",
    )
    ap.add_argument(
        "--order-length",
        type=_positive("order length L", *LIMITS["order_length"]),
        default=20,
        metavar="L",
        help="temporal-order: sequences of L to L + L//10 steps",
    )
    ap.add_argument("--hidden", type=_positive("hidden size", 1, 256), default=16, metavar="H")
    ap.add_argument("--seq-len", type=_positive("sequence length", 1, 200), default=12, metavar="T")
    ap.add_argument("--seed", type=_positive("seed", 0, 2**31 - 1), default=0, metavar="S")
    ap.add_argument(
        "--steps",
        type=_positive("steps", 0, 100_000),
        default=0,
        metavar="N",
        help="advance N steps after start",
    )
    ap.add_argument("--screenshot", metavar="FILE.png", help="render the window to FILE and exit")
    ap.add_argument("--cell", choices=CELL_NAMES, default=None, help="the recurrent cell (default rnn)")
    ap.add_argument(
        "--compare",
        type=_cell_pair,
        default=None,
        metavar="A,B",
        help="compare two cells side by side on the same data, e.g. rnn,lstm",
    )
    return ap


def _cell_pair(text: str) -> tuple[str, str]:
    names = tuple(n.strip().lower() for n in text.split(","))
    if len(names) != 2 or any(n not in CELL_NAMES for n in names):
        raise argparse.ArgumentTypeError(
            f"--compare takes two cells of {', '.join(CELL_NAMES)} separated by a comma, got {text!r}"
        )
    if names[0] == names[1]:
        raise argparse.ArgumentTypeError(f"--compare needs two different cells, got {text!r}")
    return names


def cells_of(args) -> tuple[str, str]:
    """(cell, compared cell or '') from --cell and --compare (parse_args has checked each)."""
    if args.compare is None:
        return args.cell or "rnn", ""
    return args.compare


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        build_parser().error(f"--screenshot must name a .png file, got {args.screenshot!r}")
    if args.cell is not None and args.compare is not None and args.cell != args.compare[0]:
        build_parser().error(
            f"--cell {args.cell} and --compare {','.join(args.compare)} name different cells"
        )
    from rnnviz.ui import display

    if args.screenshot:
        display.use_offscreen_for_screenshots()
    else:
        problem = display.display_problem()
        if problem:  # say so plainly, instead of Qt's abort
            print(problem, file=sys.stderr)
            return 1
    from rnnviz.ui.app import run  # Qt is imported only once the arguments are good

    return run(args)


if __name__ == "__main__":
    sys.exit(main())
