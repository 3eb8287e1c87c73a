"""Start the app: QApplication, pyqtgraph options once, Session, MainWindow."""

from __future__ import annotations

import sys

SCREENSHOT_SIZE = (1920, 1080)


def run(args) -> int:
    from PySide6 import QtWidgets

    from rnnviz.__main__ import cells_of
    from rnnviz.core.settings import Settings
    from rnnviz.ui import start_up
    from rnnviz.ui.blas import limit_blas_threads
    from rnnviz.ui.main_window import MainWindow
    from rnnviz.ui.pg_config import configure_pyqtgraph
    from rnnviz.ui.session import Session

    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication(sys.argv[:1])
    app.setApplicationName("rnnviz")
    app.setOrganizationName("rnnviz")
    configure_pyqtgraph()
    limit_blas_threads()
    try:
        cell, compare = cells_of(args)
        settings = Settings(
            task=args.task,
            hidden=args.hidden,
            seq_len=args.seq_len,  # a long-range task sets its own (Settings says so)
            seed=args.seed,
            lag=args.lag,
            order_length=args.order_length,
            cell=cell,
            compare=compare,
        )
    except ValueError as e:
        print(f"rnnviz: error: {e}", file=sys.stderr)
        return 2
    session = Session(settings)
    window = MainWindow(session, restore=not args.screenshot)  # screenshots: the default layout
    _report_errors_in_the_window(session)
    for _ in range(args.steps):
        if session.step() is None:
            break
    if args.screenshot:  # no screen to fit: the picture is a 1920 x 1080 window
        window.resize(SCREENSHOT_SIZE[0], SCREENSHOT_SIZE[1])
        window.show()
        app.processEvents()
        ok = window.grab().save(args.screenshot)
        window.close()
        _tear_down(app, window, session)
        if not ok:
            print(f"rnnviz: error: could not write {args.screenshot}", file=sys.stderr)
            return 1
        print(f"saved {args.screenshot}")
        return 0
    window.show_first()  # the saved size and layout, or the whole screen the first time
    start_up.after_first_show()  # the garbage collector back (start_up.py)
    code = app.exec()
    _tear_down(app, window, session)
    return code


def _tear_down(app, window, session) -> None:
    """Delete Qt objects while the QApplication still exists: leaving them to interpreter exit
    destroys scenes and items in an arbitrary order and can crash (seen: 1 run in 3, SIGSEGV)."""
    session.shutdown()  # no worker or training thread outlives the window
    window.deleteLater()
    session.deleteLater()
    app.processEvents()
    app.shutdown()


def _report_errors_in_the_window(session) -> None:
    """An unexpected error in a slot is printed and shown in the status bar; the app keeps running
    (Qt would otherwise only print it, and the user would see a button that did nothing)."""
    import traceback

    def hook(kind, value, tb):
        traceback.print_exception(kind, value, tb)
        session.sig_message.emit(f"Something went wrong: {kind.__name__}: {value} (details in the terminal)")

    sys.excepthook = hook
