"""Turn-taking of the two parties, and who cut in.

A party's *turn* is their speech with the pauses inside it: runs of speech (the speech-activity
mask, which already bridges pauses under ``FeatureOptions.vad_hangover_s``) joined across silences
shorter than ``InterruptionConfig.turn_gap_s`` (a breath between two sentences, a beat to think).
A turn ends when its party has been silent for ``turn_gap_s``.

An *interruption* (docs/DESIGN.md's rule, made precise here): party P starts a new turn at ``t0`` while
the other party Q is mid-turn, and Q does not simply hand the floor over:

1. Q's turn has lasted ``min_other_turn_s`` at ``t0`` and Q is talking at ``t0`` or has been
   silent for less than ``cut_in_max_pause_s`` (a breath pause, not the silence that opens the
   floor);
2. P's new turn is not a backchannel: it holds at least ``backchannel_max_s`` of speech
   ("mm-hmm", "yeah", "right" are shorter; a soft voice under a loud one may come through in
   pieces, so the pieces count together);
3. both talk:

   - **overlap**: both speak at once for ``min_overlap_s`` in all during P's turn (the
     interrupted party carries on, or carries on after a breath they were taking at ``t0``),
     and Q has begun ``overlap_min_syllables`` new syllables (nuclei) since ``t0``: speech that
     only fades after ``t0`` (a reverberant room's tail on a speakerphone, the decay of Q's last
     syllable, an echo) is no carrying on; or
   - **halt and resume**: Q talks on for at least ``halt_min_overlap_s`` after ``t0``, halts, and
     resumes within ``turn_gap_s`` (their turn did not end: they stopped *because* P came in, and
     took their turn back). Here the overlap may be far shorter than ``min_overlap_s``; the
     resumption is the evidence that Q had not finished. A party who stops at ``t0`` and stays
     silent (a late overlap at the end of their turn, or one who yields) is no interruption.

The initiator is P (who started second); the event starts at ``t0`` (P's first frame of speech),
is emitted as soon as the three conditions hold (``confirmed_at_s``), and is emitted again, closed,
when either turn ends. Its end is the last moment both spoke (or Q's resumption, whichever is
later); the evidence says who was interrupted, how long their turn had run, how long both spoke at
once, and how the interruption was established.

**Whose voice** (``InterruptionConfig.own_voice_evidence``): once a party's voice models know
another voice in their microphone (a neighbour's babble, :mod:`audio.voice_match`), their speech
frames count for the turns only with evidence that they are their own voice (their own normal
level; optionally their timbre; see :class:`InterruptionConfig`), so a neighbour heard during
the other party's turn neither cuts in nor carries a turn on. The event's evidence says whether the newcomer's
voice was held to that (``newcomer_own_voice``).

The detector works on the change points of the two masks, so its cost follows turns, not frames,
and carries its state exactly across blocks: events do not depend on chunking.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import InterruptionConfig
from calltone.models.tone.events import Event, Speaker
from calltone.models.tone.frames import CallFrames, DetectorStep, PartyFrames, TimeFn

PARTIES: tuple[Speaker, Speaker] = ("agent", "customer")
_NEVER = 1 << 62


def speech_turns(speech: np.ndarray, *, hop_s: float, turn_gap_s: float) -> list[tuple[int, int]]:
    """Turns of one party's speech mask: ``(first_frame, end_frame)``, end exclusive.

    Runs of speech separated by silences shorter than ``turn_gap_s`` form one turn (the same
    rule the detector applies frame by frame while the call streams in).
    """
    gap = max(1, round(turn_gap_s / hop_s))
    m = np.asarray(speech, dtype=bool)
    d = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    out: list[tuple[int, int]] = []
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        if out and s - out[-1][1] < gap:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def near_voice(
    frames: PartyFrames, baseline: BaselineSnapshot | None, config: InterruptionConfig
) -> np.ndarray:
    """A party's speech frames that are their own near voice, frame by frame (no hangover).

    Once the party's baseline rests on ``far_voice_min_own_voiced_s`` of their own voiced
    speech (or on a profile), speech frames more than ``far_voice_db_under_baseline`` under its
    level (the voice's own level against the baseline's median voiced level) are someone else
    heard in their microphone; before that, or with the rule off (0), every speech frame.
    """
    speech = np.asarray(frames.speech, dtype=bool)
    if not _far_rule(baseline, config):
        return speech
    assert baseline is not None
    return speech & (
        frames.voice_loudness_dbfs >= baseline.loudness_dbfs - config.far_voice_db_under_baseline
    )


def _far_rule(baseline: BaselineSnapshot | None, config: InterruptionConfig) -> bool:
    return (
        config.far_voice_db_under_baseline > 0
        and baseline is not None
        and (baseline.from_profile or baseline.own_s >= config.far_voice_min_own_voiced_s)
    )


@dataclass
class _Party:
    """One party's place in the turn-taking, updated at change points of its speech mask."""

    speaking: bool = False
    run_start: int = 0
    silent_since: int | None = None
    turn_start: int | None = None

    def pause_at(self, g: int) -> int:
        """Frames of silence at ``g`` (0 while speaking; huge when never spoken)."""
        if self.speaking:
            return 0
        return _NEVER if self.silent_since is None else g - self.silent_since


@dataclass
class _Candidate:
    """P's new turn that started while Q was mid-turn: an interruption once confirmed."""

    start: int
    other_turn_frames: int
    overlap_frames: int = 0
    last_overlap_end: int = 0
    onset_talk_frames: int = 0  # Q's speech after t0 before Q first halts
    halted_at: int | None = None
    resumed_at: int | None = None
    newcomer_frames: int = 0  # P's speech since t0
    other_syllables: int = 0  # Q's syllable nuclei since t0
    syllables_at: int = 0  # the frame Q's last needed nucleus came (0: none needed)
    own_voice: bool = False  # P's frames had to be their own voice (own_voice_evidence)
    event: Event | None = None


class InterruptionDetector:
    """Who cut in, following both parties' turns (see the module docstring for the rule).

    Parameters
    ----------
    config : InterruptionConfig
        Thresholds (seconds).
    hop_s : float
        Frame hop of the speech masks.
    """

    PARTIES = PARTIES

    def __init__(self, config: InterruptionConfig, *, hop_s: float) -> None:
        self.c = config
        self.hop_s = hop_s
        self._min_turn = round(config.min_other_turn_s / hop_s)
        self._min_overlap = max(1, round(config.min_overlap_s / hop_s))
        self._min_burst = max(1, round(config.backchannel_max_s / hop_s))
        self._gap = max(1, round(config.turn_gap_s / hop_s))
        self._max_pause = max(0, round(config.cut_in_max_pause_s / hop_s))
        self._min_halt_talk = max(1, round(config.halt_min_overlap_s / hop_s))
        self._min_syllables = max(0, config.overlap_min_syllables)
        self._party = {p: _Party() for p in PARTIES}
        self._cand: dict[str, _Candidate | None] = {p: None for p in PARTIES}
        self._nuclei: Mapping[str, np.ndarray] | None = None  # the block's nuclei
        self._nuclei_start = 0  # global frame of the block's first
        self.overlap_frames = 0
        self._far_hang = max(0, round(config.far_voice_hangover_s / hop_s))
        self._last_near = {p: -_NEVER for p in PARTIES}  # each party's last near speech frame
        self._own_rule = {p: False for p in PARTIES}  # own_voice_evidence applies (this block)

    def thresholds(self) -> dict[str, float]:
        c = self.c
        return {
            "min_other_turn_s": c.min_other_turn_s,
            "min_overlap_s": c.min_overlap_s,
            "backchannel_max_s": c.backchannel_max_s,
            "turn_gap_s": c.turn_gap_s,
            "cut_in_max_pause_s": c.cut_in_max_pause_s,
            "halt_min_overlap_s": c.halt_min_overlap_s,
            "overlap_min_syllables": c.overlap_min_syllables,
            "far_voice_db_under_baseline": c.far_voice_db_under_baseline,
            "own_voice_level_spreads": c.own_voice_level_spreads,
            "own_voice_max_llr_nats": c.own_voice_max_llr_nats,
        }

    @staticmethod
    def _other(p: Speaker) -> Speaker:
        return "customer" if p == "agent" else "agent"

    def push(
        self,
        frames: CallFrames,
        baselines: Mapping[str, BaselineSnapshot],
        not_own: Mapping[str, np.ndarray] | None = None,
    ) -> DetectorStep:
        """Both parties' speech in the block (the detector of the :class:`Detector` protocol).

        ``not_own``: for a party under ``own_voice_evidence`` in this block (their voice models
        ready), their speech frames without evidence of their own voice (as far frames: not
        near, kept only within ``far_voice_hangover_s`` after a near frame); a party absent
        from it is not under the rule."""
        not_own = not_own if self.c.own_voice_evidence else None
        speech = {
            p: self._near_speech(frames, p, baselines.get(p), (not_own or {}).get(p))
            for p in PARTIES
        }
        return DetectorStep(
            self.push_speech(
                frames.start,
                speech["agent"],
                speech["customer"],
                frames.time_of,
                nuclei={p: frames.parties[p].nucleus for p in PARTIES},
            )
        )

    def _near_speech(
        self,
        frames: CallFrames,
        p: Speaker,
        baseline: BaselineSnapshot | None,
        not_own: np.ndarray | None = None,
    ) -> np.ndarray:
        """Party ``p``'s speech mask less a far voice in their microphone.

        Once ``p``'s baseline rests on ``far_voice_min_own_voiced_s`` of their own voiced
        speech (or on a profile), speech frames more than
        ``far_voice_db_under_baseline`` under its level (the voice's own level against the
        baseline's median voiced level) are not ``p`` talking, unless within
        ``far_voice_hangover_s`` after a frame that is near. The wearer's own voice is the loud,
        near voice of their microphone; a neighbour heard 20 dB under it is not their turn.
        """
        f = frames.parties[p]
        speech = np.asarray(f.speech, dtype=bool)
        self._own_rule[p] = not_own is not None
        far = _far_rule(baseline, self.c)
        if not far and not_own is None:
            if speech.any():
                self._last_near[p] = f.start + int(np.flatnonzero(speech)[-1])
            return speech
        g = np.arange(f.start, f.start + speech.size)
        near = near_voice(f, baseline, self.c) if far else speech
        if not_own is not None:
            near = near & ~np.asarray(not_own, dtype=bool)
        last = np.maximum.accumulate(np.where(near, g, self._last_near[p]))
        if last.size:
            self._last_near[p] = int(last[-1])
        return speech & (g - last <= self._far_hang)

    def push_speech(
        self,
        start: int,
        agent: np.ndarray,
        customer: np.ndarray,
        time_of: TimeFn,
        *,
        nuclei: Mapping[str, np.ndarray] | None = None,
    ) -> list[Event]:
        """Feed the next block of both speech masks (frame ``start`` on); events opened/closed.

        ``nuclei``: each party's syllable nuclei in the block (``PartyFrames.nucleus``); without
        them every stretch of speech counts as syllables (``overlap_min_syllables`` is moot).
        """
        out: list[Event] = []
        agent = np.asarray(agent, dtype=bool)
        customer = np.asarray(customer, dtype=bool)
        tracks = {"agent": agent, "customer": customer}
        # Read only when a candidate needs them (_syllables_by): most steps have none.
        self._nuclei = None if self._min_syllables == 0 else nuclei
        self._nuclei_start = start
        self.overlap_frames += int((agent & customer).sum())
        n = agent.size
        if n == 0:
            return out
        chg = (np.diff(agent.astype(np.int8)) != 0) | (np.diff(customer.astype(np.int8)) != 0)
        bounds = np.concatenate(([0], np.flatnonzero(chg) + 1, [n])).tolist()
        for i0, i1 in itertools.pairwise(bounds):
            g0, g1 = start + i0, start + i1
            now = {p: bool(tracks[p][i0]) for p in PARTIES}
            self._stops(g0, now)
            out += self._starts(g0, now, time_of)
            out += self._within(g0, g1, now, time_of)
            out += self._turn_ends(g1, time_of)
        return out

    # ------------------------------------------------------------------ segment steps

    def _stops(self, g0: int, now: dict[Speaker, bool]) -> None:
        for p in PARTIES:
            party = self._party[p]
            if party.speaking and not now[p]:
                party.speaking, party.silent_since = False, g0
                theirs = self._cand[self._other(p)]
                if theirs is not None and theirs.halted_at is None and g0 > theirs.start:
                    theirs.halted_at = g0

    def _starts(self, g0: int, now: dict[Speaker, bool], time_of: TimeFn) -> list[Event]:
        out: list[Event] = []
        for p in PARTIES:
            party = self._party[p]
            if not now[p] or party.speaking:
                continue
            party.speaking, party.silent_since, party.run_start = True, None, g0
            theirs = self._cand[self._other(p)]
            if theirs is not None and theirs.halted_at is not None and theirs.resumed_at is None:
                theirs.resumed_at = g0
            if party.turn_start is not None:
                continue  # a pause inside the turn: the turn goes on
            party.turn_start = g0
            q = self._party[self._other(p)]
            if (
                q.turn_start is not None
                and g0 - q.turn_start >= self._min_turn
                and q.pause_at(g0) <= self._max_pause
            ):
                out += self._close(p, time_of)
                self._cand[p] = _Candidate(
                    start=g0, other_turn_frames=g0 - q.turn_start, own_voice=self._own_rule[p]
                )
        return out

    def _within(self, g0: int, g1: int, now: dict[Speaker, bool], time_of: TimeFn) -> list[Event]:
        out: list[Event] = []
        for p in PARTIES:
            cand = self._cand[p]
            if cand is None:
                continue
            q = self._other(p)
            both = now[p] and now[q]
            if cand.event is None:
                if cand.newcomer_frames >= self._min_burst:
                    f_burst = g0
                elif now[p]:
                    f_burst = g0 + self._min_burst - cand.newcomer_frames - 1
                else:
                    f_burst = _NEVER
                if cand.overlap_frames >= self._min_overlap:
                    f_overlap = g0
                elif both:
                    f_overlap = g0 + self._min_overlap - cand.overlap_frames - 1
                else:
                    f_overlap = _NEVER
                f_overlap = max(f_overlap, self._syllables_by(cand, q, g0, g1))
                halt_resume = (
                    cand.resumed_at is not None and cand.onset_talk_frames >= self._min_halt_talk
                )
                f_halt = g0 if halt_resume else _NEVER
                f = max(f_burst, min(f_overlap, f_halt))
                if f < g1:
                    how = "overlap" if f_overlap <= f_halt else "halt_resume"
                    evidence: dict[str, object] = {
                        "interrupted": q,
                        "interrupted_turn_s": round(cand.other_turn_frames * self.hop_s, 4),
                        "how": how,
                        "confirmed_at_s": time_of(f),
                        # P's speech had to show it was their own voice (own_voice_evidence):
                        # another voice was known in their microphone.
                        "newcomer_own_voice": cand.own_voice,
                    }
                    if cand.halted_at is not None and cand.resumed_at is not None:
                        evidence["interrupted_halt_s"] = round(
                            (cand.resumed_at - cand.halted_at) * self.hop_s, 4
                        )
                    cand.event = Event(
                        kind="interruption",
                        speaker=p,
                        start_s=time_of(cand.start),
                        evidence=evidence,
                        thresholds=self.thresholds(),
                    )
                    out.append(cand.event)
            if both:
                cand.overlap_frames += g1 - g0
                cand.last_overlap_end = g1
            if now[q] and cand.halted_at is None:
                cand.onset_talk_frames += g1 - g0
            if now[p]:
                cand.newcomer_frames += g1 - g0
        return out

    def _syllables_by(self, cand: _Candidate, q: str, g0: int, g1: int) -> int:
        """The frame by which Q has begun ``overlap_min_syllables`` syllables since P's
        start, counting Q's nuclei in ``[g0, g1)`` (``_NEVER``: not yet; carried in ``cand``)."""
        if self._nuclei is None or cand.other_syllables >= self._min_syllables:
            return cand.syllables_at
        s = self._nuclei_start
        a = max(g0, cand.start)
        new = a + np.flatnonzero(np.asarray(self._nuclei[q][a - s : g1 - s], bool))
        need = self._min_syllables - cand.other_syllables
        if new.size >= need:
            cand.other_syllables = self._min_syllables
            cand.syllables_at = int(new[need - 1])
            return cand.syllables_at
        cand.other_syllables += int(new.size)
        return _NEVER

    def _turn_ends(self, g1: int, time_of: TimeFn) -> list[Event]:
        out: list[Event] = []
        for p in PARTIES:
            party = self._party[p]
            if party.turn_start is None or party.speaking or party.silent_since is None:
                continue
            if party.silent_since + self._gap <= g1:
                party.turn_start = None
                out += self._close(p, time_of)
                out += self._close(self._other(p), time_of)
        return out

    def _close(self, p: str, time_of: TimeFn) -> list[Event]:
        cand = self._cand[p]
        self._cand[p] = None
        if cand is None or cand.event is None:
            return []
        end = max(cand.last_overlap_end, cand.resumed_at or 0, cand.start + 1)
        return [
            cand.event.closed_at(
                time_of(end), evidence={"overlap_s": round(cand.overlap_frames * self.hop_s, 4)}
            )
        ]

    def finish(
        self,
        end: int,
        time_of: TimeFn,
        baselines: Mapping[str, BaselineSnapshot] | None = None,
    ) -> list[Event]:
        """End of the call: close what is open."""
        return [ev for p in PARTIES for ev in self._close(p, time_of)]
