"""Vocabularies, text sources and toy sequence tasks. Randomness only through a Generator.

A data source has `.vocab` (a Vocabulary), `.name`, `.describe()` and `.sample(rng, seq_len)`
returning (x, y) int64 arrays of equal length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz.core.validate import check_positive_int

MAX_VOCAB = 2000  # the app's limit: U and V stay small enough to step through and draw
MAX_TEXT_BYTES = 5_000_000  # reading and encoding this much takes ~0.3 s; more would freeze the app

SAMPLE_TEXT = (
    "a recurrent network reads one token at a time. "
    "it keeps a hidden state that carries what it has seen. "
    "at every step it guesses the next token, and the loss says how wrong the guess was. "
    "backpropagation through time sends that error back along the chain of hidden states. "
    "the further back a step is, the more times its error is multiplied by the same matrix, "
    "so the signal can fade away or blow up. "
)


@dataclass(frozen=True)
class Vocabulary:
    """Tokens <-> ids. `level` is 'char' or 'word'."""

    tokens: tuple[str, ...]
    level: str = "char"

    def __post_init__(self):
        if not self.tokens:
            raise ValueError("a vocabulary needs at least one token")
        if len(set(self.tokens)) != len(self.tokens):
            raise ValueError("vocabulary tokens must be unique")
        object.__setattr__(self, "_index", {tok: i for i, tok in enumerate(self.tokens)})

    def __len__(self) -> int:
        return len(self.tokens)

    @classmethod
    def from_text(cls, text: str, level: str = "char", max_size: int = MAX_VOCAB) -> Vocabulary:
        return cls(tuple(sorted(set(tokenize(text, level)))), level).check_size(max_size)

    def check_size(self, max_size: int = MAX_VOCAB) -> Vocabulary:
        if len(self) > max_size:
            unit = "characters" if self.level == "char" else "words"
            raise ValueError(
                f"the text has {len(self)} different {unit}; rnnviz handles at most {max_size}."
                " Use a shorter text" + (" or character level." if self.level == "word" else ".")
            )
        return self

    def encode(self, tokens) -> np.ndarray:
        try:
            return np.array([self._index[t] for t in tokens], dtype=np.int64)
        except KeyError as e:
            raise ValueError(f"token {e.args[0]!r} is not in the vocabulary") from None

    def decode(self, ids) -> list[str]:
        return [self.tokens[int(i)] for i in ids]

    def join(self, ids) -> str:
        return ("" if self.level == "char" else " ").join(self.decode(ids))

    def label(self, i: int) -> str:
        """A printable label for token i (spaces and newlines made visible)."""
        tok = self.tokens[int(i)]
        return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(tok, tok)


def tokenize(text: str, level: str) -> list[str]:
    if level == "char":
        return list(text)
    if level == "word":
        return re.findall(r"\w+|[^\w\s]", text)
    raise ValueError(f"level must be 'char' or 'word', got {level!r}")


def decode_text(raw: bytes, source: str = "the file") -> str:
    """Strict UTF-8 decoding with a message that says where it failed."""
    if len(raw) > MAX_TEXT_BYTES:
        raise ValueError(f"{source} is {len(raw):,} bytes; rnnviz reads at most {MAX_TEXT_BYTES:,}")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"{source} is not UTF-8 text (undecodable byte 0x{raw[e.start]:02x} at byte {e.start})."
            " Save it as UTF-8 and try again."
        ) from None


def read_text_file(path) -> str:
    """A UTF-8 text file's contents. Only a regular file is opened (a FIFO would block forever),
    and its size is checked with stat before anything is read, so a huge file costs nothing."""
    from rnnviz.core.safe_read import Refused, read_regular

    path = Path(path)
    try:
        raw = read_regular(path, MAX_TEXT_BYTES)
    except Refused as e:
        raise ValueError(f"{path.name} {e}") from None
    return decode_text(raw, source=path.name)


class TextSource:
    """Random windows of a text: x = tokens[i : i+T], y = tokens[i+1 : i+T+1] (next-token prediction)."""

    def __init__(self, text: str, level: str = "char", name: str = "text", max_vocab: int = MAX_VOCAB):
        if not isinstance(text, str) or not text.strip():
            raise ValueError("the text is empty: give rnnviz some text to learn from")
        self.name, self.text, self.level = name, text, level
        self.vocab = Vocabulary.from_text(text, level, max_vocab)
        self.ids = self.vocab.encode(tokenize(text, level))
        if len(self.ids) < 2:
            raise ValueError("the text needs at least two tokens: one to read and one to predict")

    def describe(self) -> str:
        return (
            f"{self.name}: {len(self.ids):,} {self.level}s, vocabulary of {len(self.vocab)};"
            " predict the next token"
        )

    def sample(self, rng: np.random.Generator, seq_len: int):
        T = min(check_positive_int("seq_len", seq_len), len(self.ids) - 1)
        start = int(rng.integers(0, len(self.ids) - T))
        return self.ids[start : start + T].copy(), self.ids[start + 1 : start + T + 1].copy()


class EchoTask:
    """Output the token seen `delay` steps ago ('.' before that): delay sets the dependency length."""

    def __init__(self, delay: int = 3, n_symbols: int = 4):
        self.delay = check_positive_int("delay", delay, allow_zero=True)
        self.n_symbols = check_positive_int("n_symbols", n_symbols)
        self.name = f"echo-{self.delay}"
        self.vocab = Vocabulary(tuple("abcdefghijklmnopqrstuvwxyz"[:n_symbols]) + (".",))

    def describe(self) -> str:
        return f"echo: output the symbol read {self.delay} steps earlier ('.' until then)"

    def sample(self, rng, seq_len):
        T = check_positive_int("seq_len", seq_len)
        x = rng.integers(0, self.n_symbols, T)
        y = np.full(T, self.n_symbols)  # '.'
        y[self.delay :] = x[: T - self.delay]
        return x, y


class ParityTask:
    """Bits in; output the running parity (XOR of every bit so far): needs memory of the whole past."""

    name = "parity"

    def __init__(self):
        self.vocab = Vocabulary(("0", "1"))

    def describe(self) -> str:
        return "parity: output 1 when an odd number of 1s has been read so far"

    def sample(self, rng, seq_len):
        x = rng.integers(0, 2, check_positive_int("seq_len", seq_len))
        return x, np.cumsum(x) % 2


class CountingTask:
    """Read a run of 'a's then 'b's; predict the next symbol. After n a's come exactly n b's then '$'."""

    name = "counting"

    def __init__(self, max_n: int = 6):
        self.max_n = check_positive_int("max_n", max_n)
        self.vocab = Vocabulary(("a", "b", "$"))

    def describe(self) -> str:
        return "counting (a^n b^n): after n a's come n b's then '$'; predict the next symbol"

    def sample(self, rng, seq_len):
        T = check_positive_int("seq_len", seq_len)
        stream: list[int] = []
        while len(stream) < T + 1:
            n = int(rng.integers(1, self.max_n + 1))
            stream += [0] * n + [1] * n + [2]
        ids = np.array(stream[: T + 1])
        return ids[:-1], ids[1:]


class GrammarTask:
    """A small generated language: sentences from a toy grammar, predict the next word."""

    name = "grammar"
    SUBJECTS = ("the cat", "a dog", "the bird")
    VERBS = ("sees", "chases", "likes")
    OBJECTS = ("the fish", "a ball", "the cat")

    def __init__(self):
        words = {w for part in self.SUBJECTS + self.VERBS + self.OBJECTS for w in part.split()}
        self.vocab = Vocabulary(tuple(sorted(words | {"and", "."})), level="word")

    def describe(self) -> str:
        return "grammar: sentences like 'the cat sees a ball and a dog likes the fish .'; next word"

    def _sentence(self, rng) -> list[str]:
        clauses = []
        for _ in range(int(rng.integers(1, 3))):
            parts = (self.SUBJECTS, self.VERBS, self.OBJECTS)
            clauses.append(" ".join(p[int(rng.integers(len(p)))] for p in parts))
        return " and ".join(clauses).split() + ["."]

    def sample(self, rng, seq_len):
        T = check_positive_int("seq_len", seq_len)
        words: list[str] = []
        while len(words) < T + 1:
            words += self._sentence(rng)
        ids = self.vocab.encode(words[: T + 1])
        return ids[:-1], ids[1:]


TASK_NAMES = ("echo", "parity", "counting", "grammar", "text")


def make_task(name: str, delay: int = 3):
    """A data source by name: one of TASK_NAMES ('text' is rnnviz's built-in paragraph)."""
    if name == "echo":
        return EchoTask(delay=delay)
    if name == "parity":
        return ParityTask()
    if name == "counting":
        return CountingTask()
    if name == "grammar":
        return GrammarTask()
    if name == "text":
        return TextSource(SAMPLE_TEXT, "char", name="sample text")
    raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASK_NAMES)}")
