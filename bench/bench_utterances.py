"""Live transcription: Whisper's encoder input per utterance, full 30 s vs shortened.

A live call hands Whisper one utterance at a time (``models.tone.session.UtteranceOptions``: speech
runs merged over 0.6 s gaps, at most 20 s). faster-whisper pads each to 30 s; with
``context_min_s`` calltone encodes the utterance's audio + 1 s, at least that long
(``Settings.whisper_context_min_s``). This cuts utterances exactly as the live service does (the
streaming session on real two-channel audio) and transcribes each one with every setting in
turn (interleaved, one Whisper thread as live), then sums word errors per set against the
reference: AMI close-talk sources A, B, D (source 0 with 1 as the other party, 3 with 2),
72 RAVDESS sentences, and both parties of the three sample calls (their scripts).

Run: python bench/bench_utterances.py [--settings 30,10,15,20]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import soundfile as sf

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_transcribe import ravdess_channel, shared_data_dir  # noqa: E402

from calltone.audio.channels import ChannelRoles  # noqa: E402
from calltone.models.speech.options import TranscriberOptions  # noqa: E402
from calltone.models.speech.text import word_error_rate  # noqa: E402
from calltone.models.speech.transcriber import Transcriber  # noqa: E402
from calltone.models.speech.whisper_model import load_whisper_model  # noqa: E402
from calltone.models.tone.session import CallSession, Utterance, UtteranceOptions  # noqa: E402

SAMPLES = ("calm_call", "escalation_call", "interrupting_agent_call")


def live_utterances(x: np.ndarray, roles: ChannelRoles) -> list[Utterance]:
    """The utterances a live call of ``x`` (channels, n) hands to Whisper, 100 ms at a time."""
    s = CallSession(roles=roles, n_channels=x.shape[0], utterances=UtteranceOptions())
    out: list[Utterance] = []
    for i in range(0, x.shape[1], 1600):
        out += s.push(x[:, i : i + 1600]).utterances
    return out + s.finish().final.utterances


def utterance_sets(data: Path | None) -> list[tuple[str, list[Utterance], str]]:
    """(name, utterances, reference text) per set; the shared-data sets only when present."""
    sets = []
    if data is not None and (data / "ami_meeting_4spk_60s").is_dir():
        ami = data / "ami_meeting_4spk_60s"
        src = {i: sf.read(ami / "sources" / f"source{i}.wav", dtype="float32")[0] for i in range(4)}
        ref = {s: (ami / "text" / f"mixture.{s}.words_joined.txt").read_text() for s in "ABD"}
        for agent, other, names in ((0, 1, ("A", "B")), (3, 2, ("D", None))):
            n = min(src[agent].size, src[other].size)
            utts = live_utterances(np.stack([src[agent][:n], src[other][:n]]), ChannelRoles(0, 1))
            for party, spk in zip(("agent", "customer"), names, strict=True):
                if spk is not None:
                    mine = [u for u in utts if u.speaker == party]
                    sets.append((f"AMI {spk}", mine, ref[spk]))
    if data is not None and (data / "ravdess_dev").is_dir():
        rav, rav_ref = ravdess_channel(data, 72)
        sets.append(("RAVDESS 72", live_utterances(rav[None, :], ChannelRoles(0, None)), rav_ref))
    for name in SAMPLES:
        x = sf.read(ROOT / "samples" / name / "call.wav", dtype="float32")[0].T
        turns = json.loads((ROOT / "samples" / name / "script.json").read_text())["utterances"]
        utts = live_utterances(x, ChannelRoles(0, 1))
        for party in ("agent", "customer"):
            ref = " ".join(
                t["text"]
                for t in sorted(turns, key=lambda t: t["start_s"])
                if t["speaker"] == party
            )
            sets.append((f"{name} {party}", [u for u in utts if u.speaker == party], ref))
    return sets


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--settings", default="30,10,15,20", help="context_min_s values; 30 = full")
    args = ap.parse_args()
    values = [float(v) for v in args.settings.split(",")]
    data = shared_data_dir()
    sets = utterance_sets(data if data.is_dir() else None)
    model = load_whisper_model(None, compute_type="int8", cpu_threads=1)
    trs = {
        v: Transcriber(
            TranscriberOptions(cpu_threads=1, context_min_s=None if v >= 30 else v), model=model
        )
        for v in values
    }
    for t in trs.values():  # warm up
        t.transcribe_array(sets[0][1][0].samples, speaker="agent")
    spent = dict.fromkeys(values, 0.0)
    errors = dict.fromkeys(values, 0.0)
    n_words = 0
    lengths = []
    print("| set | utterances | words | " + " | ".join(f"WER {v:g} s" for v in values) + " |")
    print("|---|---:|---:|" + "---:|" * len(values))
    for name, utts, ref in sets:
        texts: dict[float, list[str]] = {v: [] for v in values}
        for u in utts:
            lengths.append(u.samples.size / 16000)
            for v, t in trs.items():
                t0 = time.perf_counter()
                segs = t.transcribe_array(u.samples, speaker=u.speaker, offset_s=u.start_s)
                spent[v] += time.perf_counter() - t0
                texts[v] += [s.text for s in segs]
        words = len(ref.split())
        n_words += words
        wers = {v: word_error_rate(ref, " ".join(texts[v])) for v in values}
        for v in values:
            errors[v] += wers[v] * words
        print(
            f"| {name} | {len(utts)} | {words} | "
            + " | ".join(f"{wers[v]:.3f}" for v in values)
            + " |",
            flush=True,
        )
    print(
        f"\n{len(lengths)} utterances: median {np.median(lengths):.2f} s, "
        f"p90 {np.percentile(lengths, 90):.2f} s, longest {max(lengths):.2f} s\n"
    )
    print("| encoder input | Whisper time | x the 30 s time | word errors |")
    print("|---|---:|---:|---:|")
    full = spent.get(30.0)
    for v in values:
        ratio = f"{spent[v] / full:.2f}" if full else "-"
        label = "30 s (full)" if v >= 30 else f"audio + 1 s, >= {v:g} s"
        print(f"| {label} | {spent[v]:.1f} s | {ratio} | {errors[v]:.0f} of {n_words} |")


if __name__ == "__main__":
    main()
