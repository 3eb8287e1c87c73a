"""PyTorch references for benchmarks/cells_speed.py (imported only when torch is installed).

Two kinds per cell, both a language model over K tokens with hidden size H and a K-way softmax:
- "hand": DESIGN.md's equations written with torch ops (inputs gathered once, one stacked matmul
  per step, autograd for the backward pass), started from an rnnviz model's parameters, so its
  gradients can be checked against rnnviz's (the GRU must be written by hand: torch.nn.GRU
  applies the reset gate after W_h, a different model).
- "fused": the idiomatic torch model, nn.Embedding(K, H) -> nn.RNN / nn.LSTM / nn.GRU (C++ loops)
  -> nn.Linear(H, K, bias=False); its own random initialisation. Not the same function (an extra
  H x H input matrix; torch's GRU variant), but the same sizes and the fastest torch offers.
"""

import numpy as np
import torch

F = torch.nn.functional


def hand_model(cell: str, params: dict, dtype):
    """(leaves, loss(x, y)) for rnnviz's equations, starting from `params` (name -> ndarray)."""
    P = {k: torch.tensor(v, dtype=dtype, requires_grad=True) for k, v in params.items()}
    H = P["V"].shape[1]

    def rnn(x):
        Ux = P["U"][:, x].T  # (T, H)
        s, out = torch.zeros(H, dtype=dtype), []
        for t in range(len(x)):
            s = torch.tanh(Ux[t] + P["W"] @ s)
            out.append(s)
        return out

    def lstm(x):
        names = "figq"
        Ux = torch.cat([P["U_" + g][:, x] for g in names]).T + torch.cat([P["b_" + g] for g in names])
        W = torch.cat([P["W_" + g] for g in names])  # (4H, H)
        s, c, out = torch.zeros(H, dtype=dtype), torch.zeros(H, dtype=dtype), []
        for t in range(len(x)):
            a = Ux[t] + W @ s
            f, i = torch.sigmoid(a[: 2 * H]).chunk(2)
            g, q = torch.tanh(a[2 * H : 3 * H]), torch.sigmoid(a[3 * H :])
            c = f * c + i * g
            s = q * torch.tanh(c)
            out.append(s)
        return out

    def gru(x):
        Ux = torch.cat([P["U_" + g][:, x] for g in "urh"]).T + torch.cat([P["b_u"], P["b_r"], P["b_h"]])
        Wur = torch.cat([P["W_u"], P["W_r"]])  # (2H, H)
        s, out = torch.zeros(H, dtype=dtype), []
        for t in range(len(x)):
            u, r = torch.sigmoid(Ux[t, : 2 * H] + Wur @ s).chunk(2)
            h = torch.tanh(Ux[t, 2 * H :] + P["W_h"] @ (r * s))
            s = (1 - u) * h + u * s
            out.append(s)
        return out

    states = {"rnn": rnn, "lstm": lstm, "gru": gru}[cell]

    def loss(x, y):
        return F.cross_entropy(torch.stack(states(x)) @ P["V"].T, y)

    return P, loss


def fused_model(cell: str, K: int, H: int, dtype):
    """(leaves, loss(x, y)) for Embedding -> nn.RNN / nn.LSTM / nn.GRU -> Linear, batch of one."""
    torch.manual_seed(0)
    emb = torch.nn.Embedding(K, H).to(dtype)
    rec = {
        "rnn": lambda: torch.nn.RNN(H, H, nonlinearity="tanh", bias=False),
        "lstm": lambda: torch.nn.LSTM(H, H),
        "gru": lambda: torch.nn.GRU(H, H),
    }[cell]().to(dtype)
    out = torch.nn.Linear(H, K, bias=False).to(dtype)
    leaves = {f"{i}": p for i, p in enumerate([*emb.parameters(), *rec.parameters(), *out.parameters()])}

    def loss(x, y):
        h, _ = rec(emb(x)[:, None, :])
        return F.cross_entropy(out(h[:, 0]), y)

    return leaves, loss


def gradients(leaves: dict, loss, x: np.ndarray, y: np.ndarray) -> float:
    """One forward + backward; returns the loss."""
    for p in leaves.values():
        p.grad = None
    value = loss(torch.from_numpy(x), torch.from_numpy(y))
    value.backward()
    return value.item()


class TorchTrainer:
    """The torch equivalent of rnnviz's Trainer step: same data, Adagrad, clipping, loss."""

    def __init__(self, leaves: dict, loss, source, seq_len: int, lr=0.1, clip=5.0, seed=0):
        self.leaves, self.loss, self.source, self.seq_len, self.clip = leaves, loss, source, seq_len, clip
        self.opt = torch.optim.Adagrad(list(leaves.values()), lr=lr)
        self.rng = np.random.default_rng(seed)

    def step(self) -> float:
        x, y = self.source.sample(self.rng, self.seq_len)
        self.opt.zero_grad()
        value = self.loss(torch.from_numpy(x), torch.from_numpy(y))
        value.backward()
        torch.nn.utils.clip_grad_norm_(list(self.leaves.values()), self.clip)
        self.opt.step()
        return value.item()
