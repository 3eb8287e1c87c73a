"""Guided lessons: a preset (Settings) plus captions that advance with the steps. Lessons are data.

A lesson file is JSON:
    {"format": "rnnviz-lesson", "title": str, "summary": str,
     "preset": {<Settings fields>},
     "captions": [{"step": <int, or "T", "T+n", "T-n", "2*T", ...>, "text": str}, ...]}
`step` is the Stepper cursor (steps taken) from which the caption shows; T is the sequence length,
so "T" is the first backward step and "2*T" the end of a full sweep. The caption shown is the last
one whose step has been reached.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rnnviz.core.settings import Settings

FORMAT = "rnnviz-lesson"
_STEP = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?T\s*(?:([+-])\s*(\d+))?\s*$")


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    settings: Settings
    captions: tuple[tuple[str | int, str], ...]  # (step expression, text), in file order

    def steps(self, T: int) -> list[int]:
        return [resolve_step(s, T) for s, _ in self.captions]

    def caption_index(self, cursor: int, T: int) -> int:
        """Index of the caption to show after `cursor` steps (the first caption before any)."""
        current = 0
        for i, step in enumerate(self.steps(T)):
            if step <= cursor:
                current = i
        return current

    def caption_at(self, cursor: int, T: int) -> str:
        return self.captions[self.caption_index(cursor, T)][1]


def resolve_step(step: str | int, T: int) -> int:
    if isinstance(step, int) and not isinstance(step, bool):
        return step
    m = _STEP.match(step) if isinstance(step, str) else None
    if not m:
        raise ValueError(f"caption step must be a whole number or 'T', 'T+n', '2*T-n' ...; got {step!r}")
    times, sign, n = m.groups()
    return int(times or 1) * T + (int(n) if sign == "+" else -int(n) if sign == "-" else 0)


def parse_lesson(text: str, name: str) -> Lesson:
    try:
        d = json.loads(text)
    except json.JSONDecodeError as e:
        raise ValueError(f"lesson {name}: not valid JSON ({e.msg} at line {e.lineno})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise ValueError(f"lesson {name}: not an rnnviz lesson (format must be {FORMAT!r})")
    for key in ("title", "summary"):
        if not isinstance(d.get(key), str) or not d[key].strip():
            raise ValueError(f"lesson {name}: '{key}' must be a non-empty text")
    try:
        settings = Settings.from_dict(d.get("preset", {}))
    except ValueError as e:
        raise ValueError(f"lesson {name}: preset: {e}") from None
    captions = d.get("captions")
    if not isinstance(captions, list) or not captions:
        raise ValueError(f"lesson {name}: 'captions' must be a non-empty list")
    out = []
    for i, c in enumerate(captions):
        if not isinstance(c, dict) or not isinstance(c.get("text"), str) or "step" not in c:
            raise ValueError(f"lesson {name}: caption {i} needs a 'step' and a 'text'")
        resolve_step(c["step"], settings.seq_len)  # validates the expression
        out.append((c["step"], c["text"]))
    lesson = Lesson(name, d["title"], d["summary"], settings, tuple(out))
    steps = lesson.steps(settings.seq_len)
    if steps != sorted(steps):
        raise ValueError(f"lesson {name}: caption steps must not go backwards ({steps})")
    return lesson


def load_lesson(path) -> Lesson:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ValueError(f"cannot read lesson {path.name}: {e}") from None
    return parse_lesson(text, path.stem)


def builtin_lessons() -> list[Lesson]:
    """The lessons shipped in rnnviz/lessons, in file-name order."""
    folder = resources.files("rnnviz") / "lessons"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [parse_lesson(f.read_text(encoding="utf-8"), f.name.removesuffix(".json")) for f in files]
