"""Save and load a whole session: settings (text included), parameters, sequence, step position.

Format (version 3): a NumPy .npz archive (a zip of .npy members, each CRC-checked on load) holding
    meta       uint8 (n,): UTF-8 JSON {"format": "rnnviz-session", "version": 3,
               "settings": {every Settings field but text}, "cursor": int,
               "history_count": int, "history_stride": int,
               and in compare mode "compare_history_count", "compare_history_stride"}
    text       uint8 (n,): the UTF-8 text of a 'file' task (empty for the built-in tasks)
    the cell's parameters, float64, names and shapes in PARAMETERS[settings.cell]
               (rnn: U, W, V; lstm: U_f W_f b_f ... V; gru: U_u W_u b_u ... V)
    x, y       int64 (T,): token ids of the current sequence
    history    float64 (n, 2): the training curve's (iteration, loss) points
    compare mode (settings.compare names a second cell): that cell's parameters, each named
               "compare_" + its name, and its training curve "compare_history"
Version 2 (a vanilla RNN alone, without "cell" and "compare" in its settings) and version 1 (meta a
NumPy string whose settings hold the text; no text member) are still read.

Reading trusts nothing: the file must be a regular file within a size limit; the zip directory and
every .npy header are checked against LIMITS and the settings before any array is decompressed;
reads are bounded. Writing goes to a temporary file in the target's folder, renamed over it.
"""

from __future__ import annotations

import io
import json
import math
import os
import secrets
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.core.data import MAX_TEXT_BYTES, MAX_VOCAB
from rnnviz.core.safe_read import MAX_NPY_HEADER, READ_ERRORS, Refused, open_regular, open_zip
from rnnviz.core.settings import LIMITS as SETTING_LIMITS
from rnnviz.core.settings import Settings

FORMAT = "rnnviz-session"
VERSION = 3
READABLE_VERSIONS = (1, 2, 3)
SUFFIX = ".rnnviz"

LIMITS = {  # what a session file may hold; docs/file-formats.md states these numbers
    "T": SETTING_LIMITS["seq_len"][1],  # tokens in x and y
    "H": SETTING_LIMITS["hidden"][1],  # hidden size
    "K": MAX_VOCAB,  # vocabulary size
    "text": MAX_TEXT_BYTES,  # bytes of your text (UTF-8)
    "meta": 64 * 1024,  # bytes of the JSON description (version 2: without the text)
    "points": 2048,  # points of the training curve (LossHistory's capacity)
    "iterations": 10**12,  # training iterations counted in history_count
}
# version 1 kept the text, JSON-escaped, in meta: a NumPy string of 4 bytes per character
V1_META_BYTES = 4 * (2 * MAX_TEXT_BYTES + LIMITS["meta"])


def _gated(blocks: str) -> dict[str, tuple[str, str] | tuple[str]]:
    """U_b (H, K), W_b (H, H), b_b (H,) per block, then V (K, H): the order of DESIGN.md section 6."""
    table: dict = {}
    for b in blocks:
        table.update({f"U_{b}": ("H", "K"), f"W_{b}": ("H", "H"), f"b_{b}": ("H",)})
    return {**table, "V": ("K", "H")}


PARAMETERS = {  # cell -> parameter name -> shape, in the size names of LIMITS
    "rnn": {"U": ("H", "K"), "W": ("H", "H"), "V": ("K", "H")},
    "lstm": _gated("figq"),
    "gru": _gated("urh"),
}
COMPARE = "compare_"  # the compared cell's members: its parameters and its training curve, so prefixed
SEQUENCE_MEMBERS = {"x": ("T",), "y": ("T",), "history": ("points", 2)}
MAX_MEMBERS = 32  # a session has at most 29 (an LSTM compared with a GRU); a bigger directory is not read


@dataclass(frozen=True)
class ModelData:
    """One model's parameters (name -> array, as params()) and its training curve."""

    parameters: dict
    history: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # (n, 2) iteration, loss
    history_count: int = 0
    history_stride: int = 1


@dataclass(frozen=True)
class SessionData:
    settings: Settings
    parameters: dict  # the cell's parameters: name -> array, the keys of its params()
    x: np.ndarray
    y: np.ndarray
    cursor: int = 0
    history: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # (n, 2) iteration, loss
    history_count: int = 0
    history_stride: int = 1
    compare: ModelData | None = None  # compare mode: the second cell's parameters and training curve

    def params(self) -> dict[str, np.ndarray]:
        return dict(self.parameters)

    def main_model(self) -> ModelData:
        """The cell's own parameters and training curve (compare mode: `compare` holds the other's)."""
        return ModelData(self.parameters, self.history, self.history_count, self.history_stride)

    def __getattr__(self, name: str):
        """data.W, data.U_f, ...: a parameter by its name."""
        parameters = self.__dict__.get("parameters", {})
        if name in parameters:
            return parameters[name]
        raise AttributeError(f"SessionData has no attribute or parameter {name!r}")


# --- writing ----------------------------------------------------------------------------------------


def encode_session(data: SessionData) -> bytes:
    """The bytes of a version-3 session file."""
    settings = data.settings.to_dict()
    text = settings.pop("text")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "settings": settings,
        "cursor": int(data.cursor),
        "history_count": int(data.history_count),
        "history_stride": int(data.history_stride),
    }
    members = {name: np.asarray(p, np.float64) for name, p in data.params().items()}
    if data.settings.compare:
        if data.compare is None:
            raise ValueError("compare mode needs the compared cell's parameters")
        c = data.compare
        meta.update(compare_history_count=int(c.history_count), compare_history_stride=int(c.history_stride))
        members.update({COMPARE + name: np.asarray(p, np.float64) for name, p in c.parameters.items()})
        members[COMPARE + "history"] = np.asarray(c.history, np.float64).reshape(-1, 2)
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        meta=np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), np.uint8),
        text=np.frombuffer(text.encode("utf-8"), np.uint8),
        **members,
        x=np.asarray(data.x, np.int64),
        y=np.asarray(data.y, np.int64),
        history=np.asarray(data.history, np.float64).reshape(-1, 2),
    )
    return buf.getvalue()


def save_session(path, data: SessionData) -> None:
    """Write atomically: a temporary file in the target's folder, flushed, then renamed over it.

    A symbolic link is kept and the file it points to is replaced; an existing file keeps its
    permissions, a new one gets the usual 0666 minus the umask. Raises OSError naming the path."""
    write_atomic(path, encode_session(data))


def write_atomic(path, payload: bytes) -> None:
    target = Path(os.path.realpath(path))  # through symbolic links: the link stays a link
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        mode = None  # a new file: os.open applies the umask to 0o666
    fd, tmp = _create_temp(target.parent, target.name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _create_temp(folder: Path, name: str) -> tuple[int, Path]:
    """A new file next to the target (so the rename stays on one file system), mode 0666 & ~umask."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = folder / f".{name}.{secrets.token_hex(4)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"cannot create a temporary file in {folder}")


# --- reading ----------------------------------------------------------------------------------------


def _array_limit(shape: tuple) -> int:
    """The most bytes a float64/int64 member of this shape (in LIMITS' size names) unpacks to."""
    return 8 * math.prod(LIMITS[d] if isinstance(d, str) else d for d in shape) + MAX_NPY_HEADER


_ARRAY_SHAPES = list(SEQUENCE_MEMBERS.values()) + [s for table in PARAMETERS.values() for s in table.values()]
MAX_MEMBER_BYTES = max(
    V1_META_BYTES + MAX_NPY_HEADER, LIMITS["text"] + MAX_NPY_HEADER, *map(_array_limit, _ARRAY_SHAPES)
)  # what any member may unpack to: checked in the zip directory before anything else
_MODEL_BYTES = {cell: sum(map(_array_limit, table.values())) for cell, table in PARAMETERS.items()}
MAX_FILE_BYTES = (
    (
        LIMITS["meta"]
        + LIMITS["text"]
        + 2 * MAX_NPY_HEADER
        + sum(map(_array_limit, SEQUENCE_MEMBERS.values()))
        + _array_limit(SEQUENCE_MEMBERS["history"])  # the compared cell's training curve
        + max(_MODEL_BYTES[a] + _MODEL_BYTES[b] for a in PARAMETERS for b in PARAMETERS if a != b)
    )
    * 101
    // 100
    + 2** 20
)  # a file at the limits (two models): deflate may grow random data a little; zip headers


def load_session(path) -> SessionData:
    """Read and fully validate a session file. Any problem raises ValueError: one sentence that
    names the file and says what is wrong. Nothing is decompressed before it has been checked."""
    from rnnviz.core.session_read import read_checked

    path = Path(path)
    name = path.name
    try:
        with open_regular(path, MAX_FILE_BYTES) as f, open_zip(f, MAX_MEMBERS) as zf:
            return read_checked(zf, name)
    except Refused as e:
        raise ValueError(f"{name} {_short(e, 300)}") from None
    except MemoryError:
        raise ValueError(f"{name} could not be read: not enough memory") from None
    except READ_ERRORS as e:
        raise ValueError(f"{name} is damaged ({_damage(e)})") from None


def _damage(e: BaseException) -> str:
    """What a library's error says about a damaged file, briefly."""
    if isinstance(e, zlib.error):
        return "its compressed data is corrupt"
    if isinstance(e, zipfile.BadZipFile):
        return _short(e)
    return f"{type(e).__name__}: {_short(e)}"


def _short(e: BaseException, n: int = 120) -> str:
    text = " ".join(str(e).split())  # one line
    return text if len(text) <= n else text[: n - 1] + "…"
