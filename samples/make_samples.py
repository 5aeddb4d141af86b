"""Generate the three synthetic two-channel sample calls in ``samples/``.

Run from the repository root::

    python samples/make_samples.py            # regenerate everything, print the check table
    python samples/make_samples.py --check    # synthesise and verify, write nothing

Every voice is espeak-ng (a synthetic voice); no recorded speech and no third-party audio is used.
Output is deterministic: espeak-ng is deterministic for a given version, the noise floor uses fixed
seeds and the turn gaps are fixed numbers.

Each call gets ``samples/<name>/call.wav`` (16 kHz, 2 channels, 16-bit PCM; channel 0 = agent,
channel 1 = customer; each party's speech only on its own channel, a quiet telephone-like noise
floor on both), ``script.json`` (every utterance with its times) and ``expected.json`` (the events a
correct analyser should report, the ones it must not report, and the kinds that must be absent).

The script measures what it wrote (librosa ``yin`` median f0 over voiced frames and median RMS dBFS
over speech frames, per speaker and style), prints a table, writes it into ``samples/README.md`` and
raises if the acoustic contrasts the events rely on are not there.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, resample_poly, sosfilt

SR = 16_000
ESPEAK_SR = 22_050
HERE = Path(__file__).resolve().parent

AGENT, CUSTOMER = "agent", "customer"
CHANNEL = {AGENT: 0, CUSTOMER: 1}
VOICE = {AGENT: "en-us+f3", CUSTOMER: "en-us+m3"}

NORMAL_DBFS = -26.0  # target RMS of a "normal" utterance over its speaking part
SPEAKING_DBFS = -50.0  # frames above this count as the speaking part for normalisation
NOISE_DBFS = -65.0  # telephone-like noise floor, both channels, whole call
PEAK_LIMIT = 0.97  # limiter ceiling for the loud styles (final peaks must stay < 0.99)
LEAD_IN_S = 0.5
TAIL_S = 0.6
MAX_WAV_BYTES = 3_000_000  # 16 kHz x 2 ch x 16 bit = 64 kB/s, so calls are kept <= ~46 s


@dataclass(frozen=True)
class Style:
    pitch: int  # espeak-ng -p (0-99)
    rate: int  # espeak-ng -s (words per minute)
    gain_db: float  # level over the speaker's normal level
    amp: int = 100  # espeak-ng -a; loudness is set by scaling samples, not by -a


STYLES: dict[tuple[str, str], Style] = {
    (AGENT, "normal"): Style(pitch=50, rate=160, gain_db=0.0),
    # the cut-in lines are said in the agent's normal voice: the event is the overlap, not the tone
    (AGENT, "cut_in"): Style(pitch=50, rate=160, gain_db=0.0),
    (AGENT, "backchannel"): Style(pitch=50, rate=270, gain_db=0.0),
    # non-calm but not yelling: clearly raised (>= +4 dB, >= +2 st, faster) yet well short of
    # the yelling rule (>= +10 dB and >= +3 st over baseline in most of a 1 s window); +8 dB at
    # pitch 75 read as yelling. A real analyser gives agent_tone and no yelling from +5 to +7 dB.
    (AGENT, "tense"): Style(pitch=68, rate=250, gain_db=6.0),
    (CUSTOMER, "normal"): Style(pitch=40, rate=160, gain_db=0.0),
    (CUSTOMER, "yelling"): Style(pitch=85, rate=190, gain_db=14.0),
}


@dataclass
class Line:
    speaker: str
    text: str
    style: str = "normal"
    gap: float = 0.6  # silence after the end of everything said so far
    # overlap placement instead of ``gap``: ("overlap", idx, s) starts this line ``s`` seconds
    # before line ``idx`` ends; ("into", idx, s) starts it ``s`` seconds after line ``idx`` starts
    at: tuple[str, int, float] | None = None
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32), repr=False)
    start: float = 0.0

    @property
    def end(self) -> float:
        return self.start + len(self.audio) / SR

    @property
    def duration(self) -> float:
        return len(self.audio) / SR


# --------------------------------------------------------------------------------------------
# the three calls

CALLS: dict[str, list[Line]] = {
    "calm_call": [
        Line(AGENT, "Brightline support, this is Sarah. How can I help you?", gap=0.0),
        Line(CUSTOMER, "Hi. My name is David Jones. My order hasn't arrived.", gap=0.6),
        Line(AGENT, "Thank you, Mr. Jones. I understand how frustrating that must be. "
                    "I apologize for the delay with your order.", gap=0.5),
        Line(CUSTOMER, "It was due Monday, and the tracking hasn't moved.", gap=0.7),
        Line(AGENT, "Let me make sure I understand: it was due Monday, and tracking is stuck?",
             gap=0.5),
        Line(CUSTOMER, "Yes, that's right.", gap=0.6),
        Line(AGENT, "Here's what I can do: I can send a replacement today or refund you.",
             gap=0.9),
        Line(CUSTOMER, "A replacement would be great, thanks.", gap=0.6),
        Line(AGENT, "Done, it ships today. Is there anything else I can help you with?", gap=0.4),
        Line(CUSTOMER, "No, that's all. Thank you.", gap=0.7),
        Line(AGENT, "You're welcome. Goodbye.", gap=0.5),
    ],
    "escalation_call": [
        Line(AGENT, "Brightline, this is Sarah. How can I help?", gap=0.0),
        Line(CUSTOMER, "Hello. My name is David Jones, and I'm calling about my home internet "
                       "connection.", gap=0.7),
        Line(AGENT, "Thank you, Mr. Jones. What seems to be the problem?", gap=0.6),
        Line(CUSTOMER, "It keeps dropping every evening, and I work from home, "
                       "so I really need it to work.", gap=0.7),
        Line(AGENT, "I'm sorry to hear that. Let me check your line.", gap=0.6),
        Line(CUSTOMER, "I have already called twice this week, and still nothing was fixed.",
             gap=0.8),
        Line(CUSTOMER, "This is the third time I am calling! Nobody ever fixes anything, "
                       "and I am sick of it!", style="yelling", gap=0.5),
        Line(AGENT, "I understand how frustrating that must be, Mr. Jones.", gap=0.7),
        Line(CUSTOMER, "This is ridiculous! I want to speak to your manager, right now, today!",
             style="yelling", gap=0.6),
        Line(AGENT, "I understand. I'll bring in my supervisor.", gap=0.8),
    ],
    "interrupting_agent_call": [
        Line(AGENT, "Good morning, you've reached Brightline billing, my name is Sarah. "
                    "How can I help you today?", gap=0.0),
        Line(CUSTOMER, "Hi, I was charged twice for my last bill.", gap=0.6),
        Line(AGENT, "I'm sorry about that, let me pull up your account right away. "
                    "Can you confirm your account number for me, please?", gap=0.6),
        Line(CUSTOMER, "Sure, it's four five seven two nine. The second charge was forty dollars, "
                       "on Friday.", gap=0.7),
        # backchannel during the customer's turn above (line 3): not an interruption
        Line(AGENT, "Mm-hmm.", style="backchannel", at=("into", 3, 2.2)),
        Line(CUSTOMER, "I want that money back today, because your company keeps making "
                       "the same mistake.", gap=0.8),
        # cut-in 1: the customer has been talking for seconds; the agent talks over the last 2.3 s
        Line(AGENT, "No, no, listen, that's not my fault.", style="cut_in",
             at=("overlap", 5, 2.3)),
        Line(CUSTOMER, "I don't care whose fault it is, I just want my money back, "
                       "and I want it now.", gap=0.6),
        # cut-in 2
        Line(AGENT, "Calm down, there's nothing I can do.", style="cut_in",
             at=("overlap", 7, 2.3)),
        # the rushed, tense stretch (no overlap)
        Line(AGENT, "Look, refunds take five to seven business days, that's the policy, "
                    "I can't change it and I don't make the rules, "
                    "so you'll just have to wait like everybody else.", style="tense", gap=0.6),
        Line(CUSTOMER, "Fine. Goodbye.", gap=0.7),
    ],
}

NOTES = {
    "calm_call": (
        "Alternating turns, gaps 0.4-1.0 s, no overlap, nobody raised. The agent greets, uses the "
        "customer's name, acknowledges feelings, apologises specifically, paraphrases, offers a "
        "solution and closes with 'is there anything else I can help you with?'. Expected events: "
        "none."
    ),
    "escalation_call": (
        "The customer starts calm (three normal turns), then yells in two separate turns "
        "(espeak-ng pitch 85 vs 40, rate 190 vs 160, +14 dB, peak-limited). The agent stays calm "
        "and never overlaps. The second yelling turn asks for a manager (escalation cue)."
    ),
    "interrupting_agent_call": (
        "The agent speaks calmly first, backchannels once ('mm-hmm', not an interruption), then "
        "cuts the customer off twice (2.3 s of overlap each, customer mid-turn), then speaks "
        "rushed and tense (espeak-ng rate 250 vs 160, pitch 68 vs 50, +6 dB) without overlap: a "
        "non-calm tone, not yelling (well under +10 dB and +3 st over baseline). interruption "
        "end_s is the end of the overlap."
    ),
}


# --------------------------------------------------------------------------------------------
# synthesis


def db(x: float) -> float:
    return float(20.0 * np.log10(max(x, 1e-12)))


def frame_rms(x: np.ndarray, frame: int, hop: int) -> np.ndarray:
    if len(x) < frame:
        return np.zeros(0)
    n = 1 + (len(x) - frame) // hop
    idx = np.arange(frame)[None, :] + hop * np.arange(n)[:, None]
    return np.sqrt(np.mean(x[idx].astype(np.float64) ** 2, axis=1))


def espeak(text: str, voice: str, style: Style, tmp: Path) -> np.ndarray:
    out = tmp / "u.wav"
    cmd = ["espeak-ng", "-v", voice, "-p", str(style.pitch), "-s", str(style.rate),
           "-a", str(style.amp), "-w", str(out), text]
    subprocess.run(cmd, check=True, capture_output=True)
    x, sr = sf.read(out, dtype="float64")
    if sr != ESPEAK_SR:
        raise RuntimeError(f"espeak-ng wrote {sr} Hz, expected {ESPEAK_SR}")
    if x.ndim > 1:
        x = x.mean(axis=1)
    return resample_poly(x, SR, ESPEAK_SR)  # 22.05 kHz -> 16 kHz (320/441)


def trim(x: np.ndarray, floor_dbfs: float = -55.0, margin_s: float = 0.01) -> np.ndarray:
    """Cut espeak's leading/trailing silence so start_s/end_s are the speech itself."""
    hop = SR // 100
    r = frame_rms(x, hop, hop)
    on = np.flatnonzero(20 * np.log10(np.maximum(r, 1e-12)) > floor_dbfs)
    if len(on) == 0:
        raise RuntimeError("espeak-ng produced silence")
    m = int(margin_s * SR)
    a = max(0, on[0] * hop - m)
    b = min(len(x), (on[-1] + 1) * hop + m)
    y = x[a:b].copy()
    fade = int(0.005 * SR)
    ramp = np.linspace(0.0, 1.0, fade)
    y[:fade] *= ramp
    y[-fade:] *= ramp[::-1]
    return y


def speaking_rms(x: np.ndarray) -> float:
    """RMS over the speaking part: 20 ms frames above SPEAKING_DBFS."""
    r = frame_rms(x, SR // 50, SR // 100)
    sel = r[20 * np.log10(np.maximum(r, 1e-12)) > SPEAKING_DBFS]
    return float(np.sqrt(np.mean(sel**2)))


def limit(x: np.ndarray, ceiling: float = PEAK_LIMIT, window_s: float = 0.004) -> np.ndarray:
    """Smooth look-ahead peak limiter: gain <= ceiling/|x| at every sample, no hard clipping."""
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(x), 1e-12))
    w = max(1, int(window_s * SR))
    # moving minimum over +-w, then moving average over +-w/2: stays <= need everywhere
    pad = np.pad(need, w, mode="edge")
    from numpy.lib.stride_tricks import sliding_window_view

    mins = sliding_window_view(pad, 2 * w + 1).min(axis=1)
    h = w // 2
    k = np.ones(2 * h + 1) / (2 * h + 1)
    gain = np.convolve(np.pad(mins, h, mode="edge"), k, mode="valid")
    return x * np.minimum(gain, need)


def render(line: Line, tmp: Path) -> np.ndarray:
    style = STYLES[(line.speaker, line.style)]
    x = trim(espeak(line.text, VOICE[line.speaker], style, tmp))
    x = x * (10 ** ((NORMAL_DBFS + style.gain_db) / 20) / speaking_rms(x))
    if style.gain_db > 0:
        x = limit(x)
    if np.abs(x).max() >= 0.99:
        raise RuntimeError(f"peak {np.abs(x).max():.3f} >= 0.99 in {line.text!r}")
    return x.astype(np.float64)


def telephone_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Band-limited (300-3400 Hz) noise with a faint 50 Hz hum, at NOISE_DBFS RMS."""
    sos = butter(4, [300, 3400], btype="bandpass", fs=SR, output="sos")
    x = sosfilt(sos, rng.standard_normal(n + SR))[SR:]
    t = np.arange(n) / SR
    x = x / np.sqrt(np.mean(x**2)) + 0.3 * np.sin(2 * np.pi * 50 * t + rng.uniform(0, 2 * np.pi))
    return x * (10 ** (NOISE_DBFS / 20) / np.sqrt(np.mean(x**2)))


def place(lines: list[Line]) -> None:
    latest = LEAD_IN_S
    for i, ln in enumerate(lines):
        if ln.at is None:
            ln.start = latest + (ln.gap if i else 0.0)
        else:
            how, j, s = ln.at
            if how == "overlap":
                ln.start = lines[j].end - s
            elif how == "into":
                ln.start = lines[j].start + s
            else:
                raise ValueError(how)
        ln.start = round(ln.start * SR) / SR
        latest = max(latest, ln.end)


def build(name: str, seed: int, tmp: Path) -> tuple[np.ndarray, list[Line]]:
    lines = CALLS[name]
    for ln in lines:
        ln.audio = render(ln, tmp)
    place(lines)
    n = round((max(ln.end for ln in lines) + TAIL_S) * SR)
    rng = np.random.default_rng(seed)
    mix = np.stack([telephone_noise(n, rng), telephone_noise(n, rng)], axis=1)
    for ln in lines:
        a = round(ln.start * SR)
        mix[a:a + len(ln.audio), CHANNEL[ln.speaker]] += ln.audio
    if np.abs(mix).max() >= 0.99:
        raise RuntimeError(f"{name}: mix peak {np.abs(mix).max():.3f} >= 0.99")
    # round-trip through 16-bit so the checks below see exactly what is written
    pcm = np.round(mix * 32767).astype(np.int16)
    return pcm.astype(np.float64) / 32767, lines


# --------------------------------------------------------------------------------------------
# expected events


def r2(x: float) -> float:
    return round(float(x), 2)


def expected_for(name: str, lines: list[Line], duration: float) -> dict:
    events: list[dict] = []
    not_events: list[dict] = []
    for ln in lines:
        if ln.style == "yelling":
            events.append({"kind": "yelling", "speaker": ln.speaker, "start_s": r2(ln.start),
                           "end_s": r2(ln.end), "tolerance_s": 1.5, "text": ln.text})
        elif ln.style == "tense":
            events.append({"kind": "agent_tone", "speaker": ln.speaker, "start_s": r2(ln.start),
                           "end_s": r2(ln.end), "tolerance_s": 1.5,
                           "fired": ["loudness", "pitch", "rate"], "text": ln.text})
        elif ln.style == "cut_in":
            other = ln.at[1]  # the interrupted line
            o = lines[other]
            events.append({"kind": "interruption", "speaker": ln.speaker,
                           "start_s": r2(ln.start), "end_s": r2(min(ln.end, o.end)),
                           "tolerance_s": 1.0, "interrupted": o.speaker,
                           "other_talking_for_s": r2(ln.start - o.start),
                           "overlap_s": r2(min(ln.end, o.end) - ln.start), "text": ln.text})
        elif ln.style == "backchannel":
            not_events.append({"kind": "interruption", "speaker": ln.speaker,
                               "start_s": r2(ln.start), "end_s": r2(ln.end),
                               "why": f"backchannel {ln.text!r} ({ln.duration:.2f} s) during the "
                                      f"other party's turn"})
    kinds = {"yelling", "interruption", "agent_tone", "dead_air"}
    absent = sorted(kinds - {e["kind"] for e in events})
    return {"call": name, "duration_s": r2(duration),
            "sample_rate": SR, "channels": {"agent": 0, "customer": 1},
            "events": sorted(events, key=lambda e: e["start_s"]),
            "not_events": not_events, "absent_kinds": absent, "notes": NOTES[name]}


def script_for(name: str, lines: list[Line]) -> dict:
    utts = []
    for ln in sorted(lines, key=lambda x: x.start):
        st = STYLES[(ln.speaker, ln.style)]
        utts.append({"speaker": ln.speaker, "channel": CHANNEL[ln.speaker],
                     "start_s": round(ln.start, 3), "end_s": round(ln.end, 3), "text": ln.text,
                     "style": ln.style, "voice": VOICE[ln.speaker], "espeak_pitch": st.pitch,
                     "espeak_rate": st.rate, "level_db_over_normal": st.gain_db})
    return {"call": name, "made_with": "espeak-ng (synthetic voice)", "utterances": utts}


# --------------------------------------------------------------------------------------------
# checks


class SampleCheckError(AssertionError):
    pass


def check(cond: bool, msg: str) -> None:
    if not cond:
        raise SampleCheckError(msg)


def structural_checks(name: str, lines: list[Line], duration: float) -> None:
    check(40.0 <= duration <= 80.0, f"{name}: duration {duration:.1f} s outside 40-80 s")
    check(44 + int(duration * SR) * 4 < MAX_WAV_BYTES, f"{name}: wav would be >= 3 MB")
    spans = sorted((ln.start, ln.end) for ln in lines)
    # dead air: largest silence between any speech (and from the start)
    covered = LEAD_IN_S
    for a, b in spans:
        check(a - covered < 4.0, f"{name}: gap of {a - covered:.2f} s at {covered:.2f} s")
        covered = max(covered, b)
    ag = [ln for ln in lines if ln.speaker == AGENT]
    cu = [ln for ln in lines if ln.speaker == CUSTOMER]

    def overlap(x: Line, y: Line) -> float:
        return max(0.0, min(x.end, y.end) - max(x.start, y.start))

    if name in ("calm_call", "escalation_call"):
        for a in ag:
            for c in cu:
                check(overlap(a, c) == 0.0, f"{name}: overlap at {a.start:.2f}")
    if name == "calm_call":
        order = sorted(lines, key=lambda x: x.start)
        for p, q in itertools.pairwise(order):
            check(p.speaker != q.speaker, f"{name}: turns do not alternate at {q.start:.2f}")
            g = q.start - p.end
            check(0.39 <= g <= 1.01, f"{name}: gap {g:.2f} s at {p.end:.2f} not in 0.4-1.0")
        check(all(ln.style == "normal" for ln in lines), f"{name}: a non-normal line")
    if name == "escalation_call":
        yells = [c for c in cu if c.style == "yelling"]
        first = min(y.start for y in yells)
        calm = [c for c in cu if c.style == "normal" and c.end <= first]
        early = sum(min(c.end, 30.0) - c.start for c in calm if c.start < 30.0)
        check(len(calm) >= 3, f"{name}: only {len(calm)} calm customer turns before yelling")
        check(early >= 12.0, f"{name}: only {early:.1f} s of calm customer speech in first 30 s")
        check(len(yells) >= 2, f"{name}: fewer than 2 yelling turns")
        for y in yells:
            check(y.duration >= 3.0, f"{name}: yelling turn at {y.start:.2f} is {y.duration:.2f} s")
    if name == "interrupting_agent_call":
        early = sum(min(a.end, 25.0) - a.start for a in ag if a.start < 25.0
                    and a.style == "normal")
        check(early >= 10.0, f"{name}: only {early:.1f} s of calm agent speech in first 25 s")
        cuts = [a for a in ag if a.style == "cut_in"]
        check(len(cuts) >= 2, f"{name}: fewer than 2 cut-ins")
        for a in cuts:
            o = lines[a.at[1]]
            check(a.start - o.start >= 2.0, f"{name}: customer only {a.start - o.start:.2f} s "
                                            f"into the turn at cut-in {a.start:.2f}")
            check(overlap(a, o) >= 1.5, f"{name}: overlap {overlap(a, o):.2f} s < 1.5 s")
        bc = [a for a in ag if a.style == "backchannel"]
        check(len(bc) == 1, f"{name}: need exactly one backchannel")
        b = bc[0]
        o = lines[b.at[1]]
        check(b.duration <= 0.5, f"{name}: backchannel lasts {b.duration:.2f} s > 0.5 s")
        check(o.start + 1.0 <= b.start and b.end <= o.end - 0.5,
              f"{name}: backchannel not inside the customer's turn")
        check(all(b.end + 1.0 <= x.start or x.end + 1.0 <= b.start for x in ag if x is not b),
              f"{name}: backchannel too close to other agent speech")
        tense = [a for a in ag if a.style == "tense"]
        check(sum(t.duration for t in tense) >= 6.0, f"{name}: tense stretch < 6 s")
        for t in tense:
            check(all(overlap(t, c) == 0.0 for c in cu), f"{name}: tense stretch overlaps")
        for a in ag:
            if a.style in ("normal", "tense", "backchannel"):
                continue
            check(a.style == "cut_in", a.style)


def measure(x: np.ndarray) -> tuple[float, float, float]:
    """(median f0 Hz over voiced frames, median RMS dBFS over speech frames, speech seconds)."""
    import librosa

    frame, hop = 1024, 160
    y = x.astype(np.float32)
    f0 = librosa.yin(y, fmin=65, fmax=500, sr=SR, frame_length=frame, hop_length=hop,
                     center=False)
    rms = librosa.feature.rms(y=y, frame_length=512, hop_length=hop, center=False)[0]
    # align the 32 ms rms frames to the centres of the 64 ms yin frames
    off = (frame - 512) // 2 // hop
    n = min(len(f0), len(rms) - off)
    f0, rms_c = f0[:n], rms[off:off + n]
    rdb = 20 * np.log10(np.maximum(rms, 1e-12))
    speech = rdb > -45.0
    voiced = (20 * np.log10(np.maximum(rms_c, 1e-12)) > -40.0) & (f0 > 66) & (f0 < 495)
    return (float(np.median(f0[voiced])) if voiced.any() else float("nan"),
            float(np.median(rdb[speech])), float(speech.sum() * hop / SR))


def acoustic_checks(name: str, audio: np.ndarray, lines: list[Line]) -> list[dict]:
    """Measure each speaker/style from the final 16-bit audio; check the contrasts."""
    rows = []
    groups: dict[tuple[str, str], list[Line]] = {}
    for ln in lines:
        groups.setdefault((ln.speaker, ln.style), []).append(ln)

    def seg(ln: Line) -> np.ndarray:
        return audio[round(ln.start * SR):round(ln.end * SR), CHANNEL[ln.speaker]]

    per: dict[tuple[str, str], tuple[float, float]] = {}
    for key, lns in groups.items():
        f0, lev, sp = measure(np.concatenate([seg(ln) for ln in lns]))
        per[key] = (f0, lev)
        spk_rms = db(np.sqrt(np.mean([speaking_rms(seg(ln)) ** 2 for ln in lns])))
        rows.append({"call": name, "speaker": key[0], "style": key[1], "turns": len(lns),
                     "speech_s": sp, "f0_hz": f0, "rms_dbfs": lev, "speaking_rms_dbfs": spk_rms})
    for row in rows:
        base = per[(row["speaker"], "normal")]
        row["d_st"] = 12 * np.log2(row["f0_hz"] / base[0])
        row["d_db"] = row["rms_dbfs"] - base[1]
    for r in rows:
        if r["style"] == "normal":
            check(abs(r["speaking_rms_dbfs"] - NORMAL_DBFS) <= 1.0,
                  f"{name}: {r['speaker']} normal level {r['speaking_rms_dbfs']:.1f} dBFS "
                  f"is not ~-26")
    need = {"yelling": (10.0, 3.0), "tense": (4.0, 2.0)}
    for (spk, style), lns in groups.items():
        if style not in need:
            continue
        base_f0, base_db = per[(spk, "normal")]
        min_db, min_st = need[style]
        for ln in lns:  # every single loud turn, not only their median
            f0, lev, _ = measure(seg(ln))
            d_db, d_st = lev - base_db, 12 * np.log2(f0 / base_f0)
            check(d_db >= min_db,
                  f"{name}: {spk} {style} turn at {ln.start:.2f} s is only {d_db:+.1f} dB over "
                  f"normal (need >= +{min_db:.0f} dB); raise its gain")
            check(d_st >= min_st,
                  f"{name}: {spk} {style} turn at {ln.start:.2f} s is only {d_st:+.1f} st over "
                  f"normal (need >= +{min_st:.0f} st); raise its espeak pitch")
    return rows


def table(rows: list[dict]) -> str:
    head = ("| call | speaker | style | turns | speech s | median f0 Hz | st vs normal "
            "| median RMS dBFS | dB vs normal | speaking-part RMS dBFS |")
    out = [head, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['call']} | {r['speaker']} | {r['style']} | {r['turns']} | "
                   f"{r['speech_s']:.1f} | {r['f0_hz']:.0f} | {r['d_st']:+.1f} | "
                   f"{r['rms_dbfs']:.1f} | {r['d_db']:+.1f} | {r['speaking_rms_dbfs']:.1f} |")
    return "\n".join(out)


def events_table(expected: list[dict]) -> str:
    out = ["| call | kind | speaker | start_s | end_s | note |", "|---|---|---|---:|---:|---|"]
    for ex in expected:
        for e in ex["events"]:
            note = f"overlap {e['overlap_s']:.2f} s" if e["kind"] == "interruption" else ""
            out.append(f"| {ex['call']} | {e['kind']} | {e['speaker']} | {e['start_s']:.2f} | "
                       f"{e['end_s']:.2f} | {note} |")
        for e in ex["not_events"]:
            out.append(f"| {ex['call']} | NOT {e['kind']} | {e['speaker']} | {e['start_s']:.2f} | "
                       f"{e['end_s']:.2f} | {e['why']} |")
        if not ex["events"]:
            out.append(f"| {ex['call']} | (none) | | | | duration {ex['duration_s']:.2f} s |")
    return "\n".join(out)


README = """# Sample calls

Three small two-channel sample calls with the events a correct analyser should report, for demos
and tests. **Made with espeak-ng, a synthetic voice**: the audio is generated by
`make_samples.py`; there is no recorded speech and no third-party audio in it.

- `calm_call/`: polite alternating turns; the agent uses good-practice phrases (name, empathy,
  specific apology, paraphrase, solution, closing). Expected events: none.
- `escalation_call/`: the customer is calm at first, then yells twice (the second time asking for
  a manager); the agent stays calm. Expected: `yelling` (customer) x2.
- `interrupting_agent_call/`: the agent is calm at first, says one `mm-hmm` backchannel, then cuts
  the customer off twice, then speaks rushed and tense. Expected: `interruption` (agent) x2,
  `agent_tone` (agent) x1; the backchannel is a listed non-event.

Each folder holds:

- `call.wav`: 16 kHz, 2 channels, 16-bit PCM. Channel 0 = agent (espeak-ng `en-us+f3`), channel 1 =
  customer (`en-us+m3`). Each party's speech is only on its own channel; both channels carry a quiet
  telephone-like noise floor (300-3400 Hz noise plus faint 50 Hz hum, about -65 dBFS RMS, fixed
  seed). Calls are 40-46 s so each wav stays under 3 MB (64 kB per second of audio).
- `script.json`: every utterance: speaker, channel, start_s, end_s, text, style and the espeak-ng
  pitch/rate and level used.
- `expected.json`: `events` (kind, speaker, start_s, end_s, tolerance_s), `not_events` (things that
  must not be reported, e.g. the backchannel), `absent_kinds` (kinds that must not appear at all in
  that call) and notes. Interruption events start when the agent starts talking over the customer
  and end when the overlap ends.

## How the voices are made

espeak-ng output (22.05 kHz) is resampled to 16 kHz (`scipy.signal.resample_poly`, 320/441), its
leading/trailing silence trimmed (so utterance times are the speech itself) and level-normalised:
each "normal" utterance to -26 dBFS RMS over its speaking part (20 ms frames above -50 dBFS).

| speaker, style | espeak-ng | level |
|---|---|---|
| agent normal | `-v en-us+f3 -p 50 -s 160` | -26 dBFS |
| agent cut_in | same as normal (the event is the overlap) | -26 dBFS |
| agent backchannel | `-p 50 -s 270` ("Mm-hmm.", <= 0.5 s) | -26 dBFS |
| agent tense | `-p 68 -s 250` | +6 dB (non-calm, not yelling) |
| customer normal | `-v en-us+m3 -p 40 -s 160` | -26 dBFS |
| customer yelling | `-p 85 -s 190` | +14 dB, smooth peak limiter (ceiling 0.97): no clipping |

## Measured (from the written wavs)

Median f0 from `librosa.yin` (fmin 65, fmax 500, 64 ms frames, 10 ms hop) over voiced frames;
median RMS dBFS over speech frames (32 ms, above -45 dBFS; the median frame sits a few dB below
the power-averaged level). "speaking-part RMS" is the normalisation statistic (RMS over 20 ms
frames above -50 dBFS), -26 dBFS for normal turns by construction. The script refuses to write the
samples unless every yelling turn is >= +10 dB and >= +3 semitones over that customer's normal
turns and the tense agent stretch is >= +4 dB and >= +2 semitones over the agent's normal turns.
The tense stretch is meant as a non-calm tone (`agent_tone`), not yelling: it stays well below
the yelling rule (>= +10 dB and >= +3 semitones over the speaker's baseline in most of a 1 s
window).

{table}

## Expected events

{events}

## Regenerate

```
python samples/make_samples.py           # needs espeak-ng (tested with {espeak}), numpy, scipy,
                                         # soundfile, librosa; rewrites samples/*/ and this README
python samples/make_samples.py --check   # synthesise and verify only, write nothing
pytest tests/test_samples.py             # checks the committed wavs (no espeak-ng needed)
```

The output is deterministic (fixed seeds, fixed gaps); a different espeak-ng version may shift
utterance times slightly, in which case commit the regenerated `expected.json` with the wavs.
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="verify only, write nothing")
    args = ap.parse_args(argv)
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed", file=sys.stderr)
        return 2
    version = subprocess.run(["espeak-ng", "--version"], capture_output=True, text=True,
                             check=True).stdout.split("Data at")[0].strip()
    version = version.replace("eSpeak NG text-to-speech:", "espeak-ng").strip()
    rows: list[dict] = []
    expected_all = []
    with tempfile.TemporaryDirectory() as td:
        for seed, name in enumerate(CALLS, start=1001):
            audio, lines = build(name, seed, Path(td))
            duration = len(audio) / SR
            structural_checks(name, lines, duration)
            rows += acoustic_checks(name, audio, lines)
            expected = expected_for(name, lines, duration)
            expected_all.append(expected)
            if not args.check:
                d = HERE / name
                d.mkdir(exist_ok=True)
                sf.write(d / "call.wav", audio.astype(np.float32), SR, subtype="PCM_16")
                (d / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
                (d / "script.json").write_text(json.dumps(script_for(name, lines), indent=2)
                                               + "\n")
                size = (d / "call.wav").stat().st_size
                check(size < MAX_WAV_BYTES, f"{name}: call.wav is {size} bytes")
            print(f"{name}: {duration:.2f} s, {len(lines)} utterances, "
                  f"events {[(e['kind'], e['start_s'], e['end_s']) for e in expected['events']]}")
    tbl = table(rows)
    print()
    print(tbl)
    if not args.check:
        (HERE / "README.md").write_text(README.format(table=tbl, events=events_table(expected_all),
                                                      espeak=version))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SampleCheckError as e:
        print(f"sample check failed: {e}", file=sys.stderr)
        sys.exit(1)
