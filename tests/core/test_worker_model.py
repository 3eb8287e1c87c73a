"""model.reading(params): the worker's model of a trace, reading the Stepper's frozen parameters
without copying them."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model
from tests.core import cell_reference as ref


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_model_reading_frozen_arrays_shares_them_and_computes_the_same_numbers(cell):
    """model.reading(params): the worker's model of a trace, made without copying the parameters."""
    from rnnviz.core import Stepper

    m, x, y = ref.random_case(cell, 7, 6, 9, 1)
    st = Stepper(m, x, y)
    twin = m.reading(dict(st.params))
    assert all(np.shares_memory(twin.params()[k], st.params[k]) for k in st.params)
    assert np.array_equal(twin.contributions(x, y), m.contributions(x, y))
    assert np.array_equal(twin.jacobian_rows(x).row(8).norm, m.jacobian_rows(x).row(8).norm)
    assert np.array_equal(twin.delta_norms_row(x, y, 8), m.delta_norms_row(x, y, 8))
    for p in m.params().values():
        p *= 2.0  # training the live model changes nothing the twin reads
    assert np.array_equal(twin.contributions(x, y), make_model(cell, 7, 6, seed=1).contributions(x, y))


def test_a_model_reading_arrays_checks_their_names_and_shapes():
    m = make_model("rnn", 5, 4, seed=0)
    p = m.params()
    with pytest.raises(ValueError, match="exactly U, W, V"):
        m.reading({"U": p["U"], "W": p["W"]})
    with pytest.raises(ValueError, match="W must be float64 of shape"):
        m.reading({**p, "W": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="float64"):
        m.reading({**p, "W": p["W"].astype(np.float32)})
