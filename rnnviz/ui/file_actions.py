"""Open, save and export, with their dialogs. Errors become messages; nothing is lost on failure."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtWidgets

from rnnviz.core.data import read_text_file
from rnnviz.core.session_file import SUFFIX

SESSION_FILTER = f"rnnviz session (*{SUFFIX})"
TEXT_FILTER = "Text files (*.txt *.md)"


def is_session_file(path) -> bool:
    """A session is a zip archive (it starts with 'PK'); anything else is taken as text."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"PK" or str(path).endswith(SUFFIX)
    except OSError:
        return str(path).endswith(SUFFIX)


class FileActions:
    def __init__(self, window, session):
        self.window, self.session = window, session

    def say(self, text: str) -> None:
        self.session.sig_message.emit(text)

    # --- open / save ---------------------------------------------------------------------------

    def open_path(self, path) -> bool:
        """Open a session file or a text file (decided by content), with clear messages on failure."""
        if is_session_file(path):
            return self.session.load(path)
        return self.open_text_file(path)

    def open_text_file(self, path) -> bool:
        try:
            text = read_text_file(path)
        except ValueError as e:
            self.say(f"Could not open {Path(path).name}: {e}")
            return False
        return self.session.update_settings(task="file", text=text, text_name=Path(path).name)

    def open_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.window, "Open a session or a text", "", f"{SESSION_FILTER};;{TEXT_FILTER};;All files (*)"
        )
        if path:
            self.open_path(path)

    def save_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save session", f"lesson{SUFFIX}", SESSION_FILTER
        )
        if path:
            if not path.endswith(SUFFIX):
                path += SUFFIX
            self.session.save(path)

    # --- export --------------------------------------------------------------------------------

    def _choose_view(self, title: str) -> str | None:
        names = list(self.window.views)
        name, ok = QtWidgets.QInputDialog.getItem(self.window, title, "Which view?", names, 0, False)
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
        try:
            export.export_csv(path, *builders[table](self.session))
        except export.ExportError as e:
            self.say(f"Export failed: {e}")
            return False
        self.say(f"Saved {path}")
        return True

    def export_csv_dialog(self) -> None:
        tables = ["forward", "backward", "contributions", "loss curve"]
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
        from rnnviz.ui.export import ExportError, export_step_through

        name = self._choose_view("Export step-through")
        if not name:
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Export step-through", f"rnnviz-{name}.gif", "Animated GIF (*.gif)"
        )
        if not path:
            return
        total = self.session.stepper.total_steps
        dialog = QtWidgets.QProgressDialog("Rendering frames…", "Cancel", 0, total, self.window)
        dialog.setMinimumDuration(300)

        def progress(i, n):
            dialog.setValue(i)
            QtWidgets.QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            export_step_through(self.session, self.window.views[name], path, progress=progress)
            self.say(f"Saved {path}")
        except ExportError as e:
            self.say(f"Export failed: {e}")
        finally:
            dialog.close()

    def screenshot_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.window, "Save screenshot", "rnnviz.png", "PNG (*.png)"
        )
        if path and not self.window.grab().save(path):
            self.say(f"Could not save {path}")
