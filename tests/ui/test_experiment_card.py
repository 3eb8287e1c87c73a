"""Run the paper's experiment from the app: the card's results are run_experiment's rows on a tiny
configuration, with the published figures, the citation and the note about fewer trials; it runs in a
thread of its own (the UI keeps answering); Cancel and closing the window end it."""

import threading

import pytest

from rnnviz.experiments import EXPERIMENTS, QUICK, Experiment, Recipe, Setting, longest_solved, run_experiment
from rnnviz.experiments.catalog import TRIALS_NOTE
from rnnviz.experiments.table import row_cells
from rnnviz.ui.widgets.experiment_card import ExperimentCard, default_choices
from tests.ui.helpers import PATIENCE_MS

SMOKE = EXPERIMENTS["smoke"]
NEVER = Experiment(  # a trial that cannot succeed before it is cancelled (lr tiny, budget huge)
    "never",
    "A run that only ends when cancelled",
    (Setting("long-lag", {"p": 3}, "rnn", Recipe(4, "sgd", 1e-6, 10_000_000, 50), published="(none)"),),
)


@pytest.fixture
def card(qtbot):
    c = ExperimentCard({"smoke": {"quick": (SMOKE, 1), "full": (SMOKE, 2)}, "never": {"quick": (NEVER, 1)}})
    qtbot.addWidget(c)
    c.show()
    yield c
    c.cancel(wait=True)


def test_the_card_shows_run_experiments_rows_with_the_published_figures(card, qtbot):
    card.start()
    assert card.running and not card.run_button.isEnabled() and card.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not card.running, timeout=PATIENCE_MS)
    expected = run_experiment(SMOKE, 1)
    assert card.rows == expected  # the same trials, seed for seed
    assert card.cells() == [list(row_cells(r)) for r in expected]
    assert card.summary.text() == longest_solved(SMOKE, expected)
    assert card.progress.value() == card.progress.maximum() == len(SMOKE.settings)
    assert card.status.text() == "Done." and card.run_button.isEnabled()
    assert "(none: a check)" in card.cells()[0][5]  # the published column, beside the measured ones


def test_the_quick_and_full_choices_of_the_app(qtbot):
    choices = default_choices()
    assert set(choices) == {"long-lag", "embedded-reber", "temporal-order"}
    for name, configs in choices.items():
        quick, seeds = configs["quick"]
        full, full_seeds = configs["full"]
        assert configs["quick"] == QUICK[name] and full is EXPERIMENTS[name] and full_seeds == 5
        assert len(quick.settings) < len(full.settings) and seeds < full_seeds
        for setting in quick.settings:  # the same recipes and published figures, fewer rows
            assert setting in full.settings
        assert TRIALS_NOTE in quick.note  # the card says there are fewer trials than the papers
    c = ExperimentCard(choices)
    qtbot.addWidget(c)
    assert c.chosen() == QUICK["long-lag"] and "quick" in c.config.currentText()
    c.config.setCurrentIndex(c.config.findData("full"))
    assert c.chosen() == (EXPERIMENTS["long-lag"], 5)


def test_the_note_and_the_citation_are_on_the_card(card, qtbot):
    experiment = EXPERIMENTS["long-lag"]
    rows = []  # the card of a run cancelled before any row: still the title, note and citation column
    card.show_card(experiment, rows, 5, cancelled=True)
    assert "Hochreiter & Schmidhuber 1997" in card.title.text()
    assert card.note.text() == f"5 seeds per row. {TRIALS_NOTE}"
    assert card.table.horizontalHeaderItem(5).text() == "Published (citation)"
    assert card.status.text().startswith("Cancelled: 0 of")


def test_it_runs_in_a_thread_of_its_own_and_cancel_ends_it(card, qtbot):
    card.experiment.setCurrentIndex(card.experiment.findData("never"))
    card.start()
    run = card.run
    assert run._thread.name == "rnnviz-experiment" and run._thread is not threading.current_thread()
    qtbot.wait(50)  # the event loop turns while it runs: the UI is not blocked
    assert card.running and not run.finished
    card.cancel_button.click()
    qtbot.waitUntil(lambda: not card.running, timeout=PATIENCE_MS)
    assert run.cancelled and card.rows == [] and card.status.text().startswith("Cancelled: 0 of 1 rows")
    assert card.run_button.isEnabled()


def test_closing_the_main_window_cancels_a_run(qtbot):
    from rnnviz.core.settings import Settings
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.session import Session

    s = Session(Settings(hidden=4, seq_len=5))
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    w.show()
    w.actions["run_experiment"].trigger()
    card = w.experiment_card
    card.choices["never"] = {"quick": (NEVER, 1)}
    card.experiment.addItem(NEVER.title, "never")
    card.experiment.setCurrentIndex(card.experiment.findData("never"))
    card.start()
    run = card.run
    w.close()
    assert run.finished and run.cancelled and not card.isVisible()


def test_a_run_that_fails_says_why(card, qtbot, monkeypatch):
    from rnnviz.ui import lab_run

    def broken(*a, **k):
        raise MemoryError("no room")

    monkeypatch.setattr(lab_run, "run_experiment", broken)
    card.start()
    qtbot.waitUntil(lambda: not card.running, timeout=PATIENCE_MS)
    assert card.status.text() == "The run stopped with an error: MemoryError: no room"
