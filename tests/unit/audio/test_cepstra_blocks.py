"""CepstrumStream.take_blocks (VoiceMatchOptions.defer_cepstra): several steps' cepstra at once
are each step's own take() to the bit, including frames whose window was not all in when their
step was due (NaN), and channels not asked for are NaN."""

from __future__ import annotations

import numpy as np

from calltone.audio.voice_match import CepstrumStream, VoiceMatchOptions

KW = {"sample_rate_hz": 16000, "hop": 160, "offset": 256, "window": 512, "channels": 2}


def test_take_blocks_is_each_blocks_take_to_the_bit() -> None:
    rng = np.random.default_rng(5)
    compared = short_windows = 0
    for trial in range(40):
        a = CepstrumStream(VoiceMatchOptions(), **KW)
        b = CepstrumStream(VoiceMatchOptions(), **KW)
        x = (rng.standard_normal((2, 16000 * 2)) * 0.1).astype(np.float32)
        frames = (x.shape[1] - 1024) // 160
        starts = [0]
        while starts[-1] < frames:
            starts.append(min(frames, starts[-1] + int(rng.integers(1, 25))))
        pushed = 0
        pending: list[tuple[int, int, np.ndarray, int, np.ndarray]] = []
        for k in range(len(starts) - 1):
            s0, s1 = starts[k], starts[k + 1]
            # Samples in when the block is due: its windows, or (every other trial) 3 hops short.
            upto = s1 * 160 + 768 - (480 if trial % 2 == 0 else 0)
            if upto > pushed:
                a.push(x[:, pushed:upto])
                b.push(x[:, pushed:upto])
                pushed = upto
            want = rng.random((2, s1 - s0)) < 0.6
            ref = a.take(s0, s1 - s0, want)
            short_windows += int(np.count_nonzero(want & np.isnan(ref).all(axis=2)))
            pending.append((s0, s1 - s0, want, b.samples_in, ref))
            if rng.random() < 0.2 or k == len(starts) - 2:
                need = [tuple(c for c in (0, 1) if rng.random() < 0.8) for _ in pending]
                outs = b.take_blocks([p[:4] for p in pending], need)
                for (_, _, _, _, ref_k), chans, out in zip(pending, need, outs, strict=True):
                    for c in (0, 1):
                        if c in chans:
                            assert np.array_equal(out[c], ref_k[c], equal_nan=True)
                            compared += int(np.isfinite(ref_k[c]).all(axis=1).sum())
                        else:
                            assert np.isnan(out[c]).all()
                pending = []
    assert compared > 1000
    assert short_windows > 0  # the not-all-in case was met (and matched)
