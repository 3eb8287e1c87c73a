"""Run the paper's experiment: choose one, run it in a thread with a progress bar and Cancel, and read
the results card: the table of rnnviz.experiments with the paper's figure beside the measured one,
the citation, and the note that there are far fewer trials than in the papers.

Quick runs by default (rnnviz.experiments.QUICK: the same recipes on fewer rows and seeds, well under
a minute); the full configuration of docs/experiments.md is one choice away. A non-modal window: the
app keeps working while it runs, and closing it (or the main window) cancels the run.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import Qt, QTimer

from rnnviz.experiments import ALL, EXPERIMENTS, FULL_SEEDS, QUICK, longest_solved
from rnnviz.experiments.table import HEADER, row_cells
from rnnviz.ui import style
from rnnviz.ui.lab_run import ExperimentRun

POLL_MS = 100  # the progress bar follows the run ten times a second


def default_choices() -> dict:
    """experiment name -> {"quick": (experiment, seeds), "full": (experiment, seeds)}."""
    return {name: {"quick": QUICK[name], "full": (EXPERIMENTS[name], FULL_SEEDS)} for name in ALL}


def describe(config: str, experiment, seeds: int) -> str:
    rows = len(experiment.settings)
    when = "well under a minute" if config == "quick" else "several minutes: the table of docs/experiments.md"
    return f"{config}: {rows} rows × {seeds} seeds ({when})"


class ExperimentCard(QtWidgets.QDialog):
    def __init__(self, choices: dict | None = None, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Run the paper's experiment")
        self.setModal(False)
        self.choices = choices or default_choices()
        self.run: ExperimentRun | None = None
        self.rows: list | None = None  # the rows of the last run, as run_experiment returned them
        self.shown_for: tuple | None = None  # (experiment, seeds) of the card shown

        self.experiment = QtWidgets.QComboBox(toolTip="Which paper's experiment")
        for name, configs in self.choices.items():
            self.experiment.addItem(next(iter(configs.values()))[0].title, name)
        self.config = QtWidgets.QComboBox(toolTip="Quick: fewer rows and seeds. Full: the docs' table")
        self.run_button = QtWidgets.QPushButton("Run", toolTip="Train every row from its seeds now")
        self.cancel_button = QtWidgets.QPushButton("Cancel", enabled=False)
        self.progress = QtWidgets.QProgressBar(textVisible=True)
        self.status = QtWidgets.QLabel("Choose an experiment and press Run.", wordWrap=True)
        self.title = QtWidgets.QLabel(wordWrap=True)
        self.note = QtWidgets.QLabel(wordWrap=True)
        self.table = QtWidgets.QTableWidget(0, len(HEADER))
        self.table.setHorizontalHeaderLabels(HEADER)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.summary = QtWidgets.QLabel(wordWrap=True)
        for label in (self.status, self.title, self.note, self.summary):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        top = QtWidgets.QHBoxLayout()
        top.addWidget(self.experiment, 2)
        top.addWidget(self.config, 2)
        top.addWidget(self.run_button)
        top.addWidget(self.cancel_button)
        lay = QtWidgets.QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.progress)
        lay.addWidget(self.status)
        lay.addWidget(self.title)
        lay.addWidget(self.note)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.summary)

        self._timer = QTimer(self, interval=POLL_MS)
        self._timer.timeout.connect(self._poll)
        self.experiment.currentIndexChanged.connect(self._fill_configs)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(lambda: self.cancel())
        self._fill_configs()
        self.apply_theme(theme)
        self.resize(1100, 600)

    def _fill_configs(self) -> None:
        self.config.clear()
        for config, (experiment, seeds) in self.choices[self.experiment.currentData()].items():
            self.config.addItem(describe(config, experiment, seeds), config)

    def chosen(self) -> tuple:
        """(experiment, seeds) chosen now."""
        return self.choices[self.experiment.currentData()][self.config.currentData()]

    # --- running ------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.run is not None

    def start(self) -> None:
        if self.running:
            return
        experiment, seeds = self.chosen()
        self.run = ExperimentRun(experiment, seeds)
        self.progress.setRange(0, self.run.total)
        self.progress.setValue(0)
        self.status.setText(f"Running {experiment.title}: {self.run.total} trials…")
        self._set_running(True)
        self._timer.start()

    def cancel(self, wait: bool = False) -> None:
        """Stop after the check under way; `wait`: return once the thread has ended (window closing)."""
        if self.run is None:
            return
        self.run.cancel()
        self.status.setText("Cancelling: the trial under way stops at its next check…")
        if wait:
            self.run.wait(timeout=30)
            self._poll()

    def _set_running(self, running: bool) -> None:
        for w in (self.experiment, self.config, self.run_button):
            w.setEnabled(not running)
        self.cancel_button.setEnabled(running)

    def _poll(self) -> None:
        run = self.run
        if run is None:
            return
        self.progress.setRange(0, run.total)
        self.progress.setValue(run.done)
        if not run.finished:
            if not run.cancelled:
                self.status.setText(f"{run.done} of {run.total} trials done · last: {run.last}")
            return
        self._timer.stop()
        self.run = None
        self._set_running(False)
        if run.error is not None:
            self.status.setText(f"The run stopped with an error: {type(run.error).__name__}: {run.error}")
            return
        self.rows = run.rows
        self.show_card(run.experiment, run.rows, run.seeds, cancelled=run.cancelled)

    # --- the results card ---------------------------------------------------------------------------

    def show_card(self, experiment, rows, seeds: int, cancelled: bool = False) -> None:
        self.shown_for = (experiment, seeds)
        n = len(experiment.settings)
        done = (
            f"Cancelled: {len(rows)} of {n} rows finished (a row is all its seeds)." if cancelled else "Done."
        )
        self.status.setText(done)
        self.title.setText(f"<b>{experiment.title}</b>")
        note = f"{seeds} seed{'s' if seeds != 1 else ''} per row."
        self.note.setText(f"{note} {experiment.note}" if experiment.note else note)
        self.table.setRowCount(len(rows))
        for i, row in enumerate(rows):
            for j, text in enumerate(row_cells(row)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        for j in range(len(HEADER) - 1):  # long settings wrap instead of pushing "Published" away
            self.table.setColumnWidth(j, min(self.table.columnWidth(j), 260))
        self.table.resizeRowsToContents()
        self.summary.setText(longest_solved(experiment, rows))

    def cells(self) -> list[list[str]]:
        """What the table shows, row by row."""
        return [
            [self.table.item(i, j).text() for j in range(self.table.columnCount())]
            for i in range(self.table.rowCount())
        ]

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        self.setFont(style.font(theme))

    def closeEvent(self, event) -> None:
        self.cancel()  # the run ends at its next check; its rows are still collected
        super().closeEvent(event)
