"""Frame features on signals with known answers."""

from __future__ import annotations

import dataclasses

import librosa
import numpy as np
import pytest

from calltone.audio.features import (
    FeatureOptions,
    FeatureStream,
    SpeechGate,
    concat_blocks,
    extract_features,
    yin,
)
from tests.support.synth import SR, silence, voiced


def test_yin_matches_known_pitch_and_librosa():
    t = np.arange(SR) / SR
    for f0 in (90.0, 150.0, 220.0, 400.0):
        x = (0.3 * np.sin(2 * np.pi * f0 * t)).astype(np.float32)
        frames = librosa.util.frame(x, frame_length=1024, hop_length=160).T
        got, aper = yin(frames, sr_hz=SR, fmin_hz=65, fmax_hz=500)
        ref = librosa.yin(x, fmin=65, fmax=500, sr=SR, frame_length=1024, center=False)
        assert abs(np.median(got) - f0) / f0 < 0.01
        assert abs(np.median(got) - np.median(ref)) / f0 < 0.01
        assert np.median(aper) < 0.05
    noise = np.random.default_rng(0).standard_normal(SR).astype(np.float32)
    _, aper = yin(
        librosa.util.frame(noise, frame_length=1024, hop_length=160).T,
        sr_hz=SR,
        fmin_hz=65,
        fmax_hz=500,
    )
    assert np.median(aper) > 0.3


def test_loudness_of_a_sine_and_a_level_step():
    x = np.concatenate([silence(2.0), voiced(150, 3.0, -30.0), voiced(150, 3.0, -20.0)])
    fb = extract_features(x[None])
    c, t = fb.channels[0], fb.times_s
    a = np.median(c.loudness_dbfs[(t > 2.5) & (t < 4.5)])
    b = np.median(c.loudness_dbfs[(t > 5.5) & (t < 7.5)])
    assert abs((b - a) - 10.0) < 0.5
    # Loudness is the telephone-band (300-3400 Hz) level: a 1 kHz sine keeps its RMS, a 100 Hz
    # hum (below the band a phone line carries) is mostly left out.
    t = np.arange(SR) / SR
    sine = (0.1 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)
    fb2 = extract_features(np.concatenate([silence(1.0), sine])[None])
    level = np.median(fb2.channels[0].loudness_dbfs[fb2.times_s > 1.2])
    assert abs(level - 20 * np.log10(0.1 / np.sqrt(2))) < 0.2
    hum = (0.1 * np.sin(2 * np.pi * 100 * t)).astype(np.float32)
    fb3 = extract_features(np.concatenate([silence(1.0), hum])[None])
    assert np.median(fb3.channels[0].loudness_dbfs[fb3.times_s > 1.2]) < level - 12.0


def test_voiced_speech_is_speech_and_pitch_is_right():
    x = np.concatenate([silence(2.0), voiced(180, 2.0, -25.0), silence(2.0)])
    fb = extract_features(x[None])
    c, t = fb.channels[0], fb.times_s
    inside = (t > 2.15) & (t < 3.85)
    outside = (t < 1.8) | (t > 4.4)
    assert c.speech[inside].mean() > 0.95
    assert c.speech[outside].mean() < 0.02
    assert abs(np.nanmedian(c.f0_hz[inside]) - 180) < 3
    assert c.voiced[inside].mean() > 0.8
    assert not c.voiced[outside].any()


def test_speech_gate_fills_short_pauses_and_drops_clicks():
    gate = SpeechGate(onset_frames=5, hangover_frames=25)
    raw = np.zeros(200, bool)
    raw[10:12] = True  # 20 ms click: dropped
    raw[50:100] = True
    raw[100:110] = False  # 100 ms pause: kept as speech
    raw[110:150] = True
    out = np.concatenate([gate.push(raw[:73]), gate.push(raw[73:]), gate.flush()])
    assert out.size == 200
    assert not out[:50].any()
    assert out[50:150].all()
    assert not out[150:].any()


@pytest.mark.parametrize("chunk", [1, 320, 16000])
def test_chunking_does_not_change_frames(chunk):
    rng = np.random.default_rng(3)
    a = np.concatenate([silence(1.0), voiced(120, 2.5, -24), silence(1.0, seed=4)])
    b = np.concatenate([silence(2.0, seed=5), voiced(210, 2.0, -28, seed=2), silence(0.5, seed=6)])
    x = np.stack([a, b])
    whole = extract_features(x)
    s = FeatureStream(2)
    step = chunk if chunk > 1 else 37
    blocks = []
    i = 0
    while i < x.shape[1]:
        n = int(rng.integers(1, 400)) if chunk == 1 else step
        blocks.append(s.push(x[:, i : i + n]))
        i += n
    blocks.append(s.finish())
    got = concat_blocks(blocks)
    assert np.array_equal(got.times_s, whole.times_s)
    for c in range(2):
        for name in ("loudness_dbfs", "f0_hz", "voiced", "speech", "nucleus", "tilt_db"):
            assert np.array_equal(
                getattr(got.channels[c], name), getattr(whole.channels[c], name), equal_nan=True
            ), name


def test_feature_options_reject_nonsense():
    with pytest.raises(ValueError, match="pitch_fmin_hz"):
        FeatureOptions(pitch_fmin_hz=600, pitch_fmax_hz=500)
    with pytest.raises(ValueError, match="divide"):
        FeatureOptions(pitch_sample_rate_hz=7000)


def test_spectral_tilt_of_sines_matches_the_difference_filter_gain():
    for f_hz in (500.0, 1000.0, 3000.0):
        x = (0.2 * np.sin(2 * np.pi * f_hz * np.arange(2 * SR) / SR)).astype(np.float32)
        fb = extract_features(np.concatenate([silence(1.0), x])[None])
        got = np.median(fb.channels[0].tilt_db[fb.times_s > 1.2])
        want = 10 * np.log10(4 * np.sin(np.pi * f_hz / SR) ** 2)
        assert abs(got - want) < 0.1, (f_hz, got, want)


def test_hnr_is_high_on_a_clean_voice_and_low_on_noise():
    # A 150 Hz harmonic tone with noise 20 dB down has an HNR near 20 dB; white noise near or
    # below 0 dB; the same tone with noise 6 dB down in between.
    from calltone.audio.features import hnr_db_from_aperiodicity

    rng = np.random.default_rng(7)
    t = np.arange(int(2.0 * 16000)) / 16000
    tone = sum(np.sin(2 * np.pi * 150 * k * t) / k for k in range(1, 6))
    tone = (0.1 * tone / np.sqrt(np.mean(tone**2))).astype(np.float32)
    noise = rng.standard_normal(t.size).astype(np.float32)

    def median_hnr(x: np.ndarray) -> float:
        # 1 s of faint noise first, so the speech gate has a noise floor to stand over.
        lead = (0.0005 * rng.standard_normal(16000)).astype(np.float32)
        fb = extract_features(np.concatenate((lead, x))[None, :])
        c = fb.channels[0]
        keep = (fb.times_s > 1.3) & (fb.times_s < 2.7)
        return float(np.median(c.hnr_db[keep]))

    clean = median_hnr(tone + 0.01 * noise)
    rough = median_hnr(tone + 0.05 * noise)
    noisy = median_hnr(0.1 * noise)
    assert 14.0 <= clean <= 26.0, clean
    assert 2.0 <= rough <= 10.0, rough
    assert noisy <= 1.0, noisy
    assert hnr_db_from_aperiodicity(np.array([0.5, 0.1, 1.0])).tolist() == pytest.approx(
        [0.0, 9.54, -10.0], abs=0.01
    )


@pytest.mark.parametrize("kernel", [True, False])
def test_filter_rows_match_scipy_sosfilt_bit_for_bit(monkeypatch, kernel):
    """The front end's filters (sosfilt's kernel called directly, or the public function when
    the kernel is not importable) give scipy.signal.sosfilt's samples and state exactly."""
    import scipy.signal

    from calltone.audio import features

    if not kernel:
        monkeypatch.setattr(features, "_SOSFILT_KERNEL", None)
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 1000)).astype(np.float32)
    sos = scipy.signal.butter(8, 0.45, output="sos")
    zi = np.zeros((2, sos.shape[0], 2))
    got = np.hstack([features._sosfilt_rows(sos, x[:, a : a + 320], zi) for a in (0, 320, 640)])
    want, state = scipy.signal.sosfilt(sos, x[:, :960], axis=-1, zi=np.zeros((sos.shape[0], 2, 2)))
    assert np.array_equal(got, want)
    assert np.array_equal(zi, np.transpose(state, (1, 0, 2)))


@pytest.mark.parametrize("direct", [True, False])
def test_fft_rows_match_scipy_fft_bit_for_bit(monkeypatch, direct):
    """YIN's transforms (pocketfft called directly on the stacked rows, or scipy.fft when the
    module is not importable) give scipy.fft.rfft / irfft of each row exactly."""
    import scipy.fft

    from calltone.audio import features

    if not direct:
        monkeypatch.setattr(features, "_POCKETFFT", None)
    rng = np.random.default_rng(3)
    for n in (1, 2, 7, 20):
        x = rng.standard_normal((n, 512)).astype(np.float32)
        spec = features._rfft_rows(x)
        assert np.array_equal(spec, scipy.fft.rfft(x, axis=1))
        for i in range(n):  # a row alone: the same numbers as in a batch
            assert np.array_equal(spec[i : i + 1], scipy.fft.rfft(x[i : i + 1], axis=1))
        assert np.array_equal(
            features._irfft_rows(spec * spec, 512), scipy.fft.irfft(spec * spec, n=512, axis=1)
        )


def test_steady_pitch_only_where_the_continuity_passes_change_nothing():
    """A channel called steady has both continuity passes return its raw track; tracks with a
    jump past the limit (an octave error, a first-formant reading) are not called steady."""
    from calltone.audio import features

    o = FeatureOptions()
    r, past_n, ready = 17, 100, 10
    rng = np.random.default_rng(5)
    called = 0
    for trial in range(300):
        base = rng.uniform(90.0, 250.0)
        spread_st = rng.choice([1.0, 5.0, 6.9, 7.0, 7.1, 12.0])
        n = past_n + ready + 2 * r
        track = base * 2.0 ** (rng.uniform(0.0, spread_st, n) / 12.0)
        track[rng.random(n) < 0.3] = np.nan
        if trial % 7 == 0:
            track[past_n + r + 3] = track[past_n + r + 4] * 2.0  # an octave error mid-block
        track = track.astype(np.float32)
        past, span = track[None, :past_n], track[None, past_n:]
        steady = bool(features._steady_pitch(past, span, o)[0])
        first = features._pitch_continuity(span[0], r, o)
        second = features._pitch_past_context(past[0], first, span[0, r + 1 : 2 * r + ready], r, o)
        raw = span[0, r : r + ready]
        if steady:
            called += 1
            assert np.array_equal(first, raw, equal_nan=True)
            assert np.array_equal(second, raw, equal_nan=True)
        finite = track[np.isfinite(track)]
        if finite.size and 12.0 * np.log2(finite.max() / finite.min()) > 7.0 + 1e-6:
            assert not steady
    assert 30 < called < 300  # both kinds of track were drawn


@pytest.mark.parametrize("piece", [100, 3001])
def test_long_chunk_in_front_end_pieces_gives_the_same_frames(monkeypatch, piece):
    """A long chunk goes through the front end in pieces (``_FRONT_PIECE_SAMPLES``): the frames
    must be those of the chunk in one piece, to the bit, also when a piece is shorter than a
    hop (it finishes no frame) and with the optional arrays (sustain, masked hangover) on."""
    import calltone.audio.features as features

    a = np.concatenate([silence(0.7), voiced(130, 1.6, -26), silence(0.9, seed=7)])
    b = np.concatenate([silence(1.4, seed=8), voiced(220, 1.2, -22, seed=3), silence(0.6, seed=9)])
    x = np.stack([a, b])
    opts = FeatureOptions(vad_sustain=1.0, vad_masked_hangover_s_per_db=0.03)

    def run(piece_samples):
        monkeypatch.setattr(features, "_FRONT_PIECE_SAMPLES", piece_samples)
        s = FeatureStream(2, opts)
        return concat_blocks([s.push(x[:, :40_000]), s.push(x[:, 40_000:]), s.finish()])

    whole, pieces = run(10**9), run(piece)
    assert len(whole) > 300
    assert np.array_equal(pieces.times_s, whole.times_s)
    for c in range(2):
        for f in dataclasses.fields(whole.channels[c]):
            w, p = getattr(whole.channels[c], f.name), getattr(pieces.channels[c], f.name)
            assert (w is None) == (p is None), f.name
            if w is not None:
                assert w.dtype == p.dtype and np.array_equal(w, p, equal_nan=True), f.name
