import json
import zipfile

import numpy as np
import pytest

from rnnviz.core.session_file import SessionData, load_session, save_session
from rnnviz.core.settings import Settings, make_model, make_source


def _data(task="echo", **kw):
    s = Settings(task=task, hidden=6, seq_len=5, **kw)
    src = make_source(s)
    rnn = make_model(s, len(src.vocab))
    x, y = src.sample(np.random.default_rng(0), 5)
    hist = np.array([[0.0, 2.0], [1.0, 1.5]])
    return SessionData(s, rnn.params(), x, y, cursor=3, history=hist, history_count=2)


def test_round_trip_keeps_everything(tmp_path):
    d = _data(task="file", text="héllo wörld\n", text_name="mine.txt")
    p = tmp_path / "a.rnnviz"
    save_session(p, d)
    back = load_session(p)
    assert back.settings == d.settings and back.cursor == 3
    for k in "UWVxy":
        assert np.array_equal(getattr(back, k), getattr(d, k))
    assert np.array_equal(back.history, d.history)
    assert list(tmp_path.iterdir()) == [p]  # no temp file left behind


def test_corrupt_truncated_and_foreign_files_get_clear_errors(tmp_path):
    p = tmp_path / "a.rnnviz"
    save_session(p, _data())
    raw = p.read_bytes()
    cases = {
        "truncated": raw[: len(raw) // 2],
        "garbage": b"\x00\x01not a zip at all" * 10,
        "empty": b"",
        "text": b"just some text\n",
    }
    for label, content in cases.items():
        bad = tmp_path / f"{label}.rnnviz"
        bad.write_bytes(content)
        with pytest.raises(ValueError, match="not an rnnviz session file|damaged"):
            load_session(bad)
    with pytest.raises(ValueError, match="does not exist"):
        load_session(tmp_path / "nope.rnnviz")


def read_members(path) -> dict:
    """The members of a saved session (tests trust their own files; rnnviz never uses np.load)."""
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def read_meta(path) -> dict:
    return json.loads(read_members(path)["meta"].tobytes())


def meta_member(meta: dict) -> np.ndarray:
    return np.frombuffer(json.dumps(meta).encode(), np.uint8)


def _rewrite(path, **changes):
    """Rewrite members of a saved session (to build subtly wrong files)."""
    members = read_members(path)
    members.update(changes)
    np.savez(path, **members)


def test_wrong_format_version_shapes_and_values(tmp_path):
    p = tmp_path / "a.npz"
    save_session(p, _data())
    meta = read_meta(p)
    for change, message in [
        ({"format": "something-else"}, "not an rnnviz session"),
        ({"version": 99}, "version 99"),
        ({"cursor": 10_000}, "step position"),
        ({"settings": {**meta["settings"], "hidden": 0}}, "hidden"),
        ({"settings": {**meta["settings"], "bogus": 1}}, "unknown setting"),
    ]:
        q = tmp_path / "q.npz"
        save_session(q, _data())
        _rewrite(q, meta=meta_member({**meta, **change}))
        with pytest.raises(ValueError, match=message):
            load_session(q)
    q = tmp_path / "q.npz"
    save_session(q, _data())
    _rewrite(q, W=np.full((6, 6), np.nan))
    with pytest.raises(ValueError, match="NaN"):
        load_session(q)
    _rewrite(q, W=np.zeros((5, 6)))
    with pytest.raises(ValueError, match="shape"):
        load_session(q)


def test_failed_write_keeps_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "a.rnnviz"
    save_session(p, _data())
    before = p.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        save_session(p, _data(seed=5))
    assert p.read_bytes() == before and len(list(tmp_path.iterdir())) == 1
    assert zipfile.is_zipfile(p)
