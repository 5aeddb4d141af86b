"""Frame features per channel, computed incrementally so live and recorded audio agree.

Every channel is cut into frames on a fixed 10 ms grid. For frame ``i`` the pitch window covers
samples ``[i * hop, i * hop + pitch_frame_length)`` and the loudness window the middle
``frame_length`` samples of it; the frame's time is the window centre. Each frame's numbers depend
only on samples near it and on state carried forward, never on how the audio was chunked, which is
what lets a 20 ms WebSocket frame and a whole file give the same events.

Per frame we produce:

- ``loudness_dbfs``: RMS level of the ~32 ms window, dB re full scale;
- ``f0_hz`` and ``aperiodicity``: YIN (de Cheveigné & Kawahara 2002, the algorithm behind
  ``librosa.yin``) on frames that carry energy; ``voiced`` when the YIN dip is deep enough;
- ``speech``: energy over an adaptive noise floor, with crosstalk from the other channel
  suppressed, then onset/hangover hysteresis (so short clicks are dropped and short pauses kept).
  Under *steady* noise the margin over the floor narrows for frames that show a voice (see
  "Speech gate under steady noise" below);
- ``nucleus``: a syllable-like loudness peak inside voiced speech, for a transcript-free pace;
- ``tilt_db``: energy of the signal's first difference over its energy, a cheap spectral-tilt
  measure of vocal effort (raised voices carry more energy in upper harmonics);
- ``hnr_db``: harmonics-to-noise ratio of the frame from the depth of its YIN dip,
  ``10 log10((1 - d) / d)`` with ``d`` the aperiodicity (a clean periodic frame ~20-30 dB, a
  rough, pressed or breathy voice lower). It costs nothing extra: YIN computes ``d`` anyway.
  On a wideband recording most of its calm-vs-raised contrast comes from under 300 Hz (the
  fundamental), which a telephone line does not carry;
- ``band_hnr_db`` (only with ``FeatureOptions.band_hnr``; else ``HNR_MIN_DB``): the same ratio
  read on the 300-3400 Hz band signal at the input rate, at the period YIN chose
  (:func:`_band_aperiodicity`), so it means the same on a wideband recording and its
  narrowband copy;
- ``alpha_db`` (only with ``FeatureOptions.alpha_ratio``; else 0): the alpha ratio of the band
  signal, its power over ``alpha_split_hz`` (to 3.4 kHz) over its power under it (from 300 Hz),
  dB, on the loudness window: an in-band spectral balance (Sundberg & Nordenberg 2006: it rises
  with vocal effort), a ratio of two powers of the same frame, so a level offset or a gain
  control leaves it alone, and read in the telephone band, so a wideband recording and its
  8 kHz copy give the same number.

Speech gate under steady noise
------------------------------

A frame is *energetic* when its level is over the strict gate: ``vad_snr_db`` over the noise
floor (the trailing ``vad_noise_window_s`` minimum of the ``vad_smooth_s``-smoothed level) and
within ``vad_range_db`` of the speech peak. That margin has to cover noise that fluctuates
(traffic, babble, a line whose level moves), and under steady noise it costs the quieter half
of every word: a caller 15-20 dB over a steady hiss loses a third of the talk time.

So the front end also measures how steady the noise is, constant-false-alarm style: a second
floor, the trailing minimum of the level smoothed over ``vad_noise_steady_smooth_s`` (about the
noise's mean level once there is one such quiet stretch in the window), and the *spread*, that
floor less the short one (the minimum of a fluctuating noise sits far under its mean; of a
steady one, ~1-2 dB). The relaxed gate is ``max(vad_steady_margin_db, vad_spread_factor x
spread)`` over the steady floor, never stricter than the strict gate and never under
``peak - vad_range_db``. A frame between the two gates is energetic only when it shows a voice
(YIN aperiodicity at most ``vad_voice_max_aperiodicity``): a noise that rises after the floors
were measured (a gain control turning the line up, a fan starting) is aperiodic and stays out,
and onset hysteresis still needs ``vad_onset_s`` of such frames in a row. On a clean or a
fluctuating line the two gates coincide and nothing changes.

Voicing under noise: YIN's normalised difference ``d`` of a periodic voice plus independent
noise is about the noise's share of the frame's power, so additive noise alone pushes a
clearly periodic frame over ``voicing_max_aperiodicity`` once it is ~5 dB under the noise's
level plus the voice's. The voicing decision therefore reads ``d`` less the noise share
expected from the steady floor, ``(d - s) / (1 - s)`` with ``s = 10^((steady - level) / 10)``
capped at ``voicing_noise_share_max`` (the steady floor sits at or under the noise's mean, so
the correction errs small; ``aperiodicity`` and ``hnr_db`` stay as measured).

Quiet speech next to speech
---------------------------

Noise that sits 15-20 dB under a speaker's *loud* speech buries the quiet half of the voice:
on ``bench_calls``' noisy "re loud" copies the clean copy's talk frames are 0 dB or more over
the line's noise (telephone band, per 32 ms frame) for 0.61 (GSM) / 0.52 (AMR) of its talk
time, and the gate found 0.62 / 0.56: it already finds what stands over the noise. What it
loses is word tails, onsets and quiet words between loud ones whose own frames are not told
from the noise by energy, periodicity or a sub-band SNR (their YIN aperiodicity median 0.70,
the noise's 0.72). With ``vad_sustain`` such frames are still speech when they adjoin speech:
once speech is confirmed, a frame whose ``vad_smooth_s`` level stays over the steady floor by
``max(vad_sustain_margin_db, vad_spread_factor x spread)`` continues it (the relaxed gate's
constant-false-alarm margin, on the very level whose minimum is the short floor, so ``spread``
is that level's own dip under its mean), for at most ``vad_sustain_max_s`` after the last
frame over the other gates; and up to ``vad_sustain_lookback_s`` of such frames right before a
confirmed onset are speech too. Such frames never start speech, carry no pitch and no voicing,
and drop out where the crosstalk, DTMF or music checks say the line is someone else's, and
while another channel has had speech within ``vad_hangover_s`` (under the other party's turn a
quiet frame is as likely their leak, a neighbour or a breath, and sustaining it makes overlap
for the turn-taking to read: with babble in one microphone it turned back-to-back turns into
interruptions).

Word tails under noise
----------------------

Why the gate finds 0.62 / 0.56 of the clean copy's talk on ``bench_calls``' GSM / AMR "re
loud" copies (front end part; s18 notes, doc_h4): the noise floor is not the cause (the steady
floor sits 0.1-0.5 dB under the line noise's median level, the short floor ~1.3 dB under, and
neither rises in speech), nor are onsets (4 % of the clean talk lost before the first frame
found in an utterance). Of the clean talk, RAVDESS actors 01-06 on GSM, 15 % is lost as the
tail of an utterance after its last frame found, 11 % as 250-1000 ms gaps between frames found
within an utterance and 4 % as whole quiet utterances; by the clean frame's own level over the
line's noise (telephone band; actors 01-04), 42 % of the clean talk stands under 5 dB and 28 %
under 0 dB. No per-frame reading tells those frames from the noise much better than the level
does: at 1 % / 10 % of noise frames called speech, a per-bin likelihood ratio over a
minimum-statistics noise spectrum finds 71 % / 80 % of the clean talk, the level 71 % / 80 %.

So ``vad_masked_hangover_s_per_db`` does not look for them: it keeps talking for as long as a
noiseless line would. Each voiced speech frame (``vad_masked_voice_max_aperiodicity``, noise
share taken out) grants ``vad_masked_hangover_s_per_db`` seconds per dB that the lowest gate a
voiced frame must cross (``gate_low``: the relaxed steady-noise gate or the range) stands over
``vad_range_db`` under the speech peak (the gate of a noiseless line), at most
``vad_masked_hangover_max_s``; frames under every gate within that grant of the last voiced
frame continue speech (the sustained frames of :class:`SpeechGate`, without its own cap), then
the usual hangover runs. Nothing is granted on a clean line (the range sets the gate), on noise
alone (no voiced speech) or while another channel talks, and it never starts speech. A second
gate per channel keeps the labels without it (``ChannelFrames.speech_heard``): the detectors,
baselines and turns read those, and the talk time the extended ``speech``; read by the
detectors, the quiet frames it adds lower the speech Leq and syllable rate of the calm
baselines (calm clips flagged agent_tone on the re-loud copies 0.00 -> 0.03, one more held-out
AMI false alert).

Syllable rate under noise
-------------------------

Nuclei per second of heard speech read 1.13-1.18 of the clean copy's on ``bench_calls``' GSM /
AMR "re loud" copies (session 21, H3). Not from noise: within the frames the noisy copy hears,
it counts 0.94-0.96 of the clean copy's nuclei (5-8 % of its nuclei have no clean nucleus
within 50 ms, 7-10 % of the clean ones there are missed). The divisor moves: the noise hides
the quiet, nucleus-poor onsets and tails of words and whole quiet utterances, so the speech
left heard is the dense, stressed part (the clean copy's own nuclei per second, read over the
frames the noisy copy hears, are 1.19-1.24x its rate over all its heard speech). With
``syllable_interval_max_s`` the rate is read over the intervals between consecutive nuclei in
one heard stretch, each at most that long (an articulation rate): word edges and pauses are not
in it, so it does not move with them, and a nucleus lost or added changes one interval.

Speech level after a shout
--------------------------

The range gate's speech level is a peak hold of the smoothed level decaying at
``vad_peak_decay_db_per_s`` (0.5 dB/s). One loud burst then sets the gate for tens of seconds:
30 dB over the speaker's normal voice, and 9 s later the gate still stands 25 dB over where the
voice puts it, so the speaker's normal speech keeps only its loudest syllables (RAVDESS actor 09
in ``bench_calls``: an angry-strong clip at -10 dBFS, then normal clips at -41..-60 dBFS of
which 0.14 s of 1.9 s was speech). With ``vad_peak_follow`` the level is ``max(fast,
min(held, usual + vad_peak_over_usual_db))``: ``fast`` a peak hold decaying at
``vad_peak_fast_decay_db_per_s`` (3 dB/s: a burst 20 dB over stops setting the gate within
~7 s), ``held`` the held peak as before and ``usual`` the speaker's usual speech peak (an
exponential mean, in dB, of ``fast`` over the frames ``held``'s gate calls speech, time constant
``vad_usual_level_tau_s`` of speech). In steady talk ``held`` sits within a few dB of
``usual`` and little changes; in silence the level stays at the usual voice (``fast`` has
decayed, the cap holds), so breath and reverberation 35 dB under the voice stay out as before;
the level is never over ``held``, so the switch only ever adds speech frames.
"""

from __future__ import annotations

import functools
import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

import numpy as np
import scipy.fft
import scipy.signal
from numpy.lib.stride_tricks import as_strided
from scipy.ndimage import maximum_filter1d, minimum_filter1d

from calltone.audio.crosstalk import CrosstalkGate, CrosstalkOptions, EchoPathState
from calltone.audio.errors import AudioError, ParameterError
from calltone.audio.music import MusicGate, MusicSettings
from calltone.audio.tones import drop_key_tones

try:  # the compiled kernel behind scipy.signal.sosfilt (see _sosfilt_rows)
    from scipy.signal._sosfilt import _sosfilt as _SOSFILT_KERNEL
except ImportError:  # pragma: no cover - a SciPy that moved it: the public function
    _SOSFILT_KERNEL = None
try:  # the compiled kernel behind scipy.signal.lfilter (see FrontEnd._followed_peak)
    from scipy.signal._sigtools import _linear_filter as _LFILTER_KERNEL
except ImportError:  # pragma: no cover - a SciPy that moved it: the public function
    _LFILTER_KERNEL = None
try:  # the pocketfft module behind scipy.fft's real transforms (see _rfft_rows)
    from scipy.fft._pocketfft import pypocketfft as _POCKETFFT
except ImportError:  # pragma: no cover - a SciPy that moved it: scipy.fft itself
    _POCKETFFT = None

SILENCE_DBFS = -120.0
HNR_MIN_DB = -10.0
HNR_MAX_DB = 30.0


def hnr_db_from_aperiodicity(aperiodicity: np.ndarray) -> np.ndarray:
    """Harmonics-to-noise ratio (dB) from YIN's normalised difference at the chosen lag.

    For a periodic signal plus independent noise the normalised difference ``d`` is about the
    noise share of the power, so ``(1 - d) / d`` is harmonic over noise power. Clipped to
    ``[HNR_MIN_DB, HNR_MAX_DB]`` (frames YIN did not analyse have ``d = 1``: the minimum).
    """
    d = np.clip(np.asarray(aperiodicity, dtype=np.float64), 1e-3, 1.0)
    with np.errstate(divide="ignore"):
        h = 10.0 * np.log10(np.maximum(1.0 - d, 1e-12) / d)
    return np.clip(h, HNR_MIN_DB, HNR_MAX_DB).astype(np.float32)


@dataclass(frozen=True)
class FeatureOptions:
    """Framing, pitch and speech-activity settings (units in the names).

    The defaults follow docs/DESIGN.md: ~32 ms windows on a 10 ms hop at 16 kHz.
    """

    sample_rate_hz: int = 16_000
    hop_s: float = 0.010
    frame_length_s: float = 0.032
    pitch_frame_length_s: float = 0.064
    pitch_sample_rate_hz: int = 8_000
    pitch_fmin_hz: float = 65.0
    pitch_fmax_hz: float = 500.0
    yin_trough_threshold: float = 0.1
    yin_subharmonic_ratio: float = 0.7
    yin_subharmonic_min_drop: float = 0.03
    pitch_jump_max_st: float = 7.0
    pitch_fold_tolerance_st: float = 2.0
    pitch_min_context: int = 8
    #: Past context of the continuity pass's second look (0 disables it): each frame is judged
    #: again against the median of the corrected track over this many seconds before it and the
    #: raw track over the same ``nucleus_context_s``-based radius after it (no added delay). See
    #: :func:`_pitch_past_context`.
    pitch_context_past_s: float = 1.0
    voicing_max_aperiodicity: float = 0.30
    #: Compute ``band_hnr_db`` (:func:`_band_aperiodicity`: ~0.1 ms of a 100 ms live step of
    #: two channels); off, it is ``HNR_MIN_DB`` on every frame.
    band_hnr: bool = False
    band_low_hz: float = 300.0
    band_high_hz: float = 3400.0
    #: Compute ``alpha_db`` (module notes): the input through two Butterworth band-passes of
    #: ``alpha_filter_order`` (``band_low_hz``-``alpha_split_hz`` and ``alpha_split_hz``-
    #: ``band_high_hz``; steeper than the band filter so a wideband voice's fundamental under
    #: 300 Hz does not count: with order 2 a synthetic voice at 150 Hz read 2.4 dB lower
    #: wideband than on its 300-3400 Hz copy) and two more window means; off, 0 on every frame.
    alpha_ratio: bool = False
    alpha_low_hz: float = 400.0
    alpha_split_hz: float = 1000.0
    alpha_filter_order: int = 4
    vad_snr_db: float = 9.0
    vad_min_level_dbfs: float = -90.0
    #: Smoothed levels under this are digital silence (a codec's DTX, a recorder's gate, a
    #: resampled run of zeros; 16-bit quantisation noise alone is -101 dBFS): no measurement
    #: of the line's noise, left out of the noise floors (see :func:`_floor_evidence`).
    vad_floor_no_signal_dbfs: float = -100.0
    #: ... but only where the frames left show the line's noise: their steady floor within
    #: this of their short floor (a stretch of steady noise). Digital silence and speech alone
    #: (a noiseless line) keep the floor as before.
    vad_floor_noise_spread_db: float = 12.0
    #: ... and at least this far under the speech peak (quieter frames of a steady voice are
    #: no line noise).
    vad_floor_noise_under_peak_db: float = 25.0
    #: A frame is a DTMF key tone, not speech, when a low-group and a high-group tone band
    #: (audio/tones.py, on the pitch window's spectrum: +-1.5 % of the nominal frequency and
    #: two 15.6 Hz bins either side, power centroid within 2 % of it) hold this share of its
    #: power in the telephone band together, and each more than ``dtmf_min_tone_share``; 0
    #: judges no frame. Synthetic digits (40-100 ms, +-6 dB twist, +-1.5 %, white noise 20 dB
    #: under) read >= 0.85 on all but 6 of 5385 speech-gate frames (digits' edges); no frame of
    #: real speech (LCA, RAVDESS, AMI, the escalation sample; 33,000 frames) does.
    dtmf_min_pair_share: float = 0.85
    dtmf_min_tone_share: float = 0.1
    #: ... and each band's power centroid within this share of its nominal frequency (ITU-T
    #: Q.24 receivers accept 1.5 %, which reads up to 1.8 % here, and must reject 3.5 %): the
    #: 2nd and 3rd harmonics of a ~400 Hz voice fall in a low and a high band, 3-5 % off.
    dtmf_max_deviation_share: float = 0.02
    #: Hold music (audio/music.py): a frame is music, not speech, when over the last
    #: ``music_window_s`` at least this share of the spectral peaks of the channel's frames
    #: over the speech gate's lower threshold were *held* (the same 31.25 Hz bin a peak ``music_hold_s`` / 3, 2/3 and 3/3
    #: earlier: a note's partial; speech's harmonics glide). Real speech reads <= 0.09, hold
    #: music 0.2-0.47 at its median (sung melodies through noisy codecs 0.13-0.15); 0.2 turns
    #: it on. 0 (the default) judges no frame: it costs no bench_calls cell and no real talk
    #: time, but the test suite's synthetic voices (harmonics of a steady F0) are held notes by
    #: this measure (docs/benchmarks.md, session 12).
    music_min_held_share: float = 0.0
    #: The window of that share (s): longer is steadier, and slower into and out of a hold.
    music_window_s: float = 3.0
    #: ... and the window must hold at least this much audio over the speech gate's lower
    #: threshold (s); with less (a hold's quieter stretches once the noise floor has risen to
    #: the music), the last decision made on enough holds.
    music_min_active_s: float = 1.0
    #: How long a partial must stay in its bin to be held (s; read at a third, two thirds and
    #: all of it). Speech F0 glides a few semitones per 100 ms; a note holds for 100s of ms.
    music_hold_s: float = 0.2
    #: The band read (Hz): from above the first voice harmonics (they move least) to the line's.
    music_low_hz: float = 500.0
    music_high_hz: float = 3400.0
    #: A peak stands this far over the frame's median bin (a partial, not the noise between).
    music_peak_over_median_db: float = 10.0
    #: ... within this of the frame's strongest bin.
    music_peak_range_db: float = 30.0
    #: ... in a bin that was a peak in at most this share of the last ``music_stationary_s`` of
    #: frames: a steady tone of the line (a whine, a hum harmonic) is in every frame, a note
    #: (a 2-3 s chord) is not; a pad's 4 s chords lose their held share near their end (8 s
    #: fixed that but judged a synthetic gliding voice music).
    music_stationary_share: float = 0.75
    music_stationary_s: float = 4.0
    vad_range_db: float = 35.0
    vad_peak_decay_db_per_s: float = 0.5
    #: The speech peak follows the speaker's usual level (module notes, "Speech level after a
    #: shout"; 0 = off, the held peak alone): the level ``vad_range_db`` is read under is the
    #: larger of a fast-decaying peak hold (``vad_peak_fast_decay_db_per_s``) and the held
    #: peak capped at the speaker's usual speech peak plus ``vad_peak_over_usual_db``. A
    #: brief shout then stops gating the speaker's normal speech within seconds; in silence
    #: the reference stays at the usual voice, so breath and reverberation stay out. On since
    #: session 15 (bench_calls agent_tone on angry clips: wideband 0.88 -> 0.92, A-law -12 dB
    #: 0.83 -> 0.88, Opus + AGC 0.85 -> 0.88, GSM re loud 0.75 -> 0.77, no cell lower; calm
    #: clips, real calm calls and interruptions unchanged; cost: the syllable-rate ratio of the
    #: noisy GSM / AMR copies 1.12 / 1.15 -> 1.15 / 1.18 of the clean one; docs/benchmarks.md).
    vad_peak_follow: float = 1.0
    #: The fast hold's decay (dB/s): how soon a burst over the usual level stops setting the gate.
    vad_peak_fast_decay_db_per_s: float = 3.0
    #: The usual speech peak: an exponential mean (dB) of the fast hold over the frames the
    #: held-peak gate calls speech, with this time constant in seconds of such frames.
    vad_usual_level_tau_s: float = 30.0
    #: ... read only once the channel has this much such speech (s); before, no cap.
    vad_usual_min_speech_s: float = 1.0
    #: The held peak stands at most this far over the usual speech peak (dB) once the fast hold
    #: has decayed.
    vad_peak_over_usual_db: float = 3.0
    vad_noise_window_s: float = 8.0
    vad_smooth_s: float = 0.05
    vad_onset_s: float = 0.05
    vad_hangover_s: float = 0.25
    vad_noise_steady_smooth_s: float = 0.5
    vad_steady_margin_db: float = 3.0
    vad_spread_factor: float = 2.0
    vad_voice_max_aperiodicity: float = 0.45
    #: Quiet speech next to speech (module notes; 0 = off, the default): once speech is
    #: confirmed, frames whose ``vad_smooth_s`` level stays over the steady floor by
    #: ``max(vad_sustain_margin_db, vad_spread_factor x spread)`` (and within ``vad_range_db``
    #: of the speech peak) continue it, for at most ``vad_sustain_max_s`` after the last frame
    #: over the other gates; up to ``vad_sustain_lookback_s`` of such frames right before a
    #: confirmed onset are speech too. Never starts speech, nor sustains while another channel
    #: talks; only changes ``speech`` (no pitch, no voicing, no nuclei on the frames it adds).
    #: Under noise that buries the quiet half of the voice it brings back word tails and onsets
    #: (bench_calls front end, GSM re loud: talk 0.62 -> 0.66 of the clean copy's, syllable
    #: rate ratio 1.15 -> 1.09); on a clean line little changes.
    vad_sustain: float = 0.0
    #: The sustain gate's least margin over the steady floor (dB); the spread term is larger
    #: under fluctuating noise.
    vad_sustain_margin_db: float = 1.5
    #: Longest run of sustained frames after the last frame over the other gates (s): bounds
    #: what a noise that rises after the floors were measured (gain control in a pause) or a
    #: held note's decay (hold music the gate already calls speech) adds. About a syllable;
    #: 0.25 and 0.5 s find the same talk on bench_calls' noisy copies, 0.5 s adds ~3x as much
    #: talk on a synthetic pad-chord hold (0.66 vs 0.09 s in 20 s, wideband).
    vad_sustain_max_s: float = 0.25
    #: How far before a confirmed onset sustained frames are taken back (s). Labels out of
    #: speech wait this long, inside the ~0.17 s the syllable-peak context delays frames anyway.
    vad_sustain_lookback_s: float = 0.12
    voicing_noise_share_max: float = 0.5
    #: Hangover for the voice the noise hides (module notes, "Word tails under noise"; 0 = off,
    #: the default), s per dB: after each voiced speech frame, speech continues over frames
    #: under every gate for this many seconds per dB of the speaker's range the noise hides at
    #: that frame (how far the lowest gate a voiced frame must cross stands over
    #: ``vad_range_db`` under the speech peak, the gate a noiseless line has), at most
    #: ``vad_masked_hangover_max_s``, then the usual ``vad_hangover_s``. On a clean line the
    #: range sets the gate and nothing changes; on noise alone nothing is voiced speech and
    #: nothing is added. Never starts speech, nor continues it while another channel talks;
    #: only changes ``speech`` (no pitch, voicing or nuclei on the frames it adds), and
    #: ``speech_heard`` keeps the labels without it for the detectors. At 0.03 (bench_calls
    #: front end, own turns): GSM re loud talk 0.71 -> 0.93 of the clean copy's, AMR re loud
    #: 0.64 -> 0.89, calm-ref 0.91 -> 0.97 / 0.99, clean and G.711 copies within 0.02 of before;
    #: syllable-rate ratio 1.15 / 1.18 -> 0.88 / 0.88 (male voices 0.79 / 0.76); 0 s of talk
    #: on 12 s of each line's noise alone; every detector cell identical (it reads
    #: ``speech_heard``). 0 here (the front end used alone: mono diarization, live
    #: separation); a call's analysis turns it on at 0.03 (``models.tone.config.CALL_FEATURES``,
    #: session 20, after the recorded analysis won back more CPU than it costs; live step
    #: x1.02-1.04 of the start's default; docs/benchmarks.md, sessions 18 and 20).
    vad_masked_hangover_s_per_db: float = 0.0
    #: The most that hangover adds after a voiced frame (s).
    vad_masked_hangover_max_s: float = 0.5
    #: A frame grants that hangover when it is speech over the gates and its YIN aperiodicity,
    #: less the steady noise's expected share (as for ``voicing_max_aperiodicity``), is at
    #: most this: the relaxed gate's "shows a voice" (``vad_voice_max_aperiodicity``) rather
    #: than the stricter voicing decision, which misses many of a low voice's frames under noise.
    vad_masked_voice_max_aperiodicity: float = 0.45
    crosstalk_margin_db: float = 18.0
    nucleus_prominence_db: float = 3.0
    nucleus_min_gap_s: float = 0.14
    nucleus_context_s: float = 0.15
    #: The syllable rate's time base (module notes, "Syllable rate under noise"; 0 = off, the
    #: default: nuclei per second of heard speech). Over 0, the rate is read over the
    #: intervals between consecutive nuclei inside one stretch of heard speech, each at most
    #: this long (s; a longer one holds a pause or a syllable lost, not the pace): an
    #: articulation rate (:class:`NucleusIntervals`), which does not move when a noisy line
    #: hides the quiet, nucleus-poor onsets and tails of words. Changes no frame: only the
    #: ``syllable_rate_per_s`` a call's metrics report (the detectors' pace reads nuclei over
    #: heard speech as before). At 0.5 (bench_calls front end, syllable-rate ratio nb/clean):
    #: AMR re loud 1.17 -> 1.03, GSM re loud 1.15 -> 1.03 (docs/benchmarks.md, session 21). 0
    #: here (the front end used alone); a call's analysis reads it at 0.5
    #: (``models.tone.config.CALL_FEATURES``).
    syllable_interval_max_s: float = 0.0

    def __post_init__(self) -> None:
        if self.sample_rate_hz <= 0 or self.hop_s <= 0:
            raise ParameterError("sample_rate_hz and hop_s must be positive")
        if self.alpha_ratio and not (
            self.band_high_hz > 0 and self.alpha_low_hz < self.alpha_split_hz < self.band_high_hz
        ):
            raise ParameterError("alpha_ratio needs alpha_low_hz < alpha_split_hz < band_high_hz")
        if self.frame_length_s > self.pitch_frame_length_s:
            raise ParameterError(
                "frame_length_s must not exceed pitch_frame_length_s: the loudness window sits "
                "inside the pitch window"
            )
        if self.sample_rate_hz % self.pitch_sample_rate_hz:
            raise ParameterError(
                "pitch_sample_rate_hz must divide sample_rate_hz (e.g. 8000 for 16000); "
                f"got {self.pitch_sample_rate_hz} and {self.sample_rate_hz}"
            )
        if self.vad_peak_follow > 0 and not self.vad_usual_level_tau_s > self.hop_s:
            raise ParameterError(
                "vad_usual_level_tau_s must exceed hop_s (the usual level's time constant); "
                f"got {self.vad_usual_level_tau_s}"
            )
        if self.syllable_interval_max_s < 0:
            raise ParameterError(
                "syllable_interval_max_s must be 0 (off) or positive; "
                f"got {self.syllable_interval_max_s}"
            )
        if not 0 < self.pitch_fmin_hz < self.pitch_fmax_hz < self.pitch_sample_rate_hz / 2:
            raise ParameterError(
                "need 0 < pitch_fmin_hz < pitch_fmax_hz < sample_rate_hz / 2; "
                f"got {self.pitch_fmin_hz}, {self.pitch_fmax_hz}"
            )

    @property
    def hop(self) -> int:
        return round(self.hop_s * self.sample_rate_hz)

    @property
    def pitch_window(self) -> int:
        return round(self.pitch_frame_length_s * self.sample_rate_hz)

    @property
    def loudness_window(self) -> int:
        return round(self.frame_length_s * self.sample_rate_hz)

    def frames(self, seconds: float) -> int:
        """Whole number of hops in ``seconds`` (at least 1)."""
        return max(1, round(seconds / self.hop_s))

    def frame_time_s(self, index: np.ndarray | int) -> np.ndarray | float:
        """Centre time (s) of frame ``index``."""
        return (np.asarray(index) * self.hop + self.pitch_window / 2) / self.sample_rate_hz

    def to_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass
class ChannelFrames:
    """Finished frames of one channel (all arrays shape ``(n_frames,)``)."""

    loudness_dbfs: np.ndarray
    f0_hz: np.ndarray
    voiced: np.ndarray
    speech: np.ndarray
    nucleus: np.ndarray
    tilt_db: np.ndarray
    hnr_db: np.ndarray
    band_hnr_db: np.ndarray
    #: With ``FeatureOptions.vad_masked_hangover_s_per_db``: the speech labels without that
    #: hangover (the plain gate's, which ``speech`` only adds to); None when it is off (then
    #: they are ``speech``). The detectors, baselines and turns read these; the talk time
    #: reads ``speech``.
    speech_heard: np.ndarray | None = None
    #: ``FeatureOptions.alpha_ratio``'s alpha ratio (dB); zeros when not given.
    alpha_db: np.ndarray = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.alpha_db is None:
            self.alpha_db = np.zeros(self.loudness_dbfs.shape, np.float32)

    @property
    def heard(self) -> np.ndarray:
        """The speech labels without the masked hangover (``speech`` when it is off)."""
        return self.speech if self.speech_heard is None else self.speech_heard

    @classmethod
    def empty(cls) -> ChannelFrames:
        return cls(
            np.zeros(0, np.float32),
            np.zeros(0, np.float32),
            np.zeros(0, bool),
            np.zeros(0, bool),
            np.zeros(0, bool),
            np.zeros(0, np.float32),
            np.zeros(0, np.float32),
            np.zeros(0, np.float32),
        )

    def __len__(self) -> int:
        return int(self.loudness_dbfs.shape[0])


@dataclass
class FrameBlock:
    """Finished frames of every channel, aligned on one time grid.

    Attributes
    ----------
    start_index : int
        Index of the first frame in the block since the start of the stream.
    times_s : np.ndarray, shape (n_frames,)
        Centre time of each frame in seconds from the start.
    channels : list of ChannelFrames
        One per input channel, each ``n_frames`` long.
    """

    start_index: int
    times_s: np.ndarray
    channels: list[ChannelFrames] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.times_s.shape[0])


# --------------------------------------------------------------------------------------------
# YIN


def yin(
    frames: np.ndarray,
    *,
    sr_hz: int,
    fmin_hz: float,
    fmax_hz: float,
    trough_threshold: float = 0.1,
    subharmonic_ratio: float = 0.0,
    subharmonic_min_drop: float = 0.03,
    spectra_out: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """YIN pitch of each row of ``frames``, plus the depth of its dip.

    Parameters
    ----------
    frames : np.ndarray, shape (n_frames, frame_length)
        Windows of one signal. The integration window is ``frame_length // 2`` as in librosa.
    sr_hz, fmin_hz, fmax_hz : numbers
        Sample rate and pitch search range, Hz.
    trough_threshold : float
        First dip of the cumulative-mean-normalised difference below this is taken (librosa's
        default 0.1); otherwise the global minimum.
    subharmonic_ratio : float
        Missing-fundamental check (0 disables it). Telephone audio has no energy under 300 Hz,
        so a 110 Hz voice keeps only its 2nd, 3rd, ... harmonics and the difference function
        dips at half (or a third of) the true period as well as at the period. The true period
        aligns *every* harmonic, so its dip is the deeper one: when the dip at 2x or 3x the
        chosen lag is below ``subharmonic_ratio`` times the chosen dip, that multiple is taken.
        A genuinely periodic frame has about the same dip at twice its period (never much
        deeper), so a ratio well under 1 leaves it alone.
    subharmonic_min_drop : float
        ...and the multiple's dip must also be this much deeper in absolute terms (on a clean
        periodic frame both dips are ~0 and their ratio is noise).
    spectra_out : list, optional
        The rows' real FFTs (rectangular window, shape ``(n_frames, frame_length // 2 + 1)``,
        complex64), computed here anyway, are appended to it (the DTMF check reads them).

    Returns
    -------
    f0_hz : np.ndarray, shape (n_frames,)
    aperiodicity : np.ndarray, shape (n_frames,)
        The normalised difference at the chosen lag: ~0 for a clean periodic frame, ~1 for noise.
    """
    n, frame_length = frames.shape
    if n == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.float32)
    win = frame_length // 2
    min_period = max(int(np.floor(sr_hz / fmax_hz)), 1)
    max_period = min(int(np.ceil(sr_hz / fmin_hz)), frame_length - win - 1)
    if max_period <= min_period + 1:
        raise ParameterError(
            f"pitch window of {frame_length} samples is too short for fmin_hz={fmin_hz}; "
            "raise pitch_frame_length_s or pitch_fmin_hz"
        )
    x = frames.astype(np.float32, copy=False)
    # The frames' and their reversed first halves' real FFTs (each row is transformed on its
    # own, so batching does not change a bit); the product is formed in the second's array.
    rev = np.zeros((n, frame_length), np.float32)
    rev[:, :win] = x[:, win:0:-1]
    spec = _rfft_rows(x)
    if spectra_out is not None:
        spectra_out.append(spec)
    n_lags = max_period + 1
    prod = _rfft_rows(rev)
    np.multiply(spec, prod, out=prod)
    acf = _irfft_rows(prod, frame_length)[:, win : win + n_lags]
    # Energy of each lagged window from one running sum per frame: the float32 squares in
    # float64, summed in place (a running sum adds in order along its axis whatever the layout;
    # in place spares a fresh block, whose page faults cost more than the additions here).
    csq = np.square(x[:, : win + n_lags]).astype(np.float64)
    np.add.accumulate(csq, axis=1, out=csq)
    energy = csq[:, win:] - csq[:, :n_lags]
    diff = energy[:, :1] + energy - 2.0 * acf
    diff[:, 0] = 0.0
    np.maximum(diff, 0.0, out=diff)
    num = diff[:, min_period : max_period + 1]
    cum_mean = np.add.accumulate(diff[:, 1 : max_period + 1], axis=1)
    cum_mean /= _lag_counts(max_period)
    den = cum_mean[:, min_period - 1 : max_period]
    cmnd = num / (den + 1e-12)

    left, mid, right = cmnd[:, :-2], cmnd[:, 1:-1], cmnd[:, 2:]
    is_trough = np.empty(cmnd.shape, dtype=bool)
    np.less_equal(mid, left, out=is_trough[:, 1:-1])
    is_trough[:, 1:-1] &= mid < right
    np.less(cmnd[:, 0], cmnd[:, 1], out=is_trough[:, 0])
    is_trough[:, -1] = False
    below = is_trough & (cmnd < trough_threshold)
    rows = np.arange(n)
    first_below = np.argmax(below, axis=1)
    has_below = below[rows, first_below]
    global_min = np.argmin(cmnd, axis=1)
    tau = np.where(has_below, first_below, global_min)
    if subharmonic_ratio > 0:
        # Compared on the raw difference over twice the frame energy, not on the cumulative-mean
        # normalised one: that normalisation shrinks every dip at a longer lag, so a perfectly
        # periodic frame would look "deeper" at 2x or 3x its period.
        depth = num / (2.0 * energy[:, :1] + 1e-12)
        with np.errstate(divide="ignore", invalid="ignore"):  # flat parabolas in its dips
            tau = _prefer_subharmonic(
                depth, tau, min_period, ratio=subharmonic_ratio, min_drop=subharmonic_min_drop
            )
    # Parabolic interpolation of the dip position at the chosen lag (no shift at the ends of
    # the lag range, nor where the parabola is flat or undefined).
    k = np.minimum(np.maximum(tau, 1), cmnd.shape[1] - 2)
    around = cmnd[rows[:, None], k[:, None] + _NEIGHBOURS]
    lo, at, hi = around[:, 0], around[:, 1], around[:, 2]
    a2 = hi + lo - 2.0 * at
    b2 = (hi - lo) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        shift = np.where((np.abs(b2) < np.abs(a2)) & (k == tau), -b2 / a2, 0.0)
    period = min_period + tau + shift
    f0 = sr_hz / period
    aperiodicity = cmnd[rows, tau]
    return f0.astype(np.float32), np.minimum(np.maximum(aperiodicity, 0.0), 1.0).astype(np.float32)


#: Column offsets of a lag's neighbours (the lag before, itself, the lag after).
_NEIGHBOURS = np.array([-1, 0, 1])


@functools.lru_cache(maxsize=8)
def _lag_counts(max_period: int) -> np.ndarray:
    """``1 .. max_period`` as float64 (the divisors of YIN's cumulative mean), read-only."""
    out = np.arange(1, max_period + 1, dtype=np.float64)
    out.flags.writeable = False
    return out


def _rfft_rows(x: np.ndarray) -> np.ndarray:
    """``scipy.fft.rfft(x, axis=1)`` through pocketfft directly (the same transform to the
    bit; scipy.fft's dispatch costs more than a live step's few short rows)."""
    if _POCKETFFT is None:
        return np.asarray(scipy.fft.rfft(x, axis=1))
    return np.asarray(_POCKETFFT.r2c(x, (1,), True, 0, None, 1))


def _irfft_rows(x: np.ndarray, n: int) -> np.ndarray:
    """``scipy.fft.irfft(x, n=n, axis=1)`` of ``n // 2 + 1`` complex columns, as
    :func:`_rfft_rows` (normalised by ``1 / n``)."""
    if _POCKETFFT is None:
        return np.asarray(scipy.fft.irfft(x, n=n, axis=1))
    return np.asarray(_POCKETFFT.c2r(x, (1,), n, False, 2, None, 1))


def _prefer_subharmonic(
    cmnd: np.ndarray, tau: np.ndarray, min_period: int, *, ratio: float, min_drop: float
) -> np.ndarray:
    """Move each frame's chosen lag index to 3x or 2x its period where that dip is deeper.

    ``cmnd`` is ``(n, n_lags)`` dip depths (the raw difference over twice the frame energy)
    with lag index ``i`` meaning period ``min_period + i``. Each multiple's dip is the minimum
    over +-1 lag (the multiple of a fractional period).
    """
    n, n_lags = cmnd.shape
    # The dips at the chosen lag and at its 3x and 2x multiples, found in one pass.
    at = (_MULTIPLE_ROWS * (min_period + tau) - min_period).ravel()
    m, val = _dips(cmnd, np.arange(3 * n) % n, at)
    inside = at + 1 < n_lags
    here = val[:n]
    under_ratio, under_drop = ratio * here, here - min_drop
    best = tau
    best_val = here
    for j in (1, 2):  # 3x, then 2x
        sl = slice(j * n, (j + 1) * n)
        v = val[sl]
        take = inside[sl] & (v < under_ratio) & (v <= under_drop) & (v < best_val)
        best = np.where(take, m[sl], best)
        best_val = np.where(take, v, best_val)
    return best


#: The period multiples :func:`_prefer_subharmonic` looks at, as rows: the chosen lag, 3x, 2x.
_MULTIPLE_ROWS = np.array([[1], [3], [2]])


def _dips(cmnd: np.ndarray, rows: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each ``(rows[i], idx[i])``: the lowest integer lag of ``idx-1 .. idx+1`` (clipped to
    the lag range) and the minimum of the parabola through it and its neighbours: the dip
    between integer lags (a period is rarely a whole number of samples, and at high harmonics
    that costs the shorter lag more than a multiple)."""
    n_lags = cmnd.shape[1]
    r = rows[:, None]
    c = np.minimum(np.maximum(idx, 1), n_lags - 2)
    j = np.argmin(cmnd[r, c[:, None] + _NEIGHBOURS], axis=1)
    m = np.minimum(np.maximum(c - 1 + j, 1), n_lags - 2)
    y = cmnd[r, m[:, None] + _NEIGHBOURS]
    ym, y0, yp = y[:, 0], y[:, 1], y[:, 2]
    curv = yp + ym - 2.0 * y0
    low = np.where(curv > 0, y0 - (yp - ym) ** 2 / (8.0 * curv), y0)
    return m, np.maximum(low, 0.0)


# --------------------------------------------------------------------------------------------
# Speech gate (hysteresis over a raw energy decision)


class SpeechGate:
    """Onset/hangover hysteresis: runs shorter than the thresholds do not flip the state.

    A speech run must last ``onset_frames`` to start speech; a pause must last
    ``hangover_frames`` to end it. Labels come out as soon as they are certain, in order.
    """

    def __init__(
        self,
        *,
        onset_frames: int,
        hangover_frames: int,
        sustain_max_frames: int = 0,
        lookback_frames: int = 0,
    ) -> None:
        self.onset_frames = onset_frames
        self.hangover_frames = hangover_frames
        self.sustain_max_frames = sustain_max_frames
        self.lookback_frames = lookback_frames
        self.in_speech = False
        self._pending = 0  # frames of a run that contradicts the state, not yet decided
        # With sustained frames (push's ``weak``): frames of the current run of raw frames
        # (out of speech the onset run so far; the ``_pending`` frames are it and up to
        # ``lookback_frames`` before it) and sustained frames since the last run of raw frames
        # as long as an onset (in speech).
        self._raw_run = 0
        self._weak_n = 0

    def push(self, raw: np.ndarray, weak: np.ndarray | None = None) -> np.ndarray:
        """Labels of the frames decided by this block (in order, possibly some of earlier
        blocks). ``weak`` (``FeatureOptions.vad_sustain``): frames that continue speech but
        never start it (see :meth:`_push_sustained`)."""
        if weak is not None:
            return self._push_sustained(raw, weak)
        out: list[np.ndarray] = []
        if raw.size == 0:
            return np.zeros(0, bool)
        if not self._pending and (raw.all() if self.in_speech else not raw.any()):
            # The whole block agrees with the state (most blocks): it keeps it, i.e. the labels
            # are the block itself.
            return raw.astype(bool, copy=True)
        change = np.flatnonzero(np.diff(raw.astype(np.int8))) + 1
        starts = np.concatenate(([0], change))
        ends = np.concatenate((change, [raw.size]))
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            val = bool(raw[s])
            length = e - s
            if val == self.in_speech:
                if self._pending:
                    # The contradicting run ended short: it takes the current state.
                    out.append(np.full(self._pending, self.in_speech))
                    self._pending = 0
                out.append(np.full(length, self.in_speech))
                continue
            need = self.hangover_frames if self.in_speech else self.onset_frames
            total = self._pending + length
            if total >= need:
                self.in_speech = val
                out.append(np.full(total, val))
                self._pending = 0
            else:
                self._pending = total
        return np.concatenate(out) if out else np.zeros(0, bool)

    def _push_sustained(self, raw: np.ndarray, weak: np.ndarray) -> np.ndarray:
        """The gate with sustained frames (``weak``). In speech, a run of them right after
        speech frames continues it, up to ``sustain_max_frames`` since the last run of raw
        frames as long as an onset; past that (or once a pause has begun) they are a pause,
        and so is a run of raw frames shorter than an onset, until speech is confirmed again
        by such a run (a noise that rose in the pause and crosses the gates now and then does
        not keep the speaker talking). Out of speech they never count towards an onset, but up
        to ``lookback_frames`` of them (and of raw frames) right before a confirmed onset are
        speech. Decided frame by frame, so the labels do not depend on the chunking; with no
        weak frame and ``lookback_frames`` 0 they are those of :meth:`push` without
        ``weak``."""
        if raw.size == 0:
            return np.zeros(0, bool)
        r = raw.astype(bool, copy=False)
        if not self._pending:
            if self.in_speech and not self._sustain_spent() and r.all():
                self._raw_run += r.size
                if self._raw_run >= self.onset_frames:
                    self._weak_n = 0
                return r.copy()
            if not self.in_speech and not (r.any() or weak.any()):
                return r.copy()
        w = np.asarray(weak, bool) & ~r
        v = r.astype(np.int8) * 2 + w
        change = np.flatnonzero(np.diff(v)) + 1
        starts = np.concatenate(([0], change)).tolist()
        ends = np.concatenate((change, [v.size])).tolist()
        out: list[np.ndarray] = []
        for s, e in zip(starts, ends, strict=True):
            val, left = int(v[s]), e - s
            while left:
                left -= self._sustained_run(val, left, out)
        return np.concatenate(out) if out else np.zeros(0, bool)

    def _sustain_spent(self) -> bool:
        return 0 < self.sustain_max_frames <= self._weak_n

    def _pause(self, length: int, out: list[np.ndarray]) -> int:
        """``length`` frames of a pause in speech: how many were taken (up to the one that
        completes the hangover, which ends speech)."""
        need = self.hangover_frames - self._pending
        if need <= length:
            out.append(np.zeros(self._pending + need, bool))
            self._pending = 0
            self._raw_run = 0
            self.in_speech = False
            return need
        self._pending += length
        return length

    def _sustained_run(self, val: int, length: int, out: list[np.ndarray]) -> int:
        """The first frames of a run of ``length`` frames of kind ``val`` (0 under every gate,
        1 sustained, 2 raw) up to the next change of state; returns how many were taken."""
        if self.in_speech:
            if val == 2:
                if self._sustain_spent():
                    need = self.onset_frames - self._raw_run
                    if need > length or self.hangover_frames - self._pending < need:
                        taken = self._pause(min(length, need - 1), out)
                        if self.in_speech:
                            self._raw_run += taken
                        return taken
                    length = need  # confirmed again: these frames and the pause are speech
                out.append(np.ones(self._pending + length, bool))
                self._pending = 0
                self._raw_run += length
                if self._raw_run >= self.onset_frames:
                    self._weak_n = 0
                return length
            self._raw_run = 0
            if val == 1 and not self._pending and self._weak_n < self.sustain_max_frames:
                k = min(length, self.sustain_max_frames - self._weak_n)
                out.append(np.ones(k, bool))
                self._weak_n += k
                return k
            return self._pause(length, out)
        if val == 0:
            out.append(np.zeros(self._pending + length, bool))
            self._pending = 0
            self._raw_run = 0
            return length
        if val == 1:
            self._raw_run = 0
            total = self._pending + length
            keep = min(total, self.lookback_frames)
        else:
            need = self.onset_frames - self._raw_run
            if need <= length:
                self.in_speech = True
                out.append(np.ones(self._pending + need, bool))
                self._pending = 0
                self._raw_run += need
                self._weak_n = 0
                return need
            self._raw_run += length
            total = self._pending + length
            keep = min(total, self.lookback_frames + self._raw_run)
        if total > keep:
            out.append(np.zeros(total - keep, bool))
        self._pending = keep
        return length

    def flush(self) -> np.ndarray:
        """End of stream: a pending run is too short to flip the state."""
        out = np.full(self._pending, self.in_speech)
        self._pending = 0
        self._raw_run = 0
        return out


# --------------------------------------------------------------------------------------------
# Per-channel front end


@dataclass
class _RawFrames:
    """Raw frames of every channel from the front end, each array shape (channels, n)."""

    loudness_dbfs: np.ndarray
    gate_dbfs: np.ndarray  # speech needs a level above this (noise floor, speech range)
    energetic: np.ndarray  # over the strict gate, or over the steady-noise one with a voice
    f0_hz: np.ndarray
    aperiodicity: np.ndarray
    tilt_db: np.ndarray
    voicing_aperiodicity: np.ndarray  # less the steady noise's expected share (module notes)
    band_aperiodicity: np.ndarray  # normalised difference at the period, telephone band
    alpha_db: np.ndarray  # alpha ratio of the band signal (0 unless FeatureOptions.alpha_ratio)
    # vad_sustain: frames not energetic whose smoothed level is over the sustain gate (module
    # notes, "Quiet speech next to speech"); None when the switch is off.
    sustain: np.ndarray | None = None
    # vad_masked_hangover_s_per_db: dB of the speaker's range under the lowest gate (module
    # notes, "Word tails under noise"); None when the switch is off.
    masked_db: np.ndarray | None = None


@functools.lru_cache(maxsize=16)
def _butter_design(
    order: int, wn: float | tuple[float, float], btype: str, fs: float | None
) -> np.ndarray:
    sos = scipy.signal.butter(
        order, wn if isinstance(wn, float) else list(wn), btype=btype, fs=fs, output="sos"
    )
    sos.setflags(write=False)
    return sos


def _butter_sos(
    order: int, wn: float | tuple[float, float], btype: str, fs: float | None
) -> np.ndarray:
    """``scipy.signal.butter(..., output="sos")``, designed once per process for each setting
    (a front end is made for every call: the designs cost ~25 ms of a 10-minute call's
    analysis) and returned as a fresh copy."""
    return _butter_design(order, wn, btype, fs).copy()


#: Longest piece of samples the front end is given at once (:meth:`FeatureStream.push`).
_FRONT_PIECE_SAMPLES = 32_000


def _concat_raw(parts: list[_RawFrames]) -> _RawFrames:
    """The front end's frames of consecutive pushes as one :class:`_RawFrames`."""
    # A piece that finished no frame adds none (its empty record leaves the optional arrays
    # None whatever the options).
    parts = [p for p in parts if p.loudness_dbfs.shape[1]] or parts[:1]
    if len(parts) == 1:
        return parts[0]
    out: dict[str, Any] = {}
    for f in fields(_RawFrames):
        vals = [getattr(p, f.name) for p in parts]
        out[f.name] = None if vals[0] is None else np.concatenate(vals, axis=1)
    return _RawFrames(**out)


_FIXED_POINT = float(2**32)


def _window_means(
    energy: np.ndarray, *, first_start: int, hop: int, n: int, length: int
) -> np.ndarray:
    """Mean of each row of ``energy`` over ``[first_start + i * hop, ... + length)``, i < n.

    ``energy`` is ``(k, samples)``; the result is ``(k, n)``. Every window's sum must not depend
    on where the buffer began: the same audio chunked differently must give bit-identical frames.
    When the window, hop and offset share a block size, sums are built from per-block sums added
    in a fixed order (fast); otherwise a 64-bit fixed-point running sum keeps them exact.
    """
    block = math.gcd(length, hop, first_start)
    starts = first_start + np.arange(n) * hop
    if block >= 8:
        n_blocks = (int(starts[-1]) + length) // block
        k = energy.shape[0]
        sums = energy[:, : n_blocks * block].reshape(k, n_blocks, block).sum(axis=2)
        per = length // block
        idx = (starts // block)[:, None] + np.arange(per)[None, :]
        return np.asarray(sums[:, idx].sum(axis=2) / length)
    q = np.rint(energy * _FIXED_POINT).astype(np.int64)
    cs = np.concatenate((np.zeros((energy.shape[0], 1), np.int64), np.cumsum(q, axis=1)), axis=1)
    return np.asarray((cs[:, starts + length] - cs[:, starts]) / (_FIXED_POINT * length))


class FrontEnd:
    """Samples of every channel in; raw per-frame loudness, speech-gate level and pitch out.

    All channels advance on the same sample count, so each step runs once on
    ``(channels, samples)`` arrays (a 20 ms live step costs the numpy call overhead once, not
    once per channel); every number of a channel is computed exactly as for that channel alone.
    """

    def __init__(self, options: FeatureOptions, n_channels: int) -> None:
        self.o = options
        self.n_channels = n_channels
        self._buf = np.zeros((n_channels, 0), np.float32)
        # The sample just before each channel's _buf[0] (after the band filter), for differences.
        self._prev_sample = np.zeros((n_channels, 1))
        # Pitch runs on a decimated copy: voice F0 needs no more than 4 kHz of band and YIN's
        # cost scales with the window length. The anti-alias filter carries its state across
        # chunks, so chunking does not change a single sample.
        self._decim = options.sample_rate_hz // options.pitch_sample_rate_hz
        self._sos = _butter_sos(8, 0.9 / self._decim, "lowpass", None) if self._decim > 1 else None
        # Filter states in the layout of _sosfilt_rows: (channels, sections, 2).
        self._zi = np.zeros((n_channels, self._sos.shape[0], 2)) if self._sos is not None else None
        self._phase = 0  # samples seen modulo the decimation factor
        self._pbuf = np.zeros((n_channels, 0), np.float32)
        # Sample offsets of a pitch window's decimated samples from the window start.
        self._pitch_offsets = np.arange(0, options.pitch_window, self._decim)
        # Loudness, tilt and the speech gate see the telephone band only (300-3400 Hz by
        # default), so a wideband recording and its narrowband copy give the same numbers.
        self._band_sos = (
            _butter_sos(
                2,
                (options.band_low_hz, options.band_high_hz),
                "bandpass",
                options.sample_rate_hz,
            )
            if options.band_high_hz > 0
            else None
        )
        self._band_zi = (
            np.zeros((n_channels, self._band_sos.shape[0], 2))
            if self._band_sos is not None
            else None
        )
        self._bbuf = np.zeros((n_channels, 0), np.float64)
        # alpha_ratio: the band signal's low and high parts (rows: low of every channel, then
        # high), their filters' states and their samples just before _sbuf[:, 0].
        self._split: list[tuple[np.ndarray, np.ndarray]] = []
        if options.alpha_ratio:
            lo, mid, hi = options.alpha_low_hz, options.alpha_split_hz, options.band_high_hz
            for edges in ((lo, mid), (mid, hi)):
                sos = _butter_sos(
                    options.alpha_filter_order, edges, "bandpass", options.sample_rate_hz
                )
                self._split.append((sos, np.zeros((n_channels, sos.shape[0], 2))))
        self._sbuf = np.zeros((2 * n_channels, 0), np.float64)
        self._smooth_n = options.frames(options.vad_smooth_s)
        self._floor_n = options.frames(options.vad_noise_window_s) | 1
        self._power_hist = np.zeros((n_channels, self._smooth_n - 1), np.float64)
        half = self._floor_n // 2
        # Both floors' histories, stacked (short floor rows, then steady floor rows), as
        # measured and over the frames that are not digital silence (_floor_evidence).
        self._floors_hist = np.full((4 * n_channels, 2 * half), np.inf)
        # The steady-noise floor (module notes): a longer smoothing, the same trailing minimum.
        self._steady_n = options.frames(options.vad_noise_steady_smooth_s)
        self._steady_hist = np.zeros((n_channels, self._steady_n - 1), np.float64)
        self._peak_lifted = np.full((n_channels, 1), -np.inf)
        # vad_peak_follow: the fast hold (lifted as the held peak's), the usual level's
        # exponential mean (its filter state from 0) and the speech frames it has seen.
        self._fast_lifted = np.full((n_channels, 1), -np.inf)
        self._usual_zi = np.zeros(n_channels)
        self._usual_n = np.zeros(n_channels, np.int64)
        # Frames since the last digital silence (see _floor_evidence; none before the stream).
        self._since_silent = np.full(n_channels, _NO_SILENCE_YET, np.int64)
        self._music = (
            MusicGate(_music_settings(options), n_channels)
            if options.music_min_held_share > 0
            else None
        )
        self.frames_done = 0

    def _take(self, x: np.ndarray) -> None:
        """Append ``(channels, n)`` samples to the sample, band and decimated buffers."""
        self._buf = np.concatenate((self._buf, x), axis=1)
        if self._band_sos is not None and self._band_zi is not None:
            banded = _sosfilt_rows(self._band_sos, x, self._band_zi)
            self._bbuf = np.concatenate((self._bbuf, banded), axis=1)
        if self._sos is None or self._zi is None:
            decimated = x
        else:
            filtered = _sosfilt_rows(self._sos, x, self._zi)
            first = (-self._phase) % self._decim
            self._phase = (self._phase + x.shape[1]) % self._decim
            decimated = np.asarray(filtered[:, first :: self._decim], dtype=np.float32)
        self._pbuf = np.concatenate((self._pbuf, decimated), axis=1)
        if self._split:
            parts = [_sosfilt_rows(sos, x, zi) for sos, zi in self._split]
            self._sbuf = np.concatenate((self._sbuf, np.concatenate(parts)), axis=1)

    def _followed_peak(
        self,
        sm_db: np.ndarray,
        loud: np.ndarray,
        held: np.ndarray,
        floor: np.ndarray,
        g: np.ndarray,
    ) -> np.ndarray:
        """The speech level the range gate reads under with ``vad_peak_follow`` (module notes,
        "Speech level after a shout"), ``(channels, n)``: ``max(fast, min(held, usual +
        vad_peak_over_usual_db))``.

        ``fast`` is a peak hold of the smoothed level ``sm_db`` decaying at
        ``vad_peak_fast_decay_db_per_s``, and ``usual`` the speaker's usual speech peak: an
        exponential mean (dB, time constant ``vad_usual_level_tau_s`` of speech; bias-corrected,
        so its first seconds are the plain mean) of ``fast`` over the frames whose level ``loud``
        is over the strict gate of the held peak ``held`` (what is speech without the switch),
        carried across pushes. Until a channel has ``vad_usual_min_speech_s`` of such frames
        there is no cap (the held peak, as without the switch).
        """
        o = self.o
        d = o.vad_peak_fast_decay_db_per_s * o.hop_s
        lifted = np.maximum.accumulate(
            np.concatenate((self._fast_lifted, sm_db + d * g), axis=1), axis=1
        )
        self._fast_lifted = lifted[:, -1:].copy()
        fast = lifted[:, 1:] - d * g
        strict = np.maximum(
            np.maximum(floor + o.vad_snr_db, held - o.vad_range_db), o.vad_min_level_dbfs
        )
        speech = loud > strict
        a = o.hop_s / o.vad_usual_level_tau_s
        need = o.frames(o.vad_usual_min_speech_s)
        n0 = self._usual_n
        # The mean carried in (m / (1 - (1 - a)^n0) of the filter's m = zi / (1 - a)); no cap
        # until ``need`` speech frames.
        carried = np.where(
            n0 >= need,
            self._usual_zi / (1.0 - a) / (1.0 - (1.0 - a) ** np.maximum(n0, 1)),
            np.inf,
        )
        count = speech.sum(axis=1)
        if not count.any():
            return np.maximum(fast, np.minimum(held, carried[:, None] + o.vad_peak_over_usual_db))
        # Each channel's speech frames in order, left-aligned (rows padded past their count),
        # through m_k = (1 - a) m_(k-1) + a x_k from the carried state: one call for every row.
        width = int(count.max())
        rows = np.arange(speech.shape[0])[:, None]
        x = fast[rows, np.argsort(~speech, axis=1, kind="stable")[:, :width]]
        b_coef, a_coef, zi = np.array([a]), np.array([1.0, a - 1.0]), self._usual_zi[:, None]
        if _LFILTER_KERNEL is not None:
            y = _LFILTER_KERNEL(b_coef, a_coef, x, 1, zi)[0]
        else:  # pragma: no cover
            y = scipy.signal.lfilter(b_coef, a_coef, x, axis=1, zi=zi)[0]
        last = y[rows[:, 0], np.maximum(count - 1, 0)]
        # The filter's own state after a row's last speech frame (b1 x - a1 y with b1 = 0).
        self._usual_zi = np.where(count > 0, -((a - 1.0) * last), self._usual_zi)
        k = n0[:, None] + 1 + np.arange(width)
        mean = np.where(k >= need, y / (1.0 - (1.0 - a) ** k), np.inf)
        self._usual_n = n0 + count
        # Each frame reads the mean as of its channel's latest speech frame (the carried mean
        # before the first).
        pos = np.cumsum(speech, axis=1) - 1
        usual = np.where(pos >= 0, mean[rows, np.maximum(pos, 0)], carried[:, None])
        return np.maximum(fast, np.minimum(held, usual + o.vad_peak_over_usual_db))

    def push(self, samples: np.ndarray, *, final: bool = False) -> _RawFrames:
        """``(channels, n)`` float32 samples in, the frames they finished out (``final``: the
        end of the stream, ``samples`` ignored)."""
        o = self.o
        x = samples
        if final:
            # Pad so every sample lies in some frame's loudness window centre.
            started = self._buf.shape[1] or self.frames_done
            x = np.zeros((self.n_channels, o.pitch_window // 2 if started else 0), np.float32)
        if x.shape[1]:
            self._take(x)
        W, hop = o.pitch_window, o.hop
        size = self._buf.shape[1]
        n = 0 if size < W else (size - W) // hop + 1
        if n == 0:
            e = np.zeros((self.n_channels, 0), np.float32)
            return _RawFrames(e, e, np.zeros((self.n_channels, 0), bool), e, e, e, e, e, e)
        # Loudness: RMS of the middle loudness window via a cumulative sum of squares.
        lw = o.loudness_window
        off = (W - lw) // 2
        src = self._bbuf if self._band_sos is not None else self._buf
        seg64 = src[:, : (n - 1) * hop + W].astype(np.float64, copy=False)
        # Spectral tilt as a vocal-effort cue: energy of the first difference over the energy
        # of the signal (a raised voice puts more energy in the upper harmonics), in dB. The
        # samples and their first difference, squared in place: rows (channels, then diffs).
        ch = self.n_channels
        # alpha_ratio: two more rows per channel, the band's low and high parts (_sbuf).
        sq = np.empty(((4 if self._split else 2) * ch, seg64.shape[1]))
        sq[:ch] = seg64
        np.subtract(seg64[:, :1], self._prev_sample, out=sq[ch : 2 * ch, :1])
        np.subtract(seg64[:, 1:], seg64[:, :-1], out=sq[ch : 2 * ch, 1:])
        if self._split:
            sq[2 * ch :] = self._sbuf[:, : seg64.shape[1]]
        np.square(sq, out=sq)
        means = _window_means(sq, first_start=off, hop=hop, n=n, length=lw)
        power, dpower = means[:ch], means[ch : 2 * ch]
        loud = 10.0 * np.log10(np.maximum(power, 1e-12))
        loud = np.maximum(loud, SILENCE_DBFS)
        tilt = 10.0 * np.log10(np.maximum(dpower, 1e-12) / np.maximum(power, 1e-12))
        if self._split:
            # The alpha ratio: the band's power over alpha_split_hz over its power under it.
            alpha = 10.0 * np.log10(
                np.maximum(means[3 * ch :], 1e-12) / np.maximum(means[2 * ch : 3 * ch], 1e-12)
            ).astype(np.float32)
        else:
            alpha = np.zeros((ch, n), np.float32)
        # Noise floor: trailing minimum of the trailing-mean power, in dB. The mean is over the
        # frames seen so far at the start of the stream (the history before the first frame is
        # no audio, not silence: averaging it in as zeros put the first frames' smoothed level,
        # and with it the floor for the first ``vad_noise_window_s``, up to 7 dB under the
        # line's noise, so the line noise itself crossed the gate early in every call).
        smooth_n = self._smooth_n
        g = self.frames_done + np.arange(n, dtype=np.float64)
        ext_p = np.concatenate((self._power_hist, power), axis=1)
        cs = np.concatenate((np.zeros((self.n_channels, 1)), np.cumsum(ext_p, axis=1)), axis=1)
        sm = (cs[:, smooth_n:] - cs[:, :-smooth_n]) / np.minimum(g + 1.0, smooth_n)
        self._power_hist = (
            ext_p[:, ext_p.shape[1] - (smooth_n - 1) :] if smooth_n > 1 else ext_p[:, :0]
        )
        half = self._floor_n // 2
        # Steady noise (module notes): the minimum of a longer smoothing (mean over the frames
        # seen so far at the start) and its spread over the short floor.
        steady_n = self._steady_n
        ext_s = np.concatenate((self._steady_hist, power), axis=1)
        cs2 = np.concatenate((np.zeros((self.n_channels, 1)), np.cumsum(ext_s, axis=1)), axis=1)
        count = np.minimum(g + 1.0, steady_n)
        sm2 = (cs2[:, steady_n:] - cs2[:, :-steady_n]) / count
        # Both smoothed levels in dB in one pass (short rows, then steady rows).
        both_db = np.maximum(
            10.0 * np.log10(np.maximum(np.concatenate((sm, sm2)), 1e-12)), SILENCE_DBFS
        )
        sm_db = both_db[:ch]
        self._steady_hist = (
            ext_s[:, ext_s.shape[1] - (steady_n - 1) :] if steady_n > 1 else ext_s[:, :0]
        )
        evidence, self._since_silent = _floor_evidence(
            both_db, power, self._since_silent, (smooth_n, steady_n), o.vad_floor_no_signal_dbfs
        )
        # Both floors as before, then both over the frames that measure something.
        ext_f = np.concatenate((self._floors_hist, np.concatenate((both_db, evidence))), axis=1)
        floors = _trailing_min(ext_f, self._floor_n, n)
        self._floors_hist = ext_f[:, ext_f.shape[1] - 2 * half :]
        # Speech level: a peak hold of the smoothed level that decays slowly. Quieter than
        # ``vad_range_db`` under it is not this channel's speech (reverberation, breath, a
        # distant voice), whatever the recording's gain: the gate is relative at both ends.
        # p[i] = max(p[i-1] - d, x[i]) is a running maximum of x[j] + d * j, less d * i.
        d = o.vad_peak_decay_db_per_s * o.hop_s
        lifted = np.maximum.accumulate(
            np.concatenate((self._peak_lifted, sm_db + d * g), axis=1), axis=1
        )
        self._peak_lifted = lifted[:, -1:].copy()
        peak = lifted[:, 1:] - d * g
        floor, steady = _measured_floors(floors, peak, o)
        if o.vad_peak_follow > 0:
            peak = self._followed_peak(sm_db, loud, peak, floor, g)
        lower = np.maximum(peak - o.vad_range_db, o.vad_min_level_dbfs)
        gate = np.maximum(floor + o.vad_snr_db, lower)
        spread = np.maximum(steady - floor, 0.0)
        relaxed = np.minimum(
            steady + np.maximum(o.vad_steady_margin_db, o.vad_spread_factor * spread),
            floor + o.vad_snr_db,
        )
        gate_low = np.maximum(relaxed, lower)
        masked = (
            np.maximum(gate_low - lower, 0.0).astype(np.float32)
            if o.vad_masked_hangover_s_per_db > 0
            else None
        )
        # Pitch on frames with energy only (YIN is the expensive part), every channel's in one
        # call.
        f0 = np.full((self.n_channels, n), np.nan, np.float32)
        aper = np.ones((self.n_channels, n), np.float32)
        band_aper = np.ones((self.n_channels, n), np.float32)
        chan, frame = np.nonzero(loud > gate_low)
        # The pitch windows' spectra, for the DTMF check (dtmf_min_pair_share 0: not kept).
        spectra: list[np.ndarray] | None = [] if o.dtmf_min_pair_share > 0 else None
        if chan.size:
            # Each frame's pitch window: the decimated samples from ``frame * hop // decim`` on
            # (the offsets are whole multiples of ``decim``): rows of a window view, or for a
            # live step's few frames one gather (the view's setup costs more there).
            if chan.size > _STEP_FRAMES:
                w = self._pitch_offsets.size
                if self._pbuf.shape[1] < w:
                    raise ValueError("the pitch buffer holds no whole window")
                # sliding_window_view(self._pbuf, w, axis=1) without its argument handling
                windows = as_strided(
                    self._pbuf,
                    shape=(self._pbuf.shape[0], self._pbuf.shape[1] - w + 1, w),
                    strides=(self._pbuf.strides[0], self._pbuf.strides[1], self._pbuf.strides[1]),
                    writeable=False,
                )
                pitch_windows = windows[chan, frame * hop // self._decim]
            else:
                gather = (frame[:, None] * hop + self._pitch_offsets[None, :]) // self._decim
                pitch_windows = self._pbuf[chan[:, None], gather]
            f, a = yin(
                pitch_windows,
                sr_hz=o.pitch_sample_rate_hz,
                fmin_hz=o.pitch_fmin_hz,
                fmax_hz=o.pitch_fmax_hz,
                trough_threshold=o.yin_trough_threshold,
                subharmonic_ratio=o.yin_subharmonic_ratio,
                subharmonic_min_drop=o.yin_subharmonic_min_drop,
                spectra_out=spectra,
            )
            f0[chan, frame] = f
            aper[chan, frame] = a
            if o.band_hnr:
                band_aper[chan, frame] = _band_aperiodicity(src, chan, frame, f, o)
        if self._music is not None:  # each frame's music window, a view (audio/music.py)
            ms = self._music.s
            p0, p1 = self._pbuf.strides
            music_windows = as_strided(
                self._pbuf[:, ms.window_offset :],
                shape=(self.n_channels, n, ms.fft_length),
                strides=(p0, (hop // self._decim) * p1, p1),
                writeable=False,
            )
        used = n * hop
        self._prev_sample = src[:, used - 1 : used].astype(np.float64)
        self._buf = self._buf[:, used:]
        if self._band_sos is not None:
            self._bbuf = self._bbuf[:, used:]
        if self._split:
            self._sbuf = self._sbuf[:, used:]
        self._pbuf = self._pbuf[:, used // self._decim :]
        self.frames_done += n
        energetic = (loud > gate) | (
            (loud > gate_low) & (aper <= np.float32(o.vad_voice_max_aperiodicity))
        )
        sustain = None
        if o.vad_sustain > 0:
            # The same constant-false-alarm margin as the relaxed gate, on the level the short
            # floor is the minimum of (so ``spread`` is that level's own dip under its mean).
            sustain_gate = np.maximum(
                steady + np.maximum(o.vad_sustain_margin_db, o.vad_spread_factor * spread), lower
            )
            sustain = (sm_db > sustain_gate) & ~energetic
            energetic_measured = energetic
        # A DTMF digit is nobody speaking (audio/tones.py, on the pitch windows' spectra);
        # dtmf_min_pair_share 0: not judged; a step with no energetic frame: nothing to drop.
        if spectra and energetic.any():
            energetic = drop_key_tones(
                energetic,
                spectra[0],
                chan,
                frame,
                n_fft=self._pitch_offsets.size,
                sr_hz=o.pitch_sample_rate_hz,
                min_pair_share=o.dtmf_min_pair_share,
                min_tone_share=o.dtmf_min_tone_share,
                max_deviation=o.dtmf_max_deviation_share,
            )
        # Hold music is nobody speaking (audio/music.py); music_min_held_share 0: not judged.
        if self._music is not None:
            music = self._music.push(music_windows, loud > o.vad_min_level_dbfs, loud > gate_low)
            energetic = energetic & ~music
            if sustain is not None:
                sustain &= ~music
        if sustain is not None and spectra:
            # A key tone dropped above is no quiet speech either.
            sustain &= ~(energetic_measured & ~energetic)
        # Frames that did not make it carry no pitch, as before the relaxed gate existed.
        f0[~energetic] = np.nan
        aper[~energetic] = 1.0
        band_aper[~energetic] = 1.0
        share = np.minimum(10.0 ** ((steady - loud) / 10.0), o.voicing_noise_share_max)
        aper_v = np.minimum(np.maximum((aper - share) / (1.0 - share), 0.0), 1.0).astype(np.float32)
        return _RawFrames(
            loud.astype(np.float32),
            gate.astype(np.float32),
            energetic,
            f0,
            aper,
            tilt.astype(np.float32),
            aper_v,
            band_aper,
            alpha,
            sustain,
            masked,
        )


def _music_settings(o: FeatureOptions) -> MusicSettings:
    """``FeatureOptions``' music_* fields in frames and bins of the decimated pitch signal."""
    decim = o.sample_rate_hz // o.pitch_sample_rate_hz
    pitch_n = o.pitch_window // decim
    length = pitch_n // 2
    bin_hz = o.pitch_sample_rate_hz / length
    lag3 = max(3, round(o.music_hold_s / o.hop_s))
    return MusicSettings(
        min_held_share=o.music_min_held_share,
        window_frames=o.frames(o.music_window_s),
        min_active_frames=o.frames(o.music_min_active_s),
        hold_lags=(round(lag3 / 3), round(2 * lag3 / 3), lag3),
        fft_length=length,
        window_offset=(pitch_n - length) // 2,
        low_bin=max(1, math.ceil(o.music_low_hz / bin_hz)),
        high_bin=min(length // 2 + 1, math.floor(o.music_high_hz / bin_hz) + 1),
        peak_over_median_db=o.music_peak_over_median_db,
        peak_range_db=o.music_peak_range_db,
        stationary_frames=o.frames(o.music_stationary_s),
        stationary_share=o.music_stationary_share,
    )


#: Frames per call of :func:`_band_aperiodicity`'s work (its copies: ~30 kB a frame).
_BAND_BATCH_FRAMES = 1024


def _band_aperiodicity(
    src: np.ndarray, chan: np.ndarray, frame: np.ndarray, f0_hz: np.ndarray, o: FeatureOptions
) -> np.ndarray:
    """Normalised difference at each frame's period, read on the telephone-band signal.

    The voice-quality cue that means the same on a wideband recording and on its narrowband
    copy (module notes, ``band_hnr_db``): ``d(L) = sum (x[t] - x[t + L])^2 / sum (x[t]^2 +
    x[t + L]^2)`` over ``frame_length_s`` of the band-passed samples at the input rate, for
    the whole lags next to the frame's period ``sample_rate_hz / f0`` (the period YIN chose on
    the decimated copy), and the minimum of the parabola through the lowest of them and its
    neighbours (a period is seldom a whole number of samples). For a periodic voice plus
    independent noise ``d`` is the noise's share of the power, as YIN's aperiodicity is, but
    it sees only what a telephone line carries: no fundamental, no first harmonics.

    Parameters
    ----------
    src : np.ndarray, shape (channels, samples)
        The band-passed samples from the first frame's pitch window on (``FrontEnd._bbuf``).
    chan, frame : np.ndarray, shape (m,)
        Channel and frame index (on the hop grid of ``src``) of each frame.
    f0_hz : np.ndarray, shape (m,)
        Each frame's YIN pitch.
    o : FeatureOptions
        Framing and pitch range.

    Returns
    -------
    np.ndarray, shape (m,), float32
        ``d`` in ``[0, 1]``.
    """
    m = chan.size
    if m > _BAND_BATCH_FRAMES:  # a whole file at once: bounded copies (each row on its own)
        return np.concatenate(
            [
                _band_aperiodicity(
                    src,
                    chan[i : i + _BAND_BATCH_FRAMES],
                    frame[i : i + _BAND_BATCH_FRAMES],
                    f0_hz[i : i + _BAND_BATCH_FRAMES],
                    o,
                )
                for i in range(0, m, _BAND_BATCH_FRAMES)
            ]
        )
    sr, hop = o.sample_rate_hz, o.hop
    max_lag = int(np.ceil(sr / o.pitch_fmin_hz)) + 2
    length = min(o.loudness_window, o.pitch_window - max_lag)
    if m == 0 or length < 2:
        return np.ones(m, np.float32)
    # The compared stretch sits centred in the pitch window as far as the longest lag allows;
    # every frame's stretch and what follows it up to the longest lag, as a strided view.
    first = (o.pitch_window - length - max_lag) // 2
    n_frames = (src.shape[1] - o.pitch_window) // hop + 1
    s0, s1 = src.strides
    wins = as_strided(
        src[:, first:],
        shape=(src.shape[0], n_frames, length + max_lag),
        strides=(s0, hop * s1, s1),
        writeable=False,
    )
    g = np.ascontiguousarray(wins[chan, frame], dtype=np.float64)  # (m, length + max_lag)
    x = g[:, :length]
    lag0 = np.minimum(
        np.maximum(np.rint(sr / f0_hz.astype(np.float64)).astype(np.int64), 2), max_lag - 1
    )
    # The lagged stretches (m, lags, length) as a view of g, then the three around the period.
    lagged = np.ndarray((m, max_lag + 1, length), np.float64, g, 0, (g.strides[0], 8, 8))
    y = lagged[np.arange(m)[:, None], lag0[:, None] + _NEIGHBOURS]
    xy = np.matmul(y, x[:, :, None])[:, :, 0]
    ey = np.einsum("mkl,mkl->mk", y, y)
    ex = np.einsum("ml,ml->m", x, x)
    d = 1.0 - 2.0 * xy / np.maximum(ey + ex[:, None], 1e-20)
    dm, d0, dp = d[:, 0], d[:, 1], d[:, 2]
    curv = dp + dm - 2.0 * d0
    inner = (d0 <= dm) & (d0 <= dp) & (curv > 0)
    low = np.where(inner, d0 - (dp - dm) ** 2 / np.where(inner, 8.0 * curv, 1.0), d.min(axis=1))
    return np.minimum(np.maximum(low, 0.0), 1.0).astype(np.float32)


#: Frames since digital silence before any was seen.
_NO_SILENCE_YET = 1 << 40
#: Blocks of at most this many frames take the frame-by-frame Python paths of the per-step
#: bookkeeping (a 20 ms live step is two frames, a 100 ms one ten): the same results as the
#: array paths, without their dozen NumPy calls on a tiny array.
_STEP_FRAMES = 16


def _floor_evidence(
    smoothed_dbfs: np.ndarray,
    power: np.ndarray,
    since_silent: np.ndarray,
    spans: tuple[int, int],
    no_signal_dbfs: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The two smoothed levels as evidence of a line's noise floor.

    Digital silence measures nothing. A frame whose smoothing span (``spans``: the short and
    the steady smoothing, in frames) holds a frame under ``no_signal_dbfs`` (its whole
    loudness window digital silence) becomes ``+inf``, which the floors' trailing minimum
    passes over: so do the smoothed level's ramps into and out of the silence, which read
    anything from the noise down to -120 dBFS. A line that alternates digital silence with its
    noise (a recorder's gate, DTX) keeps the floor of its noise, rather than a -120 dBFS floor
    for the whole window after every silent stretch (the gate's only bound was then
    ``vad_range_db`` under the speech peak, and a clipped line's noise crossed it). Where the
    frames left are speech only, :func:`_measured_floors` keeps the floor as before.

    Parameters
    ----------
    smoothed_dbfs : np.ndarray, shape (2 * channels, n)
        The short smoothed levels' rows, then the steady ones' (dBFS).
    power : np.ndarray, shape (channels, n)
        The frames' own mean power.
    since_silent : np.ndarray of int, shape (channels,)
        Frames from the last digital silence to the frame before these (carried).
    spans : tuple of int
        Short and steady smoothing lengths (frames).
    no_signal_dbfs : float
        Frame levels under this are digital silence.

    Returns
    -------
    evidence : np.ndarray, shape (2 * channels, n)
        ``smoothed_dbfs`` with the frames that measure nothing at ``+inf``.
    since_silent : np.ndarray
        The carried count for the next block.
    """
    n = power.shape[1]
    silent = power < 10.0 ** (no_signal_dbfs / 10.0)
    if not silent.any() and int(since_silent.min()) >= max(spans):
        return smoothed_dbfs, since_silent + n  # nothing within reach: every frame measures
    idx = np.arange(n)
    last = np.maximum.accumulate(np.where(silent, idx, -1), axis=1)
    since = np.where(last >= 0, idx - last, since_silent[:, None] + idx + 1)
    touched = np.concatenate([since < span for span in spans])
    return np.where(touched, np.inf, smoothed_dbfs), since[:, -1].copy()


def _measured_floors(
    floors: np.ndarray, peak_dbfs: np.ndarray, o: FeatureOptions
) -> tuple[np.ndarray, np.ndarray]:
    """The short and steady noise floors from the four trailing minima of
    :meth:`FrontEnd.push` (short, steady as measured; short, steady over the frames that are not
    digital silence, :func:`_floor_evidence`), each ``(channels, n)``.

    The floors over the frames that measure something stand where they show the line's noise:
    their steady floor within ``vad_floor_noise_spread_db`` of their short one (a stretch of
    steady noise) and ``vad_floor_noise_under_peak_db`` or more under the speech peak
    ``peak_dbfs``. Elsewhere the floors as measured: a window with no digital silence (the same
    values) or with digital silence and speech only (a noiseless line: its speech is no noise
    floor, so the floor stays at the silence, as before).
    """
    ch = floors.shape[0] // 4
    short_m, steady_m = floors[2 * ch : 3 * ch], floors[3 * ch :]
    use = (
        np.isfinite(steady_m)
        & (steady_m <= short_m + o.vad_floor_noise_spread_db)
        & (short_m <= peak_dbfs - o.vad_floor_noise_under_peak_db)
    )
    return (
        np.where(use, short_m, floors[:ch]),
        np.where(use, steady_m, floors[ch : 2 * ch]),
    )


#: Up to this many new frames, trailing minima are read directly (a live 20 ms push: two
#: frames); more, and the O(n) minimum filter is cheaper. Both are exact.
_TRAILING_MIN_DIRECT_FRAMES = 32


def _trailing_min(ext: np.ndarray, size: int, n: int) -> np.ndarray:
    """``out[:, i] = ext[:, i : i + size].min(axis=1)`` for ``i < n`` (``ext`` holds
    ``size - 1`` frames of history then ``n`` new ones): each new frame's trailing minimum."""
    if n <= _TRAILING_MIN_DIRECT_FRAMES:
        # Window i = [i, n-1) + [n-1, size) + [size, size+i): a shared middle, a suffix minimum
        # on the left and a prefix minimum on the right.
        common = ext[:, n - 1 : size].min(axis=1, keepdims=True)
        if n == 1:
            return np.asarray(common)
        inf = np.full((ext.shape[0], 1), np.inf)
        left = np.minimum.accumulate(ext[:, n - 2 :: -1], axis=1)[:, ::-1]
        right = np.minimum.accumulate(ext[:, size : size + n - 1], axis=1)
        return np.minimum(
            np.minimum(common, np.concatenate((left, inf), axis=1)),
            np.concatenate((inf, right), axis=1),
        )
    half = size // 2
    return np.asarray(
        minimum_filter1d(ext, size=size, axis=1, mode="constant", cval=np.inf)[:, half : half + n]
    )


def _sosfilt_rows(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """``scipy.signal.sosfilt`` along each row of ``x``, in float64, carrying the filter state.

    Parameters
    ----------
    sos : np.ndarray, shape (sections, 6)
        The filter (float64).
    x : np.ndarray, shape (channels, n)
        Samples; not modified.
    zi : np.ndarray, shape (channels, sections, 2)
        Each channel's filter state, updated in place.

    Calls the compiled kernel that ``sosfilt`` itself runs, with the same float64 inputs, so
    the output is the same to the bit: on a 20 ms live step the public function's argument
    handling (validation, axis moves, copies) costs more than the filtering.
    """
    y = np.array(x, dtype=np.float64, order="C")  # the kernel filters in place
    if _SOSFILT_KERNEL is None:
        y, zo = scipy.signal.sosfilt(sos, y, axis=-1, zi=zi.transpose(1, 0, 2))
        zi[...] = np.transpose(zo, (1, 0, 2))
        return np.asarray(y)
    _SOSFILT_KERNEL(sos, y, zi)
    return y


def _pitch_continuity(f0_hz: np.ndarray, radius: int, o: FeatureOptions) -> np.ndarray:
    """Octave and formant jumps out of a pitch track, judged against the local median.

    ``f0_hz`` holds ``radius`` frames of context on each side of the frames to judge (NaN where
    unvoiced); returns the judged middle part. A voiced frame more than ``pitch_jump_max_st``
    from the median of the voiced frames within ``radius`` on both sides is an error of the
    tracker, not of the voice (pitch glides by a few semitones per 100 ms, it does not leap an
    octave and back): it is folded down by 2, 3 or 4 when that lands within
    ``pitch_fold_tolerance_st`` of the median (the missing-fundamental error), else unvoiced
    (a first-formant ringing picked as the period). Only frames with ``pitch_min_context``
    voiced neighbours are judged. The frames around each one are fixed by the stream's
    context, so the result does not depend on chunking.
    """
    n = f0_hz.size - 2 * radius
    mid = f0_hz[radius : radius + n].copy()
    if n <= 0 or o.pitch_jump_max_st <= 0 or not np.isfinite(mid).any():
        return mid
    if np.count_nonzero(np.isfinite(f0_hz)) < o.pitch_min_context:
        return mid  # no window can hold enough voiced context to judge a frame
    with np.errstate(divide="ignore", invalid="ignore"):
        st = 12.0 * np.log2(f0_hz.astype(np.float64) / 100.0)
    # Exact shortcut (the common case): every local median lies within the span's range, so
    # when the whole span varies by no more than the jump limit no frame can be judged.
    finite = st[np.isfinite(st)]
    if _within_reach(st[radius : radius + n], finite.min(), finite.max(), o):
        return mid
    win = _windows(st, 2 * radius + 1, n)
    count = np.isfinite(win).sum(axis=1)
    judge = np.isfinite(st[radius : radius + n]) & (count >= o.pitch_min_context)
    if not judge.any():
        return mid
    idx = np.flatnonzero(judge)
    return _fold_or_drop(mid, idx, st[radius + idx], _row_nanmedian(win[idx], count[idx]), o)


def _within_reach(own_st: np.ndarray, lo: float, hi: float, o: FeatureOptions) -> bool:
    """Exact shortcut of the continuity passes: no frame of ``own_st`` (semitones, NaN where
    unvoiced) can be judged a jump, because every context median lies in ``[lo, hi]`` (the
    range of all values the windows read) and each frame is within the jump limit of both
    ends (which holds for every frame when the whole range is within the limit). The median's
    rounding stays inside the range and subtraction rounds monotonically, so the passes' own
    test could not fail either."""
    if hi - lo <= o.pitch_jump_max_st:
        return True
    # NaN frames (never judged) compare False, without a warning.
    far = (own_st - lo > o.pitch_jump_max_st) | (hi - own_st > o.pitch_jump_max_st)
    return not bool(far.any())


def _windows(x: np.ndarray, width: int, n: int) -> np.ndarray:
    """The first ``n`` windows of ``width`` consecutive values of the 1-D ``x``, as a read-only
    view: ``sliding_window_view(x, width)[:n]`` without its argument handling (the same
    numbers; that wrapper cost more than the median it fed on a live step)."""
    if n + width - 1 > x.shape[0]:
        raise ValueError("not enough values for the windows")
    step = x.strides[0]
    return np.lib.stride_tricks.as_strided(
        x, shape=(n, width), strides=(step, step), writeable=False
    )


def _row_nanmedian(rows: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Median of each row's finite values, exactly (``count``: finite values per row).

    NaN sorts last, so the middle of each sorted row's first ``count`` values is its median;
    numpy's ``nanmedian`` over rows goes through masked arrays, ~1 ms a call on live steps.
    """
    srt = np.sort(rows, axis=1)
    at = np.arange(srt.shape[0])
    return np.asarray(0.5 * (srt[at, (count - 1) // 2] + srt[at, count // 2]))


def _fold_or_drop(
    f0_hz: np.ndarray, idx: np.ndarray, own_st: np.ndarray, med_st: np.ndarray, o: FeatureOptions
) -> np.ndarray:
    """``f0_hz`` with each judged frame ``idx`` (own pitch ``own_st``, context median
    ``med_st``, semitones re 100 Hz) more than ``pitch_jump_max_st`` off its median folded down
    by 2, 3 or 4 when that lands within ``pitch_fold_tolerance_st`` of it, else set to NaN."""
    bad = np.abs(own_st - med_st) > o.pitch_jump_max_st
    if not bad.any():
        return f0_hz
    out = f0_hz.copy()
    for i, m, v in zip(idx[bad].tolist(), med_st[bad].tolist(), own_st[bad].tolist(), strict=True):
        folded = np.nan
        for k in (2.0, 3.0, 4.0):
            if abs(v - 12.0 * np.log2(k) - m) <= o.pitch_fold_tolerance_st:
                folded = float(100.0 * 2 ** ((v - 12.0 * np.log2(k)) / 12.0))
                break
        out[i] = folded
    return out


def _pitch_past_context(
    past_hz: np.ndarray,
    judged_hz: np.ndarray,
    raw_after_hz: np.ndarray,
    radius: int,
    o: FeatureOptions,
) -> np.ndarray:
    """The continuity pass's second look, over a longer past (``pitch_context_past_s``).

    :func:`_pitch_continuity` judges a frame against the ``radius`` frames on each side, so a
    whole voiced stretch read an octave up (a low-rate codec that leaves the odd harmonics of a
    soft, steeply tilted voice ~20-30 dB under the even ones: the frame is then as periodic at
    half the period as at the period, and YIN's first dip is the half) or a run of first-formant
    readings in sparse voicing is its own context and stays. Here each frame of ``judged_hz``
    (the first pass's output) is judged again, by the same fold-or-drop rule, against the median
    of the first pass's output over the ``len(past_hz)`` frames before it (and its own value)
    plus the *raw* track over the ``radius`` frames after it: the speaker's pitch of the last
    second outvotes a stretch shorter than about half of that. A voice that really rises keeps
    its pitch once its own frames carry the median. Only already-decided frames (before) and
    frames the first pass needs anyway (after) are read, so it adds no delay and the result does
    not depend on chunking.

    ``past_hz``: the first pass's output for the frames before ``judged_hz``; ``raw_after_hz``:
    the raw voiced track for the ``radius`` frames after each judged frame, i.e. frames
    ``1 .. len(judged_hz) + radius - 1`` counted from the first judged frame (NaN where
    unvoiced).
    """
    n = judged_hz.size
    past_n = past_hz.size
    if n == 0 or past_n == 0 or o.pitch_jump_max_st <= 0 or not np.isfinite(judged_hz).any():
        return judged_hz
    before = np.concatenate((past_hz, judged_hz)).astype(np.float64)
    after = raw_after_hz.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        st_b = 12.0 * np.log2(before / 100.0)
        st_a = 12.0 * np.log2(after / 100.0)
    fb, fa = st_b[np.isfinite(st_b)], st_a[np.isfinite(st_a)]
    both = np.concatenate((fb, fa))
    own = st_b[past_n:]
    if both.size < o.pitch_min_context or _within_reach(own, both.min(), both.max(), o):
        return judged_hz  # exact shortcut: no median can sit a jump away from any frame
    win_b = _windows(st_b, past_n + 1, n)
    if radius > 0:
        pad = np.concatenate((st_a, np.full(max(0, n + radius - 1 - st_a.size), np.nan)))
        win_a = _windows(pad, radius, n)
        win = np.concatenate((win_b, win_a), axis=1)
    else:
        win = win_b
    count = np.isfinite(win).sum(axis=1)
    judge = np.isfinite(own) & (count >= o.pitch_min_context)
    if not judge.any():
        return judged_hz
    idx = np.flatnonzero(judge)
    return _fold_or_drop(judged_hz, idx, own[idx], _row_nanmedian(win[idx], count[idx]), o)


def _nuclei(loud: np.ndarray, voiced: np.ndarray, o: FeatureOptions) -> np.ndarray:
    """Syllable-like peaks: local loudness maxima in voiced speech that stand out."""
    k = 2
    env = np.convolve(loud.astype(np.float64), np.ones(2 * k + 1) / (2 * k + 1), mode="same")
    peak_r = max(1, o.frames(o.nucleus_min_gap_s) // 2)
    ctx_r = o.frames(o.nucleus_context_s)
    is_max = env >= maximum_filter1d(env, size=2 * peak_r + 1, mode="nearest")
    prominent = (
        env - minimum_filter1d(env, size=2 * ctx_r + 1, mode="nearest") >= o.nucleus_prominence_db
    )
    return is_max & prominent & voiced


class NucleusIntervals:
    """Running syllable intervals of one channel (``FeatureOptions.syllable_interval_max_s``).

    :meth:`push` takes each block's ``nucleus`` and heard ``speech`` labels in order; an
    interval is the frames from one nucleus to the next when every frame between them is heard
    speech and there are at most ``max_frames`` of them. ``count`` intervals spanning
    ``frames`` frames give the rate ``count / (frames x hop)``. Blocks of any length give the
    same totals as the whole stream at once.
    """

    def __init__(self, max_frames: int) -> None:
        if max_frames < 1:
            raise ParameterError(f"max_frames must be at least 1; got {max_frames}")
        self.max_frames = max_frames
        self.count = 0
        self.frames = 0
        # The last nucleus's index relative to the next block's first frame (negative), or
        # None before the first one; whether a frame not heard came after it.
        self._last: int | None = None
        self._gap = False

    def push(self, nucleus: np.ndarray, speech: np.ndarray) -> None:
        n = int(nucleus.shape[0])
        if n == 0:
            return
        idx = np.flatnonzero(nucleus)
        if idx.size == 0:
            if self._last is not None:
                self._last -= n
                self._gap = self._gap or not bool(speech.all())
            return
        # Frames not heard before each frame: cs[j] counts them in [0, j).
        cs = np.concatenate(([0], np.cumsum(~speech.astype(bool))))
        if self._last is None:
            starts, ends = idx[:-1], idx[1:]
            d = ends - starts
            broken = cs[ends] - cs[starts + 1] > 0
        else:
            starts = np.concatenate(([self._last], idx[:-1]))
            ends = idx
            d = ends - starts
            broken = np.empty(idx.size, bool)
            broken[0] = self._gap or cs[idx[0]] > 0
            broken[1:] = cs[idx[1:]] - cs[idx[:-1] + 1] > 0
        keep = ~broken & (d <= self.max_frames)
        self.count += int(np.count_nonzero(keep))
        self.frames += int(d[keep].sum())
        last = int(idx[-1])
        self._last = last - n
        self._gap = bool(cs[n] - cs[last + 1] > 0)

    def rate_per_s(self, hop_s: float) -> float | None:
        """Nuclei per second over the intervals (None before the first one)."""
        return self.count / (self.frames * hop_s) if self.frames else None


class FeatureStream:
    """Multi-channel samples in, aligned finished frames out.

    ``push`` accepts ``(channels, n)`` float32 samples at ``options.sample_rate_hz`` in chunks of
    any size; ``finish`` flushes the tail. Frames come out in order with a short fixed delay
    (the speech hangover and the syllable-peak context), whatever the chunking.
    """

    def __init__(self, n_channels: int, options: FeatureOptions | None = None) -> None:
        if n_channels < 1:
            raise AudioError("a feature stream needs at least one channel")
        self.o = options or FeatureOptions()
        self.n_channels = n_channels
        self._front = FrontEnd(self.o, n_channels)
        self._gates = [
            SpeechGate(
                onset_frames=self.o.frames(self.o.vad_onset_s),
                hangover_frames=self.o.frames(self.o.vad_hangover_s),
                sustain_max_frames=self._sustain_max_frames(),
                lookback_frames=(
                    round(self.o.vad_sustain_lookback_s / self.o.hop_s)
                    if self.o.vad_sustain > 0
                    else 0
                ),
            )
            for _ in range(n_channels)
        ]
        self._crosstalk = CrosstalkGate(
            n_channels,
            CrosstalkOptions(margin_db=self.o.crosstalk_margin_db, frame_hop_s=self.o.hop_s),
        )
        self._radius = 2 + self.o.frames(self.o.nucleus_context_s)
        r = self._radius
        # Pending raw frames (not yet emitted) of every channel, shape (channels, frames), with
        # `r` frames of left context kept.
        # The float fields in one array, shape (fields, channels, frames), fields in the order
        # of _HELD_FILL (loudness, voiced pitch, tilt, HNR): one append and one trim per push.
        self._held = np.repeat(_HELD_FILL[:, None, None], r, axis=2).repeat(n_channels, axis=1)
        self._voiced = np.zeros((n_channels, r), bool)
        # The first continuity pass's output for the frames already emitted, as far back as the
        # second look reads (_pitch_past_context).
        past = self.o.frames(self.o.pitch_context_past_s) if self.o.pitch_context_past_s > 0 else 0
        self._f0_past = np.full((n_channels, past), np.nan, np.float32)
        self._labels = [np.zeros(0, bool) for _ in range(n_channels)]
        # vad_masked_hangover_s_per_db: a second gate per channel without that hangover (the
        # labels as with it off: ChannelFrames.speech_heard) and its labels not yet emitted.
        self._plain_gates = (
            [
                SpeechGate(
                    onset_frames=self.o.frames(self.o.vad_onset_s),
                    hangover_frames=self.o.frames(self.o.vad_hangover_s),
                    sustain_max_frames=self.o.frames(self.o.vad_sustain_max_s),
                    lookback_frames=(
                        round(self.o.vad_sustain_lookback_s / self.o.hop_s)
                        if self.o.vad_sustain > 0
                        else 0
                    ),
                )
                for _ in range(n_channels)
            ]
            if self.o.vad_masked_hangover_s_per_db > 0
            else None
        )
        self._heard = [np.zeros(0, bool) for _ in range(n_channels)]
        self._emitted = 0
        self._finished = False
        # vad_masked_hangover_s_per_db: frames since each channel's last voiced speech frame
        # and the hangover (frames) that frame granted (carried).
        self._since_voiced = np.full(n_channels, _NO_SILENCE_YET, np.int64)
        self._voiced_grant = np.zeros(n_channels, np.int64)
        # vad_sustain: frames since each channel's last raw speech frame (carried).
        self._since_raw = np.full(n_channels, _NO_SILENCE_YET, np.int64)

    def _others_talking(self, raw_speech: np.ndarray, need_mask: bool) -> np.ndarray | None:
        """``(channels, n)`` (None unless ``need_mask``; the carried state is kept either
        way): another channel had a raw speech frame within the last
        ``vad_hangover_s`` (it is in a turn, as far as its gate can tell yet). Sustained frames
        are no evidence there (a quiet frame under another party's turn is as likely their
        leak, a neighbour or a backchannel's breath) and sustaining them would make overlap
        for the turn-taking to read."""
        if raw_speech.shape[1] <= _STEP_FRAMES:
            return self._others_talking_step(raw_speech, need_mask)
        return self._others_talking_array(raw_speech, need_mask)

    def _others_talking_array(self, raw_speech: np.ndarray, need_mask: bool) -> np.ndarray | None:
        """:meth:`_others_talking` on arrays (any block; long ones take this path)."""
        n = raw_speech.shape[1]
        before = self._since_raw
        talked = raw_speech.any(axis=1)
        # Frames since the last raw frame at the block's end (a 20 ms live step: two frames).
        self._since_raw = np.where(
            talked, np.argmax(raw_speech[:, ::-1], axis=1), before + n
        ).astype(np.int64)
        if not need_mask:
            return None
        idx = np.arange(n)
        last = np.maximum.accumulate(np.where(raw_speech, idx, -1), axis=1)
        since = np.where(last >= 0, idx - last, before[:, None] + idx + 1)
        active = since <= self.o.frames(self.o.vad_hangover_s)
        return active.sum(axis=0)[None, :] - active > 0

    def _others_talking_step(self, raw_speech: np.ndarray, need_mask: bool) -> np.ndarray | None:
        """:meth:`_others_talking` of a short block (a live step), frame by frame in Python:
        the same marks and carried state (a dozen NumPy calls on a 2 x 2 array cost more)."""
        since = self._since_raw.tolist()
        hangover = self.o.frames(self.o.vad_hangover_s)
        active = []
        for c, row in enumerate(raw_speech.tolist()):
            k = since[c]
            marks = []
            for v in row:
                k = 0 if v else k + 1
                marks.append(k <= hangover)
            since[c] = k
            active.append(marks)
        self._since_raw = np.array(since, np.int64)
        if not need_mask:
            return None
        others = [
            [any(active[d][i] for d in range(len(active)) if d != c) for i in range(len(marks))]
            for c, marks in enumerate(active)
        ]
        return np.array(others, bool).reshape(raw_speech.shape)

    def _masked_max_frames(self) -> int:
        o = self.o
        return (
            round(o.vad_masked_hangover_max_s / o.hop_s)
            if o.vad_masked_hangover_s_per_db > 0
            else 0
        )

    def _sustain_max_frames(self) -> int:
        """The gate's cap on a run of sustained frames. The masked hangover's frames carry
        their own bound (each voiced frame's grant), and a cap the gate applies itself would
        end speech at a short run of frames over the gates after them (a sustained run spent
        needs an onset's worth to be confirmed again): with it alone, no gate cap."""
        o = self.o
        if o.vad_masked_hangover_s_per_db > 0 and o.vad_sustain <= 0:
            return 1 << 30
        return max(o.frames(o.vad_sustain_max_s), self._masked_max_frames())

    def _masked_tail(self, masked_db: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        """``(channels, n)``: frames within the hangover the last voiced speech frame granted
        (``vad_masked_hangover_s_per_db`` per dB of ``masked_db`` at that frame, at most
        ``vad_masked_hangover_max_s``); the voiced frames themselves are not marked. Carried
        across blocks, so the marks do not depend on the chunking."""
        if voiced.shape[1] <= _STEP_FRAMES:
            return self._masked_tail_step(masked_db, voiced)
        return self._masked_tail_array(masked_db, voiced)

    def _masked_tail_array(self, masked_db: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        """:meth:`_masked_tail` on arrays (any block; long ones take this path)."""
        n = voiced.shape[1]
        grant = self._grants(masked_db)
        idx = np.arange(n)
        last = np.maximum.accumulate(np.where(voiced, idx, -1), axis=1)
        seen = last >= 0
        since = np.where(seen, idx - last, self._since_voiced[:, None] + idx + 1)
        rows = np.arange(voiced.shape[0])[:, None]
        allowed = np.where(seen, grant[rows, np.maximum(last, 0)], self._voiced_grant[:, None])
        if n:
            self._since_voiced = since[:, -1].copy()
            self._voiced_grant = allowed[:, -1].copy()
        return (since > 0) & (since <= allowed)

    def _grants(self, masked_db: np.ndarray) -> np.ndarray:
        """Each frame's masked hangover in frames, were it voiced speech (int64)."""
        o = self.o
        return np.minimum(
            np.rint(masked_db * (o.vad_masked_hangover_s_per_db / o.hop_s)),
            self._masked_max_frames(),
        ).astype(np.int64)

    def _masked_tail_step(self, masked_db: np.ndarray, voiced: np.ndarray) -> np.ndarray:
        """:meth:`_masked_tail` of a short block (a live step), frame by frame in Python: the
        same marks and carried state; the grants (the one float computation) as there, and
        only when a frame is voiced."""
        since = self._since_voiced.tolist()
        allowed = self._voiced_grant.tolist()
        grant: list[list[int]] | None = None
        out = []
        for c, row in enumerate(voiced.tolist()):
            k, g = since[c], allowed[c]
            marks = []
            for i, v in enumerate(row):
                if v:
                    if grant is None:
                        grant = self._grants(masked_db).tolist()
                    k, g = 0, grant[c][i]
                else:
                    k += 1
                marks.append(0 < k <= g)
            since[c], allowed[c] = k, g
            out.append(marks)
        if voiced.shape[1]:
            self._since_voiced = np.array(since, np.int64)
            self._voiced_grant = np.array(allowed, np.int64)
        return np.array(out, bool).reshape(voiced.shape)

    @property
    def frames_emitted(self) -> int:
        return self._emitted

    @property
    def crosstalk_options(self) -> CrosstalkOptions:
        """The crosstalk and echo settings in force."""
        return self._crosstalk.o

    def echo_paths(self) -> list[EchoPathState | None]:
        """Per channel, the echo of another channel it carries, if one was found
        (:class:`~calltone.audio.crosstalk.EchoPath`)."""
        return self._crosstalk.echo_paths()

    def push(self, samples: np.ndarray) -> FrameBlock:
        if self._finished:
            raise AudioError("the stream is finished; start a new one for more audio")
        x = np.asarray(samples)
        if x.ndim == 1 and self.n_channels == 1:
            x = x[None, :]
        if x.ndim != 2 or x.shape[0] != self.n_channels:
            raise AudioError(
                f"expected samples shaped (channels={self.n_channels}, n), got {x.shape}; "
                "pass one row per channel"
            )
        x = x.astype(np.float32, copy=False)
        piece = _FRONT_PIECE_SAMPLES
        if x.shape[1] <= piece:
            return self._advance(self._front.push(x), final=False)
        # A long chunk (a recording's) goes through the front end in pieces: its frames are the
        # same to the bit however the audio is cut (module notes), and the pieces' arrays stay
        # small enough to be reused by the allocator (a 10 s chunk's were fresh pages each time).
        raws = [self._front.push(x[:, i : i + piece]) for i in range(0, x.shape[1], piece)]
        return self._advance(_concat_raw(raws), final=False)

    def finish(self) -> FrameBlock:
        if self._finished:
            return self._empty_block()
        raw = self._front.push(np.zeros((self.n_channels, 0), np.float32), final=True)
        block = self._advance(raw, final=True)
        self._finished = True
        return block

    def _empty_block(self) -> FrameBlock:
        return FrameBlock(
            self._emitted, np.zeros(0), [ChannelFrames.empty() for _ in range(self.n_channels)]
        )

    def _advance(self, raw: _RawFrames, *, final: bool) -> FrameBlock:
        o = self.o
        loud, f0, aper = raw.loudness_dbfs, raw.f0_hz, raw.aperiodicity
        energetic = raw.energetic
        # Crosstalk: a channel far quieter than a louder simultaneous channel is not speaking,
        # unless it shows a voice of its own (audio/crosstalk.py).
        leak = self._crosstalk.push(loud, f0, aper, energetic)
        raw_speech = energetic & ~leak
        weak = plain_weak = raw.sustain
        voiced = (
            np.isfinite(f0) & (raw.voicing_aperiodicity <= o.voicing_max_aperiodicity) & raw_speech
        )
        if raw.masked_db is not None:
            voice = raw_speech & (
                raw.voicing_aperiodicity <= np.float32(o.vad_masked_voice_max_aperiodicity)
            )
            tail = self._masked_tail(raw.masked_db, voice) & ~raw_speech
            weak = tail if weak is None else (weak | tail)
        if weak is not None and self.n_channels > 1:
            # The other parties' leak is covered too: it comes while another channel talks.
            others = self._others_talking(raw_speech, bool(weak.any()))
            if others is not None:
                weak = weak & ~others
                if plain_weak is not None:
                    plain_weak = plain_weak & ~others
        for c in range(self.n_channels):
            labels = self._gates[c].push(raw_speech[c], None if weak is None else weak[c])
            if final:
                labels = np.concatenate((labels, self._gates[c].flush()))
            self._labels[c] = np.concatenate((self._labels[c], labels))
            if self._plain_gates is not None:
                g = self._plain_gates[c]
                heard = g.push(raw_speech[c], None if plain_weak is None else plain_weak[c])
                if final:
                    heard = np.concatenate((heard, g.flush()))
                self._heard[c] = np.concatenate((self._heard[c], heard))
        r_ctx = self._radius
        # Fields in _HELD_FILL order; both HNRs through one conversion.
        new = np.concatenate(
            (
                np.stack((loud, np.where(voiced, f0, np.float32(np.nan)), raw.tilt_db)),
                _hnr_db_f32(np.stack((aper, raw.band_aperiodicity))),
                raw.alpha_db[None],
            )
        )
        if final:  # the silence that closes the stream: r_ctx frames of each field's fill
            fill = np.broadcast_to(
                _HELD_FILL[:, None, None], (_HELD_FILL.size, self.n_channels, r_ctx)
            )
            new = np.concatenate((new, fill), axis=2)
            voiced = np.concatenate((voiced, np.zeros((self.n_channels, r_ctx), bool)), axis=1)
        self._held = np.concatenate((self._held, new), axis=2)
        self._voiced = np.concatenate((self._voiced, voiced), axis=1)
        # Frames that are finished everywhere: label known and right context present.
        ready = min(
            min(lab.size for lab in self._labels),
            self._voiced.shape[1] - 2 * r_ctx,
        )
        if self._plain_gates is not None:
            ready = min(ready, min(lab.size for lab in self._heard))
        ready = max(ready, 0)
        if ready == 0:
            return self._empty_block()
        mid = slice(r_ctx, r_ctx + ready)
        span = slice(0, ready + 2 * r_ctx)
        out = self._held[:, :, mid].copy()  # (fields, channels, ready): the frames emitted
        raw_f0 = self._held[1]
        past_n = self._f0_past.shape[1]
        steady = _steady_pitch(self._f0_past, raw_f0[:, span], o)
        firsts = out[1].copy()  # the first continuity pass's output (the raw track if steady)
        for c in range(self.n_channels):
            if steady[c]:
                continue
            # Judged against the raw track on both sides (never the corrected one), so the
            # result does not depend on where a block ended.
            first = _pitch_continuity(raw_f0[c, span], r_ctx, o)
            firsts[c] = first
            if past_n:
                first = _pitch_past_context(
                    self._f0_past[c], first, raw_f0[c, r_ctx + 1 : 2 * r_ctx + ready], r_ctx, o
                )
            out[1, c] = first
        if past_n:
            self._f0_past = np.concatenate((self._f0_past, firsts), axis=1)[:, -past_n:]
        labels = np.array([lab[:ready] for lab in self._labels])
        heard = (
            labels if self._plain_gates is None else np.array([lab[:ready] for lab in self._heard])
        )
        voiced_mid = self._voiced[:, mid]
        voiced_out = voiced_mid & heard & np.isfinite(out[1])
        nuclei = np.zeros((self.n_channels, ready), bool)
        for c in range(self.n_channels):
            if not voiced_mid[c].any():
                continue  # nuclei lie in voiced frames only
            nuclei[c] = _nuclei(self._held[0, c, span], self._voiced[c, span], o)[mid] & heard[c]
        chans = [
            ChannelFrames(
                loudness_dbfs=out[0, c],
                f0_hz=out[1, c],
                voiced=voiced_out[c],
                speech=labels[c],
                nucleus=nuclei[c],
                tilt_db=out[2, c],
                hnr_db=out[3, c],
                band_hnr_db=out[4, c],
                speech_heard=None if self._plain_gates is None else heard[c],
                alpha_db=out[5, c],
            )
            for c in range(self.n_channels)
        ]
        self._labels = [lab[ready:] for lab in self._labels]
        if self._plain_gates is not None:
            self._heard = [lab[ready:] for lab in self._heard]
        self._held = self._held[:, :, ready:]
        self._voiced = self._voiced[:, ready:]
        idx = np.arange(self._emitted, self._emitted + ready)
        block = FrameBlock(self._emitted, np.asarray(o.frame_time_s(idx), dtype=np.float64), chans)
        self._emitted += ready
        return block


#: Fill of each held float field (loudness, voiced pitch, tilt, HNR, band HNR, alpha ratio)
#: before the first frame and after the last: silence, no pitch, no tilt, the lowest HNR, no
#: alpha ratio.
_HELD_FILL = np.array([SILENCE_DBFS, np.nan, 0.0, HNR_MIN_DB, HNR_MIN_DB, 0.0], np.float32)


def _hnr_db_f32(aperiodicity: np.ndarray) -> np.ndarray:
    """:func:`hnr_db_from_aperiodicity` in fewer numpy calls (the same numbers: ``clip`` of
    floats is ``minimum(maximum(...))``)."""
    d = np.minimum(np.maximum(aperiodicity.astype(np.float64), 1e-3), 1.0)
    h = 10.0 * np.log10(np.maximum(1.0 - d, 1e-12) / d)  # both terms positive: no warning
    return np.minimum(np.maximum(h, HNR_MIN_DB), HNR_MAX_DB).astype(np.float32)


def _steady_pitch(past_hz: np.ndarray, span_hz: np.ndarray, o: FeatureOptions) -> np.ndarray:
    """Channels whose continuity passes return their raw track unchanged, decided at once.

    Every value :func:`_pitch_continuity` and :func:`_pitch_past_context` read is in the
    first pass's past output (``past_hz``, channels x frames) or the raw span (``span_hz``).
    When all of them lie within the jump limit of each other (or none is voiced), no local
    median can sit a jump away from any frame, and both passes take their exact shortcut.
    The test here is on the ratio of highest to lowest pitch, with a margin (1e-9 relative)
    far over the rounding of the passes' semitone arithmetic, so a channel called steady here
    is steady by their own test too; the others go through the passes.
    """
    vals = np.concatenate((past_hz, span_hz), axis=1) if past_hz.shape[1] else span_hz
    # All-NaN rows (no voiced frame) give NaN, without a warning: steady.
    hi = np.fmax.reduce(vals, axis=1).astype(np.float64)
    lo = np.fmin.reduce(vals, axis=1).astype(np.float64)
    ratio = 2.0 ** (o.pitch_jump_max_st / 12.0) * (1.0 - 1e-9)
    return np.asarray(~(hi > lo * ratio))


def extract_features(samples: np.ndarray, options: FeatureOptions | None = None) -> FrameBlock:
    """Frame features of a whole ``(channels, n)`` signal in one call (for tests and tools)."""
    x = np.atleast_2d(samples)
    stream = FeatureStream(x.shape[0], options)
    blocks = [stream.push(x), stream.finish()]
    return concat_blocks(blocks)


def concat_blocks(blocks: list[FrameBlock]) -> FrameBlock:
    """Join consecutive blocks into one."""
    blocks = [b for b in blocks if len(b)] or blocks[:1]
    if not blocks:
        raise AudioError("no frame blocks to join")
    n_ch = len(blocks[0].channels)
    chans = []
    names = (
        "loudness_dbfs",
        "f0_hz",
        "voiced",
        "speech",
        "nucleus",
        "tilt_db",
        "hnr_db",
        "band_hnr_db",
        "alpha_db",
    )
    for c in range(n_ch):
        parts = [b.channels[c] for b in blocks]
        fields = {name: np.concatenate([getattr(p, name) for p in parts]) for name in names}
        heard = (
            None
            if all(p.speech_heard is None for p in parts)
            else np.concatenate([p.heard for p in parts])
        )
        chans.append(ChannelFrames(**fields, speech_heard=heard))
    return FrameBlock(blocks[0].start_index, np.concatenate([b.times_s for b in blocks]), chans)
