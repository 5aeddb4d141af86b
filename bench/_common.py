"""What the benchmark scripts share: where the checkout and the shared data are, and how a
``--set SECTION.KEY=VALUE`` config override is read."""

from __future__ import annotations

import argparse
import os
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path:
    """``$CALLTONE_SHARED_DATA`` or ``../shared/data`` beside the checkout (the labelled real
    recordings; see ../shared/data/README.md for their licences)."""
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


def config_overrides(
    items: Iterable[str], parser: argparse.ArgumentParser
) -> dict[str, dict[str, float]]:
    """``--set SECTION.KEY=VALUE`` items as ``AnalysisConfig.from_dict``'s nested dict (numbers
    only); a malformed item stops the script through ``parser.error`` naming it."""
    overrides: dict[str, dict[str, float]] = {}
    for item in items:
        key, _, value = item.partition("=")
        section, _, name = key.partition(".")
        if not (section and name and value):
            parser.error(f"--set {item!r}: expected SECTION.KEY=VALUE")
        try:
            overrides.setdefault(section, {})[name] = float(value)
        except ValueError:
            parser.error(f"--set {item!r}: the value must be a number")
    return overrides
