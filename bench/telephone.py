"""A telephone channel simulator: wideband speech in, what a contact-centre recorder keeps out.

Real call audio is narrowband: 8 kHz, 300-3400 Hz, through a codec (G.711 mu-law or A-law on the
PSTN, GSM 06.10 / AMR-NB on mobiles, Opus in softphones and WebRTC), at levels that swing by 20 dB,
with noise and automatic gain control. Every accuracy figure calltone reports is measured on such
copies beside the clean original, so a detector that only works on studio audio shows it.

Each :class:`ChannelCondition` is a chain, applied in this order:

1. level offset (``level_db``: the talker's distance from the microphone, the line's loss);
2. additive noise at ``snr_db`` re a speech level (pink-ish office/street noise, seeded); the
   reference is named by ``noise_ref`` (see "Noise reference" below);
3. band-limit 300-3400 Hz and resample to 8 kHz (the POTS band of ITU-T G.712);
4. a simple automatic gain control (``agc``: a slow envelope follower towards -20 dBFS with a
   +-12 dB range, as softphones and PBXes apply);
5. the codec: G.711 mu-law / A-law (numpy, the G.711 companding curves), GSM 06.10 (sox), Opus
   and AMR-NB (PyAV's libopus / libopencore-amrnb) at the stated bit rate.

The output is 8 kHz float32 (``TelephoneAudio``); :func:`to_16k` resamples it back to the
16 kHz the analysis uses, exactly as ``audio.decode`` does for an 8 kHz file.

Noise reference (``ChannelCondition.noise_ref``)
-----------------------------------------------

- ``"loud"`` (the first noisy conditions, kept so their figures stay comparable): the noise RMS
  is ``snr_db`` under the RMS of the *louder half* of the channel's 20 ms frames
  (:func:`loud_half_rms`). On a channel whose speech varies by 15-30 dB (a calm caller who
  later shouts) that reference is the shouting, so the noise sits near the calm voice (~0 dB SNR
  for it): harder than the issue's "15-30 dB SNR", which means re normal conversational speech.
- ``"calm"``: the noise RMS is ``snr_db`` under the party's **normal (calm) active speech
  level**, measured as ITU-T P.56 method B does (:func:`active_level_dbfs`: envelope of the
  rectified signal, 0.03 s time constant, 0.2 s hangover, the threshold 15.9 dB under the level
  of the samples it marks active). The caller names the party's calm speech (the benchmark
  passes the P.56 level of the baseline clips, or of all the other party's calm answers); with
  none given, the level of the whole channel is used (right for a channel of calm speech only).
  The noise level is then *fixed per line* by the environment, as in a contact centre, and a
  party who shouts is 15-30 dB over it, not at it. ``level_db`` moves speech and noise
  reference together (noise follows the line gain, as microphone noise does).

Run ``python bench/telephone.py IN.wav OUT_DIR`` to write one copy per condition.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import NamedTuple

import numpy as np
import scipy.ndimage
import scipy.signal
import soundfile as sf
import soxr

NARROWBAND_RATE_HZ = 8_000
BAND_LOW_HZ = 300.0
BAND_HIGH_HZ = 3_400.0


@dataclass(frozen=True)
class ChannelCondition:
    """One telephone channel (units in the names).

    Attributes
    ----------
    name : str
        Short label used in reports.
    narrowband : bool
        Band-limit 300-3400 Hz and resample to 8 kHz (False: the clean wideband reference).
    codec : str
        ``"none"``, ``"ulaw"``, ``"alaw"``, ``"gsm"``, ``"opus"``, ``"amr"``, and for the
        held-out conditions ``"mp3"`` (LAME), ``"g726"`` (ADPCM) and ``"g722"`` (HD voice, 16 kHz
        on a wideband condition).
    bitrate_bps : int
        Codec bit rate where the codec has one (Opus, AMR-NB).
    level_db : float
        Gain applied to the speech before the channel, dB.
    snr_db : float or None
        Additive noise at this speech-to-noise ratio, dB; None for none.
    agc : bool
        Apply a slow automatic gain control.
    noise_ref : str
        What ``snr_db`` is relative to: ``"loud"`` (RMS of the louder half of the frames) or
        ``"calm"`` (the party's calm active speech level, ITU-T P.56); see the module notes.
    """

    name: str
    narrowband: bool = True
    codec: str = "none"
    bitrate_bps: int = 0
    level_db: float = 0.0
    snr_db: float | None = None
    agc: bool = False
    noise_ref: str = "loud"


class TelephoneAudio(NamedTuple):
    """Samples through a channel and their rate (8 kHz for narrowband conditions)."""

    samples: np.ndarray
    sample_rate: int


#: The conditions every accuracy benchmark reports, wideband first.
CONDITIONS: dict[str, ChannelCondition] = {
    c.name: c
    for c in (
        ChannelCondition("wideband", narrowband=False),
        ChannelCondition("nb_ulaw", codec="ulaw"),
        ChannelCondition("nb_alaw_-12db", codec="alaw", level_db=-12.0),
        ChannelCondition("nb_gsm_noise20", codec="gsm", snr_db=20.0),
        ChannelCondition("nb_opus8k_agc", codec="opus", bitrate_bps=8_000, agc=True),
        ChannelCondition(
            "nb_amr_noise15_-20db",
            codec="amr",
            bitrate_bps=12_200,
            snr_db=15.0,
            level_db=-20.0,
            agc=True,
        ),
        ChannelCondition("nb_ulaw_+6db", codec="ulaw", level_db=6.0),
        # The same two noisy chains with the noise re the party's calm voice (module notes).
        ChannelCondition("nb_gsm_noise20_calm", codec="gsm", snr_db=20.0, noise_ref="calm"),
        ChannelCondition(
            "nb_amr_noise15_calm_-20db",
            codec="amr",
            bitrate_bps=12_200,
            snr_db=15.0,
            level_db=-20.0,
            agc=True,
            noise_ref="calm",
        ),
    )
}

#: Channels no setting was ever chosen on (``bench_calls.py --heldout``): other codecs, levels
#: and noise than :data:`CONDITIONS`, to see whether what was tuned on those carries over. They
#: are measured and reported, never used to choose a setting (a figure on them that informed a
#: change would no longer be held out).
HELDOUT_CONDITIONS: dict[str, ChannelCondition] = {
    c.name: c
    for c in (
        # A PBX recorder's MP3 export: 8 kHz, 16 kbit/s, a quieter line.
        ChannelCondition("ho_mp3_16k_-6db", codec="mp3", bitrate_bps=16_000, level_db=-6.0),
        # G.726 ADPCM at 24 kbit/s (DECT, some VoIP trunks) with office noise 25 dB under.
        ChannelCondition(
            "ho_g726_24k_noise25", codec="g726", bitrate_bps=24_000, snr_db=25.0, noise_ref="calm"
        ),
        # HD voice: G.722 at 64 kbit/s, 16 kHz, a hot line and gain control.
        ChannelCondition(
            "ho_g722_hd_+3db_agc",
            narrowband=False,
            codec="g722",
            bitrate_bps=64_000,
            level_db=3.0,
            agc=True,
        ),
        # A quiet G.711 line behind gain control, steady noise 30 dB under the calm voice.
        ChannelCondition(
            "ho_ulaw_-18db_agc_noise30",
            codec="ulaw",
            level_db=-18.0,
            snr_db=30.0,
            noise_ref="calm",
            agc=True,
        ),
    )
}

#: Every condition by name (the reported ones and the held-out ones).
ALL_CONDITIONS: dict[str, ChannelCondition] = {**CONDITIONS, **HELDOUT_CONDITIONS}

#: A smaller set for quick runs and tests: the clean copy and the two most common phone paths.
QUICK_CONDITIONS = ("wideband", "nb_ulaw", "nb_gsm_noise20")

#: The noisy conditions beside the clean copy (``bench_calls.py --noisy``).
NOISY_CONDITIONS = (
    "wideband",
    "nb_gsm_noise20",
    "nb_amr_noise15_-20db",
    "nb_gsm_noise20_calm",
    "nb_amr_noise15_calm_-20db",
)

NOISE_REFS = ("loud", "calm")

#: ITU-T P.56 method B constants: envelope time constant, hangover, margin.
P56_TIME_CONSTANT_S = 0.03
P56_HANGOVER_S = 0.2
P56_MARGIN_DB = 15.9


def loud_half_rms(x: np.ndarray, sr: int) -> float:
    """RMS over the louder half of 20 ms frames (the ``"loud"`` noise reference)."""
    n = max(1, int(0.02 * sr))
    k = x.size // n
    if k == 0:
        return float(np.sqrt(np.mean(x.astype(np.float64) ** 2)) + 1e-12)
    p = np.mean(x[: k * n].astype(np.float64).reshape(k, n) ** 2, axis=1)
    top = np.sort(p)[k // 2 :]
    return float(np.sqrt(np.mean(top)) + 1e-12)


def active_level_dbfs(x: np.ndarray, sr: int) -> float | None:
    """Active speech level (dB re full scale RMS), ITU-T P.56 method B.

    The envelope is the rectified signal through two one-pole smoothers (time constant
    ``P56_TIME_CONSTANT_S``); for thresholds ``c`` in 1 dB steps a sample is active when the
    envelope is at or over ``c`` or was within ``P56_HANGOVER_S``; the active level ``A(c)`` is
    the mean power over the active samples, and the result is where ``A(c) - c`` falls to
    ``P56_MARGIN_DB`` (interpolated). None for a signal with no activity.
    """
    y = np.asarray(x, dtype=np.float64).reshape(-1)
    if y.size == 0 or not np.any(y):
        return None
    g = np.exp(-1.0 / (P56_TIME_CONSTANT_S * sr))
    env = scipy.signal.lfilter([1 - g], [1.0, -g], np.abs(y))
    env = scipy.signal.lfilter([1 - g], [1.0, -g], env)
    # Blocks of 1 ms: the hangover and the thresholds do not need sample resolution.
    blk = max(1, sr // 1000)
    k = y.size // blk
    if k == 0:
        return None
    e_max = env[: k * blk].reshape(k, blk).max(axis=1)
    p_sum = (y[: k * blk] ** 2).reshape(k, blk).sum(axis=1)
    hang = max(1, round(P56_HANGOVER_S * 1000))
    # A block is active for threshold c when some block in the last `hang` blocks reached c.
    held = scipy.ndimage.maximum_filter1d(e_max, size=hang, origin=-((hang - 1) - hang // 2))
    top = 20 * np.log10(held.max() + 1e-30)
    cs_db = np.arange(np.floor(top), top - 100.0, -1.0)
    diffs = []
    for c_db in cs_db:
        act = held >= 10 ** (c_db / 20)
        n_act = int(act.sum()) * blk
        if n_act == 0:
            diffs.append((c_db, np.nan))
            continue
        a_db = 10 * np.log10(p_sum[act].sum() / n_act + 1e-30)
        diffs.append((c_db, a_db))
    prev: tuple[float, float] | None = None
    for c_db, a_db in diffs:  # from high thresholds down: A - c grows as c falls
        if not np.isfinite(a_db):
            continue
        if a_db - c_db >= P56_MARGIN_DB:
            if prev is None:
                return float(a_db)
            (c0, a0), (c1, a1) = prev, (c_db, a_db)
            d0, d1 = a0 - c0 - P56_MARGIN_DB, a1 - c1 - P56_MARGIN_DB
            t = d0 / (d0 - d1) if d0 != d1 else 0.0
            return float(a0 + t * (a1 - a0))
        prev = (c_db, a_db)
    return float(diffs[-1][1]) if np.isfinite(diffs[-1][1]) else None


def pink_noise(n: int, *, seed: int = 0) -> np.ndarray:
    """Unit-RMS pink-ish noise (white through a one-pole low-pass at 0.95), float64, seeded."""
    rng = np.random.default_rng(seed)
    noise = scipy.signal.lfilter([1.0], [1.0, -0.95], rng.standard_normal(n))
    return np.asarray(noise / (np.sqrt(np.mean(noise**2)) + 1e-12))


def add_noise(
    x: np.ndarray,
    sr: int,
    snr_db: float,
    *,
    seed: int = 0,
    reference_dbfs: float | None = None,
) -> np.ndarray:
    """Pink-ish noise (white through a one-pole low-pass) at ``snr_db`` under a speech level:
    ``reference_dbfs`` when given (e.g. the party's calm active level), else the RMS of the louder
    half of ``x``'s frames (:func:`loud_half_rms`)."""
    noise = pink_noise(x.size, seed=seed)
    ref = loud_half_rms(x, sr) if reference_dbfs is None else 10 ** (reference_dbfs / 20)
    noise *= ref * 10 ** (-snr_db / 20)
    return (x + noise).astype(np.float32)


def band_limit(x: np.ndarray, sr: int) -> np.ndarray:
    """300-3400 Hz band-pass (8th-order Butterworth, zero phase) then resample to 8 kHz."""
    sos = scipy.signal.butter(
        4, [BAND_LOW_HZ, min(BAND_HIGH_HZ, 0.45 * sr)], btype="bandpass", fs=sr, output="sos"
    )
    y = scipy.signal.sosfiltfilt(sos, x.astype(np.float64))
    if sr != NARROWBAND_RATE_HZ:
        y = soxr.resample(y, sr, NARROWBAND_RATE_HZ, quality="HQ")
    return np.asarray(y, dtype=np.float32)


def agc(
    x: np.ndarray,
    sr: int,
    *,
    target_dbfs: float = -20.0,
    range_db: float = 12.0,
    tau_s: float = 1.5,
) -> np.ndarray:
    """A slow automatic gain control: gain follows the speech envelope towards ``target_dbfs``.

    The envelope is a one-pole smoothing of frame power over speech frames only (pauses hold
    the gain), so loud stretches are turned down and quiet ones up by at most ``range_db``.
    """
    hop = max(1, int(0.01 * sr))
    k = x.size // hop + 1
    pad = np.zeros(k * hop, np.float64)
    pad[: x.size] = x
    p = np.mean(pad.reshape(k, hop) ** 2, axis=1)
    db = 10 * np.log10(p + 1e-12)
    gate = db > (np.percentile(db, 90) - 30.0)
    alpha = 1.0 - np.exp(-0.01 / tau_s)
    env = np.empty(k)
    e = float(np.median(db[gate])) if gate.any() else target_dbfs
    for i in range(k):
        if gate[i]:
            e += alpha * (db[i] - e)
        env[i] = e
    gain_db = np.clip(target_dbfs - env, -range_db, range_db)
    g = np.repeat(10 ** (gain_db / 20), hop)[: x.size]
    return (x * g).astype(np.float32)


_MU = 255.0


def g711(x: np.ndarray, law: str) -> np.ndarray:
    """Encode and decode with G.711 companding at 8 bits (mu-law or A-law)."""
    y = np.clip(x.astype(np.float64), -1.0, 1.0)
    if law == "ulaw":
        c = np.sign(y) * np.log1p(_MU * np.abs(y)) / np.log1p(_MU)
        q = np.round(c * 127.0) / 127.0
        out = np.sign(q) * np.expm1(np.abs(q) * np.log1p(_MU)) / _MU
    elif law == "alaw":
        a = 87.6
        ay = np.abs(y)
        c = np.where(
            ay < 1 / a,
            a * ay / (1 + np.log(a)),
            (1 + np.log(np.maximum(a * ay, 1e-12))) / (1 + np.log(a)),
        )
        q = np.round(c * 127.0) / 127.0
        inv = np.where(
            q < 1 / (1 + np.log(a)), q * (1 + np.log(a)) / a, np.exp(q * (1 + np.log(a)) - 1) / a
        )
        out = np.sign(y) * inv
    else:
        raise ValueError(f"unknown G.711 law {law!r}; use 'ulaw' or 'alaw'")
    return out.astype(np.float32)


def gsm(x: np.ndarray, sr: int) -> np.ndarray:
    """GSM 06.10 full-rate through sox (8 kHz in and out)."""
    sox = shutil.which("sox")
    if sox is None:
        raise RuntimeError("sox is not installed; apt-get install sox (Debian) for the GSM codec")
    with tempfile.TemporaryDirectory() as tmp:
        src, enc, dst = Path(tmp, "in.wav"), Path(tmp, "x.gsm"), Path(tmp, "out.wav")
        sf.write(src, np.clip(x, -1, 1), sr, subtype="PCM_16")
        subprocess.run([sox, "-q", str(src), "-r", "8000", str(enc)], check=True, timeout=120)
        subprocess.run(
            [sox, "-q", str(enc), "-e", "signed", "-b", "16", str(dst)], check=True, timeout=120
        )
        y, _ = sf.read(dst, dtype="float32")
    return _match_length(y, x.size)


def av_codec(x: np.ndarray, sr: int, codec: str, bitrate_bps: int) -> np.ndarray:
    """Encode then decode through PyAV (Opus via libopus, AMR-NB via libopencore-amrnb, MP3 via
    LAME, G.726 and G.722 ADPCM)."""
    import av

    name, container, rate = {
        "opus": ("libopus", "ogg", 16_000),  # libopus takes 8 kHz input too, but not in ogg
        "amr": ("libopencore_amrnb", "amr", 8_000),
        "mp3": ("libmp3lame", "mp3", 8_000),
        "g726": ("g726", "wav", 8_000),
        "g722": ("g722", "wav", 16_000),
    }[codec]
    xs = soxr.resample(x.astype(np.float64), sr, rate) if rate != sr else x
    pcm = (np.clip(xs, -1, 1) * 32767).astype(np.int16)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, f"x.{container}")
        with av.open(str(path), "w", format=container) as out:
            stream = out.add_stream(name, rate=rate)
            stream.bit_rate = bitrate_bps
            stream.layout = "mono"
            frame_n = {"amr": 160, "opus": 960, "mp3": 576}.get(codec, 320)
            for i in range(0, pcm.size, frame_n):
                chunk = pcm[i : i + frame_n]
                if chunk.size < frame_n:
                    chunk = np.pad(chunk, (0, frame_n - chunk.size))
                fr = av.AudioFrame.from_ndarray(chunk[None, :], format="s16", layout="mono")
                fr.sample_rate = rate
                for pkt in stream.encode(fr):
                    out.mux(pkt)
            for pkt in stream.encode(None):
                out.mux(pkt)
        parts = []
        with av.open(str(path)) as inp:
            res = av.AudioResampler(format="flt", layout="mono", rate=sr)
            for frame in inp.decode(audio=0):
                for f2 in res.resample(frame):
                    parts.append(f2.to_ndarray().reshape(-1))
    y = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    # Codecs add a fixed look-ahead delay: align by cross-correlation over the first seconds.
    y = _align(y, x, sr)
    return _match_length(y.astype(np.float32), x.size)


def _align(y: np.ndarray, ref: np.ndarray, sr: int, max_lag_s: float = 0.1) -> np.ndarray:
    n = min(ref.size, y.size, 10 * sr)
    if n < sr // 10:
        return y
    lag_max = int(max_lag_s * sr)
    a = ref[:n].astype(np.float64)
    b = y[: n + lag_max].astype(np.float64)
    corr = scipy.signal.correlate(b, a, mode="valid", method="fft")
    lag = int(np.argmax(np.abs(corr[: lag_max + 1])))
    return y[lag:]


def _match_length(y: np.ndarray, n: int) -> np.ndarray:
    y = np.asarray(y, dtype=np.float32).reshape(-1)
    return y[:n] if y.size >= n else np.pad(y, (0, n - y.size))


def noise_reference_dbfs(
    x: np.ndarray, sr: int, condition: ChannelCondition, calm_level_dbfs: float | None = None
) -> float | None:
    """The level (dBFS, before ``level_db``) that ``condition``'s ``snr_db`` is relative to.

    None for the ``"loud"`` reference (computed on the fly by :func:`add_noise`). For
    ``"calm"``: ``calm_level_dbfs`` when given, else the P.56 active level of all of ``x``.
    """
    if condition.noise_ref == "loud":
        return None
    if condition.noise_ref != "calm":
        raise ValueError(f"unknown noise_ref {condition.noise_ref!r}; use one of {NOISE_REFS}")
    if calm_level_dbfs is not None:
        return float(calm_level_dbfs)
    lev = active_level_dbfs(x, sr)
    return -100.0 if lev is None else lev


def simulate(
    samples: np.ndarray,
    sample_rate: int,
    condition: ChannelCondition,
    *,
    seed: int = 0,
    calm_level_dbfs: float | None = None,
) -> TelephoneAudio:
    """Pass mono ``samples`` (float32, shape ``(n,)``) through ``condition``.

    Returns 8 kHz audio for narrowband conditions, the input rate otherwise. The clean
    ``wideband`` condition with no level, noise or AGC returns the input unchanged.
    ``calm_level_dbfs``: the party's calm active speech level in ``samples`` (dBFS, P.56), the
    noise reference of ``noise_ref="calm"`` conditions (default: that of all of ``samples``).
    """
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    sr = sample_rate
    ref = (
        noise_reference_dbfs(x, sr, condition, calm_level_dbfs)
        if condition.snr_db is not None
        else None
    )
    if condition.level_db:
        x = x * np.float32(10 ** (condition.level_db / 20))
        ref = None if ref is None else ref + condition.level_db
    if condition.snr_db is not None:
        x = add_noise(x, sr, condition.snr_db, seed=seed, reference_dbfs=ref)
    if condition.narrowband:
        x = band_limit(x, sr)
        sr = NARROWBAND_RATE_HZ
    if condition.agc:
        x = agc(x, sr)
    if condition.codec in ("ulaw", "alaw"):
        x = g711(x, condition.codec)
    elif condition.codec == "gsm":
        x = gsm(x, sr)
    elif condition.codec in ("opus", "amr", "mp3", "g726", "g722"):
        x = av_codec(x, sr, condition.codec, condition.bitrate_bps)
    elif condition.codec != "none":
        raise ValueError(
            f"unknown codec {condition.codec!r}; use none, ulaw, alaw, gsm, opus, amr, mp3,"
            " g726, g722"
        )
    return TelephoneAudio(np.clip(x, -1.0, 1.0).astype(np.float32), sr)


def simulate_channels(
    samples: np.ndarray,
    sample_rate: int,
    condition: ChannelCondition,
    *,
    seed: int = 0,
    calm_levels_dbfs: Sequence[float | None] | None = None,
) -> TelephoneAudio:
    """:func:`simulate` on each row of ``(channels, n)`` audio (each party has its own line);
    ``calm_levels_dbfs``: each row's calm active speech level (see :func:`simulate`)."""
    x2 = np.atleast_2d(samples)
    levels = list(calm_levels_dbfs) if calm_levels_dbfs is not None else [None] * x2.shape[0]
    if len(levels) != x2.shape[0]:
        raise ValueError(f"{len(levels)} calm levels for {x2.shape[0]} channels")
    rows = [
        simulate(row, sample_rate, condition, seed=seed + k, calm_level_dbfs=levels[k]).samples
        for k, row in enumerate(x2)
    ]
    out_sr = NARROWBAND_RATE_HZ if condition.narrowband else sample_rate
    return TelephoneAudio(np.stack(rows), out_sr)


def to_16k(audio: TelephoneAudio) -> np.ndarray:
    """Back to 16 kHz float32 (rows kept), as ``audio.decode`` resamples an 8 kHz file."""
    x = np.atleast_2d(audio.samples)
    if audio.sample_rate == 16_000:
        return x.astype(np.float32)
    return np.stack(
        [soxr.resample(r.astype(np.float32), audio.sample_rate, 16_000, quality="HQ") for r in x]
    ).astype(np.float32)


def through(
    samples: np.ndarray,
    condition: ChannelCondition | str,
    *,
    seed: int = 0,
    calm_levels_dbfs: Sequence[float | None] | None = None,
) -> np.ndarray:
    """16 kHz ``(channels, n)`` or ``(n,)`` in, the same shape at 16 kHz out, via ``condition``
    (``calm_levels_dbfs``: per channel, see :func:`simulate`)."""
    cond = ALL_CONDITIONS[condition] if isinstance(condition, str) else condition
    x = np.asarray(samples, dtype=np.float32)
    out = to_16k(simulate_channels(x, 16_000, cond, seed=seed, calm_levels_dbfs=calm_levels_dbfs))
    out = (
        out[:, : x.shape[-1]]
        if out.shape[-1] >= x.shape[-1]
        else np.pad(out, ((0, 0), (0, x.shape[-1] - out.shape[-1])))
    )
    return out if x.ndim == 2 else out[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input", type=Path)
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    args = ap.parse_args(argv)
    y, sr = sf.read(args.input, dtype="float32", always_2d=True)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.conditions.split(","):
        cond = ALL_CONDITIONS[name]
        out = simulate_channels(y.T, sr, cond)
        dst = args.out_dir / f"{args.input.stem}.{name}.wav"
        sf.write(dst, out.samples.T, out.sample_rate, subtype="PCM_16")
        print(dst)
    return 0


__all__ = [
    "ALL_CONDITIONS",
    "CONDITIONS",
    "HELDOUT_CONDITIONS",
    "NOISY_CONDITIONS",
    "QUICK_CONDITIONS",
    "ChannelCondition",
    "TelephoneAudio",
    "active_level_dbfs",
    "add_noise",
    "loud_half_rms",
    "noise_reference_dbfs",
    "replace",
    "simulate",
    "simulate_channels",
    "through",
    "to_16k",
]

if __name__ == "__main__":
    sys.exit(main())
