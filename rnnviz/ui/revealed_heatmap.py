"""RevealedHeatmap: a pyqtgraph ImageItem that can redraw a few columns of its image instead of all of it.

BPTT reveals one column of the gradient view's T x T heatmap per step. pyqtgraph's setImage turns the
whole image into colours again at the next paint (0.6-1.0 ms at T = 200) and repaints all of it.
show_columns writes only the changed columns into the QImage already drawn, and repaints only their
strip. Their colours come from pyqtgraph's own function with the same levels and colours (which maps
each value to its colour on its own, so they are the bytes a whole render gives), found once for all
the values a trace will show; a NaN cell (not revealed) gets the transparent pixel that function makes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions_qimage
from PySide6 import QtCore, QtGui

RGBA = QtGui.QImage.Format.Format_RGBA8888  # what pyqtgraph makes of a float image with NaNs (transparent)


class RevealedHeatmap(pg.ImageItem):
    _colours: tuple = (None,) * 5  # (values, levels, lut, their RGBA as pyqtgraph renders them, NaN's RGBA)

    def show_columns(self, image: np.ndarray, columns, values: np.ndarray | None = None) -> None:
        """Show `image` (row-major, as the app draws it), which differs from the image on show only in
        `columns`, at the same levels and colours. `values`, if given, holds every cell's value
        (image's cells are its values or NaN): its colours are rendered once, and a column is then
        copied from them. Falls back to setImage whenever the QImage on show is not one whose
        columns can be written (none yet, another shape or format, a render pending)."""
        q, shown = self.qimage, self.image
        columns = np.asarray(columns, dtype=np.intp)
        if (
            self._renderRequired
            or q is None
            or shown is None
            or image.shape != shown.shape
            or image.ndim != 2
            or q.format() != RGBA
            or not isinstance(getattr(q, "data", None), np.ndarray)  # the array the QImage draws from
            or self.axisOrder != "row-major"
            or self.autoDownsample
            or callable(self.lut)
        ):
            self.setImage(image, autoLevels=False)
            return
        self.image = image.view()  # as setImage keeps it (tests and hover read it)
        self._imageHasNans = self._imageNanLocations = None  # found again by a later whole render
        if columns.size == 0:
            return
        part = self._rendered(image[:, columns], columns, values)
        if part is None:
            self.setImage(image, autoLevels=False)
            return
        q.data[:, columns] = part
        h = image.shape[0]
        for k in columns:  # one strip each (far-apart columns would expose all between them)
            self.update(QtCore.QRectF(float(k), 0.0, 1.0, float(h)))
        self.sigImageChanged.emit()

    def _rendered(self, part: np.ndarray, columns: np.ndarray, values: np.ndarray | None):
        """The RGBA bytes of `part` (h, n), as pyqtgraph renders a float image with NaNs: its colours,
        then NaN transparent; with `values` (part's cells are its columns' values or NaN), copied from
        the colours of all the values, rendered once per values, levels and colours."""
        if values is None:
            return self._render(np.ascontiguousarray(part))
        known, levels, lut, colours, clear = self._colours
        if not (known is values and lut is self.lut and np.array_equal(levels, self.levels)):
            colours, clear = self._render(np.ascontiguousarray(values)), self._render(np.full((1, 1), np.nan))
            if colours is None or clear is None:
                return None
            self._colours = (values, np.array(self.levels), self.lut, colours, clear)
        return np.where(np.isnan(part)[..., None], clear[0, 0], colours[:, columns])

    def _render(self, part: np.ndarray) -> np.ndarray | None:
        made = functions_qimage.try_make_qimage(
            part, levels=self.levels, lut=self.lut, transparentLocations=np.isnan(part).nonzero()
        )
        return made.data if made is not None and made.format() == RGBA else None
