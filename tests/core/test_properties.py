"""Property tests: random shapes and sequences, gradients still exact."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core import RNN, Stepper
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
