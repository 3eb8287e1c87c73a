"""The multi-seed runner end to end on tiny configurations (seconds): the table's structure, the
success criterion, reproducibility, progress and cancelling."""

import re
from types import MappingProxyType

import numpy as np
import pytest

from rnnviz.core.long_range import make_long_range_task
from rnnviz.core.model import make_model
from rnnviz.experiments import EXPERIMENTS, Experiment, Recipe, Setting, format_table, report, run_experiment
from rnnviz.experiments.__main__ import main
from rnnviz.experiments.runner import run_trial
from rnnviz.experiments.table import HEADER

SMOKE = EXPERIMENTS["smoke"]


def test_smoke_table_has_one_row_per_setting_and_the_published_column():
    rows = run_experiment(SMOKE, seeds=2)
    assert [r.setting for r in rows] == list(SMOKE.settings)
    assert all(len(r.trials) == 2 and [t.seed for t in r.trials] == [0, 1] for r in rows)
    lines = format_table(rows).splitlines()
    assert lines[0] == "| " + " | ".join(HEADER) + " |" and len(lines) == 2 + len(rows)
    for line, row in zip(lines[2:], rows, strict=True):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == len(HEADER)
        assert cells[0] == "task 2a, p = 3" and cells[1] == row.setting.cell
        assert re.fullmatch(r"\d/2 \(\d+%\)", cells[3])
        assert cells[5] == (row.setting.published or "—")


def test_the_same_command_gives_the_same_table():
    a, b = run_experiment(SMOKE, seeds=2), run_experiment(SMOKE, seeds=2)
    assert format_table(a) == format_table(b)
    assert [r.trials for r in a] == [r.trials for r in b]


def replay(setting, seed, sequences):
    """The trial's model after `sequences` training sequences, rebuilt here from the trial's seeds."""
    from rnnviz.core.train import TrainConfig, Trainer

    r = setting.recipe
    task = make_long_range_task(setting.task, **setting.params)
    model_seq, data_seq, _ = np.random.SeedSequence(seed).spawn(3)
    model = make_model(
        setting.cell, len(task.vocab), r.hidden, seed=np.random.default_rng(model_seq), **r.options
    )
    config = TrainConfig(lr=r.lr, optimizer=r.optimizer, clip=r.clip, seq_len=task.p)
    Trainer(model, task, config, seed=data_seq).run(sequences)
    return task, model


def largest_output_error(task, model) -> float:
    """Task 2a's criterion written out: max over both sequences and every step of 1 - o_t[y_t]."""
    errors = []
    for first in (task.x_id, task.y_id):
        s = task.string(first)
        errors.append(1 - model.forward(s[:-1]).o[np.arange(task.p), s[1:]])
    return float(np.max(errors))


@pytest.mark.parametrize("row,seed", [(0, 1), (1, 0)])
def test_a_solved_trial_meets_the_criterion_then_and_not_one_check_before(row, seed):
    setting = SMOKE.settings[row]
    trial = run_trial(setting, seed)
    every = setting.recipe.check_every
    assert trial.solved and trial.sequences % every == 0
    assert largest_output_error(*replay(setting, seed, trial.sequences)) < 0.25
    if trial.sequences > every:
        assert largest_output_error(*replay(setting, seed, trial.sequences - every)) >= 0.25


def test_unsolved_and_diverged_trials_are_reported_as_such():
    hopeless = Setting("long-lag", {"p": 20}, "rnn", Recipe(4, "adagrad", 0.1, 200, 100))
    exploding = Setting(
        "long-lag",
        {"p": 20},
        "rnn",
        Recipe(
            8,
            "sgd",
            50.0,
            400,
            100,
            clip=None,
            options=MappingProxyType({"activation": "relu", "w_init": "identity", "w_radius": 3.0}),
        ),
        cell_label="rnn (exploding)",
    )
    rows = run_experiment(Experiment("t", "tiny", (hopeless, exploding), sweep="p"), seeds=2)
    assert rows[0].solved == 0 and rows[0].median_sequences is None
    assert all(t.sequences == 200 and not t.diverged for t in rows[0].trials)
    assert rows[1].diverged == 2 and all(t.sequences < 400 for t in rows[1].trials)
    text = report(Experiment("t", "tiny", (hopeless, exploding), sweep="p"), rows, 2)
    assert "0/2 (0%) | —" in text and "0/2 (0%), 2 diverged" in text
    assert "Longest p solved in most seeds: rnn: none; rnn (exploding): none." in text


def test_progress_reports_every_trial_and_cancel_returns_whole_rows():
    seen = []
    rows = run_experiment(SMOKE, seeds=2, progress=lambda done, total, what: seen.append((done, total, what)))
    assert [s[:2] for s in seen] == [(i, 4) for i in range(1, 5)] and len(rows) == 2
    assert seen[0][2].startswith("task 2a, p = 3, rnn, seed 0: solved after ")

    calls = []

    def cancel_after_the_first_row():
        calls.append(1)
        return len(calls) > 4  # the first row's trials ask a few times, then the flag is raised

    partial = run_experiment(SMOKE, seeds=2, cancelled=cancel_after_the_first_row)
    assert len(partial) == 1 and partial[0].trials == rows[0].trials  # the second row was cut: dropped


def test_bad_seed_counts_are_refused():
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="seeds must be a whole number >= 1"):
            run_experiment(SMOKE, seeds=bad)


def test_the_command_line_prints_the_report(capsys):
    assert main(["smoke", "--seeds", "2", "--quiet"]) == 0
    out = capsys.readouterr()
    assert out.out.strip() == report(SMOKE, run_experiment(SMOKE, seeds=2), 2)
    assert "Run time" in out.err
    with pytest.raises(SystemExit):
        main(["smoke", "--seeds", "0"])
    with pytest.raises(SystemExit):
        main(["no-such-experiment"])


def test_the_catalog_runs_every_cell_on_every_task_with_a_citation_beside():
    for name in ("long-lag", "embedded-reber", "temporal-order"):
        e = EXPERIMENTS[name]
        assert {s.cell for s in e.settings} == {"rnn", "lstm", "gru"}
        assert any("Hochreiter & Schmidhuber 1997" in s.published for s in e.settings)
        assert "Fewer trials" in e.note
    long_lag = EXPERIMENTS["long-lag"]
    assert {s.params["p"] for s in long_lag.settings} >= {4, 10, 50}
    for s in long_lag.settings:  # every setting builds its task and model
        task = make_long_range_task(s.task, **s.params)
        make_model(s.cell, len(task.vocab), s.recipe.hidden, **s.recipe.options)
