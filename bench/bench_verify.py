"""Cue recall and precision with keyword verification by forced rescoring (issue 14 item 3).

The sentences of one half of ``bench/cue_set.py`` (``--half dev`` to tune, ``--half heldout`` to
report once) are spoken by that half's espeak-ng voices through each channel of
``cue_set.CONDITIONS``, transcribed one utterance at a time with the recorded-call settings (the
first pass), and every doubted segment's candidates are scored once by
:func:`models.speech.verify.score_segment` with the loosest settings (``SCORE_CONFIG``); the
acceptance margin and the narrower gates are then applied to those scores exactly as
:func:`models.speech.verify.accept` applies them, so a grid costs no more decoding. Reported per
configuration: recall / precision per cue kind (all channels and per channel), replacements
(recovered tokens in the spoken sentence, invented tokens not in it, replacements on cue-free
sentences), WER, and the scoring time beside the first pass's.

``--real`` adds real speech with no cue expected (LCA calm calls, both sides; the phone call;
AMI): cues before and after, replacements. ``--quiet`` silence and white noise.

Run: ``nice -n 10 python bench/bench_verify.py --half dev --grid [--cache dev.pkl]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from bench_cues import score, speak  # noqa: E402
from cue_set import CONDITIONS, CUSTOMER_NAME, Labelled, half  # noqa: E402

from calltone.models.recorded.transcript import recorded_call_options  # noqa: E402
from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.text import normalize, token_edit_distance  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import Segment  # noqa: E402
from calltone.models.speech.verify import (  # noqa: E402
    VERIFY_PHRASES,
    ForcedScorer,
    SegmentScores,
    VerifyConfig,
    accept,
    score_segment,
)

SR = 16_000

#: Scored once with the loosest gates of the grid; narrower settings filter these scores.
SCORE_CONFIG = VerifyConfig(
    gate_word_probability=0.7, min_sound_similarity=0.2, max_candidates=16, min_gain_per_token=0.0
)


@dataclass
class Clip:
    speaker: str
    text: str
    truth: frozenset[str]
    condition: str
    voice: str
    first: list[Segment]
    first_s: float
    scores: list[SegmentScores | None]
    verify_s: float


def build(
    utterances: tuple[Labelled, ...],
    voices: tuple[str, ...],
    tr: Transcriber,
    phrases: tuple[str, ...],
) -> list[Clip]:
    scorer = ForcedScorer(tr)
    cfg = dataclasses.replace(SCORE_CONFIG, phrases=phrases)
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        for (spk, text, truth), voice, cond in itertools.product(utterances, voices, CONDITIONS):
            x = _speak_retrying(text, voice, cond, Path(tmp))
            t0 = time.perf_counter()
            first = tr.transcribe_array(x, speaker=spk)
            t1 = time.perf_counter()
            scores = [score_segment(scorer, x, s, cfg) for s in first]
            t2 = time.perf_counter()
            clips.append(Clip(spk, text, truth, cond, voice, first, t1 - t0, scores, t2 - t1))
            print(
                f"{voice} {cond} {text!r} -> {' '.join(s.text for s in first)!r} "
                f"({t1 - t0:.2f} s + {t2 - t1:.2f} s)",
                flush=True,
            )
    return clips


def _speak_retrying(text: str, voice: str, cond: str, folder: Path) -> np.ndarray:
    """espeak-ng, tried again when it timed out (seen once on the loaded machine)."""
    import subprocess

    for _ in range(2):
        try:
            return speak(text, voice, cond, folder)
        except subprocess.TimeoutExpired:
            time.sleep(5)
    return speak(text, voice, cond, folder)


_KEEP: dict[tuple[int, float, float, int], set[tuple[int, int, str]]] = {}


def narrowed(sc: SegmentScores, seg: Segment, cfg: VerifyConfig) -> SegmentScores | None:
    """The scores ``cfg`` would have computed (its gates and candidate cap)."""
    from calltone.models.speech.verify import candidates

    if min(w.probability for w in seg.words) >= cfg.gate_word_probability:
        return None
    key = (id(seg), cfg.gate_word_probability, cfg.min_sound_similarity, cfg.max_span_words)
    if key not in _KEEP:
        _KEEP[key] = {(c.i0, c.i1, c.phrase) for c in candidates(seg, cfg)}
    keep = _KEEP[key]
    cands = [c for c in sc.candidates if (c.i0, c.i1, c.phrase) in keep]
    return SegmentScores(sc.first, cands, sc.seconds) if cands else None


_CUES: dict[tuple[str, tuple[str, ...]], set[str]] = {}


def _kinds_found(matcher: CueMatcher, speaker: str, segs: list[Segment]) -> set[str]:
    """The cue kinds of a clip's segments (memoised by text: most configurations of a grid
    leave most clips as the first pass wrote them)."""
    key = (speaker, tuple(s.text for s in segs))
    if key not in _CUES:
        _CUES[key] = {q.kind for q in matcher.find_cues(segs, customer_name=CUSTOMER_NAME)}
    return _CUES[key]


def evaluate(clips: list[Clip], matcher: CueMatcher, cfg: VerifyConfig | None) -> dict[str, Any]:
    kinds = matcher.kinds
    pairs: dict[str, list[tuple[frozenset[str], set[str]]]] = {c: [] for c in CONDITIONS}
    recovered = invented = cuefree = edits = ref_words = 0
    first_s = verify_s = 0.0
    changes = []
    for c in clips:
        segs = list(c.first)
        first_s += c.first_s
        if cfg is not None:
            verify_s += c.verify_s
            for k, (seg, sc) in enumerate(zip(c.first, c.scores, strict=True)):
                if sc is None:
                    continue
                nsc = narrowed(sc, seg, cfg)
                if nsc is None:
                    continue
                segs[k], v = accept(seg, nsc, cfg)
                if v is None:
                    continue
                ref = normalize(c.text).split()
                new = normalize(v.new).split()
                recovered += sum(1 for t in new if t in ref)
                invented += sum(1 for t in new if t not in ref)
                cuefree += 0 if c.truth else 1
                changes.append(
                    f"[{c.voice} {c.condition}] {v.old!r} -> {v.new!r} "
                    f"(+{v.gain_per_token}) ({c.text})"
                )
        got = _kinds_found(matcher, c.speaker, segs)
        pairs[c.condition].append((c.truth, got))
        ref = normalize(c.text).split()
        hyp = normalize(" ".join(s.text for s in segs)).split()
        edits += token_edit_distance(ref, hyp)
        ref_words += len(ref)
    allp = [p for v in pairs.values() for p in v]
    return {
        "all": score(allp, kinds),
        "per_condition": {k: score(v, kinds) for k, v in pairs.items()},
        "wer": round(edits / max(1, ref_words), 4),
        "recovered_tokens": recovered,
        "invented_tokens": invented,
        "changes_on_cue_free": cuefree,
        "first_pass_s": round(first_s, 2),
        "verify_s": round(verify_s, 2),
        "changes": changes,
    }


def brief(r: dict[str, Any], kinds: list[str]) -> str:
    parts = [f"{k[:10]} {r['all'][k]['recall']}/{r['all'][k]['precision']}" for k in kinds]
    return (
        f"wer {r['wer']} rec+{r['recovered_tokens']} inv+{r['invented_tokens']} "
        f"cuefree {r['changes_on_cue_free']} cost {r['verify_s']}/{r['first_pass_s']} s | "
        + "; ".join(parts)
    )


def grid(phrases: tuple[str, ...]) -> list[VerifyConfig]:
    out = []
    for gate, sim, gain, span, pp in itertools.product(
        (0.5, 0.7),
        (0.3, 0.4, 0.5, 0.6),
        (-0.5, -0.3, -0.2, -0.1, 0.0, 0.1, 0.3),
        (2, 4),
        (0.0, 0.05, 0.1, 0.2),
    ):
        out.append(
            VerifyConfig(
                phrases=phrases,
                gate_word_probability=gate,
                min_sound_similarity=sim,
                min_gain_per_token=gain,
                max_span_words=span,
                max_candidates=16,
                min_phrase_probability=pp,
            )
        )
    return out


REAL_FILES: tuple[tuple[str, str], ...] = (
    ("lca_calls/Auto_Repairs_40_UTC_agent.flac", "agent"),
    ("lca_calls/Auto_Repairs_40_UTC_caller.flac", "customer"),
    ("lca_calls/agent.flac", "agent"),
    ("phone_call_2spk/sample.wav", "agent"),
    ("phone_call_2spk/sample.wav", "customer"),
    ("ami_meeting_4spk_60s/mixture.wav", "agent"),
    ("ami_meeting_4spk_60s/mixture.wav", "customer"),
)


def real_check(tr: Transcriber, configs: list[VerifyConfig], matcher: CueMatcher) -> dict:
    """Real speech with no cue expected: cues and replacements before / after verification
    with each config (the scores computed once with ``SCORE_CONFIG``)."""
    import soundfile as sf

    from calltone.models.speech.planning import silero_regions
    from calltone.models.speech.transcript import SpeechRegion

    data = Path(os.environ.get("CALLTONE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    scorer = ForcedScorer(tr)
    out: dict[str, Any] = {}
    for rel, spk in REAL_FILES:
        f = data / rel
        if not f.is_file():
            continue
        y, sr = sf.read(f, dtype="float32")
        if y.ndim > 1:
            y = y.mean(axis=1)
        if sr != SR:
            from scipy.signal import resample_poly

            y = resample_poly(y, SR, sr).astype(np.float32)
        dur = y.shape[0] / SR
        regions = silero_regions(y, [SpeechRegion(0.0, dur)], tr.options)
        t0 = time.perf_counter()
        first = tr.transcribe_regions(y, regions, speaker=spk)
        t1 = time.perf_counter()
        scores = [
            score_segment(
                scorer, y, s, dataclasses.replace(SCORE_CONFIG, phrases=configs[0].phrases)
            )
            for s in first
        ]
        t2 = time.perf_counter()
        before = [f"{c.kind} {c.quote!r}" for c in matcher.find_cues(first)]
        row: dict[str, Any] = {
            "seconds": round(dur, 1),
            "segments": len(first),
            "first_pass_s": round(t1 - t0, 2),
            "verify_s": round(t2 - t1, 2),
            "cues_before": before,
            "by_gain": {},
        }
        for cfg in configs:
            segs = list(first)
            made = []
            for k, (seg, sc) in enumerate(zip(first, scores, strict=True)):
                nsc = None if sc is None else narrowed(sc, seg, cfg)
                if nsc is not None:
                    segs[k], v = accept(seg, nsc, cfg)
                    if v is not None:
                        made.append(f"{v.old!r} -> {v.new!r} (+{v.gain_per_token})")
            after = [f"{c.kind} {c.quote!r}" for c in matcher.find_cues(segs)]
            row["by_gain"][str(cfg.min_gain_per_token)] = {
                "replacements": made,
                "new_cues": [c for c in after if c not in before],
            }
        out[f"{rel} ({spk})"] = row
        print(rel, spk, json.dumps(row, indent=1), flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("dev", "heldout"), default="dev")
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--voices", type=int, default=0)
    ap.add_argument("--skip-voices", type=int, default=0)
    ap.add_argument("--grid", action="store_true")
    ap.add_argument("--gain", type=float, default=None, help="min_gain_per_token to report")
    ap.add_argument("--cache", default=None)
    ap.add_argument("--json", default=None)
    ap.add_argument("--real", action="store_true", help="real cue-free speech only")
    ap.add_argument(
        "--build-only",
        action="store_true",
        help="transcribe and score into --cache, report nothing",
    )
    args = ap.parse_args(argv)
    matcher = CueMatcher.from_file()
    kinds = matcher.kinds
    tr = Transcriber(recorded_call_options())
    phrases = VERIFY_PHRASES
    utt, voices = half(args.half)
    if args.limit:
        utt = utt[: args.limit]
    voices = voices[args.skip_voices :]
    if args.voices:
        voices = voices[: args.voices]
    if args.real:
        gains = (-0.5, -0.3, -0.2, -0.1, 0.0) if args.gain is None else (args.gain,)
        cfgs = [VerifyConfig(phrases=phrases, min_gain_per_token=g) for g in gains]
        res = real_check(tr, cfgs, matcher)
        if args.json:
            Path(args.json).write_text(json.dumps(res, indent=1), encoding="utf-8")
        return 0
    if args.cache and Path(args.cache).is_file():
        with open(args.cache, "rb") as fh:
            clips = pickle.load(fh)
    else:
        clips = build(utt, voices, tr, phrases)
        if args.cache:
            with open(args.cache, "wb") as fh:
                pickle.dump(clips, fh)
    if args.build_only:
        return 0
    results: dict[str, Any] = {
        "half": args.half,
        "clips": len(clips),
        "load_1min": os.getloadavg()[0],
        "systems": {},
    }
    systems: list[tuple[str, VerifyConfig | None]] = [("first pass", None)]
    if args.grid:
        systems += [
            (
                f"gate {c.gate_word_probability} sim {c.min_sound_similarity} gain "
                f"{c.min_gain_per_token} span {c.max_span_words} phrase_p {c.min_phrase_probability}",
                c,
            )
            for c in grid(phrases)
        ]
    else:
        chosen = VerifyConfig(phrases=phrases)
        if args.gain is not None:
            chosen = dataclasses.replace(chosen, min_gain_per_token=args.gain)
        systems.append((f"VerifyConfig gain {chosen.min_gain_per_token}", chosen))
    for name, cfg in systems:
        r = evaluate(clips, matcher, cfg)
        results["systems"][name] = r
        print(f"\n{name}\n  {brief(r, kinds)}")
        if not args.grid or cfg is None:
            for ch in r["changes"]:
                print("   ", ch)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
