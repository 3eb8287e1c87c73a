import numpy as np

from rnnviz.core import RNN
from rnnviz.core.settings import Settings


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
    with qtbot.waitSignal(session.sig_training_changed, timeout=20000) as blocker:
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
    qtbot.waitUntil(lambda: not session.training, timeout=20000)
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
    qtbot.waitUntil(lambda: not session.training, timeout=20000)
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
