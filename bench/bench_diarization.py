"""Mono diarization benchmark (issue 20): DER with a 0.25 s collar, overlap scored.

Files: the pyannote phone-call sample and the AMI 30 s mixtures (RTTM references), and mixes
made here by summing two channels whose own speech is the reference (the LCA two-channel call,
two AMI headset sources, the bundled samples/*/call.wav), each wideband and through the
G.711 u-law telephone simulator (bench/telephone.py). Usage::

    python3 bench/bench_diarization.py [--conditions wb,nb_ulaw] [--only NAME]
    python3 bench/bench_diarization.py --scores [--no-transcribe] [--set K=V ...]
    python3 bench/bench_diarization.py --separation [--cutins] [--conditions wb,nb_ulaw]
    python3 bench/bench_diarization.py --speed [--speed-call lca|interrupting] [--speed-conditions wb,nb_ulaw] [--speed-reference K=V ...] --only none

``--scores`` checks the issue's score agreement instead: each bundled sample call (and the LCA
call, when ../shared/data has it) is scored two-channel and as its mono mix with ``--separate``
(``calltone score``'s path, real Whisper unless ``--no-transcribe``), and every criterion is
compared (bound: 10 points); with transcription each party's word error rate against the
sample's script and the agent's phrase cues are printed for both forms.

``--separation [--cutins]`` measures the overlap separation: in every marked overlap of a call
whose two channels are known, how much nearer each party's share of the mix is to that party's
own channel than the mix is (dB; ``--cutins``: the held-out cut-in calls).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import shared_data_dir  # noqa: E402
from der import Segment, der, load_rttm, segments_from_mask  # noqa: E402
from telephone import through  # noqa: E402

from calltone.audio.decode import load_audio  # noqa: E402
from calltone.audio.features import FeatureStream, concat_blocks, extract_features  # noqa: E402
from calltone.audio.speakers import (  # noqa: E402
    SpeakerFeatureOptions,
    SpeakerFrames,
    speaker_frames,
)
from calltone.models.diarization import (  # noqa: E402
    Diarization,
    DiarizationConfig,
    diarize,
    diarize_frames,
)

DATA = shared_data_dir()


@dataclass
class Case:
    name: str
    mono: np.ndarray
    reference: list[Segment]
    kind: str  # "rttm" or "channels"
    two: np.ndarray | None = None
    """The two channels that were summed, when known (``--separation`` measures against them)."""


def hyp_segments(d: Diarization) -> list[Segment]:
    return [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]


def channel_reference(two: np.ndarray) -> list[Segment]:
    """Each channel's front-end speech as that speaker's reference."""
    block = extract_features(two)
    return [
        seg
        for k, ch in enumerate(block.channels)
        for seg in segments_from_mask(ch.speech, f"ch{k}")
    ]


def parse_config(settings: list[str]) -> DiarizationConfig:
    """``key=value`` overrides of :class:`DiarizationConfig` (``features.key=value`` for the
    speaker features), e.g. ``detect_overlap=false features.fmin_hz=300``."""
    top: dict[str, object] = {}
    feat: dict[str, object] = {}
    for item in settings:
        key, _, raw = item.partition("=")
        value: object = raw
        if raw.lower() in ("true", "false"):
            value = raw.lower() == "true"
        elif raw.lower() == "none":
            value = None
        else:
            try:
                value = int(raw)
            except ValueError:
                try:
                    value = float(raw)
                except ValueError:
                    value = raw  # a word, e.g. init_method=spectral
        if key.startswith("features."):
            feat[key.removeprefix("features.")] = value
        else:
            top[key] = value
    return DiarizationConfig(features=SpeakerFeatureOptions(**feat), **top)  # type: ignore[arg-type]


def cases(only: str | None) -> list[Case]:
    out: list[Case] = []
    pc = DATA / "phone_call_2spk"
    if (pc / "sample.wav").exists():
        out.append(
            Case(
                "phone_call",
                load_audio(pc / "sample.wav").samples[0],
                load_rttm(pc / "sample.rttm"),
                "rttm",
            )
        )
    ami = DATA / "ami_mixtures_30s"
    for fid in ("dev00", "dev01"):
        if (ami / f"{fid}.wav").exists():
            out.append(
                Case(
                    f"ami_{fid}",
                    load_audio(ami / f"{fid}.wav").samples[0],
                    load_rttm(ami / "debug.development.rttm", fid),
                    "rttm",
                )
            )
    lca = DATA / "lca_calls"
    if (lca / "Auto_Repairs_40_UTC_agent.flac").exists():
        a = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
        c = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
        n = min(a.size, c.size)
        two = np.stack([a[:n], c[:n]])
        out.append(Case("lca_auto_repairs", two.sum(axis=0), channel_reference(two), "channels", two))
    src = DATA / "ami_meeting_4spk_60s" / "sources"
    if (src / "source0.wav").exists():
        for i, j in ((0, 1), (2, 3)):
            a = load_audio(src / f"source{i}.wav").samples[0]
            b = load_audio(src / f"source{j}.wav").samples[0]
            n = min(a.size, b.size)
            two = np.stack([a[:n], b[:n]])
            out.append(Case(f"ami_src{i}+{j}", two.sum(axis=0), channel_reference(two), "channels", two))
    if (src / "source3.wav").exists():
        # two more AMI headset pairs: FEE013+FEE016 (two women) and MEO015+FEE016
        for i, j in ((1, 3), (0, 3)):
            a = load_audio(src / f"source{i}.wav").samples[0]
            b = load_audio(src / f"source{j}.wav").samples[0]
            n = min(a.size, b.size)
            two = np.stack([a[:n], b[:n]])
            out.append(Case(f"ami_src{i}+{j}", two.sum(axis=0), channel_reference(two), "channels", two))
    out += ravdess_calls()
    for d in sorted((ROOT / "samples").glob("*/call.wav")):
        two = load_audio(d).samples
        out.append(
            Case(f"sample_{d.parent.name}", two.sum(axis=0), channel_reference(two), "channels", two)
        )
    return [c for c in out if not only or only in c.name]


def speech_runs(x: np.ndarray, min_s: float, bridge_s: float = 0.3) -> list[tuple[int, int]]:
    """Sample spans of one talker's front-end speech (pauses under ``bridge_s`` bridged), each
    at least ``min_s`` long."""
    sp = extract_features(x[None]).channels[0].speech.copy()
    hop, bridge = 160, round(bridge_s / 0.01)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], sp.astype(np.int8), [0]])))
    runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
    merged: list[list[int]] = []
    for a, b in runs:
        if merged and a - merged[-1][1] < bridge:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    return [(a * hop, b * hop) for a, b in merged if (b - a) * 0.01 >= min_s]


def cut_in_call(
    a: np.ndarray, b: np.ndarray, name: str, seed: int, turns: int = 12, min_s: float = 2.5
) -> Case | None:
    """A held-out two-party "call" with cut-ins, made from two single-talker recordings:
    stretches of speech of each (>= ``min_s``) take turns; every second change is a cut-in
    (the next talker starts 1.0-1.8 s before the other stops; 0.6-1.0 s for RAVDESS clips), the others leave 0.5-0.9 s. Each
    talker on their own channel; the reference is each channel's front-end speech. Not used to
    choose any setting (bench_diarization.py --cutins)."""
    rng = np.random.default_rng(seed)
    spans = [speech_runs(a, min_s), speech_runs(b, min_s)]
    if min(len(sp) for sp in spans) < 3:
        return None
    pieces: list[tuple[int, int, np.ndarray]] = []  # (channel, start sample, audio)
    t = round(0.5 * 16000)
    for k in range(turns):
        who = k % 2
        src = (a, b)[who]
        s0, e0 = spans[who][(k // 2) % len(spans[who])]
        e0 = min(e0, s0 + 6 * 16000)
        pieces.append((who, t, src[s0:e0]))
        short = min_s < 2.5
        cut = rng.uniform(0.6, 1.0) if short else rng.uniform(1.0, 1.8)
        step = -cut if k % 2 == 0 else rng.uniform(0.5, 0.9)
        t = max(t + round(0.5 * 16000), t + (e0 - s0) + round(step * 16000))
    n = max(st + x.size for _, st, x in pieces) + 16000
    two = np.zeros((2, n), dtype=np.float32)
    for who, st, x in pieces:
        two[who, st : st + x.size] += x
    noise = rng.normal(0, 10 ** (-65 / 20), two.shape).astype(np.float32)
    two = two + noise
    return Case(name, two.sum(axis=0), channel_reference(two), "channels", two)


def cut_in_cases() -> list[Case]:
    """Held-out cut-in calls (:func:`cut_in_call`) from the LCA call's two channels (real
    telephone voices), the four AMI headset pairs and three RAVDESS actor pairs."""
    out: list[Case | None] = []
    lca = DATA / "lca_calls"
    if (lca / "Auto_Repairs_40_UTC_agent.flac").exists():
        a = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
        c = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
        out.append(cut_in_call(c, a, "cutin_lca", 1, turns=16))
    src = DATA / "ami_meeting_4spk_60s" / "sources"
    if (src / "source3.wav").exists():
        for i, j in ((0, 1), (2, 3), (1, 3), (0, 3)):
            a = load_audio(src / f"source{i}.wav").samples[0]
            b = load_audio(src / f"source{j}.wav").samples[0]
            out.append(cut_in_call(a, b, f"cutin_ami{i}+{j}", 10 + i * 4 + j))
    root = DATA / "ravdess_dev" / "wav"
    if root.is_dir():
        for a_id, b_id in ((2, 4), (1, 3), (1, 2)):
            xs = [
                np.concatenate(
                    [
                        np.concatenate([load_audio(f).samples[0], np.zeros(8000, np.float32)])
                        for f in sorted((root / f"Actor_{k:02d}").glob("*.wav"))
                    ]
                )
                for k in (a_id, b_id)
            ]
            out.append(
                cut_in_call(xs[0], xs[1], f"cutin_ravdess{a_id:02d}+{b_id:02d}", a_id, min_s=1.5)
            )
    return [c for c in out if c is not None]


RAVDESS_PAIRS = ((2, 4), (6, 8), (10, 12), (1, 3), (5, 7), (9, 11), (1, 2), (3, 4))
"""Actor pairs made into two-party calls: three of two women, three of two men, two mixed."""


def ravdess_calls() -> list[Case]:
    """Two-party 'calls' of RAVDESS actors taking turns (evaluation only: CC BY-NC-SA).

    Each actor's 12 clips (the same two sentences, neutral to angry-strong) alternate with the
    other actor's, 0.4-0.9 s apart, each actor on their own channel; the channels are summed
    and each channel's front-end speech is that actor's reference. Same sentences from both
    voices: only the voice can tell them apart; loud angry clips tempt a split by emotion.
    """
    root = DATA / "ravdess_dev" / "wav"
    if not root.is_dir():
        return []
    rng = np.random.default_rng(20)
    out: list[Case] = []
    for a, b in RAVDESS_PAIRS:
        clips = [
            [load_audio(f).samples[0] for f in sorted((root / f"Actor_{k:02d}").glob("*.wav"))]
            for k in (a, b)
        ]
        rows: list[list[np.ndarray]] = [[], []]
        for t in range(max(len(c) for c in clips)):
            for who in (0, 1):
                if t < len(clips[who]):
                    x = clips[who][t]
                    gap = np.zeros(round(rng.uniform(0.4, 0.9) * 16000), dtype=np.float32)
                    rows[who] += [x, gap]
                    rows[1 - who] += [np.zeros_like(x), gap]
        two = np.stack([np.concatenate(r) for r in rows])
        noise = rng.normal(0, 10 ** (-65 / 20), two.shape).astype(np.float32)
        two = two + noise
        out.append(
            Case(f"ravdess_{a:02d}+{b:02d}", two.sum(axis=0), channel_reference(two), "channels", two)
        )
    return out


def speed(
    config: DiarizationConfig,
    reference: DiarizationConfig | None = None,
    call: str = "lca",
    conditions: tuple[str, ...] = ("wb", "nb_ulaw"),
) -> None:
    """Median CPU time of ``analyze --separate`` (with ``config``; and with ``reference``
    interleaved, when given) vs plain mono analysis on a 10-minute call: the LCA mix tiled
    (``call="lca"``: no overlap is marked on it) or the interrupting-agent sample's mix tiled
    (``"interrupting"``: two cut-ins every 45 s, so the overlap separation runs).

    ``conditions``: ``wb`` times the 16 kHz mix; ``nb_ulaw`` its copy through G.711 u-law
    (bench/telephone.py), written as an 8 kHz u-law WAV as a telephone recorder stores it (the
    decoder resamples it to 16 kHz, which is timed too). Each file is analysed once on its
    first 40 s before the timed runs (lazy imports, numba's compilation of librosa)."""
    import statistics
    import tempfile

    import soundfile as sf
    from scipy.signal import resample_poly

    from calltone.models.recorded.analysis import analyze_file, analyze_separated

    if call == "interrupting":
        one = load_audio(ROOT / "samples" / "interrupting_agent_call" / "call.wav").samples
        mono = np.tile(one.sum(axis=0), 14)[: 600 * 16000]
    else:
        lca = DATA / "lca_calls"
        a = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
        c = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
        n = min(a.size, c.size)
        mono = np.tile(a[:n] + c[:n], 3)[: 600 * 16000]
    with tempfile.TemporaryDirectory() as tmp:
        for cond in conditions:
            path = Path(tmp) / f"mono10_{cond}.wav"
            warm = Path(tmp) / f"warm_{cond}.wav"
            if cond == "wb":
                sf.write(path, mono, 16000, subtype="PCM_16")
                sf.write(warm, mono[: 40 * 16000], 16000, subtype="PCM_16")
            elif cond == "nb_ulaw":
                nb = np.clip(resample_poly(through(mono, "nb_ulaw"), 1, 2), -1, 1)
                sf.write(path, nb, 8000, subtype="ULAW")
                sf.write(warm, nb[: 40 * 8000], 8000, subtype="ULAW")
            else:
                raise SystemExit(f"--speed-conditions: {cond!r}; pass wb and/or nb_ulaw")
            analyze_separated(warm, diarization=config)
            analyze_file(warm)
            sep_s: list[float] = []
            ref_s: list[float] = []
            plain_s: list[float] = []
            for k in range(3):
                # the two settings alternate which goes first, so neither always runs cold
                order = (
                    [(config, sep_s), (reference, ref_s)]
                    if reference is not None
                    else [(config, sep_s)]
                )
                for cfg, into in order if k % 2 == 0 else order[::-1]:
                    t0 = time.process_time()
                    analyze_separated(path, diarization=cfg)
                    into.append(time.process_time() - t0)
                t0 = time.process_time()
                analyze_file(path)
                plain_s.append(time.process_time() - t0)
            s, p = statistics.median(sep_s), statistics.median(plain_s)
            if ref_s:
                r = statistics.median(ref_s)
                print(
                    f"10-min mono call ({cond}), reference settings: separate+analyze {r:.2f} s "
                    f"CPU ({600 / r:.0f}x real time)"
                )
            print(
                f"10-min mono call ({cond}): separate+analyze {s:.2f} s CPU ({600 / s:.0f}x real "
                f"time), plain mono analyze {p:.2f} s ({600 / p:.0f}x), ratio {s / p:.1f}"
            )


AGREEMENT_POINTS = 10.0
"""The issue's bound on a criterion's score difference between a two-channel call and its mix."""


def score_calls(heldout: bool) -> list[tuple[str, np.ndarray, np.ndarray, Path | None]]:
    """The calls ``--scores`` compares: (name, two-channel ``(2, n)`` 16 kHz with the agent in
    row 0, its mono mix ``(n,)``, the sample's directory when it has a script).

    Fitting (used to design the mono path): the bundled samples and the LCA call (its agent
    and caller files as one call), wideband. ``heldout``: calls never used to choose anything
    in the mono path: the samples and the LCA call through G.711 u-law (each channel coded for
    the two-channel call, the mix coded as one channel for the mono call, as a recorder on the
    line would), the LCA call with the agent 6 dB louder / quieter than the caller, and the
    three AMI close-talk pairings of bench_calls (wideband meeting speech, the earlier speaker
    as the agent)."""
    out: list[tuple[str, np.ndarray, np.ndarray, Path | None]] = []
    samples: list[tuple[str, np.ndarray, Path | None]] = [
        (d.parent.name, load_audio(d).samples, d.parent)
        for d in sorted((ROOT / "samples").glob("*/call.wav"))
    ]
    lca = DATA / "lca_calls"
    if (lca / "Auto_Repairs_40_UTC_agent.flac").exists():
        a = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
        c = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
        n = min(a.size, c.size)
        samples.append(("lca_auto_repairs", np.stack([a[:n], c[:n]]), None))
    if not heldout:
        return [(name, two, two.sum(axis=0), d) for name, two, d in samples]
    for name, two, d in samples:
        out.append(
            (f"{name}_g711", through(two, "nb_ulaw"), through(two.sum(axis=0), "nb_ulaw"), d)
        )
    for name, two, _d in samples:
        if name != "lca_auto_repairs":
            continue
        for db in (6.0, -6.0):
            g = np.array([[10 ** (db / 20)], [1.0]], dtype=np.float32)
            louder = (two * g).astype(np.float32)
            out.append((f"lca_agent{db:+.0f}dB", louder, louder.sum(axis=0), None))
    ami = DATA / "ami_meeting_4spk_60s" / "sources"
    names = ("source0.wav", "source1.wav", "source3.wav")
    if all((ami / f).exists() for f in names):
        src = {f: load_audio(ami / f).samples[0] for f in names}

        def onset_s(x: np.ndarray) -> float:
            hop = 160
            k = x.size // hop
            p = np.mean(x[: k * hop].astype(np.float64).reshape(k, hop) ** 2, axis=1)
            db = 10 * np.log10(p + 1e-12)
            return float(np.argmax(db > np.percentile(db, 95) - 20)) / 100

        for i, f in enumerate(names):
            for other in names[i + 1 :]:
                first, second = (f, other) if onset_s(src[f]) <= onset_s(src[other]) else (other, f)
                n = min(src[first].size, src[second].size)
                two = np.stack([src[first][:n], src[second][:n]])
                out.append((f"ami_{first[:-4]}+{second[:-4]}", two, two.sum(axis=0), None))
    return out


def score_agreement(
    config: DiarizationConfig,
    transcribe: bool,
    only: str | None,
    heldout: bool = False,
    dump: Path | None = None,
) -> None:
    """Score each call of :func:`score_calls` two-channel and as its mono mix
    (``--separate``) and print
    every criterion side by side, the number within ``AGREEMENT_POINTS``, the mono card's
    separation summary (overlap found, interruptions and their confidence) and, with
    transcription, each party's word error rate against the sample's script (two-channel and
    mono mix), the agent's pace inputs (words, talk time, wpm) and the agent's phrase cues of
    both. ``dump``: write each call's two sides (every party's words with their times, the
    metrics, the agent's rushing events and every criterion's cell) to this JSON file, so a pace
    rule can be compared on the same words (bench/bench_pace.py --rules)."""
    import json
    import tempfile
    from unittest import mock

    import soundfile as sf

    from calltone.models import diarization as diar
    from calltone.models.speech.text import word_error_rate
    from calltone.service.scoring.batch import ScoreOptions, cell, score_file

    original = diar.diarize

    def configured(samples: np.ndarray, cfg: DiarizationConfig | None = None) -> Diarization:
        return original(samples, config)

    def agent_cues(analysis: dict[str, object]) -> str:
        events = analysis.get("events", [])
        assert isinstance(events, list)
        return ", ".join(
            f"{e['evidence'].get('cue')} @{e['start_s']:.1f}"
            for e in events
            if e.get("kind") == "phrase" and e.get("speaker") == "agent"
        )

    def pace_inputs(analysis: dict[str, Any]) -> str:
        m = analysis.get("metrics", {}).get("agent", {})
        return (
            f"{m.get('words')} words / {m.get('transcribed_talk_s')} s = "
            f"{m.get('words_per_minute')} wpm"
        )

    per_criterion: dict[str, list[int]] = {}
    total_ok = total = 0
    dumped: dict[str, Any] = {}
    for name, two_ch, mono_x, d in score_calls(heldout):
        if only and only not in name:
            continue
        with tempfile.TemporaryDirectory() as tmp:
            two_path = Path(tmp) / f"{name}.wav"
            sf.write(two_path, np.clip(two_ch, -1, 1).T, 16000, subtype="PCM_16")
            mono = Path(tmp) / f"{name}_mono.wav"
            sf.write(mono, np.clip(mono_x, -1, 1), 16000, subtype="PCM_16")
            opts = ScoreOptions(transcribe=transcribe, separate=True)
            with mock.patch.object(diar, "diarize", configured):
                scored = [score_file(two_path, opts), score_file(mono, opts)]
        two, mix = ({c["id"]: cell(c) for c in sc.scorecard["criteria"]} for sc in scored)
        if dump is not None:
            dumped[name] = {
                side: {
                    "words": {
                        p: [
                            w
                            for g in sc.analysis.get("segments", [])
                            if g["speaker"] == p
                            for w in g["words"]
                        ]
                        for p in ("agent", "customer")
                    },
                    "metrics": sc.analysis.get("metrics", {}),
                    "rushing": [
                        e for e in sc.analysis.get("events", []) if e.get("kind") == "rushing"
                    ],
                    "cells": cells,
                }
                for side, sc, cells in (("two", scored[0], two), ("mix", scored[1], mix))
            }
            dump.write_text(json.dumps(dumped, indent=1), encoding="utf-8")
        card = scored[1].scorecard
        ok = n = 0
        diffs = []
        for k in two:
            a, b = two[k], mix[k]
            if a == "n/a" and b == "n/a":
                continue
            n += 1
            good = a != "n/a" and b != "n/a" and abs(float(a) - float(b)) <= AGREEMENT_POINTS
            ok += good
            per_criterion.setdefault(k, [0, 0])
            per_criterion[k][0] += good
            per_criterion[k][1] += 1
            if not good:
                diffs.append(f"{k} {a} -> {b}")
        total_ok, total = total_ok + ok, total + n
        sep = card["call"].get("separation", {})
        marked = scored[1].analysis["call"].get("separation", {}).get("overlap_s")
        evidence = [e for c in card["criteria"] for e in c.get("evidence", [])]
        cuts = [
            f"{e.get('speaker')} {e['start_s']:.1f} s"
            for e in evidence
            if e.get("kind") == "interruption"
        ]
        print(
            f"{name:26s} within {AGREEMENT_POINTS:.0f} points: {ok} of {n}; overall "
            f"{scored[0].scorecard['overall_score']} -> {card['overall_score']}; off: "
            f"{'; '.join(diffs) or 'none'}; roles by {sep.get('role_decided_by')}; "
            f"overlap marked {marked} s; interruptions in the mix's evidence: "
            f"{', '.join(sorted(set(cuts))) or 'none'}",
            flush=True,
        )
        print(
            f"{'':26s} every criterion (two-channel / mix): "
            + ", ".join(f"{k} {two[k]}/{mix[k]}" for k in two if two[k] != "n/a" or mix[k] != "n/a")
        )
        if transcribe:
            print(
                f"{'':26s} agent pace two-channel {pace_inputs(scored[0].analysis)}; "
                f"mono mix {pace_inputs(scored[1].analysis)}"
            )
        if transcribe and d is not None and (d / "script.json").exists():
            script = json.loads((d / "script.json").read_text())
            wers = []
            for party in ("agent", "customer"):
                ref = " ".join(u["text"] for u in script["utterances"] if u["speaker"] == party)
                got = [
                    word_error_rate(
                        ref,
                        " ".join(
                            g["text"] for g in sc.analysis["segments"] if g["speaker"] == party
                        ),
                    )
                    for sc in scored
                ]
                wers.append(f"{party} {got[0]:.2f} -> {got[1]:.2f}")
            print(f"{'':26s} WER vs script (two-channel -> mix): {'; '.join(wers)}")
        if transcribe:
            print(f"{'':26s} agent cues two-channel: {agent_cues(scored[0].analysis) or 'none'}")
            print(f"{'':26s} agent cues mono mix:    {agent_cues(scored[1].analysis) or 'none'}")
    print(f"all calls: {total_ok} of {total} criteria within {AGREEMENT_POINTS:.0f} points")
    print(
        "per criterion: "
        + ", ".join(f"{k} {a} of {b}" for k, (a, b) in sorted(per_criterion.items()))
    )


def separation_check(config: DiarizationConfig, conditions: list[str], run_cases: list[Case]) -> None:
    """``--separation``: inside every marked overlap of a call whose two channels are known,
    how much nearer each party's share of the mix (:func:`nmf_split`, the speakers'
    dictionaries learned from the call's single-talker frames) is to that party's own channel
    than the mix is (signal-to-interference ratio, dB; ``in`` is channel 0 over channel 1 in
    the mix there). Stretches where one channel is more than 15 dB under the other are false
    overlap (one voice) and are listed but left out of the means."""
    from calltone.models.diarization import nmf_split, speaker_dictionaries

    def sir_db(ref: np.ndarray, est: np.ndarray) -> float:
        return float(10 * np.log10(np.sum(ref**2) / max(float(np.sum((ref - est) ** 2)), 1e-20)))

    gains: list[float] = []
    for case in run_cases:
        if case.two is None:
            continue
        for cond in conditions:
            x = case.mono if cond == "wb" else through(case.mono, cond)
            refs = [c if cond == "wb" else through(c, cond) for c in case.two]
            n = min(x.size, *(r.size for r in refs))
            d = diarize(x, config)
            dictionaries = speaker_dictionaries(x, d) if d.overlaps else None
            if dictionaries is None:
                print(f"{case.name:24s} {cond:8s} no marked overlap (or too little single talk)")
                continue
            hop = round(d.hop_s * 16000)
            share = []
            for spk in (0, 1):
                idx = np.repeat(d.frame_speaker == spk, hop)[:n]
                e0_, e1_ = (float(np.sum(r[: idx.size][idx] ** 2)) for r in refs)
                share.append(e0_ / max(e1_, 1e-20))
            ch0 = 0 if share[0] >= share[1] else 1  # the diarized speaker of channel 0
            for s0, e0 in d.overlaps:
                lo, hi = round(s0 * 16000), min(n, round(e0 * 16000))
                ys = nmf_split(x[lo:hi], (dictionaries[ch0], dictionaries[1 - ch0]), config)
                seg = [r[lo:hi] for r in refs]
                ratio = 10 * np.log10(np.sum(seg[0] ** 2) / max(float(np.sum(seg[1] ** 2)), 1e-20))
                g = [sir_db(seg[c], ys[c]) - sir_db(seg[c], x[lo:hi]) for c in (0, 1)]
                real = abs(ratio) <= 15.0
                if real:
                    gains += g
                print(
                    f"{case.name:24s} {cond:8s} {s0:7.2f}-{e0:7.2f} s in {ratio:+6.1f} dB: "
                    f"channel 0 {g[0]:+5.1f} dB, channel 1 {g[1]:+5.1f} dB"
                    f"{'' if real else ' (one voice: not counted)'}",
                    flush=True,
                )
    if gains:
        print(
            f"two-voice stretches: {len(gains) // 2}; SIR gain per party median "
            f"{np.median(gains):+.1f} dB, min {min(gains):+.1f} dB, mean {np.mean(gains):+.1f} dB"
        )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--conditions", default="wb,nb_ulaw")
    ap.add_argument("--only", default=None)
    ap.add_argument(
        "--speed",
        action="store_true",
        help="also time separation + acoustic analysis of a 10-minute mono call (the LCA mix "
        "tiled) against plain mono analysis, median of 3, process CPU time",
    )
    ap.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="DiarizationConfig overrides, e.g. detect_overlap=false features.fmin_hz=300",
    )
    ap.add_argument(
        "--speed-call",
        choices=("lca", "interrupting"),
        default="lca",
        help="with --speed: the 10-minute call (the LCA mix tiled, or the interrupting-agent "
        "sample's mix tiled: 26 cut-ins, so the overlap separation runs)",
    )
    ap.add_argument(
        "--speed-conditions",
        default="wb,nb_ulaw",
        help="with --speed: wb (the 16 kHz mix) and/or nb_ulaw (its G.711 u-law copy as an "
        "8 kHz WAV), comma-separated",
    )
    ap.add_argument(
        "--speed-reference",
        nargs="*",
        default=None,
        metavar="KEY=VALUE",
        help="with --speed: also time these settings, interleaved (e.g. newcomer_overlap=false)",
    )
    ap.add_argument(
        "--grid",
        nargs="*",
        default=[],
        metavar="KEY=V1,V2",
        help="fitting-set DER sum of every combination (speaker frames computed once per file)",
    )
    ap.add_argument(
        "--cutins",
        action="store_true",
        help="run the held-out cut-in calls (cut_in_cases) instead of the fitting set",
    )
    ap.add_argument(
        "--scores",
        action="store_true",
        help="score agreement: each bundled sample two-channel vs its mono mix with --separate",
    )
    ap.add_argument(
        "--no-transcribe", action="store_true", help="with --scores: acoustic criteria only"
    )
    ap.add_argument(
        "--heldout",
        action="store_true",
        help="with --scores: the held-out calls instead (G.711 copies of the samples and the "
        "LCA call, the LCA call at +-6 dB agent level, the AMI close-talk pairings)",
    )
    ap.add_argument(
        "--dump",
        type=Path,
        default=None,
        help="with --scores: write every call's words, metrics and cells to this JSON file",
    )
    ap.add_argument(
        "--separation",
        action="store_true",
        help="SIR gain of the overlap separation in every marked overlap of the calls whose "
        "channels are known (with --cutins: the held-out cut-in calls)",
    )
    args = ap.parse_args(argv)
    config = parse_config(args.set)
    if args.separation:
        run = cut_in_cases() if args.cutins else cases(args.only)
        run = [c for c in run if not args.only or args.only in c.name]
        separation_check(config, args.conditions.split(","), run)
        return 0
    if args.scores:
        score_agreement(config, not args.no_transcribe, args.only, args.heldout, args.dump)
        return 0
    if args.speed:
        speed(
            config,
            parse_config(args.speed_reference) if args.speed_reference else None,
            args.speed_call,
            tuple(args.speed_conditions.split(",")),
        )
    print(
        f"{'file':24s} {'cond':8s} {'dur_s':>6s} {'DER%':>6s} {'miss%':>6s} {'fa%':>6s} "
        f"{'conf%':>6s} {'xRT':>6s} {'spk':>3s} {'ovl_ref_s':>9s} {'ovl_hyp_s':>9s} "
        f"{'ovl_hit_s':>9s} {'ovl_found':>9s} {'ovl_false':>9s}"
    )
    rows = []
    totals = [0, 0, 0]
    grid = grid_configs(args.set, args.grid)
    sums: dict[int, list[tuple[str, str, float]]] = {g: [] for g in range(len(grid))}
    run_cases = cut_in_cases() if args.cutins else cases(args.only)
    for case in run_cases:
        if args.only and args.only not in case.name:
            continue
        for cond in args.conditions.split(","):
            x = case.mono if cond == "wb" else through(case.mono, cond)
            if len(grid) > 1:
                frames = speaker_frames_of(x, config)
                for g, (_label, cfg) in enumerate(grid):
                    dg = diarize_frames(frames, cfg)
                    rg = der(
                        case.reference, hyp_segments(dg), collar_s=0.25, uem_end_s=x.size / 16000
                    )
                    sums[g].append((case.name, cond, rg.der))
                continue
            t0 = time.process_time()
            d = diarize(x, config)
            cpu_s = time.process_time() - t0
            r = der(case.reference, hyp_segments(d), collar_s=0.25, uem_end_s=x.size / 16000)
            dur = x.size / 16000
            rows.append((case.name, cond, r.der))
            ov_ref, ov_hyp, ov_hit = overlap_seconds(case.reference, d, d.frame_speaker.size)
            n_ov, n_found, n_false = overlap_stretches(case.reference, d, d.frame_speaker.size)
            totals = [a + b for a, b in zip(totals, (n_ov, n_found, n_false), strict=True)]
            ref = r.reference_s
            print(
                f"{case.name:24s} {cond:8s} {dur:6.1f} {100 * r.der:6.1f} "
                f"{100 * r.missed_s / ref:6.1f} {100 * r.false_alarm_s / ref:6.1f} "
                f"{100 * r.confusion_s / ref:6.1f} {dur / cpu_s:6.0f} {d.n_speakers:3d} "
                f"{ov_ref:9.1f} {ov_hyp:9.1f} {ov_hit:9.1f} {n_found:4d}/{n_ov:<4d} {n_false:9d}",
                flush=True,
            )
    if len(grid) > 1:
        for g, (label, _cfg) in enumerate(grid):
            fit = [r for name, _, r in sums[g] if name != "phone_call"]
            phone = [f"{100 * r:.1f}" for name, _, r in sums[g] if name == "phone_call"]
            print(
                f"{label:60s} fitting-set sum {100 * sum(fit):7.1f}  phone call "
                f"{' / '.join(phone)}  "
                + " ".join(f"{n}:{c}={100 * r:.1f}" for n, c, r in sums[g] if "interr" in n),
                flush=True,
            )
        return 0
    if rows:
        print(
            f"overlap stretches >= 0.5 s found (>= 0.3 s marked): {totals[1]} of {totals[0]}; "
            f"marked stretches touching no real overlap: {totals[2]}"
        )
        print(f"summed DER: {sum(100 * r for _, _, r in rows):.1f}")
        fit = [r for name, _, r in rows if name != "phone_call"]
        print(f"fitting set (all but the phone call) summed DER: {100 * sum(fit):.1f}")
    return 0


def grid_configs(base: list[str], grid: list[str]) -> list[tuple[str, DiarizationConfig]]:
    """Every combination of the ``--grid KEY=v1,v2`` values on top of ``--set``."""
    import itertools

    axes = [(k, v.split(",")) for k, _, v in (item.partition("=") for item in grid)]
    out = []
    for combo in itertools.product(*[vals for _, vals in axes]) if axes else [()]:
        extra = [f"{k}={v}" for (k, _), v in zip(axes, combo, strict=True)]
        out.append((" ".join(extra) or "defaults", parse_config([*base, *extra])))
    return out


def speaker_frames_of(x: np.ndarray, config: DiarizationConfig) -> SpeakerFrames:
    """What :func:`diarize` computes before the judgement (so a grid reuses it)."""
    stream = FeatureStream(1)
    step = 10 * config.features.sample_rate_hz
    blocks = [stream.push(x[None, i : i + step]) for i in range(0, x.size, step)]
    ch = concat_blocks([*blocks, stream.finish()]).channels[0]
    return speaker_frames(x, ch.speech, ch.f0_hz, ch.loudness_dbfs, config.features)


def overlap_stretches(reference: list[Segment], d: Diarization, n: int) -> tuple[int, int, int]:
    """Reference overlap stretches of >= 0.5 s, how many of them have >= 0.3 s marked, and how
    many marked stretches touch no reference overlap (false cut-ins)."""
    ref, hyp = _overlap_masks(reference, d, n)
    found = total = 0
    for v, s, e in _mask_runs(ref):
        if v and e - s >= round(0.5 / d.hop_s):
            total += 1
            found += int(hyp[s:e].sum() >= round(0.3 / d.hop_s))
    false = sum(1 for v, s, e in _mask_runs(hyp) if v and not ref[s:e].any())
    return total, found, false


def _mask_runs(m: np.ndarray) -> list[tuple[bool, int, int]]:
    edges = np.flatnonzero(np.diff(m.astype(np.int8))) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [m.size]])
    return [(bool(m[s]), int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def _overlap_masks(
    reference: list[Segment], d: Diarization, n: int
) -> tuple[np.ndarray, np.ndarray]:
    hop = d.hop_s
    count = np.zeros(n, dtype=np.int8)
    for lab in {seg[2] for seg in reference}:
        m = np.zeros(n, dtype=bool)
        for s, e, who in reference:
            if who == lab:
                m[round(s / hop) : round(e / hop)] = True
        count += m
    ref = count >= 2
    hyp = np.zeros(n, dtype=bool)
    fs = d.frame_speaker[:n]
    hyp[: fs.size] = fs == 2
    return ref, hyp


def overlap_seconds(reference: list[Segment], d: Diarization, n: int) -> tuple[float, float, float]:
    """Reference overlap, marked overlap and their intersection, in seconds (no collar)."""
    ref, hyp = _overlap_masks(reference, d, n)
    hop = d.hop_s
    return float(ref.sum() * hop), float(hyp.sum() * hop), float((ref & hyp).sum() * hop)


if __name__ == "__main__":
    raise SystemExit(main())
