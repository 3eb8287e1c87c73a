"""Building session files, valid and hostile, for the tests (trusted code: np.load is fine here)."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np

from rnnviz.core.session_file import ModelData, SessionData, encode_session
from rnnviz.core.settings import Settings, make_model, make_source


def valid_data(task="echo", hidden=6, seq_len=5, **kw) -> SessionData:
    """A session file's content; cell="lstm" for a gated cell, compare="gru" for a comparison."""
    s = Settings(task=task, hidden=hidden, seq_len=seq_len, **kw)
    src = make_source(s)
    rnn = make_model(s, len(src.vocab))
    x, y = src.sample(np.random.default_rng(0), seq_len)
    hist = np.array([[0.0, 2.0], [1.0, 1.5]])
    compare = None
    if s.compare:
        other = make_model(s, len(src.vocab), s.compare)
        compare = ModelData(other.params(), np.array([[0.0, 2.5], [1.0, 2.0], [2.0, 1.0]]), 3)
    return SessionData(s, rnn.params(), x, y, cursor=3, history=hist, history_count=2, compare=compare)


def npy_bytes(arr) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, np.asarray(arr), allow_pickle=False)
    return buf.getvalue()


def forged_npy(descr: str, shape: tuple, data: bytes = b"", fortran: bool = False) -> bytes:
    """A .npy member whose header says what we like, followed by `data`."""
    buf = io.BytesIO()
    header = {"descr": descr, "fortran_order": fortran, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + data


def member_bytes(path) -> dict[str, bytes]:
    """name (without .npy) -> the member's raw .npy bytes."""
    with zipfile.ZipFile(path) as zf:
        return {i.filename.removesuffix(".npy"): zf.read(i) for i in zf.infolist()}


def write_members(path, members: dict[str, bytes], compress: bool = True) -> None:
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, raw in members.items():
            zf.writestr(name if name.endswith(".npy") else f"{name}.npy", raw)


def meta_npy(meta: dict) -> bytes:
    return npy_bytes(np.frombuffer(json.dumps(meta).encode(), np.uint8))


def with_meta(path, **changes) -> None:
    """Rewrite the JSON description of a saved session with some entries changed (in the layout
    it had: UTF-8 bytes in version 2, a NumPy string in version 1)."""
    members = member_bytes(path)
    version_1 = _meta_array(members["meta"]).dtype.kind == "U"
    meta = {**read_meta_member(members["meta"]), **changes}
    members["meta"] = npy_bytes(np.array(json.dumps(meta))) if version_1 else meta_npy(meta)
    write_members(path, members)


def _meta_array(raw: bytes) -> np.ndarray:
    return np.lib.format.read_array(io.BytesIO(raw), allow_pickle=False)


def read_meta_member(raw: bytes) -> dict:
    arr = _meta_array(raw)
    return json.loads(str(arr[()]) if arr.dtype.kind == "U" else arr.tobytes())


def save_v1(path, data: SessionData) -> None:
    """A session file as rnnviz wrote it before format version 2 (the text inside meta)."""
    meta = {
        "format": "rnnviz-session",
        "version": 1,
        "settings": data.settings.to_dict(),
        "cursor": int(data.cursor),
        "history_count": int(data.history_count),
        "history_stride": int(data.history_stride),
    }
    with open(path, "wb") as f:
        np.savez_compressed(
            f,
            meta=np.array(json.dumps(meta)),
            U=data.U,
            W=data.W,
            V=data.V,
            x=np.asarray(data.x, np.int64),
            y=np.asarray(data.y, np.int64),
            history=np.asarray(data.history, np.float64).reshape(-1, 2),
        )


def save_v2(path, data: SessionData) -> None:
    """A session file as rnnviz wrote it in format version 2 (a vanilla RNN; no cell, no compare)."""
    members = {}
    with zipfile.ZipFile(io.BytesIO(encode_session(data))) as zf:
        for info in zf.infolist():
            members[info.filename.removesuffix(".npy")] = zf.read(info)
    meta = read_meta_member(members["meta"])
    meta["version"] = 2
    for key in ("cell", "compare"):
        meta["settings"].pop(key)
    members["meta"] = meta_npy(meta)
    write_members(path, members)
