"""The results as a Markdown table (readable as plain text too), and the longest length each cell
solved where an experiment sweeps one."""

from __future__ import annotations

from rnnviz.experiments.catalog import Experiment
from rnnviz.experiments.runner import Row

HEADER = ("Task", "Cell", "Settings", "Solved", "Median sequences to success", "Published (citation)")


def row_cells(row: Row) -> tuple[str, ...]:
    s = row.setting
    solved = f"{row.solved}/{len(row.trials)} ({row.success_rate:.0%})"
    if row.diverged:
        solved += f", {row.diverged} diverged"
    median = "—" if row.median_sequences is None else f"{row.median_sequences:,.0f}"
    return (s.task_label, s.cell_label or s.cell, s.recipe.describe(), solved, median, s.published or "—")


def format_table(rows: list[Row]) -> str:
    lines = [HEADER, *(row_cells(r) for r in rows)]
    out = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    out += ["| " + " | ".join(cells) + " |" for cells in lines[1:]]
    return "\n".join(out)


def longest_solved(experiment: Experiment, rows: list[Row]) -> str:
    """Per cell, the largest value of the swept parameter solved in most seeds ('' if no sweep)."""
    key = experiment.sweep
    if not key:
        return ""
    best: dict[str, object] = {}
    for row in rows:
        label = row.setting.cell_label or row.setting.cell
        best.setdefault(label, None)
        if row.solved * 2 > len(row.trials):
            value = row.setting.params[key]
            best[label] = value if best[label] is None else max(best[label], value)
    name = "L" if key == "length" else key
    parts = [f"{label}: {'none' if v is None else f'{name} = {v}'}" for label, v in best.items()]
    return f"Longest {name} solved in most seeds: " + "; ".join(parts) + "."


def report(experiment: Experiment, rows: list[Row], seeds: int) -> str:
    """Title, note, table and summary of one experiment: what the CLI prints and the docs hold."""
    parts = [f"### {experiment.title}", ""]
    if experiment.note:
        parts += [f"{seeds} seeds per row. {experiment.note}", ""]
    parts.append(format_table(rows))
    summary = longest_solved(experiment, rows)
    if summary:
        parts += ["", summary]
    return "\n".join(parts)
