"""Build ``models/speech/meaning_bank.npz``: the labelled utterances the meaning cues compare with.

Every utterance of the six cue sets (``bench/cue_set.py``, ``cue_set_fresh.py`` ...
``cue_set_fresh5.py``; written for this project) with its speaker and kinds, and the routine call
talk of ``bench/meaning_routine.py`` with no kind (and, with ``--role-negatives``, the role-word /
"calm down" sentences of ``bench/meaning_role_negatives.py``, session 19: not in the packaged
bank, see docs/benchmarks_telephone.md, session 19), embedded with the default sentence encoder
(:func:`models.speech.meaning.default_encoder`). A set written later for a held-out evaluation
is NOT added until it has been scored once.

Run: ``python bench/build_meaning_bank.py [--sets dev,fresh,...] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_cues  # noqa: E402
import meaning_role_negatives  # noqa: E402
import meaning_routine  # noqa: E402

from calltone.models.speech.meaning import default_encoder  # noqa: E402
from calltone.models.speech.meaning_cues import build_bank, default_bank_path  # noqa: E402

SETS = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--out", default=str(default_bank_path()))
    ap.add_argument("--no-routine", action="store_true", help="leave out meaning_routine.py")
    ap.add_argument(
        "--role-negatives", action="store_true", help="add meaning_role_negatives.py"
    )
    args = ap.parse_args(argv)
    utterances = [] if args.no_routine else meaning_routine.utterances()
    if args.role_negatives:
        utterances += meaning_role_negatives.utterances()
    for s in args.sets.split(","):
        utterances += list(bench_cues.load_set(s)[0])
    bank = build_bank(default_encoder(), utterances)
    bank.save(Path(args.out))
    print(
        f"{len(bank.texts)} utterances from {args.sets} (+ routine: {not args.no_routine}, "
        f"+ role negatives: {args.role_negatives}) -> {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
