"""Training and sampling for every cell, with masks, and the sparse optimizer step."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, TrainConfig, Trainer, make_model, make_task, sample
from tests.core import cell_reference as ref
from tests.core.helpers import RandomWords


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_training_lowers_the_loss(cell):
    src = make_task("echo", delay=1)
    tr = Trainer(make_model(cell, len(src.vocab), 16, seed=0), src, TrainConfig(lr=0.1, seq_len=10), seed=0)
    assert tr.run(300) == 300
    _, losses = tr.history.data()
    assert losses[-20:].mean() < 0.6 * losses[:20].mean()


class Masked(RandomWords):
    """A source whose targets are -1 (no loss) at every third step, as a task with blanks would be."""

    def __init__(self, K):
        super().__init__(K)
        self.last = None

    def sample(self, rng, T):
        x, y = super().sample(rng, T)
        y = y.copy()
        y[::3] = -1
        self.last = (x, y)
        return x, y


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [6, 400])  # 400 tokens: only the sequence's columns of U_* are updated
def test_one_sgd_step_is_p_minus_lr_times_the_masked_gradient(cell, K):
    m = make_model(cell, K, 5, seed=1)
    before = {k: v.copy() for k, v in m.params().items()}
    src = Masked(K)
    tr = Trainer(m, src, TrainConfig(optimizer="sgd", lr=0.3, clip=None, seq_len=12), seed=2)
    twin = make_model(cell, K, 5, seed=1)
    assert tr.step()
    g = twin.bptt(*src.last).as_dict()
    for name, p in m.params().items():
        assert np.array_equal(p, before[name] - 0.3 * g[name]), name


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("clip", [None, 0.01])
def test_sparse_adagrad_equals_the_dense_formula_bit_for_bit(cell, clip):
    K = 500
    m = make_model(cell, K, 4, seed=3)
    src = Masked(K)
    tr = Trainer(m, src, TrainConfig(lr=0.1, clip=clip, seq_len=15), seed=0)
    twin = make_model(cell, K, 4, seed=3)
    mem = {k: np.zeros_like(v) for k, v in twin.params().items()}
    for _ in range(4):
        assert tr.step()
        g = twin.bptt(*src.last)
        assert set(g.nonzero_columns) == {k for k in g.as_dict() if k[0] == "U"}
        norm = g.norm()
        if clip is not None and norm > clip:
            g = g.scaled(clip / norm)
        new = {}
        for name, d in g.as_dict().items():  # the textbook dense step on whole arrays
            mem[name] += d * d
            new[name] = twin.params()[name] - 0.1 * d / np.sqrt(mem[name] + 1e-8)
        twin.set_params(**new)
    for name, p in m.params().items():
        assert np.array_equal(p, twin.params()[name]), name


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_nan_stops_with_a_reason_and_keeps_parameters(cell):
    src = make_task("echo", delay=1)
    tr = Trainer(make_model(cell, len(src.vocab), 6, seed=0), src, TrainConfig(seq_len=8), seed=0)
    tr.run(2)
    tr.rnn.V[0, 0] = np.inf
    before = {k: v.copy() for k, v in tr.rnn.params().items()}
    assert tr.run(3) == 0 and "NaN or infinite" in tr.stopped_reason
    for k, v in tr.rnn.params().items():
        assert np.array_equal(v, before[k])


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_an_update_that_would_overflow_is_refused(cell, monkeypatch):
    src = make_task("echo", delay=1)
    tr = Trainer(
        make_model(cell, len(src.vocab), 6, seed=0), src, TrainConfig(optimizer="sgd", lr=10.0, clip=None)
    )
    name = list(tr.rnn.params())[1]  # a recurrent matrix
    real = tr.rnn.bptt

    def huge(*a, **k):  # finite gradients whose step overflows to inf
        g = real(*a, **k).as_dict()
        g[name] = np.full_like(g[name], 1e307)
        return type(real(*a, **k))(loss=1.0, **{"d" + k: v for k, v in g.items()})

    monkeypatch.setattr(tr.rnn, "bptt", huge)
    before = tr.rnn.params()[name].copy()
    assert not tr.step() and "infinite" in tr.stopped_reason
    assert np.array_equal(tr.rnn.params()[name], before)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_sampling_is_seeded_and_follows_the_cell(cell):
    m, x, _ = ref.random_case(cell, 6, 5, 9, 1)
    a = sample(m, 0, 30, np.random.default_rng(3))
    assert np.array_equal(a, sample(m, 0, 30, np.random.default_rng(3))) and a.min() >= 0 and a.max() < 6
    state, S = m.spec.zero_state(), []
    prep = m.spec.prepare(m.params())
    for tok in x:  # the step sampling uses is the step the forward pass uses, bit for bit
        state, _, _ = m.spec.forward_step(prep, int(tok), state)
        S.append(state[0])
    assert np.array_equal(S, m.forward(x).s)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_workspace_gives_the_same_gradients_call_after_call(cell):
    from rnnviz.core.backprop import Workspace

    m = make_model(cell, 300, 4, seed=0)
    ws, rng = Workspace(), np.random.default_rng(0)
    for _ in range(3):  # new tokens each time: the columns the last call used must be cleared
        x, y = rng.integers(0, 300, 10), rng.integers(0, 300, 10)
        got, want = m.bptt(x, y, workspace=ws), m.bptt(x, y)
        for a, b in zip(got.arrays(), want.arrays(), strict=True):
            assert np.array_equal(a, b)


def test_training_writes_into_the_models_arrays():
    src = make_task("echo", delay=1)
    m = make_model("lstm", len(src.vocab), 6, seed=0)
    arrays = m.params()
    before = {k: v.copy() for k, v in arrays.items()}
    Trainer(m, src, TrainConfig(seq_len=8)).run(2)
    for name, p in m.params().items():
        assert p is arrays[name] and not np.array_equal(p, before[name])


class FirstTokens(Masked):
    """Inputs from the first K-1 tokens only: column K-1 of every U_* is never read."""

    def sample(self, rng, T):
        x, y = super().sample(rng, T)
        return x % (len(self.vocab) - 1), y


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_parameters_that_would_not_stay_finite_are_refused(cell):
    m = make_model(cell, 6, 4, seed=0)
    tr = Trainer(m, FirstTokens(6), TrainConfig(seq_len=10), seed=0)
    assert tr.step()
    name = list(m.params())[0]  # an input matrix U_*; the gradient and the loss stay finite
    m.params()[name][:, 5] = np.inf
    before = {k: v.copy() for k, v in m.params().items()}
    assert not tr.step() and "would make the parameters infinite" in tr.stopped_reason
    for k, v in m.params().items():
        assert np.array_equal(v, before[k])
