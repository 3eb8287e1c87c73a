"""Run an experiment: every row (task, cell, recipe) trained from several seeds, each trial judged by
the task's own success criterion (task_eval), checked every `check_every` training sequences.

A library first: `run_experiment` returns result rows and takes a progress callback and a cancel flag,
so the app can call it from a worker thread; `python -m rnnviz.experiments` is a thin wrapper.

Reproducible: a trial's model, training data and test sets come from generators seeded by the trial's
seed alone (numpy SeedSequence), so the same command gives the same table on the same machine.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from rnnviz.core.long_range import make_long_range_task
from rnnviz.core.model import make_model
from rnnviz.core.train import TrainConfig, Trainer
from rnnviz.experiments.catalog import Experiment, Setting

QUICK_CHECK = {"long-lag": 20, "embedded-reber": 32, "temporal-order": 100}  # sequences; see _solved
NO_CAP = 10_000  # the Reber grammar has no longest string: a cap on T that never binds in practice

Progress = Callable[[int, int, str], None]  # (trials done, trials in all, what was just done)


@dataclass(frozen=True)
class Trial:
    """One seed of one row."""

    seed: int
    solved: bool
    sequences: int  # training sequences seen: when the criterion first held, or all of them
    diverged: bool = False  # training stopped on NaN/inf (exploding gradients) before solving


@dataclass(frozen=True)
class Row:
    """The result of one setting over its seeds."""

    setting: Setting
    trials: tuple[Trial, ...]

    @property
    def solved(self) -> int:
        return sum(t.solved for t in self.trials)

    @property
    def success_rate(self) -> float:
        return self.solved / len(self.trials)

    @property
    def median_sequences(self) -> float | None:
        """Median over the solved trials of the sequences seen when the criterion first held."""
        counts = [t.sequences for t in self.trials if t.solved]
        return float(statistics.median(counts)) if counts else None

    @property
    def diverged(self) -> int:
        return sum(t.diverged for t in self.trials)


def source_for(setting: Setting):
    return make_long_range_task(setting.task, **setting.params)


def _seq_cap(task) -> int:
    """The longest sequence the task draws (the trainer's seq_len is a cap on it)."""
    if hasattr(task, "p"):
        return task.p
    if hasattr(task, "lengths"):
        return task.lengths[1]
    return NO_CAP


def _solved(task, name: str, predict, rng: np.random.Generator) -> bool:
    """The task's own criterion. A quick check on a few sequences first (cheap, and it fails while the
    model is far from solving); only if it passes, the full criterion on the task's test size (task 2a:
    10,000 sequences, embedded Reber: 512 strings, temporal order: 2,000 sequences, 99% right)."""
    if not task.evaluate(predict, rng, QUICK_CHECK[name]).passed:
        return False
    return task.evaluate(predict, rng).passed


def run_trial(setting: Setting, seed: int, cancelled: Callable[[], bool] | None = None) -> Trial | None:
    """Train one model from `seed` until the task's criterion holds or the budget is spent.
    Returns None if `cancelled()` became true (asked between checks)."""
    task, recipe = source_for(setting), setting.recipe
    model_seq, data_seq, test_seq = np.random.SeedSequence(seed).spawn(3)
    model = make_model(
        setting.cell, len(task.vocab), recipe.hidden, seed=np.random.default_rng(model_seq), **recipe.options
    )
    config = TrainConfig(
        lr=recipe.lr,
        optimizer=recipe.optimizer,
        clip=recipe.clip,
        clip_kind=recipe.clip_kind,
        seq_len=_seq_cap(task),
    )
    trainer = Trainer(model, task, config, seed=data_seq)
    test_rng = np.random.default_rng(test_seq)

    def predict(x):
        return model.forward(x).o

    while trainer.iteration < recipe.budget:
        if cancelled is not None and cancelled():
            return None
        n = min(recipe.check_every, recipe.budget - trainer.iteration)
        if trainer.run(n) < n:
            return Trial(seed, False, trainer.iteration, diverged=True)
        if _solved(task, setting.task, predict, test_rng):
            return Trial(seed, True, trainer.iteration)
    return Trial(seed, False, trainer.iteration)


def run_experiment(
    experiment: Experiment,
    seeds: int = 5,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Row]:
    """Every setting of `experiment` trained from seeds 0..seeds-1. Returns one Row per setting, in
    order; if `cancelled()` becomes true, the rows finished so far (a row is all its seeds or nothing)."""
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a whole number >= 1, got {seeds!r}")
    total, done, rows = len(experiment.settings) * seeds, 0, []
    for setting in experiment.settings:
        trials = []
        for seed in range(seeds):
            trial = run_trial(setting, seed, cancelled)
            if trial is None:
                return rows
            trials.append(trial)
            done += 1
            if progress is not None:
                outcome = f"solved after {trial.sequences:,}" if trial.solved else "not solved"
                progress(
                    done,
                    total,
                    f"{setting.task_label}, {setting.cell_label or setting.cell}, seed {seed}: {outcome}",
                )
        rows.append(Row(setting, tuple(trials)))
    return rows
