"""Training any cell: SGD or Adagrad on a data source, clipping, truncation, loss history, sampling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from rnnviz.core.backprop import Workspace
from rnnviz.core.history import GradNormHistory, LossHistory
from rnnviz.core.model import Gradients, Model
from rnnviz.core.optimizer import Optimizer
from rnnviz.core.validate import check_positive_int

CLIP_KINDS = ("norm", "element")


@dataclass(frozen=True)
class TrainConfig:
    lr: float = 0.1  # learning rate
    optimizer: str = "adagrad"  # 'adagrad' (as min-char-rnn) or 'sgd'
    clip: float | None = 5.0  # the clipping threshold; None = no clipping
    truncate: int | None = None  # BPTT truncation K; None = full BPTT
    seq_len: int = 25  # T, tokens per training sequence
    clip_kind: str = "norm"  # 'norm': scale all gradients together so their global norm is at most clip
    #                          (Pascanu et al. 2013, Algorithm 1); 'element': clip every entry to
    #                          [-clip, clip] (as min-char-rnn and Mikolov 2012), which can turn the direction

    def __post_init__(self):
        if not (isinstance(self.lr, (int, float)) and np.isfinite(self.lr) and 0 < self.lr <= 100):
            raise ValueError(f"learning rate must be a number in (0, 100], got {self.lr!r}")
        if self.optimizer not in ("adagrad", "sgd"):
            raise ValueError(f"optimizer must be 'adagrad' or 'sgd', got {self.optimizer!r}")
        if self.clip is not None and not (np.isfinite(self.clip) and self.clip > 0):
            raise ValueError(f"clip must be a positive number or None, got {self.clip!r}")
        if self.truncate is not None:
            check_positive_int("truncate", self.truncate, allow_zero=True)
        check_positive_int("seq_len", self.seq_len)
        if self.clip_kind not in CLIP_KINDS:
            raise ValueError(f"clip_kind must be one of {', '.join(CLIP_KINDS)}, got {self.clip_kind!r}")

    def with_(self, **changes) -> TrainConfig:
        return replace(self, **changes)


class Trainer:
    """Runs training iterations on any model; stops (and keeps the last good parameters) on NaN/inf.

    Each iteration: a sequence from the source, BPTT, clipping, one optimizer step (optimizer.py),
    written into the model's arrays in place (as torch does; the Stepper and its events keep their
    own copies) once every new value is known to be finite. With a large vocabulary only the
    sequence's columns of U_* are read and written (its gradient is zero elsewhere).
    """

    def __init__(self, rnn: Model, source, config: TrainConfig = TrainConfig(), seed: int = 0):
        if len(source.vocab) != rnn.vocab_size:
            raise ValueError(
                f"the data has {len(source.vocab)} tokens but the {rnn.cell.upper()} expects {rnn.vocab_size}"
            )
        self.rnn = self.model = rnn
        self.source, self.config = source, config
        self.rng = np.random.default_rng(seed)
        self.history = LossHistory()
        self.grad_norms = GradNormHistory()  # the global gradient norm before clipping, per iteration
        self.iteration = 0
        self.stopped_reason: str | None = None
        self.last_grad_norm = 0.0  # before clipping
        self._optimizer = Optimizer(rnn.params())  # Adagrad's memory and work arrays
        self._workspace = Workspace()  # bptt's work arrays

    def step(self, should_stop: Callable[[], bool] | None = None) -> bool:
        """One iteration. Returns False (and sets stopped_reason) if it had to stop. `should_stop()`,
        asked during the iteration before anything is written (a training thread passes its stop
        request), makes it give up: False is returned, stopped_reason stays None and nothing has
        changed (parameters, optimizer, histories, counters, even the sampler's position)."""
        if self.stopped_reason:
            return False
        rng_state = None if should_stop is None else self.rng.bit_generator.state
        x, y = self.source.sample(self.rng, self.config.seq_len)
        with np.errstate(all="ignore"):
            g = self.rnn.bptt(
                x, y, truncate=self.config.truncate, workspace=self._workspace, should_stop=should_stop
            )
            norm = None if g is None else g.norm()
        if g is None or (should_stop is not None and should_stop()):
            self.rng.bit_generator.state = rng_state  # as if this iteration had never begun
            return False
        self.last_grad_norm = norm
        if not (np.isfinite(g.loss) and np.isfinite(norm)):
            what = "loss" if not np.isfinite(g.loss) else "gradient"
            self.stopped_reason = (
                f"stopped at iteration {self.iteration}: the {what}"
                " became NaN or infinite (exploding gradients). The parameters before this step are kept."
                " Lower the learning rate, turn on clipping or lower the spectral radius of W."
            )
            return False
        clip, by_norm = self.config.clip, self.config.clip_kind == "norm"
        factor = clip / norm if clip is not None and by_norm and norm > clip else None  # as clip_gradients
        bound = clip if clip is not None and not by_norm else None  # as clip_elements
        if not self._optimizer.step(
            self.rnn.params(), g, self.config.lr, self.config.optimizer == "adagrad", factor, bound
        ):
            self.stopped_reason = (
                f"stopped at iteration {self.iteration}: the update would make the parameters infinite"
                " (exploding gradients). The parameters before this step are kept."
                " Lower the learning rate or turn on clipping."
            )
            return False
        self.history.add(self.iteration, g.loss)
        self.grad_norms.add(self.iteration, norm)
        self.iteration += 1
        return True

    def run(self, n: int) -> int:
        """Up to n iterations; returns how many ran."""
        done = 0
        for _ in range(check_positive_int("iterations", n, allow_zero=True)):
            if not self.step():
                break
            done += 1
        return done


def clip_gradients(g: Gradients, max_norm: float | None) -> Gradients:
    """Scale all gradients together so their global norm is at most max_norm."""
    norm = g.norm()
    if max_norm is None or norm <= max_norm:
        return g
    return g.scaled(max_norm / norm)


def clip_elements(g: Gradients, bound: float | None) -> Gradients:
    """Every entry of every gradient clipped to [-bound, bound] (fresh arrays); None: g itself."""
    if bound is None:
        return g
    arrays = {"d" + name: np.clip(a, -bound, bound) for name, a in g.as_dict().items()}
    return Gradients(loss=g.loss, nonzero_columns=g.nonzero_columns, **arrays)


def sample(rnn: Model, start: int, n: int, rng: np.random.Generator, temperature: float = 1.0) -> np.ndarray:
    """Generate n token ids from the model (any cell), starting after token `start`."""
    if not (np.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    if not 0 <= int(start) < rnn.vocab_size:
        raise ValueError(f"start token {start} is not in the vocabulary of {rnn.vocab_size}")
    spec = rnn.spec
    prep = spec.prepare(rnn.params())
    state = spec.zero_state()
    tok, out = int(start), np.empty(check_positive_int("n", n, allow_zero=True), dtype=np.int64)
    for i in range(len(out)):
        state, _, _ = spec.forward_step(prep, tok, state)  # the cell's step from (s_{t-1}, ...)
        a = (rnn.V @ state[0]) / temperature
        p = np.exp(a - a.max())
        tok = int(rng.choice(rnn.vocab_size, p=p / p.sum()))
        out[i] = tok
    return out
