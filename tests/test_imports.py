"""Every package of hookwire imports on its own, first, in a fresh interpreter: an import
cycle shows up as an ImportError only when its package happens to be imported first (as the
CLI imports ``hookwire.identity``), so each is tried that way."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import hookwire

PACKAGES = sorted(f"hookwire.{module.name}" for module in pkgutil.iter_modules(hookwire.__path__))


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_imports_first(name: str) -> None:
    imported = subprocess.run(
        [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, timeout=120
    )
    assert imported.returncode == 0, imported.stderr[-3000:]
