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
