"""Cue recall and precision on telephone speech (issue 14).

The labelled utterances of a cue set are spoken with espeak-ng voices, passed through the
telephone channels of ``bench/telephone.py`` (every voice through wideband, G.711 mu-law and GSM
with noise at 20 dB SNR) and transcribed one utterance at a time with calltone's recorded-call
settings; :meth:`CueMatcher.find_cues` then runs on the transcript. Per cue kind: recall and
precision over every (utterance, voice, channel) clip, per channel, beside the same matcher on
the written text (what the matcher alone loses).

Sets (``--set``):

- ``dev``: all of ``bench/cue_set.py`` (both of its halves have shaped the matcher: development
  data), spoken by every voice it names (``VOICES``, ``DEV_VOICES``, ``HELDOUT_VOICES``);
- ``fresh``: ``bench/cue_set_fresh.py`` (same format), written blind to the matcher (scored once
  as held-out in session 9, development data since); its misses are not printed unless
  ``--show-misses``;
- ``fresh2``: ``bench/cue_set_fresh2.py`` (same format: ``UTTERANCES``, ``CUSTOMER_NAME``,
  ``VOICES``), the lead's second blind set; misses are not printed unless ``--show-misses``.
- ``fresh3``: ``bench/cue_set_fresh3.py`` (same format), a third blind set written in session 16
  for one held-out evaluation; misses are not printed unless ``--show-misses``.
- ``fresh4``: ``bench/cue_set_fresh4.py`` (same format), a fourth blind set written in session 17
  for one held-out evaluation; misses are not printed unless ``--show-misses``.
- ``fresh5``: ``bench/cue_set_fresh5.py`` (same format), a fifth blind set written in session 17
  for one held-out evaluation; misses are not printed unless ``--show-misses``.
- ``fresh6``: ``bench/cue_set_fresh6.py`` (same format), a sixth blind set written in session 18
  for one held-out evaluation (the sentence-embedding detector beside the phrase matcher); misses
  are not printed unless ``--show-misses``.
- ``fresh7``: ``bench/cue_set_fresh7.py`` (same format), a seventh blind set written in session 20
  for one held-out evaluation of the phrase cues; misses are not printed unless
  ``--show-misses``.
- ``fresh8``: ``bench/cue_set_fresh8.py`` (same format), an eighth blind set written in session 21
  for one held-out evaluation, weighted to the two role kinds (manager requests and supervisor
  offers, with their hard negatives); misses are not printed unless ``--show-misses``.

Negatives beyond the sets' hard negatives: every sentence of the phone call's STM and of the AMI
transcripts, searched as agent and as customer speech (any cue there is a false positive), and
``--real-calls``: the LCA contact-centre calls transcribed (cached) and every cue listed, to be
judged by reading (they are real calls, so some cues there are right).

Transcripts are cached (``--cache``, JSON keyed by system, voice, channel, speaker and text), so
two matchers score the same Whisper output: ``--matcher-py OLD/cues.py --matcher-toml OLD/cues.toml``
loads another version of the matcher from files (e.g. the one at an earlier commit).

Run: ``nice -n 10 python bench/bench_cues.py --set dev [--json out.json]``;
``--transcribe-only`` fills the cache and reports nothing but counts.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import telephone  # noqa: E402
from _common import shared_data_dir  # noqa: E402

from calltone.models.recorded.transcript import CUE_HOTWORDS, recorded_call_options  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import Segment, Word  # noqa: E402

SR = 16_000
CONDITIONS: tuple[str, ...] = ("wideband", "nb_ulaw", "nb_gsm_noise20")
FIRST_PASS = "calltone recorded-call settings"
HOTWORDS = "... + cue hotwords"
REAL_CALLS: tuple[tuple[str, str], ...] = (
    ("lca_calls/Auto_Repairs_40_UTC_agent.flac", "agent"),
    ("lca_calls/Auto_Repairs_40_UTC_caller.flac", "customer"),
    ("lca_calls/agent.flac", "agent"),
)

Labelled = tuple[str, str, frozenset[str]]


def load_set(name: str) -> tuple[tuple[Labelled, ...], str, tuple[str, ...]]:
    """The utterances, the customer's name and the voices of a set (``dev`` ... ``fresh8``)."""
    if name == "dev":
        import cue_set as mod
    elif name == "fresh":
        import cue_set_fresh as mod
    elif name == "fresh2":
        try:
            import cue_set_fresh2 as mod  # the lead's blind set: not opened by the matcher's authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh2' needs bench/cue_set_fresh2.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh3":
        try:
            import cue_set_fresh3 as mod  # session 16's blind set: not opened by the matcher's authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh3' needs bench/cue_set_fresh3.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh4":
        try:
            import cue_set_fresh4 as mod  # session 17's blind set: not opened by the matcher's authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh4' needs bench/cue_set_fresh4.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh5":
        try:
            import cue_set_fresh5 as mod  # session 17's fifth blind set, not opened by matcher authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh5' needs bench/cue_set_fresh5.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh6":
        try:
            import cue_set_fresh6 as mod  # session 18's sixth blind set, not opened by detector authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh6' needs bench/cue_set_fresh6.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh7":
        try:
            import cue_set_fresh7 as mod  # session 20's seventh blind set, not opened by detector authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh7' needs bench/cue_set_fresh7.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    elif name == "fresh8":
        try:
            import cue_set_fresh8 as mod  # session 21's eighth blind set, not opened by detector authors
        except ModuleNotFoundError as exc:
            raise SystemExit(
                "set 'fresh8' needs bench/cue_set_fresh8.py (UTTERANCES, CUSTOMER_NAME, VOICES)"
            ) from exc
    else:
        raise ValueError(
            "set must be 'dev', 'fresh', 'fresh2', 'fresh3', 'fresh4', 'fresh5', 'fresh6', "
            "'fresh7' or 'fresh8', "
            f"got {name!r}"
        )
    voices: list[str] = []
    for attr in ("VOICES", "DEV_VOICES", "HELDOUT_VOICES"):
        for v in getattr(mod, attr, ()):
            name_v = v[0] if isinstance(v, tuple | list) else v
            if name_v not in voices:
                voices.append(str(name_v))
    return tuple(mod.UTTERANCES), str(mod.CUSTOMER_NAME), tuple(voices)


def load_matcher(py: str | None, toml: str | None) -> Any:
    """The packaged matcher, or the one in ``py`` (a cues.py) with the cue file ``toml``."""
    if py is None:
        from calltone.models.speech.cues import CueMatcher

        return CueMatcher.from_file(toml)
    spec = importlib.util.spec_from_file_location("cues_other", py)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["cues_other"] = mod
    spec.loader.exec_module(mod)
    return mod.CueMatcher.from_file(toml or Path(py).with_name("cues.toml"))


def text_segment(speaker: str, text: str) -> Segment:
    """The written text as one segment, words spread evenly (the matcher without Whisper)."""
    parts = text.split()
    words = [Word(w, 0.3 * k, 0.3 * k + 0.25) for k, w in enumerate(parts)]
    return Segment(speaker, 0.0, words[-1].end_s, text, words)


def speak(text: str, voice: str, condition: str, folder: Path) -> np.ndarray:
    wav = folder / "u.wav"
    for attempt in range(3):
        try:
            subprocess.run(
                ["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), text],
                check=True,
                timeout=60,
            )
            break
        except subprocess.TimeoutExpired:
            if attempt == 2:
                raise
            time.sleep(5)
    y, sr = sf.read(wav, dtype="float32")
    x = telephone.to_16k(telephone.simulate(y, sr, telephone.CONDITIONS[condition])).reshape(-1)
    pad = np.zeros(SR // 2, dtype=np.float32)
    return np.concatenate([pad, x, pad])


def seg_to_json(s: Segment) -> dict[str, Any]:
    return {
        "speaker": s.speaker,
        "start_s": s.start_s,
        "end_s": s.end_s,
        "text": s.text,
        "words": [[w.word, w.start_s, w.end_s, w.probability] for w in s.words],
    }


def seg_from_json(d: dict[str, Any]) -> Segment:
    words = [Word(w, a, b, p) for w, a, b, p in d["words"]]
    return Segment(d["speaker"], d["start_s"], d["end_s"], d["text"], words)


class Cache:
    """Transcripts by key, saved as JSON after every few additions."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, list[dict[str, Any]]] = {}
        if path.is_file():
            self.data = json.loads(path.read_text(encoding="utf-8"))
        self._dirty = 0

    def get(self, key: str) -> list[Segment] | None:
        d = self.data.get(key)
        return None if d is None else [seg_from_json(s) for s in d]

    def put(self, key: str, segs: list[Segment]) -> None:
        self.data[key] = [seg_to_json(s) for s in segs]
        self._dirty += 1
        if self._dirty >= 20:
            self.save()

    def save(self) -> None:
        if self._dirty:
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.data), encoding="utf-8")
            tmp.replace(self.path)
            self._dirty = 0


def real_sentences(data: Path) -> list[str]:
    out = []
    stm = data / "phone_call_2spk" / "sample.stm"
    if stm.is_file():
        out += [
            ln.split(maxsplit=5)[5] for ln in stm.read_text().splitlines() if ln.count(" ") >= 5
        ]
    for p in sorted((data / "ami_meeting_4spk_60s" / "text").glob("*.txt")):
        out += [s for s in re.split(r"(?<=[.?!])\s+", p.read_text(encoding="utf-8")) if s.strip()]
    return out


def real_call_segments(tr: Transcriber, cache: Cache, rel: str, spk: str) -> list[Segment] | None:
    key = f"real|{rel}|{spk}"
    got = cache.get(key)
    if got is not None:
        return got
    f = shared_data_dir() / rel
    if not f.is_file():
        return None
    from scipy.signal import resample_poly

    from calltone.models.speech.planning import silero_regions
    from calltone.models.speech.transcript import SpeechRegion

    y, sr = sf.read(f, dtype="float32")
    if y.ndim > 1:
        y = y.mean(axis=1)
    if sr != SR:
        y = resample_poly(y, SR, sr).astype(np.float32)
    regions = silero_regions(y, [SpeechRegion(0.0, y.shape[0] / SR)], tr.options)
    segs = tr.transcribe_regions(y, regions, speaker=spk)
    cache.put(key, segs)
    cache.save()
    return segs


def score(pairs: list[tuple[frozenset[str], set[str]]], kinds: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k in kinds:
        tp = sum(1 for truth, got in pairs if k in truth and k in got)
        fn = sum(1 for truth, got in pairs if k in truth and k not in got)
        fp = sum(1 for truth, got in pairs if k not in truth and k in got)
        out[k] = {
            "recall": round(tp / (tp + fn), 3) if tp + fn else None,
            "precision": round(tp / (tp + fp), 3) if tp + fp else None,
            "tp": tp,
            "fn": fn,
            "fp": fp,
        }
    return out


def fmt(r: dict[str, Any]) -> str:
    rec = "-" if r["recall"] is None else f"{r['recall']:.2f}"
    pre = "-" if r["precision"] is None else f"{r['precision']:.2f}"
    return f"{rec} / {pre}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--set",
        choices=(
            "dev",
            "fresh",
            "fresh2",
            "fresh3",
            "fresh4",
            "fresh5",
            "fresh6",
            "fresh7",
            "fresh8",
        ),
        default="dev",
    )
    ap.add_argument("--hotwords", action="store_true", help="also the cue-hotwords variant")
    ap.add_argument("--cache", default=None, help="JSON transcript cache (default in /tmp)")
    ap.add_argument("--transcribe-only", action="store_true", help="fill the cache, no scores")
    ap.add_argument("--real-calls", action="store_true", help="also transcribe the LCA calls")
    ap.add_argument("--show-misses", action="store_true", help="print misses of the fresh set")
    ap.add_argument("--matcher-py", default=None, help="another cues.py to score with")
    ap.add_argument("--matcher-toml", default=None, help="its cue file")
    ap.add_argument("--voices", default=None, help="comma-separated subset of the set's voices")
    ap.add_argument(
        "--cached-only",
        action="store_true",
        help="transcribe nothing; score the utterances whose every clip is cached",
    )
    ap.add_argument(
        "--beam-size",
        type=int,
        default=None,
        help="decode with this beam instead of the recorded-call settings' own (greedy); the "
        "transcripts are keyed like the first pass's, so give such a run a --cache of its own",
    )
    ap.add_argument(
        "--meaning",
        choices=("file", "on", "off"),
        default="file",
        help="meaning cues (models/speech/meaning_cues.py) united with the phrases: as the cue "
        "file's [options] meaning_cues says (file), or forced on / off",
    )
    ap.add_argument(
        "--meaning-bank",
        default=None,
        help="another bank of labelled examples (bench/build_meaning_bank.py --out), e.g. one "
        "without the set scored, to score a set the packaged bank holds as if held out",
    )
    ap.add_argument("--meaning-margin", type=float, default=None, help="min_margin_cos")
    ap.add_argument(
        "--meaning-kinds",
        choices=("shipped", "all", "role-act"),
        default=None,
        help="kinds read from meaning: the default options' (shipped), all 14 with the plain "
        "rule (all), or the shipped ones plus the role kinds under the act rule (role-act, "
        "cues.toml meaning_role_kinds)",
    )
    ap.add_argument(
        "--meaning-wide-acts",
        action="store_true",
        help="with --meaning-kinds role-act: the widened act classes (cues.toml "
        "meaning_role_wide_acts, session 20)",
    )
    ap.add_argument(
        "--meaning-pairs",
        action="store_true",
        help="with --meaning-kinds role-act: offers / requests split over two sentences of one "
        "turn (cues.toml meaning_role_pairs, session 20)",
    )
    ap.add_argument(
        "--meaning-escalation",
        action="store_true",
        help="with --meaning-kinds role-act: the escalation classes over the widened ones "
        "(cues.toml meaning_role_escalation_classes, session 21)",
    )
    ap.add_argument("--meaning-min-words", type=int, default=None, help="min_words")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    utterances, customer_name, voices = load_set(args.set)
    all_utterances = utterances
    if args.voices:
        voices = tuple(v for v in voices if v in args.voices.split(","))
    cache = Cache(Path(args.cache or f"/tmp/calltone_cues_{args.set}.json"))
    base = recorded_call_options()
    if args.beam_size is not None:
        base = replace(base, beam_size=args.beam_size)
    systems = {FIRST_PASS: Transcriber(base)}
    if args.hotwords:
        systems[HOTWORDS] = Transcriber(replace(base, hotwords=CUE_HOTWORDS))
    show_misses = args.set == "dev" or args.show_misses

    # Transcribe what the cache lacks: utterances in a fixed shuffled order, every voice and
    # channel of one before the next, so a run cut short leaves an unbiased sample complete.
    order = list(utterances)
    random.Random(0).shuffle(order)
    todo = [
        (name, voice, cond, spk, text)
        for name in systems
        for spk, text, _ in order
        for voice in voices
        for cond in CONDITIONS
        if f"{name}|{voice}|{cond}|{spk}|{text}" not in cache.data
    ]
    if args.cached_only:
        n_all = len(utterances)
        utterances = tuple(
            u
            for u in utterances
            if all(
                f"{name}|{voice}|{cond}|{u[0]}|{u[1]}" in cache.data
                for name in systems
                for voice in voices
                for cond in CONDITIONS
            )
        )
        print(f"--cached-only: {len(utterances)} of {n_all} utterances have every clip cached")
        todo = []
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, voice, cond, spk, text) in enumerate(todo, start=1):
            x = speak(text, voice, cond, Path(tmp))
            cache.put(
                f"{name}|{voice}|{cond}|{spk}|{text}",
                systems[name].transcribe_array(x, speaker=spk),
            )
            if i % 25 == 0:
                print(f"transcribed {i}/{len(todo)} ({time.perf_counter() - t0:.0f} s)", flush=True)
    real_calls: dict[str, list[Segment]] = {}
    if args.real_calls:
        for rel, spk in REAL_CALLS:
            segs = real_call_segments(systems[FIRST_PASS], cache, rel, spk)
            if segs is not None:
                real_calls[f"{rel} ({spk})"] = segs
    cache.save()
    print(
        f"set {args.set}: {len(utterances)} utterances x {len(voices)} voices x "
        f"{len(CONDITIONS)} channels; {len(todo)} clips transcribed now",
        flush=True,
    )
    if args.transcribe_only:
        return 0

    matcher = load_matcher(args.matcher_py, args.matcher_toml)
    if (
        args.meaning != "file"
        or args.meaning_bank
        or args.meaning_margin is not None
        or args.meaning_min_words is not None
        or args.meaning_kinds is not None
    ):
        from calltone.models.speech.meaning import default_encoder
        from calltone.models.speech.meaning_cues import (
            MEANING_KINDS,
            MeaningBank,
            MeaningCueFinder,
            MeaningCueOptions,
            default_bank_path,
            role_act_options,
        )

        if args.meaning == "off":
            matcher.meaning = None
        else:
            opts = MeaningCueOptions()
            if args.meaning_kinds == "all":
                opts = replace(opts, kinds=MEANING_KINDS)
            elif args.meaning_kinds == "role-act":
                opts = role_act_options(
                    opts,
                    wide_acts=args.meaning_wide_acts,
                    pairs=args.meaning_pairs,
                    escalation=args.meaning_escalation,
                )
            if args.meaning_margin is not None:
                opts = replace(opts, min_margin_cos=args.meaning_margin)
            if args.meaning_min_words is not None:
                opts = replace(opts, min_words=args.meaning_min_words)
            bank = MeaningBank.load(Path(args.meaning_bank or default_bank_path()))
            matcher.meaning = MeaningCueFinder(default_encoder(), bank, opts)
    kinds = list(matcher.kinds)

    def found(segs: list[Segment]) -> set[str]:
        return {c.kind for c in matcher.find_cues(segs, customer_name=customer_name)}

    results: dict[str, Any] = {
        "set": args.set,
        "matcher": args.matcher_py or "packaged",
        "meaning": None
        if getattr(matcher, "meaning", None) is None
        else {
            "bank": args.meaning_bank or "packaged",
            "utterances": len(matcher.meaning.bank.texts),
            "options": matcher.meaning.options.thresholds(),
            "kinds": list(matcher.meaning.options.kinds),
            "wide_act_classes": matcher.meaning.options.wide_act_classes,
            "escalation_classes": matcher.meaning.options.escalation_classes,
            "act_pair_max_gap_s": matcher.meaning.options.act_pair_max_gap_s,
        },
    }
    text_pairs = [(truth, found([text_segment(spk, t)])) for spk, t, truth in all_utterances]
    results["written text"] = score(text_pairs, kinds)
    misses: dict[str, list[str]] = {}
    text_misses = [
        f"{t} {sorted(truth)} -> {sorted(got)}"
        for (spk, t, truth), (_, got) in zip(all_utterances, text_pairs, strict=True)
        if got != set(truth)
    ]
    if text_misses:
        misses["written text"] = text_misses
    heard: dict[str, dict[str, list[tuple[frozenset[str], set[str]]]]] = {}
    for name in systems:
        by_cond: dict[str, list[tuple[frozenset[str], set[str]]]] = {c: [] for c in CONDITIONS}
        heard[name] = by_cond
        for voice in voices:
            for cond in CONDITIONS:
                for spk, text, truth in utterances:
                    segs = cache.get(f"{name}|{voice}|{cond}|{spk}|{text}") or []
                    got = found(segs)
                    by_cond[cond].append((truth, got))
                    if got != set(truth):
                        said = " ".join(s.text.strip() for s in segs)
                        misses.setdefault(name, []).append(
                            f"[{voice} {cond}] {text} -> {said} {sorted(got)} (want {sorted(truth)})"
                        )
        results[name] = score([p for c in CONDITIONS for p in by_cond[c]], kinds)
        for c in CONDITIONS:
            results[f"{name} | {c}"] = score(by_cond[c], kinds)
    # Hard negatives (utterances with no cue): how many fire anything, written and heard.
    neg_written = [got for (truth, got) in text_pairs if not truth]
    neg_heard = [
        got for name in systems for c in CONDITIONS for truth, got in heard[name][c] if not truth
    ]
    results["hard negatives"] = {
        "utterances": len(neg_written),
        "written_with_a_cue": sum(1 for g in neg_written if g),
        "heard_clips": len(neg_heard),
        "heard_with_a_cue": sum(1 for g in neg_heard if g),
        "heard_cues": dict(Counter(k for g in neg_heard for k in g)),
    }
    real = real_sentences(shared_data_dir())
    fps: Counter[str] = Counter()
    fp_lines = []
    for sentence in real:
        for spk in ("agent", "customer"):
            got = found([text_segment(spk, sentence)])
            fps.update(got)
            if got:
                fp_lines.append(f"{spk}: {sentence} {sorted(got)}")
    results["real transcripts"] = {
        "sentences": len(real),
        "false_positives": dict(fps),
        "lines": fp_lines,
    }
    if real_calls:
        results["real calls"] = {
            k: [
                f"{c.kind} {c.quote!r} ({c.confidence})"
                for c in matcher.find_cues(segs, customer_name=None)
            ]
            for k, segs in real_calls.items()
        }
    print(f"\nmatcher: {results['matcher']}; meaning cues: {results['meaning']}")
    header = " | ".join(["written text", FIRST_PASS[:9] + " all", *CONDITIONS])
    for name in systems:
        print(f"\n{name}: recall / precision\n  {'kind':<20} {header}")
        for k in kinds:
            cells = [fmt(results["written text"][k]), fmt(results[name][k])]
            cells += [fmt(results[f"{name} | {c}"][k]) for c in CONDITIONS]
            n = results[name][k]["tp"] + results[name][k]["fn"]
            print(
                f"  {k:<20} "
                + " | ".join(cells)
                + f"   (positives {n}, fp {results[name][k]['fp']})"
            )
    print("\nhard negatives:", results["hard negatives"])
    print("\nreal transcripts:", {k: v for k, v in results["real transcripts"].items()})
    if real_calls:
        print("\nreal calls (cues found, judge by reading):")
        for k, lines in results["real calls"].items():
            print(f"  {k}:")
            for ln in lines:
                print("    ", ln)
    if show_misses:
        for name, lines in misses.items():
            print(f"\nmisses of {name}:")
            for ln in lines:
                print("  ", ln)
    else:
        print(f"\n(misses of the {args.set} set not printed: --show-misses)")
    if args.json:
        if not show_misses:
            results.pop("misses", None)
        else:
            results["misses"] = misses
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
