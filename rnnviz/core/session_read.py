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
    COMPARE,
    FORMAT,
    LIMITS,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    PARAMETERS,
    READABLE_VERSIONS,
    SEQUENCE_MEMBERS,
    V1_META_BYTES,
    ModelData,
    SessionData,
)
from rnnviz.core.settings import Settings, make_source
from rnnviz.core.validate import check_sequences, loss_steps

META_KEYS = {"format", "version", "settings", "cursor", "history_count", "history_stride"}
COMPARE_KEYS = {"compare_history_count", "compare_history_stride"}  # version 3, compare mode only
FLOAT64, INT64, BYTES = np.dtype("<f8"), np.dtype("<i8"), np.dtype("u1")


def read_checked(zf: zipfile.ZipFile, name: str) -> SessionData:
    members = npz_directory(zf, MAX_MEMBERS, MAX_MEMBER_BYTES)
    meta, version, settings = _read_settings(zf, members)
    try:
        K = len(make_source(settings).vocab)
    except ValueError as e:
        raise Refused(f"has settings rnnviz cannot use: {e}") from None
    # each model's members: the cell's parameters, and in compare mode the compared cell's, prefixed
    models = {"": PARAMETERS[settings.cell]}
    if settings.compare:
        models[COMPARE] = PARAMETERS[settings.compare]
    params = {prefix + key: dims for prefix, table in models.items() for key, dims in table.items()}
    curves = {prefix + "history" for prefix in models}
    expected = {"meta"} | ({"text"} if version >= 2 else set()) | set(SEQUENCE_MEMBERS) | curves | set(params)
    _check_meta_keys(meta, settings)
    _check_names(set(members), expected)
    headers = {key: npy_header(zf, key, members[key]) for key in sorted(expected - {"meta", "text"})}
    sizes = {"H": settings.hidden, "K": K}
    for key, dims in params.items():
        _check_parameter(headers[key], tuple(sizes[d] for d in dims), sizes)
    T = _check_sequence_headers(headers, settings)
    cursor = _whole(meta, "cursor", 0, 0, 3 * T + 1, "step position")
    counters = {prefix: _check_counters(meta, prefix, headers[prefix + "history"]) for prefix in models}

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
    for prefix in models:
        history = arrays[prefix + "history"]
        if not (np.all(np.isfinite(history)) and np.all(history >= 0)):
            what = "a training history" if not prefix else "a compared cell's history"
            raise Refused(f"has {what} holding negative, NaN or infinite values")
    model = {
        prefix: ModelData(
            {key: arrays[prefix + key] for key in table}, arrays[prefix + "history"], *counters[prefix]
        )
        for prefix, table in models.items()
    }
    main = model[""]
    return SessionData(
        settings=settings,
        parameters=main.parameters,
        x=x,
        y=y,
        cursor=cursor,
        history=main.history,
        history_count=main.history_count,
        history_stride=main.history_stride,
        compare=model.get(COMPARE),
    )


def _check_meta_keys(meta: dict, settings: Settings) -> None:
    """The compared cell's training counters are there exactly when the settings compare two cells."""
    present = COMPARE_KEYS & set(meta)
    if settings.compare and present != COMPARE_KEYS:
        raise Refused(f"compares two cells but lacks {', '.join(sorted(COMPARE_KEYS - present))}")
    if not settings.compare and present:
        raise Refused(f"has {', '.join(sorted(present))} but compares no cells")


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
    if version < 3 and (settings.get("cell", "rnn") != "rnn" or settings.get("compare", "") != ""):
        raise Refused(f"is damaged: a version {version} session holds a vanilla RNN alone, and no comparison")
    try:
        return meta, version, Settings.from_dict(settings)
    except ValueError as e:
        raise Refused(f"has settings rnnviz cannot use: {e}") from None


def _read_meta(zf, info, header: NpyHeader) -> tuple[dict, int]:
    """The JSON description, checked for its format and version. Version 2 stores UTF-8 bytes,
    version 1 a NumPy string (4 bytes per character); each has its own size limit."""
    dtype, shape = header.dtype, header.shape
    if dtype == BYTES and len(shape) == 1 and shape[0] <= LIMITS["meta"]:
        layout = 2  # versions 2 and 3
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
    if (version == 1) != (layout == 1):
        raise Refused(f"is damaged: it says version {version} but is laid out as version {layout}")
    unknown = sorted(set(meta) - META_KEYS - (COMPARE_KEYS if version >= 3 else set()))
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
    for key, what in (("history", "a training history"), (COMPARE + "history", "a compared cell's history")):
        h = headers.get(key)
        if h is None:
            continue
        if h.dtype != FLOAT64 or len(h.shape) != 2 or h.shape[1] != 2:
            raise Refused(f"has {what} of {h.dtype} {h.shape}; rnnviz stores float64 (n, 2)")
        if h.shape[0] > LIMITS["points"]:
            raise Refused(
                f"has {h.shape[0]:,} training-curve points; rnnviz keeps at most {LIMITS['points']:,}"
            )
    return T


def _check_counters(meta: dict, prefix: str, history: NpyHeader) -> tuple[int, int]:
    """history_count and history_stride (or the compared cell's: prefix "compare_"): whole numbers,
    in range, and as a LossHistory leaves them (the stride doubles from 1 only when the curve
    fills: count >= stride * points / 2)."""
    points = history.shape[0]
    what = "training" if not prefix else "compared cell's training"
    count = _whole(meta, prefix + "history_count", 0, 0, LIMITS["iterations"], f"{what} iteration count")
    stride = _whole(meta, prefix + "history_stride", 1, 1, 2**40, f"{what}-curve stride")
    if stride & (stride - 1):
        raise Refused(f"has a {what}-curve stride of {stride}; it must be a power of two")
    if points * stride > count or (stride > 1 and count < stride * LIMITS["points"] // 2):
        raise Refused(
            f"has a {what}-curve stride of {stride} with {points} points for {count} iterations;"
            " a training curve never has that"
        )
    return count, stride


def _whole(meta: dict, key: str, default: int, low: int, high: int, what: str) -> int:
    value = meta.get(key, default)
    if type(value) is not int or not low <= value <= high:
        raise Refused(f"has a {what} of {_brief(value)}; it must be a whole number from {low} to {high:,}")
    return value


def _brief(value, n: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= n else text[: n - 1] + "…"
