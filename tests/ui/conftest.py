import pytest

from rnnviz.core.settings import Settings
from rnnviz.ui.blas import limit_blas_threads
from rnnviz.ui.pg_config import configure_pyqtgraph

configure_pyqtgraph()
limit_blas_threads()  # as the app does


@pytest.fixture
def session(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=8, seq_len=6, seed=0))
    yield s
    s.shutdown()


@pytest.fixture
def shown(qtbot):
    """shown(widget, width, height): the widget, owned by qtbot, resized, shown and exposed."""

    def show(widget, width: int, height: int):
        qtbot.addWidget(widget)
        widget.resize(width, height)
        widget.show()
        qtbot.waitExposed(widget)
        return widget

    return show


@pytest.fixture
def make_window(qtbot):
    """make_window(size=None, **settings): (window, session), a main window on a new session with
    these settings, shown and exposed (resized first if `size` is given); training stopped and the
    window closed after the test."""
    made = []

    def make(size: tuple[int, int] | None = None, **settings):
        from rnnviz.ui.main_window import MainWindow
        from rnnviz.ui.session import Session

        s = Session(Settings(**settings))
        w = MainWindow(s, restore=False)
        qtbot.addWidget(w)
        if size is not None:
            w.resize(*size)
        w.show()
        qtbot.waitExposed(w)
        made.append(w)
        return w, s

    yield make
    for w in made:
        w.session.stop_training()
        w.close()
