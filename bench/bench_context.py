"""Accuracy of the shortened encoder input (``context_min_s``) on real speech.

Whisper's encoder normally sees a 30 s window; calltone encodes each window's own audio plus a
margin (at least ``context_min_s``; ``--full-context`` turns it off) and uses shorter windows of real audio, which makes
the full analysis of a 10-minute call faster (bench_full.py). This checks what it does to the words on
real recordings from ``../shared/data``: the 30 s telephone call, the three AMI close-talk
sources with reference transcripts (other speakers' speech given, so backchannels over them get
their own window), and 72 RAVDESS sentences one after another. Word errors are summed over the
sets so one short clip cannot decide. Then (``--cards N``) N synthetic calls in which a customer
reads a Luhn-valid card number (espeak-ng, four voices, 130-170 wpm): how often the transcript
lets the redaction find the card, and how often Whisper stops early (under half the words of the
other setting) or returns nothing. Run: python bench/bench_context.py [--cards 32] [--out FILE]
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

from calltone.models.speech.options import TranscriberOptions  # noqa: E402
from calltone.models.speech.text import normalize, word_error_rate  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.transcript import SpeechRegion  # noqa: E402

SETTINGS = {
    "--full-context: 30 s encoder input, windows <= 28 s": TranscriberOptions(),
    "30 s encoder input, windows <= 15 s": TranscriberOptions(window_s=15.0),
    "audio + 1 s (>= 10 s), windows <= 28 s": TranscriberOptions(context_min_s=10.0),
    "default: audio + 1 s (>= 10 s), windows <= 15 s, early stops retried": (
        TranscriberOptions(context_min_s=10.0, window_s=15.0)
    ),
    "default without the retry": TranscriberOptions(
        context_min_s=10.0, window_s=15.0, context_retry_s=None
    ),
}


def speech_sets(
    data: Path,
) -> list[tuple[str, object, list[SpeechRegion], list[SpeechRegion], str]]:
    """(name, channel, regions, other speakers' regions, reference) per real-speech set."""
    phone = data / "phone_call_2spk"
    sets = []
    if (phone / "sample.stm").is_file() and (phone / "sample.wav").is_file():
        stm = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
        ref = " ".join(t for _s, t in sorted((float(r[3]), r[5]) for r in stm if len(r) == 6))
        px = sf.read(phone / "sample.wav", dtype="float32")[0]
        sets.append(("phone call (both sides)", px, energy_regions(px), [], ref))
    else:  # some copies of the shared data carry only the phone call's README
        print(f"note: {phone} has no sample.wav/sample.stm; the phone call is left out")
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


def card_readings(n: int, *, seed: int = 5) -> list[str]:
    """Markdown rows: redaction hits and early stops per setting over ``n`` card readings."""
    import subprocess
    import tempfile

    import numpy as np

    from calltone.audio.channels import ChannelRoles
    from calltone.audio.decode import DecodedAudio, load_audio
    from calltone.models.recorded.analysis import run_session
    from calltone.models.recorded.transcript import transcribe_session
    from calltone.models.speech.redact import CARD_TOKEN, redact_text
    from calltone.models.tone.config import AnalysisConfig

    rng = np.random.default_rng(seed)
    voices = ("en-us+m3", "en-us+f2", "en+m1", "en-us+m7")
    settings = {k: v for k, v in SETTINGS.items() if k.startswith(("default", "--full"))}
    trs = {k: Transcriber(v) for k, v in settings.items()}
    found = {k: 0 for k in trs}
    short = {k: 0 for k in trs}
    empty = {k: 0 for k in trs}
    tmp = Path(tempfile.mkdtemp())
    for i in range(n):
        digits = [4, *rng.integers(0, 10, 14).tolist()]
        total = sum(
            (d * 2 - 9 if d * 2 > 9 else d * 2) if k % 2 == 0 else d
            for k, d in enumerate(reversed(digits))
        )
        digits.append((10 - total % 10) % 10)  # Luhn check digit
        groups = ", ".join(" ".join(map(str, digits[j : j + 4])) for j in range(0, 16, 4))
        text = f"My credit card number is {groups}. And my phone number is 2 0 2, 5 5 5, 0 1 7 3."
        wav = tmp / f"card{i}.wav"
        rate = str(int(rng.integers(130, 171)))
        subprocess.run(
            ["espeak-ng", "-v", voices[i % 4], "-s", rate, "-w", str(wav), text],
            check=True,
            capture_output=True,
        )
        x = load_audio(wav).samples[0]
        call = np.zeros((2, x.size + 3 * 16000), np.float32)
        call[1, 16000 : 16000 + x.size] = x
        call += (1e-4 * rng.standard_normal(call.shape)).astype(np.float32)
        audio = DecodedAudio(call, 16000, 16000, f"card{i}")
        session = run_session(audio, ChannelRoles(0, 1), AnalysisConfig())
        words = {}
        for k, tr in trs.items():
            said = " ".join(
                s.text for s in transcribe_session(audio, session, transcriber=tr).segments
            )
            found[k] += CARD_TOKEN in redact_text(said).text
            words[k] = len(said.split())
            empty[k] += words[k] == 0
        most = max(words.values())
        for k in trs:
            short[k] += words[k] < most / 2
    rows = ["| setting | card found by redaction | stopped early (< half the words) | nothing |"]
    rows.append("|---|---:|---:|---:|")
    rows += [f"| {k} | {found[k]}/{n} | {short[k]}/{n} | {empty[k]}/{n} |" for k in trs]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=None, help="write the markdown table here")
    ap.add_argument("--cards", type=int, default=0, help="also this many card readings")
    args = ap.parse_args()
    sets = speech_sets(shared_data_dir())
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
    if args.cards:
        rows = card_readings(args.cards)
        print("\n".join(rows), flush=True)
        lines += ["", *rows]
    if args.out:
        args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
