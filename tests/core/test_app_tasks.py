"""Issue 13's tasks in the app's settings: each sets its own length (seq_len follows it), so no length
the app can choose makes a task raise; session files keep them; the cell names its activation."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnviz.core import RNN, Stepper
from rnnviz.core.data import ParityTask
from rnnviz.core.long_range import REBER_APP_CAP
from rnnviz.core.session_file import SessionData, load_session, save_session
from rnnviz.core.settings import APP_TASKS, LIMITS, Settings, make_model, make_source, sequence_rng

LONG = ("long-lag", "embedded-reber", "temporal-order")


def test_the_app_lists_the_long_range_tasks_and_they_set_the_length():
    assert set(LONG) <= set(APP_TASKS)
    assert Settings(task="long-lag", lag=7, seq_len=3).seq_len == 7  # exactly p steps
    assert Settings(task="temporal-order", order_length=50, seq_len=200).seq_len == 55  # L + L//10
    assert Settings(task="embedded-reber", seq_len=1).seq_len == REBER_APP_CAP
    assert Settings(task="echo", seq_len=9).seq_len == 9  # the toy tasks keep the asked length
    assert make_source(Settings(task="long-lag", lag=7)).p == 7
    assert make_source(Settings(task="temporal-order", order_length=40)).length == 40


@settings(max_examples=60, deadline=None)
@given(
    task=st.sampled_from(LONG),
    seq_len=st.integers(*LIMITS["seq_len"]),
    lag=st.integers(*LIMITS["lag"]),
    order_length=st.integers(*LIMITS["order_length"]),
    seed=st.integers(0, 1000),
)
def test_no_length_the_app_chooses_makes_a_task_raise(task, seq_len, lag, order_length, seed):
    s = Settings(task=task, seq_len=seq_len, lag=lag, order_length=order_length, seed=seed)
    source = make_source(s)
    x, y = source.sample(sequence_rng(s), s.seq_len)
    assert 1 <= len(x) <= s.seq_len <= LIMITS["seq_len"][1]
    assert np.any(y >= 0)  # a loss somewhere: the Stepper and training accept it
    if task == "long-lag":
        assert len(x) == lag
    if task == "temporal-order":
        assert order_length <= len(x) <= order_length + order_length // 10


def test_out_of_range_parameters_are_refused_in_words():
    with pytest.raises(ValueError, match="lag must be between 1 and 200"):
        Settings(task="long-lag", lag=0)
    with pytest.raises(ValueError, match="order_length must be between 4 and 182"):
        Settings(order_length=183)


def test_the_task_parameters_are_data_settings_and_old_files_load():
    assert Settings().data_changed(Settings(lag=5))
    assert Settings().data_changed(Settings(order_length=30))
    old = Settings().to_dict()
    del old["lag"], old["order_length"]
    assert Settings.from_dict(old) == Settings()


@pytest.mark.parametrize("task", LONG)
def test_a_session_of_a_long_range_task_saves_and_loads(task, tmp_path):
    s = Settings(task=task, hidden=5, order_length=12, lag=6, seed=2)
    source = make_source(s)
    rnn = make_model(s, len(source.vocab))
    x, y = source.sample(sequence_rng(s), s.seq_len)
    path = tmp_path / "s.rnnviz"
    save_session(path, SessionData(s, rnn.params(), x, y, cursor=3))
    back = load_session(path)
    assert back.settings == s and np.array_equal(back.y, y) and np.array_equal(back.x, x)


def test_parity_labels_are_the_parity_so_far():
    x = np.array([1, 0, 1, 1, 0])
    labels, names = ParityTask().state_labels(x)
    assert labels.tolist() == [1, 1, 0, 1, 1] and names == ("even so far", "odd so far")
    with pytest.raises(ValueError, match="kind"):
        ParityTask().state_labels(x, "node")


@pytest.mark.parametrize(
    "activation,name,derivative,bounds",
    [("tanh", "tanh", "1 − s_{t}^{2}", (-1.0, 1.0)), ("relu", "relu", "[z_{t} > 0]", (0.0, np.inf))],
)
def test_the_cell_names_its_activation_and_slope(activation, name, derivative, bounds):
    rnn = RNN(4, 6, seed=1, activation=activation)
    spec = rnn.spec
    assert (spec.activation_name, spec.derivative, spec.state_bounds) == (name, derivative, bounds)
    x = np.array([0, 3, 1, 2, 2])
    s = rnn.forward(x).s
    assert np.all(s >= bounds[0]) and np.all(s <= bounds[1])
    assert spec.equations[1].startswith(f"s_t = {name}(z_t)")


def test_stepper_states_are_the_trace_states_read_only():
    rnn = RNN(5, 4, seed=0)
    x = np.array([0, 1, 4, 2])
    st = Stepper(rnn, x, x)
    assert np.array_equal(st.states, rnn.forward(x).s) and not st.states.flags.writeable


def test_a_session_whose_every_target_is_masked_is_refused(tmp_path):
    s = Settings(task="temporal-order", hidden=3, order_length=8)
    source = make_source(s)
    rnn = make_model(s, len(source.vocab))
    x, y = source.sample(sequence_rng(s), s.seq_len)
    path = tmp_path / "masked.rnnviz"
    save_session(path, SessionData(s, rnn.params(), x, np.full_like(y, -1)))
    with pytest.raises(ValueError, match="every target is -1"):
        load_session(path)
