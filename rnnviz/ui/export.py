"""Export views and numbers: PNG and SVG pictures, CSV tables, step-through animations.

Plain functions, no dialogs: the main window asks for a path and shows the message of any
`ExportError` to the user. Every file is written to a temporary file in the target folder and then
moved into place (os.replace), so a failure or a cancel never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QIODevice, QPoint, QRect, QRectF, QSize
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QGraphicsItem, QGraphicsScene, QWidget

MAX_PIXELS = 200_000_000  # a bigger picture is a mistake, not a slide


class ExportError(Exception):
    """An export failed; str(error) is a message for the user."""


# --- files -----------------------------------------------------------------------------------------


def _render_widget(widget, painter) -> None:
    """Draw what exporting `widget` shows at the painter's origin: a view that offers export_scene()
    (the graph) draws its whole scene at 1:1, independent of its viewport and scroll position, with
    no scroll bars; any other widget is drawn as on screen (QWidget.render, also for a
    QGraphicsView, which hides it behind a scene-render overload)."""
    whole = _whole_scene(widget)
    if whole is None:
        QWidget.render(widget, painter, QPoint())
        return
    scene, rect, background = whole
    target = QRectF(0, 0, rect.width(), rect.height())
    painter.fillRect(target, background)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    scene.render(painter, target, rect)


def _whole_scene(widget):
    """(scene, its rect, background) for a view that exports its whole scene, else None."""
    export_scene = getattr(widget, "export_scene", None)
    return export_scene() if callable(export_scene) else None


def _picture_size(widget) -> QSize:
    """The exported picture's size at scale 1: the whole scene for the graph, else the widget's."""
    whole = _whole_scene(widget)
    if whole is None:
        return widget.size()
    rect = whole[1]
    return QSize(max(1, math.ceil(rect.width())), max(1, math.ceil(rect.height())))


def _target(path, suffixes: tuple[str, ...]) -> Path:
    """The path as a Path, checked: known extension, existing folder, not a folder itself."""
    p = Path(path)
    if p.is_dir():
        raise ExportError(f"Cannot export to {p}: it is a folder, not a file.")
    if p.suffix.lower() not in suffixes:
        kind = f"'{p.suffix}'" if p.suffix else "no extension"
        raise ExportError(
            f"Cannot export to {p.name!r}: unknown file type ({kind}); use {' or '.join(suffixes)}."
        )
    if not p.parent.is_dir():
        raise ExportError(f"Cannot export to {p}: the folder {p.parent} does not exist.")
    return p


def _temp_file(folder: Path, name: str) -> str:
    """An empty temporary file in `folder` (so os.replace stays on one file system)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
    except OSError as e:
        raise ExportError(f"Cannot write in the folder {folder}: {e.strerror or e}.") from e
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the file the usual permissions
    return tmp


def _remove(*paths) -> None:
    for p in paths:
        with contextlib.suppress(OSError):
            os.remove(p)


def _write_atomic(path: Path, data: bytes) -> Path:
    tmp = _temp_file(path.parent, path.name)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError as e:
        _remove(tmp)
        raise ExportError(f"Could not save {path}: {e.strerror or e}.") from e
    except BaseException:
        _remove(tmp)
        raise
    return path


# --- pictures --------------------------------------------------------------------------------------


def _check_widget(widget) -> None:
    if widget is None or widget.width() < 1 or widget.height() < 1:
        raise ExportError("Nothing to export: the view has no size (is it hidden?).")


def _render_image(widget, scale: float = 1.0) -> QImage:
    """The widget drawn into an image `scale` times its size (drawn at that resolution, not resized)."""
    _check_widget(widget)
    if not (np.isfinite(scale) and 0 < scale <= 16):
        raise ExportError(f"The scale must be between 0 and 16, got {scale!r}.")
    size = _picture_size(widget)
    w, h = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
    if w * h > MAX_PIXELS:
        raise ExportError(f"The picture would be too large ({w} x {h} pixels); use a smaller scale.")
    image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
    if image.isNull():
        raise ExportError(f"Not enough memory for a {w} x {h} picture; use a smaller scale.")
    image.setDevicePixelRatio(w / size.width())
    image.fill(widget.palette().color(QPalette.ColorRole.Window))  # opaque, for slides
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        _render_widget(widget, painter)
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)
    return image


def _png_bytes(image: QImage) -> bytes:
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buf, "PNG"):
        raise ExportError("Could not encode the picture as PNG.")
    return bytes(buf.data())


def export_widget_png(widget, path, scale: float = 2.0) -> Path:
    """Save `widget` as a PNG `scale` times its on-screen size (2 gives crisp slides). Returns the path."""
    p = _target(path, (".png",))
    return _write_atomic(p, _png_bytes(_render_image(widget, scale)))


def _svg_bytes(size, draw, title: str) -> bytes:
    """SVG text from QSvgGenerator; `draw(painter)` paints onto a canvas of `size` (QSize)."""
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    gen = QSvgGenerator()
    gen.setOutputDevice(buf)
    gen.setSize(size)
    gen.setViewBox(QRect(QPoint(0, 0), size))
    gen.setTitle(title)
    gen.setDescription("Exported from rnnviz")
    painter = QPainter()
    if not painter.begin(gen):
        raise ExportError("Could not start drawing the SVG.")
    try:
        draw(painter)
    finally:
        painter.end()
    data = bytes(buf.data())
    if b"<svg" not in data:
        raise ExportError("Could not draw the view as SVG.")
    return data


def export_widget_svg(widget, path) -> Path:
    """Save any widget as vector SVG (QSvgGenerator; heatmaps stay embedded images). Returns the path."""
    p = _target(path, (".svg",))
    _check_widget(widget)
    title = widget.windowTitle() or type(widget).__name__
    size = _picture_size(widget)
    return _write_atomic(p, _svg_bytes(size, lambda painter: _render_widget(widget, painter), title))


def _scene_and_item(obj):
    """(scene, item or None) from a scene, a graphics item, a QGraphicsView or a view with `layout_widget`."""
    if hasattr(obj, "layout_widget"):
        obj = obj.layout_widget
    if isinstance(obj, QGraphicsScene):
        return obj, None
    if isinstance(obj, QGraphicsItem):
        return obj.scene(), obj
    if callable(getattr(obj, "scene", None)):
        return obj.scene(), None
    raise ExportError(f"Cannot export a {type(obj).__name__} as a plot.")


def export_plot_svg(plot, path) -> Path:
    """Save a pyqtgraph scene or item (PlotItem, GraphicsLayout; a view's `layout_widget` or the view
    itself also work) as SVG with pyqtgraph's SVGExporter, which clips items to their plots.

    The SVGExporter fails on PySide6 6.11.0-6.12.0 (pyqtgraph issue #3495; it works on 6.10.3): on
    any error this falls back to drawing the scene with QSvgGenerator. Returns the path.
    """
    p = _target(path, (".svg",))
    scene, item = _scene_and_item(plot)
    if scene is None:
        raise ExportError("Nothing to export: the plot is not shown in any view.")
    source = item.sceneBoundingRect() if item is not None else scene.sceneRect()
    if source.width() < 1 or source.height() < 1:
        raise ExportError("Nothing to export: the plot has no size.")
    try:
        from pyqtgraph.exporters import SVGExporter

        data = SVGExporter(item if item is not None else scene).export(toBytes=True)
        if not data or b"<svg" not in data:
            raise ValueError("empty SVG")
    except Exception:  # any failure of the exporter: use the path that always works
        size = source.toAlignedRect().size()
        target = QRectF(0, 0, size.width(), size.height())
        data = _svg_bytes(size, lambda painter: scene.render(painter, target, source), "rnnviz plot")
    return _write_atomic(p, data)


# --- tables ----------------------------------------------------------------------------------------


def _cell(v) -> str:
    """Numbers in full precision (float(cell) == value exactly), everything else as text."""
    if isinstance(v, bool | np.bool_):
        return str(bool(v))
    if isinstance(v, int | np.integer):
        return str(int(v))
    if isinstance(v, float | np.floating):
        return repr(float(v))
    return str(v)


def export_csv(path, header: list[str], rows) -> Path:
    """Write a table as UTF-8 CSV (comma separated, header first). Returns the path."""
    p = _target(path, (".csv",))
    rows = [list(r) for r in rows]
    if not rows:
        raise ExportError("Nothing to export yet: the table has no rows.")
    for i, r in enumerate(rows):
        if len(r) != len(header):
            raise ExportError(
                f"Cannot export the table: row {i} has {len(r)} values for {len(header)} columns."
            )
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows([_cell(v) for v in r] for r in rows)
    return _write_atomic(p, text.getvalue().encode("utf-8"))


def _frame_names(path: Path, n: int) -> list[Path] | None:
    """Frame paths for a PNG sequence, or None when `path` is a GIF."""
    if path.is_dir():
        width = max(3, len(str(n - 1)))
        return [path / f"frame_{i:0{width}d}.png" for i in range(n)]
    if re.search(r"%0?\d*d", path.name) and path.suffix.lower() == ".png":
        if not path.parent.is_dir():
            raise ExportError(f"Cannot export to {path}: the folder {path.parent} does not exist.")
        try:
            return [path.parent / (path.name % i) for i in range(n)]
        except (TypeError, ValueError) as e:
            raise ExportError(f"Cannot use {path.name!r} as a frame name pattern: {e}.") from e
    if path.suffix.lower() != ".gif":
        raise ExportError(
            f"Cannot export a step-through to {path.name!r}: use a .gif file, an existing folder, "
            "or a numbered name such as frame_%03d.png."
        )
    _target(path, (".gif",))
    return None


def _gif_frame(image: QImage):
    """A QImage as a palette PIL image (what the GIF stores anyway; a third of the memory of RGB)."""
    from PIL import Image

    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    size = (rgb.width(), rgb.height())
    frame = Image.frombuffer("RGB", size, bytes(rgb.constBits()), "raw", "RGB", rgb.bytesPerLine(), 1)
    return frame.convert("P", palette=Image.Palette.ADAPTIVE)


class _Cancelled(Exception):
    """Raised inside the GIF encoder's frame loop to stop it."""


def export_step_through(
    session, widget, path, steps=None, fps: float = 3, progress=None, scale=1.0, cancelled=None
):
    """Replay the current sequence from its start and save a picture of `widget` after each step.

    Frames: the start (nothing computed), then one per step until the trace is done, or `steps`
    steps if given, so there are steps + 1 frames. `path` decides the format:
      - ``*.gif``: one animated GIF at `fps` frames per second, looping (needs Pillow). Pillow merges
        consecutive identical frames into one longer frame, keeping the total duration;
      - an existing folder: ``frame_000.png``, ``frame_001.png``, ... inside it;
      - a pattern such as ``frames/step_%03d.png``: one PNG per frame, numbered from 0.
    `progress(i, n)` is called after frame i of n (1-based); returning False cancels: nothing is
    written and [] is returned. `cancelled()`, if given, is asked after each frame is drawn and
    between frames while the GIF is encoded (slow for big frames); True cancels the same way.
    Either way the session ends at the step it was on before.
    Returns the list of paths written.
    """
    p = Path(path)
    if session.training:
        raise ExportError("Stop training before exporting a step-through.")
    if steps is not None and not (isinstance(steps, int | np.integer) and steps >= 1):
        raise ExportError(f"The number of steps must be a positive whole number, got {steps!r}.")
    if not (np.isfinite(fps) and 0 < fps <= 100):
        raise ExportError(f"The frame rate must be between 0 and 100 frames per second, got {fps!r}.")
    _check_widget(widget)
    total = session.stepper.total_steps
    n = min(total, int(steps) if steps is not None else total) + 1
    names = _frame_names(p, n)
    if names is None:
        try:
            import PIL  # noqa: F401
        except ImportError as e:
            raise ExportError("GIF export needs the Pillow package (pip install pillow).") from e
    old_cursor = session.stepper.cursor
    scrolled = _scroll_position(widget)
    frames, temps = [], []
    done = False
    try:
        session.reset()
        for i in range(n):
            if i and session.step() is None:
                break
            QApplication.processEvents()
            image = _render_image(widget, scale)
            if names is None:
                frames.append(_gif_frame(image))
            else:
                temps.append(_temp_file(names[i].parent, names[i].name))
                if not image.save(temps[-1], "PNG"):
                    raise ExportError(f"Could not save the frame {names[i]}.")
            if progress is not None and progress(i + 1, n) is False:
                return []
            if cancelled is not None and cancelled():
                return []
        if names is None:
            buf = io.BytesIO()

            def rest():  # the encoder takes the frames one by one: a chance to stop between them
                for frame in frames[1:]:
                    if cancelled is not None and cancelled():
                        raise _Cancelled
                    yield frame

            try:
                frames[0].save(buf, format="GIF", save_all=True, append_images=rest(),
                               duration=round(1000 / fps), loop=0)  # fmt: skip
            except _Cancelled:
                return []
            if cancelled is not None and cancelled():
                return []
            written = [_write_atomic(p, buf.getvalue())]
        else:
            written = []
            try:
                for tmp, name in zip(temps, names, strict=False):
                    os.replace(tmp, name)
                    written.append(name)
            except OSError as e:
                _remove(*written)
                raise ExportError(
                    f"Could not save the frames in {names[0].parent}: {e.strerror or e}."
                ) from e
        done = True
        return written
    finally:
        if not done:
            _remove(*temps)
        _restore_cursor(session, old_cursor)
        _restore_scroll(widget, scrolled)


def _scroll_position(widget) -> tuple[int, int] | None:
    if isinstance(widget, QAbstractScrollArea):
        return widget.horizontalScrollBar().value(), widget.verticalScrollBar().value()
    return None


def _restore_scroll(widget, position) -> None:
    """Scroll back to where the user was, and repaint the whole view: frames drawn from the live
    widget must leave nothing of themselves on screen."""
    if position is not None:
        widget.horizontalScrollBar().setValue(position[0])
        widget.verticalScrollBar().setValue(position[1])
    if isinstance(widget, QAbstractScrollArea):
        widget.viewport().update()
    elif isinstance(widget, QWidget):
        widget.update()


def _restore_cursor(session, cursor: int) -> None:
    """Walk the session back (or forward) to `cursor` steps."""
    while session.stepper.cursor > cursor and session.back() is not None:
        pass
    while session.stepper.cursor < cursor and session.step() is not None:
        pass
