"""Guided lessons: pick a lesson, apply its preset, and show the caption for the current step.

A caption stays until the learner steps: training, Reset or a change the caption asks for (a
lesson's "free" settings) restart the trace at step 0 but leave the instructions on screen.
"""

from __future__ import annotations

from PySide6 import QtWidgets
from PySide6.QtCore import QSignalBlocker, Qt, Signal

from rnnviz.core.lessons import Lesson, builtin_lessons
from rnnviz.ui import style
from rnnviz.ui.fit_text import ElidedLabel

CAPTION_SCALE = {"normal": 1.1, "presenter": 1.1}  # the caption's type, relative to the theme's


class LessonPanel(QtWidgets.QWidget):
    """A strip: one row of controls (lesson, Start, End, progress, summary), the caption below.
    In presenter mode only the caption shows, in large type, and the strip is as tall as its text."""

    sig_show_panel = Signal(str)  # a caption refers to this panel: the window brings it into view
    sig_views = Signal(tuple)  # the views the caption needs beside the graph (empty: none named)
    sig_lesson_changed = Signal(bool)  # a lesson started (True) or ended (False)

    def __init__(self, session, theme: style.Theme = style.NORMAL, parent=None):
        super().__init__(parent)
        self.session = session
        self.lessons: list[Lesson] = builtin_lessons()
        self.lesson: Lesson | None = None
        self.index: int | None = None  # the caption shown
        self.compact = False  # presenter mode: the caption alone
        self.chooser = QtWidgets.QComboBox(toolTip="Choose a guided lesson")
        for lesson in self.lessons:
            self.chooser.addItem(lesson.title, lesson.name)
        self.chooser.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.start_button = QtWidgets.QPushButton(
            "Start lesson", toolTip="Load the lesson's preset and begin"
        )
        self.stop_button = QtWidgets.QPushButton(
            "End", toolTip="Leave the lesson (settings stay)", enabled=False
        )
        self.progress = QtWidgets.QLabel()
        self.summary = ElidedLabel()
        self.summary.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.caption = QtWidgets.QLabel(wordWrap=True)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.caption.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.caption.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.controls_row = QtWidgets.QWidget()  # the window may move it into its toolbar
        self.controls_row.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Expanding, QtWidgets.QSizePolicy.Policy.Preferred
        )
        row = QtWidgets.QHBoxLayout(self.controls_row)
        row.setContentsMargins(0, 0, 0, 0)
        for w in (self.chooser, self.start_button, self.stop_button, self.progress):
            row.addWidget(w)
        row.addSpacing(8)
        row.addWidget(self.summary, 1)
        lay = QtWidgets.QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(4)
        lay.addWidget(self.controls_row)
        lay.addWidget(self.caption)
        self.start_button.clicked.connect(lambda: self.start(self.chooser.currentIndex()))
        self.stop_button.clicked.connect(self.end)
        self.chooser.currentIndexChanged.connect(self._show_summary)
        session.sig_stepped.connect(lambda *_: self._update(stepped=True))
        session.sig_reset.connect(self.show_state)
        session.sig_settings_changed.connect(self.show_state)
        self.apply_theme(theme)
        self._show_summary()

    def apply_theme(self, theme: style.Theme) -> None:
        self.theme = theme
        self.caption.setFont(style.font(theme, CAPTION_SCALE[theme.name]))
        for w in (self.summary, self.progress, self.chooser, self.start_button, self.stop_button):
            w.setFont(style.font(theme))
        self.caption.setStyleSheet(
            f"QLabel {{ border-left: 6px solid {theme.forward}; padding: 4px 8px; background: #F4F8FB;"
            f" color: {theme.foreground}; }}"
        )
        self.show_state()
        self._fit_height()

    def set_compact(self, on: bool) -> None:
        """Presenter mode: only the caption, one strip across the top."""
        self.compact = on
        if self._row_inside():
            self.controls_row.setVisible(not on)
        self._fit_height()

    def _row_inside(self) -> bool:
        return self.controls_row.parent() is self

    # --- height: exactly what the caption's text needs at this width ---------------------------------

    def _fit_height(self) -> None:
        lay = self.layout()
        m = lay.contentsMargins()
        height = (
            m.top() + m.bottom() + self.caption.heightForWidth(max(1, self.width() - m.left() - m.right()))
        )
        if not self.compact and self._row_inside():
            height += self.controls_row.sizeHint().height() + lay.spacing()
        if height != self.height() or self.minimumHeight() != height:
            self.setFixedHeight(height)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def start(self, index: int) -> bool:
        """Apply lesson `index`'s preset (resetting to step 0) and show its first caption."""
        lesson = self.lessons[index]
        self.lesson = self.index = None  # the resets of loading the preset are not the lesson's
        self.session.pause()
        if not self.session.apply_settings(lesson.settings):
            return False
        self.session.new_model()  # same preset twice: still start from the lesson's initial state
        self.lesson = lesson
        with QSignalBlocker(self.chooser):
            self.chooser.setCurrentIndex(index)
        self.stop_button.setEnabled(True)
        self.sig_lesson_changed.emit(True)
        self._update(stepped=True)
        return True

    def end(self) -> None:
        self.lesson = self.index = None
        self.stop_button.setEnabled(False)
        self._show_summary()
        self.sig_lesson_changed.emit(False)
        self.sig_views.emit(())

    def _show_summary(self) -> None:
        if self.lesson is None and self.lessons:
            lesson = self.lessons[max(0, self.chooser.currentIndex())]
            self.summary.setText(lesson.summary)
            self.caption.setText(
                "Press Start lesson to load its preset, then step with → or play with Space."
            )
            self.progress.setText(f"{len(self.lessons)} lessons")
            self._fit_height()

    def show_state(self, *_) -> None:
        self._update(stepped=False)

    def _update(self, stepped: bool) -> None:
        """The caption for the current step; after a reset to step 0, the one shown stays."""
        if self.lesson is None:
            return
        s, st = self.session.settings, self.session.stepper
        ended = self.lesson.ended_by(s)
        if ended:
            self.end()  # its captions describe the preset, not what is on screen now
            self.session.sig_message.emit(
                f"The lesson ended: {', '.join(ended)} changed, and its captions describe its preset."
            )
            return
        trained = self.session.history.count > 0
        if stepped or self.index is None or st.cursor > 0:
            i = self.lesson.caption_index(st.cursor, st.T, s, trained)
        else:  # training, Reset or an asked-for change: keep the instructions until the next step
            i = self.lesson.variant(self.index, st.T, s, trained)
        if i != self.index and self.lesson.captions[i].show:
            self.sig_show_panel.emit(self.lesson.captions[i].show)
        if i != self.index:
            self.sig_views.emit(self.lesson.views_at(i))
        self.index = i
        self.summary.setText(f"{self.lesson.title} — {self.lesson.summary}")
        self.caption.setText(self.lesson.text(i, s, trained))
        self._fit_height()
        self.progress.setText(
            f"caption {i + 1} of {len(self.lesson.captions)} · step {st.cursor} of {st.total_steps}"
        )

    @property
    def caption_text(self) -> str:
        return self.caption.text()
