"""The Stepper for every cell: events, errors against finite differences, truncation, undo."""

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, BackwardStep, ForwardStep, Stepper, UpdateStep
from tests.core import cell_reference as ref


def run(st):
    events = []
    while (ev := st.step()) is not None:
        events.append(ev)
    return events


def assert_grads_equal(a, b, rtol=1e-12, atol=1e-16):
    a, b = a.as_dict(), b.as_dict()
    assert a.keys() == b.keys()
    for k in a:
        assert np.allclose(a[k], b[k], rtol=rtol, atol=atol), k


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K,H,T,seed,mask", [(4, 3, 1, 0, False), (6, 5, 7, 1, True), (9, 8, 12, 2, False)])
def test_full_sweep_equals_bptt_and_forward(cell, K, H, T, seed, mask):
    m, x, y = ref.random_case(cell, K, H, T, seed, mask=mask)
    st = Stepper(m, x, y)
    events = run(st)
    assert st.done and len(events) == 2 * T
    assert_grads_equal(st.gradients, m.bptt(x, y))
    assert list(st.gradients.as_dict()) == list(m.params())
    f = m.forward(x)
    fw = [e for e in events if isinstance(e, ForwardStep)]
    assert np.array_equal([e.s for e in fw], f.s)  # the same code computes both
    assert np.allclose([e.o for e in fw], f.o, rtol=1e-13)
    assert np.allclose([e.E for e in fw], m.step_losses(x, y), rtol=1e-13)
    for name, g in f.gates.items():
        assert np.array_equal([e.gates[name] for e in fw], g)
    if cell == "lstm":
        assert np.array_equal([e.c for e in fw], f.c)
    bw = [e for e in events if isinstance(e, BackwardStep)]
    assert [e.t for e in bw] == list(range(T - 1, -1, -1))
    for e in bw:
        assert np.allclose(e.error, e.error_direct + e.error_carried)
        assert set(e.gates) == set(m.spec.gates) and (e.c is not None) == (cell == "lstm")
        if y[e.t] < 0:
            assert np.all(e.error_direct == 0) and np.all(e.d_out == 0)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("seed", [0, 3])
def test_backward_errors_are_derivatives_of_the_loss(cell, seed):
    """ev.error = dL/ds_t and (LSTM) ev.error_c = dL/dc_t, by finite differences of the reference."""
    m, x, y = ref.random_case(cell, 5, 4, 6, seed, mask=seed == 3)
    st = Stepper(m, x, y)
    st.run()
    P, H = m.params(), 4
    for e in st.backward_steps():
        num = ref.numeric_state_gradient(lambda nudge: ref.loss(cell, P, x, y, nudge), H, e.t, "s")
        assert np.allclose(e.error, num, rtol=1e-6, atol=1e-10)
        if cell == "lstm":
            num_c = ref.numeric_state_gradient(lambda nudge: ref.loss(cell, P, x, y, nudge), H, e.t, "c")
            assert np.allclose(e.error_c, num_c, rtol=1e-6, atol=1e-10)
            assert np.allclose(
                e.error_c, e.error_c_carried + e.error * e.gates["q"] * (1 - np.tanh(e.c) ** 2)
            )
        else:
            assert e.error_c is None


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [0, 1, 3])
def test_truncated_sweep_equals_truncated_bptt_and_its_errors_are_truncated(cell, K):
    m, x, y = ref.random_case(cell, 5, 4, 7, 5, mask=True)
    st = Stepper(m, x, y, truncate=K)
    assert st.truncate == K and st.n_backward == 7
    st.run()
    assert_grads_equal(st.gradients, m.bptt(x, y, truncate=K))
    P, n = m.params(), np.count_nonzero(y >= 0)
    for e in st.backward_steps():
        origins = [t for t in range(e.t, min(7, e.t + K + 1)) if y[t] >= 0]  # t' - K <= t
        want = np.zeros(4)
        for t_ in origins:
            want += ref.numeric_state_gradient(
                lambda nudge, t_=t_: ref.step_losses(cell, P, x, y, nudge)[t_], 4, e.t, "s"
            )
        assert np.allclose(e.error, want / n, rtol=1e-6, atol=1e-10)


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K", [None, 0, 2, 10])
def test_single_loss_mode_walks_back_K_steps_and_traces_the_terms(cell, K):
    m, x, y = ref.random_case(cell, 5, 4, 7, 2)
    st = Stepper(m, x, y, mode="single", target=5, truncate=K)
    assert st.n_backward == (6 if K is None else min(5, K) + 1)
    st.run()
    bw = st.backward_steps()
    assert [e.t for e in bw] == list(range(5, 5 - st.n_backward, -1))
    terms = m.step_terms(x, y, 5)
    for e in bw:
        for name, term in e.step_terms.items():
            assert np.allclose(term, terms[name][e.t], rtol=1e-12, atol=1e-16), name
    first = 5 - st.n_backward + 1
    for name, g in st.gradients.as_dict().items():
        assert np.allclose(g, terms[name][first:].sum(axis=0), rtol=1e-12, atol=1e-16), name


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_back_and_redo_are_exact_and_the_update_is_undone(cell):
    m, x, y = ref.random_case(cell, 6, 5, 5, 2)
    before = {k: v.copy() for k, v in m.params().items()}
    st = Stepper(m, x, y, update_lr=0.5, truncate=1)
    seen = [st.step() for _ in range(st.total_steps)]
    assert st.done and isinstance(seen[-1], UpdateStep)
    g = seen[-1].gradients.as_dict()
    for k, v in m.params().items():
        assert np.allclose(v, before[k] - 0.5 * g[k])
    grads_at = {}
    for c in range(st.total_steps, 0, -1):
        grads_at[c] = st.gradients
        assert st.back() is seen[c - 1]
    for k, v in m.params().items():
        assert np.array_equal(v, before[k])
    for c in range(1, st.total_steps + 1):
        assert st.step() is seen[c - 1]
        for a, b in zip(st.gradients.arrays(), grads_at[c].arrays(), strict=True):
            assert np.array_equal(a, b)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_stepper_keeps_frozen_parameters_and_events(cell):
    m, x, y = ref.random_case(cell, 5, 4, 4, 0)
    st = Stepper(m, x, y)
    assert list(st.params) == list(m.params())
    for name, p in st.params.items():
        assert getattr(st, name) is p and not p.flags.writeable and np.array_equal(p, m.params()[name])
    ev = st.step()
    for g in ev.gates.values():
        with pytest.raises(ValueError):
            g[0] = 1.0
    for p in m.params().values():
        p[...] = 0.0  # mutating the model touches neither the trace nor its events
    st.run()
    assert np.array_equal(st.events[0].s, ev.s) and np.any(st.gradients.dV != 0)


def test_a_masked_single_target_is_refused():
    m, x, y = ref.random_case("lstm", 5, 4, 4, 0)
    y[2] = -1
    with pytest.raises(ValueError, match="no target"):
        Stepper(m, x, y, mode="single", target=2)
    with pytest.raises(ValueError, match="truncate"):
        Stepper(m, x, y, truncate=-1)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_trace_holds_vectors_not_one_weight_gradient_per_step(cell):
    import tracemalloc

    m, x, y = ref.random_case(cell, 12, 128, 200, 0)
    tracemalloc.start()
    try:
        st = Stepper(m, x, y)
        st.run()
        sums = [e.w_grads for e in st.backward_steps()[::-1]]  # every event's dW_*, oldest first
        del sums
        held = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    per_step_sums = 200 * len(m.spec.blocks) * 128 * 128 * 8  # what one dW_* per event would hold
    assert held < per_step_sums / 4
    assert len(st._trace._checkpoints) <= 200 // st._trace.stride + 1
