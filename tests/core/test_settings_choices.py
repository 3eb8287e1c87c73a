"""Settings for issue 13's choices: activation, W initialisation, clipping kind. Defaults keep the
behaviour (and session files) from before they existed."""

import json

import numpy as np
import pytest

from rnnviz.core import RNN
from rnnviz.core.session_file import SessionData, load_session, save_session
from rnnviz.core.settings import Settings, make_model, make_source, train_config


def test_defaults_give_the_same_model_and_training_as_before():
    s = Settings(hidden=7, seed=3)
    assert (s.activation, s.w_init, s.clip_kind) == ("tanh", "uniform", "norm")
    K = len(make_source(s).vocab)
    a, b = make_model(s, K), RNN(K, 7, seed=3)
    for name in "UWV":
        assert np.array_equal(a.params()[name], b.params()[name])
    assert a.spec.activation == "tanh" and train_config(s).clip_kind == "norm"


def test_settings_saved_before_these_fields_still_load():
    old = Settings().to_dict()
    for name in ("activation", "w_init", "clip_kind"):
        del old[name]
    assert Settings.from_dict(old) == Settings()


def test_the_irnn_and_scaled_presets_reach_the_model():
    s = Settings(hidden=5, activation="relu", w_init="identity", spectral_radius=0.9)
    rnn = make_model(s, len(make_source(s).vocab))
    assert rnn.spec.activation == "relu" and np.allclose(rnn.W, 0.9 * np.eye(5), rtol=1e-15)
    o = make_model(s.with_(w_init="orthogonal", spectral_radius=0.0), len(make_source(s).vocab))
    assert np.allclose(o.W.T @ o.W, np.eye(5), atol=1e-12)
    assert Settings().data_changed(Settings(activation="relu"))
    assert Settings().data_changed(Settings(w_init="orthogonal"))
    assert not Settings().data_changed(Settings(clip_kind="element"))
    assert train_config(Settings(clip_kind="element", clip=0.5)).clip_kind == "element"


@pytest.mark.parametrize(
    "field,value,words",
    [
        (
            "activation",
            "sigmoid",
            r"activation \(the hidden activation s_t = f\(z_t\)\) must be one of tanh, relu",
        ),
        ("w_init", "zeros", r"w_init \(how W starts .*\) must be one of uniform, orthogonal, identity"),
        ("clip_kind", "value", r"clip_kind \(.*\) must be one of norm, element"),
    ],
)
def test_bad_choices_are_refused_in_words(field, value, words):
    with pytest.raises(ValueError, match=words):
        Settings(**{field: value})
    with pytest.raises(ValueError, match=f"{field} must be a str"):
        Settings.from_dict({field: 1})


def test_a_session_file_keeps_the_choices(tmp_path):
    s = Settings(hidden=4, seq_len=5, activation="relu", w_init="identity", clip_kind="element")
    src = make_source(s)
    rnn = make_model(s, len(src.vocab))
    x, y = src.sample(np.random.default_rng(0), 5)
    path = tmp_path / "irnn.rnnviz"
    save_session(path, SessionData(s, rnn.params(), x, y))
    back = load_session(path)
    assert back.settings == s
    assert json.dumps(back.settings.to_dict())  # still plain JSON
