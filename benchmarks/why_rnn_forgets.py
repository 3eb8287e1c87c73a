"""The twelfth lesson's numbers: the vanilla RNN beside an LSTM on task 2a, measured as the app makes them.

    python benchmarks/why_rnn_forgets.py [--iterations 3000] [--seeds 10]

The lesson's preset (rnnviz/lessons/12_why_the_rnn_forgets.json) is read from the file; the models,
the sequence traced on screen and the training batches come from the app's own functions
(Settings -> make_source, make_model, sequence_rng, Trainer seeded by the seed, as compare mode
trains both cells). Printed, for the preset's seed: before and after training, the going-back plot's
ratio |dE_t/da_0| / |dE_t/da_t| at the last step t = p - 1 (the gradient view's point at k = 0), the
contribution heatmap's C[t, 0] / C[t, t], and the last step's o_t[y_t] (the loss view's tooltip);
after training, the smoothed loss (the loss view's title) and task 2a's criterion on 10,000
sequences. Then, for seeds 0..N-1 with the same preset: the first iteration (checked every 250) at
which each cell meets the criterion, within the budget.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rnnviz.core import Trainer  # noqa: E402
from rnnviz.core.lessons import load_lesson  # noqa: E402
from rnnviz.core.settings import make_model, make_source, sequence_rng, train_config  # noqa: E402
from rnnviz.ui.tables import smoothed_loss  # noqa: E402  (no Qt: the loss view's smoothing)
from rnnviz.ui.trace_numbers import decay_row  # noqa: E402  (no Qt: the gradient view's numbers)

LESSON = ROOT / "rnnviz" / "lessons" / "12_why_the_rnn_forgets.json"
CHECK_EVERY = 250


def cells(s):
    return (s.cell, s.compare)


def trace_numbers(model, x, y) -> str:
    t = len(x) - 1
    ratio = decay_row(model, x, y, t).ratio[0]
    C = model.contributions(x, y)
    o = model.forward(x).o[t, y[t]]
    return f"ratio at k=0 {ratio:.3g}, C[t,0]/C[t,t] {C[t, 0] / C[t, t]:.3g}, o_t[y_t] {o:.4f}"


def passes(source, model) -> bool:
    return source.evaluate(lambda x: model.forward(x).o, np.random.default_rng(0)).passed


def the_preset_run(s, iterations: int) -> None:
    source = make_source(s)
    x, y = source.sample(sequence_rng(s), s.seq_len)
    print(
        f"preset: {s.task} p = {s.lag}, H = {s.hidden}, seed {s.seed}, {s.optimizer} lr {s.lr}, clip {s.clip}"
    )
    words = " ".join
    print(f"traced sequence x = {words(source.vocab.decode(x))}, y = {words(source.vocab.decode(y))}")
    for cell in cells(s):
        model = make_model(s, len(source.vocab), cell)
        before = trace_numbers(model, x, y)
        trainer = Trainer(model, source, train_config(s), seed=s.seed)
        trainer.run(iterations)
        loss = smoothed_loss(trainer.history)[0]
        verdict = source.evaluate(lambda x: model.forward(x).o, np.random.default_rng(0))  # noqa: B023
        print(f"{cell.upper()} untrained: {before}")
        print(f"{cell.upper()} after {iterations}: {trace_numbers(model, x, y)}, smoothed loss {loss:.4f},")
        print(f"    criterion passed {verdict.passed}, largest output error {verdict.worst:.3f}")


def first_success(s, cell: str, iterations: int) -> int | None:
    source = make_source(s)
    model = make_model(s, len(source.vocab), cell)
    trainer = Trainer(model, source, train_config(s), seed=s.seed)
    for done in range(CHECK_EVERY, iterations + 1, CHECK_EVERY):
        trainer.run(CHECK_EVERY)
        if passes(source, model):
            return done
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=3000)
    ap.add_argument("--seeds", type=int, default=10)
    args = ap.parse_args()
    s = load_lesson(LESSON).settings
    the_preset_run(s, args.iterations)
    print(f"\nseeds 0..{args.seeds - 1}, the same preset, {args.iterations} iterations:")
    for cell in cells(s):
        firsts = [first_success(replace(s, seed=seed), cell, args.iterations) for seed in range(args.seeds)]
        solved = sum(f is not None for f in firsts)
        said = ", ".join("-" if f is None else str(f) for f in firsts)
        print(
            f"{cell.upper()}: met the criterion in {solved}/{args.seeds} (first iteration per seed: {said})"
        )


if __name__ == "__main__":
    main()
