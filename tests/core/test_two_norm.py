"""two_norm gives np.linalg.norm(A, 2)'s bits while letting other threads run; NormsBeside puts the
SVDs of a Jacobian row beside its products and changes none of its numbers."""

import ctypes
import sys
import threading

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model
from rnnviz.core import two_norm as tn
from rnnviz.core.two_norm import NormsBeside, releases_gil, two_norm
from tests.core.legacy.jacobian_row_v0 import serial_row

SIZES = (1, 2, 3, 17, 64, 256, 512)


def matrices(H: int, seed: int):
    """Named matrices around size H: random, scaled, low rank, zero, non-square, views."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((H, H))
    wide = rng.standard_normal((H, 2 * H + 1))
    tall = rng.standard_normal((3 * H + 2, H))
    u, v = rng.standard_normal((H, 2)), rng.standard_normal((2, H))
    yield "random", A
    yield "transposed view", A.T
    yield "tiny", A * 1e-300
    yield "huge", A * 1e300
    yield "subnormal", A * 5e-324
    yield "zero", np.zeros((H, H))
    yield "rank one", np.outer(u[:, 0], v[0])
    yield "rank two", u @ v
    yield "repeated rows", np.repeat(A[:1], H, axis=0)
    yield "identity", np.eye(H)
    yield "diagonal", np.diag(rng.uniform(-2, 2, H))
    yield "wide", wide
    yield "tall", tall
    yield "strided view", tall[::2, ::-1]
    yield "fortran order", np.asfortranarray(wide)
    yield "integers as floats", rng.integers(-3, 4, (H, H)).astype(float)


@pytest.fixture
def lapack():
    if not releases_gil():
        pytest.skip("this NumPy is not the scipy-openblas ILP64 build: two_norm is np.linalg.norm here")


@pytest.mark.parametrize("H", SIZES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_same_bits_as_numpy(lapack, H, seed):
    for name, A in matrices(H, seed):
        got, want = two_norm(A), np.linalg.norm(A, 2)
        assert np.array_equal(got, want), (name, got, want)
        assert got.dtype == want.dtype == np.float64


def test_the_same_bits_wherever_lapacks_copy_sits_in_memory(lapack):
    # the copy LAPACK works on at every 8-byte offset from a 64-byte boundary: NumPy's own copy
    # sits wherever malloc puts it, so the kernels' results must not depend on alignment
    A = np.random.default_rng(5).standard_normal((300, 300))
    want = np.linalg.norm(A, 2)
    for offset in range(0, 64, 8):
        raw = np.empty(A.size * 8 + 128, dtype=np.uint8)
        start = (-raw.ctypes.data) % 64 + offset
        B = raw[start : start + A.size * 8].view(np.float64).reshape(A.shape, order="F")
        B[...] = A
        s = tn._singular_values(tn.gesdd(), B)
        assert np.array_equal(np.amax(s, initial=0), want), offset


def test_the_same_bits_from_several_threads_at_once(lapack):
    mats = [np.random.default_rng(s).standard_normal((200, 200)) for s in range(8)]
    want = [np.linalg.norm(A, 2) for A in mats]
    got = [None] * len(mats)

    def work(i):
        for _ in range(3):
            got[i] = two_norm(mats[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(mats))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert np.array_equal(got, want)


def test_the_same_bits_whatever_blas_thread_count(lapack):
    # a helper calling LAPACK while another thread is in BLAS may get fewer BLAS threads than NumPy
    # had: the norms must not depend on it (the app uses one; the core's callers may not)
    from threadpoolctl import threadpool_limits

    for H in (64, 256, 512):
        A = np.random.default_rng(H).standard_normal((H, H + 7))
        want = np.linalg.norm(A, 2)
        with threadpool_limits(limits=1, user_api="blas"):
            assert np.array_equal(two_norm(A), want)
            assert np.array_equal(np.linalg.norm(A, 2), want)
        with threadpool_limits(limits=2, user_api="blas"):
            assert np.array_equal(two_norm(A), want)


def test_what_lapack_is_not_given_numpy_computes(lapack):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((5, 5))
    for B in (A.astype(np.float32), A.astype(complex), A.astype(int), A.tolist()):
        assert np.array_equal(two_norm(B), np.linalg.norm(B, 2))
    odd = (np.full((3, 3), np.nan), np.array([[1.0, np.inf], [0.0, 1.0]]), np.zeros((0, 3)), np.ones(4))
    for B in odd:  # not finite, empty, not 2-D: NumPy's answer, or its error
        with np.errstate(invalid="ignore"):
            assert _same(_norm_or_error(two_norm, B), _norm_or_error(lambda a: np.linalg.norm(a, 2), B))


def _norm_or_error(norm, a):
    try:
        return norm(a)
    except Exception as e:  # noqa: BLE001 - compared with NumPy's own
        return type(e)


def _same(a, b) -> bool:
    return a is b if isinstance(a, type) or isinstance(b, type) else np.array_equal(a, b, equal_nan=True)


def test_without_numpys_lapack_it_is_numpy(monkeypatch):
    monkeypatch.setattr(tn.GESDD, "get", lambda: None)
    assert not releases_gil()
    for H in (1, 17, 64):
        for _, A in matrices(H, 4):
            assert np.array_equal(two_norm(A), np.linalg.norm(A, 2))
    out = np.empty(3)
    with NormsBeside(out) as norms:  # inline: threads would only queue for the GIL
        for k in range(3):
            norms.put(k, np.eye(40) * (k + 1))
        assert not norms._helpers
        norms.wait()
    assert np.array_equal(out, [1.0, 2.0, 3.0])


def test_another_build_is_not_called(monkeypatch):
    lapack = dict(np.__config__.CONFIG["Build Dependencies"]["lapack"])
    monkeypatch.setitem(lapack, "name", "accelerate")
    monkeypatch.setitem(np.__config__.CONFIG["Build Dependencies"], "lapack", lapack)
    assert tn.GESDD.find() is None


def test_a_missing_symbol_is_not_called(monkeypatch):
    monkeypatch.setattr(tn.GESDD, "symbol", "no_such_routine_64_")
    assert tn.GESDD.find() is None


@pytest.mark.parametrize("holds_gil", [False, True])
def test_other_threads_run_while_lapack_runs(lapack, monkeypatch, holds_gil):
    """The main thread waits for the SVD thread to be inside dgesdd; with a 10 s switch interval the
    GIL changes hands only when it is given up. Released (ctypes.CDLL): the main thread runs while
    the SVD is under way. Held (the same routine called as a Python-API function, as NumPy does,
    which the test also runs to show it can fail): only once the SVD has returned."""
    fn = tn.gesdd()
    if holds_gil:
        fn = ctypes.PYFUNCTYPE(None, *fn.argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)
    A = np.random.default_rng(0).standard_normal((512, 512))
    two_norm(A)  # the workspace query for this shape, done before the switch interval changes
    inside, state = threading.Event(), {"returned": False}

    def traced(*args):
        inside.set()
        fn(*args)
        state["returned"] = True  # no bytecode between the call's end and this that could switch

    monkeypatch.setattr(tn.GESDD, "get", lambda: traced)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("norm", two_norm(A)))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        thread.start()
        inside.wait()
        ran_during_svd = not state["returned"]
    finally:
        sys.setswitchinterval(interval)
        thread.join()
    assert ran_during_svd is not holds_gil
    assert np.array_equal(result["norm"], np.linalg.norm(A, 2))


def test_norms_beside_holds_a_few_matrices_and_uses_its_threads(lapack, monkeypatch):
    finished, lock, names = [0], threading.Lock(), set()
    caller, a_helper_took_one = threading.current_thread(), threading.Event()

    def counted(P):
        if threading.current_thread() is caller:
            a_helper_took_one.wait()  # else the caller may take them all before a helper starts
        else:
            a_helper_took_one.set()
        norm = np.linalg.norm(P, 2)
        with lock:
            finished[0] += 1
            names.add(threading.current_thread().name)
        return norm

    monkeypatch.setattr(tn, "two_norm", counted)
    mats = [np.random.default_rng(s).standard_normal((40, 40)) for s in range(20)]
    out = np.empty(len(mats))
    with NormsBeside(out, threads=2) as norms:
        for k, P in enumerate(mats):
            norms.put(k, P)
            with lock:
                assert k + 1 - finished[0] <= 3  # at most threads + 1 not yet done
        norms.wait()
    assert np.array_equal(out, [np.linalg.norm(P, 2) for P in mats])
    assert any(n.startswith("rnnviz-norm") for n in names)  # the helpers took some
    assert names <= {threading.current_thread().name} | {n for n in names if n.startswith("rnnviz-norm")}
    assert not any(t.name.startswith("rnnviz-norm") for t in threading.enumerate())


def test_the_caller_takes_the_norms_a_busy_helper_has_not_started(lapack, monkeypatch):
    caller, release, by = threading.current_thread(), threading.Event(), {}

    def held_in_helpers(P):
        if threading.current_thread() is not caller:
            release.wait()  # the helper is stuck on its first norm until the caller is done
        by[float(P[0, 0])] = threading.current_thread() is caller
        return np.linalg.norm(P, 2)

    monkeypatch.setattr(tn, "two_norm", held_in_helpers)
    out = np.empty(6)
    with NormsBeside(out, threads=1) as norms:
        for k in range(6):
            norms.put(k, np.eye(40) * (k + 1))
        assert [by.get(k + 1.0) for k in range(6)] == [None, True, True, True, True, None]
        release.set()
        norms.wait()
    assert np.array_equal(out, np.arange(1.0, 7.0))


def test_norms_beside_raises_what_a_thread_raised(lapack, monkeypatch):
    def broken(P):
        raise MemoryError("no room")

    monkeypatch.setattr(tn, "two_norm", broken)
    with pytest.raises(MemoryError), NormsBeside(np.empty(2), threads=2) as norms:
        norms.put(0, np.eye(40))
        norms.put(1, np.eye(40))
        norms.wait()


def test_without_a_thread_to_start_the_caller_does_every_norm(lapack, monkeypatch):
    def refused(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(tn.threading.Thread, "start", refused)
    mats = [np.random.default_rng(s).standard_normal((40, 40)) for s in range(5)]
    out = np.empty(5)
    with NormsBeside(out, threads=2) as norms:
        for k, P in enumerate(mats):
            norms.put(k, P)
        assert not norms._helpers
        norms.wait()
    assert np.array_equal(out, [np.linalg.norm(P, 2) for P in mats])


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("H,seed", [(5, 0), (40, 1), (64, 2)])
def test_jacobian_rows_keep_every_bit(cell, H, seed):
    m = make_model(cell, 7, H, seed=seed)
    x = np.random.default_rng(seed).integers(0, 7, 24)
    rows = m.jacobian_rows(x)
    for t in (0, 1, 23):
        assert np.array_equal(rows.row(t).norm, serial_row(rows, t))


def test_a_stopped_row_leaves_no_thread_behind(lapack):
    m = make_model("rnn", 5, 64, seed=0)
    rows = m.jacobian_rows(np.zeros(60, dtype=int))
    asked = [0]

    def stop():
        asked[0] += 1
        return asked[0] > 10

    assert rows.row(59, stop) is None
    assert not any(t.name.startswith("rnnviz-norm") for t in threading.enumerate())
