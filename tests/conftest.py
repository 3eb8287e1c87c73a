import os
import tempfile

# Qt must see these before any QApplication exists: tests run with no display, and keep their
# QSettings (window geometry) out of the user's real configuration.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="rnnviz-test-config-")
