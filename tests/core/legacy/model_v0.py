# Frozen copy of rnnviz/core/model.py at commit ecfe3bc (before the cell protocol), kept
# verbatim (imports aside) so tests can show the vanilla RNN's numbers are unchanged to the last bit.
"""The vanilla RNN of DESIGN.md section 1, in NumPy, with exact BPTT.

    z_t = U[:, x_t] + W s_{t-1}        s_{-1} = 0
    s_t = tanh(z_t)
    o_t = softmax(V s_t)
    E_t = -log o_t[y_t]
    L   = (1/T) sum_t E_t

Every backward formula sits next to the forward one it differentiates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tests.core.legacy.validate_v0 import check_positive_int, check_sequences


@dataclass(frozen=True)
class Forward:
    """What one forward pass computed (fresh arrays, owned by the caller)."""

    z: np.ndarray  # (T, H) pre-activations
    s: np.ndarray  # (T, H) hidden states s_0..s_{T-1}
    o: np.ndarray  # (T, K) softmax rows


@dataclass(frozen=True)
class Gradients:
    """Gradients of one loss with respect to U, W and V (same shapes as the parameters)."""

    dU: np.ndarray  # (H, K)
    dW: np.ndarray  # (H, H)
    dV: np.ndarray  # (K, H)
    loss: float = float("nan")  # the loss these are the gradients of, when known

    def norm(self) -> float:
        """Global L2 norm over all three gradients (what clipping looks at)."""
        return float(np.sqrt(sum(float(np.vdot(g, g)) for g in self.arrays())))

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.dU, self.dW, self.dV

    def as_dict(self) -> dict[str, np.ndarray]:
        return {"U": self.dU, "W": self.dW, "V": self.dV}


@dataclass(frozen=True)
class JacobianNorms:
    """Norms of the BPTT Jacobian products, each (T, T) with row t, column k, zero where k > t.

    norm[t, k]        = ||prod_{j=k+1..t} ds_j/ds_{j-1}||_2, with ds_j/ds_{j-1} = diag(1 - s_j^2) W
    w_factor[t, k]    = ||W||_2 ** (t - k)                  what W alone allows
    tanh_factor[t, k] = prod_{j=k+1..t} max_i (1 - s_j^2)_i what the tanh slopes allow
    norm <= w_factor * tanh_factor (Pascanu et al. 2013): either factor below 1 makes it vanish.
    """

    norm: np.ndarray
    w_factor: np.ndarray
    tanh_factor: np.ndarray


def softmax_rows(a: np.ndarray) -> np.ndarray:
    """Row-wise softmax, computed in place in `a` (which it returns)."""
    a -= a.max(axis=1, keepdims=True)
    np.exp(a, out=a)
    a /= a.sum(axis=1, keepdims=True)
    return a


def spectral_radius(m: np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    return float(np.max(np.abs(np.linalg.eigvals(m)))) if m.size else 0.0


class RNN:
    """A vanilla RNN with parameters U (H, K), W (H, H), V (K, H) and no biases."""

    def __init__(self, vocab_size: int, hidden_size: int, seed: int | np.random.Generator = 0):
        self.vocab_size = check_positive_int("vocab_size", vocab_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        K, H = self.vocab_size, self.hidden_size
        # uniform +-1/sqrt(fan_in): a default run starts neither saturated nor silent
        self.U = rng.uniform(-1, 1, (H, K)) / np.sqrt(K)  # (H, K) input -> hidden
        self.W = rng.uniform(-1, 1, (H, H)) / np.sqrt(H)  # (H, H) hidden -> hidden
        self.V = rng.uniform(-1, 1, (K, H)) / np.sqrt(H)  # (K, H) hidden -> output

    # --- parameters -----------------------------------------------------------------------------

    def params(self) -> dict[str, np.ndarray]:
        return {"U": self.U, "W": self.W, "V": self.V}

    def set_params(self, U: np.ndarray, W: np.ndarray, V: np.ndarray) -> None:
        """Replace all three parameters, checking their shapes."""
        K, H = self.vocab_size, self.hidden_size
        for name, value, shape in (("U", U, (H, K)), ("W", W, (H, H)), ("V", V, (K, H))):
            if np.shape(value) != shape:
                raise ValueError(f"{name} must have shape {shape}, got {np.shape(value)}")
        self.U, self.W, self.V = (np.array(p, dtype=np.float64) for p in (U, W, V))

    def copy(self) -> RNN:
        twin = RNN.__new__(RNN)
        twin.vocab_size, twin.hidden_size = self.vocab_size, self.hidden_size
        twin.U, twin.W, twin.V = self.U.copy(), self.W.copy(), self.V.copy()
        return twin

    def spectral_radius(self) -> float:
        return spectral_radius(self.W)

    def set_spectral_radius(self, rho: float) -> None:
        """Rescale W so its largest |eigenvalue| is rho: below 1 gradients tend to vanish,
        well above 1 they tend to explode."""
        rho = float(rho)
        if not np.isfinite(rho) or rho < 0:
            raise ValueError(f"spectral radius must be a finite number >= 0, got {rho}")
        current = self.spectral_radius()
        if current == 0:
            raise ValueError("W is all zeros: its spectral radius cannot be rescaled")
        self.W = self.W * (rho / current)

    # --- forward ----------------------------------------------------------------------------------

    def forward(self, x) -> Forward:
        x = check_sequences(x, None, self.vocab_size)
        T, H = len(x), self.hidden_size
        z = self.U[:, x].T.copy()  # (T, H) U x_t for every t at once, by column indexing
        s = np.empty((T, H))  # (T, H)
        s_prev = np.zeros(H)
        for t in range(T):
            z[t] += self.W @ s_prev  # z_t = U x_t + W s_{t-1}
            np.tanh(z[t], out=s[t])  # s_t = tanh(z_t)
            s_prev = s[t]
        o = softmax_rows(s @ self.V.T)  # (T, K) o_t = softmax(V s_t), all rows in one matmul
        return Forward(z=z, s=s, o=o)

    def step_losses(self, x, y) -> np.ndarray:
        """(T,) the per-step losses E_t = -log o_t[y_t]."""
        x, y = check_sequences(x, y, self.vocab_size)
        o = self.forward(x).o
        return -np.log(o[np.arange(len(y)), y])

    def loss(self, x, y) -> float:
        """L = (1/T) sum_t E_t, the mean cross-entropy of the sequence."""
        return float(self.step_losses(x, y).mean())

    # --- backward ---------------------------------------------------------------------------------

    def _output_errors(self, f: Forward, y: np.ndarray) -> np.ndarray:
        """(T, K) dE_t/d(V s_t) = o_t - onehot(y_t): softmax + cross-entropy together."""
        d_out = f.o.copy()
        d_out[np.arange(len(y)), y] -= 1.0
        return d_out

    def bptt(self, x, y, truncate: int | None = None) -> Gradients:
        """Exact gradient of loss(x, y) = (1/T) sum_t E_t.

        With truncate=K the gradient of each E_t keeps only the terms with t-K <= k <= t.
        """
        x, y = check_sequences(x, y, self.vocab_size)
        if truncate is not None:
            truncate = check_positive_int("truncate", truncate, allow_zero=True)
        T = len(x)
        f = self.forward(x)
        loss = float(-np.log(f.o[np.arange(T), y]).mean())
        d_out = f.o  # reused in place: f is private to this call (saves a (T, K) copy)
        d_out[np.arange(T), y] -= 1.0  # o_t - onehot(y_t): softmax + cross-entropy together
        d_out /= T  # L is the mean over t
        dV = d_out.T @ f.s  # (K, H) dL/dV = sum_t (o_t - y_t) s_t^T / T
        ds_direct = d_out @ self.V  # (T, H) dE_t/ds_t through o_t only
        slope = 1.0 - f.s**2  # (T, H) tanh'(z_t) = 1 - s_t^2
        if truncate is None or truncate >= T - 1:
            dz = self._full_deltas(ds_direct, slope)
            dW = dz[1:].T @ f.s[:-1]  # (H, H) sum_t outer(dz_t, s_{t-1}); s_{-1} = 0
            dU = self._scatter_columns(dz, x)
        else:
            dU, dW = self._truncated_grads(ds_direct, slope, f.s, x, truncate)
        return Gradients(dU=dU, dW=dW, dV=dV, loss=loss)

    def _full_deltas(self, ds_direct: np.ndarray, slope: np.ndarray) -> np.ndarray:
        """(T, H) dL/dz_t, the full backward recursion:
        dL/ds_t = direct_t + W^T dL/dz_{t+1};  dL/dz_t = dL/ds_t * (1 - s_t^2)."""
        T, H = ds_direct.shape
        dz = np.empty((T, H))
        carry = np.zeros(H)
        for t in range(T - 1, -1, -1):
            np.add(ds_direct[t], carry, out=dz[t])
            dz[t] *= slope[t]
            carry = self.W.T @ dz[t]
        return dz

    def _scatter_columns(self, dz: np.ndarray, x: np.ndarray) -> np.ndarray:
        """(H, K) dU: column x_t receives dz_t (the one-hot x_t picks the column)."""
        dUt = np.zeros((self.vocab_size, self.hidden_size))  # (K, H): column x_t of dU is row x_t here
        np.add.at(dUt, x, dz)  # touches T contiguous rows only, not every page of the array
        return dUt.T  # (H, K) view; no copy

    def _truncated_grads(self, ds_direct, slope, s, x, truncate):
        """Truncated BPTT, batched over t: D[t] = delta_{t-d}^(t) for d = 0..truncate.

        delta_t^(t) = direct_t * slope_t;  delta_{k-1}^(t) = (W^T delta_k^(t)) * slope_{k-1}.
        """
        T, H = s.shape
        dW = np.zeros((H, H))
        dzU = np.zeros((T, H))  # (T, H) sum over t of the delta landing on step k
        D = ds_direct * slope  # (T, H) distance d = 0
        for d in range(truncate + 1):
            rows = slice(d, T)  # outputs t >= d, contributing step k = t - d
            ks = slice(0, T - d)
            dzU[ks] += D[rows]
            if T - d > 1:  # terms with k >= 1 have s_{k-1}; k = 0 has s_{-1} = 0
                dW += D[d + 1 :].T @ s[: T - d - 1]
            if d == truncate or d + 1 >= T:
                break
            D[d + 1 :] = (D[d + 1 :] @ self.W) * slope[: T - d - 1]
        return self._scatter_columns(dzU, x), dW

    # --- contributions of each step ---------------------------------------------------------------

    def deltas(self, x, y) -> np.ndarray:
        """(T, T, H): deltas[t, k] = delta_k^(t) = dE_t/dz_k (zero where k > t). E_t not divided by T."""
        x, y = check_sequences(x, y, self.vocab_size)
        T, H = len(x), self.hidden_size
        f = self.forward(x)
        slope = 1.0 - f.s**2
        out = np.zeros((T, T, H))
        D = (self._output_errors(f, y) @ self.V) * slope  # (T, H) delta_t^(t)
        t_idx = np.arange(T)
        for d in range(T):
            out[t_idx[d:], t_idx[: T - d]] = D[d:]
            if d + 1 < T:
                D[d + 1 :] = (D[d + 1 :] @ self.W) * slope[: T - d - 1]
        return out

    def contributions(self, x, y) -> np.ndarray:
        """(T, T): C[t, k] = ||outer(delta_k^(t), s_{k-1})||_F = |delta_k^(t)| |s_{k-1}|, 0 where k > t."""
        x, y = check_sequences(x, y, self.vocab_size)
        s = self.forward(x).s
        s_prev_norm = np.concatenate([[0.0], np.linalg.norm(s[:-1], axis=1)])  # |s_{k-1}|, s_{-1} = 0
        return np.linalg.norm(self.deltas(x, y), axis=2) * s_prev_norm[None, :]

    def contribution_terms(self, x, y, t: int) -> np.ndarray:
        """(t+1, H, H): term k = outer(delta_k^(t), s_{k-1}); their sum is dE_t/dW (not divided by T)."""
        x, y = check_sequences(x, y, self.vocab_size)
        t = check_time_index(t, len(x))
        s = self.forward(x).s
        s_prev = np.vstack([np.zeros((1, self.hidden_size)), s[:t]])  # (t+1, H) s_{k-1}
        d = self.deltas(x, y)[t, : t + 1]  # (t+1, H)
        return d[:, :, None] * s_prev[:, None, :]

    # --- why gradients vanish or explode ------------------------------------------------------------

    def jacobian_norms(self, x) -> JacobianNorms:
        """Norms of prod_{j=k+1..t} diag(1 - s_j^2) W for all t >= k (see JacobianNorms)."""
        x = check_sequences(x, None, self.vocab_size)
        T = len(x)
        out = JacobianNorms(*(np.zeros((T, T)) for _ in range(3)))
        slope = 1.0 - self.forward(x).s ** 2
        for t in range(T):
            row = self._jacobian_row(slope, t)
            for full, part in zip((out.norm, out.w_factor, out.tanh_factor), row, strict=True):
                full[t, : t + 1] = part
        return out

    def jacobian_row(self, x, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Row t of jacobian_norms: (norm, w_factor, tanh_factor), each (t+1,) indexed by k."""
        x = check_sequences(x, None, self.vocab_size)
        t = check_time_index(t, len(x))
        return self._jacobian_row(1.0 - self.forward(x).s ** 2, t)

    def _jacobian_row(self, slope: np.ndarray, t: int):
        H = self.hidden_size
        products = np.empty((t + 1, H, H))  # (t+1, H, H) products[k] = prod_{j=k+1..t} ds_j/ds_{j-1}
        products[t] = np.eye(H)
        for k in range(t - 1, -1, -1):
            # extend on the right: (... ds_{k+2}/ds_{k+1}) @ diag(1 - s_{k+1}^2) W
            products[k] = (products[k + 1] * slope[k + 1][None, :]) @ self.W
        norm = np.linalg.norm(products, ord=2, axis=(1, 2))
        dist = t - np.arange(t + 1)
        w_factor = np.linalg.norm(self.W, 2) ** dist
        max_slope = slope.max(axis=1)
        tail = np.cumprod(max_slope[t:0:-1])[::-1]  # tail[k] = prod_{j=k+1..t} max slope_j, k < t
        tanh_factor = np.concatenate([tail, [1.0]])
        return norm, w_factor, tanh_factor


def check_time_index(t: int, T: int) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)) or not 0 <= t < T:
        raise ValueError(f"t must be a timestep between 0 and {T - 1}, got {t!r}")
    return int(t)
