import numpy as np
import pytest

from rnnviz.core import TASK_NAMES, EchoTask, TextSource, Vocabulary, make_task, read_text_file
from rnnviz.core.data import MAX_VOCAB, UNK, CountingTask, ParityTask, decode_text, tokenize


def test_char_and_word_vocabularies_round_trip():
    src = TextSource("hello world", "char")
    assert src.vocab.join(src.ids) == "hello world"
    words = TextSource("the cat sat. the dog sat!", "word")
    assert words.vocab.tokens == tuple(sorted({"the", "cat", "sat", ".", "dog", "!"}))
    assert words.vocab.join(words.ids[:3]) == "the cat sat"


def test_text_windows_predict_the_next_token():
    src = TextSource("abcdefghij" * 3)
    x, y = src.sample(np.random.default_rng(0), 8)
    assert len(x) == len(y) == 8
    assert np.array_equal(x[1:], y[:-1])


@pytest.mark.parametrize("text", ["", "   \n\t ", None])
def test_empty_text_is_refused(text):
    with pytest.raises(ValueError, match="empty"):
        TextSource(text)


def test_undecodable_bytes_are_refused(tmp_path):
    p = tmp_path / "latin1.txt"
    p.write_bytes("café".encode("latin-1"))
    with pytest.raises(ValueError, match=r"not UTF-8.*0xe9 at byte 3"):
        read_text_file(p)
    with pytest.raises(ValueError, match="missing.txt does not exist"):
        read_text_file(tmp_path / "missing.txt")
    assert decode_text("ñ".encode()) == "ñ"


def test_a_capped_vocabulary_keeps_the_most_frequent_tokens_and_one_unk():
    # w0 appears 3 times, w1 twice, every other word once: ties go to the first in sorted order
    text = "w0 w0 w0 w1 w1 " + " ".join(f"w{i}" for i in range(2, MAX_VOCAB + 5))
    src = TextSource(text, "word")
    assert len(src.vocab) == MAX_VOCAB and src.vocab.tokens[-1] == UNK == src.vocab.label(src.vocab.unk)
    kept = src.vocab.tokens[:-1]
    once = sorted({f"w{i}" for i in range(2, MAX_VOCAB + 5)})
    assert {"w0", "w1"} <= set(kept) and set(kept) - {"w0", "w1"} == set(once[: MAX_VOCAB - 3])
    words = text.split()
    want = [kept.index(w) if w in kept else src.vocab.unk for w in words]
    assert np.array_equal(src.ids, want)  # every left-out word is <unk>, the rest their own id
    assert "<unk> for the rest" in src.describe()
    small = TextSource("aaabbcdeeee", "char", max_vocab=3)
    assert small.vocab.tokens == ("a", "e", UNK) and small.vocab.join(small.ids) == "aaa" + UNK * 4 + "eeee"
    assert small.vocab.encode("axe").tolist() == [0, 2, 1]  # unknown tokens encode as <unk>
    with pytest.raises(ValueError, match="at least one token and <unk>"):
        TextSource("abc", "char", max_vocab=1)


def test_an_uncapped_vocabulary_is_every_token_sorted():
    text = "zebra apple. mango, apple! " * 3 + "日本"
    for level in ("char", "word"):
        src = TextSource(text, level)
        tokens = tokenize(text, level)
        assert src.vocab.tokens == tuple(sorted(set(tokens))) and src.vocab.unk is None
        assert src.vocab.decode(src.ids) == tokens
    x, y = TextSource(text).sample(np.random.default_rng(1), 5)
    assert x.dtype == y.dtype == np.int64 and not np.shares_memory(x, y)


def test_the_generated_word_text_has_a_vocabulary_of_the_seeds_size():
    src = make_task("words")
    assert len(src.vocab) == MAX_VOCAB == 8000 and src.vocab.level == "word"
    assert 0 < np.mean(src.ids == src.vocab.unk) < 0.05  # the long tail only
    assert make_task("words", max_vocab=500).vocab.tokens[-1] == UNK


def test_vocabulary_rejects_unknown_tokens_and_levels():
    v = Vocabulary(("a", "b"))
    with pytest.raises(ValueError, match="not in the vocabulary"):
        v.encode("abc")
    with pytest.raises(ValueError, match="level"):
        TextSource("abc", "sentence")


@pytest.mark.parametrize("delay", [0, 1, 4])
def test_echo_task_outputs_the_past(delay):
    task = EchoTask(delay=delay, n_symbols=3)
    x, y = task.sample(np.random.default_rng(1), 12)
    assert np.array_equal(y[delay:], x[: 12 - delay])
    assert np.all(y[:delay] == 3)


def test_parity_and_counting_tasks():
    x, y = ParityTask().sample(np.random.default_rng(2), 20)
    assert np.array_equal(y, np.cumsum(x) % 2)
    x, y = CountingTask(max_n=3).sample(np.random.default_rng(3), 30)
    assert np.array_equal(x[1:], y[:-1])
    # every b-run is as long as the a-run before it
    text = "".join(CountingTask().vocab.decode(np.concatenate([x, y[-1:]])))
    for block in text.split("$")[1:-1]:
        assert block == "a" * (len(block) // 2) + "b" * (len(block) // 2)


@pytest.mark.parametrize("name", TASK_NAMES)
def test_every_task_samples_valid_ids(name):
    task = make_task(name)
    x, y = task.sample(np.random.default_rng(0), 15)
    assert len(x) == len(y) == 15 and x.dtype.kind == "i"
    assert 0 <= min(x.min(), y.min()) and max(x.max(), y.max()) < len(task.vocab)
    assert task.describe()


def test_unknown_task():
    with pytest.raises(ValueError, match="unknown task"):
        make_task("chess")
