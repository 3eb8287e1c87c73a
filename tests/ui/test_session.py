import numpy as np

from rnnviz.core import RNN
from rnnviz.core.settings import Settings
from tests.ui.helpers import PATIENCE_MS


def test_session_steps_through_forward_and_backward(session, qtbot):
    T = session.T
    with qtbot.waitSignal(session.sig_stepped) as blocker:
        session.step()
    assert blocker.args[0].phase == "forward" and blocker.args[0].t == 0
    for _ in range(2 * T - 1):
        session.step()
    assert session.stepper.done
    g = session.rnn.bptt(session.x, session.y)
    assert np.allclose(session.stepper.gradients.dW, g.dW)
    assert session.step() is None
    session.back()
    assert not session.stepper.done


def test_data_setting_resets_and_training_setting_does_not(session, qtbot):
    session.step()
    with qtbot.waitSignal(session.sig_reset):
        assert session.update_settings(hidden=5)
    assert session.rnn.hidden_size == 5 and session.stepper.cursor == 0
    session.step()
    assert session.update_settings(lr=0.01)
    assert session.stepper.cursor == 1 and session.trainer.config.lr == 0.01


def test_bad_settings_give_a_message_and_change_nothing(session, qtbot):
    before = session.settings
    with qtbot.waitSignal(session.sig_message) as blocker:
        assert not session.update_settings(hidden=0)
    assert "hidden" in blocker.args[0] and session.settings == before


def test_training_is_time_sliced_and_updates_history(session, qtbot):
    W0 = session.rnn.W.copy()
    session.train(300)
    assert session.training
    with qtbot.waitSignal(session.sig_training_changed, timeout=PATIENCE_MS) as blocker:
        pass
    assert blocker.args == [False]
    assert session.history.count == 300 and not np.array_equal(session.rnn.W, W0)
    assert session.stepper.cursor == 0  # the trace follows the trained parameters


def test_spectral_radius_setting(session):
    assert session.update_settings(spectral_radius=0.5)
    assert abs(RNN.spectral_radius(session.rnn) - 0.5) < 1e-9


def test_play_advances_and_stops_at_the_end(session, qtbot):
    session.set_speed(60)
    session.play()
    qtbot.waitUntil(lambda: session.stepper.done, timeout=5000)
    qtbot.waitUntil(lambda: not session.playing, timeout=1000)


def test_single_mode_traces_one_loss(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=4, seq_len=5, mode="single", target=2))
    assert s.stepper.mode == "single" and s.stepper.target == 2
    s.stepper.run()
    assert np.allclose(s.stepper.gradients.dW, s.rnn.contribution_terms(s.x, s.y, 2).sum(0))


def test_save_and_load_restore_parameters_sequence_and_position(session, qtbot, tmp_path):
    session.train(50)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    for _ in range(session.T + 2):
        session.step()
    p = tmp_path / "lesson.rnnviz"
    assert session.save(p)
    W, x, cursor = session.rnn.W.copy(), session.x.copy(), session.stepper.cursor
    grads = session.stepper.gradients.dW.copy()
    hist = session.history.data()[1]
    session.update_settings(hidden=3, seed=9)
    with qtbot.waitSignal(session.sig_reset):
        assert session.load(p)
    assert np.array_equal(session.rnn.W, W) and np.array_equal(session.x, x)
    assert session.stepper.cursor == cursor and np.array_equal(session.stepper.gradients.dW, grads)
    assert np.array_equal(session.history.data()[1], hist) and session.history.count == 50


def test_loading_a_corrupt_file_changes_nothing(session, qtbot, tmp_path):
    session.step()
    bad = tmp_path / "bad.rnnviz"
    bad.write_bytes(b"PK\x03\x04 truncated zip")
    before = (session.settings, session.rnn.W.copy(), session.stepper.cursor)
    with qtbot.waitSignal(session.sig_message) as blocker:
        assert not session.load(bad)
    assert "Could not open" in blocker.args[0]
    assert session.settings == before[0] and np.array_equal(session.rnn.W, before[1])
    assert session.stepper.cursor == before[2]


def test_final_update_step_applies_sgd_and_undoes(session):
    g = session.rnn.bptt(session.x, session.y)
    W0 = session.rnn.W.copy()
    assert session.update_settings(final_update=True, lr=0.5)
    assert session.stepper.total_steps == 2 * session.T + 1
    while session.step() is not None:
        pass
    assert session.stepper.last.phase == "update"
    assert np.allclose(session.rnn.W, W0 - 0.5 * g.dW)
    session.back()
    assert np.array_equal(session.rnn.W, W0)


def test_sample_text_comes_from_the_model(session):
    text = session.sample_text(20)
    assert len(text) == 20 and set(text) <= set(session.vocab.tokens)
    assert session.sample_text(20) == text  # seeded


def test_a_trained_model_replaced_by_new_settings_can_be_brought_back(session, qtbot):
    session.train(100)
    qtbot.waitUntil(lambda: not session.training, timeout=PATIENCE_MS)
    W, settings = session.rnn.W.copy(), session.settings
    with qtbot.waitSignal(session.sig_message) as blocker:
        assert session.update_settings(hidden=5)
    assert "Ctrl+Z" in blocker.args[0] and session.rnn.hidden_size == 5
    assert session.undo()
    assert session.settings == settings and np.array_equal(session.rnn.W, W)
    assert session.history.count == 100
    assert not session.undo()  # once only


def test_untrained_models_are_not_kept(session):
    session.update_settings(hidden=5)
    assert session.undo_data is None


# --- cells and compare mode (issue 12) ----------------------------------------------------------------


def test_a_gated_cell_is_chosen_by_the_settings_and_traced_like_the_rnn(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=5, seq_len=6, cell="gru"))
    assert s.rnn.cell == "gru" and not s.comparing
    s.stepper.run()
    g = s.rnn.bptt(s.x, s.y)
    assert all(np.allclose(s.stepper.gradients.as_dict()[k], v) for k, v in g.as_dict().items())
    assert s.update_settings(cell="lstm")  # a data setting: a new model of the new cell
    assert s.rnn.cell == "lstm" and s.stepper.cursor == 0 and "c" in s.stepper.spec.states
    s.shutdown()


def test_compare_mode_steps_both_cells_with_one_cursor_and_trains_them_on_the_same_batches(
    qtbot, monkeypatch
):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=5, seq_len=6, seed=2, compare="lstm"))
    assert s.comparing and [t.name for t in s.tracks] == ["RNN", "LSTM"]
    first, second = (t.stepper for t in s.tracks)
    assert np.array_equal(first.x, second.x) and np.array_equal(first.y, second.y)
    for _ in range(8):
        s.step()
    assert first.cursor == second.cursor == 8 and second.last.phase == "backward"
    s.back()
    assert first.cursor == second.cursor == 7
    batches = {0: [], 1: []}
    for i, track in enumerate(s.tracks):
        source_sample = track.trainer.source.sample

        def sample(rng, n, i=i, real=source_sample):
            x, y = real(rng, n)
            batches[i].append(x.copy())
            return x, y

        monkeypatch.setattr(
            track.trainer, "source", type("S", (), {"sample": staticmethod(sample), "vocab": s.vocab})()
        )
    s.train(30)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    assert [t.history.count for t in s.tracks] == [30, 30]
    assert len(batches[0]) == 30 and all(
        np.array_equal(a, b) for a, b in zip(batches[0], batches[1], strict=True)
    )
    assert s.update_settings(compare="")
    assert not s.comparing and len(s.tracks) == 1
    s.shutdown()


def test_a_compare_session_saves_and_loads_both_cells(qtbot, tmp_path):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=5, seq_len=6, seed=2, cell="lstm", compare="gru"))
    s.train(40)
    qtbot.waitUntil(lambda: not s.training, timeout=PATIENCE_MS)
    for _ in range(8):
        s.step()
    p = tmp_path / "both.rnnviz"
    assert s.save(p)
    want = [{k: v.copy() for k, v in t.rnn.params().items()} for t in s.tracks]
    curves = [t.history.data()[1].copy() for t in s.tracks]
    other = Session(Settings(task="parity", hidden=3, seq_len=4))
    assert other.load(p)
    assert other.settings == s.settings and [t.name for t in other.tracks] == ["LSTM", "GRU"]
    for track, params, curve in zip(other.tracks, want, curves, strict=True):
        assert all(np.array_equal(track.rnn.params()[k], v) for k, v in params.items())
        assert np.array_equal(track.history.data()[1], curve) and track.history.count == 40
        assert track.stepper.cursor == 8
    s.shutdown()
    other.shutdown()
