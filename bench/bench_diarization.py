"""Mono diarization benchmark (issue 20): DER with a 0.25 s collar, overlap scored.

Files: the pyannote phone-call sample and the AMI 30 s mixtures (RTTM references), and mixes
made here by summing two channels whose own speech is the reference (the LCA two-channel call,
two AMI headset sources, the bundled samples/*/call.wav), each wideband and through the
G.711 u-law telephone simulator (bench/telephone.py). Usage::

    python3 bench/bench_diarization.py [--conditions wb,nb_ulaw] [--only NAME]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from der import Segment, der, load_rttm, segments_from_mask  # noqa: E402
from telephone import through  # noqa: E402

from calltone.audio.decode import load_audio  # noqa: E402
from calltone.audio.features import extract_features  # noqa: E402
from calltone.audio.speakers import SpeakerFeatureOptions  # noqa: E402
from calltone.models.diarization import Diarization, DiarizationConfig, diarize  # noqa: E402

DATA = ROOT.parent / "shared" / "data"


@dataclass
class Case:
    name: str
    mono: np.ndarray
    reference: list[Segment]
    kind: str  # "rttm" or "channels"


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
        out.append(Case("lca_auto_repairs", two.sum(axis=0), channel_reference(two), "channels"))
    src = DATA / "ami_meeting_4spk_60s" / "sources"
    if (src / "source0.wav").exists():
        for i, j in ((0, 1), (2, 3)):
            a = load_audio(src / f"source{i}.wav").samples[0]
            b = load_audio(src / f"source{j}.wav").samples[0]
            n = min(a.size, b.size)
            two = np.stack([a[:n], b[:n]])
            out.append(Case(f"ami_src{i}+{j}", two.sum(axis=0), channel_reference(two), "channels"))
    if (src / "source3.wav").exists():
        # two more AMI headset pairs: FEE013+FEE016 (two women) and MEO015+FEE016
        for i, j in ((1, 3), (0, 3)):
            a = load_audio(src / f"source{i}.wav").samples[0]
            b = load_audio(src / f"source{j}.wav").samples[0]
            n = min(a.size, b.size)
            two = np.stack([a[:n], b[:n]])
            out.append(Case(f"ami_src{i}+{j}", two.sum(axis=0), channel_reference(two), "channels"))
    out += ravdess_calls()
    for d in sorted((ROOT / "samples").glob("*/call.wav")):
        two = load_audio(d).samples
        out.append(
            Case(f"sample_{d.parent.name}", two.sum(axis=0), channel_reference(two), "channels")
        )
    return [c for c in out if not only or only in c.name]


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
            Case(f"ravdess_{a:02d}+{b:02d}", two.sum(axis=0), channel_reference(two), "channels")
        )
    return out


def speed() -> None:
    """Median CPU time of ``analyze --separate`` vs plain mono analysis on a 10-minute call."""
    import statistics
    import tempfile

    import soundfile as sf

    from calltone.models.recorded.analysis import analyze_file, analyze_separated

    lca = DATA / "lca_calls"
    a = load_audio(lca / "Auto_Repairs_40_UTC_agent.flac").samples[0]
    c = load_audio(lca / "Auto_Repairs_40_UTC_caller.flac").samples[0]
    n = min(a.size, c.size)
    mono = np.tile(a[:n] + c[:n], 3)[: 600 * 16000]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "mono10.wav"
        sf.write(path, mono, 16000, subtype="PCM_16")
        sep_s, plain_s = [], []
        for _ in range(3):
            t0 = time.process_time()
            analyze_separated(path)
            sep_s.append(time.process_time() - t0)
            t0 = time.process_time()
            analyze_file(path)
            plain_s.append(time.process_time() - t0)
    s, p = statistics.median(sep_s), statistics.median(plain_s)
    print(
        f"10-min mono call: separate+analyze {s:.2f} s CPU ({600 / s:.0f}x real time), "
        f"plain mono analyze {p:.2f} s ({600 / p:.0f}x), ratio {s / p:.1f}"
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
    args = ap.parse_args(argv)
    config = parse_config(args.set)
    if args.speed:
        speed()
    print(
        f"{'file':24s} {'cond':8s} {'dur_s':>6s} {'DER%':>6s} {'miss%':>6s} {'fa%':>6s} "
        f"{'conf%':>6s} {'xRT':>6s} {'spk':>3s} {'ovl_ref_s':>9s} {'ovl_hyp_s':>9s} "
        f"{'ovl_hit_s':>9s}"
    )
    rows = []
    for case in cases(args.only):
        for cond in args.conditions.split(","):
            x = case.mono if cond == "wb" else through(case.mono, cond)
            t0 = time.process_time()
            d = diarize(x, config)
            cpu_s = time.process_time() - t0
            r = der(case.reference, hyp_segments(d), collar_s=0.25, uem_end_s=x.size / 16000)
            dur = x.size / 16000
            rows.append((case.name, cond, r.der))
            ov_ref, ov_hyp, ov_hit = overlap_seconds(case.reference, d, d.frame_speaker.size)
            ref = r.reference_s
            print(
                f"{case.name:24s} {cond:8s} {dur:6.1f} {100 * r.der:6.1f} "
                f"{100 * r.missed_s / ref:6.1f} {100 * r.false_alarm_s / ref:6.1f} "
                f"{100 * r.confusion_s / ref:6.1f} {dur / cpu_s:6.0f} {d.n_speakers:3d} "
                f"{ov_ref:9.1f} {ov_hyp:9.1f} {ov_hit:9.1f}",
                flush=True,
            )
    if rows:
        print(f"summed DER: {sum(100 * r for _, _, r in rows):.1f}")
        fit = [r for name, _, r in rows if name != "phone_call"]
        print(f"fitting set (all but the phone call) summed DER: {100 * sum(fit):.1f}")
    return 0


def overlap_seconds(reference: list[Segment], d: Diarization, n: int) -> tuple[float, float, float]:
    """Reference overlap, marked overlap and their intersection, in seconds (no collar)."""
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
    return float(ref.sum() * hop), float(hyp.sum() * hop), float((ref & hyp).sum() * hop)


if __name__ == "__main__":
    raise SystemExit(main())
