"""A Jacobian row handed over in parts while it is computed: every part holds the final row's exact
norms from k = t down as far as they are computed, NaN for the rest, and every other curve whole."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("H,T,seed", [(3, 12, 0), (40, 30, 1), (64, 24, 2)])
def test_each_part_is_the_final_row_so_far(cell, H, T, seed):
    m = make_model(cell, 9, H, seed=seed)
    rows = m.jacobian_rows(np.random.default_rng(seed).integers(0, 9, T))
    for t in (0, 1, T // 2, T - 1):
        parts = []
        final = rows.row(t, progress=parts.append)
        assert np.array_equal(final.norm, rows.row(t).norm)  # the same bits with or without parts
        assert len(parts) == t  # one before each step back
        for part in parts:
            done = np.isfinite(part.norm)
            assert np.array_equal(part.norm[done], final.norm[done])  # norms are done in other threads
            assert np.isnan(part.norm[~done]).all()
            for name, curve in final.as_dict().items():
                if name != "norm":
                    assert np.array_equal(getattr(part, name), curve)
        for before, after in zip(parts[:-1], parts[1:], strict=True):  # a part never loses a norm
            assert not (np.isfinite(before.norm) & np.isnan(after.norm)).any()
        if t >= 8:  # at most NORM_THREADS + 1 (<= 3) norms are outstanding: the others are in
            assert np.isfinite(parts[-1].norm).sum() >= t - 3


def test_a_part_is_a_copy_the_row_does_not_change_later():
    m = make_model("lstm", 5, 16, seed=0)  # 2H = 32: the norms are computed in a helper thread
    rows = m.jacobian_rows(np.arange(20) % 5)
    parts = []
    final = rows.row(19, progress=parts.append)
    assert np.isnan(parts[0].norm[:19]).all()  # the first part: only norm[t] = 1 can be in
    assert np.isnan(parts[0].norm[19]) or parts[0].norm[19] == 1.0
    assert np.isfinite(final.norm).all() and np.isnan(parts[0].norm[:19]).all()


def test_a_stopped_row_hands_over_no_more_parts():
    m = make_model("gru", 5, 8, seed=0)
    rows = m.jacobian_rows(np.zeros(30, dtype=int))
    parts, asked = [], [0]

    def stop():
        asked[0] += 1
        return asked[0] > 4

    assert rows.row(29, stop, parts.append) is None
    assert len(parts) == 4
