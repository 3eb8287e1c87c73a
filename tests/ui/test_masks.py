"""ui/masks.py: one definition of L over the steps with a target, and the step one-loss mode traces."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from rnnviz.core import RNN
from rnnviz.ui.masks import masked, mean_loss, normaliser, steps_with_target, traced_step


def test_mean_loss_is_the_models_loss_over_the_steps_with_a_target():
    rnn = RNN(6, 4, seed=3)
    x = np.array([0, 5, 2, 2, 1, 3])
    y = np.array([-1, 4, -1, -1, 0, -1])
    E = rnn.step_losses(x, y)
    assert E[0] == 0 and np.isclose(mean_loss(E, y), rnn.loss(x, y), rtol=1e-15)
    assert np.isclose(mean_loss(E[:3], y), E[1])  # so far: only step 1 has a target
    assert mean_loss(E[:1], y) is None  # none yet
    assert normaliser(y) == "|M|" and normaliser(np.abs(y)) == "T" and masked(y) and not masked(np.abs(y))
    assert steps_with_target(y) == "the 2 steps with a target (|M| = 2 of T = 6)"
    assert steps_with_target(np.abs(y)) == "all 6 steps"


@given(st.lists(st.integers(-1, 3), min_size=1, max_size=30).filter(lambda y: max(y) >= 0), st.data())
def test_traced_step_has_a_target_and_is_the_nearest(y, data):
    y = np.array(y)
    wanted = data.draw(st.integers(0, len(y) - 1))
    t = traced_step(y, wanted)
    assert y[t] >= 0
    have = np.flatnonzero(y >= 0)
    assert abs(t - wanted) == np.abs(have - wanted).min()
    if y[wanted] >= 0:
        assert t == wanted
