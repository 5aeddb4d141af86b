"""Word error rate on telephone (narrowband) and wideband speech: calltone against plain
faster-whisper, same model, same audio, same run (issue 14).

Why: the speed levers of the recorded-call transcription (greedy decoding, a shortened encoder
input, windows of real audio, the acoustic speech gate as VAD, soxr resampling) were chosen on
wideband speech. A contact centre's calls are 8 kHz through a codec. This script puts every clip
through a telephone channel (``bench/telephone.py`` when present: G.711 mu-law, GSM, Opus ...;
otherwise a built-in 300-3400 Hz band-limit + 8 kHz + mu-law), writes it as an 8 kHz file and
transcribes it

- the way ``calltone analyze`` does (decode + resample with soxr, acoustic session, speech runs,
  :func:`models.recorded.transcript.transcribe_session` with :func:`models.recorded.transcript.recorded_call_options`),
  and with one lever changed at a time;
- the way a user calling faster-whisper directly does (``faster_whisper.decode_audio`` + the
  same model's ``transcribe``): its defaults (beam 5, VAD off), beam 5 + VAD, greedy + VAD.

WER is summed over every clip of a condition (errors / reference words), so short clips do not
weigh like long ones. Clips: ``asr_en`` (3), the AMI close-talk sources 0, 1, 3 with their
transcripts, and the real telephone call ``phone_call_2spk`` (both sides, STM).

Run: ``python bench/bench_narrowband.py [--conditions wideband g711_mulaw] [--only NAME ...]
[--json out.json]``. Needs ``../shared/data`` (or ``CALLTONE_SHARED_DATA``).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from _common import shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.recorded.transcript import (  # noqa: E402
    CUE_HOTWORDS,
    recorded_call_options,
    transcribe_session,
)
from calltone.models.speech.cues import CueMatcher  # noqa: E402
from calltone.models.speech.options import TranscriberOptions  # noqa: E402
from calltone.models.speech.text import normalize, token_edit_distance  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.whisper_model import load_whisper_model, resolve_model_path  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

# --------------------------------------------------------------------------------------------
# Telephone channel


def simple_mulaw(y: np.ndarray, sr: int) -> tuple[np.ndarray, int]:
    """300-3400 Hz band-limit, 8 kHz, G.711 mu-law (8-bit companding), a -6 dB level offset.

    The stand-in used when ``bench/telephone.py`` is not there yet.
    """
    import scipy.signal as sps
    import soxr

    x = soxr.resample(y.astype(np.float32), sr, 8000) if sr != 8000 else y.astype(np.float32)
    sos = sps.butter(6, [300, 3400], btype="bandpass", fs=8000, output="sos")
    x = sps.sosfilt(sos, x) * 0.5
    mu = 255.0
    c = np.sign(x) * np.log1p(mu * np.minimum(np.abs(x), 1.0)) / np.log1p(mu)
    q = np.round((c + 1) * 127.5) / 127.5 - 1  # 8 bits
    return (np.sign(q) * np.expm1(np.abs(q) * np.log1p(mu)) / mu).astype(np.float32), 8000


def channel_fn(name: str) -> Callable[[np.ndarray, int], tuple[np.ndarray, int]] | None:
    """The telephone channel ``name`` (None: wideband, the clip as it is)."""
    if name == "wideband":
        return None
    if name == "simple_mulaw":
        return simple_mulaw
    import telephone

    if name not in telephone.CONDITIONS:
        raise SystemExit(
            f"unknown condition {name!r}; use one of {', '.join(telephone.CONDITIONS)} or "
            "simple_mulaw"
        )
    cond = telephone.CONDITIONS[name]
    return lambda y, sr: tuple(telephone.simulate(y, sr, cond))


# --------------------------------------------------------------------------------------------
# Clips


@dataclass(frozen=True)
class Clip:
    name: str
    samples: np.ndarray  # mono float32
    sr: int
    reference: str


def clips(data: Path) -> list[Clip]:
    out = []
    rows = (data / "asr_en" / "references.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for row in rows:
        if not row.strip():
            continue
        name, ref = row.split("\t")[:2]
        path, _, chan = name.partition("#")
        y, sr = sf.read(data / "asr_en" / path, dtype="float32", always_2d=True)
        ch = 1 if chan.startswith("ch1") else 0
        out.append(Clip(name, y[:, min(ch, y.shape[1] - 1)], sr, ref))
    ami = data / "ami_meeting_4spk_60s"
    for i, spk in ((0, "A"), (1, "B"), (3, "D")):  # source2 is mostly crosstalk
        y, sr = sf.read(ami / "sources" / f"source{i}.wav", dtype="float32")
        ref = (ami / "text" / f"mixture.{spk}.words_joined.txt").read_text(encoding="utf-8")
        out.append(Clip(f"AMI source{i}", y, sr, ref))
    phone = data / "phone_call_2spk"
    if (phone / "sample.stm").is_file():
        stm = [ln.split(maxsplit=5) for ln in (phone / "sample.stm").read_text().splitlines()]
        ref = " ".join(t for _s, t in sorted((float(r[3]), r[5]) for r in stm if len(r) == 6))
        y, sr = sf.read(phone / "sample.wav", dtype="float32")
        out.append(Clip("phone_call_2spk", y, sr, ref))
    return out


# --------------------------------------------------------------------------------------------
# Systems


def calltone_system(options: TranscriberOptions) -> Callable[[Path], str]:
    """Transcribe a file the way ``calltone analyze`` does, with ``options``.

    The phrase cues are matched with an empty cue list: they never change the words, and the
    cue file is edited by others while benchmarks run.
    """
    tr = Transcriber(options)

    def run(path: Path) -> str:
        audio = load_audio(path)
        session = run_session(audio, ChannelRoles(0, None), AnalysisConfig())
        result = transcribe_session(audio, session, transcriber=tr, cues=CueMatcher([]))
        run.lines = {  # type: ignore[attr-defined]
            k: m["decoding"] for k, m in result.metrics.items() if "decoding" in m
        }
        return " ".join(s.text for s in result.segments)

    run.lines = {}  # type: ignore[attr-defined]
    return run


def calltone_on_array(options: TranscriberOptions, loader: str) -> Callable[[Path], str]:
    """calltone's pipeline with the audio decoded by ``loader`` (``pyav``: faster-whisper's)."""
    tr = Transcriber(options)

    def run(path: Path) -> str:
        from faster_whisper import decode_audio

        x = decode_audio(str(path), sampling_rate=16000)
        audio = DecodedAudio(x[None, :].astype(np.float32), 16000, 8000, str(path))
        session = run_session(audio, ChannelRoles(0, None), AnalysisConfig())
        result = transcribe_session(audio, session, transcriber=tr, cues=CueMatcher([]))
        return " ".join(s.text for s in result.segments)

    return run


def plain_system(model_path: str, **kwargs: Any) -> Callable[[Path], str]:
    """faster-whisper used directly: its own decoder and ``transcribe`` with ``kwargs``."""
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(model_path, device="cpu", compute_type="int8", local_files_only=True)

    def run(path: Path) -> str:
        segs, _info = model.transcribe(decode_audio(str(path)), language="en", **kwargs)
        return " ".join(s.text.strip() for s in segs)

    return run


def systems(model_path: str, *, levers: bool = False) -> dict[str, Callable[[Path], str]]:
    """The systems compared; ``levers`` adds calltone with one setting changed at a time."""
    base = recorded_call_options(model_path)
    out = {
        "calltone (recorded_call_options)": calltone_system(base),
        "calltone, no noisy-line switch (session 8)": calltone_system(
            replace(base, noisy_line_snr_db=None)
        ),
        "calltone + cue hotwords": calltone_system(replace(base, hotwords=CUE_HOTWORDS)),
        "calltone --full-context": calltone_system(
            recorded_call_options(model_path, full_context=True)
        ),
        "plain defaults (beam 5, VAD off)": plain_system(model_path),
        "plain beam 5 + VAD": plain_system(model_path, vad_filter=True),
        "plain greedy + VAD": plain_system(model_path, beam_size=1, vad_filter=True),
    }
    if levers:
        nogate = replace(base, crosstalk_gate_db=None)
        out |= {
            "calltone without the crosstalk gate (before issue 14)": calltone_system(nogate),
            "calltone, beam 5": calltone_system(replace(base, beam_size=5)),
            "calltone, one window per region": calltone_system(replace(base, window_s=None)),
            "calltone, audio via PyAV": calltone_on_array(base, "pyav"),
            "calltone, Silero inside the speech runs (no gate)": calltone_system(
                replace(nogate, speech_gate="given_and_silero")
            ),
        }
    return out


# --------------------------------------------------------------------------------------------


def errors(ref: str, hyp: str) -> tuple[int, int]:
    r, h = normalize(ref).split(), normalize(hyp).split()
    return token_edit_distance(r, h), len(r)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--conditions",
        nargs="+",
        default=["wideband", "nb_ulaw", "nb_gsm_noise20", "nb_opus8k_agc"],
    )
    ap.add_argument("--only", nargs="*", default=None, help="systems whose name holds one of these")
    ap.add_argument("--clips", nargs="*", default=None, help="clips whose name holds one of these")
    ap.add_argument("--levers", action="store_true", help="also one calltone lever at a time")
    ap.add_argument("--json", default=None)
    args = ap.parse_args(argv)
    data = shared_data_dir()
    model_path = resolve_model_path(None)
    load_whisper_model(model_path)
    all_clips = [c for c in clips(data) if not args.clips or any(k in c.name for k in args.clips)]
    systems_ = {
        k: v
        for k, v in systems(model_path, levers=args.levers).items()
        if not args.only or any(w in k for w in args.only)
    }
    results: dict[str, Any] = {"load_1min": [os.getloadavg()[0]], "rows": []}
    with tempfile.TemporaryDirectory() as tmp:
        for cond in args.conditions:
            fn = channel_fn(cond)
            paths = []
            for k, c in enumerate(all_clips):
                y, sr = (c.samples, c.sr) if fn is None else fn(c.samples, c.sr)
                p = Path(tmp) / f"{cond}_{k}.wav"
                sf.write(p, np.clip(y, -1, 1), sr, subtype="PCM_16")
                paths.append(p)
            for name, run in systems_.items():
                errs = refs = 0
                wall = 0.0
                per_clip: dict[str, dict[str, Any]] = {}
                for c, p in zip(all_clips, paths, strict=True):
                    t0 = time.perf_counter()
                    hyp = run(p)
                    wall += time.perf_counter() - t0
                    e, n = errors(c.reference, hyp)
                    errs, refs = errs + e, refs + n
                    per_clip[c.name] = {"errors": e, "words": n, "hyp": hyp}
                    lines = getattr(run, "lines", None)
                    if lines is not None:  # how calltone classed the line (noisy_line_snr_db)
                        per_clip[c.name]["lines"] = dict(lines)
                row = {
                    "condition": cond,
                    "system": name,
                    "wer": round(errs / refs, 4),
                    "errors": errs,
                    "words": refs,
                    "wall_s": round(wall, 1),
                    "clips": per_clip,
                }
                results["rows"].append(row)
                results["load_1min"].append(os.getloadavg()[0])
                noisy = sum(
                    q["line"] == "noisy"
                    for v in per_clip.values()
                    for q in v.get("lines", {}).values()
                )
                lines = (
                    f" noisy lines {noisy}/{len(all_clips)}" if hasattr(run, "transcriber") else ""
                )
                print(
                    f"{cond:>12} {name:<58} WER {row['wer']:.3f} ({errs}/{refs}) {wall:6.1f} s"
                    + lines
                    + " per clip "
                    + " ".join(str(v["errors"]) for v in per_clip.values()),
                    flush=True,
                )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
