"""Mono two-speaker diarization, role assignment and ``analyze --separate`` (issue 20)."""

from __future__ import annotations

import itertools
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from scipy.signal import butter, lfilter, sosfilt

from calltone.audio.decode import load_audio
from calltone.audio.errors import ParameterError
from calltone.audio.features import extract_features
from calltone.audio.speakers import (
    SpeakerFeatureOptions,
    gate_speech,
    speaker_frames,
    speaker_windows,
)
from calltone.models.diarization import (
    Diarization,
    DiarizationConfig,
    DiarizationError,
    Turn,
    _initial_split,
    _ramped,
    assign_roles,
    diarize,
    edge_owner,
    split_channels,
)
from tests.support.synth import SR, shared_data_dir, silence, voiced

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "bench"))

from der import der, load_rttm, segments_from_mask  # noqa: E402
from telephone import ChannelCondition, through  # noqa: E402

PHONE_CALL_DER_BOUND = 0.30
"""Bound on the phone-call sample's DER, not fitted on that file: the median DER of the fitting
set (AMI dev00 25.7 %, dev01 42.5 %, AMI sources 0+1 18.8 %, 2+3 49.6 %, LCA call 0.2 % wideband,
0.6 % G.711: median 22 %) plus 8 points. The file scores 12.6 % (docs/benchmarks.md)"""


def _voice_a(dur_s: float, seed: int) -> np.ndarray:
    """Low, dark voice: 110 Hz harmonics through a one-pole low-pass."""
    return lfilter([0.3], [1.0, -0.7], voiced(110.0, dur_s, -24.0, seed=seed)).astype(np.float32)


def _voice_b(dur_s: float, seed: int) -> np.ndarray:
    """Higher, brighter voice: 230 Hz harmonics through a first difference (treble lift)."""
    return lfilter([1.0, -0.8], [1.0], voiced(230.0, dur_s, -22.0, seed=seed)).astype(np.float32)


def _two_voice_mix() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A then B alternating with pauses; returns the mix and its reference turns."""
    plan = [("A", 3.0), ("B", 2.5), ("A", 2.0), ("B", 3.0), ("A", 2.5), ("B", 2.0), ("A", 2.0)]
    parts, ref, t = [silence(0.5)], [], 0.5
    for k, (who, dur) in enumerate(plan):
        x = _voice_a(dur, k) if who == "A" else _voice_b(dur, k)
        parts += [x, silence(0.6, seed=k + 10)]
        ref.append((t, t + dur, who))
        t += dur + 0.6
    return np.concatenate(parts), ref


def _overlapping_mix() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """A and B alternating; every second change has B or A start 0.8 s before the other ends."""
    plan = [("A", 3.0), ("B", 2.5), ("A", 2.0), ("B", 3.0), ("A", 2.5), ("B", 2.0), ("A", 2.0)]
    t, placed = 0.5, []
    for k, (who, dur) in enumerate(plan):
        placed.append((t, _voice_a(dur, k) if who == "A" else _voice_b(dur, k), who))
        t += dur + (0.6 if k % 2 == 0 else -0.8)
    n = round((t + 1.0) * SR)
    mix = silence(n / SR, seed=99)[:n].copy()
    for start, x, _ in placed:
        i = round(start * SR)
        mix[i : i + x.size] += x
    return mix, [(s, s + x.size / SR, who) for s, x, who in placed]


VOWELS_HZ = ((700, 1220, 2600), (300, 2300, 3000), (570, 840, 2410), (440, 1020, 2240))
"""F1-F3 of four vowels (adult male averages); a voice says them in turn, 0.2 s each."""

WIDE_BAND = SpeakerFeatureOptions(
    fmin_hz=100.0, fmax_hz=3800.0, band_filter_order=0, window_pause_s=None
)
"""The speaker features before they were limited to the telephone band (for comparison)."""


def _formant_voice(f0_hz: float, tract: float, dur_s: float, seed: int) -> np.ndarray:
    """A glottal pulse train at ``f0_hz`` (drifting +-6 %, -6 dB/octave) through three formant
    resonators of vowels scaled by ``tract`` (a shorter vocal tract: higher formants), with
    energy from the fundamental (below 300 Hz) up to ~4 kHz: what a phone line cuts matters."""
    rng = np.random.default_rng(seed)
    n = int(dur_s * SR)
    t = np.arange(n) / SR
    phase = np.cumsum(f0_hz * (1 + 0.06 * np.sin(2 * np.pi * 0.7 * t + rng.uniform(0, 6)))) / SR
    src = lfilter([1.0], [1.0, -0.95], (np.diff(np.floor(phase), prepend=0) > 0).astype(float))
    out = np.zeros(n)
    seg = int(0.2 * SR)
    for k, a in enumerate(range(0, n, seg)):
        y = src[a : a + seg]
        for fc, bw in zip(
            [f * tract for f in VOWELS_HZ[(k + seed) % 4]], (80, 100, 140), strict=True
        ):
            r, th = np.exp(-np.pi * bw / SR), 2 * np.pi * fc / SR
            y = lfilter([1 - r], [1, -2 * r * np.cos(th), r * r], y)
        out[a : a + seg] = y
    x = out * (0.6 + 0.4 * np.sin(2 * np.pi * 4 * t) ** 2)
    x = x + 1e-3 * np.std(x) * rng.standard_normal(n)
    return (x * 10 ** (-24 / 20) / np.sqrt(np.mean(x**2))).astype(np.float32)


def _formant_mix() -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Voice A (120 Hz, tract 1.0) and voice B (210 Hz, formants x1.17) taking turns."""
    plan = [("A", 3.0), ("B", 2.5), ("A", 2.0), ("B", 3.0), ("A", 2.5), ("B", 2.0), ("A", 2.0)]
    parts, ref, t = [silence(0.5)], [], 0.5
    for k, (who, dur) in enumerate(plan):
        f0, tract = (120.0, 1.0) if who == "A" else (210.0, 1.17)
        parts += [_formant_voice(f0, tract, dur, k), silence(0.6, seed=k + 10)]
        ref.append((t, t + dur, who))
        t += dur + 0.6
    return np.concatenate(parts), ref


def _voice_stats(
    x: np.ndarray, ref: list[tuple[float, float, str]], options: SpeakerFeatureOptions
) -> list[np.ndarray]:
    """Per voice: the mean and spread of its frames' normalised cepstra (what windows embed)."""
    ch = extract_features(x[None]).channels[0]
    fr = speaker_frames(x, ch.speech, ch.f0_hz, ch.loudness_dbfs, options)
    who = np.full(len(fr), -1)
    for s, e, w in ref:
        who[round(s * 100) + 5 : round(e * 100) - 5] = 0 if w == "A" else 1
    return [
        np.concatenate(
            [fr.mfcc[(who == k) & fr.speech].mean(0), fr.mfcc[(who == k) & fr.speech].std(0)]
        )
        for k in (0, 1)
    ]


def _line_shift(options: SpeakerFeatureOptions, line: ChannelCondition | str) -> float:
    """How far a phone line moves each voice's statistics, as a fraction of the distance
    between the two voices (0: the line changes nothing)."""
    mix, ref = _formant_mix()
    wide = _voice_stats(mix, ref, options)
    narrow = _voice_stats(through(mix, line), ref, options)
    shift = max(float(np.linalg.norm(wide[k] - narrow[k])) for k in (0, 1))
    return shift / float(np.linalg.norm(wide[0] - wide[1]))


def test_formant_voices_are_told_apart_wideband_and_through_a_phone_line() -> None:
    mix, ref = _formant_mix()
    for line in (None, ChannelCondition("nb"), "nb_ulaw"):
        x = mix if line is None else through(mix, line)
        d = diarize(x)
        hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
        assert der(ref, hyp, collar_s=0.25, uem_end_s=x.size / SR).der < 0.05, line


def test_speaker_features_in_the_telephone_band_do_not_move_with_the_line() -> None:
    """Band-limiting to 300-3400 Hz and resampling to 8 kHz leaves the default (telephone-band,
    band-filtered) features of each voice where they were; the 100-3800 Hz features move
    several times more (the fundamental's band is cut)."""
    line = ChannelCondition("nb")
    now = _line_shift(SpeakerFeatureOptions(), line)
    before = _line_shift(WIDE_BAND, line)
    assert now < 0.05 and before > 3 * now, (now, before)


def test_spectral_floor_hides_g711_quantisation_noise() -> None:
    """u-law noise fills the quiet bands of a narrowband call; a floor 40 dB under each frame's
    loudest band puts those bands at the same level wideband and through G.711."""
    plain = _line_shift(SpeakerFeatureOptions(), "nb_ulaw")
    floored = _line_shift(SpeakerFeatureOptions(spectral_floor_db=40.0), "nb_ulaw")
    assert floored < 0.1 and floored < plain / 3, (floored, plain)


def test_speaker_gate_keeps_speech_on_a_noisy_line() -> None:
    """Two formant voices with steady noise 15 dB under them: a bar 20 dB over the noise floor
    sits in the speech and drops much of it; ``gate_db_under_speech`` keeps what is near the
    loud speech. On the same call without the noise both gates keep the same frames."""
    mix, _ref = _formant_mix()
    noise = np.random.default_rng(5).normal(size=mix.size).astype(np.float32)
    noise *= np.sqrt(np.mean(mix[np.abs(mix) > 0.01] ** 2)) / np.std(noise) * 10 ** (-15 / 20)
    for x, noisy in ((mix + noise, True), (mix, False)):
        ch = extract_features(x[None]).channels[0]
        speech = np.asarray(ch.speech, dtype=bool)
        kept = {
            name: int(gate_speech(speech, ch.loudness_dbfs, opts).sum())
            for name, opts in (
                ("floor", SpeakerFeatureOptions(gate_db_under_speech=None)),
                ("default", SpeakerFeatureOptions()),
            )
        }
        if noisy:
            assert kept["default"] > 0.9 * speech.sum() and kept["floor"] < 0.7 * speech.sum(), kept
        else:
            assert kept["default"] == kept["floor"], kept


def _formant_mix_with_thump() -> np.ndarray:
    """The formant-voice call after 1 s of line noise holding a 0.4 s thump at 60-150 Hz
    (-35 dBFS): loud over the noise floor full-band, nothing left of it in 300-3400 Hz."""
    mix, _ref = _formant_mix()
    rng = np.random.default_rng(3)
    n = round(0.4 * SR)
    thump = sosfilt(butter(4, [60, 150], btype="bandpass", fs=SR, output="sos"), rng.normal(size=n))
    thump *= np.hanning(n) * 10 ** (-35 / 20) / np.sqrt(np.mean(thump**2))
    lead = silence(1.0, seed=7)
    lead[round(0.3 * SR) : round(0.3 * SR) + n] += thump.astype(np.float32)
    return np.concatenate([lead, mix])


def test_speaker_gate_reads_the_feature_band_so_a_phone_copy_is_gated_alike() -> None:
    """A sound below the telephone band (a thump) passes a gate on full-band loudness in the
    wideband call and not in its band-limited copy (the line removed it), so the two copies
    would embed different windows; read in the 300-3400 Hz band it is gated out of both."""
    x = _formant_mix_with_thump()
    thump = slice(30, 70)  # frames of 0.3-0.7 s
    kept: dict[bool, list[np.ndarray]] = {}
    for on_band in (False, True):
        opts = SpeakerFeatureOptions(gate_on_band_level=on_band)
        kept[on_band] = []
        for y in (x, through(x, ChannelCondition("nb"))):
            ch = extract_features(y[None]).channels[0]
            kept[on_band].append(
                speaker_frames(y, ch.speech, ch.f0_hz, ch.loudness_dbfs, opts).speech
            )
    wide, narrow = kept[False]
    assert wide[thump].mean() > 0.5 and narrow[thump].mean() == 0.0  # full-band: copies differ
    wide, narrow = kept[True]
    assert wide[thump].mean() == 0.0 and narrow[thump].mean() == 0.0
    assert np.mean(wide == narrow) > 0.995
    assert wide.sum() > 0.9 * kept[False][0].sum() - 40  # the voices' frames are all still there


def test_wideband_and_band_limited_copies_give_the_same_turns() -> None:
    """Two formant voices alternating (and a thump below the band before them): the wideband
    call, its 8 kHz band-limited copy and its G.711 copy give the same speaker on >= 98 % of the
    frames where all three find speech, and each separates the voices."""
    x = _formant_mix_with_thump()
    _mix, ref = _formant_mix()
    ref = [(s + 1.0, e + 1.0, w) for s, e, w in ref]
    labels = []
    for line in (None, ChannelCondition("nb"), "nb_ulaw"):
        y = x if line is None else through(x, line)
        d = diarize(y)
        hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
        assert der(ref, hyp, collar_s=0.25, uem_end_s=y.size / SR).der < 0.05, line
        labels.append(d.frame_speaker)
    n = min(lab.size for lab in labels)
    both = np.all([(lab[:n] == 0) | (lab[:n] == 1) for lab in labels], axis=0)
    for other in labels[1:]:
        same = np.mean(labels[0][:n][both] == other[:n][both])
        assert max(same, 1 - same) > 0.98, same


def test_normalised_cut_does_not_split_off_a_few_odd_windows() -> None:
    """Windows of two voices (40 each, +-0.7 apart in 10 of 25 dimensions) and 4 odd windows
    far off (+15) in 5 others (a laugh, a thump): Ward's two clusters are the odd windows
    against the rest; the normalised cut splits the two voices."""
    rng = np.random.default_rng(0)
    dim = 25
    a = rng.normal(size=(40, dim))
    b = rng.normal(size=(40, dim))
    a[:, :10] += 0.7
    b[:, :10] -= 0.7
    odd = rng.normal(size=(4, dim))
    odd[:, 10:15] += 15.0
    emb = np.vstack([a, b, odd])
    z = (emb - emb.mean(axis=0)) / emb.std(axis=0)
    truth = np.r_[np.zeros(40), np.ones(40)]
    ward = _initial_split(z, DiarizationConfig(init_method="ward"))
    assert len(set(ward[80:].tolist())) == 1 and np.sum(ward == ward[80]) <= 10  # odd ones out
    cut = _initial_split(z, DiarizationConfig())
    acc = np.mean(cut[:80] == truth)
    assert max(acc, 1 - acc) >= 0.95, acc


def test_embedding_windows_do_not_span_a_pause() -> None:
    """With ``window_pause_s`` no window covers a pause that long, and a stretch of speech
    shorter than a window (but >= ``min_window_s``) is one window."""
    hop = 0.01
    speech = np.zeros(600, dtype=bool)
    speech[50:60] = True  # 0.1 s: too short to embed
    speech[100:150] = True  # 0.5 s: one window
    speech[170:400] = True  # 2.3 s after a 0.2 s pause: windows of 0.8 s inside it
    frames = speaker_frames(
        np.zeros(600 * 160, dtype=np.float32), speech, np.zeros(600), np.full(600, -20.0)
    )
    frames = type(frames)(
        mfcc=np.random.default_rng(0).normal(size=frames.mfcc.shape),
        speech=speech,
        f0_hz=frames.f0_hz,
        loudness_dbfs=frames.loudness_dbfs,
        hop_s=hop,
    )
    win = speaker_windows(frames, SpeakerFeatureOptions(window_pause_s=0.2))
    spans = list(zip(win.start_frame.tolist(), win.end_frame.tolist(), strict=True))
    assert spans[0] == (100, 150)
    assert all(s >= 170 and e <= 400 and e - s == 80 for s, e in spans[1:])
    assert spans[-1][1] == 400 and len(spans) >= 5
    across = speaker_windows(frames, SpeakerFeatureOptions(window_pause_s=None))
    assert any(
        s < 150 and e > 170 for s, e in zip(across.start_frame, across.end_frame, strict=True)
    )


def test_der_scorer_counts_each_error_kind() -> None:
    ref = [(0.0, 2.0, "a"), (2.0, 4.0, "b")]
    assert der(ref, [(0.0, 2.0, "x"), (2.0, 4.0, "y")]).der == 0.0  # labels are mapped
    swapped_half = der(ref, [(0.0, 4.0, "x")], collar_s=0.0)
    assert swapped_half.confusion_s == pytest.approx(2.0, abs=0.02)
    assert der(ref, [], collar_s=0.0).der == pytest.approx(1.0)
    overlap = der([(0.0, 2.0, "a"), (1.0, 2.0, "b")], [(0.0, 2.0, "x")], collar_s=0.0)
    assert overlap.missed_s == pytest.approx(1.0, abs=0.02)  # overlap is scored
    assert overlap.reference_s == pytest.approx(3.0, abs=0.02)


def test_two_synthetic_voices_are_told_apart_and_first_is_agent() -> None:
    mix, ref = _two_voice_mix()
    d = diarize(mix)
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    result = der(ref, hyp, collar_s=0.25, uem_end_s=mix.size / SR)
    assert d.n_speakers == 2
    assert result.der < 0.08, result
    roles = assign_roles(d)
    assert (roles.agent_speaker, roles.decided_by) == (0, "first_speaker")
    # speaker 0 is voice A (first to speak)
    first_a = next(t for t in d.turns if t.start_s < 1.0)
    assert first_a.speaker == 0 and 0.5 < first_a.confidence <= 1.0


@pytest.mark.parametrize(
    "cfg",
    [
        DiarizationConfig(restarts=3),
        DiarizationConfig(features=SpeakerFeatureOptions(fmin_hz=300.0, normalise_variance=True)),
        DiarizationConfig(features=SpeakerFeatureOptions(lowest_cepstrum=2)),
    ],
)
def test_optional_mechanisms_still_tell_two_voices_apart(cfg: DiarizationConfig) -> None:
    """Restarts, the telephone band with CMVN and dropping c1 (off by default; measured in
    docs/diarization.md) keep a clear two-voice call separated."""
    mix, ref = _two_voice_mix()
    d = diarize(mix, cfg)
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    assert der(ref, hyp, collar_s=0.25, uem_end_s=mix.size / SR).der < 0.08


def test_a_split_second_first_turn_does_not_make_its_speaker_the_agent() -> None:
    """Voice B says 0.5 s, then A opens the call with a 3 s turn: without words the agent is
    A, the first speaker with a turn of at least ``role_first_turn_min_s``."""
    mix, _ref = _two_voice_mix()
    blip = np.concatenate([silence(0.3), _voice_b(0.5, 42), silence(0.7, seed=43)])
    d = diarize(np.concatenate([blip, mix]))
    assert d.turns[0].end_s < 1.3 and d.turns[0].duration_s < 1.0
    roles = assign_roles(d)
    assert roles.decided_by == "first_speaker"
    assert roles.agent_speaker == 1 and d.turns[0].speaker == 0
    at_once = assign_roles(
        Diarization(
            d.turns,
            d.frame_speaker,
            d.hop_s,
            2,
            d.confidence,
            DiarizationConfig(role_first_turn_min_s=0.0),
        )
    )
    assert at_once.agent_speaker == 0


def test_agent_phrases_beat_first_speaker_and_options_override() -> None:
    mix, ref = _two_voice_mix()
    d = diarize(mix)
    b_turn = ref[1]  # voice B, the second speaker
    words = [(ref[0][0], ref[0][1], "hello?"), (b_turn[0], b_turn[1], "Thank you for calling")]
    by_words = assign_roles(d, words)
    assert (by_words.agent_speaker, by_words.decided_by) == (1, "words")
    assert by_words.confidence > 0.6 and "thank you for calling" in by_words.evidence[0]
    assert assign_roles(d, words, mode="first").agent_speaker == 0
    assert assign_roles(d, mode="second").agent_speaker == 1
    with pytest.raises(DiarizationError, match="first, second or auto"):
        assign_roles(d, mode="third")  # type: ignore[arg-type]


def test_overlapped_speech_is_marked_for_both_speakers() -> None:
    """Synthetic voices that overlap by 0.8 s at three changes: the overlap model marks them
    (``overlap_prior_nats=0``: the clear case; the default is fitted on real calls, where
    overlap is rare and frame evidence weak) and both speakers' turns cover them."""
    mix, ref = _overlapping_mix()
    d = diarize(mix, DiarizationConfig(overlap_prior_nats=0.0))
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    assert der(ref, hyp, collar_s=0.25, uem_end_s=mix.size / SR).der < 0.05
    true_overlap = [(b[0], a[1]) for a, b in itertools.pairwise(ref) if b[0] < a[1]]
    # 2 of the 3: the one at 10.6 s is marginal (missed with the Ward start too when the
    # resegmentation runs 4 rounds instead of 2; found with 3), the others are clear
    assert len(true_overlap) == 3 and len(d.overlaps) >= 2 and d.overlap_s() > 1.2
    for s, e in d.overlaps:
        assert any(s >= ts - 0.3 and e <= te + 0.3 for ts, te in true_overlap), (s, e)
    in_both = [t for t in d.turns if t.start_s <= d.overlaps[0][0] and t.end_s >= d.overlaps[0][1]]
    assert {t.speaker for t in in_both} == {0, 1}
    off = diarize(mix, DiarizationConfig(detect_overlap=False))
    off_hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in off.turns]
    assert not off.overlaps and (off.frame_speaker != 2).all()
    assert der(ref, off_hyp, collar_s=0.25, uem_end_s=mix.size / SR).missed_s > 0.5


def test_overlap_is_looked_for_only_next_to_changes_without_a_pause() -> None:
    """With overlap too dear everywhere (``overlap_prior_nats`` 30) nothing is marked; made
    cheap (0) only within ``overlap_near_change_s`` of a change of speaker with no pause, the
    three overlaps (all at such changes) are marked and nothing next to the changes that have
    a 0.6 s pause."""
    mix, ref = _overlapping_mix()
    dear = diarize(mix, DiarizationConfig(overlap_prior_nats=30.0))
    assert not dear.overlaps
    near = diarize(
        mix,
        DiarizationConfig(
            overlap_prior_nats=30.0, overlap_near_change_s=1.5, overlap_prior_at_change_nats=0.0
        ),
    )
    true_overlap = [(b[0], a[1]) for a, b in itertools.pairwise(ref) if b[0] < a[1]]
    assert len(near.overlaps) >= 2, near.overlaps  # the one at 10.6 s is marginal (above)
    for s, e in near.overlaps:
        assert any(s >= ts - 0.3 and e <= te + 0.3 for ts, te in true_overlap), (s, e)


def test_interruptions_in_a_separated_call_carry_lower_confidence() -> None:
    """The interrupting-agent sample summed to mono: the overlap at 33.2 s is marked and the
    session finds the agent's interruption there, with a confidence below its turns' own."""
    from calltone.models.recorded.call import RecordedCallOptions, analyze_recording

    two = load_audio(ROOT / "samples" / "interrupting_agent_call" / "call.wav").samples
    with tempfile.TemporaryDirectory() as tmp:
        mono = Path(tmp) / "mono.wav"
        sf.write(mono, two.sum(axis=0), SR, subtype="PCM_16")
        cfg = DiarizationConfig(overlap_prior_nats=0.0)
        call = analyze_recording(mono, RecordedCallOptions(separate=True, diarization=cfg))
    doc = call.document
    sep = doc["call"]["separation"]
    assert doc["call"]["mode"] == "separated" and sep["overlap_s"] > 1.0
    assert sep["config"]["overlap_prior_nats"] == 0.0
    cut_ins = [e for e in doc["events"] if e["kind"] == "interruption"]
    assert any(e["speaker"] == "agent" and abs(e["start_s"] - 33.25) < 0.5 for e in cut_ins)
    for e in cut_ins:
        assert 0 < e["evidence"]["confidence"] <= 0.5 and "separated" in e["evidence"]
    assert "evidence.confidence" in doc["notes"][0]


def test_split_channels_masks_the_other_speaker() -> None:
    mix, ref = _two_voice_mix()
    d = diarize(mix)
    two = split_channels(mix, d, agent_speaker=0)
    a0, a1 = (round(ref[0][0] * SR) + SR // 2, round(ref[0][1] * SR) - SR // 2)
    rms = [float(np.sqrt(np.mean(two[c, a0:a1] ** 2))) for c in (0, 1)]
    assert 20 * np.log10(rms[0] / rms[1]) > 30.0  # A's turn is on the agent row only


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: DiarizationConfig(masking_range_db=0.0), "masking_range_db"),
        (lambda: DiarizationConfig(masking_range_db=float("nan")), "masking_range_db"),
        (lambda: DiarizationConfig(role_words_window_s=-5.0), "role_words_window_s"),
        (lambda: DiarizationConfig(resegment_rounds=0), "resegment_rounds"),
        (lambda: DiarizationConfig(switch_penalty_nats=-1.0), "switch_penalty_nats"),
        (lambda: SpeakerFeatureOptions(window_s=0.0), "window_s"),
        (lambda: SpeakerFeatureOptions(fmin_hz=4000.0, fmax_hz=3800.0), "band"),
        (lambda: SpeakerFeatureOptions(n_mfcc=40, n_mels=30), "n_mfcc"),
        (lambda: SpeakerFeatureOptions(min_speech_fraction=1.5), "min_speech_fraction"),
        (lambda: SpeakerFeatureOptions(lowest_cepstrum=0), "lowest_cepstrum"),
        (lambda: SpeakerFeatureOptions(band_filter_order=20), "band_filter_order"),
        (lambda: SpeakerFeatureOptions(fmin_hz=0.0), "fmin_hz > 0"),
        (lambda: SpeakerFeatureOptions(spectral_floor_db=-3.0), "spectral_floor_db"),
        (lambda: SpeakerFeatureOptions(window_pause_s=0.0), "window_pause_s"),
        (lambda: SpeakerFeatureOptions(min_window_s=2.0), "min_window_s"),
        (lambda: SpeakerFeatureOptions(gate_db_under_speech=0.0), "gate_db_under_speech"),
        (lambda: DiarizationConfig(restarts=-1), "restarts"),
        (lambda: DiarizationConfig(init_method="kmeans"), "init_method"),
        (lambda: DiarizationConfig(spectral_neighbours_fraction=0.0), "spectral_neighbours"),
        (lambda: DiarizationConfig(overlap_level_match_db=0.0), "overlap_level_match_db"),
        (lambda: DiarizationConfig(interruption_confidence_factor=1.5), "interruption_conf"),
        (lambda: DiarizationConfig(separation_method="ica"), "separation_method"),
        (lambda: DiarizationConfig(separation_components=0), "separation_components"),
        (lambda: DiarizationConfig(separation_train_s=0.0), "separation_train_s"),
        (lambda: DiarizationConfig(separation_min_train_s=20.0), "separation_min_train_s"),
        (lambda: DiarizationConfig(separation_iterations=0), "separation_iterations"),
        (lambda: DiarizationConfig(separation_fit_iterations=0), "separation_fit_iterations"),
        (lambda: DiarizationConfig(separation_train_step_s=0.5), "separation_train_step_s"),
        (lambda: DiarizationConfig(separation_nmf_fmax_hz=100.0), "separation_nmf_fmax_hz"),
    ],
)
def test_bad_diarization_settings_raise_parameter_error_naming_them(
    make: object, named: str
) -> None:
    with pytest.raises(ParameterError, match=named):
        make()  # type: ignore[operator]


def test_diarization_says_which_settings_it_used_and_masking_follows_them() -> None:
    mix, ref = _two_voice_mix()
    cfg = DiarizationConfig(masking_range_db=20.0)
    d = diarize(mix, cfg)
    assert d.config is cfg and d.config.to_dict()["masking_range_db"] == 20.0
    assert d.config.to_dict()["features"]["n_mfcc"] == 12
    two = split_channels(mix, d, agent_speaker=0)
    a0, a1 = (round(ref[0][0] * SR) + SR // 2, round(ref[0][1] * SR) - SR // 2)
    rms = [float(np.sqrt(np.mean(two[c, a0:a1] ** 2))) for c in (0, 1)]
    assert 20 * np.log10(rms[0] / rms[1]) == pytest.approx(20.0, abs=1.0)


def _data(*parts: str) -> Path:
    p = shared_data_dir().joinpath(*parts)
    if not p.exists():
        pytest.skip(f"{p} not present (../shared/data)")
    return p


@pytest.mark.realdata
def test_phone_call_sample_der_under_bound_fitted_elsewhere() -> None:
    wav = _data("phone_call_2spk", "sample.wav")
    x = load_audio(wav).samples[0]
    d = diarize(x)
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    r = der(load_rttm(wav.with_suffix(".rttm")), hyp, collar_s=0.25, uem_end_s=x.size / SR)
    assert d.n_speakers == 2
    assert r.der < PHONE_CALL_DER_BOUND, r


@pytest.mark.realdata
def test_lca_call_mix_is_split_and_the_agent_found() -> None:
    """The first minute of the LCA two-channel call summed to mono (a fitting-set file: this
    guards against regressions, it does not validate the settings)."""
    lca = _data("lca_calls", "Auto_Repairs_40_UTC_agent.flac")
    a = load_audio(lca).samples[0][: 60 * SR]
    c = load_audio(lca.with_name("Auto_Repairs_40_UTC_caller.flac")).samples[0][: 60 * SR]
    block = extract_features(np.stack([a, c]))
    ref = [
        *segments_from_mask(block.channels[0].speech, "agent"),
        *segments_from_mask(block.channels[1].speech, "caller"),
    ]
    d = diarize(a + c)
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    assert der(ref, hyp, collar_s=0.25, uem_end_s=60.0).der < 0.15
    roles = assign_roles(d)
    agent_s = {
        who: sum(
            max(0.0, min(e, t.end_s) - max(s, t.start_s))
            for s, e, w in ref
            if w == who
            for t in d.turns
            if t.speaker == roles.agent_speaker
        )
        for who in ("agent", "caller")
    }
    assert agent_s["agent"] > 3 * agent_s["caller"], agent_s


def test_analyze_separate_gives_both_parties_on_a_mono_mix(tmp_path: Path) -> None:
    from calltone.service.cli import main

    two = load_audio(ROOT / "samples" / "escalation_call" / "call.wav").samples
    mono = tmp_path / "mono.wav"
    sf.write(mono, two.sum(axis=0), SR, subtype="PCM_16")
    out = tmp_path / "a.json"
    assert main(["analyze", str(mono), "--separate", "--no-transcribe", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    sep = doc["call"]["separation"]
    assert doc["call"]["source_channels"] == 1 and doc["call"]["channels"] == 2
    assert sep["role_decided_by"] == "first_speaker" and 0 < sep["confidence"] <= 1
    assert sep["config"]["masking_range_db"] == 40.0 and sep["config"]["role_words_window_s"] == 60
    assert "interruptions" in doc["notes"][0]
    yelling = [e for e in doc["events"] if e["kind"] == "yelling"]
    assert yelling and all(e["speaker"] == "customer" for e in yelling)
    for role in ("agent", "customer"):
        assert doc["metrics"][role]["talk_time_s"] > 10.0
    # the agent (espeak f3) is higher than the customer (m3): the roles were not swapped
    assert (
        doc["metrics"]["agent"]["median_pitch_hz"] > doc["metrics"]["customer"]["median_pitch_hz"]
    )


def test_analyze_separate_finds_the_agent_by_words_when_the_customer_speaks_first(
    tmp_path: Path,
) -> None:
    """Real Whisper (bundled tiny.en): the customer's first line is moved to the start, so the
    first-speaker rule would be wrong; "How can I help you?" must decide."""
    from calltone.service.cli import main

    two = load_audio(ROOT / "samples" / "calm_call" / "call.wav").samples
    customer_line = two[1, round(4.6 * SR) : round(8.9 * SR)]  # "Hi. My name is David Jones..."
    mono_x = np.concatenate([customer_line, silence(0.6), two.sum(axis=0)])
    mono = tmp_path / "customer_first.wav"
    sf.write(mono, mono_x, SR, subtype="PCM_16")
    out = tmp_path / "a.json"
    assert main(["analyze", str(mono), "--separate", "--out", str(out)]) == 0
    doc = json.loads(out.read_text())
    sep = doc["call"]["separation"]
    assert sep["role_decided_by"] == "words", sep
    assert any("how can i help" in e for e in sep["role_evidence"]), sep
    m = doc["metrics"]
    assert m["agent"]["median_pitch_hz"] > m["customer"]["median_pitch_hz"]  # f3 agent, m3 customer
    agent_text = " ".join(s["text"] for s in doc["segments"] if s["speaker"] == "agent").lower()
    assert "help" in agent_text


@pytest.mark.parametrize("k", [2, 3, 160, 161])
def test_the_mask_ramp_is_the_moving_average_around_edges_and_the_gain_elsewhere(k: int) -> None:
    rng = np.random.default_rng(k)
    gain = np.repeat(rng.choice([1.0, 0.01], size=300, p=[0.8, 0.2]), 160)  # 10 ms frames
    ramped = _ramped(gain, k)
    full = np.convolve(gain, np.ones(k) / k, mode="same")
    assert np.max(np.abs(ramped - full)) < 1e-12
    # away from any change and from the ends the gain is kept exactly
    near = np.zeros(gain.size, bool)
    for c in np.flatnonzero(np.diff(gain)) + 1:
        near[max(0, c - k) : c + k] = True
    near[:k] = near[-k:] = True
    assert np.array_equal(ramped[~near], gain[~near]) and (~near).any()
    assert ramped[0] < 1.0 or gain[0] < 1.0  # the convolution's zeros outside the call: a ramp


def _syllables(x: np.ndarray, seed: int) -> np.ndarray:
    """``x`` cut into syllables: 0.15-0.35 s on, 0.06-0.15 s off (the dips one talker leaves)."""
    rng = np.random.default_rng(seed)
    gate = np.zeros(x.size)
    i = 0
    while i < x.size:
        on, off = round(rng.uniform(0.15, 0.35) * SR), round(rng.uniform(0.06, 0.15) * SR)
        gate[i : i + on] = 1.0
        i += on + off
    return (x * np.convolve(gate, np.ones(160) / 160, "same")).astype(np.float32)


CUT_IN = (11.2, 12.7)
"""Where voice B talks over voice A in :func:`_cut_in_mix` (B starts 1.5 s before A ends)."""


def _cut_in_mix(cut_in: bool = True) -> tuple[np.ndarray, list[tuple[float, float, str]]]:
    """Formant voices A (120 Hz) and B (210 Hz) in syllables taking seven turns 0.6 s apart;
    with ``cut_in`` B's second turn starts at 11.2 s, 1.5 s before A's turn ends (12.7 s),
    without it at 13.3 s."""
    b2 = CUT_IN[0] if cut_in else 13.3
    plan = [
        ("A", 0.5, 4.0), ("B", 5.1, 3.0), ("A", 8.7, 4.0), ("B", b2, 3.5),
        ("A", b2 + 4.1, 3.0), ("B", b2 + 7.7, 3.0), ("A", b2 + 11.3, 2.5),
    ]  # fmt: skip
    n = round((b2 + 14.8) * SR)
    mix = silence(n / SR, seed=9)[:n].copy()
    for k, (who, start, dur) in enumerate(plan):
        f0, tract = (120.0, 1.0) if who == "A" else (210.0, 1.17)
        x = _syllables(_formant_voice(f0, tract, dur, k), k + (0 if who == "A" else 50))
        i = round(start * SR)
        mix[i : i + x.size] += x
    return mix, [(s, s + d, w) for w, s, d in plan]


SYNTH_TWO_TALKER = DiarizationConfig(two_talker_min_score=0.45, two_talker_extend_score=0.3)
"""Bars for the synthetic voices, set for them (their mix is often still found voiced, so the
score of their overlap peaks at ~0.55): the tests check the mechanism, not the defaults (the
defaults' figures on real and sample calls are in docs/diarization.md)."""


def test_two_talker_score_is_higher_where_two_voices_talk_at_once() -> None:
    """Known answer: the score inside the cut-in is above the score of every stretch of one
    voice at least 1 s away from it."""
    from calltone.audio.features import FeatureStream, concat_blocks
    from calltone.models.diarization import two_talker_score

    mix, _ref = _cut_in_mix()
    cfg = DiarizationConfig()
    stream = FeatureStream(1)
    ch = concat_blocks([stream.push(mix[None]), stream.finish()]).channels[0]
    frames = speaker_frames(mix, ch.speech, ch.f0_hz, ch.loudness_dbfs, cfg.features)
    score = two_talker_score(frames, cfg)
    t = np.arange(score.size) * frames.hop_s
    inside = (t > CUT_IN[0] + 0.3) & (t < CUT_IN[1] - 0.3)
    far = frames.speech & ((t < CUT_IN[0] - 1.0) | (t > CUT_IN[1] + 1.0))
    assert float(np.median(score[inside])) > float(score[far].max()), (
        float(np.median(score[inside])),
        float(score[far].max()),
    )


def test_a_cut_in_is_marked_as_overlap_and_the_newcomer_gets_its_start() -> None:
    """B cuts in over A at 11.2 s: the two-voice stretch next to the pause-less change is
    marked (inside the true overlap, most of it), B's turn starts where B starts (the
    newcomer), A's turn runs on through it; with the mechanism off, nothing is marked and the
    overlap goes to one voice (the turns do not overlap, so no interruption can be found); the same voices with a 0.6 s pause instead mark nothing."""
    mix, _ref = _cut_in_mix()
    d = diarize(mix, SYNTH_TWO_TALKER)
    assert d.overlaps, d.turns
    for s, e in d.overlaps:
        assert s >= CUT_IN[0] - 0.3 and e <= CUT_IN[1] + 0.3, d.overlaps
    assert d.overlap_s() >= 0.5 * (CUT_IN[1] - CUT_IN[0]), d.overlaps
    a_turn = next(t for t in d.turns if t.speaker == 0 and t.start_s < 10 < t.end_s)
    b_turn = next(t for t in d.turns if t.speaker == 1 and t.end_s > 13)
    assert a_turn.end_s >= CUT_IN[1] - 0.3 and abs(b_turn.start_s - CUT_IN[0]) < 0.5, d.turns
    off = diarize(mix, dataclasses_replace(SYNTH_TWO_TALKER, newcomer_overlap=False))
    assert not off.overlaps
    a_off = next(t for t in off.turns if t.speaker == 0 and t.start_s < 10 < t.end_s)
    b_off = next(t for t in off.turns if t.speaker == 1 and t.end_s > 13)
    assert a_off.end_s <= b_off.start_s + 0.05, off.turns  # no overlap: no interruption
    apart, _ = _cut_in_mix(cut_in=False)
    assert not diarize(apart, SYNTH_TWO_TALKER).overlaps


def test_a_stretch_at_the_start_of_a_turn_is_no_cut_in() -> None:
    """The newcomer needs someone talking alone before the two-voice stretch
    (``newcomer_min_prior_s``): asking for more prior talk than A's turn holds before the cut-in
    marks nothing."""
    mix, _ref = _cut_in_mix()
    strict = dataclasses_replace(SYNTH_TWO_TALKER, newcomer_min_prior_s=3.0)
    assert not diarize(mix, strict).overlaps


def dataclasses_replace(cfg: DiarizationConfig, **changes: object) -> DiarizationConfig:
    import dataclasses

    return dataclasses.replace(cfg, **changes)  # type: ignore[arg-type]


@pytest.mark.realdata
def test_cut_ins_between_real_telephone_voices_are_found_and_attributed() -> None:
    """Held out (no setting was chosen on it): the LCA call's two real telephone voices made
    into a call where every second change is a cut-in of 1.0-1.8 s (``bench_diarization.
    cut_in_call``). With the cut-in pass more of what is marked is real overlap than not, at
    least one cut-in is found with the newcomer's turn starting inside it, and the DER is no
    worse than without the pass."""
    from bench_diarization import cut_in_call

    lca = _data("lca_calls", "Auto_Repairs_40_UTC_agent.flac")
    a = load_audio(lca).samples[0]
    c = load_audio(lca.with_name("Auto_Repairs_40_UTC_caller.flac")).samples[0]
    case = cut_in_call(c, a, "cutin_lca", 1, turns=16)
    assert case is not None
    uem = case.mono.size / SR
    d = diarize(case.mono)
    off = diarize(case.mono, DiarizationConfig(newcomer_overlap=False))
    hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in d.turns]
    off_hyp = [(t.start_s, t.end_s, f"s{t.speaker}") for t in off.turns]
    assert not off.overlaps
    assert der(case.reference, hyp, collar_s=0.25, uem_end_s=uem).der <= (
        der(case.reference, off_hyp, collar_s=0.25, uem_end_s=uem).der
    )
    hop = d.hop_s
    n = d.frame_speaker.size
    per = {}
    for s, e, who in case.reference:
        m = per.setdefault(who, np.zeros(n, dtype=bool))
        m[round(s / hop) : round(e / hop)] = True
    both = per["ch0"] & per["ch1"]
    marked = d.frame_speaker == 2
    assert marked.any() and (marked & both).sum() > 0.5 * marked.sum()
    onsets = [s for s, _e, _w in case.reference if both[round(s / hop) : round(s / hop) + 30].all()]
    found = [
        u
        for u in onsets
        if any(abs(t.start_s - u) < 0.5 for t in d.turns)
        and marked[round(u / hop) : round(u / hop) + 100].any()
    ]
    assert found, (onsets, d.overlaps)


def test_harmonic_split_gives_each_voice_its_own_harmonics() -> None:
    """Known answer: two harmonic voices (110 Hz and 230 Hz, drifting, equal level) summed;
    each separated signal is closer to its own voice than the mix is (signal-to-interference
    up by >= 3 dB for both)."""
    from calltone.models.diarization import harmonic_split

    a, b = _formant_voice(110.0, 1.0, 2.0, 1), _formant_voice(230.0, 1.17, 2.0, 2)
    mix = a + b
    ya, yb = harmonic_split(mix, 110.0, 230.0, DiarizationConfig())

    def sir_db(ref: np.ndarray, est: np.ndarray) -> float:
        return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est) ** 2)))

    inner = slice(SR // 10, -SR // 10)
    for ref, est in ((a, ya), (b, yb)):
        assert sir_db(ref[inner], est[inner]) >= sir_db(ref[inner], mix[inner]) + 3.0


def _cut_in_sources() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`_cut_in_mix` (with the cut-in) and its two voices apart: (mix, A, B); the mix is
    A + B + the line's noise floor."""
    mix, ref = _cut_in_mix()
    tracks = {"A": np.zeros(mix.size, dtype=np.float32), "B": np.zeros(mix.size, dtype=np.float32)}
    for k, (start, end, who) in enumerate(ref):
        f0, tract = (120.0, 1.0) if who == "A" else (210.0, 1.17)
        dur = round(end - start, 6)
        x = _syllables(_formant_voice(f0, tract, dur, k), k + (0 if who == "A" else 50))
        i = round(start * SR)
        tracks[who][i : i + x.size] += x
    return mix, tracks["A"], tracks["B"]


def test_nmf_split_gives_each_voice_its_own_share_of_a_cut_in() -> None:
    """Known answer: B cuts in over A (:func:`_cut_in_mix`); each speaker's dictionary is
    learned from the call's own single-talker frames and the marked overlap is split with
    them: each separated signal is closer to its own voice than the mix is (signal-to-
    interference up by >= 6 dB for both), and the two parts add up to the mix."""
    from calltone.models.diarization import nmf_split, speaker_dictionaries

    mix, a, b = _cut_in_sources()
    d = diarize(mix, SYNTH_TWO_TALKER)
    assert d.overlaps, d.turns
    dictionaries = speaker_dictionaries(mix, d)
    assert dictionaries is not None
    first = int(d.frame_speaker[round(2.0 / d.hop_s)])  # A talks alone at 2 s
    assert first in (0, 1)
    wa, wb = dictionaries[first], dictionaries[1 - first]

    def sir_db(ref: np.ndarray, est: np.ndarray) -> float:
        return float(10 * np.log10(np.sum(ref**2) / np.sum((ref - est) ** 2)))

    for s, e in d.overlaps:
        lo, hi = round(s * SR), round(e * SR)
        ya, yb = nmf_split(mix[lo:hi], (wa, wb), d.config)
        assert np.allclose(ya + yb, mix[lo:hi], atol=1e-4)
        inner = slice(SR // 20, -SR // 20)
        for ref, est in ((a[lo:hi], ya), (b[lo:hi], yb)):
            gain = sir_db(ref[inner], est[inner]) - sir_db(ref[inner], mix[lo:hi][inner])
            assert gain >= 6.0, (s, e, gain)


def test_no_dictionary_without_enough_single_talker_speech() -> None:
    """A speaker with less single-talker speech than ``separation_min_train_s`` gets no
    dictionary: nothing is separated (the overlap stays the mix in both channels)."""
    from calltone.models.diarization import speaker_dictionaries

    mix, _ref = _cut_in_mix()
    few = dataclasses_replace(SYNTH_TWO_TALKER, separation_min_train_s=11.0)
    d = diarize(mix, few)
    assert d.overlaps
    assert speaker_dictionaries(mix, d) is None
    plain = split_channels(mix, dataclasses_replace_diar(d, overlap_separation=False), 0)
    sep = split_channels(mix, dataclasses_replace_diar(d, overlap_separation=True), 0)
    assert np.array_equal(plain, sep)


def test_a_cue_said_inside_marked_overlap_says_so_and_is_kept() -> None:
    """A phrase cue inside a marked overlap of a separated call gets ``evidence.in_overlap``
    (heard with less certainty); one outside does not; nothing is dropped; interruptions and
    other events are left alone."""
    from calltone.models.diarization import RoleDecision, Separation

    mix, _ref = _cut_in_mix()
    d = diarize(mix, SYNTH_TWO_TALKER)
    assert d.overlaps
    s0, e0 = d.overlaps[0]
    sep = Separation(split_channels(mix, d, 0), d, RoleDecision(0, "option_first", 1.0, []))
    events = [
        {"kind": "phrase", "speaker": "agent", "start_s": s0 + 0.1, "end_s": e0 - 0.1,
         "evidence": {"cue": "negative_phrasing"}},
        {"kind": "phrase", "speaker": "agent", "start_s": 1.0, "end_s": 2.0,
         "evidence": {"cue": "empathy"}},
        {"kind": "interruption", "speaker": "customer", "start_s": s0, "end_s": e0},
    ]  # fmt: skip
    sep.mark_overlap_phrases(events)
    assert len(events) == 3
    assert "in_overlap" in events[0]["evidence"]
    assert events[0]["evidence"]["cue"] == "negative_phrasing"
    assert "in_overlap" not in events[1]["evidence"]
    assert "evidence" not in events[2]


@pytest.mark.parametrize("method", ["nmf", "harmonic"])
def test_overlap_separation_changes_only_the_overlap_in_each_channel(method: str) -> None:
    """With ``overlap_separation`` the channels differ from plain masking only inside marked
    overlap (where each gets its voice's share, :func:`nmf_split` or :func:`harmonic_split`),
    nowhere else."""
    mix, _ref = _cut_in_mix()
    d = diarize(mix, SYNTH_TWO_TALKER)
    assert d.overlaps and all(p is not None for p in d.speaker_pitch_hz)
    plain = split_channels(mix, dataclasses_replace_diar(d, overlap_separation=False), 0)
    sep = split_channels(
        mix, dataclasses_replace_diar(d, overlap_separation=True, separation_method=method), 0
    )
    inside = np.zeros(mix.size, dtype=bool)
    for s, e in d.overlaps:
        inside[round(s * SR) : round(e * SR)] = True
    assert np.array_equal(plain[:, ~inside], sep[:, ~inside])
    assert not np.allclose(plain[:, inside], sep[:, inside])


def dataclasses_replace_diar(d: Diarization, **changes: object) -> Diarization:
    import dataclasses

    return dataclasses.replace(d, config=dataclasses_replace(d.config, **changes))


def test_edge_owner_gives_pause_frames_near_a_turn_to_the_nearer_speaker() -> None:
    fs = np.array([0, 0, -1, -1, -1, -1, -1, -1, -1, 1, 1, -1, 2, -1], dtype=np.int8)
    # 3 frames: the pause of 7 splits 0,0,0 | -1 | 1,1,1; overlap (2) owns nothing
    assert edge_owner(fs, 3).tolist() == [0, 0, 0, 0, 0, -1, 1, 1, 1, 1, 1, 1, 2, 1]
    assert edge_owner(fs, 0).tolist() == fs.tolist()
    assert edge_owner(np.full(5, -1, dtype=np.int8), 3).tolist() == [-1] * 5


def _tail_call() -> tuple[np.ndarray, Diarization]:
    """Voice A 0.5-2.1 s whose last 0.1 s (a decaying tail) the diarization leaves out of A's
    turn (0.5-2.0 s), voice B 3.0-4.0 s, a noise floor 60 dB under the voices throughout."""
    rng = np.random.default_rng(3)
    x = (1e-3 * rng.standard_normal(5 * SR)).astype(np.float32)
    t = np.arange(SR * 16 // 10) / SR
    x[SR // 2 : SR // 2 + t.size] += (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    x[3 * SR : 4 * SR] += (0.3 * np.sin(2 * np.pi * 110 * np.arange(SR) / SR)).astype(np.float32)
    fs = np.full(500, -1, dtype=np.int8)
    fs[50:200], fs[300:400] = 0, 1
    turns = [Turn(0, 0.5, 2.0, 1.0), Turn(1, 3.0, 4.0, 1.0)]
    return x, Diarization(turns, fs, 0.01, 2, 1.0, DiarizationConfig())


def _level_db(x: np.ndarray, a_s: float, b_s: float) -> float:
    return float(10 * np.log10(np.mean(x[round(a_s * SR) : round(b_s * SR)] ** 2) + 1e-20))


def test_a_turn_tail_outside_the_turn_is_masked_in_the_other_channel() -> None:
    """The known answer: A's unlabelled tail (2.0-2.1 s) is turned down by masking_range_db
    in B's channel and kept in A's; the pause 0.4 s from both turns (2.35-2.65 s) is the
    line's background at full level in both; with mask_edge_s=0 the tail stays in B's
    channel at full level (the leak that became the wrong party's words)."""
    x, d = _tail_call()
    two = split_channels(x, d, agent_speaker=0)
    tail = _level_db(x, 2.02, 2.09)
    assert _level_db(two[0], 2.02, 2.09) == pytest.approx(tail, abs=0.1)
    assert _level_db(two[1], 2.02, 2.09) == pytest.approx(tail - 40.0, abs=1.0)
    for row in two:
        assert _level_db(row, 2.35, 2.65) == pytest.approx(_level_db(x, 2.35, 2.65), abs=0.1)
    # B's own edge before its turn (2.75-2.98 s) goes with B: turned down in A's channel
    assert _level_db(two[0], 2.75, 2.98) == pytest.approx(_level_db(x, 2.75, 2.98) - 40, abs=1)
    off = Diarization(d.turns, d.frame_speaker, d.hop_s, 2, 1.0, DiarizationConfig(mask_edge_s=0))
    leak = split_channels(x, off, agent_speaker=0)
    assert _level_db(leak[1], 2.02, 2.09) == pytest.approx(tail, abs=0.1)


def test_no_speech_run_of_a_separated_party_lies_inside_the_other_partys_turn(
    tmp_path: Path,
) -> None:
    """The bundled escalation sample's mono mix (no overlapping speech in its script): each
    separated party's speech runs, as the analysis gives them to Whisper, start and end in
    that party's own scripted utterances (+- 0.5 s), none inside the other party's. Before
    mask_edge_s the agent's channel held runs at 19.26-19.31 s and 27.55-27.66 s (the
    customer's word tails), which Whisper wrote as the agent's "Take it."."""
    from calltone.models.recorded.analysis import analyze_separated

    sample = ROOT / "samples" / "escalation_call"
    two = load_audio(sample / "call.wav").samples
    mono = tmp_path / "mono.wav"
    sf.write(mono, two.sum(axis=0), SR, subtype="PCM_16")
    _audio, session, _sep = analyze_separated(mono, agent_speaker="first")
    script = json.loads((sample / "script.json").read_text())["utterances"]
    for party, runs in session.analysis.speech_runs.items():
        own = [(u["start_s"] - 0.5, u["end_s"] + 0.5) for u in script if u["speaker"] == party]
        assert runs
        for r in runs:
            mid = (r.start_s + r.end_s) / 2
            assert any(a <= mid <= b for a, b in own), (party, r.start_s, r.end_s)
