import numpy as np
import pytest

from rnnviz.core import RNN, LossHistory, TrainConfig, Trainer, make_task, sample
from rnnviz.core.train import clip_gradients


def _trainer(task="echo", hidden=16, **cfg):
    src = make_task(task, delay=1)
    rnn = RNN(len(src.vocab), hidden, seed=0)
    return Trainer(rnn, src, TrainConfig(**cfg), seed=0)


@pytest.mark.parametrize("optimizer,lr", [("adagrad", 0.1), ("sgd", 0.5)])
def test_training_lowers_the_loss(optimizer, lr):
    tr = _trainer(optimizer=optimizer, lr=lr, seq_len=10)
    assert tr.run(400) == 400
    _, losses = tr.history.data()
    assert losses[-20:].mean() < 0.6 * losses[:20].mean()


def test_history_is_bounded_over_100k_iterations():
    h = LossHistory(capacity=512)
    for i in range(100_000):
        h.add(i, 1.0 + (i % 2))
    it, loss = h.data()
    assert len(it) <= 512 and h.count == 100_000
    assert np.all(np.diff(it) > 0) and it[-1] > 90_000
    assert np.allclose(loss, 1.5)  # pairs averaged, never dropped
    sx, sy = h.smoothed(10)
    assert len(sx) == len(sy) == len(it)


def test_nan_stops_with_a_reason_and_keeps_parameters():
    tr = _trainer(optimizer="sgd", lr=1.0, clip=None, seq_len=10)
    tr.run(3)
    tr.rnn.V[0, 0] = np.inf
    before = {k: v.copy() for k, v in tr.rnn.params().items()}
    assert tr.run(5) == 0
    assert "NaN or infinite" in tr.stopped_reason and "spectral radius" in tr.stopped_reason
    for k, v in tr.rnn.params().items():
        assert np.array_equal(v, before[k])
    assert not tr.step()


def test_clipping_scales_to_max_norm():
    rnn = RNN(4, 3, seed=0)
    g = rnn.bptt([0, 1, 2], [1, 2, 3])
    c = clip_gradients(g, g.norm() / 2)
    assert c.norm() == pytest.approx(g.norm() / 2)
    assert np.allclose(c.dW * 2, g.dW)
    assert clip_gradients(g, None) is g


@pytest.mark.parametrize(
    "kw",
    [
        dict(lr=0),
        dict(lr=float("nan")),
        dict(lr=1e9),
        dict(optimizer="adam"),
        dict(clip=-1),
        dict(truncate=-2),
        dict(seq_len=0),
    ],
)
def test_absurd_hyperparameters_are_refused(kw):
    with pytest.raises(ValueError):
        TrainConfig(**kw)


def test_truncated_training_runs():
    tr = _trainer(truncate=2, seq_len=12)
    assert tr.run(20) == 20


def test_sampling_is_seeded_and_in_range():
    rnn = RNN(6, 5, seed=1)
    a = sample(rnn, 0, 30, np.random.default_rng(3))
    b = sample(rnn, 0, 30, np.random.default_rng(3))
    assert np.array_equal(a, b) and a.min() >= 0 and a.max() < 6
    with pytest.raises(ValueError, match="temperature"):
        sample(rnn, 0, 5, np.random.default_rng(0), temperature=0)


def test_trainer_refuses_mismatched_vocab():
    with pytest.raises(ValueError, match="expects"):
        Trainer(RNN(3, 2), make_task("parity"))


def test_update_that_would_overflow_is_refused(monkeypatch):
    tr = _trainer(optimizer="sgd", lr=10.0, clip=None, seq_len=10)
    real = tr.rnn.bptt

    def huge(*a, **k):  # finite gradients whose SGD step overflows to inf
        g = real(*a, **k)
        return type(g)(dU=g.dU, dW=np.full_like(g.dW, 1e307), dV=g.dV, loss=g.loss)

    monkeypatch.setattr(tr.rnn, "bptt", huge)
    before = tr.rnn.W.copy()
    assert not tr.step()
    assert "infinite" in tr.stopped_reason
    assert np.array_equal(tr.rnn.W, before)
