"""Command line: `rnnviz [options]` or `python -m rnnviz [options]`."""

from __future__ import annotations

import argparse
import sys

from rnnviz.core.settings import APP_TASKS, LIMITS


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
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        build_parser().error(f"--screenshot must name a .png file, got {args.screenshot!r}")
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
