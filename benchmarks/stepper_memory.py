"""Memory of a full step-through at the app's largest sizes (vocab 2000, hidden 256, T = 200).

    python benchmarks/stepper_memory.py

Prints the peak memory traced while stepping forward and backward through the whole sequence, and
the time per step. Backward events keep O(H^2 + K) each: accumulated dU and dV are rebuilt on demand.
"""

import statistics
import time
import tracemalloc

import numpy as np

from rnnviz.core import RNN, Stepper


def main(K: int = 2000, H: int = 256, T: int = 200) -> None:
    rng = np.random.default_rng(0)
    rnn = RNN(K, H, seed=0)
    x, y = rng.integers(0, K, T), rng.integers(0, K, T)
    tracemalloc.start()
    st = Stepper(rnn, x, y)
    times = []
    while True:
        t0 = time.perf_counter()
        if st.step() is None:
            break
        times.append(time.perf_counter() - t0)
    _, peak = tracemalloc.get_traced_memory()
    t0 = time.perf_counter()
    g = st.gradients
    rebuild = time.perf_counter() - t0
    tracemalloc.stop()
    assert np.allclose(g.dW, rnn.bptt(x, y).dW)
    print(
        f"K={K} H={H} T={T}: {2 * T} steps, peak traced memory {peak / 2**20:.1f} MiB, "
        f"median step {statistics.median(times) * 1e3:.2f} ms, gradients rebuilt in {rebuild * 1e3:.1f} ms"
    )
    per_event_copies = 2 * H * K * 8 * T / 2**20
    print(
        f"(keeping read-only copies of accumulated dU and dV in every event would need "
        f"{per_event_copies:.0f} MiB more)"
    )


if __name__ == "__main__":
    main()
