import subprocess
import sys

import numpy as np
import pytest

from rnnviz.core import RNN, gradcheck, unrolled_layout


def test_gradcheck_reports_agreement_and_catches_a_wrong_gradient(monkeypatch):
    rnn = RNN(5, 4, seed=2)
    x, y = [0, 1, 2, 3, 4], [1, 2, 3, 4, 0]
    res = gradcheck(rnn, x, y)
    assert set(res) == {"U", "W", "V"}
    assert all(r.max_rel_error < 1e-6 for r in res.values())
    assert len(res["U"].indices) == 20  # small parameters are checked in full
    real = RNN.bptt

    def broken(self, *a, **k):  # a gradient that is 1% off in one entry
        g = real(self, *a, **k)
        g.dW[0, 1] *= 1.01
        return g

    monkeypatch.setattr(RNN, "bptt", broken)
    assert gradcheck(rnn, x, y)["W"].max_rel_error > 1e-3


def test_gradcheck_iter_reports_progress_and_leaves_parameters_alone():
    from rnnviz.core.gradcheck import gradcheck_iter

    rnn = RNN(4, 3, seed=1)
    W = rnn.W.copy()
    steps = gradcheck_iter(rnn, [0, 1, 2], [1, 2, 3], max_entries=5)
    first = next(steps)
    assert first == (1, 15) and np.array_equal(rnn.W, W)  # the check perturbs a private copy
    progress = [first] + list(steps)
    assert progress[-1] == (15, 15)


def test_gradcheck_samples_large_parameters():
    rnn = RNN(30, 20, seed=0)
    res = gradcheck(rnn, np.arange(6), np.arange(1, 7), max_entries=25)
    assert len(res["W"].indices) == 25 and res["W"].max_rel_error < 1e-6


def test_layout_geometry():
    g = unrolled_layout(4)
    assert g.pos.shape == (12, 2) and len(g.edges) == 4 + 3 + 4
    w = g.edges[g.edge("W", 2)]
    assert tuple(w) == (g.node("s", 1), g.node("s", 2))
    assert g.pos[g.node("o", 3)].tolist() == [3.0, 2.0]


def test_core_imports_no_qt():
    code = (
        "import sys, rnnviz.core\n"
        "qt = ('PySide6', 'PyQt5', 'PyQt6', 'pyqtgraph', 'shiboken6')\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in qt]\n"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_scaled_error_is_relative_to_the_largest_entry():
    from rnnviz.core.gradcheck import ParamCheck

    c = ParamCheck("W", ((0, 0), (0, 1)), analytic=np.array([2.0, 1e-9]), numeric=np.array([2.0, 2e-9]))
    assert c.scaled_error == pytest.approx(1e-9 / 2.0)
    assert c.max_rel_error == pytest.approx(1 / 3)  # the tiny entry dominates the per-entry measure
