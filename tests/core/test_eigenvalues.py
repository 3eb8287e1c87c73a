"""eigvals gives np.linalg.eigvals' bits while letting other threads run, and so does rho(W)."""

import ctypes
import sys
import threading

import numpy as np
import pytest

from rnnviz.core import CELL_NAMES, make_model, spectral_radius
from rnnviz.core import eigenvalues as ev
from rnnviz.core.cells import param_name
from rnnviz.core.eigenvalues import eigvals, releases_gil

SIZES = (1, 2, 3, 4, 17, 64, 256)


def matrices(H: int, seed: int):
    """Named square matrices of size H: random, scaled, with real or complex or repeated eigenvalues."""
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((H, H))
    Q, _ = np.linalg.qr(rng.standard_normal((H, H)))
    yield "random", A
    yield "transposed view", A.T
    yield "as the cells draw W", rng.uniform(-1, 1, (H, H)) / np.sqrt(H)
    yield "tiny", A * 1e-300
    yield "huge", A * 1e300
    yield "subnormal", A * 5e-324
    yield "zero", np.zeros((H, H))
    yield "identity", np.eye(H)
    yield "symmetric (real eigenvalues)", A + A.T
    yield "antisymmetric (imaginary eigenvalues)", A - A.T
    yield "orthogonal", Q
    yield "triangular", np.triu(A)
    yield "nilpotent", np.triu(A, 1)
    yield "rank one", np.outer(A[0], A[-1] + 1)
    yield "repeated rows", np.repeat(A[:1], H, axis=0)
    yield "strided view", np.repeat(A, 2, axis=1)[:, ::-2]
    yield "fortran order", np.asfortranarray(A)
    yield "integers as floats", rng.integers(-3, 4, (H, H)).astype(float)


@pytest.fixture
def lapack():
    if not releases_gil():
        pytest.skip("this NumPy is not the scipy-openblas ILP64 build: eigvals is np.linalg.eigvals here")


@pytest.mark.parametrize("H", SIZES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_same_bits_as_numpy(lapack, H, seed):
    for name, A in matrices(H, seed):
        got, want = eigvals(A), np.linalg.eigvals(A)
        assert got.dtype == want.dtype, name
        assert np.array_equal(got, want), (name, got, want)


def test_complex_and_real_results_as_numpy_gives_them(lapack):
    rotation = np.array([[0.0, -1.0], [1.0, 0.0]])
    assert eigvals(rotation).dtype == np.complex128
    assert np.array_equal(eigvals(rotation), np.linalg.eigvals(rotation))
    assert eigvals(np.diag([3.0, -2.0])).dtype == np.float64


@pytest.mark.parametrize("cell", CELL_NAMES)
@pytest.mark.parametrize("H,seed", [(8, 0), (64, 1), (256, 2)])
def test_spectral_radius_of_every_cells_w_keeps_every_bit(cell, H, seed):
    m = make_model(cell, 5, H, seed=seed)
    for b in m.spec.blocks:
        W = getattr(m, param_name("W", b))
        assert spectral_radius(W) == float(np.max(np.abs(np.linalg.eigvals(W))))


def test_the_same_bits_from_several_threads_at_once(lapack):
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):  # 8 threads each starting BLAS threads: slow
        _several_threads_at_once()


def test_the_same_bits_whatever_blas_thread_count(lapack):
    from threadpoolctl import threadpool_limits

    # NumPy's own eigenvalues of a 256 x 256 matrix may differ in order and last bits between one
    # and two BLAS threads (dgeev's blocked steps): eigvals must follow it under each setting
    A = np.random.default_rng(7).standard_normal((256, 256))
    for limit in (1, 2):
        with threadpool_limits(limits=limit, user_api="blas"):
            assert np.array_equal(eigvals(A), np.linalg.eigvals(A)), limit


def _several_threads_at_once():
    mats = [np.random.default_rng(s).standard_normal((120, 120)) for s in range(8)]
    want = [np.linalg.eigvals(A) for A in mats]
    got = [None] * len(mats)

    def work(i):
        for _ in range(3):
            got[i] = eigvals(mats[i])

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(mats))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(g, w) for g, w in zip(got, want, strict=True))


def test_what_lapack_is_not_given_numpy_computes(lapack):
    A = np.random.default_rng(3).standard_normal((5, 5))
    for B in (A.astype(np.float32), A.astype(complex), A.astype(int), A.tolist()):
        assert np.array_equal(eigvals(B), np.linalg.eigvals(B))
    odd = (np.full((3, 3), np.nan), np.array([[1.0, np.inf], [0.0, 1.0]]), np.zeros((0, 0)), np.ones((2, 3)))
    for B in odd:  # not finite, empty, not square: NumPy's answer, or its error
        assert _same(_eig_or_error(eigvals, B), _eig_or_error(np.linalg.eigvals, B))


def _eig_or_error(f, a):
    try:
        return f(a)
    except Exception as e:  # noqa: BLE001 - compared with NumPy's own
        return type(e)


def _same(a, b) -> bool:
    return a is b if isinstance(a, type) or isinstance(b, type) else np.array_equal(a, b)


def test_without_numpys_lapack_it_is_numpy(monkeypatch):
    monkeypatch.setattr(ev.GEEV, "get", lambda: None)
    assert not releases_gil()
    for H in (1, 17, 64):
        for _, A in matrices(H, 4):
            assert np.array_equal(eigvals(A), np.linalg.eigvals(A))


def test_lapack_saying_no_gives_numpys_answer(lapack, monkeypatch):
    def refusing(*args):
        args[13]._obj.value = -1  # info: an illegal argument

    monkeypatch.setattr(ev.GEEV, "get", lambda: refusing)
    monkeypatch.setattr(ev, "_lwork", {})
    A = np.random.default_rng(1).standard_normal((6, 6))
    assert np.array_equal(eigvals(A), np.linalg.eigvals(A))


def test_another_build_is_not_called(monkeypatch):
    lapack = dict(np.__config__.CONFIG["Build Dependencies"]["lapack"])
    monkeypatch.setitem(lapack, "name", "accelerate")
    monkeypatch.setitem(np.__config__.CONFIG["Build Dependencies"], "lapack", lapack)
    assert ev.GEEV.find() is None


def test_a_missing_symbol_is_not_called(monkeypatch):
    monkeypatch.setattr(ev.GEEV, "symbol", "no_such_routine_64_")
    assert ev.GEEV.find() is None


@pytest.mark.parametrize("holds_gil", [False, True])
def test_other_threads_run_while_lapack_runs(lapack, monkeypatch, holds_gil):
    """As test_two_norm's: with a 10 s switch interval the GIL changes hands only when it is given
    up. Released (ctypes.CDLL): the main thread runs while dgeev is under way. Held (the same
    routine called as a Python-API function, as NumPy does): only once it has returned."""
    fn = ev.geev()
    if holds_gil:
        fn = ctypes.PYFUNCTYPE(None, *fn.argtypes)(ctypes.cast(fn, ctypes.c_void_p).value)
    A = np.random.default_rng(0).standard_normal((300, 300))
    eigvals(A)  # the workspace query for this size, done before the switch interval changes
    inside, state = threading.Event(), {"returned": False}

    def traced(*args):
        inside.set()
        fn(*args)
        state["returned"] = True

    monkeypatch.setattr(ev.GEEV, "get", lambda: traced)
    result = {}
    thread = threading.Thread(target=lambda: result.setdefault("w", eigvals(A)))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(10.0)
    try:
        thread.start()
        inside.wait()
        ran_during_geev = not state["returned"]
    finally:
        sys.setswitchinterval(interval)
        thread.join()
    assert ran_during_geev is not holds_gil
    assert np.array_equal(result["w"], np.linalg.eigvals(A))
