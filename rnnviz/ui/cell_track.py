"""One cell of a session: its model, trainer and training curve, and its trace of the session's sequence.

A session holds one track, or two side by side in compare mode: both trace the same sequence (x, y)
and train on the same batches. A track is built whole, aside, and swapped in by the Session; its
trace (Stepper, E_t, the worker's slow numbers) is replaced on every reset.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from rnnviz.core import Stepper, Trainer
from rnnviz.core.settings import Settings, make_model, train_config
from rnnviz.ui.masks import traced_step
from rnnviz.ui.trace_jobs import TraceNumbers
from rnnviz.ui.trace_numbers import DecayRow, losses_around_update
from rnnviz.ui.training import LockedGradNorms, LockedHistory

if TYPE_CHECKING:
    from rnnviz.core.session_file import ModelData


class CellTrack:
    def __init__(self, model, trainer: Trainer):
        self.rnn = model  # the live model: training and the update step change it
        self.trainer = trainer
        self.history: LockedHistory = trainer.history
        self.stepper: Stepper | None = None  # the trace of the session's sequence
        self.step_losses: np.ndarray | None = None  # (T,) E_t of that sequence
        self.numbers: TraceNumbers | None = None  # its slow numbers, from the worker
        self._update_losses: tuple = (None, None)  # (update event, (L before, L after))

    @property
    def spec(self):
        """The cell: its gates, states and equations (views ask it, never its name)."""
        return self.rnn.spec

    @property
    def name(self) -> str:
        """What labels call it: RNN, LSTM, GRU."""
        return self.rnn.spec.name.upper()

    @property
    def contributions(self) -> np.ndarray | None:
        """(T, T) C[t, k] of this trace, or None while the worker computes it."""
        return self.numbers.contributions()

    def jacobian_row(self, t: int, so_far: bool = False) -> DecayRow | None:
        """Going back from step t, for the parameters this trace uses; None while computing (with
        `so_far`, the part computed so far instead: TraceNumbers.row_so_far)."""
        return self.numbers.row_so_far(t) if so_far else self.numbers.row(t)

    def update_losses(self, ev, x, y) -> tuple[float, float]:
        """L on (x, y) before and after an update step `ev` (its old and new parameters)."""
        if self._update_losses[0] is not ev:
            self._update_losses = (ev, losses_around_update(self.rnn, ev, x, y))
        return self._update_losses[1]

    def model_data(self) -> ModelData:
        """Copies of the parameters and the training curve (training may replace the live arrays)."""
        from rnnviz.core.session_file import ModelData  # (with a save or a snapshot: not at start-up)

        it, loss = self.history.data()
        params = {k: v.copy() for k, v in self.rnn.params().items()}
        return ModelData(params, np.column_stack([it, loss]), self.history.count, self.history.stride)


def build_track(s: Settings, source, cell: str, data: ModelData | None = None) -> CellTrack:
    """A track of `cell` for these settings: a fresh model from the seed, or `data`'s parameters
    and training curve. Trainers of one session share the seed, so they draw the same batches."""
    model = make_model(s, len(source.vocab), cell)
    trainer = Trainer(model, source, train_config(s), seed=s.seed)
    trainer.history = LockedHistory()  # read by the UI thread while the training thread adds
    trainer.grad_norms = LockedGradNorms()  # the same, for the gradient norm before clipping
    if data is not None:
        model.set_params(**data.parameters)
        trainer.history.restore(data.history, data.history_count, data.history_stride)
        trainer.iteration = data.history_count
    return CellTrack(model, trainer)


def trace(s: Settings, model, x, y, cursor: int = 0, like=None) -> dict:
    """A fresh step-through of (x, y) by `model`, advanced quietly to `cursor`, and its losses E_t
    (cheap: one forward pass). The slow numbers (contributions, Jacobian rows) come from the worker.
    `like`: the model's previous Stepper, whose frozen parameters are reused if still the same."""
    T = len(x)
    target = None if s.mode == "full" else (T - 1 if s.target < 0 else min(s.target, T - 1))
    if target is not None:
        target = traced_step(y, target)  # a step with no target has no loss: the nearest that has
    update_lr = s.lr if s.final_update else None
    stepper = Stepper(
        model, x, y, mode=s.mode, target=target, update_lr=update_lr, truncate=s.truncate or None, like=like
    )
    step_losses = stepper.step_losses()  # (T,) model.step_losses(x, y), from the trace's forward pass
    for _ in range(min(cursor, stepper.total_steps)):
        stepper.step()
    return dict(stepper=stepper, step_losses=step_losses)
