"""Property tests: random shapes and sequences, gradients still exact."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core import CELL_NAMES, RNN, Stepper, make_model
from rnnviz.core.gradcheck import gradcheck


@st.composite
def cases(draw):
    K = draw(st.integers(1, 6))
    H = draw(st.integers(1, 5))
    T = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 2**16))
    x = draw(st.lists(st.integers(0, K - 1), min_size=T, max_size=T))
    y = draw(st.lists(st.integers(0, K - 1), min_size=T, max_size=T))
    return RNN(K, H, seed=seed), np.array(x), np.array(y)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_gradcheck_on_random_shapes(case):
    rnn, x, y = case
    for check in gradcheck(rnn, x, y, max_entries=12).values():
        assert check.max_abs_error < 1e-7 or check.max_rel_error < 1e-6


@settings(max_examples=40, deadline=None)
@given(cases(), st.integers(0, 8))
def test_stepper_and_truncation_invariants(case, K):
    rnn, x, y = case
    st_ = Stepper(rnn, x, y)
    st_.run()
    g = rnn.bptt(x, y)
    assert np.allclose(st_.gradients.dW, g.dW, atol=1e-14)
    C = rnn.contributions(x, y)
    assert C.shape == (len(x), len(x)) and np.all(np.triu(C, 1) == 0)
    gt = rnn.bptt(x, y, truncate=K)
    assert np.allclose(gt.dV, g.dV)
    if K >= len(x) - 1:
        assert np.allclose(gt.dW, g.dW) and np.allclose(gt.dU, g.dU)


@st.composite
def gated_cases(draw):
    """Any cell, any small size, targets possibly masked (at least one kept), any truncation."""
    cell = draw(st.sampled_from(CELL_NAMES))
    K, H, T = draw(st.integers(1, 6)), draw(st.integers(1, 5)), draw(st.integers(1, 8))
    x = draw(st.lists(st.integers(0, K - 1), min_size=T, max_size=T))
    y = draw(st.lists(st.integers(-1, K - 1), min_size=T, max_size=T).filter(lambda v: max(v) >= 0))
    truncate = draw(st.one_of(st.none(), st.integers(0, 9)))
    return make_model(cell, K, H, seed=draw(st.integers(0, 2**16))), np.array(x), np.array(y), truncate


@settings(max_examples=60, deadline=None)
@given(gated_cases())
def test_stepper_accumulates_exactly_what_bptt_computes(case):
    m, x, y, truncate = case
    st_ = Stepper(m, x, y, truncate=truncate)
    st_.run()
    want = m.bptt(x, y, truncate=truncate).as_dict()
    got = st_.gradients.as_dict()
    assert got.keys() == want.keys()
    for k in want:
        assert np.allclose(got[k], want[k], rtol=1e-11, atol=1e-15), k
    t = int(np.flatnonzero(y >= 0)[-1])
    single = Stepper(m, x, y, mode="single", target=t, truncate=truncate)
    single.run()
    terms = m.step_terms(x, y, t)
    first = t - single.n_backward + 1
    for k, g in single.gradients.as_dict().items():
        assert np.allclose(g, terms[k][first:].sum(axis=0), rtol=1e-11, atol=1e-15), k


@settings(max_examples=30, deadline=None)
@given(gated_cases())
def test_gradcheck_on_random_cells_and_masks(case):
    m, x, y, _ = case
    for check in gradcheck(m, x, y, max_entries=8).values():
        assert check.max_abs_error < 1e-8 or check.max_rel_error < 1e-6
