"""A saved voice profile keeps the top of the agent's range and drops one call's histogram."""

from __future__ import annotations

import pytest

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.profile import ProfileError, VoiceProfile, profile_from_baseline


def call_baseline(upper_db: float | None, *, voiced_s: float = 40.0) -> BaselineSnapshot:
    return BaselineSnapshot(
        loudness_dbfs=-30.0,
        pitch_st=10.0,
        pitch_spread_st=2.0,
        syllable_rate_per_s=4.0,
        tilt_db=-14.0,
        voiced_s=voiced_s,
        settled=True,
        loudness_spread_db=5.0,
        own_voiced_s=voiced_s,
        loudness_upper_db=upper_db,
        speech_quantiles_over_level_db=(0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0),
    )


def test_the_range_top_survives_a_save_and_load() -> None:
    prof = profile_from_baseline("a1", call_baseline(9.0))
    assert prof is not None
    saved = prof.to_dict()
    assert saved["baseline"]["loudness_upper_db"] == 9.0
    assert "speech_quantiles_over_level_db" not in saved["baseline"]
    back = VoiceProfile.from_dict(saved)
    assert back.baseline.loudness_upper_db == 9.0
    assert back.baseline.speech_quantiles_over_level_db is None


def test_a_profile_saved_before_the_range_loads_without_it() -> None:
    prof = profile_from_baseline("a1", call_baseline(None))
    assert prof is not None
    saved = prof.to_dict()
    saved["baseline"].pop("loudness_upper_db", None)
    assert VoiceProfile.from_dict(saved).baseline.loudness_upper_db is None


def test_merging_weights_the_range_top_and_keeps_a_side_that_knows_it() -> None:
    first = profile_from_baseline("a1", call_baseline(8.0, voiced_s=30.0))
    assert first is not None
    merged = profile_from_baseline("a1", call_baseline(12.0, voiced_s=10.0), previous=first)
    assert merged is not None and merged.baseline.loudness_upper_db is not None
    assert abs(merged.baseline.loudness_upper_db - 9.0) < 1e-9  # (30 x 8 + 10 x 12) / 40
    unknown = profile_from_baseline("a1", call_baseline(None, voiced_s=10.0), previous=first)
    assert unknown is not None and unknown.baseline.loudness_upper_db == 8.0


def test_an_implausible_range_top_is_refused() -> None:
    prof = profile_from_baseline("a1", call_baseline(9.0))
    assert prof is not None
    saved = prof.to_dict()
    saved["baseline"]["loudness_upper_db"] = 400.0
    with pytest.raises(ProfileError, match=r"loudness_upper_db = 400.0 .*rebuild"):
        VoiceProfile.from_dict(saved)
