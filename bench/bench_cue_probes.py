"""Written-text recall / precision of the cue matcher on the self-written probe rounds.

``python bench/bench_cue_probes.py --round 1 [--round 2 ...] [--matcher-py OLD/cues.py
--matcher-toml OLD/cues.toml] [--show]``: each round of ``bench/cue_probes_s16.py`` (positives in
wording no cue set has, beside hard negatives), scored per cue kind on the written text (no ASR),
with the misses and false positives listed by ``--show``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import cue_probes_s16 as probes  # noqa: E402
from bench_cues import fmt, load_matcher, score, text_segment  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--round", type=int, action="append", choices=sorted(probes.ROUNDS))
    ap.add_argument("--matcher-py", default=None)
    ap.add_argument("--matcher-toml", default=None)
    ap.add_argument("--show", action="store_true", help="list misses and false positives")
    args = ap.parse_args(argv)
    rounds = args.round or sorted(probes.ROUNDS)
    matcher = load_matcher(args.matcher_py, args.matcher_toml)
    kinds = list(matcher.kinds)
    for r in rounds:
        utt = probes.ROUNDS[r]
        pairs = []
        wrong = []
        for spk, text, truth in utt:
            got = {
                c.kind
                for c in matcher.find_cues(
                    [text_segment(spk, text)], customer_name=probes.CUSTOMER_NAME
                )
            }
            pairs.append((truth, got))
            if got != set(truth):
                wrong.append(f"{text} {sorted(truth)} -> {sorted(got)}")
        res = score(pairs, kinds)
        n_neg = sum(1 for t, _ in pairs if not t)
        neg_fp = sum(1 for t, g in pairs if not t and g)
        tp = sum(v["tp"] for v in res.values())
        pos = sum(v["tp"] + v["fn"] for v in res.values())
        fp = sum(v["fp"] for v in res.values())
        print(
            f"round {r}: {len(utt)} sentences ({n_neg} hard negatives); all kinds {tp}/{pos} "
            f"found, {fp} false positives ({neg_fp} hard negatives with a cue)"
        )
        for k in kinds:
            v = res[k]
            if v["tp"] + v["fn"] + v["fp"]:
                print(f"  {k:<20} {fmt(v)}  ({v['tp']}/{v['tp'] + v['fn']}, fp {v['fp']})")
        if args.show:
            for ln in wrong:
                print("   ", ln)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
