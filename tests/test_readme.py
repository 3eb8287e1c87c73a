"""The README tells the truth: its commands are what CI runs, its code runs, its key table is complete."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def two_commands() -> list[str]:
    section = README.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_the_readme_gives_two_commands_and_ci_runs_the_test_command_word_for_word():
    launch, test = two_commands()
    assert launch == "bash scripts/setup.sh && .venv/bin/rnnviz"
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test in [line.strip() for line in ci]


def test_the_python_snippet_runs_as_written(capsys):
    code = re.search(r"```python\n(.*?)```", README, re.S)[1]
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.split()
    assert float(out[0]) > 0 and out[1] == "True"


def readme_keys() -> set[str]:
    rows = re.findall(r"^\| ([^|]+) \| [^|]+ \|$", README, re.M)
    arrows = {"→": "Right", "←": "Left"}
    keys = set()
    for cell in rows[1:]:  # after the header row
        keys |= {arrows.get(k.strip(), k.strip()) for k in cell.split(" / ")}
    return keys


def test_the_key_table_lists_exactly_the_shortcuts_the_app_binds():
    pytest.importorskip("PySide6")
    from rnnviz.ui.actions import ACTIONS

    bound = {spec.shortcut for spec in ACTIONS if spec.shortcut}
    assert readme_keys() == bound
