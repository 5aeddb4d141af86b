"""Cue recall and precision with and without the gated second pass (issue 14), per half.

The sentences of one half of ``bench/cue_set.py`` (``--half dev`` to tune, ``--half heldout`` to
report) are spoken by that half's espeak-ng voices, passed through each channel of
``cue_set.CONDITIONS`` (wideband, G.711 mu-law, GSM with noise at 20 dB SNR), transcribed one
utterance at a time with calltone's recorded-call settings (the first pass), and every segment is
decoded once more per bias variant (cached, so the gate and the acceptance thresholds are applied
afterwards exactly as :func:`models.speech.cue_pass.refine_cue_words` applies them). Reported per
configuration:

- recall / precision per cue kind, over all channels and per channel;
- replacements taken, split into *recovered* tokens (in the spoken sentence) and *invented*
  tokens (not in it), and replacements on utterances without a cue;
- word error rate of the whole set against the written sentences;
- cost: segments decoded again and their decode time beside the first pass's;
- "hotwords everywhere" (the biased decode taken whole) for comparison;
- silence and white noise (-40 and -25 dBFS, 6 s) through first + second pass: words written;
- optionally real speech without cues (``--ravdess N``: RAVDESS neutral/calm statements through
  the same channels): replacements and cues found.

Run: ``nice -n 5 python bench/bench_cue_pass.py --half dev [--grid] [--json out.json]``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import pickle
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import telephone  # noqa: E402
from bench_cues import score, speak  # noqa: E402
from cue_set import CONDITIONS, CUSTOMER_NAME, Labelled, half  # noqa: E402

from calltone.models.recorded.transcript import CUE_HOTWORDS, recorded_call_options  # noqa: E402
from calltone.models.speech.cue_pass import (  # noqa: E402
    CuePassConfig,
    apply_second_pass,
    biased_transcriber,
    needs_second_pass,
    redecode_segment,
    refine_cue_words,
)
from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.text import normalize, token_edit_distance  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import Segment, Word  # noqa: E402

SR = 16_000
KEYS_SHORT = ("supervisor", "manager", "calm down")
KEYS_WITH_APOLOGY = (*KEYS_SHORT, "apologize", "sorry")

#: Bias variants decoded (each is one cached second decode of every segment).
VARIANTS: dict[str, CuePassConfig] = {
    "hotwords: key phrases": CuePassConfig(key_phrases=KEYS_SHORT, hotwords_text=None),
    "hotwords: CUE_HOTWORDS sentences": CuePassConfig(
        key_phrases=(*KEYS_SHORT, "escalate"), hotwords_text=CUE_HOTWORDS
    ),
    "initial_prompt: key phrases": CuePassConfig(
        key_phrases=KEYS_SHORT, hotwords_text=None, bias="initial_prompt"
    ),
    "hotwords: key phrases + apology": CuePassConfig(
        key_phrases=KEYS_WITH_APOLOGY, hotwords_text=None
    ),
}


@dataclass
class Clip:
    speaker: str
    text: str
    truth: frozenset[str]
    condition: str
    voice: str
    x: np.ndarray
    first: list[Segment]
    first_s: float
    second: dict[str, list[tuple[list[Word], float]]] = field(default_factory=dict)


def build_clips(
    utterances: tuple[Labelled, ...], voices: tuple[str, ...], tr: Transcriber
) -> list[Clip]:
    clips = []
    with tempfile.TemporaryDirectory() as tmp:
        for (spk, text, truth), voice, cond in itertools.product(utterances, voices, CONDITIONS):
            x = speak(text, voice, cond, Path(tmp))
            t0 = time.perf_counter()
            first = tr.transcribe_array(x, speaker=spk)
            clips.append(Clip(spk, text, truth, cond, voice, x, first, time.perf_counter() - t0))
    return clips


def decode_variants(
    clips: list[Clip],
    tr: Transcriber,
    variants: dict[str, CuePassConfig],
    gate: float | None = None,
) -> None:
    """Every segment decoded again per variant; with ``gate``, only segments that pass it
    (the others get no words: "everywhere" is then not measured)."""
    for name, cfg in variants.items():
        biased = biased_transcriber(tr, cfg)
        for c in clips:
            out: list[tuple[list[Word], float]] = []
            for seg in c.first:
                if gate is not None and not needs_second_pass(
                    seg, CuePassConfig(gate_word_probability=gate)
                ):
                    out.append(([], 0.0))
                    continue
                t0 = time.perf_counter()
                words, _span = redecode_segment(biased, c.x, seg, pad_s=cfg.clip_pad_s)
                out.append((words, time.perf_counter() - t0))
            c.second[name] = out


def refined(c: Clip, variant: str, cfg: CuePassConfig) -> tuple[list[Segment], list[Any], float]:
    """The clip's segments after the second pass with ``cfg`` (gate applied), replacements,
    and the second pass's decode time."""
    segs, made, cost = [], [], 0.0
    for seg, (words, dt) in zip(c.first, c.second[variant], strict=True):
        if needs_second_pass(seg, cfg):
            cost += dt
            seg, changes = apply_second_pass(seg, words, cfg)
            made.extend(changes)
        segs.append(seg)
    return segs, made, cost


def everywhere(c: Clip, variant: str) -> list[Segment]:
    out = []
    for seg, (words, _dt) in zip(c.first, c.second[variant], strict=True):
        if words:
            text = " ".join(w.word for w in words)
            out.append(Segment(seg.speaker, words[0].start_s, words[-1].end_s, text, words))
    return out


def evaluate(
    clips: list[Clip],
    matcher: CueMatcher,
    system: str,
    variant: str | None,
    cfg: CuePassConfig | None,
) -> dict[str, Any]:
    kinds = matcher.kinds
    pairs: dict[str, list[tuple[frozenset[str], set[str]]]] = {c: [] for c in CONDITIONS}
    recovered = invented = cuefree_changes = 0
    edits = ref_words = 0
    first_s = second_s = 0.0
    n_redone = 0
    changes: list[str] = []
    for c in clips:
        made: list[Any] = []
        if variant is None:
            segs = c.first
        elif cfg is None:
            segs = everywhere(c, variant)
        else:
            segs, made, cost = refined(c, variant, cfg)
            second_s += cost
            n_redone += sum(1 for s in c.first if needs_second_pass(s, cfg))
        first_s += c.first_s
        got = {cue.kind for cue in matcher.find_cues(segs, customer_name=CUSTOMER_NAME)}
        pairs[c.condition].append((c.truth, got))
        ref = normalize(c.text).split()
        for r in made:
            new = normalize(r.new).split()
            recovered += sum(1 for t in new if t in ref)
            invented += sum(1 for t in new if t not in ref)
            if not c.truth:
                cuefree_changes += 1
            changes.append(f"[{c.voice} {c.condition}] {r.old!r} -> {r.new!r}  ({c.text})")
        hyp = normalize(" ".join(s.text for s in segs)).split()
        edits += token_edit_distance(ref, hyp)
        ref_words += len(ref)
    allpairs = [p for v in pairs.values() for p in v]
    out: dict[str, Any] = {
        "system": system,
        "all": score(allpairs, kinds),
        "per_condition": {cond: score(v, kinds) for cond, v in pairs.items()},
        "wer": round(edits / max(1, ref_words), 4),
        "recovered_tokens": recovered,
        "invented_tokens": invented,
        "changes_on_cue_free_utterances": cuefree_changes,
        "segments_redecoded": n_redone,
        "segments": sum(len(c.first) for c in clips),
        "first_pass_s": round(first_s, 2),
        "second_pass_s": round(second_s, 2),
        "changes": changes,
    }
    return out


def quiet_check(tr: Transcriber, cfg: CuePassConfig) -> dict[str, int]:
    rng = np.random.default_rng(3)
    out = {}
    for name, x in (
        ("silence", np.zeros(6 * SR, dtype=np.float32)),
        ("noise -40 dBFS", (0.01 * rng.standard_normal(6 * SR)).astype(np.float32)),
        ("noise -25 dBFS", (0.056 * rng.standard_normal(6 * SR)).astype(np.float32)),
    ):
        first = tr.transcribe_array(x, speaker="agent")
        res = refine_cue_words(tr, x, first, cfg)
        out[name] = sum(len(s.words) for s in res.segments)
    return out


def ravdess_check(tr: Transcriber, cfg: CuePassConfig, matcher: CueMatcher, n: int) -> dict:
    data = Path(os.environ.get("CALLTONE_SHARED_DATA", ROOT.parent / "shared" / "data"))
    files = sorted((data / "ravdess_dev").glob("*.wav"))
    # neutral and calm, normal intensity (field 3 emotion 01/02, field 4 intensity 01)
    files = [f for f in files if f.stem.split("-")[2] in ("01", "02")][:n]
    out: dict[str, Any] = {"files": len(files), "replacements": [], "cues": []}
    for f, cond in itertools.product(files, CONDITIONS):
        y, sr = sf.read(f, dtype="float32")
        if y.ndim > 1:
            y = y.mean(axis=1)
        x = telephone.to_16k(telephone.simulate(y, sr, telephone.CONDITIONS[cond])).reshape(-1)
        first = tr.transcribe_array(x, speaker="agent")
        res = refine_cue_words(tr, x, first, cfg)
        out["replacements"] += [
            f"{f.stem} {cond}: {r.old!r} -> {r.new!r}" for r in res.replacements
        ]
        out["cues"] += [
            f"{f.stem} {cond}: {c.kind} {c.quote!r}" for c in matcher.find_cues(res.segments)
        ]
    return out


def grid() -> list[tuple[str, CuePassConfig]]:
    out = []
    for variant, base in VARIANTS.items():
        for gate, accept, sim, span in itertools.product(
            (0.5, 0.7), (0.3, 0.5, 0.7), (0.0, 0.3, 0.4, 0.5), (3, 4)
        ):
            if accept > gate:
                continue
            cfg = CuePassConfig(
                key_phrases=base.key_phrases,
                bias=base.bias,
                hotwords_text=base.hotwords_text,
                gate_word_probability=gate,
                accept_word_probability=accept,
                min_sound_similarity=sim,
                max_span_words=span,
            )
            out.append((variant, cfg))
    return out


def _with_bias(variant: str) -> CuePassConfig:
    """The default thresholds with a variant's bias and key phrases."""
    base = VARIANTS[variant]
    return CuePassConfig(
        key_phrases=base.key_phrases, bias=base.bias, hotwords_text=base.hotwords_text
    )


def brief(r: dict[str, Any], kinds: list[str]) -> str:
    parts = []
    for k in kinds:
        s = r["all"][k]
        parts.append(f"{k[:10]} {s['recall']}/{s['precision']}")
    return (
        f"wer {r['wer']} rec+{r['recovered_tokens']} inv+{r['invented_tokens']} "
        f"cuefree {r['changes_on_cue_free_utterances']} redo {r['segments_redecoded']}/"
        f"{r['segments']} cost {r['second_pass_s']}/{r['first_pass_s']} s | " + "; ".join(parts)
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--half", choices=("dev", "heldout"), default="dev")
    ap.add_argument("--grid", action="store_true", help="every configuration of grid()")
    ap.add_argument(
        "--variant", action="append", default=None, help="bias variants decoded (default: all)"
    )
    ap.add_argument("--limit", type=int, default=0, help="first N sentences only (iterating)")
    ap.add_argument("--voices", type=int, default=0, help="first N voices of the half only")
    ap.add_argument("--skip-voices", type=int, default=0, help="leave out the first N voices")
    ap.add_argument("--ravdess", type=int, default=0, help="N real cue-free files through it")
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--gate-only", type=float, default=None, help="decode again only segments under this"
    )
    ap.add_argument(
        "--cache", default=None, help="pickle of the decoded clips: written once, then reused"
    )
    args = ap.parse_args(argv)
    matcher = CueMatcher.from_file()
    kinds = matcher.kinds
    tr = Transcriber(recorded_call_options())
    utterances, voices = half(args.half)
    if args.limit:
        utterances = utterances[: args.limit]
    voices = voices[args.skip_voices :]
    if args.voices:
        voices = voices[: args.voices]
    t0 = time.perf_counter()
    variants = {v: VARIANTS[v] for v in (args.variant or list(VARIANTS))}
    if args.cache and Path(args.cache).is_file():
        with open(args.cache, "rb") as fh:
            clips = pickle.load(fh)
    else:
        clips = build_clips(utterances, voices, tr)
        decode_variants(clips, tr, variants, gate=args.gate_only)
        if args.cache:
            for c in clips:
                c.x = np.zeros(0, dtype=np.float32)
            with open(args.cache, "wb") as fh:
                pickle.dump(clips, fh)
    results: dict[str, Any] = {
        "half": args.half,
        "clips": len(clips),
        "load_1min": os.getloadavg()[0],
        "wall_s": round(time.perf_counter() - t0, 1),
        "systems": [],
    }
    systems: list[tuple[str, str | None, CuePassConfig | None]] = [("first pass", None, None)]
    if args.gate_only is None:
        systems += [(f"{v}, everywhere", v, None) for v in variants]
    if args.grid:
        systems += [
            (
                f"{v}; gate {c.gate_word_probability} accept {c.accept_word_probability} "
                f"sim {c.min_sound_similarity} span {c.max_span_words}",
                v,
                c,
            )
            for v, c in grid()
            if v in variants
        ]
    else:
        systems += [(f"{v}; CuePassConfig defaults", v, _with_bias(v)) for v in variants]
    for name, variant, cfg in systems:
        r = evaluate(clips, matcher, name, variant, cfg)
        results["systems"].append(r)
        print(f"\n{name}\n  {brief(r, kinds)}")
    results["quiet"] = quiet_check(tr, CuePassConfig())
    print("\nsilence / noise, words after first + second pass:", results["quiet"])
    if args.ravdess:
        results["ravdess"] = ravdess_check(tr, CuePassConfig(), matcher, args.ravdess)
        print("\nRAVDESS:", json.dumps(results["ravdess"], indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
