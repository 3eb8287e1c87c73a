"""Issue 11, property: whatever is done to a valid session file, loading it lets no exception
escape, keeps memory bounded, and leaves the session either holding the file's valid content or
exactly as it was, with one message that names the file."""

import io
import json
import tracemalloc
import zipfile

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnviz.core.session_file import encode_session, load_session
from rnnviz.core.settings import Settings
from tests.session_files import forged_npy, npy_bytes, read_meta_member, valid_data

BUDGET = 32 * 2**20  # bytes: a valid file of this size needs well under 2 MB to load
BASES = {  # a vanilla RNN's session, and a comparison of two gated cells (format version 3)
    "rnn": encode_session(valid_data(hidden=6, seq_len=5)),
    "lstm vs gru": encode_session(valid_data(hidden=4, seq_len=5, cell="lstm", compare="gru")),
}


def _members(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        return {i.filename.removesuffix(".npy"): zf.read(i) for i in zf.infolist()}


BASE_MEMBERS = {name: _members(raw) for name, raw in BASES.items()}
DESCRS = ["<f8", "<f4", "<i8", "<i4", "|u1", "<c16", "<U8", "|b1", ">f8", "<f2", "|O", "<u8", "<V8"]
MUTATIONS = ["truncate", "flip", "replace", "swap", "header", "add", "remove", "inflate", "meta"]
HUGE = [10**6, 2**31, 2**40, 10**12]
shapes = st.lists(st.one_of(st.integers(0, 9), st.sampled_from(HUGE)), max_size=3).map(tuple)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)


def _payload(raw: bytes) -> bytes:
    """The data part of a .npy member (after its header)."""
    f = io.BytesIO(raw)
    np.lib.format.read_magic(f)
    np.lib.format.read_array_header_1_0(f)  # np.save writes version 1.0 for these
    return raw[f.tell() :]


@st.composite
def mutated_files(draw) -> bytes:
    base = draw(st.sampled_from(sorted(BASES)))
    BASE, NAMES = BASES[base], sorted(BASE_MEMBERS[base])
    kind = draw(st.sampled_from(MUTATIONS))
    if kind == "truncate":
        return BASE[: draw(st.integers(0, len(BASE) - 1))]
    if kind == "flip":
        data = bytearray(BASE)
        for _ in range(draw(st.integers(1, 6))):
            data[draw(st.integers(0, len(data) - 1))] ^= draw(st.integers(1, 255))
        return bytes(data)
    members = dict(BASE_MEMBERS[base])
    name = draw(st.sampled_from(NAMES))
    if kind == "replace":
        dtype = draw(st.sampled_from(["<f8", "<f4", "<i8", "|u1", "<c16", "<U3", "|b1"]))
        shape = tuple(draw(st.lists(st.integers(0, 7), max_size=3)))
        members[name] = npy_bytes(np.ones(shape, dtype))
    elif kind == "swap":
        other = draw(st.sampled_from(NAMES))
        members[name], members[other] = members[other], members[name]
    elif kind == "header":
        data = _payload(members[name])
        cut = draw(st.integers(0, len(data)))
        extra = b"\0" * draw(st.sampled_from([0, 8, 64]))
        members[name] = forged_npy(draw(st.sampled_from(DESCRS)), draw(shapes), data[:cut] + extra)
    elif kind == "add":
        new = draw(
            st.sampled_from(["extra", "u", "U ", "../evil", "meta2", "x.npy", "history", "compare_U", "W_f"])
        )
        members[new] = npy_bytes(np.zeros(draw(st.integers(0, 9))))
    elif kind == "remove":
        del members[name]
    elif kind == "inflate":  # a member that unpacks to megabytes, its header telling the truth or not
        n = draw(st.sampled_from([2**20, 4 * 2**20]))
        descr, count = draw(st.sampled_from([("|u1", n), ("<f8", n // 8), ("<f8", 10**9)]))
        members[name] = forged_npy(descr, (count,), bytes(n))
    elif kind == "meta":
        meta = read_meta_member(members["meta"])
        target = meta["settings"] if draw(st.booleans()) else meta
        target[draw(st.sampled_from(sorted(target) + ["bogus"]))] = draw(json_values)
        text = json.dumps(meta, allow_nan=True)
        members["meta"] = npy_bytes(np.frombuffer(text.encode(), np.uint8))
    buf = io.BytesIO()
    method = zipfile.ZIP_DEFLATED if draw(st.booleans()) else zipfile.ZIP_STORED
    with zipfile.ZipFile(buf, "w", method) as zf:
        for key, raw in members.items():
            zf.writestr(f"{key}.npy", raw)
    return buf.getvalue()


def state(session) -> dict:
    params = {f"{i}:{k}": v.copy() for i, t in enumerate(session.tracks) for k, v in t.rnn.params().items()}
    return {
        "settings": session.settings,
        "params": params,
        "x": session.x.copy(),
        "y": session.y.copy(),
        "cursor": session.stepper.cursor,
        "history": np.column_stack(session.history.data()),
        "count": session.history.count,
        "T": session.T,
    }


def same(a: dict, b: dict) -> bool:
    def equal(u, v) -> bool:
        if isinstance(u, dict):
            return u.keys() == v.keys() and all(np.array_equal(u[k], v[k]) for k in u)
        return np.array_equal(u, v) if isinstance(u, np.ndarray) else u == v

    return all(equal(a[k], b[k]) for k in a)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(content=mutated_files())
def test_any_mutation_loads_whole_or_not_at_all(qtbot, tmp_path_factory, content):
    from rnnviz.ui.session import Session

    session = Session(Settings(task="parity", hidden=4, seq_len=7, seed=3))
    messages = []
    session.sig_message.connect(messages.append)
    path = tmp_path_factory.mktemp("fuzz") / "mutant.rnnviz"
    path.write_bytes(content)
    before = state(session)
    tracemalloc.start()
    try:
        ok = session.load(path)  # an exception escaping fails the test
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < BUDGET, f"{peak:,} bytes"
    assert len(messages) == 1 and "mutant.rnnviz" in messages[0]
    assert "allow_pickle" not in messages[0] and "Something went wrong" not in messages[0]
    if ok:
        data = load_session(path)
        after = state(session)
        assert after["settings"] == data.settings and after["count"] == data.history_count
        models = [data.params()] + ([data.compare.parameters] if data.compare is not None else [])
        want = {f"{i}:{k}": v for i, p in enumerate(models) for k, v in p.items()}
        assert same({"params": after["params"]}, {"params": want})
        assert all(np.array_equal(after[k], getattr(data, k)) for k in ("x", "y"))
        assert np.array_equal(after["history"], data.history.reshape(-1, 2))
        assert after["cursor"] == min(data.cursor, session.stepper.total_steps)
    else:
        assert messages[0].startswith("Could not open the session: mutant.rnnviz")
        assert same(state(session), before)
