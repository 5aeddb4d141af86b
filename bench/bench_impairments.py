"""Calm real calls through line impairments the channel simulator does not model (issue 13).

Acceptance runs on channel conditions we do not have. Besides codecs, levels and noise
(``bench/telephone.py``), real contact-centre lines carry:

- **echo**: the far end's hybrid returns the agent's voice on the customer channel 20-300 ms
  later (a network echo an echo canceller did not fully remove), or a softphone's speaker leaks
  the customer into the agent's microphone; modelled as a delayed copy of one channel added to
  the other at -30, -20 or -12 dB;
- **packet loss**: 20 ms frames lost and zero-filled (no concealment) at 2 % and 5 %;
- **clipping**: one line 12 dB too hot into a recorder that clips at half scale;
- **hum**: 50 Hz mains hum at -40 dBFS on both lines;
- **gain**: both lines 10 dB hotter (clipping at full scale) or 20 dB quieter.

Every yelling / agent_tone event and every alert on these calm calls is a false alarm, and so is
every interruption the clean copy does not have (``interruptions`` counts them all; the clean
row gives the baseline). Calls: the real two-party telephone call ``lca_calls/Auto_Repairs``
(8 kHz, 4 minutes) and two AMI close-talk pairings (wideband, real overlaps).

Session 11 adds what a contact centre's floor and phones add: neighbours' voices in the agent's
headset (babble), DTX (digital silence or comfort noise between words), burst loss with
concealment, hold music and IVR prompts, DTMF key tones, a speakerphone caller in a reverberant
room and a caller on a distant microphone (:func:`session11_impairments`), and ``--recall``:
the RAVDESS many-clip calls with those that could cost recall.

Session 13 adds level swings (:func:`session13_impairments`): one line's gain stepped by
+10 / +6 / -12 / -20 dB for the call's second quarter, or -12 / +10 dB for its first quarter.

Session 22 adds a hold the platform fills with digital silence (:func:`silent_hold`), on both
lines or the agent's only.

Session 12 adds three more synthetic hold-music styles beside the chord loop (sustained pad
chords with vibrato, a plucked piano-like arpeggio, a sung vowel-formant melody over chords;
:data:`MUSIC_STYLES`), and ``--set SECTION.KEY=VALUE`` config overrides (e.g.
``--set features.music_min_held_share=0.2``: the hold-music judge of ``audio/music.py``).

Run: ``python bench/bench_impairments.py [--json out.json] [--calls lca,ami] [--only SUBSTR,...]``
or ``--recall 07,08,11,12 [--recall-conditions wideband,nb_gsm_noise20_calm]``. Needs
``../shared/data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
for p in (ROOT, ROOT / "bench"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import bench_calls  # noqa: E402
from _common import config_overrides  # noqa: E402
from bench_calls import CALM_FALSE_ALERTS, SR_HZ, TONE_EVENTS  # noqa: E402

from calltone.audio.decode import DecodedAudio, load_audio  # noqa: E402
from calltone.models.recorded.analysis import run_session  # noqa: E402
from calltone.models.tone.config import AnalysisConfig  # noqa: E402

Impairment = Callable[[np.ndarray], np.ndarray]


def echo(src: int, dst: int, gain_db: float, delay_s: float) -> Impairment:
    """Channel ``src`` added to channel ``dst``, ``delay_s`` late, ``gain_db`` down."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        d = max(1, round(delay_s * SR_HZ))
        y[dst, d:] += x[src, :-d] * np.float32(10 ** (gain_db / 20))
        return y

    return f


def packet_loss(rate: float, *, seed: int = 5) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        frame = round(0.02 * SR_HZ)
        rng = np.random.default_rng(seed)
        lost = rng.random((y.shape[0], y.shape[1] // frame)) < rate
        for ch, k in zip(*np.nonzero(lost), strict=True):
            y[ch, k * frame : (k + 1) * frame] = 0.0
        return y

    return f


def clip(channel: int, gain_db: float, ceiling: float = 0.5) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        y[channel] = np.clip(y[channel] * np.float32(10 ** (gain_db / 20)), -ceiling, ceiling)
        return y

    return f


def hum(level_dbfs: float, freq_hz: float = 50.0) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        t = np.arange(x.shape[1]) / SR_HZ
        tone = 10 ** (level_dbfs / 20) * np.sqrt(2) * np.sin(2 * np.pi * freq_hz * t)
        return x + tone.astype(np.float32)[None, :]

    return f


def gain(db: float) -> Impairment:
    def f(x: np.ndarray) -> np.ndarray:
        return np.clip(x * np.float32(10 ** (db / 20)), -1.0, 1.0)

    return f


# --------------------------------------------------------------------------------------------
# Session 11: what a real contact centre adds (neighbour babble, DTX, concealment, hold music,
# IVR prompts, DTMF, speakerphone and distant callers).

FRAME_S = 0.02


def _frame_db(x: np.ndarray, frame_s: float = FRAME_S) -> np.ndarray:
    """Level (dBFS) of consecutive ``frame_s`` frames of a 1-D signal."""
    f = round(frame_s * SR_HZ)
    n = x.size // f
    p = np.mean(np.square(x[: n * f].astype(np.float64)).reshape(n, f), axis=1)
    return 10.0 * np.log10(np.maximum(p, 1e-12))


def active_level_db(x: np.ndarray, *, below_loud_db: float = 30.0) -> float:
    """Active speech level (dBFS): power mean of the 20 ms frames within ``below_loud_db`` of
    the loudest (99th percentile) frame."""
    db = _frame_db(x)
    loud = float(np.percentile(db, 99))
    act = db[db > loud - below_loud_db]
    return float(10.0 * np.log10(np.mean(10.0 ** (act / 10.0))))


def _band_limit(x: np.ndarray) -> np.ndarray:
    """300-3400 Hz, as a voice through the telephone channel."""
    import scipy.signal

    sos = scipy.signal.butter(4, [300.0, 3400.0], btype="bandpass", fs=SR_HZ, output="sos")
    return scipy.signal.sosfilt(sos, x).astype(np.float32)


def _loop(x: np.ndarray, n: int, offset: int = 0) -> np.ndarray:
    reps = -(-(n + offset) // x.size)
    return np.tile(x, reps)[offset : offset + n]


def _pink(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.standard_normal(n)
    spec = np.fft.rfft(w)
    f = np.arange(spec.size, dtype=np.float64)
    f[0] = 1.0
    y = np.fft.irfft(spec / np.sqrt(f), n)
    return (y / np.sqrt(np.mean(y**2))).astype(np.float32)


def _scale_to(x: np.ndarray, level_db: float) -> np.ndarray:
    return (x * np.float32(10 ** ((level_db - active_level_db(x)) / 20))).astype(np.float32)


@lru_cache(maxsize=1)
def babble_voices() -> dict[str, np.ndarray]:
    """Other voices for a neighbour's babble, none of them a party of the calls measured here:
    the other LCA agent recording (8 kHz band), AMI source3's close-talk channel and RAVDESS
    actors 01-04's neutral and calm clips one after another with 0.6 s pauses."""
    d = bench_calls.shared_data()
    lca = load_audio(d / "lca_calls" / "agent.flac").samples[0].astype(np.float32)
    ami = load_audio(d / "ami_meeting_4spk_60s" / "sources" / "source3.wav").samples[0]
    gap = np.zeros(round(0.6 * SR_HZ), np.float32)
    rav: list[np.ndarray] = []
    for c in bench_calls.load_ravdess():
        if c.actor in ("01", "02", "03", "04") and c.label.split("-")[0] in ("neutral", "calm"):
            rav += [c.samples.astype(np.float32), gap]
    return {"lca_agent": lca, "ami_source3": ami.astype(np.float32), "ravdess": np.concatenate(rav)}


def babble(
    dst: int, rel_db: float, *, steady: bool, telephone: bool, exclude_ami: bool = False
) -> Impairment:
    """Neighbours' voices in channel ``dst``'s microphone, ``rel_db`` re that party's active
    level. ``steady``: three voices at once, looped over the call (an open-plan floor);
    otherwise one neighbour (the other LCA agent's recording) with their own pauses, heard
    only in 4-10 s stretches (they turn towards and away). ``telephone``: band-limited as the
    party's own voice is."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        n = x.shape[1]
        v = babble_voices()
        names = ["lca_agent", "ravdess"] + ([] if exclude_ami else ["ami_source3"])
        if steady:
            b = sum(_scale_to(_loop(v[k], n, 7919 * i), -30.0) for i, k in enumerate(names))
            b = np.asarray(b, np.float32)
        else:
            b = _loop(v["lca_agent"], n)
            rng = np.random.default_rng(11)
            gate = np.zeros(n, np.float32)
            t = round(rng.uniform(2, 6) * SR_HZ)
            while t < n:
                on = round(rng.uniform(4, 10) * SR_HZ)
                gate[t : t + on] = 1.0
                t += on + round(rng.uniform(4, 12) * SR_HZ)
            b = b * gate
        if telephone:
            b = _band_limit(b)
        ref = active_level_db(x[dst])
        y[dst] += _scale_to(b, ref + rel_db) if b.any() else b
        return y

    return f


def dtx(
    channels: tuple[int, ...],
    mode: str,
    *,
    noise_snr_db: float | None = 30.0,
    calm_ref: bool = False,
    vad_over_noise_db: float | None = None,
) -> Impairment:
    """Discontinuous transmission: a codec VAD (20 ms frames, active within 30 dB of the line's
    active level, 100 ms hangover) sends speech frames and, between words, either nothing
    (``mode="silence"``: the receiver plays digital zeros) or comfort noise (``"cn"``: white
    noise at the mean level of the last 8 inactive frames (a SID update every 160 ms), 4 dB under
    it, so the level and the spectrum jump at every pause); ``"none"``: the office noise only,
    no DTX (the control). ``noise_snr_db``: office noise (pink) added under the party's active
    level first, so there is a background to drop.

    ``calm_ref``: the office noise is ``noise_snr_db`` under the party's *calm* voice (the
    ``calm_levels_dbfs`` the channel cache passes, :class:`ImpairedCache`; without them the
    active level): on a RAVDESS many-clip call the active level is the shouting's, and noise 20
    dB under it stands over the calm voice (the calm clips are not heard at all), which is a
    noisy line, not DTX. ``vad_over_noise_db``: the VAD tracks the background as codec VADs do
    (AMR VAD1, G.729 Annex B, Opus: an adaptive noise estimate, speech a margin over it), a frame
    active when its level is this far over the office noise's mean frame level, instead of the
    fixed 30 dB under the active level (which, with noise 20 dB under a shouting party, is
    never reached: no comfort noise at all)."""

    def f(x: np.ndarray, calm_levels_dbfs: Any = None) -> np.ndarray:
        y = x.copy()
        fr = round(FRAME_S * SR_HZ)
        rng = np.random.default_rng(23)
        for ch in channels:
            s = y[ch].astype(np.float32)
            act_db = active_level_db(s)
            ref_db = act_db
            if calm_ref and calm_levels_dbfs is not None and calm_levels_dbfs[ch] is not None:
                ref_db = float(calm_levels_dbfs[ch])
            threshold = act_db - 30.0
            if noise_snr_db is not None:
                noise = _pink(s.size, 31 + ch) * np.float32(10 ** ((ref_db - noise_snr_db) / 20))
                s = s + noise
                if vad_over_noise_db is not None:
                    nd = _frame_db(noise)
                    threshold = float(10.0 * np.log10(np.mean(10.0 ** (nd / 10.0))))
                    threshold += vad_over_noise_db
            if mode == "none":
                y[ch] = s
                continue
            db = _frame_db(s)
            active = db > threshold
            hang = active.copy()
            for k in range(1, 6):
                hang[k:] |= active[:-k]
            cn_power = 0.0
            hist: list[float] = []
            for k in np.nonzero(~hang)[0]:
                seg = s[k * fr : (k + 1) * fr]
                if mode == "silence":
                    s[k * fr : (k + 1) * fr] = 0.0
                    continue
                hist.append(float(np.mean(np.square(seg))))
                if len(hist) % 8 == 1:
                    cn_power = float(np.mean(hist[-8:])) * 10 ** (-4 / 10)
                s[k * fr : (k + 1) * fr] = rng.standard_normal(fr) * np.sqrt(cn_power)
            y[ch] = s
        return y

    f.wants_calm_levels = True  # type: ignore[attr-defined]
    return f


#: DTX on a RAVDESS many-clip call as a line would carry it (:func:`dtx`): the office noise
#: under the party's calm voice, a VAD that tracks it (6 dB over its mean frame level), and
#: its control (the same noise, no DTX).
DTX_CALM_NOISE = "office noise 20 dB under calm voice, both (no DTX)"
DTX_CALM_CN = "DTX comfort noise -4 dB, both (noise 20 dB under calm voice, VAD 6 dB over it)"


def plc_bursts(rate: float, *, seed: int = 9) -> Impairment:
    """Burst packet loss with concealment on both lines: bursts of 2-8 lost 20 ms frames start
    at ``rate`` of frames; the receiver repeats the last pitch period (autocorrelation, 2.5-15
    ms) of the audio before the loss, its gain falling 20 % per 10 ms after the first 10 ms
    and muted after 60 ms (G.711 Appendix I style)."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        fr = round(FRAME_S * SR_HZ)
        rng = np.random.default_rng(seed)
        for ch in range(y.shape[0]):
            s = y[ch]
            k = 10
            nfr = s.size // fr
            while k < nfr - 8:
                if rng.random() >= rate:
                    k += 1
                    continue
                ln = int(rng.integers(2, 9))
                a, b = k * fr, (k + ln) * fr
                hist = s[a - 2 * round(0.015 * SR_HZ) : a].astype(np.float64)
                lo, hi = round(0.0025 * SR_HZ), round(0.015 * SR_HZ)
                seg = hist[-hi:]
                ac = [np.dot(hist[-hi - lag : -lag], seg) for lag in range(lo, hi + 1)]
                period = lo + int(np.argmax(ac))
                rep = _loop(s[a - period : a].copy(), b - a)
                t = np.arange(b - a) / SR_HZ
                g = np.clip(1.0 - 0.2 * np.maximum(t - 0.01, 0.0) / 0.01, 0.0, 1.0)
                g[t >= 0.06] = 0.0
                s[a:b] = (rep * g).astype(np.float32)
                k += ln + 1
        return y

    return f


def hold_music(n: int, seed: int = 3) -> np.ndarray:
    """Synthetic hold music (no recording): a I-V-vi-IV chord loop (2 s a chord, three voices
    with four harmonics and a plucked decay) under a melody of 0.25-0.5 s notes, unit RMS."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR_HZ
    out = np.zeros(n)
    roots = [261.63, 392.0, 440.0, 349.23]  # C, G, A, F
    thirds = [4, 4, 3, 4]
    for i, start in enumerate(np.arange(0.0, n / SR_HZ, 2.0)):
        r = roots[i % 4]
        a, b = round(start * SR_HZ), min(n, round((start + 2.0) * SR_HZ))
        tt = t[a:b] - start
        env = np.exp(-tt / 0.8)
        for semi in (0, thirds[i % 4], 7):
            f0 = r * 2 ** (semi / 12) / 2
            for h in range(1, 5):
                out[a:b] += env * np.sin(2 * np.pi * f0 * h * tt) / h
    scale = [0, 2, 4, 5, 7, 9, 11, 12]
    pos = 0.0
    while pos < n / SR_HZ:
        dur = float(rng.choice([0.25, 0.5]))
        f0 = 523.25 * 2 ** (scale[int(rng.integers(0, 8))] / 12)
        a, b = round(pos * SR_HZ), min(n, round((pos + dur) * SR_HZ))
        tt = t[a:b] - pos
        env = np.minimum(tt / 0.02, 1.0) * np.exp(-tt / 0.4)
        out[a:b] += 1.5 * env * (np.sin(2 * np.pi * f0 * tt) + 0.3 * np.sin(4 * np.pi * f0 * tt))
        pos += dur
    return (out / np.sqrt(np.mean(out**2))).astype(np.float32)


_MAJOR = [0, 2, 4, 5, 7, 9, 11, 12]
#: Chords of a I-V-vi-IV loop in C: (root Hz, semitones of the voices over it).
_CHORDS = [(261.63, (0, 4, 7)), (392.0, (0, 4, 7)), (440.0, (0, 3, 7)), (349.23, (0, 4, 7))]


def _music_pad(n: int, seed: int) -> np.ndarray:
    """Sustained pad chords: four voices (root an octave down, the triad, the octave), each a
    sawtooth-like series of 8 harmonics with a slow 5 Hz vibrato (+-0.15 st, its own phase) and
    a slow tremolo; chords of 4 s with 0.4 s attack and release that overlap."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR_HZ
    out = np.zeros(n)
    for i, start in enumerate(np.arange(0.0, n / SR_HZ, 4.0)):
        root, tri = _CHORDS[i % 4]
        a = round(max(0.0, start - 0.4) * SR_HZ)
        b = min(n, round((start + 4.4) * SR_HZ))
        tt = t[a:b] - (start - 0.4)
        env = np.clip(tt / 0.4, 0, 1) * np.clip((4.8 - tt) / 0.4, 0, 1)
        for semi in (-12, *tri, 12):
            f0 = root * 2 ** (semi / 12) / 2
            ph0 = rng.uniform(0, 2 * np.pi)
            vib = 0.15 / 12 * np.log(2) * np.sin(2 * np.pi * 5.0 * tt + ph0)
            phase = 2 * np.pi * f0 * np.cumsum(1 + vib) / SR_HZ
            trem = 1 + 0.1 * np.sin(2 * np.pi * 0.7 * tt + ph0)
            for h in range(1, 9):
                out[a:b] += env * trem * np.sin(h * phase + rng.uniform(0, 6.3)) / h
    return out


def _music_piano(n: int, seed: int) -> np.ndarray:
    """A plucked, piano-like arpeggio: a note every 0.2-0.3 s up and down the chord of the
    I-V-vi-IV loop (2 s a chord) and a bass note each chord, each note 10 slightly inharmonic
    partials, a 5 ms attack and an exponential decay (0.9 s, faster for higher partials), the
    notes ringing on under the next (a held pedal)."""
    rng = np.random.default_rng(seed)
    out = np.zeros(n)

    def note(at_s: float, f0: float, amp: float, dur_s: float = 2.5) -> None:
        a = round(at_s * SR_HZ)
        b = min(n, a + round(dur_s * SR_HZ))
        if a >= n:
            return
        tt = np.arange(b - a) / SR_HZ
        for h in range(1, 11):
            fh = f0 * h * np.sqrt(1 + 0.0004 * h * h)
            if fh > 7000:
                break
            env = np.minimum(tt / 0.005, 1.0) * np.exp(-tt * (1 + 0.4 * h) / 0.9)
            out[a:b] += amp * env * np.sin(2 * np.pi * fh * tt) / h

    for i, start in enumerate(np.arange(0.0, n / SR_HZ, 2.0)):
        root, tri = _CHORDS[i % 4]
        note(start, root / 4, 1.0)
        pattern = [0, 1, 2, 3, 2, 1, 0, 1]
        pos = start
        k = 0
        while pos < start + 2.0 - 1e-9:
            step = pattern[k % len(pattern)]
            semi = (*tri, 12)[step]
            note(pos, root * 2 ** (semi / 12) / 2, 0.8)
            pos += float(rng.choice([0.2, 0.25, 0.25, 0.3]))
            k += 1
    return out


#: Vowel formants (Hz) of a sung melody: /a/, /e/, /i/, /o/, /u/ (F1, F2, F3).
_VOWELS = [
    (730, 1090, 2440),
    (530, 1840, 2480),
    (270, 2290, 3010),
    (570, 840, 2410),
    (300, 870, 2240),
]


def _music_sung(n: int, seed: int) -> np.ndarray:
    """Music with a sung melody: a voice (glottal-like source: 30 harmonics at -12 dB/octave
    through three vowel formants, a vowel a note) singing 0.4-1.2 s notes of the major scale
    around 220 Hz, legato (60 ms glides), a 5.5 Hz vibrato of +-0.4 st that grows in after
    0.15 s, a breath of 0.3 s every 4 s; over soft piano-like chords 8 dB under the voice."""
    rng = np.random.default_rng(seed)
    t = np.arange(n) / SR_HZ
    # The melody: a pitch contour in semitones re 220 Hz and the note starts.
    st = np.zeros(n)
    amp = np.ones(n)
    vowel_of = np.zeros(n, int)
    vib_depth = np.zeros(n)
    pos, prev = 0.0, 0.0
    phrase_end = 4.0
    while pos < n / SR_HZ:
        dur = float(rng.choice([0.4, 0.6, 0.8, 1.2]))
        semi = float(_MAJOR[int(rng.integers(0, 8))] - 5)
        a, b = round(pos * SR_HZ), min(n, round((pos + dur) * SR_HZ))
        tt = t[a:b] - pos
        glide = np.clip(tt / 0.06, 0, 1)
        st[a:b] = prev + (semi - prev) * glide
        vib_depth[a:b] = 0.4 * np.clip((tt - 0.15) / 0.2, 0, 1)
        vowel_of[a:b] = int(rng.integers(0, len(_VOWELS)))
        prev = semi
        pos += dur
        if pos >= phrase_end:  # a breath
            g0, g1 = round(pos * SR_HZ), min(n, round((pos + 0.3) * SR_HZ))
            amp[g0:g1] = 0.0
            pos += 0.3
            phrase_end = pos + 4.0
    vib = vib_depth * np.sin(2 * np.pi * 5.5 * t)
    f0 = 220.0 * 2 ** ((st + vib) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / SR_HZ
    src = np.zeros(n)
    for h in range(1, 31):
        src += np.where(f0 * h < 7000, np.sin(h * phase) / h**2, 0.0)
    import scipy.signal

    # Smooth note envelopes (20 ms) so notes and breaths do not click.
    k = round(0.02 * SR_HZ)
    amp = np.convolve(amp, np.ones(k) / k, mode="same")
    voice = np.zeros(n)
    for v, (f1, f2, f3) in enumerate(_VOWELS):
        sel = vowel_of == v
        if not sel.any():
            continue
        y = np.zeros(n)
        for fc, bw, g in ((f1, 80, 1.0), (f2, 100, 0.5), (f3, 150, 0.25)):
            b, a = scipy.signal.iirpeak(fc, fc / bw, fs=SR_HZ)
            y += g * scipy.signal.lfilter(b, a, src)
        # Crossfade vowels with the same smoothing as the envelope.
        w = np.convolve(sel.astype(float), np.ones(k) / k, mode="same")
        voice += w * y
    voice *= amp
    acc = _music_piano(n, seed + 1)
    acc *= np.sqrt(np.mean(voice**2) / max(np.mean(acc**2), 1e-12)) * 10 ** (-8 / 20)
    return voice + acc


#: Hold music styles (:func:`hold_music`).
MUSIC_STYLES = ("loop", "pad", "piano", "sung")


def hold_music_style(n: int, style: str, seed: int = 3) -> np.ndarray:
    """``n`` samples of synthetic hold music of ``style`` (:data:`MUSIC_STYLES`), unit RMS."""
    if style == "loop":
        return hold_music(n, seed)
    out = {"pad": _music_pad, "piano": _music_piano, "sung": _music_sung}[style](n, seed)
    return (out / np.sqrt(np.mean(out**2))).astype(np.float32)


def _insert(x: np.ndarray, at: int, block: np.ndarray) -> np.ndarray:
    return np.concatenate((x[:, :at], block.astype(np.float32), x[:, at:]), axis=1)


def hold(
    music_on: int, seconds: float, rel_db: float, *, telephone: bool, style: str = "loop"
) -> Impairment:
    """A hold at the middle of the call: ``seconds`` of synthetic music (``style``, see
    :func:`hold_music_style`) on channel ``music_on`` at ``rel_db`` re that party's active
    level, the other line at its own quietest level (pink noise 60 dB under its speech)."""

    def f(x: np.ndarray) -> np.ndarray:
        n = round(seconds * SR_HZ)
        m = hold_music_style(n, style)
        if telephone:
            m = _band_limit(m)
        block = np.zeros((x.shape[0], n), np.float32)
        for ch in range(x.shape[0]):
            lvl = active_level_db(x[ch])
            block[ch] = (
                m * np.float32(10 ** ((lvl + rel_db) / 20))
                if ch == music_on
                else _pink(n, 41 + ch) * np.float32(10 ** ((lvl - 60) / 20))
            )
        return _insert(x, x.shape[1] // 2, block)

    return f


def silent_hold(channels: tuple[int, ...], seconds: float) -> Impairment:
    """A hold at the middle of the call that the platform fills with digital silence (session
    22): ``seconds`` of zeros on ``channels`` (a paused AudioHook session and Twilio's skipped
    silence reach the analysis this way), the other lines at their quietest level (pink noise
    60 dB under their speech)."""

    def f(x: np.ndarray) -> np.ndarray:
        n = round(seconds * SR_HZ)
        block = np.zeros((x.shape[0], n), np.float32)
        for ch in range(x.shape[0]):
            if ch not in channels:
                block[ch] = _pink(n, 45 + ch) * np.float32(
                    10 ** ((active_level_db(x[ch]) - 60) / 20)
                )
        return _insert(x, x.shape[1] // 2, block)

    return f


def ivr_prompt(rel_db: float, *, telephone: bool, seconds: float = 20.0) -> Impairment:
    """Before the agent answers, an IVR prompt (another voice: RAVDESS actor 05's neutral and
    calm clips with 0.6 s pauses) on the agent channel at ``rel_db`` re the agent's level; the
    customer line meanwhile at pink noise 60 dB under its speech."""

    def f(x: np.ndarray) -> np.ndarray:
        gap = np.zeros(round(0.6 * SR_HZ), np.float32)
        parts: list[np.ndarray] = []
        for c in bench_calls.load_ravdess():
            if c.actor == "05" and c.label.split("-")[0] in ("neutral", "calm"):
                parts += [c.samples.astype(np.float32), gap]
        n = round(seconds * SR_HZ)
        v = _loop(np.concatenate(parts), n)
        if telephone:
            v = _band_limit(v)
        block = np.zeros((x.shape[0], n), np.float32)
        block[0] = _scale_to(v, active_level_db(x[0]) + rel_db)
        for ch in range(1, x.shape[0]):
            block[ch] = _pink(n, 43 + ch) * np.float32(10 ** ((active_level_db(x[ch]) - 60) / 20))
        return _insert(x, 0, block)

    return f


DTMF_HZ = {
    "1": (697, 1209),
    "2": (697, 1336),
    "3": (697, 1477),
    "4": (770, 1209),
    "5": (770, 1336),
    "6": (770, 1477),
    "7": (852, 1209),
    "8": (852, 1336),
    "9": (852, 1477),
    "0": (941, 1336),
    "*": (941, 1209),
    "#": (941, 1477),
}


def dtmf(channel: int, rel_db: float, digits: str = "4111111111111111#") -> Impairment:
    """Key tones on ``channel``: ``digits`` (100 ms on, 80 ms off) at three points of the call
    (20 %, 50 %, 80 %), each tone pair ``rel_db`` re the party's active level, added to the line."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        on, off = round(0.1 * SR_HZ), round(0.08 * SR_HZ)
        t = np.arange(on) / SR_HZ
        seq = np.concatenate(
            [
                np.concatenate(
                    (
                        np.sin(2 * np.pi * DTMF_HZ[d][0] * t)
                        + np.sin(2 * np.pi * DTMF_HZ[d][1] * t),
                        np.zeros(off),
                    )
                )
                for d in digits
            ]
        ).astype(np.float32)
        seq *= np.float32(10 ** ((active_level_db(x[channel]) + rel_db) / 20))  # RMS of a pair: 1
        for frac in (0.2, 0.5, 0.8):
            a = round(frac * x.shape[1])
            m = min(seq.size, x.shape[1] - a)
            y[channel, a : a + m] += seq[:m]
        return y

    return f


def _sox(x: np.ndarray, *effect: str) -> np.ndarray:
    import subprocess

    r = subprocess.run(
        ["sox", "-t", "f32", "-r", str(SR_HZ), "-c", "1", "-", "-t", "f32", "-", *effect],
        input=np.ascontiguousarray(x, np.float32).tobytes(),
        capture_output=True,
        check=True,
    )
    y = np.frombuffer(r.stdout, np.float32)
    return np.pad(y, (0, max(0, x.size - y.size)))[: x.size].copy()


def speakerphone(
    channel: int,
    reverberance: float,
    *,
    rel_db: float = 0.0,
    room_snr_db: float | None = None,
    telephone: bool,
    calm_ref: bool = False,
) -> Impairment:
    """A caller on a speakerphone / distant microphone: sox ``reverb`` (reverberance %, room
    scale 100 %, wet and dry) on ``channel``, its level moved by ``rel_db`` and room noise (pink,
    ``room_snr_db`` under the moved speech) added.

    ``calm_ref``: the room noise is ``room_snr_db`` under the caller's *calm* voice (the
    ``calm_levels_dbfs`` the channel cache passes, :class:`ImpairedCache`; without them, as on
    the real calm calls, the active level). On a RAVDESS many-clip call the active level is the
    shouting's, and noise 15 dB under it stands 5-8 dB over the calm voice (its calm clips are
    not heard at all: a caller nobody could hear, the agent included)."""

    def f(x: np.ndarray, calm_levels_dbfs: Any = None) -> np.ndarray:
        y = x.copy()
        s = y[channel]
        lvl = active_level_db(s)
        ref = lvl
        if calm_ref and calm_levels_dbfs is not None and calm_levels_dbfs[channel] is not None:
            ref = float(calm_levels_dbfs[channel])
        if reverberance > 0:
            s = _sox(s, "reverb", f"{reverberance:g}", "50", "100")
            if telephone:
                s = _band_limit(s)
            s = _scale_to(s, lvl)
        s = s * np.float32(10 ** (rel_db / 20))
        if room_snr_db is not None:
            noise = _pink(s.size, 47 + channel)
            if telephone:
                noise = _band_limit(noise)
            s = s + _scale_to(noise, ref + rel_db - room_snr_db)
        y[channel] = np.clip(s, -1.0, 1.0)
        return y

    f.wants_calm_levels = True  # type: ignore[attr-defined]
    return f


#: The distant caller with the room's noise under their calm voice (:func:`speakerphone`).
DISTANT_CALM = "customer distant mic -25 dB, room noise 15 dB under calm voice"


def session11_impairments(telephone: bool) -> dict[str, Impairment]:
    """The contact-centre conditions added in session 11 (``telephone``: the call is 8 kHz
    band, so added voices and noises are band-limited as well)."""
    out: dict[str, Impairment] = {}
    for rel in (-25.0, -18.0, -12.0):
        out[f"babble steady (3 voices) {rel:g} dB in agent mic"] = babble(
            0, rel, steady=True, telephone=telephone, exclude_ami=not telephone
        )
        out[f"babble intermittent (1 voice) {rel:g} dB in agent mic"] = babble(
            0, rel, steady=False, telephone=telephone
        )
    out["DTX digital silence, both (noise 30 dB under)"] = dtx((0, 1), "silence")
    out["DTX comfort noise -4 dB, both (noise 30 dB under)"] = dtx((0, 1), "cn")
    out["DTX comfort noise -4 dB, both (noise 20 dB under)"] = dtx((0, 1), "cn", noise_snr_db=20)
    out[DTX_CALM_NOISE] = dtx((0, 1), "none", noise_snr_db=20, calm_ref=True)
    out[DTX_CALM_CN] = dtx((0, 1), "cn", noise_snr_db=20, calm_ref=True, vad_over_noise_db=6.0)
    out["PLC bursts 1%"] = plc_bursts(0.01)
    out["PLC bursts 3%"] = plc_bursts(0.03)
    out["hold music 40 s on agent line, 0 dB"] = hold(0, 40.0, 0.0, telephone=telephone)
    out["hold music 40 s on customer line, 0 dB"] = hold(1, 40.0, 0.0, telephone=telephone)
    out["hold music 40 s on agent line, +10 dB"] = hold(0, 40.0, 10.0, telephone=telephone)
    for style in MUSIC_STYLES[1:]:
        out[f"hold music ({style}) 40 s on agent line, 0 dB"] = hold(
            0, 40.0, 0.0, telephone=telephone, style=style
        )
        out[f"hold music ({style}) 40 s on agent line, +10 dB"] = hold(
            0, 40.0, 10.0, telephone=telephone, style=style
        )
        out[f"hold music ({style}) 40 s on customer line, 0 dB"] = hold(
            1, 40.0, 0.0, telephone=telephone, style=style
        )
    out["hold in digital silence 20 s, both lines"] = silent_hold((0, 1), 20.0)
    out["hold in digital silence 20 s, agent line"] = silent_hold((0,), 20.0)
    out["IVR prompt 20 s before agent, 0 dB"] = ivr_prompt(0.0, telephone=telephone)
    out["IVR prompt 20 s before agent, +6 dB"] = ivr_prompt(6.0, telephone=telephone)
    out["DTMF on customer line, 0 dB"] = dtmf(1, 0.0)
    out["DTMF on customer line, +10 dB"] = dtmf(1, 10.0)
    out["DTMF on agent line, 0 dB"] = dtmf(0, 0.0)
    out["customer speakerphone reverb 50"] = speakerphone(1, 50, telephone=telephone)
    out["customer speakerphone reverb 90, -6 dB"] = speakerphone(
        1, 90, rel_db=-6.0, telephone=telephone
    )
    out["customer distant mic -25 dB, room noise 15 dB under"] = speakerphone(
        1, 0, rel_db=-25.0, room_snr_db=15.0, telephone=telephone
    )
    out["customer distant mic -25 dB, reverb 70, room noise 10 dB under"] = speakerphone(
        1, 70, rel_db=-25.0, room_snr_db=10.0, telephone=telephone
    )
    out[DISTANT_CALM] = speakerphone(
        1, 0, rel_db=-25.0, room_snr_db=15.0, telephone=telephone, calm_ref=True
    )
    return out


def level_step(channel: int, db: float, start_frac: float, dur_frac: float) -> Impairment:
    """Line ``channel``'s gain ``db`` off from ``start_frac`` of the call for ``dur_frac`` of it
    (50 ms ramps), then back: a handset moved nearer or away, a headset boom pushed to the
    mouth, a gain control settling after a quiet stretch. The voice is unchanged; only the
    line's level steps."""

    def f(x: np.ndarray) -> np.ndarray:
        t = np.arange(x.shape[1]) / SR_HZ
        start_s, end_s, ramp_s = start_frac * t[-1], (start_frac + dur_frac) * t[-1], 0.05
        w = np.minimum(np.clip((t - start_s) / ramp_s, 0, 1), np.clip((end_s - t) / ramp_s, 0, 1))
        y = x.copy()
        y[channel] = np.clip(x[channel] * 10 ** (db * w / 20), -1.0, 1.0).astype(np.float32)
        return y

    return f


def session13_impairments() -> dict[str, Impairment]:
    """Level swings (session 13): one line's gain stepped for the call's second quarter (the
    4-minute LCA call: 61-122 s), or for its first quarter, then back."""
    out: dict[str, Impairment] = {}
    for ch, who in ((0, "agent"), (1, "customer")):
        for db in (10.0, 6.0, -12.0, -20.0):
            out[f"level step {who} {db:+g} dB, 2nd quarter"] = level_step(ch, db, 0.25, 0.25)
        out[f"level step {who} -12 dB, 1st quarter"] = level_step(ch, -12.0, 0.0, 0.25)
        out[f"level step {who} +10 dB, 1st quarter"] = level_step(ch, 10.0, 0.0, 0.25)
    for db in (10.0, -12.0):
        out[level_step_both_name(db)] = level_step_both(db, 0.25)
    return out


def level_step_both_name(db: float) -> str:
    return f"level step both {db:+g} dB from the 2nd quarter on"


def level_step_both(db: float, start_frac: float) -> Impairment:
    """Both lines' gain ``db`` off from ``start_frac`` of the call to its end (50 ms ramp in):
    a lasting step (a headset swapped, a gain control that settles and stays)."""
    steps = [level_step(ch, db, start_frac, 2.0) for ch in (0, 1)]

    def f(x: np.ndarray) -> np.ndarray:
        return steps[1](steps[0](x))

    return f


def level_step_one_name(who: str, db: float) -> str:
    return f"level step {who} only {db:+g} dB from the 2nd quarter on"


#: A room-noise onset on the agent's line only, the voice not stepped (session 21, H6): the
#: cost case of a line following a step up of its own (``BaselineConfig.gain_self_up_noise_db``).
NOISE_ONSET_AGENT = "room noise onset agent only, floor +10 dB from the 2nd quarter on"
HOLD_SILENT_BOTH = (
    "hold in digital silence 10 s at the 2nd quarter, both lines (clips under it silent)"
)


def silent_stretch(channels: tuple[int, ...], start_frac: float, seconds: float) -> Impairment:
    """``seconds`` of the call from ``start_frac`` of it replaced by digital silence on
    ``channels`` (a hold the platform fills with zeros, session 22), keeping the call's length
    so the clips' times hold (the clips under it are silent in every tree compared)."""

    def f(x: np.ndarray) -> np.ndarray:
        y = x.copy()
        a = round(start_frac * x.shape[1])
        y[list(channels), a : a + round(seconds * SR_HZ)] = 0.0
        return y

    return f


def noise_onset(
    channel: int, over_floor_db: float, start_frac: float, *, telephone: bool
) -> Impairment:
    """Room noise (pink; 300-3400 Hz on a telephone line) switched on on line ``channel`` from
    ``start_frac`` of the call to its end (50 ms ramp), ``over_floor_db`` over the line's own
    floor (the 10th percentile of its 20 ms frame levels before the onset, both read over
    300-3400 Hz): a TV, a fan, a
    door to a busy room. The voice is unchanged: only the line's noise steps (by
    10 log10(1 + 10^(over_floor_db/10)) dB: 10.4 dB for 10)."""

    def f(x: np.ndarray) -> np.ndarray:
        n = x.shape[1]
        start = round(start_frac * n)
        ramp = round(0.05 * SR_HZ)
        # The floor and the noise's level read over the speech band (300-3400 Hz: the band
        # the front end's noise estimate reads), so the line's floor there rises by as much
        # as a +10 dB gain step moves it.
        floor_db = float(np.percentile(_frame_db(_band_limit(x[channel, :start])), 10))
        noise = _pink(n, 53 + channel)
        if telephone:
            noise = _band_limit(noise)
        in_band = _band_limit(noise)
        noise = noise / np.float32(np.sqrt(np.mean(np.square(in_band, dtype=np.float64))))
        w = np.clip((np.arange(n) - start) / ramp, 0.0, 1.0).astype(np.float32)
        y = x.copy()
        amp = np.float32(10 ** ((floor_db + over_floor_db) / 20))
        y[channel] = np.clip(x[channel] + amp * w * noise, -1.0, 1.0).astype(np.float32)
        return y

    return f


def recall_only_impairments(*, telephone: bool = True) -> dict[str, Impairment]:
    """Lasting steps of one line only (session 21, H1): the cost case of following the other
    line's step (``BaselineConfig.gain_pair_up_follow_share``); and a room-noise onset on the
    agent's line only (session 21, H6): the cost case of following a line's own step
    (``BaselineConfig.gain_self_up_noise_db``). Recall rows only: not in the calm calls'
    table."""
    out = {
        level_step_one_name(who, 10.0): level_step(ch, 10.0, 0.25, 2.0)
        for ch, who in ((0, "agent"), (1, "customer"))
    }
    out[NOISE_ONSET_AGENT] = noise_onset(0, 10.0, 0.25, telephone=telephone)
    out[HOLD_SILENT_BOTH] = silent_stretch((0, 1), 0.25, 10.0)
    return out


def impairments(*, telephone: bool = True) -> dict[str, Impairment]:
    """Every condition by name: session 10's (echo, loss, clipping, hum, gain), then session
    11's (:func:`session11_impairments`)."""
    out: dict[str, Impairment] = {"clean": lambda x: x}
    for src, dst, label in ((0, 1, "agent->customer"), (1, 0, "customer->agent")):
        for g in (-30.0, -20.0, -12.0):
            for d in (0.005, 0.03, 0.06, 0.15, 0.3):
                out[f"echo {label} {g:g} dB {round(d * 1000)} ms"] = echo(src, dst, g, d)
    out["packet loss 2%"] = packet_loss(0.02)
    out["packet loss 5%"] = packet_loss(0.05)
    out["agent clipped (+12 dB, half scale)"] = clip(0, 12.0)
    out["customer clipped (+12 dB, half scale)"] = clip(1, 12.0)
    out["hum 50 Hz -40 dBFS"] = hum(-40.0)
    out["both +10 dB (clip at full scale)"] = gain(10.0)
    out["both -20 dB"] = gain(-20.0)
    out.update(session11_impairments(telephone))
    out.update(session13_impairments())
    return out


def run(
    call_names: list[str], only: list[str] | None = None, cfg: AnalysisConfig | None = None
) -> dict[str, Any]:
    calls = [
        c
        for c in bench_calls.load_calm_calls()
        if (c.name == "lca_auto_repairs" and "lca" in call_names)
        or (c.name in ("ami_source0+source1", "ami_source1+source3") and "ami" in call_names)
    ]
    cfg = cfg or AnalysisConfig()
    rows: list[dict[str, Any]] = []
    names = list(impairments())
    if only:
        names = [n for n in names if n == "clean" or any(o in n for o in only)]
    for name in names:
        for call in calls:
            f = impairments(telephone=call.group == "telephone")[name]
            x = f(call.samples.astype(np.float32))
            res = run_session(DecodedAudio(x, SR_HZ, SR_HZ, call.name), call.roles, cfg)
            ev = res.analysis.events
            rows.append(
                {
                    "impairment": name,
                    "call": call.name,
                    "calm_talk_s": round(bench_calls.reference_talk_s(call), 1),
                    "interruptions": sum(e.kind == "interruption" for e in ev),
                    "tone_events": sum(e.kind in TONE_EVENTS for e in ev),
                    "false_alerts": sum(a.kind in CALM_FALSE_ALERTS for a in res.alerts),
                }
            )
            print(json.dumps(rows[-1]), flush=True)
    return {"rows": rows}


class ImpairedCache(bench_calls.ChannelCache):
    """Channel copies with an impairment added after the channel (the line's own impairments
    come after the codec: a neighbour's voice, a room, DTX, key tones)."""

    def __init__(self, impairment: Impairment, directory: Path | None) -> None:
        super().__init__(directory, memory=False)
        self.impairment = impairment

    def get(
        self,
        key: str,
        samples: np.ndarray,
        condition: str,
        seed: int,
        calm_levels_dbfs: Any = None,
    ) -> np.ndarray:
        y = np.asarray(super().get(key, samples, condition, seed, calm_levels_dbfs), np.float32)
        if calm_levels_dbfs is None or not getattr(self.impairment, "wants_calm_levels", False):
            return self.impairment(y)
        # The parties' calm levels are the clean call's: shifted by what the channel did to
        # each line's level (a gain, AGC), measured on the whole line before and after.
        x = np.asarray(samples, np.float32)
        levels = [
            None if v is None else float(v) + active_level_db(y[ch]) - active_level_db(x[ch])
            for ch, v in enumerate(calm_levels_dbfs)
        ]
        return self.impairment(y, calm_levels_dbfs=levels)  # type: ignore[call-arg]


#: Session 11's impairments that could cost recall, run on RAVDESS many-clip calls.
RECALL_IMPAIRMENTS = (
    "clean",
    "babble steady (3 voices) -18 dB in agent mic",
    "babble intermittent (1 voice) -12 dB in agent mic",
    "DTX comfort noise -4 dB, both (noise 20 dB under)",
    DTX_CALM_NOISE,
    DTX_CALM_CN,
    "PLC bursts 3%",
    "DTMF on customer line, +10 dB",
    "customer speakerphone reverb 90, -6 dB",
    "customer distant mic -25 dB, room noise 15 dB under",
    DISTANT_CALM,
    level_step_both_name(10.0),
    level_step_both_name(-12.0),
    level_step_one_name("customer", 10.0),
    level_step_one_name("agent", 10.0),
    NOISE_ONSET_AGENT,
    HOLD_SILENT_BOTH,
)


def run_recall(
    actors: list[str],
    conditions: list[str],
    cfg: AnalysisConfig | None = None,
    only: list[str] | None = None,
) -> dict[str, Any]:
    """Flag rates on RAVDESS many-clip calls (``bench_calls.run_calls``) with each of
    :data:`RECALL_IMPAIRMENTS` added after the channel. Actors 01-05 are the babble and IVR
    voices: leave them out. ``only``: the impairments whose name holds one of these (and
    clean)."""
    rows = []
    names = [n for n in RECALL_IMPAIRMENTS if not only or n == "clean" or any(o in n for o in only)]
    for cond in conditions:
        tel = cond != "wideband"
        for name in names:
            imp = {**impairments(telephone=tel), **recall_only_impairments(telephone=tel)}[name]
            cache = ImpairedCache(imp, bench_calls.DEFAULT_DISK_CACHE)
            s = bench_calls.run_calls([cond], actors=actors, config=cfg, cache=cache)[cond][
                "summary"
            ]
            row = {
                "condition": cond,
                "impairment": name,
                **{
                    k: s[k]
                    for k in (
                        "yelling_angry_strong",
                        "yelling_calm",
                        "agent_tone_angry",
                        "agent_tone_calm",
                        "alerts_per_call",
                    )
                },
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    return {"recall_rows": rows, "actors": actors}


def recall_table(out: dict[str, Any]) -> str:
    lines = [
        "| condition | impairment | yelling angry-strong | yelling calm/neutral | agent_tone "
        "angry | agent_tone calm/neutral | alerts per call |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in out["recall_rows"]:
        lines.append(
            f"| {r['condition']} | {r['impairment']} | {r['yelling_angry_strong']} | "
            f"{r['yelling_calm']} | {r['agent_tone_angry']} | {r['agent_tone_calm']} | "
            f"{r['alerts_per_call']} |"
        )
    return "\n".join(lines)


def table(out: dict[str, Any]) -> str:
    by: dict[str, dict[str, dict[str, Any]]] = {}
    for r in out["rows"]:
        by.setdefault(r["impairment"], {})[r["call"]] = r
    calls = sorted({r["call"] for r in out["rows"]})
    lines = [
        "| impairment | "
        + " | ".join(f"{c}: interruptions / tone events / alerts" for c in calls)
        + " |",
        "|---|" + "---|" * len(calls),
    ]
    for name, per in by.items():
        cells = []
        for c in calls:
            r = per.get(c)
            cells.append(
                "-"
                if r is None
                else f"{r['interruptions']} / {r['tone_events']} / {r['false_alerts']}"
            )
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", default=None)
    ap.add_argument("--calls", default="lca,ami", help="comma-separated: lca, ami")
    ap.add_argument(
        "--only",
        default=None,
        help="comma-separated substrings: only the impairments whose name holds one (and "
        "clean); with --recall too",
    )
    ap.add_argument(
        "--recall",
        default=None,
        help="comma-separated RAVDESS actors (06-12): flag rates on their many-clip calls "
        "with the impairments that could cost recall, instead of the calm calls",
    )
    ap.add_argument("--recall-conditions", default="wideband,nb_gsm_noise20_calm")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="a config override for the calm calls and --recall (repeatable), e.g. "
        "features.music_min_held_share=0.2",
    )
    args = ap.parse_args(argv)
    cfg = AnalysisConfig.from_dict(config_overrides(args.set, ap))
    if not bench_calls.shared_data().exists():
        print("../shared/data is missing: nothing to measure", file=sys.stderr)
        return 1
    t0 = time.perf_counter()
    if args.recall:
        out = run_recall(
            args.recall.split(","),
            args.recall_conditions.split(","),
            cfg,
            args.only.split(",") if args.only else None,
        )
        out["wall_s"] = round(time.perf_counter() - t0, 1)
        print(recall_table(out))
        if args.json:
            Path(args.json).write_text(json.dumps(out, indent=1))
        return 0
    out = run(args.calls.split(","), args.only.split(",") if args.only else None, cfg)
    out["overrides"] = args.set
    out["wall_s"] = round(time.perf_counter() - t0, 1)
    print(table(out))
    print(f"wall time {out['wall_s']} s")
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
