"""Save and load a whole session: settings (text included), parameters, sequence, step position.

Format (version 1): a NumPy .npz archive (a zip; every member is CRC-checked on load) holding
    meta       JSON text: {"format": "rnnviz-session", "version": 1, "settings": {...},
               "cursor": int, "history_count": int, "history_stride": int}
    U, W, V    float64 parameters, shapes (H, K), (H, H), (K, H)
    x, y       int64 token ids of the current sequence, shape (T,)
    history    float64 (n, 2): the training curve's (iteration, loss) points
No pickles: files are loaded with allow_pickle=False. Writes go to a temporary file in the same
folder and are renamed over the target, so a crash never leaves half a file.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from rnnviz.core.settings import Settings, make_source
from rnnviz.core.validate import check_sequences

FORMAT = "rnnviz-session"
VERSION = 1
SUFFIX = ".rnnviz"


@dataclass(frozen=True)
class SessionData:
    settings: Settings
    U: np.ndarray
    W: np.ndarray
    V: np.ndarray
    x: np.ndarray
    y: np.ndarray
    cursor: int = 0
    history: np.ndarray = field(default_factory=lambda: np.empty((0, 2)))  # (n, 2) iteration, loss
    history_count: int = 0
    history_stride: int = 1


def save_session(path, data: SessionData) -> None:
    """Write atomically: temp file + rename."""
    path = Path(path)
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "settings": data.settings.to_dict(),
        "cursor": int(data.cursor),
        "history_count": int(data.history_count),
        "history_stride": int(data.history_stride),
    }
    buf = io.BytesIO()
    np.savez_compressed(
        buf,
        meta=np.array(json.dumps(meta)),
        U=data.U,
        W=data.W,
        V=data.V,
        x=np.asarray(data.x, np.int64),
        y=np.asarray(data.y, np.int64),
        history=np.asarray(data.history, np.float64).reshape(-1, 2),
    )
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(buf.getvalue())
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load_session(path) -> SessionData:
    """Read and fully validate a session file; any problem raises ValueError with a clear reason."""
    path = Path(path)
    name = path.name
    try:
        with open(path, "rb") as f, np.load(f, allow_pickle=False) as z:  # f: closed even if np.load fails
            members = {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise ValueError(f"{name} does not exist") from None
    except (zipfile.BadZipFile, EOFError, OSError) as e:
        raise ValueError(f"{name} is not an rnnviz session file, or it is damaged ({e})") from None
    except ValueError as e:
        raise ValueError(f"{name} is not an rnnviz session file ({e})") from None
    missing = {"meta", "U", "W", "V", "x", "y", "history"} - set(members)
    if missing:
        raise ValueError(f"{name} is not an rnnviz session file: missing {', '.join(sorted(missing))}")
    try:
        meta = json.loads(str(members["meta"]))
    except (json.JSONDecodeError, TypeError):
        raise ValueError(f"{name}: the session description is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ValueError(f"{name} is not an rnnviz session file")
    if meta.get("version") != VERSION:
        raise ValueError(
            f"{name} is a session of format version {meta.get('version')!r};"
            f" this rnnviz reads version {VERSION}"
        )
    settings = Settings.from_dict(meta.get("settings"))
    K = len(make_source(settings).vocab)
    H = settings.hidden
    for key, shape in (("U", (H, K)), ("W", (H, H)), ("V", (K, H))):
        arr = members[key]
        if arr.shape != shape or arr.dtype != np.float64:
            raise ValueError(f"{name}: parameter {key} has shape {arr.shape}, expected {shape}")
        if not np.all(np.isfinite(arr)):
            raise ValueError(f"{name}: parameter {key} holds NaN or infinite values")
    x, y = check_sequences(members["x"], members["y"], K)
    cursor = meta.get("cursor", 0)
    if not isinstance(cursor, int) or not 0 <= cursor <= 3 * len(x) + 1:
        raise ValueError(f"{name}: step position {cursor!r} is out of range")
    history = members["history"]
    if history.ndim != 2 or history.shape[1] != 2 or not np.all(np.isfinite(history)):
        raise ValueError(f"{name}: the training history is malformed")
    return SessionData(
        settings=settings,
        U=members["U"],
        W=members["W"],
        V=members["V"],
        x=x,
        y=y,
        cursor=cursor,
        history=history,
        history_count=int(meta.get("history_count", 0)),
        history_stride=int(meta.get("history_stride", 1)),
    )
