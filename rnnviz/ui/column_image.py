"""ColumnImage: a pyqtgraph ImageItem that can redraw a few columns of its image instead of all of it.

BPTT reveals one column of the gradient view's T x T heatmap per step. pyqtgraph's setImage turns the
whole image into colours again at the next paint (0.6-1.0 ms at T = 200) and repaints all of it.
show_columns renders only the changed columns, through the same pyqtgraph function and with the same
levels and colours, into the QImage already drawn, and repaints only their strip. pyqtgraph maps each
value to its colour on its own, so those bytes are exactly what a whole render would give them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from pyqtgraph import functions_qimage
from PySide6 import QtCore, QtGui

RGBA = QtGui.QImage.Format.Format_RGBA8888  # what pyqtgraph makes of a float image with NaNs (transparent)


class ColumnImage(pg.ImageItem):
    def show_columns(self, image: np.ndarray, columns) -> None:
        """Show `image` (row-major, as the app draws it), which differs from the image on show only in
        `columns`, at the same levels and colours. Falls back to setImage whenever the QImage on show is
        not one whose columns can be written (none yet, another shape or format, a render pending)."""
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
        part = np.ascontiguousarray(image[:, columns])
        # the path pyqtgraph's render takes for a float image with NaNs: colours, then NaN transparent
        made = functions_qimage.try_make_qimage(
            part, levels=self.levels, lut=self.lut, transparentLocations=np.isnan(part).nonzero()
        )
        if made is None or made.format() != RGBA:
            self.setImage(image, autoLevels=False)
            return
        q.data[:, columns] = made.data
        h = image.shape[0]
        for k in columns:  # one strip each (far-apart columns would expose all between them)
            self.update(QtCore.QRectF(float(k), 0.0, 1.0, float(h)))
        self.sigImageChanged.emit()
