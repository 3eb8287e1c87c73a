import numpy as np
import pytest

from rnnviz.core import TASK_NAMES, EchoTask, TextSource, Vocabulary, make_task, read_text_file
from rnnviz.core.data import MAX_VOCAB, CountingTask, ParityTask, decode_text


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


def test_vocabulary_too_large_is_refused():
    text = " ".join(f"w{i}" for i in range(MAX_VOCAB + 5))
    with pytest.raises(ValueError, match=f"at most {MAX_VOCAB}"):
        TextSource(text, "word")


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
