"""A Jacobian row's SVDs in helper threads (JacobianRows.row(t, threads=n)): the same numbers, bit for
bit, as one thread; stopping mid-row returns None and leaves no thread running; bounded memory."""

import threading

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model, spectral_norms
from tests.core import cell_reference as ref
from tests.core.test_cell_jacobian import peak_bytes


def norm_threads() -> list[threading.Thread]:
    return [th for th in threading.enumerate() if th.name.startswith("rnnviz-norms")]


CASES = [(6, 5, 8, 0, False), (9, 16, 30, 1, True), (20, 40, 25, 2, False), (7, 3, 1, 3, False)]


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("K,H,T,seed,saturate", CASES)
def test_rows_in_threads_are_the_rows_of_one_thread_bit_for_bit(cell, K, H, T, seed, saturate):
    m, x, _ = ref.random_case(cell, K, H, T, seed, saturate=saturate)
    rows = m.jacobian_rows(x)
    for t in sorted({0, T // 2, T - 1}):
        one = rows.row(t).as_dict()
        for threads in (2, 3):
            many = rows.row(t, threads=threads).as_dict()
            assert one.keys() == many.keys()
            for name in one:
                assert np.array_equal(one[name], many[name]), (t, threads, name)
    assert not norm_threads()


@pytest.mark.parametrize("options", [{"activation": "relu"}, {"w_init": "identity"}])
def test_vanilla_rnn_options_give_the_same_rows_in_threads(options):
    m = make_model("rnn", 12, 24, seed=4, **options)
    x = np.random.default_rng(4).integers(0, 12, 40)
    rows = m.jacobian_rows(x)
    assert np.array_equal(rows.row(39).norm, rows.row(39, threads=2).norm)


def test_the_norms_are_shared_between_the_caller_and_a_helper_thread(monkeypatch):
    """The mechanism, not a duration: with threads=2 a helper thread computes norms (each of an equal
    copy: the caller may reuse its product's memory) and the caller computes the others itself, never
    waiting for the helper between its products. The caller's first own norm waits here until the
    helper has computed one, so that both are seen whatever the scheduling."""
    seen, helper_done = [], threading.Event()
    real = spectral_norms.spectral_norm_of
    caller = threading.current_thread().name

    def recording(P):
        name = threading.current_thread().name
        if name == caller:
            helper_done.wait(30)
        seen.append((name, P.copy()))
        if name != caller:
            helper_done.set()
        return real(P)

    monkeypatch.setattr(spectral_norms, "spectral_norm_of", recording)
    m, x, _ = ref.random_case("gru", 6, 8, 12, 5)
    rows = m.jacobian_rows(x)
    many = rows.row(11, threads=2).norm
    names = {name for name, _ in seen}
    assert len(seen) == 12 and caller in names and {n for n in names if n != caller} == {"rnnviz-norms_0"}
    monkeypatch.setattr(spectral_norms, "spectral_norm_of", real)
    one = rows.row(11).norm
    assert np.array_equal(many, one) and sorted(real(P) for _, P in seen) == sorted(one)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_row_in_threads_stops_when_asked_and_leaves_no_thread(cell):
    m, x, _ = ref.random_case(cell, 6, 12, 40, 2)
    rows = m.jacobian_rows(x)
    asked = []

    def stop_after_ten():
        asked.append(1)
        return len(asked) > 10

    assert rows.row(39, stop_after_ten, threads=2) is None and len(asked) == 11
    assert not norm_threads()
    assert np.array_equal(rows.row(39, lambda: False, threads=2).norm, rows.row(39).norm)


def test_a_norm_that_fails_in_a_helper_thread_is_raised_by_the_row(monkeypatch):
    real, calls = spectral_norms.spectral_norm_of, []

    def fails_on_the_fifth(P):
        calls.append(1)
        if len(calls) == 5:
            raise np.linalg.LinAlgError("SVD did not converge")
        return real(P)

    monkeypatch.setattr(spectral_norms, "spectral_norm_of", fails_on_the_fifth)
    m, x, _ = ref.random_case("rnn", 6, 8, 30, 1)
    with pytest.raises(np.linalg.LinAlgError, match="converge"):
        m.jacobian_rows(x).row(29, threads=2)
    assert not norm_threads()


def test_at_most_a_few_products_wait_for_their_norms(monkeypatch):
    """After each put, at most WAITING_PER_HELPER copies per helper wait for their norms: memory
    O(threads S^2), not one matrix per step; the first product always goes to a helper."""
    waiting = []
    real_put = spectral_norms.SpectralNorms.put

    def counting_put(self, k, P):
        real_put(self, k, P)
        waiting.append(len(self._handed))

    monkeypatch.setattr(spectral_norms.SpectralNorms, "put", counting_put)
    m, x, _ = ref.random_case("rnn", 6, 8, 30, 3)
    rows = m.jacobian_rows(x)
    assert np.array_equal(rows.row(29, threads=3).norm, rows.row(29).norm)
    most = 2 * spectral_norms.WAITING_PER_HELPER
    assert waiting[0] == 1 and max(waiting[:30]) <= most  # then the one-thread row: nothing waits
    assert waiting[30:] == [0] * 30


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_row_in_threads_never_holds_all_its_products(cell):
    m = make_model(cell, 10, 100, seed=0)
    S, T = (200, 100) if cell == "lstm" else (100, 200)
    x = np.arange(T) % 10
    all_products = T * S * S * 8
    assert peak_bytes(lambda: m.jacobian_rows(x).row(T - 1, threads=2)) < all_products / 4


def test_threads_must_be_at_least_one():
    m, x, _ = ref.random_case("rnn", 4, 3, 5, 0)
    with pytest.raises(ValueError, match="threads"):
        m.jacobian_rows(x).row(4, threads=0)


@pytest.mark.parametrize("cell", CELL_NAMES)
def test_a_model_reading_frozen_arrays_shares_them_and_computes_the_same_numbers(cell):
    """model.reading(params): the worker's model of a trace, made without copying the parameters."""
    from rnnviz.core import Stepper

    m, x, y = ref.random_case(cell, 7, 6, 9, 1)
    st = Stepper(m, x, y)
    twin = m.reading(dict(st.params))
    assert all(np.shares_memory(twin.params()[k], st.params[k]) for k in st.params)
    assert np.array_equal(twin.contributions(x, y), m.contributions(x, y))
    assert np.array_equal(twin.jacobian_rows(x).row(8).norm, m.jacobian_rows(x).row(8).norm)
    assert np.array_equal(twin.delta_norms_row(x, y, 8), m.delta_norms_row(x, y, 8))
    for p in m.params().values():
        p *= 2.0  # training the live model changes nothing the twin reads
    assert np.array_equal(twin.contributions(x, y), make_model(cell, 7, 6, seed=1).contributions(x, y))


def test_a_model_reading_arrays_checks_their_names_and_shapes():
    m = make_model("rnn", 5, 4, seed=0)
    p = m.params()
    with pytest.raises(ValueError, match="exactly U, W, V"):
        m.reading({"U": p["U"], "W": p["W"]})
    with pytest.raises(ValueError, match="W must be float64 of shape"):
        m.reading({**p, "W": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="float64"):
        m.reading({**p, "W": p["W"].astype(np.float32)})
