"""Card and phone numbers read aloud never reach a stored transcript or report (on by default)."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf

from audio.decode import load_audio
from service.batch import ScoreOptions, score_file


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)"
)
def test_scored_call_masks_card_and_phone(tmp_path):
    speech = tmp_path / "s.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us+m3",
            "-s",
            "150",
            "-w",
            str(speech),
            "My card number is 4 1 1 1, 1 1 1 1, 1 1 1 1, 1 1 1 1. And my phone is 2 0 2, 5 5 5, 0 1 7 3.",
        ],
        check=True,
        capture_output=True,
    )
    x = load_audio(speech).samples[0]
    call = np.zeros((2, x.size + 32000), np.float32)
    call[1, 16000 : 16000 + x.size] = x
    call += (1e-4 * np.random.default_rng(0).standard_normal(call.shape)).astype(np.float32)
    path = tmp_path / "call.wav"
    sf.write(path, call.T, 16000)

    raw = score_file(str(path), ScoreOptions(redact_transcripts=False))
    raw_text = " ".join(s["text"] for s in raw.analysis["segments"])
    assert "4111" in raw_text.replace(" ", "") or "0173" in raw_text  # Whisper heard the digits

    masked = score_file(str(path), ScoreOptions())
    text = " ".join(s["text"] for s in masked.analysis["segments"])
    assert "[card]" in text and "[phone]" in text
    for digits in ("4111", "0173", "555"):
        assert digits not in text and digits not in masked.html
        assert all(digits not in w["word"] for s in masked.analysis["segments"] for w in s["words"])
