"""Decoding, resampling, channel roles and bad input."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf

from calltone.audio.channels import ChannelRoles, resolve_roles
from calltone.audio.decode import load_audio
from calltone.audio.errors import (
    AudioFileNotFoundError,
    ChannelLayoutError,
    CorruptAudioError,
    EmptyAudioError,
    InvalidSamplesError,
    SampleRateError,
    UnsupportedFormatError,
)
from tests.support.synth import ROOT


def tone(sr: int, dur_s: float, f_hz: float = 440.0, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(sr * dur_s)) / sr
    return (amp * np.sin(2 * np.pi * f_hz * t)).astype(np.float32)


@pytest.mark.parametrize("sr", [8000, 16000, 44100, 48000])
def test_any_rate_becomes_16k_with_duration_and_pitch_kept(tmp_path, sr):
    p = tmp_path / f"t{sr}.wav"
    sf.write(p, np.stack([tone(sr, 2.0, 300), tone(sr, 2.0, 600)]).T, sr, subtype="PCM_16")
    a = load_audio(p)
    assert a.sample_rate == 16000 and a.source_sample_rate == sr and a.channels == 2
    assert abs(a.duration_s - 2.0) < 0.01
    spec = np.abs(np.fft.rfft(a.samples[0]))
    peak_hz = np.argmax(spec) * 16000 / a.samples.shape[1]
    assert abs(peak_hz - 300) < 2


def test_flac_and_ogg_decode(tmp_path):
    x = tone(16000, 1.0)
    for ext in ("flac", "ogg"):
        p = tmp_path / f"a.{ext}"
        sf.write(p, x, 16000)
        a = load_audio(p)
        assert a.channels == 1 and abs(a.duration_s - 1.0) < 0.05


def test_mp3_through_pyav(tmp_path):
    av = pytest.importorskip("av")
    p = tmp_path / "a.mp3"
    try:
        with av.open(str(p), "w") as out:
            st = out.add_stream("mp3", rate=16000)
            st.layout = "mono"
            x = (tone(16000, 1.0) * 32767).astype(np.int16)[None, :]
            fr = av.AudioFrame.from_ndarray(x, format="s16", layout="mono")
            fr.sample_rate = 16000
            for pkt in st.encode(fr):
                out.mux(pkt)
            for pkt in st.encode(None):
                out.mux(pkt)
    except Exception as exc:  # the bundled FFmpeg may lack an MP3 encoder
        pytest.skip(f"cannot encode MP3 here: {exc}")
    a = load_audio(p)
    assert a.channels == 1 and 0.9 < a.duration_s < 1.2


def test_bad_files_raise_named_errors(tmp_path):
    with pytest.raises(AudioFileNotFoundError, match="no such file"):
        load_audio(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(EmptyAudioError, match="empty"):
        load_audio(empty)
    junk = tmp_path / "junk.wav"
    junk.write_bytes(np.random.default_rng(0).bytes(4000))
    with pytest.raises(CorruptAudioError, match="corrupt"):
        load_audio(junk)
    good = tmp_path / "good.wav"
    sf.write(good, tone(16000, 1.0), 16000)
    trunc = tmp_path / "trunc.wav"
    trunc.write_bytes(good.read_bytes()[:30])
    with pytest.raises((CorruptAudioError, EmptyAudioError)):
        load_audio(trunc)
    other = tmp_path / "call.xyz"
    other.write_bytes(b"abc")
    with pytest.raises(UnsupportedFormatError, match="WAV, FLAC"):
        load_audio(other)


def test_nan_samples_and_low_rate_rejected(tmp_path):
    x = tone(16000, 1.0)
    x[100] = np.nan
    p = tmp_path / "nan.wav"
    sf.write(p, x, 16000, subtype="FLOAT")
    with pytest.raises(InvalidSamplesError, match="NaN"):
        load_audio(p)
    low = tmp_path / "low.wav"
    sf.write(low, tone(4000, 1.0, 300), 4000)
    with pytest.raises(SampleRateError, match="8 kHz"):
        load_audio(low)


def test_channel_roles():
    assert resolve_roles(2) == ChannelRoles(agent=0, customer=1)
    assert resolve_roles(2, agent_channel=1) == ChannelRoles(agent=1, customer=0)
    assert resolve_roles(1, mono_role="customer") == ChannelRoles(agent=None, customer=0)
    assert resolve_roles(6, agent_channel=2, customer_channel=5) == ChannelRoles(
        agent=2, customer=5
    )
    with pytest.raises(ChannelLayoutError, match="--agent-channel N --customer-channel M"):
        resolve_roles(6)
    with pytest.raises(ChannelLayoutError, match="does not exist"):
        resolve_roles(2, agent_channel=3)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "calltone.service.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_bad_input_is_one_line_exit_2(tmp_path):
    junk = tmp_path / "junk.wav"
    junk.write_bytes(b"RIFF\x00\x00")
    short = tmp_path / "short.wav"
    sf.write(short, np.zeros(100, np.float32), 16000)
    six = tmp_path / "six.wav"
    sf.write(six, np.zeros((16000, 6), np.float32), 16000)
    for path in (junk, short, six, tmp_path / "nope.wav"):
        r = run_cli("analyze", str(path), "--no-transcribe")
        assert r.returncode == 2, r.stderr
        assert "Traceback" not in r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("calltone: error:")
