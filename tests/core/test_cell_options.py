"""Choices made when a cell is built: the vanilla RNN's activation (tanh or ReLU), the initialisation of
the recurrent matrices (uniform, orthogonal, identity, rescaled to a spectral radius), the LSTM's
forget bias; and the largest singular value of W beside its spectral radius."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, RNN, Stepper, make_model, spectral_norm, spectral_radius
from tests.core.helpers import numeric_grads

SIZES = [(3, 2, 1, 0), (5, 4, 6, 1), (7, 3, 9, 2), (4, 6, 12, 3), (6, 8, 15, 4)]  # K, H, T, seed
KINK_MARGIN = 1e-3  # every |z| at least this: 100x the finite-difference step, so no step crosses the kink


def relu_reference(P, x):
    """(T, H) s_t = max(U x_t + W s_{t-1}, 0) and (T, H) z_t, one plain loop (no shared code)."""
    s, S, Z = np.zeros(P["W"].shape[0]), [], []
    for tok in x:
        z = P["U"][:, tok] + P["W"] @ s
        s = np.where(z > 0, z, 0.0)
        S.append(s)
        Z.append(z)
    return np.array(S), np.array(Z)


def relu_case(K, H, T, seed, mask=False):
    """A ReLU RNN (identity W: the IRNN) and a sequence whose pre-activations all stay clear of 0."""
    rng = np.random.default_rng(seed + 300)
    m = make_model("rnn", K, H, seed=seed, activation="relu", w_init="identity", w_radius=0.9)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    if mask:
        y[rng.random(T) < 0.35] = -1
        y[-1] = rng.integers(0, K)
    z = relu_reference(m.params(), x)[1]
    assert np.abs(z).min() > KINK_MARGIN, "this case sits on the kink: pick another seed"
    assert (z > 0).any() and (z < 0).any()  # both sides of the kink are exercised
    return m, x, y


def assert_close(analytic, numeric, what=""):
    for name in analytic:
        a, n = analytic[name], numeric[name]
        scale = max(float(np.abs(a).max()), float(np.abs(n).max()))
        assert float(np.abs(a - n).max()) <= max(1e-6 * scale, 1e-10), f"{what} {name}"


# --- defaults unchanged -----------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_default_options_give_the_same_bits(cell):
    plain = make_model(cell, 7, 5, seed=3)
    named = make_model(cell, 7, 5, seed=3, w_init="uniform", w_radius=0.0)
    for name, p in plain.params().items():
        assert np.array_equal(p, named.params()[name]), name
    assert plain.spec.options["w_init"] == "uniform"


def test_tanh_is_the_default_and_relu_changes_the_numbers():
    x = [0, 1, 2, 1]
    tanh = RNN(3, 4, seed=1, activation="tanh")
    assert np.array_equal(RNN(3, 4, seed=1).forward(x).s, tanh.forward(x).s)
    relu = RNN(3, 4, seed=1, activation="relu")
    assert np.array_equal(relu.W, tanh.W)  # same parameters, another activation
    f = relu.forward(x)
    assert np.array_equal(f.s, np.maximum(f.z, 0.0)) and (f.s == 0).any()
    assert "relu" in relu.spec.equations[1] and "tanh" in tanh.spec.equations[1]


# --- ReLU: exact BPTT ---------------------------------------------------------------------------------


@pytest.mark.parametrize("K,H,T,seed", SIZES)
def test_relu_forward_is_the_reference(K, H, T, seed):
    m, x, _ = relu_case(K, H, T, seed)
    S, Z = relu_reference(m.params(), x)
    f = m.forward(x)
    assert np.allclose(f.s, S, rtol=1e-14, atol=1e-15) and np.allclose(f.z, Z, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("K,H,T,seed", SIZES)
@pytest.mark.parametrize("mask", [False, True])
def test_relu_bptt_matches_central_differences_away_from_the_kink(K, H, T, seed, mask):
    m, x, y = relu_case(K, H, T, seed, mask=mask and T > 2)
    assert_close(m.bptt(x, y).as_dict(), numeric_grads(lambda: m.loss(x, y), m), "relu")


def test_relu_derivative_at_the_kink_is_zero_and_that_is_what_bptt_uses():
    m = make_model("rnn", 2, 2, seed=0, activation="relu")
    m.U[:] = [[0.0, 1.0], [1.0, 0.0]]  # token 0: z_0 = (0, 1), unit 0 exactly on the kink
    m.W[:] = 0.0
    g = m.bptt([0], [1])
    assert g.dU[0, 0] == 0.0 and g.dU[1, 0] != 0.0  # the subgradient 0 at z = 0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_relu_stepper_contributions_and_truncation_agree_with_bptt(seed):
    m, x, y = relu_case(5, 4, 9, seed)
    st = Stepper(m, x, y)
    while st.step() is not None:
        pass
    for name, g in m.bptt(x, y).as_dict().items():
        assert np.allclose(st.gradients.as_dict()[name], g, rtol=1e-12, atol=1e-15), name
    C = m.contributions(x, y)
    for t in (3, 8):
        terms = m.contribution_terms(x, y, t)
        assert np.allclose(C[t, : t + 1], np.linalg.norm(terms, axis=(1, 2)), rtol=1e-12, atol=1e-300)
    # truncation keeps, for each E_t, steps t-2..t: the sum over t of those step terms, divided by T
    want = sum(m.step_terms(x, y, t)["W"][max(0, t - 2) :].sum(0) for t in range(9)) / 9
    assert np.allclose(m.bptt(x, y, truncate=2).dW, want, rtol=1e-12, atol=1e-15)


def test_relu_jacobian_norms_and_their_honest_factor():
    m, x, _ = relu_case(5, 4, 9, 1)
    J = m.jacobian_norms(x)
    assert J.tanh_factor is None and J.relu_factor is not None
    s, W = m.forward(x).s, m.W
    for t, k in [(8, 0), (8, 5), (4, 2)]:
        P = np.eye(4)
        for j in range(t, k, -1):
            P = P @ (np.diag((s[j] > 0).astype(float)) @ W)  # d s_j / d s_{j-1}
        assert J.norm[t, k] == pytest.approx(np.linalg.norm(P, 2), rel=1e-10, abs=1e-300)
        want = float(np.prod([(s[j] > 0).any() for j in range(k + 1, t + 1)]))
        assert J.relu_factor[t, k] == want
        assert J.norm[t, k] <= J.w_factor[t, k] * J.relu_factor[t, k] * (1 + 1e-12)
    norm, w, act = m.jacobian_row(x, 8)
    assert np.array_equal(act, J.relu_factor[8, :9]) and np.array_equal(w, J.w_factor[8, :9])


def test_relu_factor_is_zero_once_a_step_has_every_unit_off():
    m = make_model("rnn", 2, 2, seed=0, activation="relu")
    m.U[:] = [[1.0, -1.0], [1.0, -1.0]]  # token 1 switches every unit off
    m.W[:] = 0.5 * np.eye(2)
    J = m.jacobian_norms([0, 0, 1, 0])
    assert J.relu_factor[3, 1] == 0.0 and J.norm[3, 1] == 0.0  # through step 2: every unit off
    assert J.relu_factor[1, 0] == 1.0 and J.norm[1, 0] == pytest.approx(0.5)


# --- initialisation presets ------------------------------------------------------------------------


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("H", [1, 3, 8])
def test_orthogonal_and_identity_presets(cell, H):
    base = make_model(cell, 5, H, seed=2)
    for preset in ("orthogonal", "identity"):
        m = make_model(cell, 5, H, seed=2, w_init=preset)
        for name, p in m.params().items():
            if name.startswith("W"):
                assert np.allclose(p.T @ p, np.eye(H), atol=1e-12), (preset, name)  # every singular value 1
                if preset == "identity":
                    assert np.array_equal(p, np.eye(H))
            else:  # only the recurrent matrices change
                assert np.array_equal(p, base.params()[name]), (preset, name)
    a = make_model(cell, 5, H, seed=2, w_init="orthogonal").params()
    b = make_model(cell, 5, H, seed=3, w_init="orthogonal").params()
    assert H == 1 or not np.allclose(a[[k for k in a if k[0] == "W"][0]], b[[k for k in b if k[0] == "W"][0]])


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("preset", ["uniform", "orthogonal", "identity"])
def test_w_radius_rescales_every_recurrent_matrix(cell, preset):
    m = make_model(cell, 4, 6, seed=1, w_init=preset, w_radius=1.3)
    for name, p in m.params().items():
        if name.startswith("W"):
            assert spectral_radius(p) == pytest.approx(1.3, rel=1e-12), name


def test_radius_option_equals_set_spectral_radius_bit_for_bit():
    a = RNN(6, 5, seed=4, w_radius=2.5)
    b = RNN(6, 5, seed=4)
    b.set_spectral_radius(2.5)
    assert np.array_equal(a.W, b.W)


def test_lstm_forget_bias_option():
    assert np.all(make_model("lstm", 3, 4).b_f == 1.0)
    m = make_model("lstm", 3, 4, forget_bias=5.0)
    assert np.all(m.b_f == 5.0) and np.all(m.b_i == 0.0)


@pytest.mark.parametrize(
    "cell,options,words",
    [
        ("rnn", {"activation": "sigmoid"}, "activation must be one of tanh, relu"),
        ("rnn", {"w_init": "zeros"}, "w_init must be one of uniform, orthogonal, identity"),
        ("gru", {"w_radius": -1.0}, "w_radius must be a number >= 0"),
        ("lstm", {"w_radius": float("nan")}, "w_radius must be a number >= 0"),
        ("lstm", {"forget_bias": float("inf")}, "forget_bias must be a finite number"),
        ("gru", {"activation": "relu"}, "the GRU has no option activation"),
        ("lstm", {"colour": 1}, "its options are w_init, w_radius, forget_bias"),
    ],
)
def test_bad_options_are_refused_in_words(cell, options, words):
    with pytest.raises(ValueError, match=words):
        make_model(cell, 3, 4, **options)


def test_spectral_norm_is_the_largest_singular_value_and_bounds_the_radius():
    rng = np.random.default_rng(0)
    for H in (1, 2, 5, 9):
        W = rng.normal(size=(H, H))
        assert spectral_norm(W) == pytest.approx(np.linalg.svd(W, compute_uv=False)[0], rel=1e-12)
        assert spectral_norm(W) >= spectral_radius(W) * (1 - 1e-12)
    shear = np.array([[0.5, 10.0], [0.0, 0.5]])  # radius 0.5, but products grow before they shrink
    assert spectral_radius(shear) == pytest.approx(0.5) and spectral_norm(shear) > 10
    rnn = RNN(3, 4, seed=0, w_init="orthogonal", w_radius=0.8)
    assert rnn.spectral_norm() == pytest.approx(0.8, rel=1e-12) == rnn.spectral_radius()
