"""Cue kinds from sentence meaning, held out by set (issue 14): does the meaning rule find the
paraphrases the phrase matcher misses, on a set it never saw, without inventing cues?

Leave-one-set-out over the labelled cue sets (``dev``, ``fresh`` ... ``fresh5``; each written by
another author in other words): for each set, a bank of the *other* sets' utterances
(:class:`models.speech.meaning_cues.MeaningBank`) feeds the shipped finder
(:class:`~models.speech.meaning_cues.MeaningCueFinder`), and the packaged phrase matcher united
with it (:class:`models.speech.cues.CueMatcher` with ``meaning``) is scored on the held-out set's
written text, beside the matcher alone; per kind recall / precision, per set and pooled. The real
transcripts' sentences (phone call STM, AMI), as agent and as customer, count every cue as a false
positive. Every fold's bank also holds the routine talk of ``bench/meaning_routine.py``
(negatives; ``--no-routine`` leaves it out). ``added@m``: the cues only the meaning rule found.
Mind that the phrase matcher was developed on all six sets, so its own figures are
optimistic on every set but the last it was scored blind on.

Run: ``nice -n 10 python bench/meaning_cues_cv.py [--margins 0.05,0.07,0.09] [--neighbours 3]
[--json out.json]``. Utterance vectors are cached by text (``--cache``).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_cues  # noqa: E402
import meaning_role_negatives  # noqa: E402
import meaning_routine  # noqa: E402
from _common import shared_data_dir  # noqa: E402

from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.meaning import default_encoder  # noqa: E402
from calltone.models.speech.meaning_cues import (  # noqa: E402
    _PROBE_SENTENCE,
    MEANING_KINDS,
    MeaningBank,
    MeaningCueFinder,
    MeaningCueOptions,
    role_act_options,
)

SETS = ("dev", "fresh", "fresh2", "fresh3", "fresh4", "fresh5")


class EmbCache:
    """Sentence vectors by text, kept in an ``.npz`` between runs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as z:
                for t, v in zip(z["texts"], z["vecs"], strict=True):
                    self.data[str(t)] = v

    def get(self, texts: list[str]) -> np.ndarray:
        todo = sorted({t for t in texts if t not in self.data})
        if todo:
            for t, v in zip(todo, default_encoder().encode(todo), strict=True):
                self.data[t] = v
            keys = sorted(self.data)
            np.savez(self.path, texts=np.array(keys), vecs=np.stack([self.data[k] for k in keys]))
        return np.stack([self.data[t] for t in texts])


def counts(pairs: list[tuple[frozenset[str], set[str]]]) -> dict[str, dict[str, int]]:
    out = {}
    for k in MEANING_KINDS:
        out[k] = {
            "tp": sum(1 for t, g in pairs if k in t and k in g),
            "fn": sum(1 for t, g in pairs if k in t and k not in g),
            "fp": sum(1 for t, g in pairs if k not in t and k in g),
        }
    return out


def met(c: dict[str, dict[str, int]]) -> int:
    """Kinds with recall >= 0.8 and precision >= 0.9."""
    return sum(
        1
        for d in c.values()
        if d["tp"] >= 0.8 * max(1, d["tp"] + d["fn"]) and d["tp"] >= 0.9 * max(1, d["tp"] + d["fp"])
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--margins", default="0.05,0.07,0.09")
    ap.add_argument("--neighbours", type=int, default=MeaningCueOptions().neighbours)
    ap.add_argument("--min-words", type=int, default=MeaningCueOptions().min_words)
    ap.add_argument("--no-routine", action="store_true", help="bank without meaning_routine.py")
    ap.add_argument(
        "--role-negatives",
        action="store_true",
        help="every fold's bank also holds bench/meaning_role_negatives.py (session 19)",
    )
    ap.add_argument(
        "--kinds",
        choices=("shipped", "all", "role-act"),
        default="shipped",
        help="the kinds read from meaning: the shipped default, all 14 with the plain rule, or "
        "the shipped ones plus the role kinds under the act rule (role_act_options)",
    )
    ap.add_argument(
        "--wide-acts",
        action="store_true",
        help="with --kinds role-act: the widened act classes (wide_act_classes, session 20)",
    )
    ap.add_argument(
        "--pairs",
        action="store_true",
        help="with --kinds role-act: split offers / requests read over two sentences of one "
        "turn (act_pair_max_gap_s, session 20)",
    )
    ap.add_argument(
        "--escalation",
        action="store_true",
        help="with --kinds role-act: the escalation classes over the widened ones "
        "(escalation_classes, session 21)",
    )
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--cache", default="/tmp/calltone_meaning_emb.npz")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    sets = args.sets.split(",")
    margins = [float(x) for x in args.margins.split(",")]
    cache = EmbCache(Path(args.cache))
    enc = default_encoder()
    probe = enc.encode([_PROBE_SENTENCE])[0]
    data = {s: bench_cues.load_set(s) for s in sets}
    real = bench_cues.real_sentences(shared_data_dir())
    phrases = CueMatcher.from_file()
    phrases.meaning = None
    systems = ["matcher"] + [f"union@{m}" for m in margins] + [f"added@{m}" for m in margins]
    per_set: dict[str, dict[str, Any]] = {}
    pooled: dict[str, list[tuple[frozenset[str], set[str]]]] = {k: [] for k in systems}
    real_fp: dict[str, int] = dict.fromkeys(systems, 0)
    finders: dict[str, MeaningCueFinder] = {}
    for held in sets:
        train = [u for s in sets if s != held for u in data[s][0]]
        if not args.no_routine:
            train += meaning_routine.utterances()
        if args.role_negatives:
            train += meaning_role_negatives.utterances()
        bank = MeaningBank(
            texts=tuple(t for _, t, _ in train),
            speakers=tuple(s for s, _, _ in train),
            kinds=tuple(frozenset(k) & set(MEANING_KINDS) for _, _, k in train),
            vectors=cache.get([t for _, t, _ in train]),
            model=enc.name,
            probe=probe,
        )
        opts = MeaningCueOptions(neighbours=args.neighbours, min_words=args.min_words)
        if args.kinds == "all":
            opts = replace(opts, kinds=MEANING_KINDS)
        elif args.kinds == "role-act":
            opts = role_act_options(
                opts, wide_acts=args.wide_acts, pairs=args.pairs, escalation=args.escalation
            )
        finder = MeaningCueFinder(enc, bank, opts)
        if finders:  # share sentence vectors between folds
            finder._cache = next(iter(finders.values()))._cache
        finders[held] = finder
        utts, name, _ = data[held]
        per_set[held] = {}
        for system in systems:
            if system == "matcher":
                m = phrases
            else:
                margin = system.split("@")[1]
                finder.options = replace(finder.options, min_margin_cos=float(margin))
                m = CueMatcher(
                    phrases.specs,
                    near_miss=phrases.near_miss,
                    regex_skips_fillers=phrases.regex_skips_fillers,
                    name_split_after_title=phrases.name_split_after_title,
                    meaning=finder,
                )
            only_meaning = system.startswith("added@")
            pairs = []
            for spk, text, truth in utts:
                cues = m.find_cues([bench_cues.text_segment(spk, text)], customer_name=name)
                got = {c.kind for c in cues if not only_meaning or c.source == "meaning"}
                pairs.append((frozenset(truth) & set(MEANING_KINDS), got & set(MEANING_KINDS)))
            per_set[held][system] = counts(pairs)
            pooled[system] += pairs
        print(f"held out {held}: " + ", ".join(
            f"{s} {met(per_set[held][s])}" for s in systems), flush=True)
    # Real sentences: every cue is a false positive (bank of all sets but none of these).
    for system in systems:
        n = 0
        for i, held in enumerate(sets):
            fold = [r for j, r in enumerate(real) if j % len(sets) == i]
            only_meaning = system.startswith("added@")
            if system == "matcher":
                m = phrases
            else:
                margin = system.split("@")[1]
                f = finders[held]
                f.options = replace(f.options, min_margin_cos=float(margin))
                m = CueMatcher(phrases.specs, near_miss=phrases.near_miss,
                               regex_skips_fillers=phrases.regex_skips_fillers, meaning=f)
            for r in fold:
                for spk in ("agent", "customer"):
                    cues = m.find_cues([bench_cues.text_segment(spk, r)], customer_name=None)
                    n += sum(
                        1
                        for c in cues
                        if c.kind in MEANING_KINDS and (not only_meaning or c.source == "meaning")
                    )
        real_fp[system] = n
    tot = {s: counts(pooled[s]) for s in systems}

    def pr(d: dict[str, int]) -> str:
        return f"{d['tp'] / max(1, d['tp'] + d['fn']):.2f}/{d['tp'] / max(1, d['tp'] + d['fp']):.2f}"

    print(f"\nleave-one-set-out over {sets}, written text, pooled recall/precision")
    print(f"  {'kind':<18} " + " | ".join(f"{s:>12}" for s in systems))
    for k in MEANING_KINDS:
        print(f"  {k:<18} " + " | ".join(f"{pr(tot[s][k]):>12}" for s in systems))
    print("  kinds met pooled: " + ", ".join(f"{s} {met(tot[s])}" for s in systems))
    print(f"  real transcripts ({len(real)} sentences x 2 speakers), cues: {real_fp}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"per_set": per_set, "pooled": tot, "real_fp": real_fp}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
