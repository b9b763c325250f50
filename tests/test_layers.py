"""The layers of docs/design.md hold: import-linter's contracts in pyproject.toml pass
(each layer imports only those below it; no import cycle, imports inside functions
included)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("import-linter is not installed (pip install -e '.[dev]')")
    out = subprocess.run([exe, "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-2000:]
    assert "0 broken" in out.stdout


def test_no_submodule_is_shadowed_by_a_function() -> None:
    """``pkg.name`` is the submodule ``pkg/name.py`` wherever one exists (no function or
    class of the same name bound over it)."""
    import importlib
    import pkgutil
    import types

    import takeaways

    shadowed = []
    for info in pkgutil.walk_packages(takeaways.__path__, "takeaways."):
        if info.name.endswith("__main__") or ".server" in info.name:
            continue  # __main__ runs the CLI; server needs the extra (covered in tests/server)
        parent, _, leaf = info.name.rpartition(".")
        importlib.import_module(info.name)
        obj = getattr(importlib.import_module(parent), leaf)
        if not isinstance(obj, types.ModuleType):
            shadowed.append(info.name)
    assert shadowed == []
