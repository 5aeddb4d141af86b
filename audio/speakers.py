"""Speaker features of a mono call: per-frame MFCCs and per-window embeddings (issue 20).

A mono recording mixes both parties on one channel. To tell them apart without a downloaded
speaker-embedding model we describe each frame's spectral envelope with MFCCs (vocal-tract
shape, microphone and line colour differ between the two ends of a call) and summarise
short windows of speech by their MFCC mean and spread plus the median pitch. The judgement
(clustering, smoothing, roles) is in :mod:`models.diarization`.

The time grid is the front end's (:mod:`audio.features`, 10 ms hop), so speech/voiced/pitch
from :func:`audio.features.extract_features` line up frame for frame with the MFCCs here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from calltone.audio.errors import AudioError, ParameterError


@dataclass(frozen=True)
class SpeakerFeatureOptions:
    """How speaker features are computed.

    Attributes
    ----------
    sample_rate_hz : int
        Rate of the samples passed in (the decoder always gives 16 kHz).
    hop_s : float
        Frame hop; must equal the front end's hop so frames line up (10 ms).
    frame_length_s : float
        FFT window length (25 ms, the usual speech-recognition window).
    n_mels : int
        Mel bands between ``fmin_hz`` and ``fmax_hz``.
    fmin_hz, fmax_hz : float
        The band the features are computed in, on every input: 300-3400 Hz, the telephone
        band (ITU-T G.712), so a wideband call and its G.711 copy give the same statistics.
        A wider band (100-3800 Hz, the previous default) let a wideband call be clustered on
        its 100-300 Hz energy, which a phone line removes and replaces by filter slope and
        codec noise: the pyannote phone call scored 12.6 % wideband and 35.6 % through G.711
        with it (docs/diarization.md).
    n_mfcc : int
        Cepstral coefficients kept after dropping c0 (c0 is loudness, not identity).
        ``n_mfcc``, ``window_s`` and ``gate_db_over_floor`` were chosen together by the lowest
        summed DER on the fitting set (AMI dev00/dev01, two AMI source mixes, the LCA call
        wideband and G.711); the pyannote phone call is held out (bench/bench_diarization.py).
    window_s : float
        Length of one embedding window (0.8 s: short enough that most windows hold one
        speaker on a conversational call with quick turns).
    step_s : float
        Hop between embedding windows.
    min_speech_fraction : float
        A window is embedded only when at least this fraction of its frames is speech.
    normalise_variance : bool
        Divide each cepstrum by its standard deviation over the call's speech frames (CMVN),
        on top of the mean removal that is always done; evens out a channel that compresses
        some coefficients (a codec) so no single coefficient dominates the clustering. Off by
        default: it changed no DER by more than 0.4 points (the window embeddings are
        standardised and the Gaussians full-covariance, so scale is already absorbed).
    band_filter_order : int
        Before the mel analysis every input is band-passed to ``fmin_hz``-``fmax_hz`` by a
        Butterworth filter of this order per edge (0: none). Without it the Hann window's
        leakage carries a wideband call's strong 100-300 Hz voice energy into the lowest band,
        which a telephone line has already removed: the same call would give different
        cepstra wideband and through G.711. A fixed filter inside the band is a constant in the
        log spectrum, removed by the per-call mean, so a call that has been through this filter
        once (a telephone line) and one that has not give the same statistics.
    spectral_floor_db : float or None
        Every mel band of a frame is raised to at least this far below the frame's loudest
        band (None: no floor). A codec's quantisation noise (G.711 u-law: ~35-40 dB under the
        signal) fills the quiet bands of a narrowband call; the floor puts the quiet bands of
        every input at the same relative level, so they carry the voice's shape where it is
        above the floor and the same constant where it is not, whatever the codec. Off by
        default: on two synthetic voices it removes what G.711 moves (a test), but on the
        real files of the fitting set 40/45/50 dB gave summed DERs of 1186.8/1094.0/1127.3
        against 1095.1 without (docs/diarization.md): no consistent gain.
    lowest_cepstrum : int
        The first cepstral coefficient used (1: c1..c``n_mfcc``; 2 drops c1, the spectral
        tilt, which follows vocal effort more than the voice: a shouted phrase tilts up).
        1 by default: 2 or 3 raised the fitting-set DER by 2-3 %.
    gate_db_over_floor : float
        A front-end speech frame is kept only this far above the call's noise floor (10th
        percentile of frame loudness): the front end marks the first seconds as speech while
        its own noise floor settles, and keeps pauses inside talk as speech (hangover).
    gate_hangover_s : float
        Frames within this of a gated speech frame stay speech (word-internal dips).
    gate_db_under_speech : float or None
        A frame within this of the call's loud speech (90th percentile of the front end's
        speech-frame loudness) passes the gate even when it is not ``gate_db_over_floor`` over
        the noise floor. On a noisy line (20 dB speech-to-noise) the floor-based bar sits at the
        loud speech itself and most speech was gated out (GSM + 20 dB noise: 40-90 % DER); on a
        clean call the floor-based bar is the lower one and nothing changes. 20 dB: of 10, 12,
        15 and 20 dB the lowest fitting-set DER on all three conditions (wideband, G.711, GSM +
        noise; docs/diarization.md); larger values not measured. None: the floor alone.
    window_pause_s : float or None
        When set, no embedding window spans a pause (non-speech) of at least this long: the
        windows are laid inside each stretch of speech, and a stretch shorter than
        ``window_s`` (but at least ``min_window_s``) is one window. Turn changes in a call mostly
        fall in pauses, so a window laid across one mixes both voices. None: windows every
        ``step_s`` over the whole call, wherever the pauses are. 0.2 s: with the telephone
        band, the lowest fitting-set DER of 0.2 s, 0.3 s and none (docs/diarization.md).
    min_window_s : float
        Shortest window embedded when ``window_pause_s`` is set.
    gate_on_band_level : bool
        The gate (``gate_db_over_floor``, ``gate_db_under_speech``) reads each frame's level
        *in the feature band*: the RMS of the band-filtered samples over the front end's
        loudness window (the middle 32 ms of its 64 ms frame), instead of the front end's
        full-band loudness. A sound with its energy below 300 Hz (a thump, hum, a breath on the
        microphone) passes a full-band gate on a wideband call and not on its telephone copy,
        which has lost that energy; it then enters the clustering as a "speaker" window on one
        copy only. On the pyannote phone call one such 0.3 s low-frequency sound (at 2.2 s,
        8 dB more at 200-300 Hz than at 300-600 Hz) was the only frame difference between the
        gates of the wideband copy and its G.711 copy; with the G.711 copy's gate the wideband
        features scored 16.0 % instead of 18.1 %, and with the wideband gate the G.711 features
        18.1 % instead of 10.0 % (docs/diarization.md). With the level read in the band, a call
        and its telephone copy are gated alike. False: the front end's full-band loudness.

    Raises
    ------
    ParameterError
        A value that cannot describe a speaker feature (a non-positive duration or rate, a
        band whose bottom is not below its top or above Nyquist, a fraction outside (0, 1]).
    """

    sample_rate_hz: int = 16_000
    hop_s: float = 0.010
    frame_length_s: float = 0.025
    n_mels: int = 30
    fmin_hz: float = 300.0
    fmax_hz: float = 3_400.0
    n_mfcc: int = 12
    window_s: float = 0.8
    step_s: float = 0.4
    min_speech_fraction: float = 0.5
    gate_db_over_floor: float = 20.0
    gate_hangover_s: float = 0.15
    normalise_variance: bool = False
    lowest_cepstrum: int = 1
    band_filter_order: int = 4
    spectral_floor_db: float | None = None
    window_pause_s: float | None = 0.2
    gate_db_under_speech: float | None = 20.0
    min_window_s: float = 0.3
    gate_on_band_level: bool = True

    def __post_init__(self) -> None:
        positive = {
            "sample_rate_hz": self.sample_rate_hz,
            "hop_s": self.hop_s,
            "frame_length_s": self.frame_length_s,
            "window_s": self.window_s,
            "step_s": self.step_s,
            "n_mels": self.n_mels,
            "n_mfcc": self.n_mfcc,
        }
        for name, value in positive.items():
            if not (np.isfinite(value) and value > 0):
                raise ParameterError(f"speaker features: {name} = {value!r}; pass a positive value")
        if self.n_mfcc >= self.n_mels:
            raise ParameterError(
                f"speaker features: n_mfcc = {self.n_mfcc} needs more than that many mel bands "
                f"(n_mels = {self.n_mels}); raise n_mels or lower n_mfcc"
            )
        if not 1 <= self.lowest_cepstrum <= self.n_mfcc:
            raise ParameterError(
                f"speaker features: lowest_cepstrum = {self.lowest_cepstrum!r}; pass 1 to "
                f"n_mfcc ({self.n_mfcc})"
            )
        nyquist_hz = self.sample_rate_hz / 2
        if not (0.0 <= self.fmin_hz < self.fmax_hz <= nyquist_hz):
            raise ParameterError(
                f"speaker features: band {self.fmin_hz:g}-{self.fmax_hz:g} Hz; pass "
                f"0 <= fmin_hz < fmax_hz <= {nyquist_hz:g} Hz (half the sample rate)"
            )
        if not 0 <= self.band_filter_order <= 12:
            raise ParameterError(
                f"speaker features: band_filter_order = {self.band_filter_order!r}; pass 0 (no "
                "filter) to 12"
            )
        if self.band_filter_order and self.fmin_hz <= 0:
            raise ParameterError(
                f"speaker features: band_filter_order = {self.band_filter_order} needs "
                f"fmin_hz > 0 (got {self.fmin_hz:g}); raise fmin_hz or pass band_filter_order=0"
            )
        if self.spectral_floor_db is not None and not (
            np.isfinite(self.spectral_floor_db) and self.spectral_floor_db > 0
        ):
            raise ParameterError(
                f"speaker features: spectral_floor_db = {self.spectral_floor_db!r}; pass a "
                "positive number of dB below the frame's loudest band, or None for no floor"
            )
        if self.window_pause_s is not None and not (
            np.isfinite(self.window_pause_s) and self.window_pause_s > 0
        ):
            raise ParameterError(
                f"speaker features: window_pause_s = {self.window_pause_s!r}; pass a positive "
                "pause length in seconds, or None to lay windows across pauses"
            )
        if not (np.isfinite(self.min_window_s) and 0 < self.min_window_s <= self.window_s):
            raise ParameterError(
                f"speaker features: min_window_s = {self.min_window_s!r}; pass a positive "
                f"length up to window_s ({self.window_s:g} s)"
            )
        if self.gate_db_under_speech is not None and not (
            np.isfinite(self.gate_db_under_speech) and self.gate_db_under_speech > 0
        ):
            raise ParameterError(
                f"speaker features: gate_db_under_speech = {self.gate_db_under_speech!r}; pass a "
                "positive number of dB under the loud speech, or None for the floor alone"
            )
        if not 0.0 < self.min_speech_fraction <= 1.0:
            raise ParameterError(
                f"speaker features: min_speech_fraction = {self.min_speech_fraction!r}; pass a "
                "fraction in (0, 1]"
            )
        if not (np.isfinite(self.gate_db_over_floor) and self.gate_db_over_floor >= 0):
            raise ParameterError(
                f"speaker features: gate_db_over_floor = {self.gate_db_over_floor!r}; pass 0 dB "
                "or more (0 keeps every front-end speech frame)"
            )
        if not (np.isfinite(self.gate_hangover_s) and self.gate_hangover_s >= 0):
            raise ParameterError(
                f"speaker features: gate_hangover_s = {self.gate_hangover_s!r}; pass 0 s or more"
            )


@dataclass(frozen=True)
class SpeakerFrames:
    """Frame-level speaker features of one mono signal.

    Attributes
    ----------
    mfcc : np.ndarray, shape (n_frames, n_mfcc)
        Cepstra (c1..), mean-normalised over the call's speech frames.
    speech : np.ndarray of bool, shape (n_frames,)
        Speech activity from the front end.
    f0_hz : np.ndarray, shape (n_frames,)
        Pitch from the front end (0 or NaN where unvoiced).
    loudness_dbfs : np.ndarray, shape (n_frames,)
        Frame loudness from the front end.
    hop_s : float
        Frame hop in seconds.
    mel_power : np.ndarray, shape (n_frames, n_mels), optional
        The mel power spectrum the cepstra come from: two frames' spectra added and passed
        through :meth:`cepstra` give what the two voices sound like at once (overlap).
    cep_mean, cep_scale : np.ndarray, shape (n_mfcc,), optional
        The per-call normalisation applied to ``mfcc`` (``(c - cep_mean) / cep_scale``).
    band_level_dbfs : np.ndarray, shape (n_frames,), optional
        Each frame's level in the feature band (:func:`band_level_dbfs`).
    """

    mfcc: np.ndarray
    speech: np.ndarray
    f0_hz: np.ndarray
    loudness_dbfs: np.ndarray
    hop_s: float
    mel_power: np.ndarray | None = None
    cep_mean: np.ndarray | None = None
    cep_scale: np.ndarray | None = None
    lowest_cepstrum: int = 1
    band_level_dbfs: np.ndarray | None = None

    def cepstra(self, mel_power: np.ndarray) -> np.ndarray:
        """Normalised cepstra of mel power spectra ``(n, n_mels)``, as ``mfcc`` was made."""
        cep = _cepstra(
            np.asarray(mel_power, dtype=np.float64),
            self.lowest_cepstrum + self.mfcc.shape[1] - 1,
            self.lowest_cepstrum,
        )
        mean = self.cep_mean if self.cep_mean is not None else 0.0
        scale = self.cep_scale if self.cep_scale is not None else 1.0
        return (cep - mean) / scale

    def __len__(self) -> int:
        return int(self.speech.size)


@dataclass(frozen=True)
class SpeakerWindows:
    """Per-window embeddings of the speech in a call.

    Attributes
    ----------
    start_frame, end_frame : np.ndarray of int, shape (n_windows,)
        Frame span of each window (end exclusive).
    embeddings : np.ndarray, shape (n_windows, dim)
        MFCC mean and standard deviation over the window's speech frames, then the median
        log-pitch (scaled) as the last column.
    """

    start_frame: np.ndarray
    end_frame: np.ndarray
    embeddings: np.ndarray
    loudness_dbfs: np.ndarray | None = None
    """Median loudness of each window's speech frames."""

    def __len__(self) -> int:
        return int(self.start_frame.size)


def speaker_frames(
    samples: np.ndarray,
    speech: np.ndarray,
    f0_hz: np.ndarray,
    loudness_dbfs: np.ndarray,
    options: SpeakerFeatureOptions | None = None,
) -> SpeakerFrames:
    """MFCCs of a mono signal on the front end's frame grid.

    Parameters
    ----------
    samples : np.ndarray, shape (n,)
        Mono samples in [-1, 1] at ``options.sample_rate_hz``.
    speech, f0_hz, loudness_dbfs : np.ndarray, shape (n_frames,)
        The front end's per-frame values for the same signal
        (:func:`audio.features.extract_features`).
    """
    o = options or SpeakerFeatureOptions()
    x = np.asarray(samples, dtype=np.float32)
    if x.ndim != 1:
        raise AudioError(f"speaker features need mono samples, got shape {x.shape}; pass one row")
    n_frames = int(np.asarray(speech).size)
    hop = round(o.hop_s * o.sample_rate_hz)
    n_fft = 512
    win = round(o.frame_length_s * o.sample_rate_hz)
    x = band_filter(x, o)
    mel = _melspectrogram(x, o, n_fft, hop, win)
    # front-end frames are centred at (i*hop + frame_length/2); librosa's at i*hop: shift ~1 frame
    shift = 1
    power = mel.T[shift:].astype(np.float64)  # (frames, n_mels)
    if power.shape[0] < n_frames:
        power = np.pad(power, ((0, n_frames - power.shape[0]), (0, 0)), mode="edge")
    power = power[:n_frames]
    if o.spectral_floor_db is not None:
        power = floor_spectrum(power, o.spectral_floor_db)
    cep = _cepstra(power, o.n_mfcc, o.lowest_cepstrum)
    band_db = band_level_dbfs(x, n_frames, o)
    gate_level = band_db if o.gate_on_band_level else np.asarray(loudness_dbfs)
    sp = gate_speech(np.asarray(speech, dtype=bool), gate_level, o)
    mean = cep[sp].mean(axis=0) if sp.any() else np.zeros(cep.shape[1])
    scale = np.ones(cep.shape[1])
    if sp.any() and o.normalise_variance:
        scale = (cep[sp] - mean).std(axis=0) + 1e-9
    return SpeakerFrames(
        mfcc=(cep - mean) / scale,
        speech=sp,
        f0_hz=np.nan_to_num(np.asarray(f0_hz, dtype=np.float64), nan=0.0),
        loudness_dbfs=np.asarray(loudness_dbfs, dtype=np.float64),
        hop_s=o.hop_s,
        mel_power=power,
        cep_mean=mean,
        cep_scale=scale,
        lowest_cepstrum=o.lowest_cepstrum,
        band_level_dbfs=band_db,
    )


def _melspectrogram(
    x: np.ndarray, o: SpeakerFeatureOptions, n_fft: int, hop: int, win: int
) -> np.ndarray:
    """``librosa.feature.melspectrogram(y=x, ..., center=True, power=2.0)`` (mel bands
    ``fmin_hz``-``fmax_hz``), with the power taken only of the FFT bins the filterbank weighs:
    the bins below ``fmin_hz`` and above ``fmax_hz`` have zero weight in every band, so the
    bands are the same sums (the same bits on the mono calls of bench_diarization.py, tested
    against librosa's function) at ~40 % of the squaring and of the product; the STFT is
    librosa's."""
    import librosa  # the 'mono' extra: imported here so the options load without it

    spec = librosa.stft(x, n_fft=n_fft, hop_length=hop, win_length=win, center=True)
    basis = librosa.filters.mel(
        sr=o.sample_rate_hz, n_fft=n_fft, n_mels=o.n_mels, fmin=o.fmin_hz, fmax=o.fmax_hz
    )
    used = np.flatnonzero(basis.any(axis=0))
    if used.size == 0:
        return np.asarray(np.einsum("...ft,mf->...mt", np.abs(spec) ** 2, basis, optimize=True))
    lo, hi = int(used[0]), int(used[-1]) + 1
    power = np.abs(spec[lo:hi]) ** 2
    return np.asarray(np.einsum("...ft,mf->...mt", power, basis[:, lo:hi], optimize=True))


def band_level_dbfs(
    filtered: np.ndarray, n_frames: int, options: SpeakerFeatureOptions | None = None
) -> np.ndarray:
    """Level of band-filtered samples (:func:`band_filter`) per front-end frame, dB re full
    scale: the RMS over the front end's loudness window of frame ``i`` (the middle
    ``frame_length_s`` of the ``pitch_frame_length_s`` window starting at ``i * hop``;
    :class:`audio.features.FeatureOptions`), so it lines up with ``loudness_dbfs``."""
    from calltone.audio.features import FeatureOptions

    o = options or SpeakerFeatureOptions()
    fo = FeatureOptions(sample_rate_hz=o.sample_rate_hz, hop_s=o.hop_s)
    hop, win = fo.hop, fo.loudness_window
    offset = (fo.pitch_window - win) // 2
    y = np.array(filtered, dtype=np.float64).reshape(-1)  # a copy: squared in place
    np.multiply(y, y, out=y)
    cum = np.empty(y.size + 1)
    cum[0] = 0.0
    np.cumsum(y, out=cum[1:])  # the same running sum as concatenating [0] and cumsum(y * y)
    a = np.minimum(np.arange(n_frames) * hop + offset, y.size)
    b = np.minimum(a + win, y.size)
    energy = (cum[b] - cum[a]) / np.maximum(b - a, 1)
    return np.asarray(10 * np.log10(np.maximum(energy, 1e-12)))


def band_filter(samples: np.ndarray, options: SpeakerFeatureOptions) -> np.ndarray:
    """``samples`` band-passed to the feature band (``band_filter_order``; causal, so a live
    stream filtered block by block with carried state gives the same samples)."""
    o = options
    if not o.band_filter_order:
        return samples
    from scipy.signal import butter, sosfilt

    top = min(o.fmax_hz, 0.49 * o.sample_rate_hz)
    sos = butter(
        o.band_filter_order, [o.fmin_hz, top], btype="bandpass", fs=o.sample_rate_hz, output="sos"
    )
    return np.asarray(sosfilt(sos, samples), dtype=np.float32)


def floor_spectrum(mel_power: np.ndarray, floor_db: float) -> np.ndarray:
    """Each frame's mel power raised to at least ``floor_db`` below its loudest band."""
    peak = mel_power.max(axis=1, keepdims=True)
    return np.maximum(mel_power, peak * 10 ** (-floor_db / 10))


def _cepstra(mel_power: np.ndarray, n_mfcc: int, lowest: int = 1) -> np.ndarray:
    """c``lowest``..c``n_mfcc`` of mel power spectra ``(n, n_mels)`` (log, orthonormal DCT-II,
    as ``librosa.feature.mfcc``; c0, the loudness, always dropped)."""
    from scipy.fft import dct

    return np.asarray(dct(np.log(mel_power + 1e-8), axis=1, type=2, norm="ortho"))[
        :, lowest : n_mfcc + 1
    ]


def gate_speech(
    speech: np.ndarray, loudness_dbfs: np.ndarray, options: SpeakerFeatureOptions | None = None
) -> np.ndarray:
    """Front-end speech limited to frames well above the call's own noise floor (or near its
    loud speech: ``gate_db_under_speech``)."""
    o = options or SpeakerFeatureOptions()
    loud = np.nan_to_num(np.asarray(loudness_dbfs, dtype=np.float64), nan=-120.0)
    if loud.size == 0:
        return speech.copy()
    floor_db = float(np.percentile(loud, 10))
    bar_db = floor_db + o.gate_db_over_floor
    if o.gate_db_under_speech is not None and speech.any():
        bar_db = min(bar_db, float(np.percentile(loud[speech], 90)) - o.gate_db_under_speech)
    hot = speech & (loud > bar_db)
    k = 2 * round(o.gate_hangover_s / o.hop_s) + 1
    near = np.convolve(hot.astype(np.float64), np.ones(k), mode="same") > 0
    return speech & near


def _window_spans(
    speech: np.ndarray, n: int, w: int, step: int, o: SpeakerFeatureOptions, hop_s: float
) -> list[tuple[int, int]]:
    """Frame spans of the embedding windows (see ``window_pause_s``)."""
    if o.window_pause_s is None:
        return [(s, min(n, s + w)) for s in range(0, max(1, n - w // 2), step)]
    # stretches of speech, pauses shorter than window_pause_s bridged
    pause = round(o.window_pause_s / hop_s)
    idx = np.flatnonzero(speech)
    if idx.size == 0:
        return []
    cut = np.flatnonzero(np.diff(idx) > pause)
    run_starts = np.concatenate([[idx[0]], idx[cut + 1]])
    run_ends = np.concatenate([idx[cut] + 1, [idx[-1] + 1]])
    shortest = round(o.min_window_s / hop_s)
    spans: list[tuple[int, int]] = []
    for a, b in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        if b - a < shortest:
            continue
        if b - a <= w:
            spans.append((a, b))
            continue
        last = b - w
        starts = [*range(a, last, step), last]
        spans += [(s, s + w) for s in starts]
    return spans


def speaker_windows(
    frames: SpeakerFrames, options: SpeakerFeatureOptions | None = None
) -> SpeakerWindows:
    """Embed overlapping windows of speech (see :class:`SpeakerWindows`)."""
    o = options or SpeakerFeatureOptions()
    n = len(frames)
    w = max(1, round(o.window_s / frames.hop_s))
    step = max(1, round(o.step_s / frames.hop_s))
    sp = frames.speech
    cum = np.concatenate([[0], np.cumsum(sp)])
    starts, ends, embs, louds = [], [], [], []
    logf0 = np.where(frames.f0_hz > 0, np.log(np.maximum(frames.f0_hz, 1.0)), np.nan)
    for s, e in _window_spans(sp, n, w, step, o, frames.hop_s):
        n_speech = cum[e] - cum[s]
        if n_speech < o.min_speech_fraction * min(w, e - s) or n_speech < 10:
            continue
        seg = frames.mfcc[s:e][sp[s:e]]
        f0 = logf0[s:e][sp[s:e]]
        f0 = f0[np.isfinite(f0)]
        f0_med = float(np.median(f0)) if f0.size >= 5 else np.nan
        embs.append(np.concatenate([seg.mean(axis=0), seg.std(axis=0), [f0_med]]))
        louds.append(float(np.median(frames.loudness_dbfs[s:e][sp[s:e]])))
        starts.append(s)
        ends.append(e)
    dim = 2 * frames.mfcc.shape[1] + 1
    emb = np.asarray(embs, dtype=np.float64).reshape(-1, dim)
    if emb.size:
        col = emb[:, -1]
        fill = np.nanmedian(col) if np.isfinite(col).any() else 0.0
        emb[:, -1] = np.where(np.isfinite(col), col, fill)
    return SpeakerWindows(
        start_frame=np.asarray(starts, dtype=np.int64),
        end_frame=np.asarray(ends, dtype=np.int64),
        embeddings=emb,
        loudness_dbfs=np.asarray(louds, dtype=np.float64),
    )
