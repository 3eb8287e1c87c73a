"""A generated word-level text at the seed's size: more than 8,000 different words, made here.

No book is bundled (a real one would be large, and its licence would need checking): this text is
generated, deterministically, from a toy English grammar ("the bold tamiko sees a rune .") whose
nouns, verbs and adjectives are made-up words built from syllables. Word frequencies follow Zipf's
law (the r-th most common word of a kind appears about 1/r as often as the first), as in real text,
so a vocabulary capped at 8,000 keeps the frequent words and turns the long tail into <unk>, as in
the seed's tutorial. The grammar gives the model something to learn: which kind of word comes next.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
KINDS = {"noun": 6000, "verb": 3000, "adj": 3000}  # made-up words of each kind
TEMPLATES = (  # sentence shapes; lower-case words are themselves
    "the adj noun verb the noun .",
    "a noun verb a adj noun .",
    "the noun of the noun verb .",
    "the noun verb and the noun verb .",
    "a adj noun verb the noun in the noun .",
    "the noun verb , and a noun verb with the adj noun .",
)


def _made_up_words(n: int, rng: np.random.Generator, taken: set[str]) -> list[str]:
    """n new pronounceable words of 2 or 3 syllables (consonant + vowel), drawn in batches."""
    syllables = np.array([c + v for c in CONSONANTS for v in VOWELS])
    out: list[str] = []
    while len(out) < n:
        batch = 2 * (n - len(out))
        parts = syllables[rng.integers(0, len(syllables), (batch, 3))]  # (batch, 3)
        lengths = rng.integers(2, 4, batch)  # syllables per word
        for row, k in zip(parts, lengths, strict=True):
            word = "".join(row[:k])
            if word not in taken and len(out) < n:
                taken.add(word)
                out.append(word)
    return out


@lru_cache(maxsize=1)
def generated_text(n_sentences: int = 40_000, seed: int = 0) -> str:
    """The text: n_sentences sentences (about 350,000 words, 2 MB), the same for a given seed."""
    rng = np.random.default_rng(seed)
    taken = {w for t in TEMPLATES for w in t.split()}
    lexicon = {kind: np.array(_made_up_words(n, rng, taken)) for kind, n in KINDS.items()}
    zipf = {kind: 1.0 / np.arange(1, n + 1) for kind, n in KINDS.items()}  # weight of rank r: 1/r
    shapes = [t.split() for t in TEMPLATES]
    choice = rng.integers(0, len(shapes), n_sentences)
    # every slot of every sentence, in order; then each kind's slots are filled at once
    slots = [w for i in choice for w in shapes[i]]
    words = np.array(slots, dtype=object)
    for kind, words_of_kind in lexicon.items():
        where = np.flatnonzero(words == kind)
        p = zipf[kind] / zipf[kind].sum()
        words[where] = words_of_kind[rng.choice(len(words_of_kind), size=len(where), p=p)]
    return " ".join(words.tolist())
