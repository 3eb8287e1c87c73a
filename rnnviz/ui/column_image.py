"""A heatmap that fills in a column at a time: the forward pass adds one column of the hidden view's
image per step. pyqtgraph's ImageItem.setImage renders the whole image again (every pixel through
the levels and the colour map) and asks for the whole item to be drawn again; here only the new
column is rendered and written into the image already drawn (the item is then drawn as before).

The colour of a pixel is pyqtgraph's own: the column goes through the same function with the same
levels and lookup table (a value's colour does not depend on its neighbours), so the image is the
one a whole render makes (tests/ui/test_column_image.py compares them). Whenever that is not
certain (no image drawn yet, another shape, levels or colour map, a callable lookup table, another
pyqtgraph), it falls back to setImage.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions_qimage
from PySide6 import QtCore, QtGui

WRITABLE = (QtGui.QImage.Format.Format_RGBA8888, QtGui.QImage.Format.Format_ARGB32)


class ColumnImage(pg.ImageItem):
    """An ImageItem (row-major: image[row, column], columns along x) with set_column()."""

    def set_column(self, image: np.ndarray, column: int, levels) -> None:
        """`image` is the array on show with its `column` newly written (nothing else changed)."""
        if not self._can_add(image, levels):
            self.setImage(image, autoLevels=False, levels=levels)
            return
        values = np.ascontiguousarray(image[:, column : column + 1])
        # with transparent places (none, often) pyqtgraph applies the lookup table itself and gives
        # RGBA, the format of an image with NaNs on show; without, it builds a colour table each time
        nans = np.isnan(values).nonzero()
        strip = functions_qimage.try_make_qimage(
            values, levels=np.asarray(self.levels), lut=self.lut, transparentLocations=nans
        )
        if strip is None:
            self.setImage(image, autoLevels=False, levels=levels)
            return
        painter = QtGui.QPainter(self.qimage)
        painter.setCompositionMode(QtGui.QPainter.CompositionMode.CompositionMode_Source)
        painter.drawImage(QtCore.QPointF(column, 0), strip)
        painter.end()
        self._imageHasNans = None  # a later whole render looks for NaNs again
        self._imageNanLocations = None
        # the whole item asked to be drawn, as setImage does: drawn in a strip, the image's scaled
        # columns can round a pixel at their edge apart from a whole paint (Qt's clipped drawImage)
        self.update()

    def _can_add(self, image: np.ndarray, levels) -> bool:
        """A whole render of this image, levels and colour map is on show, in a format to write to."""
        if not all(hasattr(self, a) for a in ("_renderRequired", "_imageHasNans", "_imageNanLocations")):
            return False  # not the pyqtgraph this was written against
        shown = self.image
        return (
            shown is not None
            and self.qimage is not None
            and not self._renderRequired
            and self.axisOrder == "row-major"
            and not self.autoDownsample
            and shown.base is image
            and shown.shape == image.shape
            and image.dtype.kind == "f"
            and isinstance(self.lut, np.ndarray)
            and self.lut.dtype == np.uint8
            and self.levels is not None
            and np.array_equal(np.asarray(self.levels), np.asarray(levels))
            and self.qimage.format() in WRITABLE
        )
