"""What the runner can run: the papers' experiments as rows of (task, cell, recipe), with the published
figure to print beside each measured one. Data only; runner.py runs them.

The recipes were chosen so the full table fits in 15 minutes on a 2-core machine, with far fewer
training sequences and trials than the papers (H&S 1997's Table 2 averages 18 trials of up to millions
of sequences): a failure here means "not within this budget". Each task has one recipe for all three
cells (hidden size, optimizer, learning rate, clipping, budget), chosen after short single-seed probes
listed in docs/experiments.md; the one cell-specific choice is the LSTM's forget bias (below). Task 2a
also has an IRNN row (Le et al. 2015: ReLU, W = I) with its own recipe.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

HS97 = "Hochreiter & Schmidhuber 1997"
FORGET_BIAS = 5.0  # sigma(5) = 0.993: the LSTM starts close to the 1997 LSTM, which had no forget gate
TRIALS_NOTE = (
    "Fewer trials and far fewer training sequences than the papers (H&S 1997's Table 2 averages 18 trials;"
    " the paper allowed millions of sequences, here 6,000-20,000 per trial): a failure here means"
    " 'not solved within this budget'."
)


@dataclass(frozen=True)
class Recipe:
    """How one cell is trained on one task."""

    hidden: int  # H
    optimizer: str  # 'sgd' or 'adagrad'
    lr: float
    budget: int  # training sequences at most
    check_every: int  # sequences between success checks (so sequences-to-success is a multiple of it)
    clip: float | None = 5.0
    clip_kind: str = "norm"
    options: Mapping = field(default_factory=lambda: MappingProxyType({}))  # the cell's options

    def describe(self) -> str:
        clip = "no clipping" if self.clip is None else f"clip {self.clip:g} ({self.clip_kind})"
        extra = "".join(f", {_OPTION_WORDS.get(k, k)} {_value(v)}" for k, v in self.options.items())
        return f"H={self.hidden}, {self.optimizer} lr {self.lr:g}, {clip}{extra}, ≤{self.budget:,} seq"


def _value(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


_OPTION_WORDS = {"forget_bias": "forget bias", "activation": "activation", "w_init": "W init"}


@dataclass(frozen=True)
class Setting:
    """One row of a table: a task (by its long_range registry name and parameters), a cell, a recipe."""

    task: str  # 'long-lag', 'embedded-reber' or 'temporal-order'
    params: Mapping  # e.g. {'p': 10}
    cell: str  # 'rnn', 'lstm' or 'gru'
    recipe: Recipe
    cell_label: str = ""  # what the table calls the cell (default: the cell's name)
    published: str = ""  # the paper's figure with its citation ('' when the papers give none)

    @property
    def task_label(self) -> str:
        names = {
            "long-lag": "task 2a",
            "embedded-reber": "embedded Reber",
            "temporal-order": "temporal order",
        }
        args = ", ".join(f"{'L' if k == 'length' else k} = {v}" for k, v in self.params.items())
        return names.get(self.task, self.task) + (f", {args}" if args else "")


@dataclass(frozen=True)
class Experiment:
    name: str
    title: str
    settings: tuple[Setting, ...]
    note: str = TRIALS_NOTE
    sweep: str = ""  # the parameter whose longest solved value is summarised ('p', 'length'), if any


# --- the papers' figures (issue 13 quotes them) ------------------------------------------------------

LONG_LAG_PUBLISHED = {  # (p, cell) -> figure
    (4, "rnn"): f"RTRL: 78% of 18 trials, after 1,043,000 sequences ({HS97}, Table 2)",
    (10, "rnn"): f"RTRL: 0% ({HS97}, Table 2)",
    (20, "rnn"): f"RTRL: 0% at p = 10 ({HS97}, Table 2)",
    (50, "rnn"): f"BPTT: 0% at p = 100 ({HS97}, Table 2)",
    (100, "rnn"): f"BPTT: 0% ({HS97}, Table 2)",
    (50, "lstm"): f"LSTM: 100% at p = 100, after 5,040 sequences ({HS97}, Table 2)",
    (100, "lstm"): f"LSTM: 100%, after 5,040 sequences ({HS97}, Table 2)",
}
REBER_PUBLISHED = {
    "rnn": f"Elman nets: 0%; RTRL: 'some fraction' ({HS97}, Table 1)",
    "lstm": f"LSTM: 97-100%, best 100% after 8,440 sequences ({HS97}, Table 1)",
}
TEMPORAL_ORDER_PUBLISHED = {
    (100, "lstm"): f"LSTM solves L = 100 ({HS97}, exp. 6a; the issue quotes no count)",
}

# --- recipes ---------------------------------------------------------------------------------------

CELLS = ("rnn", "lstm", "gru")
CELL_OPTIONS = {"lstm": MappingProxyType({"forget_bias": FORGET_BIAS})}  # the one cell-specific choice


def _recipe(cell: str, **kw) -> Recipe:
    return Recipe(**kw, options=CELL_OPTIONS.get(cell, MappingProxyType({})))


def long_lag(ps=(4, 10, 20, 50), cells=CELLS, irnn=True) -> Experiment:
    rows = []
    for p in ps:
        for cell in cells:
            recipe = _recipe(cell, hidden=32, optimizer="sgd", lr=1.0, budget=10_000, check_every=250)
            rows.append(
                Setting("long-lag", {"p": p}, cell, recipe, published=LONG_LAG_PUBLISHED.get((p, cell), ""))
            )
        if irnn:  # Le et al. 2015: ReLU and W = I; SGD at lr 1 diverges, so Adagrad
            irnn_options = MappingProxyType({"activation": "relu", "w_init": "identity"})
            recipe = Recipe(32, "adagrad", 0.01, 10_000, 250, options=irnn_options)
            rows.append(Setting("long-lag", {"p": p}, "rnn", recipe, cell_label="rnn (IRNN)"))
    return Experiment("long-lag", f"Long time lag ({HS97}, task 2a)", tuple(rows), sweep="p")


def embedded_reber(cells=CELLS) -> Experiment:
    rows = [
        Setting(
            "embedded-reber",
            {},
            cell,
            _recipe(cell, hidden=12, optimizer="adagrad", lr=0.1, budget=20_000, check_every=500),
            published=REBER_PUBLISHED.get(cell, ""),
        )
        for cell in cells
    ]
    return Experiment("embedded-reber", f"Embedded Reber grammar ({HS97}, experiment 1)", tuple(rows))


def temporal_order(lengths=(10, 20, 50, 100), cells=CELLS) -> Experiment:
    rows = []
    for length in lengths:
        for cell in cells:
            recipe = _recipe(cell, hidden=16, optimizer="adagrad", lr=0.1, budget=6_000, check_every=250)
            published = TEMPORAL_ORDER_PUBLISHED.get((length, cell), "")
            rows.append(Setting("temporal-order", {"length": length}, cell, recipe, published=published))
    return Experiment("temporal-order", f"Temporal order ({HS97}, task 6a)", tuple(rows), sweep="length")


def smoke() -> Experiment:
    """A seconds-long run that exercises every part of the runner (tests use it)."""
    rows = (
        Setting(
            "long-lag", {"p": 3}, "rnn", Recipe(8, "adagrad", 0.1, 1_000, 100), published="(none: a check)"
        ),
        Setting(
            "long-lag",
            {"p": 3},
            "lstm",
            _recipe("lstm", hidden=4, optimizer="sgd", lr=1.0, budget=300, check_every=100),
        ),
    )
    return Experiment(
        "smoke", "Smoke test of the runner (not a paper's experiment)", rows, note="", sweep="p"
    )


EXPERIMENTS = {e.name: e for e in (long_lag(), embedded_reber(), temporal_order(), smoke())}
ALL = ("long-lag", "embedded-reber", "temporal-order")  # what `all` runs, in this order
FULL_SEEDS = 5  # the seeds of docs/experiments.md's table

# The app's default ("Run the paper's experiment"): the same recipes on fewer rows and seeds, so a class
# sees a result in well under a minute on a 2-core machine (measured: 13-20 s each while the machine was
# shared). experiment name -> (experiment, seeds).
QUICK = {
    "long-lag": (long_lag(ps=(4, 10, 20), cells=("rnn", "lstm"), irnn=False), 3),
    "embedded-reber": (embedded_reber(cells=("rnn", "lstm")), 2),
    "temporal-order": (temporal_order(lengths=(10, 20), cells=("rnn", "lstm")), 3),
}
