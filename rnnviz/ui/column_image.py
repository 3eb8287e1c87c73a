"""ColumnImage: a pyqtgraph ImageItem that can draw a few new columns of its image instead of all of it.

The hidden view's heatmap gains a column at each forward step, the gradient view's T x T heatmap one
at each backward step. pyqtgraph's setImage turns the whole image into colours again at the next
paint (0.6-1.0 ms at T = 200) and repaints all of it. Here only the changed columns are rendered and
written into the QImage already drawn.

Their colours are pyqtgraph's own: the columns go through the same function with the same levels and
lookup table, and it maps each value to its colour on its own, so they are the bytes a whole render
gives them (tests/ui/test_column_image.py and test_revealed_heatmap.py compare them); a NaN cell gets
the transparent pixel that function makes. Whenever that is not certain (no image drawn yet, another
shape, format or colour map, a render pending, another pyqtgraph) it falls back to setImage.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions_qimage
from PySide6 import QtCore, QtGui

RGBA = QtGui.QImage.Format.Format_RGBA8888  # what pyqtgraph makes of a float image with NaNs (transparent)
PYQTGRAPHS_OWN = ("_renderRequired", "_imageHasNans", "_imageNanLocations")  # what this was written against


class ColumnImage(pg.ImageItem):
    """An ImageItem (row-major: image[row, column], columns along x) with set_column and show_columns."""

    _colours: tuple = (None,) * 5  # (values, levels, lut, their RGBA as pyqtgraph renders them, NaN's RGBA)

    def set_column(self, image: np.ndarray, column: int, levels) -> None:
        """(the hidden view) `image` is the array on show with its `column` newly written (nothing else
        changed), to be drawn at `levels`. The item is then drawn again whole, as setImage has it: drawn
        in a strip, a scaled column's edge pixel can round apart from a whole paint (Qt's clipped
        drawImage), where the hidden view's columns are a fraction of a pixel wide or more."""
        if self.levels is None or not np.array_equal(np.asarray(self.levels), np.asarray(levels)):
            self.setImage(image, autoLevels=False, levels=levels)
        elif self._write_columns(image, np.array([column], dtype=np.intp), None, levels):
            self.update()

    def show_columns(self, image: np.ndarray, columns, values: np.ndarray | None = None) -> None:
        """(the gradient view) Show `image`, which differs from the image on show only in `columns`, at
        the same levels and colours; only their strips are drawn again (its columns are whole cells).
        `values`, if given, holds every cell's value (image's cells are its values or NaN): its colours
        are rendered once, and a column is then copied from them."""
        columns = np.asarray(columns, dtype=np.intp)
        if self._write_columns(image, columns, values, None) and columns.size:
            h = image.shape[0]
            for k in columns:  # one strip each (far-apart columns would expose all between them)
                self.update(QtCore.QRectF(float(k), 0.0, 1.0, float(h)))
            self.sigImageChanged.emit()

    def _write_columns(self, image: np.ndarray, columns: np.ndarray, values, levels) -> bool:
        """Write the columns' colours into the QImage on show; False if it fell back to setImage
        (which draws the item again itself), at `levels` if given, else at those on show."""
        fallback = {"autoLevels": False} if levels is None else {"autoLevels": False, "levels": levels}
        if not self._on_show(image):
            self.setImage(image, **fallback)
            return False
        self.image = image.view()  # as setImage keeps it (tests and hover read it)
        self._imageHasNans = self._imageNanLocations = None  # found again by a later whole render
        if columns.size == 0:
            return True
        part = self._rendered(image[:, columns], columns, values)
        if part is None:
            self.setImage(image, **fallback)
            return False
        self.qimage.data[:, columns] = part
        return True

    def _on_show(self, image: np.ndarray) -> bool:
        """A whole render of this image's array, levels and colour map is on show, in RGBA, the array
        it draws from at hand to write to."""
        q, shown = self.qimage, self.image
        return (
            all(hasattr(self, a) for a in PYQTGRAPHS_OWN)
            and not self._renderRequired
            and q is not None
            and shown is not None
            and (image is shown or image is shown.base)  # the array on show, changed in place
            and image.shape == shown.shape
            and image.ndim == 2
            and image.dtype.kind == "f"
            and q.format() == RGBA
            and isinstance(getattr(q, "data", None), np.ndarray)  # the array the QImage draws from
            and self.axisOrder == "row-major"
            and not self.autoDownsample
            and isinstance(self.lut, np.ndarray)
            and self.lut.dtype == np.uint8
        )

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
        # transparent places given even when there are none: pyqtgraph then applies the lookup table
        # itself and gives RGBA (without them it builds a colour table and gives another format)
        made = functions_qimage.try_make_qimage(
            part, levels=self.levels, lut=self.lut, transparentLocations=np.isnan(part).nonzero()
        )
        return made.data if made is not None and made.format() == RGBA else None
