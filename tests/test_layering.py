"""The architecture of DESIGN.md section 3, checked on the source: who may import whom."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "rnnviz"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", sorted((ROOT / "core").rglob("*.py")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_core_imports_only_numpy_stdlib_and_core(path):
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in ("PySide6", "pyqtgraph", "shiboken6", "PIL"), f"{path.name} imports {name}"
        if top == "rnnviz":
            assert name.startswith("rnnviz.core"), f"{path.name} reaches up into {name}"


@pytest.mark.parametrize("path", sorted((ROOT / "experiments").glob("*.py")), ids=lambda p: p.name)
def test_experiments_use_only_the_core(path):
    """The runner sits beside the UI, on the core: the app may call it, it never calls the app."""
    for name in imported_modules(path):
        top = name.split(".")[0]
        assert top not in ("PySide6", "pyqtgraph", "shiboken6", "PIL"), f"{path.name} imports {name}"
        if top == "rnnviz":
            assert name.startswith(("rnnviz.core", "rnnviz.experiments")), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted((ROOT / "ui" / "widgets").glob("*.py")), ids=lambda p: p.name)
def test_views_never_import_each_other(path):
    for name in imported_modules(path):
        assert not name.startswith("rnnviz.ui.widgets."), f"{path.name} imports another view: {name}"
        assert name not in ("rnnviz.ui.main_window", "rnnviz.ui.app"), f"{path.name} imports {name}"
