"""Update a span of a QTextDocument from one rich text to another by rewriting only the words
that changed, when the two texts have the same markup (the equations panel's numbers from one
step to the next): cursor.insertText keeps each word's format, and Qt parses no HTML and lays
out the paragraph once. Anything it cannot prove equal to an insertHtml of the new text (other
markup, whitespace the HTML parser would collapse, a document that does not hold the old text
as expected) is refused, and the caller inserts the HTML as before."""

from __future__ import annotations

import functools
import html
import re

from PySide6 import QtGui

_TOKEN = re.compile(r"(<[^>]*>)|([^<]+)")
LINE_BREAK = "\u2028"  # what <br> becomes in a QTextDocument
_SPACES = frozenset(" \t\n\r\f")  # what HTML collapses (a no-break space, &nbsp;, it keeps)
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_INLINE = re.compile(r"</?(span|b|i|sub|sup)\b[^>]*>", re.IGNORECASE)
_COLLAPSED = re.compile("[ \t\n\r\f]{2}|[\t\n\r\f]|[ \u2028]\u2028|\u2028 ")


@functools.lru_cache(maxsize=256)
def _inline(tag: str) -> bool | None:
    """True for <br> (one character), False for an inline tag (none), None for any other."""
    if _BREAK.fullmatch(tag):
        return True
    return False if _INLINE.fullmatch(tag) else None


@functools.lru_cache(maxsize=16)  # this step's text is the next step's old one
def _parts(rich: str) -> tuple[tuple, tuple[str, ...], str, tuple[int, ...]] | None:
    """(markup: the tags in order, None where a text run stands; the text runs, decoded; the
    characters the document holds for it; where each run starts in them), or None if the HTML
    parser would change its whitespace or it holds more than inline markup (positions unsure)."""
    markup, texts, out, starts = [], [], [], []
    pos = 0
    for tag, text in _TOKEN.findall(rich):
        if text:
            text = html.unescape(text) if "&" in text else text
            markup.append(None)
            texts.append(text)
            starts.append(pos)
            out.append(text)
            pos += len(text)
            continue
        kind = _inline(tag)
        if kind is None:
            return None  # paragraphs, tables, anchors: characters of their own
        markup.append(tag)
        if kind:
            out.append(LINE_BREAK)
            pos += 1
    plain = "".join(out)
    if _COLLAPSED.search(plain) or plain[:1] in _SPACES or plain[-1:] in _SPACES:
        return None
    return tuple(markup), tuple(texts), plain, tuple(starts)


def patch_span(document: QtGui.QTextDocument, start: int, end: int, old: str, new: str) -> int | None:
    """Rewrite document[start:end], which shows rich text `old`, to show `new`: the new end, or
    None (nothing changed) if only an insertHtml can do it."""
    was, now = _parts(old), _parts(new)
    if was is None or now is None or was[0] != now[0] or end - start != len(was[2]):
        return None
    cursor = QtGui.QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(end, QtGui.QTextCursor.MoveMode.KeepAnchor)
    if cursor.selectedText() != was[2]:  # the document is not as `old` left it
        return None
    cursor.beginEditBlock()  # one layout of the paragraph for all the words
    for i in reversed(range(len(was[1]))):  # from the end: earlier positions stay put
        if was[1][i] == now[1][i]:
            continue
        at = start + was[3][i]
        cursor.setPosition(at)
        cursor.setPosition(at + len(was[1][i]), QtGui.QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(now[1][i])  # in the format of the word it replaces
    cursor.endEditBlock()
    return start + len(now[2])
