"""Bars drawn as one image: the pixels Qt's unantialiased path fill draws for each bar, found with
NumPy. The hidden view draws H bars at every step (H = 256: 256 path fills from a Python loop, about
as long as the rest of the view's paint); as one image they are a single blit.

Qt's raster engine fills an unantialiased rectangle from x0 to x1 over the pixel columns
ceil(x0 - 63/128) .. ceil(x1 - 63/128) - 1 (a pixel is filled when its centre, biased by 1/128,
lies inside), and likewise for rows: tests/ui/test_value_bars.py compares the two at many scales
and offsets. Rectangles that do not overlap then cover disjoint pixels, so one image holds them all.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

BIAS = 63 / 128  # where Qt's scan conversion of an unantialiased fill samples a pixel, from its edge


def can_draw(p: QtGui.QPainter, brushes) -> bool:
    """One image gives the same pixels: a scale and translation only, on a device of one pixel per
    unit, unantialiased, with opaque solid brushes."""
    t = p.deviceTransform()
    return (
        t.type().value <= QtGui.QTransform.TransformationType.TxScale.value
        and p.device() is not None
        and p.device().devicePixelRatioF() == 1.0
        and not p.testRenderHint(QtGui.QPainter.RenderHint.Antialiasing)
        and all(b.style() == QtCore.Qt.BrushStyle.SolidPattern and b.color().alpha() == 255 for b in brushes)
    )


def draw(p: QtGui.QPainter, corners: tuple, brushes) -> None:
    """Fill rectangles (x, y, width, height arrays; they must not overlap) as one image."""
    x, y, w, h = (np.asarray(a, dtype=np.float64) for a in corners)
    if not len(x):
        return
    t = p.deviceTransform()  # (the world transform, and the window and viewport's)
    # the device coordinates of each edge, as QPainterPath.addRect and QTransform.map compute them
    xs = np.array([x, x + w]) * t.m11() + t.dx()
    ys = np.array([y, y + h]) * t.m22() + t.dy()
    c0, c1 = np.ceil(xs.min(axis=0) - BIAS), np.ceil(xs.max(axis=0) - BIAS)
    r0, r1 = np.ceil(ys.min(axis=0) - BIAS), np.ceil(ys.max(axis=0) - BIAS)
    # only what can be seen (a plot zoomed far in must not make a huge image): the clip a view paints
    # an item with, else the device (device coordinates may be a window's: a widget's painter is
    # redirected to its window's backing store, with an offset)
    if p.hasClipping():
        seen = t.mapRect(p.clipBoundingRect())
    else:
        seen = QtCore.QRectF(0, 0, p.device().width(), p.device().height())
    left, top = max(c0.min(), np.floor(seen.left())), max(r0.min(), np.floor(seen.top()))
    right, bottom = min(c1.max(), np.ceil(seen.right())), min(r1.max(), np.ceil(seen.bottom()))
    if right <= left or bottom <= top:
        return
    rows, cols = int(bottom - top), int(right - left)
    r0, r1 = (np.clip(r - top, 0, rows).astype(np.int64) for r in (r0, r1))
    c0, c1 = (np.clip(c - left, 0, cols).astype(np.int64) for c in (c0, c1))
    counts = np.maximum(r1 - r0, 0)  # the rows each bar covers (bars never share a row)
    bar_of_row = np.full(rows, -1)  # -1: a row between bars
    within = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)  # 0, 1, .. per bar
    bar_of_row[np.repeat(r0, counts) + within] = np.repeat(np.arange(len(x)), counts)
    row_bar = np.maximum(bar_of_row, 0)
    columns = np.arange(cols)
    inside = (bar_of_row >= 0)[:, None] & (columns >= c0[row_bar][:, None]) & (columns < c1[row_bar][:, None])
    argb = np.array([b.color().rgba() for b in brushes], dtype=np.uint32)  # opaque: premultiplied as is
    pixels = np.where(inside, argb[row_bar][:, None], np.uint32(0))
    image = QtGui.QImage(pixels.data, cols, rows, 4 * cols, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    p.save()
    p.resetTransform()  # device pixels, but for the offset of a redirected painter (see above)
    offset = p.deviceTransform()
    p.drawImage(QtCore.QPointF(left - offset.dx(), top - offset.dy()), image)
    p.restore()
