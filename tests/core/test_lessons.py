import json

import pytest

from rnnviz.core import Stepper
from rnnviz.core.lessons import builtin_lessons, load_lesson, parse_lesson, resolve_step
from rnnviz.core.settings import make_model, make_source, sequence_rng

TOPICS = ["forward", "loss", "one loss", "full bptt", "vanishing", "exploding", "truncated"]


def test_at_least_seven_lessons_cover_the_topics():
    lessons = builtin_lessons()
    titles = " | ".join(lesson.title.lower() for lesson in lessons)
    assert len(lessons) >= 7
    for topic in TOPICS:
        assert topic in titles, topic


@pytest.mark.parametrize("lesson", builtin_lessons(), ids=lambda lesson: lesson.name)
def test_every_lesson_runs_to_its_end(lesson):
    s = lesson.settings
    src = make_source(s)
    rnn = make_model(s, len(src.vocab))
    x, y = src.sample(sequence_rng(s), s.seq_len)
    target = None if s.mode == "full" else s.target
    st = Stepper(rnn, x, y, mode=s.mode, target=target, truncate=s.truncate or None)
    shown = [lesson.caption_index(0, s.seq_len)]
    while st.step() is not None:
        shown.append(lesson.caption_index(st.cursor, s.seq_len))
    shown = [c for i, c in enumerate(shown) if i == 0 or c != shown[i - 1]]
    # every caption written for the untrained preset is reached, in order: the last one at its step
    steps = lesson.steps(s.seq_len)
    for_preset = [i for i, c in enumerate(lesson.captions) if c.applies(s)]
    last_at_step = [i for i in for_preset if not any(j > i and steps[j] == steps[i] for j in for_preset)]
    assert shown == last_at_step
    assert all("$" not in lesson.text(i) for i in range(len(lesson.captions)))


def test_lesson_presets_show_what_they_claim():
    by_name = {lesson.name: lesson for lesson in builtin_lessons()}
    for name, far_vs_near in (("05_vanishing", "small"), ("06_exploding", "large")):
        s = by_name[name].settings
        src = make_source(s)
        rnn = make_model(s, len(src.vocab))
        x, y = src.sample(sequence_rng(s), s.seq_len)
        J = rnn.jacobian_row(x, s.seq_len - 1)[0]
        ratio = J[1] / J[-1]  # 18 steps back vs 0 steps back
        assert ratio < 1e-3 if far_vs_near == "small" else ratio > 10


def test_step_expressions():
    assert resolve_step(3, 10) == 3 and resolve_step("T", 10) == 10
    assert resolve_step("T+2", 10) == 12 and resolve_step("2*T-1", 10) == 19
    with pytest.raises(ValueError, match="caption step"):
        resolve_step("T*3", 10)


def _lesson(**changes):
    d = {
        "format": "rnnviz-lesson",
        "title": "t",
        "summary": "s",
        "preset": {"seq_len": 4},
        "captions": [{"step": 0, "text": "a"}, {"step": "T", "text": "b"}],
    }
    d.update(changes)
    return json.dumps(d)


@pytest.mark.parametrize(
    "text,message",
    [
        ("{not json", "not valid JSON"),
        (_lesson(format="other"), "not an rnnviz lesson"),
        (_lesson(title=""), "title"),
        (_lesson(preset={"hidden": -3}), "preset: hidden"),
        (_lesson(captions=[]), "non-empty list"),
        (_lesson(captions=[{"text": "x"}]), "needs a 'step'"),
        (_lesson(captions=[{"step": "T", "text": "a"}, {"step": 1, "text": "b"}]), "backwards"),
        (_lesson(free=["colour"]), "'free'"),
        (_lesson(captions=[{"step": 0, "text": "a", "when": {"colour": 1}}]), "'when'"),
        (_lesson(captions=[{"step": 0, "text": "a", "show": "desk"}]), "'show'"),
        (_lesson(captions=[{"step": 0, "text": "K = $k_value"}]), "unknown setting"),
        (_lesson(captions=[{"step": 0, "text": "a", "colour": "red"}]), "unknown key"),
        (_lesson(captions=[{"step": 0, "text": "a", "untrained": "yes"}]), "'untrained'"),
        (_lesson(captions=[{"step": 0, "text": "a", "views": ["graph"]}]), "'views'"),
        (_lesson(captions=[{"step": 0, "text": "a", "views": []}]), "'views'"),
        (_lesson(captions=[{"step": 0, "text": "a", "views": "loss"}]), "'views'"),
        (_lesson(captions=[{"step": 0, "text": "a", "views": ["loss", "loss"]}]), "'views'"),
        (_lesson(captions=[{"step": 0, "text": "a", "views": ["loss", "hidden", "gradients"]}]), "'views'"),
    ],
)
def test_bad_lessons_get_clear_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_lesson(text, "bad")


def test_load_lesson_file(tmp_path):
    p = tmp_path / "mine.json"
    p.write_text(_lesson(), encoding="utf-8")
    lesson = load_lesson(p)
    assert lesson.caption_at(3, 4) == "a" and lesson.caption_at(4, 4) == "b"
    assert lesson.free == frozenset() and lesson.preset_keys == {"seq_len"}
    p.write_bytes(b"\xff\xfe")
    with pytest.raises(ValueError, match="cannot read"):
        load_lesson(p)


def test_captions_follow_the_settings_and_the_free_ones_keep_the_lesson():
    lesson = parse_lesson(
        _lesson(
            preset={"seq_len": 4, "truncate": 3, "hidden": 5},
            free=["truncate"],
            captions=[
                {"step": 0, "text": "K = $truncate, band $band, T = $T", "untrained": True},
                {"step": 0, "when": {"truncate": 0}, "text": "off"},
                {"step": "T", "text": "end"},
                {"step": "T", "when": {"trained": True}, "text": "end, trained"},
            ],
        ),
        "x",
    )
    s = lesson.settings
    assert lesson.caption_at(0, 4, s) == "K = 3, band 4, T = 4"
    assert lesson.caption_at(0, 4, s.with_(truncate=2)) == "K = 2, band 3, T = 4"
    assert lesson.caption_at(2, 4, s.with_(truncate=0)) == "off"
    assert lesson.caption_at(4, 4, s) == "end" and lesson.caption_at(4, 4, s, trained=True) == "end, trained"
    assert lesson.caption_at(0, 4, s, trained=True).startswith("[This describes the untrained model")
    assert lesson.variant(2, 4, s, trained=True) == 3 and lesson.variant(0, 4, s.with_(truncate=0)) == 1
    assert lesson.ended_by(s.with_(truncate=0)) == []  # asked for by a caption
    assert lesson.ended_by(s.with_(hidden=6)) == ["hidden"]  # the preset's own
    assert lesson.ended_by(s.with_(seed=9)) == ["seed"]  # data: a new model
    assert lesson.ended_by(s.with_(lr=0.5)) == []  # neither: the captions still hold


def test_a_caption_names_its_views_and_later_captions_keep_them():
    lesson = parse_lesson(
        _lesson(
            captions=[
                {"step": 0, "text": "a"},
                {"step": 1, "text": "b", "views": ["hidden", "loss"]},
                {"step": 2, "text": "c"},
                {"step": "T", "text": "d", "views": ["gradients"]},
            ]
        ),
        "x",
    )
    assert [lesson.views_at(i) for i in range(4)] == [
        (),
        ("hidden", "loss"),
        ("hidden", "loss"),
        ("gradients",),
    ]


def test_every_builtin_lesson_names_the_views_of_its_steps():
    """Presenter mode shows what each step needs: every lesson names views from its first caption,
    and a backward-pass caption that speaks of a heatmap or the gradient view names the gradients."""
    for lesson in builtin_lessons():
        assert lesson.captions[0].views, lesson.name
        for i, c in enumerate(lesson.captions):
            views = lesson.views_at(i)
            assert 1 <= len(views) <= 2
            text = c.text.lower()
            if "contribution heatmap" in text or "gradient view" in text:
                assert "gradients" in views, (lesson.name, i)
            if "hidden-state heatmap" in text:
                assert "hidden" in views, (lesson.name, i)
            if "training curve" in text or "bar chart" in text:
                assert "loss" in views, (lesson.name, i)
