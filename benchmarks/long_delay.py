"""RNN, LSTM and GRU on a long delay: the final losses the tenth lesson's caption states, over seeds.

    python benchmarks/long_delay.py [--seeds 5] [--iterations 5000] [--delay 8] [--hidden 32] [--seq-len 30]

Each cell trains from the seed on the echo task (output the symbol read `delay` steps earlier), with
the app's training settings (Adagrad, learning rate 0.1, gradient norm clipped at 5, full BPTT), as
compare mode trains two cells: the same sequences for every cell of one seed. Printed: the smoothed
loss at the end (the loss view's definition, ui/tables.smoothed_loss) per seed, and their mean. For
reference: what predicting '.' right and guessing the echoed symbol costs, (T - delay) / T * log 4.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rnnviz.core import Trainer  # noqa: E402
from rnnviz.core.settings import Settings, make_model, make_source, train_config  # noqa: E402
from rnnviz.ui.tables import smoothed_loss  # noqa: E402  (no Qt: the loss view's smoothing)


def final_loss(cell: str, seed: int, args) -> float:
    s = Settings(
        task="echo", delay=args.delay, hidden=args.hidden, seq_len=args.seq_len, seed=seed, cell=cell
    )
    source = make_source(s)
    trainer = Trainer(make_model(s, len(source.vocab)), source, train_config(s), seed=seed)
    trainer.run(args.iterations)
    return smoothed_loss(trainer.history)[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=5000)
    ap.add_argument("--delay", type=int, default=8)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--seq-len", type=int, default=30)
    args = ap.parse_args()
    guess = (args.seq_len - args.delay) / args.seq_len * np.log(4)
    print(
        f"echo delay {args.delay}, H = {args.hidden}, T = {args.seq_len}, {args.iterations} iterations,"
        f" Adagrad lr 0.1, clip 5; seeds 0..{args.seeds - 1}; guessing the echo costs {guess:.3f}"
    )
    print(f"| cell | {' | '.join(f'seed {i}' for i in range(args.seeds))} | mean |")
    print("|---" * (args.seeds + 2) + "|")
    for cell in ("rnn", "lstm", "gru"):
        t0 = time.perf_counter()
        losses = [final_loss(cell, seed, args) for seed in range(args.seeds)]
        row = " | ".join(f"{v:.3f}" for v in losses)
        print(f"| {cell.upper()} | {row} | {np.mean(losses):.3f} |   ({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
