"""The long-range memory tasks of issue 13, by name.

They are kept apart from data.TASK_NAMES (the toy tasks that take any sequence length): each of these
sets its own length (task 2a: p steps; temporal order: L .. L + L//10; the Reber grammar: as the walk
goes), so the app's settings derive seq_len from them (settings.TASK_LENGTHS). The temporal order task
has a loss at its last step only (masked targets, y_t = -1, DESIGN.md section 6).
"""

from __future__ import annotations

from rnnviz.core.long_lag import LongLagTask
from rnnviz.core.reber import EmbeddedReberTask
from rnnviz.core.temporal_order import TemporalOrderTask

LONG_RANGE_TASKS = {
    "long-lag": LongLagTask,  # Hochreiter & Schmidhuber 1997, task 2a; parameter p
    "embedded-reber": EmbeddedReberTask,  # same paper, experiment 1; no parameter
    "temporal-order": TemporalOrderTask,  # same paper, task 6a; Pascanu et al. 2013; parameter length
}
REBER_APP_CAP = 30  # the app's longest Reber string in steps: fewer than 1 in 1,000 strings are longer
# (measured: 0.08% of 100,000), and those are drawn again; the runner uses no cap that binds
LONG_RANGE_LABELS = {
    "long-lag": "Long time lag (H&S 1997, task 2a)",
    "embedded-reber": "Embedded Reber grammar (H&S 1997)",
    "temporal-order": "Temporal order (H&S 1997, task 6a)",
}


def make_long_range_task(name: str, **params):
    """A long-range task by name, e.g. make_long_range_task('long-lag', p=10)."""
    if name not in LONG_RANGE_TASKS:
        raise ValueError(f"unknown long-range task {name!r}; choose one of {', '.join(LONG_RANGE_TASKS)}")
    try:
        return LONG_RANGE_TASKS[name](**params)
    except TypeError:
        raise ValueError(f"{name} takes no parameter(s) {', '.join(sorted(params))}") from None
