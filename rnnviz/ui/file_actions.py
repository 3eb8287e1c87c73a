"""Open, save and export, with their dialogs. Errors become messages; nothing is lost on failure."""

from __future__ import annotations

import zipfile
from pathlib import Path

from PySide6 import QtWidgets
from PySide6.QtCore import Qt, QTimer

from rnnviz.core.data import read_text_file

TEXT_FILTER = "Text files (*.txt *.md)"


def _session_files():
    """core.session_file, loaded with the first file opened or saved: its module (dataclasses, the
    .npy reader) is a few ms of the start-up that the window does not need to show."""
    from rnnviz.core import session_file

    return session_file


def session_filter() -> str:
    return f"rnnviz session (*{_session_files().SUFFIX})"


def is_session_file(path) -> bool:
    """A session by its name (*.rnnviz), or by being a zip archive (zipfile finds the archive's
    directory; a text that merely starts with "PK" is not one). Only a regular file is looked into:
    anything else goes to the text reader, which says what it is."""
    from rnnviz.core.safe_read import check_regular

    files = _session_files()
    if str(path).lower().endswith(files.SUFFIX):
        return True
    try:
        check_regular(path, files.MAX_FILE_BYTES)
        return zipfile.is_zipfile(path)
    except (ValueError, OSError):
        return False


class FileActions:
    def __init__(self, window, session):
        self.window, self.session = window, session
        self.exporting = False  # a step-through export is rendering (it runs the event loop itself)
        self.progress_dialog: QtWidgets.QProgressDialog | None = None
        self._stop_export = False
        self._after_export = None
        self.close_question: QtWidgets.QMessageBox | None = None  # open while asking to save

    def say(self, text: str) -> None:
        self.session.sig_message.emit(text)

    # --- open / save ---------------------------------------------------------------------------

    def open_path(self, path) -> bool:
        """Open a session file or a text file, with clear messages on failure."""
        if is_session_file(path):
            return self.session.load(path)
        return self.open_text_file(path)

    def open_text_file(self, path) -> bool:
        try:
            text = read_text_file(path)
        except ValueError as e:
            self.say(f"Could not open the text: {str(e).rstrip('.')}.")
            return False
        return self.session.update_settings(task="file", text=text, text_name=Path(path).name)

    def open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.window, "Open a session or a text", "", f"{session_filter()};;{TEXT_FILTER};;All files (*)"
        )
        if path:
            self.open_asking(path)

    def open_asking(self, path) -> None:
        """Open `path`, first asking to save training that opening would discard (a session file
        replaces the model; a text file builds one for its own vocabulary)."""
        if self.session.unsaved_training:
            self.ask_to_save_training(lambda: self.open_path(path), f"opening {Path(path).name}")
        else:
            self.open_path(path)

    def choose_save_path(self) -> str | None:
        """Ask where to save the session (tests replace this: a file dialog blocks offscreen)."""
        suffix = _session_files().SUFFIX
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save session", f"lesson{suffix}", session_filter()
        )
        if not path:
            return None
        return path if path.endswith(suffix) else path + suffix

    def save_dialog(self) -> bool:
        """Ask for a path and save there; True once saved."""
        path = self.choose_save_path()
        return bool(path) and self.session.save(path)

    def ask_to_save_training(self, then, doing: str = "closing") -> None:
        """Save / Discard / Cancel about training no file holds, in a window-modal box opened with
        open(), never exec() (the event loop keeps running; tests press its buttons through
        self.close_question). `then()` runs once saved, or on Discard."""
        if self.close_question is not None:
            self.close_question.raise_()
            return
        buttons = QtWidgets.QMessageBox.StandardButton
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Question,
            "Unsaved training",
            f"The model has trained {self.session.unsaved_training:,} iterations that no session file"
            f" holds. Save the session before {doing}?",
            buttons.Save | buttons.Discard | buttons.Cancel,
            self.window,
        )
        box.setDefaultButton(buttons.Save)
        box.finished.connect(lambda _: self._answered(box, then))
        self.close_question = box
        box.open()

    def _answered(self, box, then) -> None:
        clicked = box.clickedButton()
        choice = box.standardButton(clicked) if clicked is not None else None
        self.close_question = None
        box.deleteLater()
        buttons = QtWidgets.QMessageBox.StandardButton
        if choice == buttons.Discard or (choice == buttons.Save and self.save_dialog()):
            then()

    # --- export --------------------------------------------------------------------------------

    def _choose_view(self, title: str, question: str = "Which view?") -> str | None:
        names = list(self.window.views)
        name, ok = QtWidgets.QInputDialog.getItem(self.window, title, question, names, 0, False)
        return name if ok else None

    def export_view(self, name: str, path: str) -> bool:
        from rnnviz.ui.export import ExportError, export_widget_png, export_widget_svg

        widget = self.window.views[name]
        try:
            (export_widget_svg if path.lower().endswith(".svg") else export_widget_png)(widget, path)
        except ExportError as e:
            self.say(f"Export failed: {e}")
            return False
        self.say(f"Saved {path}")
        return True

    def export_view_dialog(self, suffix: str) -> None:
        name = self._choose_view(f"Export as {suffix.upper()}")
        if name:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self.window, "Export view", f"rnnviz-{name}.{suffix}", f"{suffix.upper()} (*.{suffix})"
            )
            if path:
                self.export_view(name, path)

    def export_csv(self, table: str, path: str) -> bool:
        from rnnviz.ui import export, tables

        builders = {
            "forward": tables.forward_table,
            "backward": tables.backward_table,
            "contributions": tables.contributions_table,
            "loss curve": tables.loss_curve_table,
        }
        name, _, cell = table.partition(" (")  # compare mode: "backward (LSTM)" is the second cell's
        source = self.session
        if cell and self.session.comparing and cell.rstrip(")") == self.session.tracks[1].name:
            source = self.session.side(1)
        try:
            export.export_csv(path, *builders[name](source))
        except (export.ExportError, ValueError) as e:  # ValueError: numbers still being computed
            self.say(f"Export failed: {e}")
            return False
        self.say(f"Saved {path}")
        return True

    def csv_tables(self) -> list[str]:
        """The tables there are: each of the four, and in compare mode the second cell's too."""
        tables = ["forward", "backward", "contributions", "loss curve"]
        if self.session.comparing:
            tables += [f"{t} ({self.session.tracks[1].name})" for t in tables]
        return tables

    def export_csv_dialog(self) -> None:
        tables = self.csv_tables()
        table, ok = QtWidgets.QInputDialog.getItem(
            self.window, "Export data", "Which numbers?", tables, 0, False
        )
        if ok:
            path, _ = QtWidgets.QFileDialog.getSaveFileName(
                self.window, "Export CSV", f"rnnviz-{table.replace(' ', '-')}.csv", "CSV (*.csv)"
            )
            if path:
                self.export_csv(table, path)

    def export_gif_dialog(self) -> None:
        name = self._choose_view(
            "Export GIF", "Which view to animate, step by step?"
        )  # short title: never cut
        if not name:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Export step-through", f"rnnviz-{name}.gif", "Animated GIF (*.gif)"
        )
        if path:
            self.export_gif(name, path)

    def export_gif(self, name: str, path: str) -> bool:
        """Render the step-through of view `name` to `path` with a progress dialog. Cancel, or
        closing the window (cancel_export), stops it at the next frame and saves nothing."""
        from rnnviz.ui.export import ExportError, export_step_through

        frames = self.session.stepper.total_steps + 1
        dialog = QtWidgets.QProgressDialog("Rendering frames…", "Cancel", 0, frames, self.window)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no stepping or training meanwhile
        dialog.setMinimumDuration(300)
        dialog.setAutoReset(False)  # stays up (and Cancel works) while the GIF is encoded
        dialog.setAutoClose(False)
        self.progress_dialog, self.exporting, self._stop_export = dialog, True, False

        def progress(i, n):
            dialog.setValue(i)
            if i == n:
                dialog.setLabelText("Writing the GIF…")

        def cancelled() -> bool:
            QtWidgets.QApplication.processEvents()  # lets Cancel and a closing window be seen
            return self._stop_export or dialog.wasCanceled()

        try:
            written = export_step_through(
                self.session, self.window.views[name], path, progress=progress, cancelled=cancelled
            )
        except ExportError as e:
            self.say(f"Export failed: {e}")
            return False
        finally:
            self.exporting, self.progress_dialog = False, None
            dialog.close()
            dialog.deleteLater()
            after, self._after_export = self._after_export, None
            if after is not None:
                QTimer.singleShot(0, after)
        if not written:
            self.say("Export cancelled: nothing was saved.")
            return False
        self.say(f"Saved {path}")
        return True

    def cancel_export(self, then=None) -> None:
        """Stop a running export at its next frame; `then()` runs once it has unwound."""
        self._stop_export = True
        self._after_export = then

    def screenshot_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save screenshot", "rnnviz.png", "PNG (*.png)"
        )
        if path and not self.window.grab().save(path):
            self.say(f"Could not save {path}")
