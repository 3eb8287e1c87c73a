"""Gradient check in the app: analytic BPTT vs central finite differences on the current sequence."""

from __future__ import annotations

import numpy as np
from PySide6 import QtWidgets
from PySide6.QtCore import Qt

from rnnviz.core.gradcheck import gradcheck
from rnnviz.ui import style

PASS_REL = 1e-6  # the same bar the core's tests use: max |a - n| over the largest entry
COLUMNS = ["parameter", "error", "verdict", "max |a − n|", "entries", "largest analytic", "its numeric"]


class GradcheckView(QtWidgets.QWidget):
    """A table: per parameter, entries checked, max |analytic − numeric|, max relative error, verdict."""

    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.results: dict = {}
        lay = QtWidgets.QVBoxLayout(self)
        self.intro = QtWidgets.QLabel(
            "Checks every gradient rnnviz shows against central differences "
            "(L(θ+ε) − L(θ−ε)) / 2ε on the current sequence and parameters.",
            wordWrap=True,
        )
        self.run_button = QtWidgets.QPushButton(
            "Run gradient check", toolTip="Compare BPTT with finite differences"
        )
        self.table = QtWidgets.QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary = QtWidgets.QLabel(wordWrap=True)
        for w in (self.intro, self.run_button, self.table, self.summary):
            lay.addWidget(w)
        self.run_button.clicked.connect(self.run)
        session.sig_reset.connect(self._stale)
        self.apply_theme(theme)

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        for w in (self.intro, self.table, self.summary, self.run_button):
            w.setFont(style.font(theme))
        self.table.resizeColumnsToContents()

    def _stale(self) -> None:
        if self.results:
            self.summary.setText("The model or sequence changed: run the check again.")

    def run(self) -> dict:
        s = self.session
        truncate = s.settings.truncate or None
        if truncate is not None and truncate < s.T - 1:
            # finite differences see the whole loss, so the check is of the exact (untruncated) gradient
            note = " (of the exact gradient: truncation is off for the check)"
        else:
            note = ""
        QtWidgets.QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            self.results = gradcheck(s.rnn, s.x, s.y, max_entries=40)
        finally:
            QtWidgets.QApplication.restoreOverrideCursor()
        self.table.setRowCount(len(self.results))
        worst = 0.0
        for row, (name, r) in enumerate(self.results.items()):
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
        self.summary.setText(
            f"Worst error {worst:.1e}, as a fraction of the largest gradient entry"
            f" (agreement below {PASS_REL:g}){note}."
        )
        return self.results
