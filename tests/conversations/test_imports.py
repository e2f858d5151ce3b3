"""Each results module imports on its own, whatever is imported first (no import cycles
between the views and the flows that use them)."""

from __future__ import annotations

import subprocess
import sys

import pytest

MODULES = ("conversations.views.results", "conversations.views.pulse",
           "conversations.views.status", "conversations.export",
           "conversations.results.outcome", "conversations.results.closing",
           "conversations.results.reports", "conversations.home")


@pytest.mark.parametrize("module", MODULES)
def test_the_module_imports_first_in_a_fresh_interpreter(module: str) -> None:
    done = subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
