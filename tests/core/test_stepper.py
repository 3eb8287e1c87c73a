import dataclasses

import numpy as np
import pytest

from rnnviz.core import BackwardStep, ForwardStep, Stepper, UpdateStep
from tests.core.helpers import random_case


@pytest.mark.parametrize("K,H,T,seed", [(4, 3, 1, 0), (6, 5, 7, 1), (9, 8, 15, 2)])
def test_full_sweep_equals_bptt(K, H, T, seed):
    rnn, x, y = random_case(K, H, T, seed)
    st = Stepper(rnn, x, y)
    events = []
    while (ev := st.step()) is not None:
        events.append(ev)
    assert st.done and len(events) == 2 * T
    g = rnn.bptt(x, y)
    for a, b in zip(st.gradients.arrays(), g.arrays(), strict=True):
        assert np.allclose(a, b, atol=1e-15)
    f = rnn.forward(x)
    fw = [e for e in events if isinstance(e, ForwardStep)]
    assert np.allclose([e.s for e in fw], f.s) and np.allclose([e.o for e in fw], f.o)
    assert np.mean([e.E for e in fw]) == pytest.approx(rnn.loss(x, y))
    bw = [e for e in events if isinstance(e, BackwardStep)]
    assert [e.t for e in bw] == list(range(T - 1, -1, -1))


def test_backward_events_carry_the_deltas():
    rnn, x, y = random_case(6, 5, 6, 3)
    st = Stepper(rnn, x, y)
    st.run()
    D = rnn.deltas(x, y).sum(axis=0) / 6  # dL/dz_k = sum_t dE_t/dz_k / T
    for e in st.backward_steps():
        assert np.allclose(e.delta, D[e.t])
        assert np.allclose(e.error, e.error_direct + e.error_carried)
        assert np.allclose(e.dU_step[:, e.x], e.delta)


def test_single_loss_mode_traces_the_seed_terms():
    rnn, x, y = random_case(5, 4, 6, 0)
    st = Stepper(rnn, x, y, mode="single", target=3)
    st.run()
    terms = rnn.contribution_terms(x, y, 3)
    bw = st.backward_steps()
    assert [e.t for e in bw] == [3, 2, 1, 0]
    for e in bw:
        assert np.allclose(e.dW_step, terms[e.t])
    assert np.allclose(st.gradients.dW, terms.sum(axis=0))


def test_back_and_redo_are_exact():
    rnn, x, y = random_case(6, 5, 5, 2)
    st = Stepper(rnn, x, y, update_lr=0.5)
    W0 = rnn.W.copy()
    seen = [st.step() for _ in range(st.total_steps)]
    assert st.done and isinstance(seen[-1], UpdateStep)
    assert not np.array_equal(rnn.W, W0)
    assert st.step() is None
    grads_at = {}
    for c in range(st.total_steps, 0, -1):
        grads_at[c] = st.gradients
        assert st.back() is seen[c - 1]
        assert not st.done
    assert st.back() is None and st.cursor == 0
    assert np.array_equal(rnn.W, W0)  # the update was undone
    assert np.all(st.gradients.dW == 0)
    for c in range(1, st.total_steps + 1):
        assert st.step() is seen[c - 1]
        for a, b in zip(st.gradients.arrays(), grads_at[c].arrays(), strict=True):
            assert np.array_equal(a, b)


def test_back_in_the_middle_then_forward_again_matches():
    rnn, x, y = random_case(5, 4, 6, 1)
    st = Stepper(rnn, x, y)
    for _ in range(9):
        st.step()
    mid = st.gradients
    for _ in range(4):
        st.back()
    assert st.phase == "forward"
    for _ in range(4):
        st.step()
    assert np.array_equal(st.gradients.dW, mid.dW)


def test_update_step_is_sgd():
    rnn, x, y = random_case(5, 4, 6, 1)
    g = rnn.bptt(x, y)
    W0 = rnn.W.copy()
    Stepper(rnn, x, y, update_lr=0.1).run()
    assert np.allclose(rnn.W, W0 - 0.1 * g.dW)


def test_events_are_immutable_and_not_shared():
    rnn, x, y = random_case(5, 4, 4, 0)
    st = Stepper(rnn, x, y)
    ev = st.step()
    with pytest.raises(dataclasses.FrozenInstanceError):
        ev.t = 3
    with pytest.raises(ValueError):
        ev.s[0] = 1.0
    rnn.W[:] = 0  # mutating the model does not touch recorded events or the trace
    s_before = ev.s.copy()
    assert np.array_equal(st.events[0].s, s_before)
    st.run()
    with pytest.raises(ValueError):
        st.gradients.dW[0, 0] = 1.0


def test_stepper_rejects_bad_input():
    rnn, x, y = random_case(5, 4, 4, 0)
    with pytest.raises(ValueError, match="mode"):
        Stepper(rnn, x, y, mode="sideways")
    with pytest.raises(ValueError, match="t must be"):
        Stepper(rnn, x, y, mode="single", target=4)
    with pytest.raises(ValueError, match="update_lr"):
        Stepper(rnn, x, y, update_lr=-1)
    with pytest.raises(ValueError, match="same length"):
        Stepper(rnn, x, y[:2])


def test_phases_in_order():
    rnn, x, y = random_case(3, 2, 2, 0)
    st = Stepper(rnn, x, y, update_lr=0.1)
    phases = []
    while not st.done:
        phases.append(st.phase)
        st.step()
    assert phases == ["forward", "forward", "backward", "backward", "update"]
    assert st.phase == "done"


# --- truncated BPTT ---------------------------------------------------------------------------------


@pytest.mark.parametrize("K,H,T,seed", [(4, 3, 6, 0), (6, 5, 9, 1), (9, 8, 15, 2), (5, 6, 12, 7)])
@pytest.mark.parametrize("truncate", [0, 1, 2, 3, 5, 30])
def test_truncated_full_sweep_equals_truncated_bptt(K, H, T, seed, truncate):
    rnn, x, y = random_case(K, H, T, seed)
    st = Stepper(rnn, x, y, truncate=truncate)
    assert st.truncate == truncate and st.n_backward == T
    st.run()
    g = rnn.bptt(x, y, truncate=truncate)
    for a, b in zip(st.gradients.arrays(), g.arrays(), strict=True):
        assert np.allclose(a, b, rtol=1e-12, atol=1e-15)
    assert [e.t for e in st.backward_steps()] == list(range(T - 1, -1, -1))


@pytest.mark.parametrize("seed", [0, 3])
@pytest.mark.parametrize("truncate", [0, 1, 2, 4])
def test_truncated_events_carry_only_the_errors_inside_the_window(seed, truncate):
    """delta_k = (1/T) sum over the losses E_t with k <= t <= k + K of dE_t/dz_k, from the core's deltas."""
    K, H, T = 5, 4, 9
    rnn, x, y = random_case(K, H, T, seed)
    st = Stepper(rnn, x, y, truncate=truncate)
    st.run()
    D = rnn.deltas(x, y)  # (T, T, H): D[t, k] = dE_t/dz_k
    t_idx, k_idx = np.indices((T, T))
    keep = (k_idx <= t_idx) & (t_idx - truncate <= k_idx)
    dz = (D * keep[:, :, None]).sum(axis=0) / T  # (T, H) truncated dL/dz_k
    slope = 1.0 - rnn.forward(x).s ** 2
    for e in st.backward_steps():
        k = e.t
        assert np.allclose(e.delta, dz[k], atol=1e-15)
        # what arrives at s_k from later steps: the losses E_t with k < t <= k + K, through W^T
        carried = sum((D[t, k] / slope[k] for t in range(k + 1, min(T, k + truncate + 1))), np.zeros(H)) / T
        assert np.allclose(e.error_carried, carried, atol=1e-15)
        assert np.allclose(e.error, e.error_direct + e.error_carried)


@pytest.mark.parametrize("target,truncate", [(5, 2), (5, 0), (3, 7), (6, 6)])
def test_truncated_single_loss_stops_at_target_minus_k(target, truncate):
    rnn, x, y = random_case(6, 5, 8, 4)
    st = Stepper(rnn, x, y, mode="single", target=target, truncate=truncate)
    assert st.n_backward == min(target, truncate) + 1
    st.run()
    ks = [e.t for e in st.backward_steps()]
    assert ks == list(range(target, max(0, target - truncate) - 1, -1))
    terms = rnn.contribution_terms(x, y, target)  # (target+1, H, H), term k of dE_target/dW
    assert np.allclose(st.gradients.dW, terms[ks].sum(axis=0))
    for e in st.backward_steps():
        assert np.allclose(e.dW_step, terms[e.t])


def test_truncation_with_update_and_back_is_exact():
    rnn, x, y = random_case(5, 4, 8, 2)
    W0 = rnn.W.copy()
    g = rnn.bptt(x, y, truncate=2)
    st = Stepper(rnn, x, y, truncate=2, update_lr=0.3)
    seen = [st.step() for _ in range(st.total_steps)]
    assert st.done and np.allclose(rnn.W, W0 - 0.3 * g.dW)
    for _ in range(5):  # back over the update and into the backward pass
        st.back()
    assert np.array_equal(rnn.W, W0)
    for c in range(st.cursor, st.total_steps):
        assert st.step() is seen[c]  # redo replays the recorded (truncated) events
    assert np.allclose(rnn.W, W0 - 0.3 * g.dW)


def test_truncate_must_be_a_whole_number():
    rnn, x, y = random_case(5, 4, 4, 0)
    for bad in (-1, 1.5, True):
        with pytest.raises(ValueError, match="truncate"):
            Stepper(rnn, x, y, truncate=bad)
