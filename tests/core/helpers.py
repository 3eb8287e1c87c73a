"""Shared fixtures for core tests: random sequences and a brute-force finite-difference gradient."""

import numpy as np

from rnnviz.core import RNN, Vocabulary
from rnnviz.core.gradcheck import numeric_gradient


def random_case(K: int, H: int, T: int, seed: int):
    rng = np.random.default_rng(seed + 1000)
    rnn = RNN(vocab_size=K, hidden_size=H, seed=seed)
    return rnn, rng.integers(0, K, T), rng.integers(0, K, T)


class RandomWords:
    """A K-token source of uniformly random sequences (no data files needed): y is x shifted by one."""

    def __init__(self, K: int):
        self.vocab = Vocabulary(tuple(str(i) for i in range(K)), "word")

    def sample(self, rng, T: int):
        ids = rng.integers(0, len(self.vocab), T + 1)
        return ids[:-1], ids[1:]


def numeric_grads(f, rnn: RNN) -> dict[str, np.ndarray]:
    """Central differences of f() for every entry of U, W and V."""
    out = {}
    for name, p in rnn.params().items():
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            g[idx] = numeric_gradient(f, p, idx)
        out[name] = g
    return out


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """max |a - b| relative to the scale of the larger gradient."""
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-12))
