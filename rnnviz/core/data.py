"""Vocabularies, text sources and toy sequence tasks. Randomness only through a Generator.

A data source has `.vocab` (a Vocabulary), `.name`, `.describe()` and `.sample(rng, seq_len)`
returning (x, y) int64 arrays of equal length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rnnviz.core.validate import check_positive_int, check_sequences

MAX_VOCAB = 8000  # the app's limit: the seed's word-level model (Britz's tutorial) has 8,000 words
UNK = "<unk>"  # stands for every token a capped vocabulary leaves out (never a token of a text:
# the word tokenizer splits "<unk>" into "<", "unk", ">", and a character token is one character)
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
        return encode_text(text, level, max_size)[0]

    @property
    def unk(self) -> int | None:
        """The id of UNK, if this vocabulary was capped (tokens it left out are encoded as it)."""
        return self._index.get(UNK)

    def encode(self, tokens) -> np.ndarray:
        unk, index = self.unk, self._index
        try:
            return np.array([index[t] if unk is None else index.get(t, unk) for t in tokens], np.int64)
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


WORD = re.compile(r"\w+|[^\w\s]")  # a word, or one punctuation mark


def tokenize(text: str, level: str) -> list[str]:
    if level == "char":
        return list(text)
    if level == "word":
        return WORD.findall(text)
    raise ValueError(f"level must be 'char' or 'word', got {level!r}")


def encode_text(text: str, level: str, max_size: int = MAX_VOCAB) -> tuple[Vocabulary, np.ndarray]:
    """The vocabulary of a text and its token ids (int32), without a Python list of every token
    (a 5 MB text would make one of ~58 MB). Tokens are sorted; with more than max_size different
    ones, the max_size - 1 most frequent are kept (ties: the first in sorted order) and every
    other becomes UNK, the last id."""
    max_size = check_positive_int("max_size", max_size)
    if level == "char":  # code points, counted by NumPy (str order is code point order)
        codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        kinds = np.flatnonzero(np.bincount(codes))  # (n_kinds,) sorted code points
        lookup = np.zeros(int(kinds[-1]) + 1, np.int32)  # code point -> id
        lookup[kinds] = np.arange(len(kinds))
        tokens, first_ids = [chr(c) for c in kinds], lookup[codes]
    elif level == "word":  # one pass: each word gets an id when first seen, then ids are re-sorted
        index: dict[str, int] = {}
        seen = np.fromiter((index.setdefault(m, len(index)) for m in WORD.findall(text)), np.int64)
        order = sorted(index, key=index.__getitem__)  # tokens by first appearance
        rank = np.argsort(np.array(order, dtype=object))  # first-seen id of the i-th token in sorted order
        to_sorted = np.empty(len(order), np.int64)
        to_sorted[rank] = np.arange(len(order))
        tokens, first_ids = [order[i] for i in rank], to_sorted[seen]
    else:
        raise ValueError(f"level must be 'char' or 'word', got {level!r}")
    first_ids = first_ids.astype(np.int32, copy=False)  # (n,) half the memory of int64
    if len(tokens) <= max_size:
        return Vocabulary(tuple(tokens), level), first_ids
    if max_size < 2:
        raise ValueError("a capped vocabulary needs room for at least one token and <unk>")
    counts = np.bincount(first_ids, minlength=len(tokens))
    kept = np.sort(np.argsort(-counts, kind="stable")[: max_size - 1])  # most frequent, in sorted order
    new_id = np.full(len(tokens), max_size - 1, np.int32)  # everything else: UNK
    new_id[kept] = np.arange(max_size - 1)
    return Vocabulary(tuple(tokens[i] for i in kept) + (UNK,), level), new_id[first_ids]


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
        self.vocab, self.ids = encode_text(text, level, max_vocab)  # ids: (n,) int32
        if len(self.ids) < 2:
            raise ValueError("the text needs at least two tokens: one to read and one to predict")

    def describe(self) -> str:
        unk = self.vocab.unk
        capped = "" if unk is None else f" (the most frequent; {UNK} for the rest)"
        return (
            f"{self.name}: {len(self.ids):,} {self.level}s, vocabulary of {len(self.vocab):,}{capped};"
            " predict the next token"
        )

    def sample(self, rng: np.random.Generator, seq_len: int):
        T = min(check_positive_int("seq_len", seq_len), len(self.ids) - 1)
        start = int(rng.integers(0, len(self.ids) - T))
        x = self.ids[start : start + T].astype(np.int64)  # (T,) fresh copies
        return x, self.ids[start + 1 : start + T + 1].astype(np.int64)


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

    state_kinds = ("parity",)

    def state_labels(self, x, kind: str = "parity"):
        """Per-step labels for colouring hidden states, and their names: the parity read so far."""
        if kind not in self.state_kinds:
            raise ValueError(f"kind must be one of {', '.join(self.state_kinds)}, got {kind!r}")
        x = check_sequences(x, None, 2)
        return np.cumsum(x) % 2, ("even so far", "odd so far")


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


TASK_NAMES = ("echo", "parity", "counting", "grammar", "text", "words")


def make_task(name: str, delay: int = 3, max_vocab: int = MAX_VOCAB):
    """A data source by name: one of TASK_NAMES ('text' is rnnviz's built-in paragraph, 'words' a
    generated word-level text with more than 8,000 different words, capped at max_vocab)."""
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
    if name == "words":
        from rnnviz.core.corpus import generated_text

        return TextSource(generated_text(), "word", name="generated words", max_vocab=max_vocab)
    raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASK_NAMES)}")
