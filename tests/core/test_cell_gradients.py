"""Every parameter of every cell against central differences: full, masked, saturated, truncated."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model
from tests.core import cell_reference as ref
from tests.core.helpers import numeric_grads

SIZES = [(3, 2, 1, 0), (5, 4, 6, 1), (7, 3, 9, 2), (4, 6, 12, 3)]  # K, H, T, seed


def assert_close(analytic: dict, numeric: dict, what: str = ""):
    """Each gradient within 1e-6 of the largest entry of that gradient, or 1e-10 absolute: central
    differences of an O(1) loss with eps = 1e-5 are good to about 1e-11."""
    assert analytic.keys() == numeric.keys()
    for name in analytic:
        a, n = analytic[name], numeric[name]
        err = float(np.max(np.abs(a - n)))
        scale = max(float(np.max(np.abs(a))), float(np.max(np.abs(n))))
        assert err <= max(1e-6 * scale, 1e-10), f"{what} {name}: error {err:.3g}, scale {scale:.3g}"


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K,H,T,seed", SIZES)
def test_bptt_matches_finite_differences(cell, K, H, T, seed):
    m, x, y = ref.random_case(cell, K, H, T, seed)
    num = numeric_grads(lambda: m.loss(x, y), m)
    assert_close(m.bptt(x, y).as_dict(), num, cell)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K,H,T,seed", SIZES[1:])
def test_bptt_with_masked_targets_matches_finite_differences(cell, K, H, T, seed):
    m, x, y = ref.random_case(cell, K, H, T, seed, mask=True)
    assert (y < 0).any() and (y >= 0).any()
    num = numeric_grads(lambda: m.loss(x, y), m)
    assert_close(m.bptt(x, y).as_dict(), num, cell)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K,H,T,seed", SIZES[1:])
def test_saturated_gates_still_match_finite_differences(cell, K, H, T, seed):
    m, x, y = ref.random_case(cell, K, H, T, seed, saturate=True)
    f = m.forward(x)
    values = np.concatenate([g.ravel() for g in f.gates.values()] or [f.s.ravel()])
    assert np.mean((np.abs(values) > 0.99) | (np.abs(values) < 0.01)) > 0.3  # really saturated
    num = numeric_grads(lambda: m.loss(x, y), m)
    assert_close(m.bptt(x, y).as_dict(), num, cell)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_the_loss_is_the_reference_loss(cell):
    for seed in range(3):
        m, x, y = ref.random_case(cell, 6, 5, 8, seed, mask=seed > 0)
        assert m.loss(x, y) == pytest.approx(ref.loss(cell, m.params(), x, y), rel=1e-13)
        assert np.allclose(m.step_losses(x, y), ref.step_losses(cell, m.params(), x, y), rtol=1e-13)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_step_terms_sum_to_dEt_and_truncation_keeps_the_recent_ones(cell, seed):
    m, x, y = ref.random_case(cell, 5, 4, 7, seed, mask=seed == 1)
    T, n = len(x), np.count_nonzero(y >= 0)
    t = int(np.flatnonzero(y >= 0)[-1])
    terms = m.step_terms(x, y, t)
    E_t = lambda: m.step_losses(x, y)[t]  # noqa: E731
    assert_close({k: v.sum(axis=0) for k, v in terms.items()}, numeric_grads(E_t, m), f"dE_{t}")
    for K in (0, 1, 3):
        expected = {k: np.zeros_like(v) for k, v in m.params().items()}
        for t_ in np.flatnonzero(y >= 0):
            for name, v in m.step_terms(x, y, int(t_)).items():
                expected[name] += v[max(0, t_ - K) :].sum(axis=0)
        got = m.bptt(x, y, truncate=K).as_dict()
        for name in got:
            assert np.allclose(got[name], expected[name] / n, rtol=1e-12, atol=1e-15), (K, name)
    full = m.bptt(x, y)
    for K in (T - 1, T + 5):  # a cut at or beyond the sequence is no cut
        for a, b in zip(m.bptt(x, y, truncate=K).arrays(), full.arrays(), strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_gradients_are_independent_of_the_direct_computation(cell):
    """bptt against autograd-free reference: the loss's derivative with respect to each state,
    numerically, equals what the Stepper calls the error at that state (checked in test_cell_stepper);
    here the parameters' gradient of the reference loss equals bptt."""
    m, x, y = ref.random_case(cell, 4, 3, 5, 11, mask=True)
    P = m.params()
    num = numeric_grads(lambda: ref.loss(cell, P, x, y), m)
    assert_close(m.bptt(x, y).as_dict(), num, cell)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_float32_parameters_are_converted_and_give_the_float64_gradients_exactly(cell):
    m, x, y = ref.random_case(cell, 6, 5, 7, 4)
    low = {k: v.astype(np.float32) for k, v in m.params().items()}
    exact = make_model(cell, 6, 5, seed=99)
    exact.set_params(**{k: v.astype(np.float64) for k, v in low.items()})
    by_assignment = make_model(cell, 6, 5, seed=98)
    for name, value in low.items():
        setattr(by_assignment, name, value)  # e.g. weights exported from torch, float32
        assert getattr(by_assignment, name).dtype == np.float64
    by_set_params = make_model(cell, 6, 5, seed=97)
    by_set_params.set_params(**low)
    for model in (by_assignment, by_set_params):
        assert all(p.dtype == np.float64 for p in model.params().values())
        got, want = model.bptt(x, y), exact.bptt(x, y)
        for a, b in zip(got.arrays(), want.arrays(), strict=True):
            assert a.dtype == np.float64 and np.array_equal(a, b)
        assert model.loss(x, y) == exact.loss(x, y)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_gradcheck_passes_for_every_cell(cell):
    from rnnviz.core import gradcheck

    m, x, y = ref.random_case(cell, 5, 4, 6, 2)
    res = gradcheck(m, x, y)
    assert set(res) == set(m.params())
    assert all(r.scaled_error < 1e-6 for r in res.values())
