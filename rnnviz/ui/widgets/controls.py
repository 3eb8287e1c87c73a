"""Control panel: data, model, BPTT and training settings, playback speed and training progress.

Every edit goes through Session.update_settings; values are written back from the Session under
QSignalBlocker, so the panel always shows what is really in force.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSignalBlocker, Qt

from rnnviz.core.cells import CELLS
from rnnviz.core.long_range import LONG_RANGE_LABELS
from rnnviz.core.settings import APP_TASKS, LIMITS, TASK_LENGTHS
from rnnviz.ui.lab_controls import LENGTH_WHY, LabControls

TASK_LABELS = {
    "echo": "Echo (remember d steps back)",
    "parity": "Parity (running XOR)",
    "counting": "Counting (aⁿbⁿ)",
    "grammar": "Toy grammar (words)",
    "text": "Built-in text (characters)",
    "words": "Generated text (words)",
    "file": "Your text file",
}
TASK_LABELS.update(LONG_RANGE_LABELS)  # issue 13's tasks, which set their own length


class _DecimalBox(QtWidgets.QDoubleSpinBox):
    """Holds values to 6 decimals and shows only the decimals a value needs: 0.01 reads "0.01",
    the learning rate's minimum 0.000001 is not shown as 0.0000."""

    def textFromValue(self, value: float) -> str:
        text = super().textFromValue(value)
        point = self.locale().decimalPoint()
        return text.rstrip("0").rstrip(point) if point in text else text


class _LadderBox(_DecimalBox):
    """Arrows move along 1, 2, 5, 10, 20, 50, ... (a learning rate is tuned by factors, not sums)."""

    LADDER = tuple(float(f"{m}e{e}") for e in range(-6, 3) for m in (1, 2, 5))

    def stepBy(self, steps: int) -> None:
        v = self.value()
        above = [r for r in self.LADDER if r > v * (1 + 1e-9) and r <= self.maximum()]
        below = [r for r in self.LADDER if r < v * (1 - 1e-9) and r >= self.minimum()]
        if steps > 0 and above:
            self.setValue(above[min(steps, len(above)) - 1])
        elif steps < 0 and below:
            self.setValue(below[max(steps, -len(below))])


def _spin(name: str, tip: str, double: bool = False, step: float = 1.0, special: str = "", box=None):
    low, high = LIMITS[name]
    w = box or (_DecimalBox() if double else QtWidgets.QSpinBox())
    w.setSpecialValueText(special)  # shown instead of the lowest value, which means "off" or "default"
    if double:
        w.setDecimals(6)  # a value the settings hold is shown as it is, not rounded to another
    w.setRange(low, high)
    w.setSingleStep(step)
    w.setKeyboardTracking(False)  # apply on Enter / focus out / arrows, not on every digit typed
    w.setToolTip(tip)
    w.setObjectName(name)
    return w


class ControlPanel(QtWidgets.QWidget):
    def __init__(self, session, parent=None):
        super().__init__(parent)
        self.session = session
        self.fields: dict[str, QtWidgets.QWidget] = {}
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(4, 4, 4, 4)  # a narrow panel leaves the views more room
        self._cell_group(outer)

        data = self._group(outer, "Data and model")
        self.task = QtWidgets.QComboBox(toolTip="What the network learns to predict")
        self.task.setMinimumContentsLength(12)  # long task names are cut in the box, whole in the list
        self.task.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        for name in APP_TASKS + ("file",):
            self.task.addItem(TASK_LABELS[name], name)
        self.task.currentIndexChanged.connect(self._task_chosen)
        data.addRow("Task", self.task)
        self.open_button = QtWidgets.QPushButton(
            "Open text file…", toolTip="Learn from your own UTF-8 text (Ctrl+O)"
        )
        data.addRow("", self.open_button)
        self.level = QtWidgets.QComboBox(toolTip="Tokens of your text: characters or words")
        self.level.addItems(["char", "word"])
        self.level.currentTextChanged.connect(lambda v: self._apply(level=v))
        data.addRow("Tokens", self.level)
        self._add(
            data,
            "max_vocab",
            "Vocabulary size",
            _spin(
                "max_vocab",
                "Texts: the most frequent tokens are kept, every other one becomes <unk>",
                step=1000,
            ),
        )
        self._add(
            data, "delay", "Echo delay d", _spin("delay", "Echo task: output the token from d steps ago")
        )
        self._add(data, "hidden", "Hidden size H", _spin("hidden", "Number of hidden units"))
        self._add(data, "seq_len", "Sequence length T", _spin("seq_len", "Timesteps in the sequence"))
        self._add(data, "seed", "Seed", _spin("seed", "Seeds the parameters and the sequences"))
        self._add(
            data,
            "spectral_radius",
            "Spectral radius of W",
            _spin(
                "spectral_radius",
                "Rescale W so its largest |eigenvalue| is this (0 = as initialised)."
                " Below 1 gradients vanish, well above 1 they can explode.",
                True,
                0.1,
                "as initialised",
            ),
        )
        self.radius_label = QtWidgets.QLabel(toolTip="The spectral radius W has now")
        data.addRow("ρ(W) now", self.radius_label)
        self.norm_label = QtWidgets.QLabel(
            toolTip="‖W‖₂, the largest singular value of W now: the Jacobian product ∏ ∂sⱼ/∂sⱼ₋₁ shrinks"
            " at least like ‖W‖₂ᵗ⁻ᵏ times the activation's slopes (Pascanu et al. 2013's bound)"
        )
        data.addRow("‖W‖₂ now", self.norm_label)

        self.lab = LabControls(session)  # the long-range tasks' lengths, activation, W init, clip kind
        outer.addWidget(self.lab)

        bptt = self._group(outer, "Backpropagation through time")
        self.mode = QtWidgets.QComboBox(toolTip="Sweep the whole loss L, or trace one loss E_t term by term")
        self.mode.addItem("Full BPTT sweep (all E_t)", "full")
        self.mode.addItem("One loss E_t, term by term", "single")
        self.mode.currentIndexChanged.connect(lambda: self._apply(mode=self.mode.currentData()))
        bptt.addRow("Mode", self.mode)
        self._add(
            bptt,
            "target",
            "Traced step t",
            _spin("target", "Which E_t to trace in one-loss mode", special="last step"),
        )

        self.final_update = QtWidgets.QCheckBox(
            "End with an SGD step",
            toolTip="After the backward pass, one more step applies"
            " W ← W − η ∂L/∂W (and U, V alike); step back undoes it",
        )
        self.final_update.toggled.connect(lambda on: self._apply(final_update=on))
        bptt.addRow(self.final_update)

        train = self._group(outer, "Training")
        lr = _spin("lr", "Step size of each update (arrows: 1, 2, 5, 10, …)", True, box=_LadderBox())
        self._add(train, "lr", "Learning rate", lr)
        self.optimizer = QtWidgets.QComboBox(toolTip="Adagrad (as in min-char-rnn) or plain SGD")
        self.optimizer.addItems(["adagrad", "sgd"])
        self.optimizer.currentTextChanged.connect(lambda v: self._apply(optimizer=v))
        train.addRow("Optimizer", self.optimizer)
        self._add(
            train,
            "clip",
            "Clip gradient norm",
            _spin("clip", "Max gradient norm (0 = no clipping)", True, 0.5, "off"),
        )
        self._add(
            train,
            "truncate",
            "Truncate BPTT at",
            _spin("truncate", "Keep k ≥ t−K terms (0 = off: full BPTT)", special="off"),
        )
        self.iterations = QtWidgets.QSpinBox(toolTip="How many iterations Train runs")
        self.iterations.setRange(1, 1_000_000)
        self.iterations.setValue(2000)
        self.iterations.setSingleStep(500)
        train.addRow("Iterations", self.iterations)
        buttons = QtWidgets.QHBoxLayout()
        self.train_button = QtWidgets.QPushButton("Train", toolTip="Train now (Ctrl+T)")
        self.stop_button = QtWidgets.QPushButton("Stop", toolTip="Stop training (Esc)", enabled=False)
        buttons.addWidget(self.train_button)
        buttons.addWidget(self.stop_button)
        train.addRow(buttons)
        self.progress = QtWidgets.QProgressBar(textVisible=True)
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        train.addRow(self.progress)
        self.train_button.clicked.connect(self.start_training)
        self.stop_button.clicked.connect(session.request_stop)

        play = self._group(outer, "Playback")
        self.speed = QtWidgets.QSlider(Qt.Orientation.Horizontal, toolTip="Steps per second while playing")
        self.speed.setRange(1, 30)
        self.speed.setValue(3)
        self.speed.valueChanged.connect(self._speed_changed)
        self.speed_label = QtWidgets.QLabel()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.speed)
        row.addWidget(self.speed_label)
        play.addRow("Speed", row)
        self._speed_changed(self.speed.value())
        outer.addStretch(1)
        for combo in self.findChildren(QtWidgets.QComboBox):  # a narrow panel cuts long choices in the
            combo.setMinimumContentsLength(8)  # box; the open list shows them whole
            combo.setSizeAdjustPolicy(
                QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )

        session.sig_settings_changed.connect(self.show_settings)
        session.sig_reset.connect(self.show_settings)
        session.sig_reset.connect(self._clear_progress_if_untrained)
        session.sig_training_changed.connect(self._training_changed)
        session.sig_trained.connect(self._progress)
        session.sig_numbers.connect(self._show_radius)
        self.show_settings()

    # --- the cell, and the one compared with it (issue 12) -------------------------------------------

    def _cell_group(self, outer) -> None:
        cells = self._group(outer, "Cell")
        self.cell = QtWidgets.QComboBox(toolTip="The recurrent cell: vanilla RNN, LSTM or GRU (--cell)")
        self.compare = QtWidgets.QComboBox(
            toolTip="Trace and train a second cell beside the first, on the same sequences (--compare)"
        )
        self.compare.addItem("nothing (one cell)", "")
        for name, cls in CELLS.items():
            self.cell.addItem(cls.title, name)
            self.compare.addItem(cls.title, name)
        self.cell.currentIndexChanged.connect(lambda: self._apply(cell=self.cell.currentData()))
        self.compare.currentIndexChanged.connect(lambda: self._apply(compare=self.compare.currentData()))
        cells.addRow("Cell", self.cell)
        cells.addRow("Compare with", self.compare)

    def _show_cells(self, s) -> None:
        for combo, value in ((self.cell, s.cell), (self.compare, s.compare)):
            with QSignalBlocker(combo):
                combo.setCurrentIndex(combo.findData(value))
        gated = s.cell != "rnn"  # several recurrent matrices W_*: the labels name the largest of them
        form = self.radius_label.parentWidget().layout()
        form.labelForField(self.radius_label).setText("max ρ(W_*) now" if gated else "ρ(W) now")
        form.labelForField(self.norm_label).setText("max ‖W_*‖₂ now" if gated else "‖W‖₂ now")

    def _group(self, outer, title: str) -> QtWidgets.QFormLayout:
        box = QtWidgets.QGroupBox(title)
        form = QtWidgets.QFormLayout(box)
        form.setContentsMargins(6, 6, 6, 6)
        form.setFieldGrowthPolicy(QtWidgets.QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QtWidgets.QFormLayout.RowWrapPolicy.WrapLongRows)  # narrow: label above
        outer.addWidget(box)
        return form

    def _add(self, form, name: str, label: str, widget) -> None:
        self.fields[name] = widget
        widget.valueChanged.connect(lambda v, n=name: self._apply(**{n: v}))
        form.addRow(label, widget)

    def _task_chosen(self) -> None:
        task = self.task.currentData()
        if task == "file" and not self.session.settings.text:
            self.open_button.click()  # nothing loaded yet: ask for a file
            self.show_settings()
            return
        self._apply(task=task)

    def _apply(self, **changes) -> None:
        """Ask the Session for the change; if it refuses (and says why), show what is in force again."""
        if not self.session.update_settings(**changes):
            self.show_settings()

    def show_settings(self, *_) -> None:
        """Write the Session's settings into the widgets without re-triggering them."""
        s = self.session.settings
        for name, w in self.fields.items():
            with QSignalBlocker(w):
                w.setValue(getattr(s, name))
        with QSignalBlocker(self.task):
            self.task.setCurrentIndex(self.task.findData(s.task))
        for combo, value in ((self.level, s.level), (self.optimizer, s.optimizer)):
            with QSignalBlocker(combo):
                combo.setCurrentText(value)
        with QSignalBlocker(self.mode):
            self.mode.setCurrentIndex(self.mode.findData(s.mode))
        with QSignalBlocker(self.final_update):
            self.final_update.setChecked(s.final_update)
        self._show_cells(s)
        self.fields["delay"].setEnabled(s.task == "echo")
        self.level.setEnabled(s.task == "file")
        self.fields["max_vocab"].setEnabled(s.task in ("file", "words"))
        self.fields["target"].setEnabled(s.mode == "single")
        own_length = s.task in TASK_LENGTHS  # a long-range task sets T itself: the box shows it, off
        self.fields["seq_len"].setEnabled(not own_length)
        self.fields["seq_len"].setToolTip(LENGTH_WHY[s.task] if own_length else "Timesteps in the sequence")
        self._show_radius()

    def _show_radius(self) -> None:
        """rho(W) of the traced W: eigenvalues of an H x H matrix, computed by the worker."""
        numbers = self.session.numbers
        radius = numbers.radius()
        self.radius_label.setText(numbers.status("radius") if radius is None else f"{radius:.3f}")
        norm = numbers.norm()  # beside rho(W): the largest singular value, also from the worker
        self.norm_label.setText(numbers.status("norm") if norm is None else f"{norm:.3f}")

    def start_training(self) -> None:
        self.session.train(self.iterations.value())

    def _training_changed(self, training: bool) -> None:
        self.train_button.setEnabled(not training)
        self.stop_button.setEnabled(training)
        if training:
            self.progress.setRange(0, self.iterations.value())
            self.progress.setValue(0)

    def _clear_progress_if_untrained(self) -> None:
        """A new model (task, sizes, re-initialise) has no training yet: no old percentage either."""
        if self.session.history.count == 0 and not self.session.training:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _speed_changed(self, value: int) -> None:
        self.session.set_speed(value)
        self.speed_label.setText(f"{value}/s")
