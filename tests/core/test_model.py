import numpy as np
import pytest

from rnnviz.core import RNN
from tests.core.helpers import numeric_grads, random_case, rel_error

SIZES = [(3, 2, 1, 0), (5, 4, 6, 1), (7, 3, 9, 2), (4, 8, 12, 3), (11, 6, 5, 4)]  # K, H, T, seed


@pytest.mark.parametrize("K,H,T,seed", SIZES)
def test_bptt_matches_finite_differences(K, H, T, seed):
    rnn, x, y = random_case(K, H, T, seed)
    g = rnn.bptt(x, y).as_dict()
    num = numeric_grads(lambda: rnn.loss(x, y), rnn)
    for name in "UWV":
        assert rel_error(g[name], num[name]) < 1e-6, name


@pytest.mark.parametrize("K,H,T,seed", SIZES[1:])
def test_bptt_matches_fd_with_large_spectral_radius(K, H, T, seed):
    rnn, x, y = random_case(K, H, T, seed)
    rnn.set_spectral_radius(2.5)  # saturating regime: tanh' near 0 in places
    g = rnn.bptt(x, y).as_dict()
    num = numeric_grads(lambda: rnn.loss(x, y), rnn)
    for name in "UWV":
        assert rel_error(g[name], num[name]) < 1e-6, name


def test_loss_is_mean_cross_entropy():
    rnn, x, y = random_case(6, 5, 7, 0)
    o = rnn.forward(x).o
    assert rnn.loss(x, y) == pytest.approx(-np.mean([np.log(o[t, y[t]]) for t in range(7)]))
    assert np.allclose(o.sum(axis=1), 1.0)


def test_forward_matches_the_equations_step_by_step():
    rnn, x, _ = random_case(5, 4, 6, 2)
    f = rnn.forward(x)
    s = np.zeros(4)
    for t, tok in enumerate(x):
        onehot = np.eye(5)[tok]
        s = np.tanh(rnn.U @ onehot + rnn.W @ s)
        o = np.exp(rnn.V @ s) / np.exp(rnn.V @ s).sum()
        assert np.allclose(f.s[t], s) and np.allclose(f.o[t], o)


def _truncated_reference(rnn, x, y, K):
    """Sum over t of the contribution terms with t-K <= k <= t, divided by T (dW only)."""
    T = len(x)
    dW = np.zeros_like(rnn.W)
    for t in range(T):
        terms = rnn.contribution_terms(x, y, t)
        dW += terms[max(0, t - K) :].sum(axis=0)
    return dW / T


@pytest.mark.parametrize("K", [0, 1, 2, 4])
@pytest.mark.parametrize("seed", [0, 5])
def test_truncation_keeps_only_recent_terms(K, seed):
    rnn, x, y = random_case(6, 5, 8, seed)
    g = rnn.bptt(x, y, truncate=K)
    assert np.allclose(g.dW, _truncated_reference(rnn, x, y, K), atol=1e-13)
    assert np.allclose(g.dV, rnn.bptt(x, y).dV)  # V's gradient does not flow through time


def test_truncation_of_dU_by_deltas():
    rnn, x, y = random_case(5, 4, 7, 3)
    D = rnn.deltas(x, y)  # (T, T, H)
    K = 2
    dU = np.zeros_like(rnn.U)
    for t in range(7):
        for k in range(max(0, t - K), t + 1):
            dU[:, x[k]] += D[t, k]
    assert np.allclose(rnn.bptt(x, y, truncate=K).dU, dU / 7, atol=1e-13)


def test_truncation_at_or_beyond_T_equals_full():
    rnn, x, y = random_case(5, 4, 6, 1)
    full = rnn.bptt(x, y)
    for K in (5, 6, 100):
        g = rnn.bptt(x, y, truncate=K)
        assert all(np.array_equal(a, b) for a, b in zip(g.arrays(), full.arrays(), strict=True))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_contribution_terms_sum_to_dEt_dW(seed):
    rnn, x, y = random_case(6, 5, 7, seed)
    for t in (0, 3, 6):
        terms = rnn.contribution_terms(x, y, t)
        assert terms.shape == (t + 1, 5, 5)
        E_t = lambda t=t: -np.log(rnn.forward(x).o[t, y[t]])  # noqa: E731
        num = numeric_grads(E_t, rnn)["W"]
        assert rel_error(terms.sum(axis=0), num) < 1e-6
        assert np.all(terms[0] == 0)  # s_{-1} = 0: step 0 adds nothing to dW


def test_contributions_are_term_norms_and_lower_triangular():
    rnn, x, y = random_case(5, 4, 6, 0)
    C = rnn.contributions(x, y)
    assert C.shape == (6, 6)
    assert np.all(np.triu(C, 1) == 0)
    for t in range(6):
        norms = np.linalg.norm(rnn.contribution_terms(x, y, t), axis=(1, 2))
        assert np.allclose(C[t, : t + 1], norms)


def test_jacobian_norms_match_explicit_products_and_bound():
    rnn, x, _ = random_case(5, 6, 8, 4)
    J = rnn.jacobian_norms(x)
    s = rnn.forward(x).s
    for t in range(8):
        for k in range(t + 1):
            P = np.eye(6)
            for j in range(k + 1, t + 1):
                P = np.diag(1 - s[j] ** 2) @ rnn.W @ P
            assert J.norm[t, k] == pytest.approx(np.linalg.norm(P, 2), rel=1e-10)
    assert np.all(J.norm <= J.w_factor * J.tanh_factor * (1 + 1e-12))
    assert np.all(np.triu(J.norm, 1) == 0)
    row = rnn.jacobian_row(x, 5)
    assert np.allclose(row[0], J.norm[5, :6])


def test_spectral_radius_knob_makes_gradients_vanish_or_grow():
    rnn, x, y = random_case(4, 10, 30, 0)
    rnn.set_spectral_radius(0.3)
    assert rnn.spectral_radius() == pytest.approx(0.3)
    small = rnn.jacobian_norms(x).norm[29, 0]
    rnn.set_spectral_radius(1.5)
    assert rnn.jacobian_norms(x).w_factor[29, 0] > 1e3
    assert small < 1e-10


def test_parameters_replaced_by_assignment_are_used():
    rnn, x, y = random_case(5, 4, 6, 0)
    before = rnn.loss(x, y)
    rnn.W = np.zeros((4, 4))
    assert rnn.loss(x, y) != before
    twin = RNN(5, 4, seed=99)
    twin.set_params(rnn.U, rnn.W, rnn.V)
    assert np.array_equal(rnn.bptt(x, y).dW, twin.bptt(x, y).dW)


@pytest.mark.parametrize(
    "x,y,match",
    [
        ([], [], "empty"),
        ([0, 1], [1], "same length"),
        ([0, 9], [1, 2], "between 0 and 4"),
        ([0, -1], [1, 2], "between 0 and 4"),
        ([0.5, 1], [1, 2], "integer"),
        ([[0, 1]], [[1, 2]], "1-D"),
    ],
)
def test_bad_sequences_raise_clear_errors(x, y, match):
    rnn = RNN(5, 3)
    with pytest.raises(ValueError, match=match):
        rnn.bptt(x, y)


@pytest.mark.parametrize(
    "kw",
    [
        dict(vocab_size=0, hidden_size=3),
        dict(vocab_size=3, hidden_size=-1),
        dict(vocab_size=2.5, hidden_size=3),
        dict(vocab_size=True, hidden_size=3),
    ],
)
def test_bad_sizes_raise(kw):
    with pytest.raises(ValueError, match="positive whole number"):
        RNN(**kw)


def test_bad_truncate_and_spectral_radius_raise():
    rnn, x, y = random_case(3, 2, 4, 0)
    with pytest.raises(ValueError, match="truncate"):
        rnn.bptt(x, y, truncate=-1)
    with pytest.raises(ValueError, match="spectral radius"):
        rnn.set_spectral_radius(float("nan"))


def test_seeded_init_is_reproducible_and_scaled():
    a, b = RNN(50, 40, seed=7), RNN(50, 40, seed=7)
    assert np.array_equal(a.W, b.W) and not np.array_equal(a.W, RNN(50, 40, seed=8).W)
    assert np.abs(a.W).max() <= 1 / np.sqrt(40) and np.abs(a.U).max() <= 1 / np.sqrt(50)
