import pytest

from rnnviz.core.settings import Settings
from rnnviz.ui.pg_config import configure_pyqtgraph

configure_pyqtgraph()


@pytest.fixture
def session(qtbot):
    from rnnviz.ui.session import Session

    s = Session(Settings(task="echo", hidden=8, seq_len=6, seed=0))
    yield s
    s.stop_training()
    s.pause()


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
