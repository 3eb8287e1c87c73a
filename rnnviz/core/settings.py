"""Settings: every hyperparameter and the seed in one serialisable, validated object.

Data settings (task, text, sizes, seed, spectral radius, activation, W init, the long-range tasks'
lag and length) change the model or the sequence and so reset the Stepper; training settings (lr,
optimizer, clip, clip kind, truncate) only affect training. The long-range tasks set their own
sequence length: with one of them, seq_len is that task's longest sequence (TASK_LENGTHS), whatever
was asked for, so every sequence the app draws fits it.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from functools import lru_cache

from rnnviz.core.cells import CELL_NAMES
from rnnviz.core.data import MAX_VOCAB, TASK_NAMES
from rnnviz.core.long_range import LONG_RANGE_TASKS, REBER_APP_CAP

LIMITS = {  # name: (low, high), inclusive; what the app accepts
    "hidden": (1, 256),
    "seq_len": (1, 200),
    "delay": (0, 50),
    "seed": (0, 2**31 - 1),
    "lr": (1e-6, 10.0),
    "clip": (0.0, 1e6),  # 0 = no clipping
    "truncate": (0, 200),  # 0 = full BPTT (no truncation)
    "spectral_radius": (0.0, 5.0),  # 0 = leave W as initialised
    "target": (-1, 199),  # single-loss mode traces E_target; -1 = the last step
    "max_vocab": (2, MAX_VOCAB),  # texts: the most frequent tokens kept, the rest become <unk>
}
DATA_FIELDS = (
    "task", "text", "text_name", "level", "max_vocab", "delay", "hidden", "seq_len", "seed", "spectral_radius"
)  # fmt: skip


DATA_FIELDS += ("activation", "w_init")  # the choices of the vanilla RNN's cell (issue 13)
CHOICE_MEANINGS = {  # name: (allowed values, what each means), checked in Settings
    "activation": (("tanh", "relu"), "the hidden activation s_t = f(z_t)"),
    "w_init": (
        ("uniform", "orthogonal", "identity"),
        "how W starts (then rescaled if a spectral radius is set)",
    ),
    "clip_kind": (("norm", "element"), "clip the global gradient norm, or every gradient entry"),
}

# issue 13's long-range tasks in the app: each sets its own sequence length (seq_len follows it)
APP_TASKS = TASK_NAMES + tuple(LONG_RANGE_TASKS)  # the control panel's list (and 'file')
LIMITS.update(lag=(1, 200), order_length=(4, 182))  # 182 + 182 // 10 = 200 steps, the longest T
DATA_FIELDS += ("lag", "order_length")
TASK_LENGTHS = {  # task -> its longest sequence in steps, which the app's seq_len becomes
    "long-lag": lambda s: s.lag,  # exactly p steps
    "temporal-order": lambda s: s.order_length + s.order_length // 10,  # L .. L + L//10 steps
    "embedded-reber": lambda s: REBER_APP_CAP,  # set by the grammar; longer strings are drawn again
}
# issue 12: the recurrent cell, and the cell compared with it on the same sequence ("" = no comparison)
DATA_FIELDS += ("cell", "compare")
CHOICE_MEANINGS["cell"] = (CELL_NAMES, "the recurrent cell")
CHOICE_MEANINGS["compare"] = (("",) + CELL_NAMES, "the cell compared side by side ('' = none)")


@dataclass(frozen=True)
class Settings:
    task: str = "echo"  # one of TASK_NAMES, or 'file' for your own text
    text: str = ""  # the text when task == 'file'
    text_name: str = ""  # where that text came from (shown, saved)
    level: str = "char"  # 'char' or 'word' for text
    max_vocab: int = MAX_VOCAB  # a text's vocabulary: its most frequent tokens, the rest one <unk>
    delay: int = 3  # echo task: how many steps back to echo
    hidden: int = 16  # H
    seq_len: int = 12  # T
    seed: int = 0
    spectral_radius: float = 0.0  # rescale W to this radius; 0 = keep the initial W
    lr: float = 0.1
    optimizer: str = "adagrad"
    clip: float = 5.0  # 0 = off
    truncate: int = 0  # 0 = full BPTT
    mode: str = "full"  # 'full' BPTT sweep or 'single' loss E_target
    target: int = -1
    final_update: bool = False  # end the step-through with one SGD update W <- W - lr dL/dW
    # issue 13's choices (defaults: the behaviour before they existed)
    activation: str = "tanh"  # vanilla RNN: 'tanh' or 'relu' (with w_init 'identity': the IRNN)
    w_init: str = "uniform"  # W at the start: 'uniform' +-1/sqrt(H), 'orthogonal' or 'identity'
    clip_kind: str = "norm"  # 'norm' (scale the whole gradient) or 'element' (clip each entry); clip = bound
    lag: int = 10  # task 2a (long-lag): p, the time lag; its sequences have p steps
    order_length: int = 20  # temporal order: L; its sequences have L .. L + L//10 steps
    # issue 12's cells (defaults: the vanilla RNN alone, as before they existed)
    cell: str = "rnn"  # 'rnn', 'lstm' or 'gru'
    compare: str = ""  # a second cell traced and trained beside the first on the same data; '' = none

    def __post_init__(self):
        for name, (low, high) in LIMITS.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{name} must be a number, got {value!r}")
            if not low <= value <= high:
                raise ValueError(f"{name} must be between {low:g} and {high:g}, got {value:g}")
            if isinstance(getattr(Settings, name, None), int) and value != int(value):
                raise ValueError(f"{name} must be a whole number, got {value!r}")
        if self.task not in APP_TASKS + ("file",):
            raise ValueError(f"unknown task {self.task!r}; choose one of {', '.join(APP_TASKS)} or a file")
        if self.task in TASK_LENGTHS:  # the task's own length, whatever seq_len was asked for
            object.__setattr__(self, "seq_len", TASK_LENGTHS[self.task](self))
        if self.task == "file" and not self.text.strip():
            raise ValueError("the text is empty: open a UTF-8 text file with something in it")
        if not isinstance(self.final_update, bool):
            raise ValueError(f"final_update must be true or false, got {self.final_update!r}")
        choices = {"level": ("char", "word"), "optimizer": ("adagrad", "sgd"), "mode": ("full", "single")}
        for name, allowed in choices.items():
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name} must be one of {', '.join(allowed)}, got {getattr(self, name)!r}")
        for name, (allowed, meaning) in CHOICE_MEANINGS.items():
            if getattr(self, name) not in allowed:
                raise ValueError(
                    f"{name} ({meaning}) must be one of {', '.join(allowed)}, got {getattr(self, name)!r}"
                )
        if self.compare == self.cell:
            raise ValueError(f"compare must name another cell than the {self.cell.upper()} itself")

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def data_changed(self, other: Settings) -> bool:
        """True if going from self to other needs a new model or sequence."""
        return any(getattr(self, f) != getattr(other, f) for f in DATA_FIELDS)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> Settings:
        """Build from a dict (e.g. JSON); unknown keys are an error, missing keys take defaults."""
        if not isinstance(d, dict):
            raise ValueError("settings must be a mapping of names to values")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        clean = {}
        for f in fields(cls):
            if f.name in d:
                default = getattr(cls, f.name)
                v = d[f.name]
                if isinstance(default, float) and isinstance(v, int) and not isinstance(v, bool):
                    v = float(v)
                if type(v) is not type(default):
                    raise ValueError(f"{f.name} must be a {type(default).__name__}, got {v!r}")
                clean[f.name] = v
        return cls(**clean)


def make_source(s: Settings):
    """The data source the settings describe (the same object for the same data: a source never
    changes, and tokenizing a 5 MB text again for a new hidden size would cost a second)."""
    if s.task == "file":
        return _source("file", 0, s.max_vocab, s.text, s.level, s.text_name or "your text")
    if s.task in LONG_RANGE_TASKS:
        return _long_range_source(s.task, s.lag, s.order_length)
    return _source(s.task, s.delay, s.max_vocab)


@lru_cache(maxsize=2)
def _long_range_source(task: str, lag: int, order_length: int):
    from rnnviz.core.long_range import make_long_range_task

    params = {"long-lag": {"p": lag}, "temporal-order": {"length": order_length}}.get(task, {})
    return make_long_range_task(task, **params)


@lru_cache(maxsize=2)
def _source(task: str, delay: int, max_vocab: int, text: str = "", level: str = "", name: str = ""):
    from rnnviz.core.data import TextSource, make_task

    if task == "file":
        return TextSource(text, level, name=name, max_vocab=max_vocab)
    return make_task(task, delay=delay, max_vocab=max_vocab)


def make_model(s: Settings, vocab_size: int, cell: str | None = None):
    """A freshly initialised model of `cell` (default: the settings' cell) for these settings: seeded;
    every W_* as w_init says, rescaled to the spectral radius if one is set. The activation is a
    choice of the vanilla RNN's cell only: the gated cells' equations fix theirs."""
    from rnnviz.core.cells import cell_class
    from rnnviz.core.model import make_model as build

    cell = s.cell if cell is None else cell
    known = cell_class(cell).option_defaults
    options = {k: v for k, v in (("activation", s.activation), ("w_init", s.w_init)) if k in known}
    model = build(cell, vocab_size, s.hidden, seed=s.seed, **options)
    if s.spectral_radius > 0:
        _rescale_all(model, s.spectral_radius)
    return model


def _rescale_all(model, rho: float) -> None:
    """Every recurrent matrix W_* rescaled to spectral radius rho (RNN.set_spectral_radius's arithmetic)."""
    from rnnviz.core.cells.base import param_name, scaled_to_radius

    for b in model.spec.blocks:
        name = param_name("W", b)
        setattr(model, name, scaled_to_radius(getattr(model, name), rho))


def train_config(s: Settings):
    from rnnviz.core.train import TrainConfig

    return TrainConfig(
        lr=s.lr,
        optimizer=s.optimizer,
        clip=s.clip or None,
        truncate=s.truncate or None,
        seq_len=s.seq_len,
        clip_kind=s.clip_kind,
    )


def sequence_rng(s: Settings):
    """The generator the app draws sequences from: seeded by the settings, apart from the model's."""
    import numpy as np

    return np.random.default_rng([s.seed, 1])
