"""Card and phone numbers read aloud never reach a stored transcript or report (on by default)."""

from __future__ import annotations

import re
import shutil

import pytest
import soundfile as sf

from calltone.service.scoring.batch import ScoreOptions, score_file
from tests.support.synth import card_call


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed (apt-get install espeak-ng)"
)
def test_scored_call_masks_card_and_phone(tmp_path):
    call = card_call(tmp_path, tail_s=1.0)
    path = tmp_path / "call.wav"
    sf.write(path, call.T, 16000)

    raw = score_file(str(path), ScoreOptions(redact_transcripts=False))
    raw_text = " ".join(s["text"] for s in raw.analysis["segments"])
    assert "4539" in raw_text.replace(" ", "") or "0173" in raw_text  # Whisper heard the digits

    masked = score_file(str(path), ScoreOptions())
    text = " ".join(s["text"] for s in masked.analysis["segments"])
    assert "[card]" in text and "[phone]" in text
    # the report's text, not its SVG timeline (whose coordinates are numbers too) nor the
    # base64 of its embedded recording (service/reports/audio.py: any digits may occur in it)
    page_text = re.sub(r"<svg.*?</svg>", "", masked.html, flags=re.S)
    page_text = re.sub(r"data:audio/[\w.+-]+;base64,[A-Za-z0-9+/=]*", "", page_text)
    assert "data:audio/" in masked.html and "data:audio/" not in page_text
    for digits in ("4539", "0173", "555"):
        assert digits not in text and digits not in page_text
        assert all(digits not in w["word"] for s in masked.analysis["segments"] for w in s["words"])
