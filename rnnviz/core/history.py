"""Bounded traces of training: the loss, and the gradient norm before clipping, per iteration."""

from __future__ import annotations

import numpy as np


class LossHistory:
    """(iteration, loss) pairs kept in bounded memory: when full, neighbours are averaged in pairs
    and the stride doubles, so 100k iterations still fit in `capacity` points."""

    def __init__(self, capacity: int = 2048):
        self.capacity = max(4, int(capacity)) // 2 * 2
        self.iters = np.empty(self.capacity)
        self.losses = np.empty(self.capacity)
        self.n = 0
        self.stride = 1  # iterations per stored point
        self._acc_sum, self._acc_n, self._acc_iter = 0.0, 0, 0.0
        self.smooth = None  # exponential moving average of every loss added
        self.count = 0  # iterations added in all

    def add(self, iteration: int, loss: float) -> None:
        self.count += 1
        self.smooth = loss if self.smooth is None else 0.98 * self.smooth + 0.02 * loss
        if self._acc_n == 0 and self.n == self.capacity:  # full: merge pairs, so all points weigh alike
            half = self.capacity // 2
            self.iters[:half] = self.iters.reshape(half, 2).mean(axis=1)
            self.losses[:half] = self.losses.reshape(half, 2).mean(axis=1)
            self.n, self.stride = half, self.stride * 2
        self._acc_sum += loss
        self._acc_iter += iteration
        self._acc_n += 1
        if self._acc_n == self.stride:
            self.iters[self.n] = self._acc_iter / self._acc_n
            self.losses[self.n] = self._acc_sum / self._acc_n
            self.n += 1
            self._acc_sum, self._acc_n, self._acc_iter = 0.0, 0, 0.0

    def restore(self, points: np.ndarray, count: int, stride: int) -> None:
        """Refill from saved (n, 2) points (as `data()` gave them), e.g. from a session file."""
        n = min(len(points), self.capacity)
        self.iters[:n], self.losses[:n] = points[-n:, 0], points[-n:, 1]
        self.n, self.count, self.stride = n, max(int(count), n), max(1, int(stride))
        self._acc_sum, self._acc_n, self._acc_iter = 0.0, 0, 0.0
        self.smooth = float(points[-1, 1]) if n else None

    def data(self) -> tuple[np.ndarray, np.ndarray]:
        return self.iters[: self.n].copy(), self.losses[: self.n].copy()

    def smoothed(self, window: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Moving average over `window` stored points (shorter at the start); by default a
        thirtieth of the points, at least 5, so the curve looks alike at every length."""
        it, loss = self.data()
        window = max(5, len(loss) // 30) if window is None else window
        if len(loss) == 0:
            return it, loss
        c = np.cumsum(np.concatenate([[0.0], loss]))
        lo = np.maximum(np.arange(1, len(loss) + 1) - window, 0)
        return it, (c[1:] - c[lo]) / (np.arange(1, len(loss) + 1) - lo)


class GradNormHistory(LossHistory):
    """The global gradient norm before clipping, per iteration, in the same bounded memory as
    LossHistory (means of neighbours once full), plus each stored point's largest norm (`peaks`), so a
    spike stays visible however long training runs: an exploding gradient is one iteration's event,
    which a mean over 64 iterations would hide."""

    def __init__(self, capacity: int = 2048):
        super().__init__(capacity)
        self.peaks = np.empty(self.capacity)
        self._acc_max = -np.inf

    def add(self, iteration: int, value: float) -> None:
        if self._acc_n == 0 and self.n == self.capacity:  # LossHistory.add is about to merge pairs
            half = self.capacity // 2
            self.peaks[:half] = self.peaks.reshape(half, 2).max(axis=1)
        self._acc_max = max(self._acc_max, value)
        super().add(iteration, value)
        if self._acc_n == 0:  # a point was just stored
            self.peaks[self.n - 1] = self._acc_max
            self._acc_max = -np.inf

    def restore(self, points: np.ndarray, count: int, stride: int) -> None:
        """As LossHistory.restore; saved points carry no peaks, so each peak starts as its point's mean."""
        super().restore(points, count, stride)
        self.peaks[: self.n] = self.losses[: self.n]
        self._acc_max = -np.inf

    def peak_data(self) -> tuple[np.ndarray, np.ndarray]:
        """(iterations, largest norm) of every stored point, beside data()'s (iterations, mean norm)."""
        return self.iters[: self.n].copy(), self.peaks[: self.n].copy()
