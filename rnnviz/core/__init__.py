"""rnnviz.core: the pure-NumPy RNN, LSTM and GRU, their step-through engine, training and data. No Qt here."""

from rnnviz.core.cells import CELL_NAMES
from rnnviz.core.data import (
    TASK_NAMES,
    CountingTask,
    EchoTask,
    GrammarTask,
    ParityTask,
    TextSource,
    Vocabulary,
    make_task,
    read_text_file,
)
from rnnviz.core.gradcheck import gradcheck
from rnnviz.core.history import GradNormHistory, LossHistory
from rnnviz.core.layout import unrolled_layout
from rnnviz.core.model import (
    GRU,
    LSTM,
    RNN,
    Forward,
    Gradients,
    JacobianNorms,
    Model,
    make_model,
    spectral_norm,
    spectral_radius,
)
from rnnviz.core.stepper import BackwardStep, ForwardStep, Stepper, UpdateStep
from rnnviz.core.train import TrainConfig, Trainer, clip_elements, clip_gradients, sample

__all__ = [
    "RNN",
    "LSTM",
    "GRU",
    "Model",
    "make_model",
    "CELL_NAMES",
    "Forward",
    "Gradients",
    "JacobianNorms",
    "spectral_radius",
    "spectral_norm",
    "Stepper",
    "ForwardStep",
    "BackwardStep",
    "UpdateStep",
    "TrainConfig",
    "Trainer",
    "LossHistory",
    "GradNormHistory",
    "clip_gradients",
    "clip_elements",
    "sample",
    "Vocabulary",
    "TextSource",
    "EchoTask",
    "ParityTask",
    "CountingTask",
    "GrammarTask",
    "make_task",
    "read_text_file",
    "TASK_NAMES",
    "gradcheck",
    "unrolled_layout",
]
