"""qualitas.stats is a pure library: numpy, scipy and the standard library only, no Django."""

import ast
import sys
from pathlib import Path

import pytest

STATS = Path(__file__).resolve().parent.parent
ALLOWED = {"numpy", "scipy", "qualitas", "__future__"}


@pytest.mark.parametrize("module", sorted(path.name for path in STATS.glob("*.py")))
def test_module_imports_only_numpy_scipy_and_the_standard_library(module):
    tree = ast.parse((STATS / module).read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in ALLOWED or top in sys.stdlib_module_names, f"{module} imports {name}"
            if top == "qualitas":
                assert name.startswith("qualitas.stats"), f"{module} imports {name}"
