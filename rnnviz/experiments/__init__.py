"""Multi-seed experiments: the papers' long-range memory results, reproduced and tabulated.

    from rnnviz.experiments import EXPERIMENTS, run_experiment, format_table
    rows = run_experiment(EXPERIMENTS["long-lag"], seeds=5, progress=..., cancelled=...)

Imports rnnviz.core and the standard library only (no Qt), so a worker thread of the app can run it.
"""

from rnnviz.experiments.catalog import ALL, EXPERIMENTS, FULL_SEEDS, QUICK, Experiment, Recipe, Setting
from rnnviz.experiments.runner import Row, Trial, run_experiment, run_trial
from rnnviz.experiments.table import format_table, longest_solved, report

__all__ = [
    "ALL",
    "EXPERIMENTS",
    "FULL_SEEDS",
    "QUICK",
    "Experiment",
    "Recipe",
    "Setting",
    "Row",
    "Trial",
    "run_experiment",
    "run_trial",
    "format_table",
    "longest_solved",
    "report",
]
