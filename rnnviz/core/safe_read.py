"""Reading files nobody vouches for, without freezing or running out of memory.

Only regular files are opened (a FIFO or a device would block or never end), their size is checked
with stat before a byte is read, and every read is bounded. Zip archives of .npy members (.npz) are
checked from the zip directory and each member's .npy header (numpy.lib.format's readers) before
any array data is decompressed. Problems raise Refused (a ValueError) with a reason that follows
the file's name; errors of the libraries underneath mean the file is damaged (READ_ERRORS).
"""

from __future__ import annotations

import contextlib
import math
import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np
from numpy.lib import format as npy

READ_CHUNK = 1 << 20  # bytes per read of array data
MAX_NPY_HEADER = 4096  # bytes; numpy writes ~128, and parses this text with ast.literal_eval


class Refused(ValueError):
    """rnnviz will not read this file; str(error) is phrased to follow its name ("x.rnnviz" + " is a
    folder, ..."), so the caller can say which file and what is wrong in one sentence."""


# what reading a damaged or hostile archive can raise; all mean "this file is not what it claims"
READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    TypeError,
    KeyError,
    NotImplementedError,
    RuntimeError,  # includes RecursionError (deeply nested header text)
    OverflowError,
    UnicodeDecodeError,
)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _describe_os_error(e: OSError) -> str:
    return e.strerror or str(e)


def check_regular(path, max_bytes: int) -> int:
    """The size of `path` if it is a regular file of at most max_bytes (stat only; nothing is opened)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Refused("does not exist") from None
    except OSError as e:
        raise Refused(f"cannot be read ({_describe_os_error(e)})") from None
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"is {_kind(st.st_mode)}, not a file rnnviz can read")
    if st.st_size > max_bytes:
        raise Refused(f"is {st.st_size:,} bytes; rnnviz reads at most {max_bytes:,}")
    return st.st_size


@contextlib.contextmanager
def open_regular(path, max_bytes: int):
    """A binary file object for `path`, which must be a regular file of at most max_bytes.

    O_NONBLOCK makes opening a FIFO return at once instead of waiting for a writer (the stat check
    comes first; fstat repeats it on what was really opened, in case the path changed in between).
    """
    check_regular(path, max_bytes)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise Refused(f"cannot be read ({_describe_os_error(e)})") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Refused(f"is {_kind(st.st_mode)}, not a file rnnviz can read")
        if st.st_size > max_bytes:
            raise Refused(f"is {st.st_size:,} bytes; rnnviz reads at most {max_bytes:,}")
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def read_regular(path, max_bytes: int) -> bytes:
    """All bytes of a regular file of at most max_bytes (the read is bounded even if it grows)."""
    with open_regular(path, max_bytes) as f:
        try:
            raw = f.read(max_bytes + 1)
        except OSError as e:
            raise Refused(f"cannot be read ({_describe_os_error(e)})") from None
    if len(raw) > max_bytes:
        raise Refused(f"is more than {max_bytes:,} bytes; rnnviz reads at most {max_bytes:,}")
    return raw


# --- .npz archives ------------------------------------------------------------------------------------


def open_zip(f, max_members: int) -> zipfile.ZipFile:
    """A ZipFile over the open file f, once the archive's end record says its directory is small:
    zipfile reads the whole directory into memory and objects (~0.5 KB per entry; 150,000 empty
    entries fit in 15 MB and took 85 MB and 7 s), so the entry count is checked first."""
    end_record = getattr(zipfile, "_EndRecData", None)  # the reader zipfile itself uses
    if end_record is not None:
        try:
            record = end_record(f)
        except (OSError, ValueError, struct.error):
            record = None
        if record is None:
            raise Refused("is not an rnnviz session file (it is not a zip archive)")
        entries, size = record[zipfile._ECD_ENTRIES_TOTAL], record[zipfile._ECD_SIZE]
        if entries > max_members or size > max_members * 1024:
            raise Refused(f"holds {entries:,} members; a session has at most {max_members}")
        f.seek(0)
    try:
        return zipfile.ZipFile(f)
    except READ_ERRORS:
        raise Refused("is not an rnnviz session file (it is not a zip archive)") from None


@dataclass(frozen=True)
class NpyHeader:
    """What a member's .npy header declares, checked against the zip directory's size for it."""

    name: str  # member name without '.npy'
    shape: tuple[int, ...]
    dtype: np.dtype
    offset: int  # where the data starts in the member

    @property
    def nbytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize


def npz_directory(zf: zipfile.ZipFile, max_members: int, max_bytes: int) -> dict[str, zipfile.ZipInfo]:
    """The archive's .npy members by name (without '.npy'): each at most max_bytes unpacked, stored
    or deflated, not encrypted, named once. Reads the zip directory only."""
    infos = zf.infolist()
    if len(infos) > max_members:
        raise Refused(f"holds {len(infos):,} members; a session has at most {max_members}")
    members = {}
    for info in infos:
        name = info.filename
        stem = name[:-4] if name.endswith(".npy") else None
        if stem is None:
            raise Refused(f"holds a member {name[:60]!r}, which is not in an rnnviz session")
        if stem in members:
            raise Refused(f"holds the member {name[:60]!r} twice")
        if info.flag_bits & 0x1:
            raise Refused(f"has an encrypted member {stem!r}")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refused(f"has a member {stem!r} in a compression rnnviz does not read")
        if info.file_size > max_bytes:
            raise Refused(
                f"has a member {stem!r} that would unpack to {info.file_size:,} bytes,"
                f" more than any session holds ({max_bytes:,})"
            )
        members[stem] = info
    return members


def npy_header(zf: zipfile.ZipFile, name: str, info: zipfile.ZipInfo) -> NpyHeader:
    """Read only the .npy header of a member (a few hundred bytes) and check it is a plain,
    C-ordered, non-object array whose data fills the member exactly."""
    with zf.open(info) as f:
        version = npy.read_magic(f)
        if version == (1, 0):
            shape, fortran, dtype = npy.read_array_header_1_0(f, max_header_size=MAX_NPY_HEADER)
        elif version == (2, 0):
            shape, fortran, dtype = npy.read_array_header_2_0(f, max_header_size=MAX_NPY_HEADER)
        else:
            raise Refused(f"has a member {name!r} in .npy version {version}, which rnnviz never writes")
        offset = f.tell()
    if dtype.hasobject or dtype.fields is not None or dtype.subdtype is not None:
        raise Refused(f"has a member {name!r} holding {dtype} values, which rnnviz never writes")
    if fortran:
        raise Refused(f"has a member {name!r} in Fortran order, which rnnviz never writes")
    if any(d < 0 for d in shape):
        raise Refused(f"has a member {name!r} of negative size {shape}")
    header = NpyHeader(name, tuple(shape), dtype, offset)
    if offset + header.nbytes != info.file_size:
        raise Refused(
            f"is damaged: its member {name!r} declares {header.nbytes:,} bytes of data"
            f" but holds {max(0, info.file_size - offset):,}"
        )
    return header


def read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, header: NpyHeader) -> np.ndarray:
    """The member's array (writable), read in bounded chunks of at most the declared bytes. Memory
    grows with the bytes that really arrive, so a directory that lies about a size costs nothing;
    the zip's CRC is checked once the member has been read to its end."""
    data = bytearray()
    with zf.open(info) as f:
        f.seek(header.offset)
        while len(data) < header.nbytes:
            chunk = f.read(min(READ_CHUNK, header.nbytes - len(data)))
            if not chunk:
                break
            data += chunk
        if len(data) != header.nbytes or f.read(1):  # the extra read reaches the end: CRC check
            raise Refused(f"is damaged: its member {header.name!r} is not as long as its header declares")
    return np.frombuffer(data, dtype=header.dtype).reshape(header.shape)  # shares the bytearray: no copy
