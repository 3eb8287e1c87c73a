import os

# Qt must see this before any QApplication exists: tests run with no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
