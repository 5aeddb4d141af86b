"""Write the hostile-input corpus: bad, broken and odd recordings the CLI must survive.

Every file is generated here, deterministically, from numpy signals written with soundfile,
PyAV (MP3) or hand-built RIFF bytes; no third-party audio. Run it from anywhere:

    python tests/support/hostile/make_corpus.py           # (re)write the files next to this script
    python tests/support/hostile/make_corpus.py --check   # regenerate in a temp dir, compare bytes
    python tests/support/hostile/make_corpus.py --table   # run the CLI on each, print the outcomes

``CASES`` is the manifest the tests read (tests/test_hostile_cli.py): for each file what it is,
and what ``calltone analyze FILE --no-transcribe`` must do with it: ``ok`` (exit 0, a valid
``calltone.analysis/1`` document) or ``error`` (exit 2, one ``calltone: error: ...`` line that
contains ``keyword``, case-insensitive).

The whole folder stays under 2 MB: signals are short and mostly 8 kHz.
"""

from __future__ import annotations

import argparse
import filecmp
import io
import struct
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Case:
    """One corpus entry and the CLI outcome it must get."""

    name: str  # file (or directory) name inside tests/support/hostile/
    what: str  # one-line description for docs/reliability.md
    expect: str  # "ok" or "error"
    keyword: str = ""  # for errors: a word the one-line message must contain
    args: tuple[str, ...] = ()  # extra CLI arguments


# ------------------------------------------------------------------------------------ signals


def speechlike(sr: int, dur_s: float, f0_hz: float, *, seed: int, level_dbfs: float = -20.0):
    """Harmonics of ``f0_hz`` under a 4 Hz syllable envelope, a little noise; float32."""
    t = np.arange(round(sr * dur_s)) / sr
    rng = np.random.default_rng(seed)
    x = sum(np.sin(2 * np.pi * f0_hz * k * t + rng.uniform(0, 6.28)) / k for k in range(1, 6))
    x = x * (0.3 + 0.7 * np.sin(2 * np.pi * 4.0 * t) ** 2) + 0.01 * rng.standard_normal(t.size)
    x *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x**2))
    return x.astype(np.float32)


def two_party(sr: int, dur_s: float) -> np.ndarray:
    """``(n, 2)``: the agent talks in the first half, the customer in the second.

    The agent starts after a short quiet lead-in, as recordings do: the speech-activity noise
    floor has no prior, so speech from the very first frame is taken as the floor (see
    docs/reliability.md).
    """
    n = round(sr * dur_s)
    h = n // 2
    q = n // 8
    out = np.zeros((n, 2), np.float32)
    out[q:h, 0] = speechlike(sr, (h - q) / sr, 120.0, seed=1)
    out[h:, 1] = speechlike(sr, (n - h) / sr, 210.0, seed=2)
    rng = np.random.default_rng(3)
    out += (10 ** (-65 / 20) * rng.standard_normal(out.shape)).astype(np.float32)
    return out


def wav_bytes(x: np.ndarray, sr: int, subtype: str = "PCM_16") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, sr, format="WAV", subtype=subtype)
    return buf.getvalue()


def flac_bytes(x: np.ndarray, sr: int) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, x, sr, format="FLAC", subtype="PCM_16")
    return buf.getvalue()


def mp3_bytes(x: np.ndarray, sr: int) -> bytes:
    """MP3 through PyAV's libmp3lame (``x`` is ``(n, channels)`` float)."""
    import av

    buf = io.BytesIO()
    layout = "stereo" if x.shape[1] == 2 else "mono"
    with av.open(buf, "w", format="mp3") as out:
        st = out.add_stream("mp3", rate=sr)
        st.layout = layout
        st.bit_rate = 32_000
        pcm = (np.clip(x, -1, 1) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout=layout)
        frame.sample_rate = sr
        for pkt in st.encode(frame):
            out.mux(pkt)
        for pkt in st.encode(None):
            out.mux(pkt)
    return buf.getvalue()


def riff_wav(
    *,
    channels: int,
    sr: int,
    bits: int,
    data: bytes,
    data_size: int | None = None,
    fmt_tag: int = 1,
) -> bytes:
    """A canonical 44-byte-header WAV built by hand, so its fields can lie."""
    block = channels * bits // 8
    size = len(data) if data_size is None else data_size
    fmt = struct.pack("<HHIIHH", fmt_tag, channels, sr, sr * block, block, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
    body += struct.pack("<I", size) + data
    riff_size = min(4 + 8 + len(fmt) + 8 + size, 0xFFFFFFFF)
    return b"RIFF" + struct.pack("<I", riff_size) + body


def pcm16(x: np.ndarray) -> bytes:
    return (np.clip(x, -1, 1 - 1 / 32768) * 32768).astype("<i2").tobytes()


def corrupt(data: bytes, *, start: int, length: int, seed: int) -> bytes:
    """Overwrite ``length`` bytes from ``start`` with random bytes."""
    rng = np.random.default_rng(seed)
    b = bytearray(data)
    b[start : start + length] = rng.bytes(length)
    return bytes(b)


# ------------------------------------------------------------------------------------ corpus

SR = 8_000
BASE = two_party(SR, 2.0)  # 2 s, two channels, 8 kHz: the good call the broken ones start from


def _files() -> dict[str, Callable[[], bytes]]:
    good_wav = wav_bytes(BASE, SR)
    good_flac = flac_bytes(BASE, SR)
    good_mp3 = mp3_bytes(BASE, SR)
    data = pcm16(BASE)
    t8 = np.arange(2 * SR) / SR

    def float_with(value: float) -> bytes:
        # Built by hand: libsndfile's float WAVs carry a PEAK chunk with a timestamp.
        x = BASE[: SR // 2].copy()
        x[1000:1010, 1] = value
        return riff_wav(channels=2, sr=SR, bits=32, data=x.astype("<f4").tobytes(), fmt_tag=3)

    square = np.where(np.sin(2 * np.pi * 220 * t8) >= 0, 1.0, -1.0).astype(np.float32)
    six = np.zeros((SR, 6), np.float32)
    for c in range(6):
        six[:, c] = speechlike(SR, 1.0, 100.0 + 30 * c, seed=10 + c)

    return {
        "good_call.wav": lambda: good_wav,
        "good_call.flac": lambda: good_flac,
        "good_call.mp3": lambda: good_mp3,
        "truncated.wav": lambda: good_wav[: len(good_wav) // 2],
        "truncated_in_header.wav": lambda: good_wav[:30],
        "truncated.flac": lambda: good_flac[: len(good_flac) // 2],
        "truncated_in_header.flac": lambda: good_flac[:20],
        "truncated.mp3": lambda: good_mp3[: len(good_mp3) // 2],
        "corrupt_header.wav": lambda: corrupt(good_wav, start=8, length=28, seed=1),
        "corrupt_data.wav": lambda: corrupt(good_wav, start=2000, length=4000, seed=2),
        "corrupt_header.flac": lambda: corrupt(good_flac, start=4, length=60, seed=3),
        "corrupt_frames.flac": lambda: corrupt(
            good_flac, start=len(good_flac) // 3, length=2000, seed=4
        ),
        "corrupt_frames.mp3": lambda: corrupt(
            good_mp3, start=len(good_mp3) // 3, length=1500, seed=5
        ),
        "zero_length.wav": lambda: b"",
        "zero_length.flac": lambda: b"",
        "zero_length.mp3": lambda: b"",
        "header_only.wav": lambda: riff_wav(channels=2, sr=SR, bits=16, data=b""),
        "header_longer_than_data.wav": lambda: riff_wav(
            channels=2, sr=SR, bits=16, data=data, data_size=10 * len(data)
        ),
        "header_shorter_than_data.wav": lambda: riff_wav(
            channels=2, sr=SR, bits=16, data=data, data_size=len(data) // 4
        ),
        "header_huge_length.wav": lambda: riff_wav(
            channels=2, sr=SR, bits=16, data=data, data_size=0xFFFFFFF0
        ),
        "one_sample.wav": lambda: wav_bytes(BASE[:1], SR),
        "silence_10s.wav": lambda: wav_bytes(np.zeros((10 * SR, 2), np.float32), SR, "PCM_U8"),
        "clipping_square.wav": lambda: wav_bytes(np.stack([square, -square], axis=1), SR),
        "float_nan.wav": lambda: float_with(float("nan")),
        "float_posinf.wav": lambda: float_with(float("inf")),
        "six_channels.wav": lambda: wav_bytes(six, SR),
        "rate_192k.wav": lambda: wav_bytes(two_party(192_000, 0.5), 192_000),
        "rate_4k.wav": lambda: wav_bytes(two_party(4_000, 2.0), 4_000),
        "rate_8k_mono.wav": lambda: wav_bytes(speechlike(SR, 2.0, 150.0, seed=7), SR),
        "random_bytes.wav": lambda: np.random.default_rng(42).bytes(4096),
        "random_bytes.mp3": lambda: np.random.default_rng(43).bytes(4096),
        "random_bytes.flac": lambda: np.random.default_rng(44).bytes(4096),
        "text_renamed.wav": lambda: (
            b"Call notes, 14 March: customer rang about a late refund.\n"
            b"Agent promised a call back by Friday. This is not audio.\n"
        ),
        "zero_channels.wav": lambda: riff_wav(channels=0, sr=SR, bits=16, data=data[:4000]),
        "zero_rate.wav": lambda: riff_wav(channels=2, sr=0, bits=16, data=data[:4000]),
        "unknown_codec.wav": lambda: riff_wav(
            channels=2, sr=SR, bits=16, data=data[:4000], fmt_tag=0x1234
        ),
        "directory.wav/README": lambda: (
            b"This folder is named like a recording: `calltone analyze` must refuse it.\n"
        ),
    }


ERR = "error"
CASES: list[Case] = [
    Case("good_call.wav", "2 s two-party call, 8 kHz PCM16 (control)", "ok"),
    Case("good_call.flac", "the same call as FLAC (control)", "ok"),
    Case("good_call.mp3", "the same call as 32 kbit/s MP3 (control)", "ok"),
    Case("truncated.wav", "WAV cut at half its length", "ok"),
    Case("truncated_in_header.wav", "WAV cut inside its 44-byte header", ERR, "corrupt"),
    Case("truncated.flac", "FLAC cut at half its length", ERR, "corrupt"),
    Case("truncated_in_header.flac", "FLAC cut inside its STREAMINFO block", ERR, "corrupt"),
    Case("truncated.mp3", "MP3 cut at half its length", "ok"),
    Case("corrupt_header.wav", "28 random bytes over the RIFF/fmt header", ERR, "corrupt"),
    Case("corrupt_data.wav", "4000 random bytes over the PCM data", "ok"),
    Case("corrupt_header.flac", "60 random bytes over the FLAC header", ERR, "corrupt"),
    Case("corrupt_frames.flac", "2000 random bytes over FLAC frames", ERR, "corrupt"),
    Case("corrupt_frames.mp3", "1500 random bytes over MP3 frames", ERR, "corrupt"),
    Case("zero_length.wav", "0-byte .wav", ERR, "empty"),
    Case("zero_length.flac", "0-byte .flac", ERR, "empty"),
    Case("zero_length.mp3", "0-byte .mp3", ERR, "empty"),
    Case("header_only.wav", "valid WAV header, no data", ERR, "no samples"),
    Case("header_longer_than_data.wav", "data chunk claims 10x the bytes present", "ok"),
    Case("header_shorter_than_data.wav", "data chunk claims 1/4 of the bytes present", "ok"),
    Case("header_huge_length.wav", "data chunk claims ~4 GB", "ok"),
    Case("one_sample.wav", "a single two-channel sample", ERR, "shorter than"),
    Case("silence_10s.wav", "10 s of digital silence, two channels, 8-bit", "ok"),
    Case("clipping_square.wav", "full-scale 220 Hz square wave, both channels", "ok"),
    Case("float_nan.wav", "32-bit float WAV with 10 NaN samples", ERR, "NaN"),
    Case("float_posinf.wav", "32-bit float WAV with 10 +inf samples", ERR, "infinite"),
    Case("six_channels.wav", "6 channels, no roles given", ERR, "--agent-channel"),
    Case(
        "six_channels.wav",
        "6 channels with --agent-channel 2 --customer-channel 5",
        "ok",
        args=("--agent-channel", "2", "--customer-channel", "5"),
    ),
    Case("rate_192k.wav", "0.5 s two-party call at 192 kHz", "ok"),
    Case("rate_4k.wav", "2 s two-party call at 4 kHz", ERR, "8 kHz"),
    Case("rate_8k_mono.wav", "2 s mono telephone audio, 8 kHz", "ok"),
    Case("random_bytes.wav", "4 KiB of random bytes named .wav", ERR, "corrupt"),
    Case("random_bytes.mp3", "4 KiB of random bytes named .mp3", ERR, "decode"),
    Case("random_bytes.flac", "4 KiB of random bytes named .flac", ERR, "corrupt"),
    Case("text_renamed.wav", "a text file renamed .wav", ERR, "corrupt"),
    Case("directory.wav", "a directory passed as the call", ERR, "is a directory"),
    Case("zero_channels.wav", "hand-built WAV header with 0 channels", ERR, "channel"),
    Case("zero_rate.wav", "hand-built WAV header with a 0 Hz sample rate", ERR, "corrupt"),
    Case("unknown_codec.wav", "WAV with an unknown format tag 0x1234", ERR, "corrupt"),
    Case("missing_file.wav", "a path that does not exist", ERR, "no such file"),
]


def write(dest: Path) -> list[Path]:
    """Write every corpus file under ``dest``; return their paths."""
    written = []
    for name, make in _files().items():
        p = dest / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(make())
        written.append(p)
    return written


def outcome_table() -> str:
    """Run every case through the CLI; the Markdown table for docs/reliability.md."""
    import json
    import subprocess

    root = HERE.parents[1]
    rows = ["| file | what it is | exit | outcome |", "|---|---|---|---|"]
    for case in CASES:
        path = (HERE / case.name).relative_to(root)
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "calltone.service.cli",
                "analyze",
                str(path),
                *case.args,
                "--no-transcribe",
            ],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if proc.returncode == 0:
            doc = json.loads(proc.stdout)
            call = doc["call"]
            kinds = sorted({e["kind"] for e in doc["events"]})
            outcome = (
                f"analysed: {call['duration_s']} s, {call['sample_rate']} Hz, "
                f"{call['channels']} ch; events: {', '.join(kinds) or 'none'}"
            )
        else:
            outcome = proc.stderr.strip().replace("|", "\\|")
            outcome = outcome.removeprefix("calltone: error: ")
        label = case.name + (" " + " ".join(case.args) if case.args else "")
        rows.append(f"| `{label}` | {case.what} | {proc.returncode} | {outcome} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="regenerate in a temp dir and compare")
    ap.add_argument(
        "--table", action="store_true", help="run the CLI on every case, print a Markdown table"
    )
    args = ap.parse_args(argv)
    if args.table:
        print(outcome_table())
        return 0
    if not args.check:
        paths = write(HERE)
        total = sum(p.stat().st_size for p in paths)
        print(f"wrote {len(paths)} files, {total / 1024:.0f} KiB, to {HERE}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        bad = [
            str(p.relative_to(tmp))
            for p in write(Path(tmp))
            if not filecmp.cmp(p, HERE / p.relative_to(tmp), shallow=False)
        ]
    if bad:
        print("differs from the committed corpus: " + ", ".join(bad), file=sys.stderr)
        return 1
    print("corpus is up to date")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
