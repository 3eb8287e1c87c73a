"""The control panel shows ||W||_2 (the largest singular value, Pascanu's bound) beside rho(W)."""

import pytest

from rnnviz.ui.main_window import MainWindow


def test_the_largest_singular_value_is_shown_beside_the_spectral_radius(session, qtbot):
    window = MainWindow(session)
    qtbot.addWidget(window)
    controls = window.controls
    assert controls.norm_label.text() == f"{session.rnn.spectral_norm():.3f}"
    controls.fields["spectral_radius"].setValue(1.5)
    assert session.rnn.spectral_radius() == pytest.approx(1.5)
    assert controls.radius_label.text() == "1.500"
    norm = session.rnn.spectral_norm()
    assert controls.norm_label.text() == f"{norm:.3f}" and norm >= 1.5
    window.close()
