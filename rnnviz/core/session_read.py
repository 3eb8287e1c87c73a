"""Checking a session archive before believing it (the reading half of session_file).

Order: the zip directory; the meta member (small, bounded) and, in version 2, the text member; the
settings they describe; every other member's .npy header against those settings and LIMITS; only
then the array data, read with bounded reads; last the values (finite, in range). Every reason
raised is phrased to follow the file's name: "lesson.rnnviz" + " has parameter U in float32; ...".
"""

from __future__ import annotations

import json
import zipfile

import numpy as np

from rnnviz.core.safe_read import NpyHeader, Refused, npy_header, npz_directory, read_npy
from rnnviz.core.session_file import (
    FORMAT,
    LIMITS,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    PARAMETERS,
    READABLE_VERSIONS,
    SEQUENCE_MEMBERS,
    V1_META_BYTES,
    SessionData,
)
from rnnviz.core.settings import Settings, make_source
from rnnviz.core.validate import check_sequences, loss_steps

META_KEYS = {"format", "version", "settings", "cursor", "history_count", "history_stride"}
FLOAT64, INT64, BYTES = np.dtype("<f8"), np.dtype("<i8"), np.dtype("u1")


def read_checked(zf: zipfile.ZipFile, name: str) -> SessionData:
    members = npz_directory(zf, MAX_MEMBERS, MAX_MEMBER_BYTES)
    meta, version, settings = _read_settings(zf, members)
    try:
        K = len(make_source(settings).vocab)
    except ValueError as e:
        raise Refused(f"has settings rnnviz cannot use: {e}") from None
    cell = getattr(settings, "cell", "rnn")
    params = PARAMETERS.get(cell)
    if params is None:
        raise Refused(f"has a model of kind {_brief(cell)}, which this rnnviz does not know")
    expected = {"meta"} | ({"text"} if version >= 2 else set()) | set(SEQUENCE_MEMBERS) | set(params)
    _check_names(set(members), expected)
    headers = {key: npy_header(zf, key, members[key]) for key in sorted(expected - {"meta", "text"})}
    sizes = {"H": settings.hidden, "K": K}
    for key, dims in params.items():
        _check_parameter(headers[key], tuple(sizes[d] for d in dims), sizes)
    T = _check_sequence_headers(headers, settings)
    cursor, count, stride = _check_counters(meta, T, headers["history"].shape[0])

    # everything declared is as expected: now read the data (bounded: the headers fixed the sizes)
    arrays = {key: read_npy(zf, members[key], header) for key, header in headers.items()}
    for key in params:
        if not np.all(np.isfinite(arrays[key])):
            raise Refused(f"has parameter {key} holding NaN or infinite values")
    try:
        x, y = check_sequences(arrays["x"], arrays["y"], K, masked_ok=True)  # y_t = -1: no target there
        loss_steps(y)  # but some step has one
    except ValueError as e:
        raise Refused(f"has a sequence rnnviz cannot use: {e}") from None
    history = arrays["history"]
    if not (np.all(np.isfinite(history)) and np.all(history >= 0)):
        raise Refused("has a training history holding negative, NaN or infinite values")
    return SessionData(
        settings=settings,
        **{key: arrays[key] for key in params},
        x=x,
        y=y,
        cursor=cursor,
        history=history,
        history_count=count,
        history_stride=stride,
    )


def _read_settings(zf, members) -> tuple[dict, int, Settings]:
    """The description (meta), its format version, and the Settings it holds with their text."""
    if "meta" not in members:
        raise Refused("is not an rnnviz session file (it has no meta member)")
    meta, version = _read_meta(zf, members["meta"], npy_header(zf, "meta", members["meta"]))
    settings = meta["settings"]
    if version >= 2:
        if "text" in settings:
            raise Refused("is damaged: its settings hold a text, which version 2 keeps apart")
        settings = {**settings, "text": _read_text(zf, members)}
    elif isinstance(settings.get("text"), str):
        _check_text_size(settings["text"])
    try:
        return meta, version, Settings.from_dict(settings)
    except ValueError as e:
        raise Refused(f"has settings rnnviz cannot use: {e}") from None


def _read_meta(zf, info, header: NpyHeader) -> tuple[dict, int]:
    """The JSON description, checked for its format and version. Version 2 stores UTF-8 bytes,
    version 1 a NumPy string (4 bytes per character); each has its own size limit."""
    dtype, shape = header.dtype, header.shape
    if dtype == BYTES and len(shape) == 1 and shape[0] <= LIMITS["meta"]:
        layout = 2
        try:
            text = read_npy(zf, info, header).tobytes().decode("utf-8")
        except UnicodeDecodeError:
            raise Refused("is damaged: its description is not UTF-8 text") from None
    elif dtype == BYTES and len(shape) == 1:
        raise Refused(f"has a description of {shape[0]:,} bytes; rnnviz reads at most {LIMITS['meta']:,}")
    elif dtype.kind == "U" and dtype.byteorder in "<=" and shape == () and dtype.itemsize <= V1_META_BYTES:
        layout = 1
        text = str(read_npy(zf, info, header)[()])
    else:
        raise Refused(f"is not an rnnviz session file (its meta member is {dtype} of shape {shape})")
    try:
        meta = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise Refused("is damaged: its description is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise Refused("is not an rnnviz session file")
    version = meta.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        raise Refused(
            f"is a session of format version {_brief(version)}; this rnnviz reads versions"
            f" {READABLE_VERSIONS[0]} to {READABLE_VERSIONS[-1]}"
        )
    if version != layout:
        raise Refused(f"is damaged: it says version {version} but is laid out as version {layout}")
    unknown = sorted(set(meta) - META_KEYS)
    if unknown:
        raise Refused(f"has unknown entries in its description: {', '.join(map(_brief, unknown))}")
    if not isinstance(meta.get("settings"), dict):
        raise Refused("has no settings (they must be a mapping of names to values)")
    return meta, version


def _no_constant(word: str):
    raise Refused(f"{word} is not a number JSON allows")


def _read_text(zf, members) -> str:
    if "text" not in members:
        raise Refused("lacks the member text")
    header = npy_header(zf, "text", members["text"])
    if header.dtype != BYTES or len(header.shape) != 1:
        raise Refused(f"has a text member of {header.dtype} {header.shape}; rnnviz stores UTF-8 bytes")
    if header.shape[0] > LIMITS["text"]:
        raise Refused(f"holds a text of {header.shape[0]:,} bytes; rnnviz reads at most {LIMITS['text']:,}")
    try:
        return read_npy(zf, members["text"], header).tobytes().decode("utf-8")
    except UnicodeDecodeError as e:
        raise Refused(f"holds a text that is not UTF-8 (at byte {e.start})") from None


def _check_text_size(text: str) -> None:
    try:
        n = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise Refused("holds a text that is not valid Unicode") from None
    if n > LIMITS["text"]:
        raise Refused(f"holds a text of {n:,} bytes; rnnviz reads at most {LIMITS['text']:,}")


def _check_names(present: set, expected: set) -> None:
    missing, extra = sorted(expected - present), sorted(present - expected)
    if missing:
        raise Refused(f"is not a complete rnnviz session: it lacks {', '.join(missing)}")
    if extra:
        raise Refused(f"holds a member {_brief(extra[0] + '.npy')}, which is not in an rnnviz session")


def _check_parameter(h: NpyHeader, shape: tuple, sizes: dict) -> None:
    if h.dtype != FLOAT64:
        raise Refused(f"has parameter {h.name} in {h.dtype}; rnnviz stores float64")
    if h.shape != shape:
        raise Refused(
            f"has parameter {h.name} of shape {h.shape}, where its settings need {shape}"
            f" (H = {sizes['H']}, K = {sizes['K']})"
        )


def _check_sequence_headers(headers: dict, settings: Settings) -> int:
    """T from the headers of x and y (1 <= T <= seq_len <= LIMITS['T']); history is (n, 2)."""
    for key in ("x", "y"):
        h = headers[key]
        if h.dtype != INT64 or len(h.shape) != 1:
            raise Refused(f"has {key} as {h.dtype} {h.shape}; rnnviz stores int64 token ids (T,)")
    T = headers["x"].shape[0]
    if headers["y"].shape[0] != T:
        raise Refused(f"has {T} inputs x but {headers['y'].shape[0]} targets y")
    most = min(settings.seq_len, LIMITS["T"])
    if not 1 <= T <= most:
        raise Refused(f"has a sequence of {T:,} tokens; its settings allow 1 to {most}")
    h = headers["history"]
    if h.dtype != FLOAT64 or len(h.shape) != 2 or h.shape[1] != 2:
        raise Refused(f"has a training history of {h.dtype} {h.shape}; rnnviz stores float64 (n, 2)")
    if h.shape[0] > LIMITS["points"]:
        raise Refused(f"has {h.shape[0]:,} training-curve points; rnnviz keeps at most {LIMITS['points']:,}")
    return T


def _check_counters(meta: dict, T: int, points: int) -> tuple[int, int, int]:
    """cursor, history_count and history_stride: whole numbers, in range, and as a LossHistory
    leaves them (the stride doubles from 1 only when the curve fills: count >= stride * points / 2)."""
    cursor = _whole(meta, "cursor", 0, 0, 3 * T + 1, "step position")
    count = _whole(meta, "history_count", 0, 0, LIMITS["iterations"], "training iteration count")
    stride = _whole(meta, "history_stride", 1, 1, 2**40, "training-curve stride")
    if stride & (stride - 1):
        raise Refused(f"has a training-curve stride of {stride}; it must be a power of two")
    if points * stride > count or (stride > 1 and count < stride * LIMITS["points"] // 2):
        raise Refused(
            f"has a training-curve stride of {stride} with {points} points for {count} iterations;"
            " a training curve never has that"
        )
    return cursor, count, stride


def _whole(meta: dict, key: str, default: int, low: int, high: int, what: str) -> int:
    value = meta.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise Refused(f"has a {what} of {_brief(value)}; it must be a whole number from {low} to {high:,}")
    return value


def _brief(value, n: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"
