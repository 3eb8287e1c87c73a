"""Guided lessons: a preset (Settings) plus captions that advance with the steps. Lessons are data.

A lesson file is JSON:
    {"format": "rnnviz-lesson", "title": str, "summary": str,
     "preset": {<Settings fields>},
     "free": [<Settings field>, ...],            optional: settings the captions ask the learner to change
     "captions": [{"step": <int, or "T", "T+n", "T-n", "2*T", ...>, "text": str,
                   "when": {<Settings field> or "trained": value, ...},   optional: shown only while
                                                 these hold ("trained": whether the model has been trained)
                   "show": "equations" | "gradcheck" | "controls",   optional: the panel it refers to
                   "views": ["gradients", "loss"],   optional: the one or two views (hidden, loss,
                                                 gradients; states, cliff, gradnorm: the lab's) it
                                                 needs beside the graph in presenter mode (normal
                                                 mode opens a lab view it names); a caption without
                                                 it keeps the last one named
                   "untrained": true},   optional: it describes the untrained preset model
                  ...]}
`step` is the Stepper cursor (steps taken) from which the caption shows; T is the sequence length,
so "T" is the first backward step and "2*T" the end of a full sweep. The caption shown is the last
one whose step has been reached and whose `when` holds. A text may name settings as $name (e.g.
$truncate, $delay; $T is the sequence length, $band = truncate + 1): it always shows their current value.
Changing a preset setting or a data setting ends the lesson, unless it is listed in `free`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from string import Template

from rnnviz.core.settings import DATA_FIELDS, Settings

FORMAT = "rnnviz-lesson"
PANELS = ("equations", "gradcheck", "controls")  # what a caption's "show" may bring into view
VIEWS = ("hidden", "loss", "gradients")  # what a caption's "views" may name (the graph is always shown)
VIEWS += ("states", "cliff", "gradnorm")  # issue 13's: the hidden-state space, Pascanu's cliff, the norm
MAX_VIEWS = 2  # beside the graph on a projector
SETTING_NAMES = tuple(f.name for f in fields(Settings))
UNTRAINED_NOTE = (  # before a caption about the preset's untrained model, once the model is trained
    "[This describes the untrained model; yours has been trained since:"
    " Re-initialise (Ctrl+Shift+R) to see it.] "
)
_STEP = re.compile(r"^\s*(?:(\d+)\s*\*\s*)?T\s*(?:([+-])\s*(\d+))?\s*$")


@dataclass(frozen=True)
class Caption:
    step: str | int
    text: str
    when: tuple[tuple[str, object], ...] = ()  # (setting, value) pairs that must all hold
    show: str | None = None  # a panel to bring into view while this caption is shown
    views: tuple[str, ...] = ()  # the views it needs beside the graph in presenter mode
    untrained: bool = False  # it describes the preset's untrained model (said so once trained)

    def applies(self, settings: Settings, trained: bool = False) -> bool:
        facts = {"trained": trained}
        return all((facts[n] if n in facts else getattr(settings, n)) == value for n, value in self.when)


@dataclass(frozen=True)
class Lesson:
    name: str
    title: str
    summary: str
    settings: Settings
    captions: tuple[Caption, ...]  # in file order
    preset_keys: frozenset = field(default_factory=frozenset)  # the settings the file sets
    free: frozenset = field(default_factory=frozenset)  # settings the captions ask to change

    def steps(self, T: int) -> list[int]:
        return [resolve_step(c.step, T) for c in self.captions]

    def caption_index(
        self, cursor: int, T: int, settings: Settings | None = None, trained: bool = False
    ) -> int:
        """Index of the caption to show after `cursor` steps (the first caption before any)."""
        settings = settings or self.settings
        current = 0
        for i, (step, c) in enumerate(zip(self.steps(T), self.captions, strict=True)):
            if step <= cursor and c.applies(settings, trained):
                current = i
        return current

    def variant(self, index: int, T: int, settings: Settings, trained: bool = False) -> int:
        """What caption `index` becomes now: the last caption up to its step that holds for these
        settings (itself, or a variant at the same step written for them)."""
        return self.caption_index(resolve_step(self.captions[index].step, T), T, settings, trained)

    def text(self, index: int, settings: Settings | None = None, trained: bool = False) -> str:
        """Caption `index` with its $names filled in from the settings (and, if it describes the
        untrained model but this one has been trained, a note that says so)."""
        text = fill(self.captions[index].text, settings or self.settings)
        return UNTRAINED_NOTE + text if trained and self.captions[index].untrained else text

    def views_at(self, index: int) -> tuple[str, ...]:
        """The views caption `index` needs: its own, else those the last caption before it named."""
        return next((c.views for c in reversed(self.captions[: index + 1]) if c.views), ())

    def caption_at(self, cursor: int, T: int, settings: Settings | None = None, trained: bool = False) -> str:
        return self.text(self.caption_index(cursor, T, settings, trained), settings, trained)

    def ended_by(self, settings: Settings) -> list[str]:
        """The changed settings that end the lesson: its captions describe the preset, not them."""
        watched = (self.preset_keys | set(DATA_FIELDS)) - self.free
        return [
            n for n in SETTING_NAMES if n in watched and getattr(settings, n) != getattr(self.settings, n)
        ]


def fill(text: str, settings: Settings) -> str:
    values = {n: _show(getattr(settings, n)) for n in SETTING_NAMES}
    values.update(T=settings.seq_len, band=settings.truncate + 1)
    return Template(text).safe_substitute(values)


def _show(v) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def resolve_step(step: str | int, T: int) -> int:
    if isinstance(step, int) and not isinstance(step, bool):
        return step
    m = _STEP.match(step) if isinstance(step, str) else None
    if not m:
        raise ValueError(f"caption step must be a whole number or 'T', 'T+n', '2*T-n' ...; got {step!r}")
    times, sign, n = m.groups()
    return int(times or 1) * T + (int(n) if sign == "+" else -int(n) if sign == "-" else 0)


def _caption(c, i: int, name: str) -> Caption:
    if not isinstance(c, dict) or not isinstance(c.get("text"), str) or "step" not in c:
        raise ValueError(f"lesson {name}: caption {i} needs a 'step' and a 'text'")
    unknown = sorted(set(c) - {"step", "text", "when", "show", "views", "untrained"})
    if unknown:
        raise ValueError(f"lesson {name}: caption {i} has unknown key(s): {', '.join(unknown)}")
    when = c.get("when", {})
    if not isinstance(when, dict) or any(k not in SETTING_NAMES + ("trained",) for k in when):
        raise ValueError(
            f"lesson {name}: caption {i}: 'when' must map setting names (or 'trained') to values"
        )
    if c.get("show") is not None and c["show"] not in PANELS:
        raise ValueError(f"lesson {name}: caption {i}: 'show' must be one of {', '.join(PANELS)}")
    views = c.get("views", [])
    counted = isinstance(views, list) and ("views" not in c or 1 <= len(views) <= MAX_VIEWS)
    if not counted or any(v not in VIEWS for v in views) or len(set(views)) != len(views):
        raise ValueError(
            f"lesson {name}: caption {i}: 'views' must list one or {MAX_VIEWS} different views"
            f" of {', '.join(VIEWS)}"
        )
    names = set(Template(c["text"]).get_identifiers()) - set(SETTING_NAMES) - {"T", "band"}
    if names:
        raise ValueError(f"lesson {name}: caption {i} names unknown setting(s): ${', $'.join(sorted(names))}")
    if not isinstance(c.get("untrained", False), bool):
        raise ValueError(f"lesson {name}: caption {i}: 'untrained' must be true or false")
    return Caption(
        c["step"],
        c["text"],
        tuple(sorted(when.items())),
        c.get("show"),
        tuple(views),
        c.get("untrained", False),
    )


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
    preset = d.get("preset", {})
    try:
        settings = Settings.from_dict(preset)
    except ValueError as e:
        raise ValueError(f"lesson {name}: preset: {e}") from None
    free = d.get("free", [])
    if not isinstance(free, list) or any(k not in SETTING_NAMES for k in free):
        raise ValueError(f"lesson {name}: 'free' must be a list of setting names")
    captions = d.get("captions")
    if not isinstance(captions, list) or not captions:
        raise ValueError(f"lesson {name}: 'captions' must be a non-empty list")
    out = []
    for i, c in enumerate(captions):
        caption = _caption(c, i, name)
        resolve_step(caption.step, settings.seq_len)  # validates the expression
        out.append(caption)
    lesson = Lesson(name, d["title"], d["summary"], settings, tuple(out), frozenset(preset), frozenset(free))
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
