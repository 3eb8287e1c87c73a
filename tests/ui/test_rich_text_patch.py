"""rich_text_patch: rewriting only the changed words of a span leaves the document exactly as an
insertHtml of the new rich text would (same characters, same formats), and anything it cannot
prove so is refused with the document untouched. The equations panel uses it at every step."""

from __future__ import annotations

import pytest
from PySide6 import QtGui

from rnnviz.core.settings import Settings
from rnnviz.ui.rich_text_patch import patch_span
from rnnviz.ui.widgets import equations_view
from rnnviz.ui.widgets.equations_view import EquationsView

PAGE = "<p>before</p><p>{}</p><p>after</p>"
RED = '<span style="color:#c00">'
OLD = f"<b>t = 3</b>: <i>x</i><sub>3</sub>&nbsp;=&nbsp;{RED}&lt;unk&gt;</span><br>|s| = 0.25"
NEW = f"<b>t = 4</b>: <i>x</i><sub>4</sub>&nbsp;=&nbsp;{RED}&#x27;ab&#x27;</span><br>|s| = 10.5"


def document_with(rich: str) -> tuple[QtGui.QTextDocument, int, int]:
    """A document holding rich text between two paragraphs, and its span."""
    doc = QtGui.QTextDocument()
    doc.setHtml(PAGE.format("\u2060mark\u2060"))
    found = doc.find("\u2060mark\u2060")
    start, end = found.selectionStart(), found.selectionEnd()
    cursor = QtGui.QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QtGui.QTextCursor.MoveMode.KeepAnchor)
    cursor.insertHtml(rich)
    return doc, start, cursor.position()


def test_a_patched_span_is_what_inserting_the_new_html_makes(qtbot):
    patched, start, end = document_with(OLD)
    new_end = patch_span(patched, start, end, OLD, NEW)
    reference, _, ref_end = document_with(NEW)
    assert new_end == ref_end
    assert patched.toHtml() == reference.toHtml()  # characters and every format alike
    assert "t = 4: x4 = 'ab'\n|s| = 10.5" in patched.toPlainText().replace("\xa0", " ")


@pytest.mark.parametrize(
    "new",
    [
        OLD.replace("<b>", "<i>").replace("</b>", "</i>"),  # other markup
        OLD.replace("0.25", "0.25  !"),  # two spaces: HTML shows one
        OLD.replace("<br>", "<br> "),  # a space after a line break: HTML drops it
        OLD.replace("<br>", "</p><p>"),  # a paragraph: more than inline markup
    ],
)
def test_what_it_cannot_prove_it_refuses_and_leaves_the_document_alone(qtbot, new):
    doc, start, end = document_with(OLD)
    before = doc.toHtml()
    assert patch_span(doc, start, end, OLD, new) is None
    assert doc.toHtml() == before


def test_a_document_that_does_not_hold_the_old_text_is_refused(qtbot):
    doc, start, end = document_with(OLD.replace("0.25", "0.26"))
    assert patch_span(doc, start, end, OLD, NEW) is None


def test_the_equations_panel_over_a_sweep_shows_what_inserting_its_html_shows(qtbot, monkeypatch):
    from rnnviz.ui.session import Session

    patched = []
    monkeypatch.setattr(equations_view, "patch_span", lambda *a: patched.append(1) or patch_span(*a))
    for settings in (Settings(task="echo", hidden=8, seq_len=6, seed=0), Settings(cell="lstm", seq_len=5)):
        s = Session(settings)
        views = [EquationsView(s), EquationsView(s)]
        for v in views:
            qtbot.addWidget(v)
        while s.step() is not None:  # views[1] again, inserting HTML as before patching existed
            with monkeypatch.context() as m:
                m.setattr(equations_view, "patch_span", lambda *a: None)
                views[1].show_state()
            assert views[0].browser.toHtml() == views[1].browser.toHtml()
        s.shutdown()
    assert len(patched) > 20  # the patch was taken, not only refused
