"""The issue-13 call builder (bench/bench_calls.py): its ground truth on synthetic clips.

The harness's flag rates are only as good as the clip spans it scores against, so these check
that each span covers exactly the samples of its clip, that the other party speaks in the gaps
(and only there), and that overlap counting picks the right kind, speaker and span.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from tests.support.synth import ROOT

sys.path.insert(0, str(ROOT / "bench"))

SR = 16_000


def _tone(seconds: float, hz: float, level: float) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    return (level * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def _built(analysed_channel: int) -> tuple[Any, list[Any]]:
    from bench_calls import Clip, build_call

    rng = np.random.default_rng(3)
    base = [Clip(f"b{i}", "calm-normal", _tone(1.0 + 0.1 * i, 200, 0.1)) for i in range(2)]
    test = [
        Clip("a", "angry-strong", _tone(0.7, 300, 0.5)),
        Clip("c", "calm-normal", _tone(1.3, 200, 0.1)),
        Clip("h", "happy-strong", _tone(0.9, 250, 0.3)),
    ]
    answers = [_tone(0.8, 150, 0.05), _tone(1.1, 160, 0.05)]
    call = build_call(
        base, test, answers, analysed_channel=analysed_channel, rng=rng, noise_floor_dbfs=None
    )
    return call, base + test


def test_clip_spans_cover_exactly_their_clip_samples():
    for ch in (0, 1):
        call, clips = _built(ch)
        assert call.samples.shape[0] == 2 and call.analysed_channel == ch
        assert [s.name for s in call.spans] == [c.name for c in clips]
        assert [s.baseline for s in call.spans] == [True, True, False, False, False]
        assert [s.prev_label for s in call.spans] == [
            None,
            "calm-normal",
            "calm-normal",
            "angry-strong",
            "calm-normal",
        ]
        mine = call.samples[ch]
        covered = np.zeros(mine.size, bool)
        for s, c in zip(call.spans, clips, strict=True):
            a, b = round(s.start_s * SR), round(s.end_s * SR)
            np.testing.assert_array_equal(mine[a:b], c.samples)
            covered[a:b] = True
        # Outside its clips the analysed channel is silent (no noise floor asked for).
        assert not np.any(mine[~covered])


def test_the_other_party_answers_in_every_gap_and_only_there():
    for ch in (0, 1):
        call, clips = _built(ch)
        other = call.samples[1 - ch]
        assert len(call.other_spans) == len(clips) - 1
        for (a_s, b_s), prev, nxt in zip(
            call.other_spans, call.spans[:-1], call.spans[1:], strict=True
        ):
            assert prev.end_s < a_s and b_s < nxt.start_s  # strictly inside the gap, with pauses
            a, b = round(a_s * SR), round(b_s * SR)
            assert np.sqrt(np.mean(other[a:b] ** 2)) > 0.03
            # Nobody talks over anybody: the analysed channel is silent during the answer.
            assert not np.any(call.samples[ch, a:b])
        answered = np.zeros(other.size, bool)
        for a_s, b_s in call.other_spans:
            answered[round(a_s * SR) : round(b_s * SR)] = True
        assert not np.any(other[~answered])


def test_noise_floor_is_at_the_asked_level_on_both_channels():
    from bench_calls import Clip, build_call

    call = build_call(
        [],
        [
            Clip("x", "calm-normal", _tone(0.5, 200, 0.1)),
            Clip("y", "calm-normal", _tone(0.5, 200, 0.1)),
        ],
        [_tone(0.5, 150, 0.05)],
        analysed_channel=0,
        rng=np.random.default_rng(0),
        noise_floor_dbfs=-60.0,
    )
    lead = call.samples[:, : round(0.4 * SR)]
    rms_db = 20 * np.log10(np.sqrt(np.mean(lead**2, axis=1)))
    assert np.all(np.abs(rms_db + 60.0) < 1.0)


@dataclass
class _Ev:
    kind: str
    speaker: str
    start_s: float
    end_s: float | None


def test_overlap_counting_needs_kind_speaker_and_a_real_overlap():
    from bench_calls import ClipSpan, flag_clips

    spans = [
        ClipSpan("a", "angry-strong", 1.0, 2.0, False, None),
        ClipSpan("c", "calm-normal", 3.0, 4.0, False, "angry-strong"),
        ClipSpan("d", "calm-normal", 5.0, 6.0, False, "calm-normal"),
        ClipSpan("e", "calm-normal", 8.0, 9.0, False, "calm-normal"),
    ]
    events = [
        _Ev("yelling", "agent", 1.5, 2.2),  # overlaps a only
        _Ev("agent_tone", "agent", 1.2, 3.01),  # runs on into c: flags a and c
        _Ev("yelling", "customer", 5.2, 5.8),  # the other speaker: flags nothing for the agent
        _Ev("yelling", "agent", 6.0, 7.0),  # touches d's end exactly: no overlap
        _Ev("agent_tone", "agent", 8.5, None),  # still open: runs to the end of the call
    ]
    got = flag_clips(events, spans, "agent", ("yelling", "agent_tone"))
    assert got == [
        {"yelling": True, "agent_tone": True},
        {"yelling": False, "agent_tone": True},
        {"yelling": False, "agent_tone": False},
        {"yelling": False, "agent_tone": True},
    ]
    cust = flag_clips(events, spans, "customer", ("yelling",))
    assert [f["yelling"] for f in cust] == [False, False, True, False]


def test_summary_excludes_baseline_and_reports_calm_after_angry():
    from collections import Counter

    from bench_calls import ClipSpan, _summarise_calls

    def row(label: str, prev: str | None, base: bool, y: bool, t: bool) -> dict[str, Any]:
        return {
            "role": "agent",
            "actor": "01",
            "span": ClipSpan("x", label, 0.0, 1.0, base, prev),
            "yelling": y,
            "agent_tone": t,
        }

    rows = [
        row("neutral-normal", None, True, True, True),  # baseline: not in the rates
        row("angry-strong", "neutral-normal", False, True, True),
        row("calm-normal", "angry-strong", False, False, True),
        row("calm-strong", "calm-normal", False, False, False),
        row("angry-normal", "calm-strong", False, False, False),
    ]
    s = _summarise_calls(rows, Counter({"calm_down": 2}), 2)["summary"]
    assert s["yelling_angry_strong"] == 1.0
    assert s["yelling_calm"] == 0.0
    assert s["agent_tone_calm"] == 0.5
    assert s["agent_tone_angry"] == 0.5
    assert s["calm_after_angry_n"] == 1 and s["agent_tone_calm_after_angry"] == 1.0
    assert s["baseline_n"] == 1 and s["baseline_yelling"] == 1.0
    assert s["alerts_per_call"] == 1.0
    assert s["targets_met"]["yelling_angry_strong"] is True
    assert s["targets_met"]["agent_tone_calm"] is False


def test_trim_to_speech_cuts_the_silence_around_a_clip():
    from bench_calls import trim_to_speech

    x = np.concatenate([np.zeros(SR), _tone(0.5, 200, 0.2), np.zeros(SR // 2)]).astype(np.float32)
    y = trim_to_speech(x, pad_s=0.05)
    assert abs(y.size / SR - 0.6) < 0.03
    assert np.sqrt(np.mean(y**2)) > 0.12


def test_disk_cached_channel_copy_is_bit_identical_to_a_fresh_one(tmp_path):
    from bench_calls import ChannelCache
    from telephone import through

    rng = np.random.default_rng(5)
    x = np.stack([_tone(1.0, 180, 0.2), _tone(1.0, 220, 0.1)]) + rng.normal(0, 1e-3, (2, SR))
    x = x.astype(np.float32)
    fresh = through(x, "nb_ulaw", seed=7)
    first = ChannelCache(tmp_path, memory=False).get("x", x, "nb_ulaw", 7)
    assert len(list(tmp_path.glob("nb_ulaw-*.npy"))) == 1
    again = ChannelCache(tmp_path, memory=False).get("x", x, "nb_ulaw", 7)  # read from disk
    np.testing.assert_array_equal(first, fresh)
    np.testing.assert_array_equal(again, fresh)
    # Another seed or signal is another entry, never the cached one.
    other = ChannelCache(tmp_path).get("x", x, "nb_ulaw", 8)
    assert len(list(tmp_path.glob("nb_ulaw-*.npy"))) == 2
    assert other.shape == x.shape
    assert ChannelCache(tmp_path).get("x", x[0], "nb_ulaw", 7).shape == x[0].shape


def test_event_spill_measures_overrun_past_the_loud_clip():
    from bench_calls import ClipSpan, event_spill

    spans = [
        ClipSpan("b", "calm-normal", 0.0, 1.0, True, None),
        ClipSpan("a", "angry-strong", 2.0, 3.0, False, "calm-normal"),
        ClipSpan("c", "calm-normal", 5.0, 6.0, False, "angry-strong"),
    ]
    other = [(1.3, 1.8), (3.5, 4.5)]
    events = [
        _Ev("agent_tone", "agent", 2.1, 5.5),  # runs over the other's answer into the calm clip
        _Ev("yelling", "agent", 2.2, 2.9),  # ends inside the loud clip
        _Ev("yelling", "agent", 5.1, 5.4),  # a false alarm on the calm clip: no overrun
        _Ev("yelling", "customer", 2.0, 9.0),  # someone else's
    ]
    got = event_spill(events, spans, other, "agent")
    assert [d["overrun_s"] for d in got] == [2.5, -0.1, None]
    assert [d["into_other_turn"] for d in got] == [True, False, False]
    assert [d["into_calm_clip"] for d in got] == [True, False, True]


def test_heldout_channels_keep_a_tone_level_and_frequency():
    """Each held-out codec (MP3, G.726, G.722) passes a 1 kHz tone at the level its condition
    asks for (within 2 dB) and at its frequency, aligned to the input: the held-out figures
    are the codec's, not a broken simulator's."""
    import telephone

    t = np.arange(3 * SR) / SR
    x = (0.1 * np.sin(2 * np.pi * 1000.0 * t)).astype(np.float32)
    for name, cond in telephone.HELDOUT_CONDITIONS.items():
        quiet = telephone.ChannelCondition(
            name, narrowband=cond.narrowband, codec=cond.codec, bitrate_bps=cond.bitrate_bps
        )
        y = telephone.through(x, quiet)
        assert y.shape == x.shape, name
        mid = slice(SR // 2, 5 * SR // 2)
        gain_db = 20 * np.log10(np.std(y[mid]) / np.std(x[mid]))
        assert abs(gain_db) < 2.0, (name, gain_db)
        spec = np.abs(np.fft.rfft(y[mid]))
        peak_hz = np.argmax(spec) * SR / (2 * SR)
        assert abs(peak_hz - 1000.0) < 5.0, (name, peak_hz)
        assert cond.name in telephone.ALL_CONDITIONS and cond.name not in telephone.CONDITIONS
