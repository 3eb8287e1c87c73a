"""The long-range memory tasks of issue 13, by name: their own registry for now.

They stay out of data.TASK_NAMES (the control panel's list) until every model accepts masked
targets (y_t = -1, DESIGN.md section 6): the temporal order task has a loss at its last step only.
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
