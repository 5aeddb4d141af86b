"""What the benchmark scripts share: where the checkout and the shared data are."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$CALLTONE_SHARED_DATA`` or ``../shared/data`` beside the checkout (the labelled real
    recordings; see ../shared/data/README.md for their licences)."""
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"
