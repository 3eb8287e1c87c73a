"""The contract of DESIGN.md section 6: names, shapes, initialisation, set_params, masks, errors."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, GRU, LSTM, RNN, make_model
from tests.core import cell_reference as ref

KEYS = {
    "rnn": "U W V",
    "lstm": "U_f W_f b_f U_i W_i b_i U_g W_g b_g U_q W_q b_q V",
    "gru": "U_u W_u b_u U_r W_r b_r U_h W_h b_h V",
}
GATES = {"rnn": (), "lstm": ("f", "i", "g", "q"), "gru": ("u", "r", "h")}


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_make_model_names_and_shapes(cell):
    m = make_model(cell, vocab_size=7, hidden_size=5, seed=3)
    assert m.cell == cell and type(m) is {"rnn": RNN, "lstm": LSTM, "gru": GRU}[cell]
    assert list(m.params()) == KEYS[cell].split()
    for name, p in m.params().items():
        want = {"U": (5, 7), "W": (5, 5), "b": (5,), "V": (7, 5)}[name[0]]
        assert p.shape == want and p.dtype == np.float64
        assert getattr(m, name) is p  # m.U_f is the live array params() returns
    assert m.spec.gates == GATES[cell]
    assert m.spec.states == (("s", "c") if cell == "lstm" else ("s",))
    assert m.spec.equations and m.spec.backward_equations
    twin = {"rnn": RNN, "lstm": LSTM, "gru": GRU}[cell](7, 5, seed=3)
    for a, b in zip(m.params().values(), twin.params().values(), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_initialisation_ranges_and_biases(cell):
    m = make_model(cell, vocab_size=50, hidden_size=40, seed=7)
    for name, p in m.params().items():
        if name[0] == "b":
            assert np.all(p == (1.0 if name == "b_f" else 0.0))  # Jozefowicz et al.: b_f = 1
            continue
        fan_in = 50 if name[0] == "U" else 40
        assert np.abs(p).max() <= 1 / np.sqrt(fan_in)
        assert np.abs(p).max() > 0.9 / np.sqrt(fan_in)  # uniform over the whole range, not narrower
    assert not np.array_equal(m.params()["V"], make_model(cell, 50, 40, seed=8).params()["V"])


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="rnn, lstm, gru"):
        make_model("transformer", 5, 4)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_set_params_replaces_all_with_float64_copies(cell):
    m, other = make_model(cell, 6, 4, seed=0), make_model(cell, 6, 4, seed=1)
    given = {k: v.astype(np.float32) if i % 2 else v for i, (k, v) in enumerate(other.params().items())}
    m.set_params(**given)
    for name, p in m.params().items():
        assert p.dtype == np.float64 and p.flags.writeable
        assert p is not given[name] and not np.shares_memory(p, given[name])
        assert np.array_equal(p, given[name].astype(np.float64))


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("problem", ["missing", "unknown", "shape", "junk"])
def test_bad_set_params_raise_and_change_nothing(cell, problem):
    m = make_model(cell, 6, 4, seed=0)
    before = {k: v.copy() for k, v in m.params().items()}
    given = {k: v + 1.0 for k, v in m.params().items()}
    first = next(iter(given))
    if problem == "missing":
        del given["V"]
    elif problem == "unknown":
        given["Q"] = np.zeros(3)
    elif problem == "shape":
        given["V"] = np.zeros((4, 6))
    else:
        given[first] = np.full(given[first].shape, "x")
    message = {"missing": "missing V", "unknown": "unknown Q", "shape": "shape", "junk": "numbers"}[problem]
    with pytest.raises(ValueError, match=message):
        m.set_params(**given)
    for k, v in m.params().items():
        assert np.array_equal(v, before[k])


def test_rnn_set_params_positional_still_works():
    m, other = RNN(5, 3, seed=0), RNN(5, 3, seed=1)
    m.set_params(other.U, other.W, other.V)
    assert np.array_equal(m.W, other.W) and m.W is not other.W


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_assignment_checks_shape_and_converts(cell):
    m = make_model(cell, 6, 4, seed=0)
    name = list(m.params())[1]  # a W_*
    with pytest.raises(ValueError, match="shape"):
        setattr(m, name, np.zeros((3, 3)))
    setattr(m, name, np.ones((4, 4), dtype=np.float32))
    assert getattr(m, name).dtype == np.float64 and m.params()[name] is getattr(m, name)
    frozen = np.zeros((4, 4))
    frozen.flags.writeable = False
    setattr(m, name, frozen)
    assert getattr(m, name).flags.writeable  # training and gradcheck write into parameters


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_forward_shapes_and_gates(cell):
    m, x, _ = ref.random_case(cell, 6, 5, 7, 0)
    f = m.forward(x)
    assert f.s.shape == (7, 5) and f.o.shape == (7, 6) and np.allclose(f.o.sum(axis=1), 1)
    assert set(f.gates) == set(GATES[cell])
    assert all(g.shape == (7, 5) for g in f.gates.values())
    assert (f.c is not None) == (cell == "lstm") and (f.z is not None) == (cell == "rnn")
    S, C = ref.states(cell, m.params(), x)
    assert np.allclose(f.s, S, rtol=1e-13, atol=1e-15)
    if cell == "lstm":
        assert np.allclose(f.c, C, rtol=1e-13, atol=1e-15)
        assert np.allclose(f.s, f.gates["q"] * np.tanh(f.c))


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_masked_steps_have_no_loss_and_the_mean_is_over_the_rest(cell):
    m, x, y = ref.random_case(cell, 6, 5, 8, 1)
    E_all = m.step_losses(x, y)
    y_masked = y.copy()
    y_masked[[1, 4, 5]] = -1
    E = m.step_losses(x, y_masked)
    assert np.all(E[[1, 4, 5]] == 0) and np.array_equal(np.delete(E, [1, 4, 5]), np.delete(E_all, [1, 4, 5]))
    assert m.loss(x, y_masked) == pytest.approx(E.sum() / 5, rel=1e-15)
    C = m.contributions(x, y_masked)
    assert np.all(C[[1, 4, 5]] == 0) and np.any(C[7] != 0)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_no_mask_is_section_1_exactly(cell):
    m, x, y = ref.random_case(cell, 6, 5, 8, 2)
    assert m.loss(x, y) == float(m.step_losses(x, y).mean())


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_bad_targets_are_refused_with_a_clear_message(cell):
    m, x, y = ref.random_case(cell, 6, 5, 4, 0)
    from rnnviz.core import Stepper

    bad = y.copy()
    bad[2] = -2
    for call in (m.loss, m.bptt, m.step_losses, m.contributions, lambda a, b: Stepper(m, a, b)):
        with pytest.raises(ValueError, match=r"y\[2\] = -2 is not a target.*-1 for 'no loss"):
            call(x, bad)
    none = np.full(4, -1)
    for call in (m.loss, m.bptt, m.contributions, lambda a, b: Stepper(m, a, b)):
        with pytest.raises(ValueError, match="every target is -1"):
            call(x, none)
    assert np.all(m.step_losses(x, none) == 0)
    with pytest.raises(ValueError, match="between 0 and 5"):
        m.forward([0, -1, 2])  # inputs are never masked


def test_gradients_are_immutable_named_and_copyable():
    import copy
    import pickle

    m = make_model("gru", 400, 3, seed=0)
    g = m.bptt([1, 2, 3], [2, 3, -1])
    assert list(g.as_dict()) == list(m.params()) and g.dW_h is g.as_dict()["W_h"]
    with pytest.raises(AttributeError):
        g.loss = 0.0
    with pytest.raises(AttributeError, match="no gradient"):
        g.dQ  # noqa: B018
    assert list(g.nonzero_columns["U_u"]) == [1, 2, 3]  # the tokens of the sequence, sorted
    for twin in (copy.deepcopy(g), pickle.loads(pickle.dumps(g))):
        assert twin.loss == g.loss
        assert all(np.array_equal(a, b) for a, b in zip(twin.arrays(), g.arrays(), strict=True))
    assert g.norm() == pytest.approx(np.sqrt(sum(np.sum(a**2) for a in g.arrays())), rel=1e-14)
