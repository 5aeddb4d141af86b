"""Shared fixtures: the real-data folder (skips cleanly when absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.synth import shared_data_dir


@pytest.fixture
def shared_data() -> Path:
    d = shared_data_dir()
    if not d.is_dir():
        pytest.skip(
            f"real recordings not found at {d} (set CALLTONE_SHARED_DATA to the shared/data folder)"
        )
    return d
