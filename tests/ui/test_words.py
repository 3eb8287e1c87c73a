"""Word-level text at the seed's size: a capped vocabulary with <unk>, words on the graph, sampled words."""

from __future__ import annotations

import pytest

from rnnviz.core.data import MAX_VOCAB, UNK
from rnnviz.core.settings import Settings
from rnnviz.ui.main_window import MainWindow
from tests.ui.helpers import PATIENCE_MS


@pytest.fixture
def words_window(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="words", level="word", max_vocab=300, hidden=8, seq_len=12, seed=3))
    w = MainWindow(s, restore=False)
    qtbot.addWidget(w)
    yield w, s
    w.close()


def test_the_vocabulary_setting_caps_the_words_and_the_model(words_window):
    w, s = words_window
    assert len(s.vocab) == 300 == s.rnn.vocab_size and s.vocab.tokens[-1] == UNK
    box = w.controls.fields["max_vocab"]
    assert box.isEnabled() and box.maximum() == MAX_VOCAB == 8000
    box.setValue(MAX_VOCAB)  # the seed's size
    assert len(s.vocab) == 8000 and s.rnn.vocab_size == 8000 and s.stepper.cursor == 0
    w.controls.task.setCurrentIndex(w.controls.task.findData("echo"))
    assert not box.isEnabled()  # a toy task has its own small vocabulary


def test_the_graph_shows_words_not_ids(words_window):
    w, s = words_window
    for _ in range(s.T):
        s.step()
    labels = [w.graph_view._labels[("x", t, 0)].item.text() for t in range(s.T)]
    assert labels == [s.vocab.label(i) for i in s.x] and all(s.vocab.tokens[i] in labels for i in s.x)
    assert any(len(label) > 1 for label in labels)  # whole words, not characters
    tip = w.graph_view.tooltip_of(w.graph_view.node_items[("x", 0)])
    assert f"'{s.vocab.label(s.x[0])}'" in tip and f"token id {int(s.x[0])}" in tip


def test_sampling_writes_words(words_window, qtbot):
    w, s = words_window
    said = []
    s.sig_message.connect(said.append)
    s.train(5)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    written = said[-1].split("The model now writes: ", 1)[1].strip("'\"")
    words = written.split(" ")
    assert len(words) == 40 and all(word in s.vocab.tokens for word in words)
