"""Accuracy of the shortened encoder input (``context_min_s``) on real speech.

Whisper's encoder normally sees a 30 s window; calltone can encode each window's own audio plus a
margin (at least ``context_min_s``, opt-in) and use shorter windows of real audio, which makes
the full analysis of a 10-minute call faster (bench_full.py). This checks what it does to the words on
real recordings from ``../shared/data``: the 30 s telephone call, the three AMI close-talk
sources with reference transcripts (other speakers' speech given, so backchannels over them get
their own window), and 72 RAVDESS sentences one after another. Word errors are summed over the
sets so one short clip cannot decide. Run: python bench/bench_context.py [--out FILE]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_transcribe import energy_regions, ravdess_channel, shared_data_dir  # noqa: E402

from models.text import normalize, word_error_rate  # noqa: E402
from models.transcriber import SpeechRegion, Transcriber, TranscriberOptions  # noqa: E402

SETTINGS = {
    "default: 30 s encoder input, windows <= 28 s": TranscriberOptions(),
    "30 s encoder input, windows <= 15 s": TranscriberOptions(window_s=15.0),
    "audio + 1 s (>= 10 s), windows <= 28 s": TranscriberOptions(context_min_s=10.0),
    "fast (opt-in): audio + 1 s (>= 10 s), windows <= 15 s": TranscriberOptions(
        context_min_s=10.0, window_s=15.0
    ),
}


def test_sets(data: Path) -> list[tuple[str, object, list[SpeechRegion], list[SpeechRegion], str]]:
    """(name, channel, regions, other speakers' regions, reference) per real-speech set."""
    phone = data / "phone_call_2spk"
    stm = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
    phone_ref = " ".join(t for _s, t in sorted((float(r[3]), r[5]) for r in stm if len(r) == 6))
    px = sf.read(phone / "sample.wav", dtype="float32")[0]
    sets = [("phone call (both sides)", px, energy_regions(px), [], phone_ref)]
    ami = data / "ami_meeting_4spk_60s"
    srcs = {i: sf.read(ami / "sources" / f"source{i}.wav", dtype="float32")[0] for i in range(4)}
    regs = {i: energy_regions(x) for i, x in srcs.items()}
    for i, spk in ((0, "A"), (1, "B"), (3, "D")):  # source2 is mostly crosstalk (data README)
        others = [r for j in srcs if j != i for r in regs[j]]
        ref = (ami / "text" / f"mixture.{spk}.words_joined.txt").read_text(encoding="utf-8")
        sets.append((f"AMI source{i} ({spk})", srcs[i], regs[i], others, ref))
    rav, rav_ref = ravdess_channel(data, 72)
    sets.append(("RAVDESS 72 sentences", rav, energy_regions(rav), [], rav_ref))
    return sets


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    args = ap.parse_args()
    sets = test_sets(shared_data_dir())
    header = "| setting | " + " | ".join(n for n, *_ in sets) + " | word errors, all sets | s |"
    lines = [header, "|---|" + "---:|" * (len(sets) + 2)]
    for name, opts in SETTINGS.items():
        tr = Transcriber(opts)
        tr.model  # noqa: B018 - load outside the timing
        cells, errors, t0 = [], 0.0, time.perf_counter()
        for _n, x, regions, others, ref in sets:
            segs = tr.transcribe_regions(x, regions, speaker="agent", other_speech=others)
            wer = word_error_rate(ref, " ".join(s.text for s in segs))
            errors += wer * len(normalize(ref).split())
            cells.append(f"{wer:.3f}")
        row = (
            f"| {name} | "
            + " | ".join(cells)
            + f" | {errors:.0f} | {time.perf_counter() - t0:.1f} |"
        )
        lines.append(row)
        print(row, flush=True)
    words = sum(len(normalize(ref).split()) for *_x, ref in sets)
    lines.append(f"\nReference words in all: {words}.")
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
