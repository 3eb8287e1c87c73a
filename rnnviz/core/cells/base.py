"""The cell protocol: what every recurrent cell tells the generic model, Stepper, trainer and views.

A cell owns the recurrence only: from the input token x_t and the previous state (s_{t-1}, and
c_{t-1} for the LSTM) to the new state. The output layer o_t = softmax(V s_t) and the loss are the
same for every cell and live in the generic model.

Every cell computes its gates from pre-activations, one block of H rows per gate:

    a_t[b] = U_b[:, x_t] + W_b r_t[b] + b_b      r_t[b]: the recurrent input of block b
                                                (s_{t-1}, or r_t * s_{t-1} for the GRU candidate)

so the gradient of any loss with respect to the parameters follows from da_t = dE/da_t alone:
dU_b[:, x_t] += da_t[b],  dW_b += outer(da_t[b], r_t[b]),  db_b += da_t[b]. A cell therefore only
has to say how to go from the errors arriving at its state to da_t and to the errors it sends back
to the previous state (`backward_step`); the model, the Stepper, the trainer and the Jacobian
products share that one function.

Blocks are stacked in `stack` order inside (so the sigmoid gates are contiguous); parameter names
and `blocks` follow the order of DESIGN.md section 6.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from rnnviz.core.eigenvalues import eigvals


def param_name(kind: str, block: str) -> str:
    """'U' + '' -> 'U' (vanilla RNN), 'W' + 'f' -> 'W_f'."""
    return f"{kind}_{block}" if block else kind


def sigmoid(a: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out = 1 / (1 + exp(-a)), exact to the last bit at both ends (exp overflow gives 0: the caller
    silences that warning); d sigmoid/da = sigmoid (1 - sigmoid)."""
    np.negative(a, out=out)
    np.exp(out, out=out)
    out += 1.0
    return np.reciprocal(out, out=out)


W_INITS = ("uniform", "orthogonal", "identity")


def initial_w(kind: str, uniform: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(H, H) a recurrent matrix as `kind` says, from the uniform one already drawn:
    'uniform'    that matrix, entries +-1/sqrt(H) (the default);
    'orthogonal' Q of the QR decomposition of a standard normal matrix, signs fixed so Q is uniformly
                 distributed over the orthogonal matrices (Mezzadri 2007): every singular value 1;
    'identity'   I (Le, Jaitly & Hinton 2015's IRNN, with ReLU): s_t starts as s_{t-1} plus the input."""
    if kind == "uniform":
        return uniform
    H = uniform.shape[0]
    if kind == "identity":
        return np.eye(H)
    q, r = np.linalg.qr(rng.standard_normal((H, H)))  # (H, H) each
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)  # column j times sign(r_jj)


def spectral_radius(m: np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix (np.linalg.eigvals' bits, the GIL released)."""
    return float(np.max(np.abs(eigvals(m)))) if m.size else 0.0


def scaled_to_radius(W: np.ndarray, rho: float) -> np.ndarray:
    """W times rho / rho(W), so its largest |eigenvalue| is rho (ValueError if rho(W) = 0)."""
    current = spectral_radius(W)
    if current == 0:
        raise ValueError("W is all zeros (or nilpotent): its spectral radius cannot be rescaled")
    return W * (rho / current)


def carried_rows(values_at_k: np.ndarray, k, carry_rows: slice) -> np.ndarray:
    """The rows of per-step values that go with the carried rows: when k is a slice of steps, row j
    of a batch is step j; when k is one step, its values apply to every row."""
    return values_at_k[carry_rows] if isinstance(k, slice) else values_at_k


class Cell:
    """Base class: names, shapes, initialisation and stacking; subclasses hold the equations."""

    name = ""  # "rnn" | "lstm" | "gru"
    title = ""  # what the app calls it
    blocks: tuple[str, ...] = ("",)  # pre-activation blocks, in parameter order
    stack: tuple[str, ...] = ("",)  # the same blocks in the order they are stacked inside
    gates: tuple[str, ...] = ()  # gate letters a learner sees (empty for the vanilla RNN)
    states: tuple[str, ...] = ("s",)  # the state carried from step to step; "s" is always first
    has_bias = False
    gate_titles: dict[str, str] = {}  # gate letter -> what it is called ("f": "forget gate")
    squash: dict[str, str] = {}  # gate letter -> "σ" (values in 0..1) or "tanh" (values in -1..1)
    state_titles: dict[str, str] = {"s": "hidden state", "c": "cell state"}
    equations: tuple[str, ...] = ()  # forward equations, one per line
    backward_equations: tuple[str, ...] = ()  # their derivatives, one per line
    state_bounds: tuple[float, float] = (-1.0, 1.0)  # where every entry of s_t lies (views fix colours by it)

    # Choices made when the cell is built (a model passes them on: make_model("rnn", K, H, w_init=...)).
    # Every cell: how its recurrent matrices W_* start. A subclass adds its own (e.g. the RNN's activation).
    option_defaults: dict = {
        "w_init": "uniform",  # 'uniform' +-1/sqrt(H) | 'orthogonal' | 'identity' (Le et al. 2015)
        "w_radius": 0.0,  # > 0: each W_* rescaled to this spectral radius after w_init; 0 = as drawn
    }

    def __init__(self, vocab_size: int, hidden_size: int, **options):
        self.K, self.H = vocab_size, hidden_size
        H = hidden_size
        self.cols = {b: slice(j * H, (j + 1) * H) for j, b in enumerate(self.stack)}  # block -> columns
        self._shapes = self._param_shapes()
        self.options = self._checked_options(options)

    def _checked_options(self, options: dict) -> dict:
        """The defaults with `options` applied; ValueError, in words, for an unknown name or value."""
        unknown = sorted(set(options) - set(self.option_defaults))
        if unknown:
            raise ValueError(
                f"the {self.title} has no option {', '.join(unknown)}; its options are"
                f" {', '.join(self.option_defaults)}"
            )
        out = {**self.option_defaults, **options}
        if out["w_init"] not in W_INITS:
            raise ValueError(f"w_init must be one of {', '.join(W_INITS)}, got {out['w_init']!r}")
        radius = out["w_radius"]
        if isinstance(radius, bool) or not isinstance(radius, (int, float)) or not (0 <= radius < np.inf):
            raise ValueError(f"w_radius must be a number >= 0 (0 = keep W as drawn), got {radius!r}")
        out["w_radius"] = float(radius)
        return out

    # --- parameters ---------------------------------------------------------------------------

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """name -> shape, in the order of params(): per block U_b (H, K), W_b (H, H), b_b (H,); then V."""
        return dict(self._shapes)

    def _param_shapes(self) -> dict[str, tuple[int, ...]]:
        K, H = self.K, self.H
        shapes = {}
        for b in self.blocks:
            shapes[param_name("U", b)] = (H, K)
            shapes[param_name("W", b)] = (H, H)
            if self.has_bias:
                shapes[param_name("b", b)] = (H,)
        shapes["V"] = (K, H)
        return shapes

    def init_params(self, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Weights uniform +-1/sqrt(fan_in) (fan_in K for U_b, H for W_b and V); biases from `bias_init`.
        Then the options: every W_b replaced as `w_init` says, then rescaled to `w_radius`. The uniform
        draws come first whatever the options, so U_b, V and the biases are the same for one seed."""
        out = {}
        for name, shape in self.param_shapes().items():
            if len(shape) == 1:
                out[name] = np.full(shape, self.bias_init(name))
            else:
                fan_in = shape[1]  # columns: K for U_b, H for W_b and V
                out[name] = rng.uniform(-1, 1, shape) / np.sqrt(fan_in)
        for b in self.blocks:
            name = param_name("W", b)
            out[name] = initial_w(self.options["w_init"], out[name], rng)
            if self.options["w_radius"] > 0:
                out[name] = scaled_to_radius(out[name], self.options["w_radius"])
        return out

    def bias_init(self, name: str) -> float:
        return 0.0

    def prepare(self, p: dict[str, np.ndarray]) -> SimpleNamespace:
        """The parameters stacked as the equations use them: W (nB*H, H) per weight group, biases.
        Built on every call (cheap), so in-place edits of the parameters are always seen."""
        return SimpleNamespace(p=p, W=np.vstack([p[param_name("W", b)] for b in self.stack]))

    def input_part(self, prep: SimpleNamespace, x: np.ndarray) -> np.ndarray:
        """(T, nB*H) U_b[:, x_t] + b_b for every t and block, by column indexing (no one-hot)."""
        parts = [prep.p[param_name("U", b)][:, x].T for b in self.stack]
        a = parts[0].copy() if len(parts) == 1 else np.concatenate(parts, axis=1)
        if self.has_bias:
            a += np.concatenate([prep.p[param_name("b", b)] for b in self.stack])
        return a

    def group_columns(self) -> list[slice]:
        """The stacked columns of each group of blocks that share one recurrent input r_t.
        Default: one group, every block reads s_{t-1}."""
        return [slice(0, len(self.stack) * self.H)]

    def group_inputs(self, cache: dict) -> list[np.ndarray]:
        """(T, H) the recurrent input r_t of each group (s_{t-1} by default; 0 at t = 0)."""
        return [cache["s_prev"]]

    def weight_groups(self, cache: dict) -> list[tuple[slice, np.ndarray]]:
        return list(zip(self.group_columns(), self.group_inputs(cache), strict=True))

    def zero_state(self) -> tuple[np.ndarray, ...]:
        return tuple(np.zeros(self.H) for _ in self.states)

    # --- the equations (subclasses) -----------------------------------------------------------

    def forward_sequence(self, prep, x: np.ndarray) -> dict:
        """The recurrence over a whole sequence: a cache with at least "s", "s_prev" (T, H), "pre"
        (T, nB*H) pre-activations, "act" (T, nB*H) gate values (gated cells), "c" (LSTM)."""
        raise NotImplementedError

    def forward_step(self, prep, x_t: int, state: tuple) -> tuple[tuple, np.ndarray, np.ndarray]:
        """One step from `state` = (s_{t-1}, ...): returns (new state, pre-activations, gate values)."""
        raise NotImplementedError

    def backward_factors(self, prep, cache: dict) -> None:
        """Add to `cache` the elementwise derivatives backward_step needs (batched over t, once)."""

    def backward_step(self, prep, cache: dict, k, errors: tuple, carry_rows: slice | None):
        """Back through step k (an int, or a slice of steps with one row each).

        errors: per state, the error arriving from outside the step: dE/ds_k (direct + carried from
        step k+1) and, for the LSTM, dE/dc_k carried from step k+1. Rows may stack several errors.
        Returns (da, carry, totals): da (.., nB*H) = dE/da_k; carry: per state, the error sent to
        step k-1, for the rows `carry_rows` only (None: no carry); totals: per state, dE/d(state_k).
        """
        raise NotImplementedError

    def backward_sequence(self, prep, cache: dict, ds_direct: np.ndarray) -> np.ndarray | None:
        """(T, nB*H) dL/da_t for every t, if the cell has a faster loop than the generic one
        (backprop.full_backward, which must give the same numbers); None: use the generic one."""
        return None

    def jacobian_extras(self, prep, cache: dict, t: int) -> dict[str, np.ndarray]:
        """Cell-specific (t+1,) curves drawn beside the Jacobian norm of row t (e.g. LSTM cell_path)."""
        return {}

    def gate_range(self, g: str) -> tuple[float, float]:
        """The values gate g can take: (0, 1) for a sigmoid gate, (-1, 1) for a tanh candidate."""
        return (0.0, 1.0) if self.squash[g] == "σ" else (-1.0, 1.0)

    def gate_dict(self, act: np.ndarray) -> dict[str, np.ndarray]:
        """Gate letter -> its columns of a stacked (.., nB*H) array of gate values."""
        return {g: act[..., self.cols[g]] for g in self.gates}
