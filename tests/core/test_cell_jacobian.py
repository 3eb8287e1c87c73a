"""Contributions C[t, k] and Jacobian norms for every cell, against independent computations."""

import tracemalloc

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, RNN, make_model
from tests.core import cell_reference as ref


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed,mask", [(0, False), (1, True), (2, False)])
def test_contributions_are_the_norms_of_the_recurrent_terms(cell, seed, mask):
    m, x, y = ref.random_case(cell, 6, 5, 8, seed, mask=mask)
    C = m.contributions(x, y)
    assert C.shape == (8, 8) and np.all(np.triu(C, 1) == 0) and np.all(C[:, 0] == 0)  # s_{-1} = 0
    for t in range(8):
        if y[t] < 0:
            assert np.all(C[t] == 0)
            continue
        terms = m.step_terms(x, y, t)
        Ws = [k for k in terms if k[0] == "W"]
        want = np.sqrt(sum(np.sum(terms[k] ** 2, axis=(1, 2)) for k in Ws))  # over every W_*
        assert np.allclose(C[t, : t + 1], want, rtol=1e-12, atol=1e-300)


def test_rnn_contribution_terms_are_its_step_terms():
    m, x, y = ref.random_case("rnn", 6, 5, 8, 3)
    for t in (0, 4, 7):
        assert np.allclose(m.contribution_terms(x, y, t), m.step_terms(x, y, t)["W"], rtol=1e-13, atol=1e-17)


def numeric_jacobian(cell, P, x, t, k, H, eps=1e-6):
    """(S, S) d state_t / d state_k by central differences on the reference implementation."""
    names = ("s", "c_state") if cell == "lstm" else ("s",)
    cols = []
    for which in names:
        for i in range(H):
            e = np.zeros(H)
            e[i] = eps
            out = []
            for sign in (1, -1):
                S, C = ref.states(cell, P, x, (k, which, sign * e))
                out.append(np.concatenate([S[t], C[t]] if cell == "lstm" else [S[t]]))
            cols.append((out[0] - out[1]) / (2 * eps))
    return np.array(cols).T


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed", [0, 1])
def test_jacobian_norms_are_spectral_norms_of_the_state_jacobians(cell, seed):
    m, x, _ = ref.random_case(cell, 5, 4, 7, seed)
    J = m.jacobian_norms(x)
    assert J.norm.shape == (7, 7) and np.all(np.triu(J.norm, 1) == 0)
    assert np.allclose(np.diag(J.norm), 1.0)
    for t in (2, 6):
        for k in range(t):
            D = numeric_jacobian(cell, m.params(), x, t, k, 4)
            assert J.norm[t, k] == pytest.approx(np.linalg.norm(D, 2), rel=1e-6, abs=1e-9)
    row = m.jacobian_norms_row(x, 5)
    for name, full in J.as_dict().items():
        assert np.array_equal(getattr(row, name), full[5, :6]), name


def test_lstm_cell_path_is_the_product_of_forget_gates():
    m, x, _ = ref.random_case("lstm", 5, 4, 8, 2)
    J, f = m.jacobian_norms(x), m.forward(x).gates["f"]
    assert J.w_factor is None and J.tanh_factor is None
    for t in range(8):
        for k in range(8):
            want = np.prod(f[k + 1 : t + 1], axis=0).max() if k <= t else 0.0
            assert J.cell_path[t, k] == pytest.approx(want, rel=1e-14)


def test_gru_and_rnn_curves():
    x = [0, 1, 2, 3]
    assert set(make_model("gru", 4, 3).jacobian_norms(x).as_dict()) == {"norm"}
    rnn = RNN(4, 3)
    assert set(rnn.jacobian_norms(x).as_dict()) == {"norm", "w_factor", "tanh_factor"}
    norm, w_factor, tanh_factor = rnn.jacobian_row(x, 3)
    assert norm.shape == w_factor.shape == tanh_factor.shape == (4,)


def peak_bytes(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("method", ["contributions", "delta_norms"])
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_contributions_never_hold_the_T_by_T_by_H_deltas(cell, method):
    m = make_model(cell, 20, 32, seed=0)
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 20, 300), rng.integers(0, 20, 300)
    all_deltas = 300 * 300 * 32 * 8  # 23 MB: what holding every da_k^(t) would take
    assert peak_bytes(lambda: getattr(m, method)(x, y)) < all_deltas / 4


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_jacobian_row_never_holds_all_its_products(cell):
    m = make_model(cell, 10, 100, seed=0)
    S, T = (200, 100) if cell == "lstm" else (100, 200)
    x = np.arange(T) % 10
    all_products = T * S * S * 8  # (t+1, S, S): 16 MB (RNN, GRU), 32 MB (LSTM)
    assert peak_bytes(lambda: m.jacobian_norms_row(x, T - 1)) < all_products / 4


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_jacobian_rows_are_a_snapshot_the_model_cannot_change(cell):
    m, x, _ = ref.random_case(cell, 5, 4, 6, 1)
    rows = m.jacobian_rows(x)
    want = m.jacobian_norms_row(x, 5).norm
    for p in m.params().values():
        p *= 3.0  # e.g. training in another thread meanwhile
    assert np.array_equal(rows.row(5).norm, want)
    assert not np.allclose(m.jacobian_norms_row(x, 5).norm, want)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_delta_norms_are_the_sizes_of_each_losss_errors(cell):
    m, x, y = ref.random_case(cell, 6, 5, 8, 2, mask=True)
    D = m.delta_norms(x, y)
    assert np.all(np.triu(D, 1) == 0) and np.all(D[y < 0] == 0)
    for t in np.flatnonzero(y >= 0):
        terms = m.step_terms(x, y, int(t))  # the bias terms (or U's column x_k) are da_k^(t) itself
        blocks = [terms[k][np.arange(t + 1), :, x[: t + 1]] for k in terms if k[0] == "U"]
        want = np.sqrt(sum(np.sum(b**2, axis=1) for b in blocks))
        assert np.allclose(D[t, : t + 1], want, rtol=1e-12, atol=1e-300)


def test_rnn_delta_norms_equal_the_norms_of_its_deltas_bit_for_bit():
    m, x, y = ref.random_case("rnn", 7, 6, 12, 4)
    assert np.array_equal(m.delta_norms(x, y), np.linalg.norm(m.deltas(x, y), axis=2))


# --- for the app: one row of delta norms, a Jacobian row that can be stopped, a state's range --------


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed,mask", [(0, False), (1, True)])
def test_one_row_of_delta_norms_is_that_row_of_all_of_them(cell, seed, mask):
    m, x, y = ref.random_case(cell, 6, 5, 8, seed, mask=mask)
    D = m.delta_norms(x, y)
    for t in range(8):
        if y[t] < 0:
            with pytest.raises(ValueError, match="no target"):
                m.delta_norms_row(x, y, t)
        else:
            assert np.allclose(m.delta_norms_row(x, y, t), D[t, : t + 1], rtol=1e-12, atol=0)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_jacobian_row_stops_when_asked_and_is_whole_otherwise(cell):
    m, x, _ = ref.random_case(cell, 6, 5, 8, 2)
    rows = m.jacobian_rows(x)
    asked = []

    def stop_after_three():
        asked.append(1)
        return len(asked) > 3

    assert rows.row(7, stop_after_three) is None and len(asked) == 4
    whole = rows.row(7, lambda: False)
    assert np.array_equal(whole.norm, m.jacobian_norms(x).norm[7])


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_the_stepper_names_the_largest_value_of_a_state_or_gate(cell):
    from rnnviz.core import Stepper

    m, x, y = ref.random_case(cell, 6, 5, 8, 4)
    st, f = Stepper(m, x, y), m.forward(x)
    assert st.largest("s") == np.abs(f.s).max()
    if f.c is not None:
        assert st.largest("c") == np.abs(f.c).max()
    for g, values in f.gates.items():
        assert st.largest(g) == np.abs(values).max()
