"""What makes a reset cheap: Stepper(..., like=earlier) reuses the earlier trace's frozen parameters
where the model's hold the same bits (and copies those that changed); st.step_losses() gives the
model's E_t bit for bit from the trace's own forward pass."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, Stepper
from tests.core import cell_reference as ref


def run(st: Stepper) -> list:
    out = []
    while (ev := st.step()) is not None:
        out.append(ev)
    return out


def same_events(a: list, b: list) -> bool:
    """Every array of every event (gates included) equal, bit for bit."""

    def arrays(ev) -> list[np.ndarray]:
        out = []
        for v in vars(ev).values():
            if isinstance(v, np.ndarray):
                out.append(v)
            elif hasattr(v, "values") and not isinstance(v, str):
                out += [u for u in v.values() if isinstance(u, np.ndarray)]
        return out

    if len(a) != len(b):
        return False
    for ea, eb in zip(a, b, strict=True):
        ua, ub = arrays(ea), arrays(eb)
        if len(ua) != len(ub) or not all(np.array_equal(u, v) for u, v in zip(ua, ub, strict=True)):
            return False
    return True


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_new_sequence_of_an_unchanged_model_reuses_the_frozen_parameters(cell):
    m, x, y = ref.random_case(cell, 7, 5, 9, 0)
    earlier = Stepper(m, x, y)
    x2, y2 = x[::-1].copy(), y[::-1].copy()
    reused, fresh = Stepper(m, x2, y2, like=earlier), Stepper(m, x2, y2)
    assert all(reused.params[k] is earlier.params[k] for k in earlier.params)
    assert all(not reused.params[k].flags.writeable for k in reused.params)
    assert same_events(run(reused), run(fresh))
    for a, b in zip(reused.gradients.arrays(), fresh.gradients.arrays(), strict=True):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_parameters_that_changed_are_copied_again(cell):
    m, x, y = ref.random_case(cell, 7, 5, 9, 1)
    earlier = Stepper(m, x, y)
    W = next(k for k in m.params() if k.startswith("W"))
    m.params()[W][0, 0] *= 2.0  # in place, as training does
    m.params()["V"][0, 0] = -m.params()["V"][0, 0] if m.params()["V"][0, 0] else -0.0  # one bit differs
    st = Stepper(m, x, y, like=earlier)
    changed = {W, "V"}
    for k in earlier.params:
        assert (st.params[k] is earlier.params[k]) == (k not in changed), k
        assert np.array_equal(st.params[k], m.params()[k])
    assert same_events(run(st), run(Stepper(m, x, y)))


def test_a_zero_and_a_negative_zero_are_told_apart():
    m, x, y = ref.random_case("rnn", 5, 4, 6, 2)
    m.params()["W"][1, 1] = 0.0
    earlier = Stepper(m, x, y)
    m.params()["W"][1, 1] = -0.0  # equal as numbers, not as bits: the trace must show -0.0
    st = Stepper(m, x, y, like=earlier)
    assert st.params["W"] is not earlier.params["W"] and np.signbit(st.params["W"][1, 1])
    assert st.params["U"] is earlier.params["U"]


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed,mask", [(0, False), (3, True)])
def test_a_traces_step_losses_are_the_models_bit_for_bit(cell, seed, mask):
    m, x, y = ref.random_case(cell, 9, 6, 11, seed, mask=mask)
    st = Stepper(m, x, y)
    assert np.array_equal(st.step_losses(), m.step_losses(x, y))
    assert np.all(st.step_losses()[y < 0] == 0)
    m.params()["V"][:] *= 3.0  # the trace keeps the parameters it was made with
    assert not np.array_equal(st.step_losses(), m.step_losses(x, y))
