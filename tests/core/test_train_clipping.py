"""Norm and element-wise clipping as training options, and the gradient norm before clipping traced
per iteration in bounded memory."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, TrainConfig, Trainer, make_model
from rnnviz.core.history import GradNormHistory
from rnnviz.core.train import clip_elements, clip_gradients
from tests.core.helpers import RandomWords


def expected_step(model, grads, lr, optimizer, memory):
    """One optimizer step by hand, from already clipped gradients: p - lr * c (SGD) or
    p - lr * c / sqrt(mem + c^2 + 1e-8) (Adagrad)."""
    out = {}
    for name, p in model.params().items():
        c = grads[name]
        if optimizer == "adagrad":
            memory[name] = memory.get(name, 0.0) + c * c
            out[name] = p - lr * c / np.sqrt(memory[name] + 1e-8)
        else:
            out[name] = p - lr * c
    return out


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [6, 400])  # K = 400 > 8 T: the sparse path (the sequence's columns of U_*)
@pytest.mark.parametrize("optimizer", ["sgd", "adagrad"])
def test_element_wise_clipping_clips_every_entry_before_the_step(cell, K, optimizer):
    bound, lr, T = 0.01, 0.3, 12
    model = make_model(cell, K, 5, seed=1)
    mirror = model.copy()
    trainer = Trainer(
        model,
        RandomWords(K),
        TrainConfig(lr=lr, optimizer=optimizer, clip=bound, clip_kind="element", seq_len=T),
        seed=4,
    )
    rng, memory = np.random.default_rng(4), {}
    clipped_some = False
    for _ in range(4):
        x, y = RandomWords(K).sample(rng, T)
        g = mirror.bptt(x, y)
        raw = g.as_dict()
        clipped = clip_elements(g, bound).as_dict()
        clipped_some |= any(np.abs(a).max() > bound for a in raw.values())
        want = expected_step(mirror, clipped, lr, optimizer, memory)
        mirror.set_params(**want)
        assert trainer.step()
        assert trainer.last_grad_norm == pytest.approx(g.norm(), rel=1e-12)  # the norm before clipping
        for name, p in model.params().items():
            assert np.allclose(p, want[name], rtol=1e-13, atol=1e-15), name
    assert clipped_some  # the bound really bit


@pytest.mark.parametrize("kind", ["norm", "element"])
def test_the_norm_before_clipping_is_traced_every_iteration(kind):
    model = make_model("rnn", 8, 6, seed=0, w_radius=3.0)  # large W: gradients well above the bound
    mirror = model.copy()
    trainer = Trainer(
        model,
        RandomWords(8),
        TrainConfig(lr=0.05, optimizer="sgd", clip=0.5, clip_kind=kind, seq_len=10),
        seed=2,
    )
    rng, norms = np.random.default_rng(2), []
    for _ in range(6):
        x, y = RandomWords(8).sample(rng, 10)
        g = mirror.bptt(x, y)
        norms.append(g.norm())
        clipped = clip_gradients(g, 0.5) if kind == "norm" else clip_elements(g, 0.5)
        mirror.set_params(**expected_step(mirror, clipped.as_dict(), 0.05, "sgd", {}))
        assert trainer.step()
    iters, traced = trainer.grad_norms.data()
    assert np.array_equal(iters, np.arange(6)) and np.allclose(traced, norms, rtol=1e-12)
    assert max(norms) > 0.5  # clipping was active, yet the trace holds the unclipped norms
    assert trainer.grad_norms.count == trainer.history.count == 6


def test_norm_clipping_is_still_the_default_and_element_clipping_differs():
    assert TrainConfig().clip_kind == "norm"
    runs = {}
    for kind in ("norm", "element"):
        model = make_model("rnn", 8, 6, seed=0, w_radius=3.0)
        Trainer(model, RandomWords(8), TrainConfig(clip=0.5, clip_kind=kind, seq_len=10), seed=2).run(3)
        runs[kind] = model.W.copy()
    assert not np.allclose(runs["norm"], runs["element"])


def test_clip_elements_keeps_small_entries_and_the_sign():
    g = make_model("gru", 4, 3, seed=0).bptt([0, 1, 2], [1, 2, 3])
    c = clip_elements(g, 0.02)
    for name, a in g.as_dict().items():
        b = c.as_dict()[name]
        assert np.all(np.abs(b) <= 0.02) and np.array_equal(np.sign(a), np.sign(b))
        small = np.abs(a) <= 0.02
        assert np.array_equal(a[small], b[small])
    assert clip_elements(g, None) is g


def test_a_bad_clip_kind_is_refused_in_words():
    with pytest.raises(ValueError, match="clip_kind must be one of norm, element"):
        TrainConfig(clip_kind="value")


def test_grad_norm_history_is_bounded_and_keeps_spikes_visible():
    h = GradNormHistory(capacity=256)
    for i in range(100_000):
        h.add(i, 1000.0 if i == 77_777 else 1.0 + (i % 2))
    it, mean = h.data()
    pit, peak = h.peak_data()
    assert len(it) <= 256 and h.count == 100_000 and np.array_equal(it, pit)
    assert peak.max() == 1000.0 and mean.max() < 100  # the mean hides the spike, the peak keeps it
    assert np.all(peak >= mean) and np.allclose(np.delete(mean, np.argmax(peak)), 1.5)
    assert np.sum(peak == 1000.0) == 1 and it[np.argmax(peak)] == pytest.approx(77_777, abs=h.stride)


def test_grad_norm_history_restores_with_peaks_at_the_means():
    h = GradNormHistory(capacity=8)
    h.restore(np.array([[0.0, 2.0], [1.0, 3.0]]), count=2, stride=1)
    assert np.array_equal(h.peak_data()[1], [2.0, 3.0])
    h.add(2, 9.0)
    assert np.array_equal(h.peak_data()[1], [2.0, 3.0, 9.0])
