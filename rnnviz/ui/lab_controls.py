"""Long-range memory controls (issue 13): the long-range tasks' own length parameters, the vanilla
RNN's activation, how W starts, and the kind of gradient clipping.

As the control panel: every edit goes through Session.update_settings, and the widgets are written
back from the Session under QSignalBlocker, so they always show what is in force.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSignalBlocker

from rnnviz.core.long_range import REBER_APP_CAP
from rnnviz.core.settings import LIMITS

# why the sequence length box is off for a task that sets its own length (its tooltip)
LENGTH_WHY = {
    "long-lag": "Task 2a's sequences have exactly p steps: set the lag p under Long-range memory.",
    "temporal-order": "Temporal order sequences have L to L + L//10 steps: set L under Long-range memory.",
    "embedded-reber": f"The grammar sets each string's length; strings longer than {REBER_APP_CAP} steps"
    " (fewer than 1 in 1,000) are drawn again.",
}
CHOICES = {  # setting -> (value, what the list says, tooltip)
    "activation": (
        (
            "tanh",
            "tanh",
            "s_t = tanh(z_t): slopes 1 − s_t² ≤ 1, so the gradient can only shrink through them",
        ),
        (
            "relu",
            "ReLU",
            "s_t = max(z_t, 0): slope 1 where a unit is on, 0 where it is off (with W = I: IRNN)",
        ),
    ),
    "w_init": (
        ("uniform", "uniform ±1/√H", "entries drawn uniformly from ±1/√H (the default)"),
        ("orthogonal", "orthogonal", "a random orthogonal W: every singular value is 1"),
        ("identity", "identity (IRNN)", "W = I, as Le, Jaitly & Hinton (2015) start ReLU networks"),
    ),
    "clip_kind": (
        ("norm", "norm", "if ‖g‖ > c, g ← c g / ‖g‖: the direction is kept (Pascanu et al. 2013)"),
        ("element", "element-wise", "every entry clipped to [−c, c]: the direction can turn (min-char-rnn)"),
    ),
}


class LabControls(QtWidgets.QGroupBox):
    def __init__(self, session, parent=None):
        super().__init__("Long-range memory", parent)
        self.session = session
        form = QtWidgets.QFormLayout(self)
        form.setContentsMargins(6, 6, 6, 6)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)
        self.fields: dict[str, QtWidgets.QSpinBox] = {}
        self._spin(form, "lag", "Task 2a lag p", "Task 2a: the time lag p; its sequences have p steps")
        self._spin(
            form, "order_length", "Temporal order L", "Temporal order: sequences of L to L + L//10 steps"
        )
        self.combos: dict[str, QtWidgets.QComboBox] = {}
        labels = {"activation": "Activation", "w_init": "W starts as", "clip_kind": "Clipping"}
        tips = {
            "activation": "The vanilla RNN's hidden activation f in s_t = f(z_t)",
            "w_init": "How W is initialised (then rescaled if a spectral radius is set above)",
            "clip_kind": "What the clipping threshold c (Training box) bounds",
        }
        for name, options in CHOICES.items():
            combo = QtWidgets.QComboBox(toolTip=tips[name])
            combo.setObjectName(name)
            for i, (value, text, tip) in enumerate(options):
                combo.addItem(text, value)
                combo.setItemData(i, tip, role=3)  # Qt.ToolTipRole: each choice explains itself
            combo.currentIndexChanged.connect(lambda _, n=name, c=combo: self._apply(**{n: c.currentData()}))
            form.addRow(labels[name], combo)
            self.combos[name] = combo
        session.sig_settings_changed.connect(self.show_settings)
        session.sig_reset.connect(self.show_settings)
        self.show_settings()

    def _spin(self, form, name: str, label: str, tip: str) -> None:
        box = QtWidgets.QSpinBox(toolTip=tip)
        box.setObjectName(name)
        box.setRange(*LIMITS[name])
        box.setKeyboardTracking(False)  # apply on Enter / focus out / arrows, not on every digit
        box.valueChanged.connect(lambda v, n=name: self._apply(**{n: v}))
        form.addRow(label, box)
        self.fields[name] = box

    def _apply(self, **changes) -> None:
        if not self.session.update_settings(**changes):
            self.show_settings()

    def show_settings(self, *_) -> None:
        s = self.session.settings
        for name, box in self.fields.items():
            with QSignalBlocker(box):
                box.setValue(getattr(s, name))
        for name, combo in self.combos.items():
            with QSignalBlocker(combo):
                combo.setCurrentIndex(combo.findData(getattr(s, name)))
        self.fields["lag"].setEnabled(s.task == "long-lag")
        self.fields["order_length"].setEnabled(s.task == "temporal-order")
