"""The vanilla RNN's numbers are unchanged to the last bit since the cell protocol replaced its code:
every public number is compared with array_equal against the frozen old code in tests/core/legacy."""

import numpy as np
import pytest

from rnnviz.core import RNN, Stepper, TrainConfig, Trainer, sample
from tests.core.helpers import RandomWords
from tests.core.legacy import model_v0, stepper_v0, train_v0

CASES = [(5, 4, 6, 0), (7, 3, 9, 1), (40, 32, 30, 2), (300, 64, 50, 3), (3, 1, 1, 4), (65, 100, 25, 5)]


def pair(K, H, T, seed):
    new, old = RNN(K, H, seed=seed), model_v0.RNN(K, H, seed=seed)
    if seed == 2:
        new.set_spectral_radius(2.5)
        old.set_spectral_radius(2.5)
    rng = np.random.default_rng(seed + 50)
    return new, old, rng.integers(0, K, T), rng.integers(0, K, T)


def same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("K,H,T,seed", CASES)
def test_model_numbers_are_bit_identical(K, H, T, seed):
    new, old, x, y = pair(K, H, T, seed)
    for name in "UWV":
        assert same(getattr(new, name), getattr(old, name)), name
    fn, fo = new.forward(x), old.forward(x)
    assert same(fn.z, fo.z) and same(fn.s, fo.s) and same(fn.o, fo.o)
    assert same(new.step_losses(x, y), old.step_losses(x, y)) and new.loss(x, y) == old.loss(x, y)
    for truncate in [None, *sorted({0, 1, 3, max(T - 2, 0), T - 1, T + 3})]:
        gn, go = new.bptt(x, y, truncate=truncate), old.bptt(x, y, truncate=truncate)
        for name in ("dU", "dW", "dV"):
            assert same(getattr(gn, name), getattr(go, name)), (truncate, name)
        assert gn.loss == go.loss
        assert gn.norm() == pytest.approx(go.norm(), rel=1e-14)  # summation order may differ
    assert same(new.contributions(x, y), old.contributions(x, y))
    if T * T * H < 1e6:
        assert same(new.deltas(x, y), old.deltas(x, y))
    for t in sorted({0, T // 2, T - 1}):
        assert same(new.contribution_terms(x, y, t), old.contribution_terms(x, y, t))
        for a, b in zip(new.jacobian_row(x, t), old.jacobian_row(x, t), strict=True):
            assert same(a, b)
    if T <= 30:
        Jn, Jo = new.jacobian_norms(x), old.jacobian_norms(x)
        for name in ("norm", "w_factor", "tanh_factor"):
            assert same(getattr(Jn, name), getattr(Jo, name)), name
    assert same(
        sample(new, 0, 30, np.random.default_rng(3)), train_v0.sample(old, 0, 30, np.random.default_rng(3))
    )


FIELDS = (
    "t x y s_prev z s o E error_direct error_carried error delta d_out dW dW_step dU_step dV_step lr".split()
)


@pytest.mark.parametrize(
    "K,H,T,seed,mode,target,lr",
    [(5, 4, 6, 0, "full", None, None), (9, 8, 15, 2, "single", 7, 0.3), (30, 16, 12, 1, "full", None, 0.1)],
)
def test_stepper_events_are_bit_identical(K, H, T, seed, mode, target, lr):
    new, old, x, y = pair(K, H, T, seed)
    a = Stepper(new, x, y, mode=mode, target=target, update_lr=lr)
    b = stepper_v0.Stepper(old, x, y, mode=mode, target=target, update_lr=lr)
    while (ea := a.step()) is not None:
        eb = b.step()
        assert ea.phase == eb.phase
        for name in FIELDS:
            if hasattr(eb, name):
                assert same(getattr(ea, name), getattr(eb, name)), (ea.phase, name)
        if eb.phase != "forward":
            for u, v in zip(ea.gradients.arrays(), eb.gradients.arrays(), strict=True):
                assert same(u, v)
        if eb.phase == "update":
            assert all(same(ea.new[k], eb.new[k]) for k in "UWV")
    assert b.step() is None
    for u, v in zip(a.gradients.arrays(), b.gradients.arrays(), strict=True):
        assert same(u, v)


@pytest.mark.parametrize(
    "K,optimizer,clip",
    [(65, "adagrad", None), (65, "sgd", 5.0), (3000, "adagrad", None), (3000, "sgd", None)],
)
def test_training_without_clipping_is_bit_identical(K, optimizer, clip):
    """K = 3000 > 8 T takes the sparse path (only the sequence's columns of U); K = 65 the dense one."""
    cfg = dict(seq_len=20, optimizer=optimizer, clip=clip, lr=0.1 if optimizer == "adagrad" else 0.5)
    a = Trainer(RNN(K, 16, seed=0), RandomWords(K), TrainConfig(**cfg), seed=0)
    b = train_v0.Trainer(model_v0.RNN(K, 16, seed=0), RandomWords(K), train_v0.TrainConfig(**cfg), seed=0)
    for _ in range(15):
        assert a.step() and b.step()
        if b.last_grad_norm > (clip or np.inf):
            break  # clipping divides by the norm, whose last bit may differ (see below)
    for name in "UWV":
        assert same(a.rnn.params()[name], b.rnn.params()[name]), name


def test_training_with_clipping_agrees_to_rounding():
    """The clipping factor divides by the gradient norm, now summed over the touched columns only,
    so its last bit may differ; one step later the parameters agree to rounding."""
    cfg = dict(seq_len=20, clip=0.05)
    a = Trainer(RNN(3000, 16, seed=0), RandomWords(3000), TrainConfig(**cfg), seed=0)
    b = train_v0.Trainer(
        model_v0.RNN(3000, 16, seed=0), RandomWords(3000), train_v0.TrainConfig(**cfg), seed=0
    )
    assert a.step() and b.step() and b.last_grad_norm > 0.05
    assert a.last_grad_norm == pytest.approx(b.last_grad_norm, rel=1e-14)
    for name in "UWV":
        assert np.allclose(a.rnn.params()[name], b.rnn.params()[name], rtol=1e-13, atol=1e-16)


def test_the_rnn_fast_loop_is_the_generic_loop(monkeypatch):
    """RNNCell.backward_sequence inlines backprop.full_backward: the same numbers, bit for bit."""
    from rnnviz.core.cells import RNNCell

    new, _, x, y = pair(40, 32, 30, 2)
    fast = new.bptt(x, y)
    monkeypatch.setattr(RNNCell, "backward_sequence", lambda self, prep, cache, ds: None)
    generic = new.bptt(x, y)
    for a, b in zip(fast.arrays(), generic.arrays(), strict=True):
        assert same(a, b)
