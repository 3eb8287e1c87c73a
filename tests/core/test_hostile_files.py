"""Issue 11: no file, however bad, freezes, exhausts memory or gets an unclear message.

Memory is measured with tracemalloc (NumPy reports its array allocations to it): a refused file
must cost far less than what it claims to hold, because it is refused from the zip directory and
the .npy headers before anything is decompressed.
"""

import os
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rnnviz.core.data import MAX_TEXT_BYTES, read_text_file
from rnnviz.core.session_file import LIMITS, MAX_MEMBER_BYTES, load_session, save_session
from tests.session_files import (
    forged_npy,
    member_bytes,
    meta_npy,
    npy_bytes,
    read_meta_member,
    save_v1,
    save_v2,
    valid_data,
    with_meta,
    write_members,
)

BUDGET = 4 * 2**20  # bytes a refused small file may cost to read


def peak_while(fn):
    """(result or exception, peak bytes allocated) while fn runs."""
    tracemalloc.start()
    try:
        try:
            out = fn()
        except Exception as e:  # noqa: BLE001 - the caller asserts on it
            out = e
        return out, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refused(path, *fragments) -> str:
    """load_session(path) raises one ValueError naming the file; returns its message."""
    with pytest.raises(ValueError) as info:
        load_session(path)
    message = str(info.value)
    assert message.startswith(os.path.basename(path)), message
    assert "allow_pickle" not in message and "Something went wrong" not in message
    assert "\n" not in message
    for fragment in fragments:
        assert fragment in message, message
    return message


@pytest.fixture
def saved(tmp_path):
    p = tmp_path / "a.rnnviz"
    save_session(p, valid_data())
    return p


# --- 1 and 7: sizes are checked against the settings and the limits before reading ---------------------


def test_a_sequence_longer_than_the_settings_allow_is_refused_unread(saved):
    members = member_bytes(saved)
    members["x"] = npy_bytes(np.zeros(30_000, np.int64))
    members["y"] = npy_bytes(np.zeros(30_000, np.int64))
    write_members(saved, members)
    out, peak = peak_while(lambda: load_session(saved))
    assert isinstance(out, ValueError) and "30,000 tokens" in str(out) and "1 to 5" in str(out)
    assert peak < BUDGET


def test_3000_tokens_within_the_absolute_limit_but_beyond_seq_len_are_refused(saved):
    members = member_bytes(saved)
    members["x"] = members["y"] = npy_bytes(np.zeros(3000, np.int64))
    write_members(saved, members)
    refused(saved, "3,000 tokens")


def test_a_member_that_would_inflate_enormously_is_refused_from_the_directory(saved):
    """A 48 MB member of zeros (about 50 KB compressed) added to a valid file: never decompressed."""
    members = member_bytes(saved)
    n = 48 * 2**20 // 8
    write_members(saved, members)
    with zipfile.ZipFile(saved, "a", zipfile.ZIP_DEFLATED) as zf, zf.open("bomb.npy", "w") as f:
        f.write(forged_npy("<f8", (n,)))
        zeros = bytes(2**20)
        for _ in range(48):
            f.write(zeros)
    assert saved.stat().st_size < 2**20
    out, peak = peak_while(lambda: load_session(saved))
    assert isinstance(out, ValueError) and "would unpack to" in str(out) and "'bomb'" in str(out)
    assert peak < BUDGET


def test_a_zip_directory_of_many_entries_is_refused_before_it_is_parsed(tmp_path):
    """zipfile would build an object per entry (about 0.5 KB each) before any check of ours."""
    p = tmp_path / "many.rnnviz"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_STORED) as zf:
        for i in range(20_000):
            zf.writestr(f"{i}.npy", b"")
    out, peak = peak_while(lambda: load_session(p))
    assert isinstance(out, ValueError) and "holds 20,000 members" in str(out)
    assert peak < BUDGET


def test_a_header_declaring_a_trillion_values_is_refused_without_allocating(saved):
    members = member_bytes(saved)
    members["U"] = forged_npy("<f8", (10**6, 10**6), b"\0" * 64)
    write_members(saved, members)
    out, peak = peak_while(lambda: load_session(saved))
    assert isinstance(out, ValueError) and "damaged" in str(out) and "'U'" in str(out)
    assert peak < BUDGET


def test_text_too_big_inside_a_session_is_refused_in_both_format_versions(tmp_path):
    text = "ab\n" * (MAX_TEXT_BYTES // 3 + 1)  # one line too many
    big = valid_data(task="file", text=text, text_name="big.txt")
    v1 = tmp_path / "old.rnnviz"
    save_v1(v1, big)
    refused(v1, "holds a text of", f"at most {MAX_TEXT_BYTES:,}")
    v2 = tmp_path / "new.rnnviz"
    save_session(v2, big)
    out, peak = peak_while(lambda: load_session(v2))
    assert isinstance(out, ValueError) and "holds a text of 5,000,001 bytes" in str(out)
    assert peak < BUDGET  # refused from the text member's header, not after reading it


def test_a_huge_text_file_is_refused_before_reading(tmp_path):
    p = tmp_path / "huge.txt"
    with open(p, "wb") as f:
        f.truncate(3_000_000_000)  # sparse: costs no disk
    out, peak = peak_while(lambda: read_text_file(p))
    assert isinstance(out, ValueError) and str(out).startswith("huge.txt is 3,000,000,000 bytes")
    assert peak < BUDGET


# --- 6: only regular files are opened --------------------------------------------------------------


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.timeout(60)  # the hang detector: before the fix, opening the FIFO blocked forever
def test_a_fifo_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "x.rnnviz"
    os.mkfifo(fifo)
    refused(fifo, "is a pipe (FIFO)")
    text_fifo = tmp_path / "x.txt"
    os.mkfifo(text_fifo)
    with pytest.raises(ValueError, match=r"^x.txt is a pipe \(FIFO\)"):
        read_text_file(text_fifo)


def test_a_folder_is_refused(tmp_path):
    (tmp_path / "notes.txt").mkdir()
    with pytest.raises(ValueError, match=r"^notes.txt is a folder"):
        read_text_file(tmp_path / "notes.txt")
    (tmp_path / "d.rnnviz").mkdir()
    refused(tmp_path / "d.rnnviz", "is a folder")


# --- 8: every failure is one clear sentence naming the file ------------------------------------------


@pytest.mark.parametrize(
    "content",
    [b"P", b"PK", os.urandom(1), os.urandom(2), os.urandom(3000), npy_bytes(np.arange(5.0))],
    ids=["P", "PK", "1 random byte", "2 random bytes", "random", "plain npy"],
)
def test_tiny_random_and_plain_npy_files(tmp_path, content):
    p = tmp_path / "odd.rnnviz"
    p.write_bytes(content)
    refused(p, "not an rnnviz session file")


@pytest.mark.parametrize("value", [None, [], [1, 2], "lots", 1.5, True, -1, 10**13])
def test_history_count_of_the_wrong_kind(saved, value):
    with_meta(saved, history_count=value)
    refused(saved, "training iteration count")


@pytest.mark.parametrize("value", [float("inf"), float("nan")])
def test_infinity_and_nan_in_the_description_are_refused(saved, value):
    with_meta(saved, history_count=value)  # json writes them as the non-standard Infinity, NaN
    refused(saved, "not valid JSON")


def test_float32_parameters_say_so(saved):
    members = member_bytes(saved)
    members["U"] = npy_bytes(np.zeros((6, 5), np.float32))
    write_members(saved, members)
    refused(saved, "parameter U in float32; rnnviz stores float64")


def test_object_arrays_are_refused_without_unpickling(saved):
    members = member_bytes(saved)
    members["W"] = forged_npy("|O", (6, 6), b"\x80\x04K\x01.")
    write_members(saved, members)
    refused(saved, "holding object values")


def test_members_missing_extra_or_twice(saved):
    members = member_bytes(saved)
    write_members(saved, {k: v for k, v in members.items() if k != "history"})
    refused(saved, "lacks history")
    write_members(saved, {**members, "extra": npy_bytes(np.zeros(3))})
    refused(saved, "'extra.npy'")
    with zipfile.ZipFile(saved, "w") as zf:
        for k, v in members.items():
            zf.writestr(f"{k}.npy", v)
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("U.npy", members["U"])
    refused(saved, "'U.npy' twice")


def test_a_newer_format_version_is_named(saved):
    with_meta(saved, version=4)
    refused(saved, "format version 4", "versions 1 to 3")


# --- 11: history counters and values -------------------------------------------------------------


@pytest.mark.parametrize("stride", [1e30, 2**30, 3, 0])
def test_history_stride_out_of_range_is_refused(saved, stride):
    with_meta(saved, history_stride=stride)
    refused(saved, "training-curve stride")


def test_complex_or_infinite_history_is_refused(saved):
    members = member_bytes(saved)
    members["history"] = npy_bytes(np.array([[0, 1 + 2j], [1, 1.5]]))
    write_members(saved, members)
    refused(saved, "training history of complex128")
    members["history"] = npy_bytes(np.array([[0.0, np.inf], [1.0, 1.5]]))
    write_members(saved, members)
    refused(saved, "NaN or infinite")


def test_a_long_trained_history_round_trips(tmp_path):
    """What a LossHistory leaves after 100,000 iterations is accepted (stride 64, 1,562 points)."""
    from rnnviz.core.train import LossHistory

    h = LossHistory()
    for i in range(100_000):
        h.add(i, 1.0)
    it, loss = h.data()
    p = tmp_path / "long.rnnviz"
    curve = np.column_stack([it, loss])
    save_session(p, replace(valid_data(), history=curve, history_count=h.count, history_stride=h.stride))
    back = load_session(p)
    assert back.history_stride == h.stride == 64 and back.history_count == 100_000


# --- format versions and limits ----------------------------------------------------------------------


def test_version_1_files_are_still_read(tmp_path):
    d = valid_data(task="file", text="héllo wörld\n", text_name="mine.txt")
    p = tmp_path / "old.rnnviz"
    save_v1(p, d)
    back = load_session(p)
    assert back.settings == d.settings and np.array_equal(back.W, d.W) and back.cursor == 3


def test_a_file_holding_the_largest_sizes_round_trips(tmp_path):
    K = LIMITS["K"]
    text = "".join(chr(0x4E00 + i) for i in range(K))  # K different characters
    d = valid_data(task="file", text=text, hidden=LIMITS["H"], seq_len=LIMITS["T"])
    p = tmp_path / "big.rnnviz"
    save_session(p, d)
    back = load_session(p)
    assert back.U.shape == (LIMITS["H"], K) and np.array_equal(back.V, d.V)


def test_the_documented_limits_are_the_enforced_ones():
    doc = (Path(__file__).parents[2] / "docs" / "file-formats.md").read_text(encoding="utf-8")
    rows = {
        "T": "sequence length T",
        "H": "hidden size H",
        "K": "vocabulary size K",
        "text": "your text",
        "meta": "the JSON description",
        "points": "training-curve points",
        "iterations": "training iterations",
    }
    assert set(rows) == set(LIMITS)
    for key, label in rows.items():
        row = next(line for line in doc.splitlines() if line.startswith(f"| {label}"))
        assert row.split("|")[-2].strip().startswith(f"{LIMITS[key]:,}"), row
    assert MAX_MEMBER_BYTES < 2**27


# --- format version 3: gated cells and comparisons (issue 12) ----------------------------------------


@pytest.mark.parametrize(
    "cells", [("lstm", ""), ("gru", ""), ("rnn", "lstm"), ("lstm", "gru"), ("gru", "rnn")]
)
def test_gated_cells_and_comparisons_round_trip(tmp_path, cells):
    d = valid_data(cell=cells[0], compare=cells[1])
    p = tmp_path / "cells.rnnviz"
    save_session(p, d)
    back = load_session(p)
    assert back.settings == d.settings and back.cursor == 3
    assert back.params().keys() == d.params().keys()
    assert all(np.array_equal(back.params()[k], v) for k, v in d.params().items())
    if cells[1]:
        assert back.compare.parameters.keys() == d.compare.parameters.keys()
        assert all(np.array_equal(back.compare.parameters[k], v) for k, v in d.compare.parameters.items())
        assert np.array_equal(back.compare.history, d.compare.history) and back.compare.history_count == 3
    else:
        assert back.compare is None


def test_version_2_files_are_still_read(tmp_path):
    d = valid_data()
    p = tmp_path / "v2.rnnviz"
    save_v2(p, d)
    back = load_session(p)
    assert back.settings == d.settings and np.array_equal(back.W, d.W) and back.compare is None


def test_an_old_version_claiming_a_gated_cell_is_refused(tmp_path):
    p = tmp_path / "v2.rnnviz"
    save_v2(p, valid_data())
    members = member_bytes(p)
    meta = read_meta_member(members["meta"])
    meta["settings"]["cell"] = "lstm"
    members["meta"] = meta_npy(meta)
    write_members(p, members)
    refused(p, "version 2 session holds a vanilla RNN alone")


@pytest.fixture
def compared(tmp_path):
    p = tmp_path / "compare.rnnviz"
    save_session(p, valid_data(cell="lstm", compare="gru"))
    return p


def test_a_gated_parameter_of_the_wrong_shape_or_kind_is_refused_unread(compared):
    members = member_bytes(compared)
    members["W_f"] = forged_npy("<f8", (10**5, 10**5), b"\0" * 64)
    write_members(compared, members)
    out, peak = peak_while(lambda: load_session(compared))
    assert isinstance(out, ValueError) and "W_f" in str(out) and peak < BUDGET
    members["W_f"] = npy_bytes(np.zeros((6, 6), np.float32))
    write_members(compared, members)
    refused(compared, "parameter W_f in float32")


def test_the_compared_cells_members_are_checked_like_the_first(compared):
    members = member_bytes(compared)
    write_members(compared, {k: v for k, v in members.items() if k != "compare_W_h"})
    refused(compared, "lacks compare_W_h")
    write_members(compared, {**members, "compare_W_f": npy_bytes(np.zeros((6, 6)))})
    refused(compared, "'compare_W_f.npy'")  # a GRU has no forget gate
    bad = np.full((6, 6), np.nan)
    write_members(compared, {**members, "compare_W_u": npy_bytes(bad)})
    refused(compared, "parameter compare_W_u holding NaN")
    write_members(compared, {**members, "compare_U_r": npy_bytes(np.zeros((7, 5)))})
    refused(compared, "compare_U_r of shape (7, 5)")
    write_members(compared, {**members, "compare_history": npy_bytes(np.array([[0.0, -1.0]]))})
    refused(compared, "compared cell's history holding negative")


@pytest.mark.parametrize(
    "change, fragment",
    [
        ({"compare_history_count": None}, "compared cell's training iteration count"),
        ({"compare_history_stride": 3}, "compared cell's training-curve stride"),
        ({"compare_history_count": 1}, "compared cell's training-curve stride of 1 with 3 points"),
    ],
)
def test_the_compared_cells_counters_are_checked(compared, change, fragment):
    with_meta(compared, **change)
    refused(compared, fragment)


def test_compare_counters_exactly_when_comparing(tmp_path, compared):
    members = member_bytes(compared)
    meta = read_meta_member(members["meta"])
    del meta["compare_history_stride"]
    members["meta"] = meta_npy(meta)
    write_members(compared, members)
    refused(compared, "lacks compare_history_stride")
    alone = tmp_path / "alone.rnnviz"
    save_session(alone, valid_data(cell="gru"))
    with_meta(alone, compare_history_count=2, compare_history_stride=1)
    refused(alone, "compares no cells")


def test_a_comparison_of_a_cell_with_itself_is_refused(compared):
    members = member_bytes(compared)
    meta = read_meta_member(members["meta"])
    meta["settings"]["compare"] = "lstm"
    members["meta"] = meta_npy(meta)
    write_members(compared, members)
    refused(compared, "compare must name another cell")
