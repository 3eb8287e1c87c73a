"""Gradient check in the app: analytic BPTT vs central finite differences on the current sequence.

The check runs in time slices on the event loop (with a progress bar and Cancel), on a private copy
of the model, so the window stays responsive and stepping meanwhile cannot disturb it.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtWidgets
from PySide6.QtCore import QTimer, Signal

from rnnviz.core.gradcheck import gradcheck_iter
from rnnviz.ui import style

PASS_REL = 1e-6  # the same bar the core's tests use: max |a - n| over the largest entry
SLICE_S = 0.02  # work per event-loop turn
ENTRIES = 40  # entries checked per parameter (all of them when a parameter is smaller)
COLUMNS = ["parameter", "error", "verdict", "max |a − n|", "entries", "largest analytic", "its numeric"]


class GradcheckView(QtWidgets.QWidget):
    """A table: per parameter, the error relative to the largest gradient entry and a verdict."""

    sig_finished = Signal(object)  # the results dict, or None when cancelled

    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.results: dict = {}
        self._steps = None
        self._note = ""
        self._timer = QTimer(self, interval=0)
        self._timer.timeout.connect(self._work)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.intro = QtWidgets.QLabel(
            "Checks the gradients rnnviz shows against central differences "
            "(L(θ+ε) − L(θ−ε)) / 2ε on the current sequence and parameters.",
            wordWrap=True,
        )
        buttons = QtWidgets.QHBoxLayout()
        self.run_button = QtWidgets.QPushButton(
            "Run gradient check", toolTip="Compare BPTT with finite differences"
        )
        self.cancel_button = QtWidgets.QPushButton("Cancel", enabled=False)
        buttons.addWidget(self.run_button)
        buttons.addWidget(self.cancel_button)
        self.progress = QtWidgets.QProgressBar(textVisible=True)
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        # every column as wide as its text; a narrow panel scrolls sideways (a stretched last
        # column was squeezed and cut when the columns did not fit)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary = QtWidgets.QLabel(wordWrap=True)
        lay.addWidget(self.intro)
        lay.addLayout(buttons)
        for w in (self.progress, self.table, self.summary):
            lay.addWidget(w)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        session.sig_reset.connect(self._stale)
        self.apply_theme(theme)

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        for w in (self.intro, self.table, self.summary, self.run_button, self.cancel_button):
            w.setFont(style.font(theme))
        self.table.resizeColumnsToContents()

    @property
    def running(self) -> bool:
        return self._timer.isActive()

    def _stale(self) -> None:
        if self.results and not self.running:
            self.summary.setText("The model or sequence changed: run the check again.")

    def run(self) -> None:
        """Start the check; results arrive through sig_finished (and self.results)."""
        if self.running:
            return
        s = self.session
        truncated = 0 < s.settings.truncate < s.T - 1
        # finite differences see the whole loss, so the check is of the exact (untruncated) gradient
        self._note = " (of the exact gradient: truncation does not apply to the check)" if truncated else ""
        self._steps = gradcheck_iter(s.rnn, s.x, s.y, max_entries=ENTRIES)
        self.results = {}
        self.table.setRowCount(0)
        self.summary.setText("Checking…")
        self.progress.setValue(0)
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self._timer.start()

    def cancel(self) -> None:
        if self.running:
            self._finish(None)
            self.summary.setText("Cancelled.")

    def _work(self) -> None:
        end = time.perf_counter() + SLICE_S
        try:
            while time.perf_counter() < end:
                done, total = next(self._steps)
            self.progress.setRange(0, total)
            self.progress.setValue(done)
        except StopIteration as finished:
            self._finish(finished.value)

    def _finish(self, results: dict | None) -> None:
        self._timer.stop()
        self._steps = None
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if results is not None:
            self.results = results
            self._show(results)
        self.sig_finished.emit(results)

    def _show(self, results: dict) -> None:
        self.table.setRowCount(len(results))
        worst = 0.0
        for row, (name, r) in enumerate(results.items()):
            i = int(np.argmax(np.abs(r.analytic)))
            ok = r.scaled_error < PASS_REL
            worst = max(worst, r.scaled_error)
            cells = [
                f"∂L/∂{name}",
                f"{r.scaled_error:.1e}",
                "agrees" if ok else "DIFFERS",
                f"{r.max_abs_error:.1e}",
                str(len(r.indices)),
                f"{r.analytic[i]:+.10f}",
                f"{r.numeric[i]:+.10f}",
            ]
            for col, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(f"{name}: analytic vs central difference at {len(r.indices)} entries")
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.progress.setValue(self.progress.maximum())
        self.summary.setText(
            f"Worst error {worst:.1e}, as a fraction of the largest gradient entry"
            f" (agreement below {PASS_REL:g}){self._note}."
        )
