"""Two-speaker diarization of a mono call and who of the two is the agent (issue 20).

Offline, CPU only, no model download: speech regions come from the acoustic front end
(:func:`audio.features.extract_features`), speaker features from :mod:`audio.speakers`.

How it decides
--------------
1. Windows of 0.8 s of speech are embedded (MFCC mean/spread + median pitch), standardised
   and split in two by a normalised cut of their cosine-affinity graph (or Ward agglomerative
   clustering, ``init_method``); optional k-means restarts.
2. Resegmentation: one full-covariance Gaussian per speaker is fitted on the frame MFCCs of
   its windows; every speech frame gets the log-likelihood ratio of the two, and a two-state
   Viterbi pass with a switch penalty turns that into turns (no 10 ms flicker). Two rounds.
3. Overlap: a third Gaussian of the two voices at once (the call's own frames added in pairs)
   and a three-state Viterbi pass mark frames where both are active (``frame_speaker == 2``).
   The frame evidence is weak on real calls, so the default prior marks little there.
   Cut-ins (``newcomer_overlap``): next to a change of speaker with no pause, the stretch where
   the mix sounds like two talkers (loud but without one pitch, no dips between syllables) is
   marked as overlap, so the party who was not talking before it (the newcomer) has their
   turn start there and the party who was talking keeps it: the interruption is the
   newcomer's.
   Inside marked overlap each party's channel gets its voice's share of the mix
   (``overlap_separation``): a spectral dictionary per speaker is learned by NMF from the
   call's own single-talker frames and the overlap is explained by both (:func:`nmf_split`).
4. Turns shorter than ``min_turn_s`` are merged into their neighbours. Each turn's confidence
   is how clearly its frames favour its speaker (logistic of the mean per-frame LLR).

Every setting is in :class:`DiarizationConfig`; measured figures are in docs/diarization.md.

Roles (:func:`assign_roles`): greeting / company phrases in the words of each speaker
("thank you for calling", "how can I help", "my name is ... speaking", "this is ... from"),
otherwise the first speaker; ``--agent-speaker first|second`` overrides.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import scipy.sparse
import scipy.sparse.linalg
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.cluster.vq import kmeans2

from calltone.audio.errors import CalltoneError, ParameterError
from calltone.audio.features import FeatureStream, concat_blocks
from calltone.audio.speakers import (
    SpeakerFeatureOptions,
    SpeakerFrames,
    speaker_frames,
    speaker_windows,
)
from calltone.models.cpu import blas_threads_limit

AgentSpeakerMode = Literal["first", "second", "auto"]


class DiarizationError(CalltoneError):
    """The mono call cannot be diarized (e.g. bad ``--agent-speaker`` value)."""


@dataclass(frozen=True)
class DiarizationConfig:
    """Settings of :func:`diarize` (units in the names).

    Attributes
    ----------
    features : SpeakerFeatureOptions
        Frame and window features.
    pitch_weight : float
        Weight of the standardised median log-pitch against each standardised MFCC statistic
        in the window embedding. 0 by default: on the first fitting set (AMI mixtures, AMI
        source mixes, the LCA call) any weight > 0 raised the DER; on the enlarged one (plus
        two AMI headset pairs and eight RAVDESS actor-pair calls) weight 1 lowered it by 1 %
        and raised the held-out phone call's G.711 DER (docs/diarization.md).
    switch_penalty_nats : float
        Viterbi cost of changing speaker between two speech frames, in nats of the per-frame
        log-likelihood ratio (fitted on the AMI dev mixtures and the LCA call mixes, not on
        the phone call sample that checks it).
    llr_scale : float
        The per-frame LLR is multiplied by this before decoding and confidence (full-covariance
        Gaussians over 16 cepstra give over-confident frame LLRs; 0.2 tempers them).
    resegment_rounds : int
        Gaussian refit + Viterbi rounds.
    min_turn_s : float
        Shorter turns are merged into a neighbour.
    bridge_gap_s : float
        Two turns of the same speaker closer than this are joined into one.
    min_windows : int
        With fewer embedded windows the call is given to one speaker.
    masking_range_db : float
        How far the other party's turns are turned down in each party's channel
        (:func:`split_channels`): 40 dB puts the other voice below the front end's speech gate
        (35 dB under the channel's own speech) while keeping the line's noise floor in both
        channels, so each channel's baseline and noise estimate stay those of a real line.
    mask_ramp_s : float
        The masks fade over this long at every turn change so the cuts do not click (a click
        reads as a loudness spike).
    mask_edge_s : float
        Non-speech frames within this long of a speaker's speech (and nearer it than the other
        speaker's) are that speaker's in the masks of :func:`split_channels`: turned down in
        the other party's channel like the turn itself. The diarizer's speech gate ends a turn
        before the tail of its last word (a decay, an unvoiced consonant) and starts it after
        the onset of its first, while the front end's speech activity keeps 0.25 s of hangover
        (``FeatureOptions.vad_hangover_s``): kept at full level in both channels, such an edge
        was a speech run of its own in the *other* party's channel, which Whisper heard as
        that party's words (the escalation sample's mix: the customer's "fixed" at
        27.56-27.65 s written as the agent's "Take it."). Frames further from any speech
        than this are the line's background and stay at full level in both channels. 0 = off
        (every non-speech frame in both channels).
    role_words_window_s : float
        Only the first this-many seconds of a mono call are transcribed for the role decision
        and agent phrases within them count 1.5x (agents greet and name the company at the
        start; 60 s covers a greeting after a hold or an IVR prompt).
    role_first_turn_min_s : float
        Without agent phrases, the agent is the speaker of the first turn at least this long
        (1 s: a greeting is longer; the first 0.6 s of the LCA call, the agent's first words
        under the caller's line noise, were once labelled as the caller and made the caller
        the "first speaker").
    detect_overlap : bool
        Mark frames where both voices are active (``frame_speaker == 2``): a third Gaussian,
        of overlapped speech, is fitted on spectra made by adding the mel power of random
        pairs of frames of the two speakers (the call's own voices at their own levels), and a
        three-state Viterbi pass decides speaker 0, speaker 1 or both per frame.
    overlap_prior_nats : float
        Per-frame cost of the overlap state, in nats of scaled log-likelihood: overlap is rare
        in calls (0.4 % of speech on the LCA call, 8 % on the phone-call sample), so a frame
        must fit the overlap model clearly better to be marked. 0.5 had the lowest fitting-set
        DER; it marks little on real calls (the frame evidence is weak there: AUC 0.55-0.65),
        0 marks the clear overlaps of the interrupting-agent sample.
    overlap_near_change_s, overlap_prior_at_change_nats, latch_gap_s : float
        Overlap is where a speaker takes the turn while the other is still talking, which
        leaves no pause at the change; an ordinary exchange leaves one (>= ``latch_gap_s``).
        Within ``overlap_near_change_s`` of a change of speaker with no such pause, the
        overlap state costs ``overlap_prior_at_change_nats`` per frame instead of
        ``overlap_prior_nats`` (0 s: the same prior everywhere). In a mono mix the
        resegmentation gives overlapped frames to one voice, so an interruption shows as such
        a change; elsewhere the weak frame evidence marks false overlap.
    overlap_enter_nats : float
        Viterbi cost of entering the overlap state (no 10 ms flicker).
    overlap_model_frames : int
        Synthetic overlap frames the overlap Gaussian is fitted on.
    restarts : int
        Extra starting splits (k-means++ on the window embeddings, seeds 0..restarts-1) besides
        Ward's: each is resegmented and the result whose frames fit their speakers' Gaussians
        best (scaled log-likelihood minus switch penalties) is kept. A split that two
        similar voices make along the wrong line (a codec, the loudness of a phrase) fits worse
        than the split by voice once resegmented. 0 by default: 5 lowered the fitting-set DER
        by 3 % but raised the held-out phone call's (docs/diarization.md).
    level_regression : bool
        Before clustering, remove from the window embeddings what the window's loudness
        predicts linearly (vocal effort moves the spectrum: a shouted phrase looks like
        another voice). Off by default: it also removes the difference between two parties
        whose levels differ (a loud headset and a quiet line), which is common on calls; two
        synthetic voices 2 dB apart were no longer told apart (DER 44 %).
    init_method : {"spectral", "ward"}
        How the windows are first split in two (the start of the resegmentation).
        ``"spectral"`` (default): a two-way normalised cut of the windows' cosine-affinity
        graph (:func:`_spectral_split`); ``"ward"``: Ward agglomerative clustering, cut at two
        clusters (the previous default). Ward's variance criterion often split off a handful
        of odd windows (a laugh, a thump, a shouted word) as the second "speaker" (AMI dev00
        wideband: 8 windows against 39), and which windows were odd changed with the line, so a
        call and its G.711 copy were split differently; a normalised cut weighs each side by
        its total affinity and does not. On the fitting set (wideband, G.711, GSM + 20 dB noise
        loud- and calm-referenced) the summed DER fell 2680.7 -> 2565.8 (docs/diarization.md).
    spectral_neighbours_fraction : float
        In the affinity graph each window keeps links to this fraction of the windows, its
        most similar ones (at least 2; the links are symmetrised). 0.1: of 0.05, 0.1, 0.15 and
        0.2 the lowest fitting-set DER (docs/diarization.md).
    interruption_confidence_factor : float
        An interruption found in a separated call gets the confidence of the turns it joins
        times this (0.5: on the fitting set most marked overlap was not real overlap, and most
        real overlap was not marked; see docs/diarization.md).
    profile_max_distance_st : float
        Role from a saved agent voice profile (:func:`assign_roles`): the speaker whose median
        pitch is within this of the profile's pitch is the agent...
    profile_margin_st : float
        ...if the other speaker is at least this much farther from it. The same person's
        median pitch moves 1-2 st between calls; two voices closer than this cannot be told
        apart by pitch, and then the profile decides nothing.
    overlap_level_match_db : float
        Only frame pairs within this level of each other are added into synthetic overlap:
        a pair where one voice is far louder sounds like that voice alone, and a model fitted
        on such pairs claims single-voice frames as overlap.
    newcomer_overlap : bool
        Look for overlap where one party cuts in over the other (:func:`_newcomer_overlaps`):
        in a mono mix the resegmentation keeps the overlapped frames with the party who was
        already talking and changes speaker, with no pause, when that party stops. Around
        every such pause-less change, the stretch where the mix sounds like two talkers at
        once (:func:`two_talker_score`) is marked as overlap (``frame_speaker == 2``), so the
        party who was not talking before it (the newcomer) gets its start in their channel
        and the party who was talking keeps theirs: the interruption is the newcomer's.
    two_talker_window_s : float
        The two-talker score is averaged over this long (0.8 s: a few syllables of each voice).
    two_talker_loud_db_under_peak, two_talker_dip_db_under_peak : float
        Frames within ``two_talker_loud_db_under_peak`` of the call's loud speech (90th
        percentile of the speech frames' feature-band level) are "loud"; frames more than
        ``two_talker_dip_db_under_peak`` under it are "dips" (the gaps between one talker's
        syllables and words).
    two_talker_min_score : float
        A frame sounds like two talkers when, over the window, the fraction of loud frames the
        front end finds unvoiced times the fraction of frames that are not dips is at least
        this. One voice alone is periodic when loud (its pitch is found) and dips between
        syllables; two voices at once are loud and aperiodic (two pitches defeat a one-pitch
        tracker) and fill each other's dips.
    two_talker_extend_score : float
        A stretch that reaches ``two_talker_min_score`` somewhere extends to the frames around
        it that score at least this (hysteresis: the score of a real overlap wavers with the
        words in it, and a lower bar alone also marks stretches of one voice).
    newcomer_min_overlap_s : float
        A two-talker stretch shorter than this next to a change is not marked (a cough, a
        laugh, one fricative-heavy word).
    newcomer_search_s : float
        The stretch is looked for at most this far from the pause-less change it touches.
    overlap_separation : bool
        Inside marked overlap, :func:`split_channels` gives each party's channel the part of the
        mix that belongs to their voice (``separation_method``) instead of the whole mix, so
        each party's transcript hears their own words there. On (session 11): with the
        speaker dictionaries (``"nmf"``) the interrupting-agent mix's agent hears "Calm down,
        there's nothing I can do" inside the overlap (the mix gave the customer's words:
        "One time I'm out"), word error rate against the script agent 0.28 -> 0.19 and customer
        0.25 -> 0.20 (two-channel 0.17 / 0.20); on the held-out LCA cut-in call (real telephone
        voices) each party's share is 5-9 dB nearer its own channel than the mix (one of eight
        -0.5 dB). Costs nothing on a call without marked overlap, ~0.6 s of CPU on one with
        (the dictionaries). The pitch-comb split (``"harmonic"``, session 10) raised the
        signal-to-interference ratio by ~5 dB, the agent's words stayed misheard and a criterion
        got worse. docs/diarization.md, sessions 10 and 11.
    separation_method : str
        How the two voices are told apart inside marked overlap: ``"nmf"`` (:func:`nmf_split`:
        a spectral dictionary per speaker learned from the call's own single-talker frames,
        the overlap explained by both dictionaries, each bin given to the voices by their
        share) or ``"harmonic"`` (:func:`harmonic_split`: pitch combs; needs both median
        pitches ``separation_min_pitch_gap_st`` apart).
    separation_components : int
        ``"nmf"``: spectra per speaker's dictionary.
    separation_train_s : float
        ``"nmf"``: at most this much of each speaker's single-talker speech trains their
        dictionary, the stretches nearest to the marked overlaps first (the voice as it sounds
        around them; bounds the cost on a long call).
    separation_min_train_s : float
        ``"nmf"``: a speaker with less single-talker speech than this gets no dictionary, and
        the overlap stays the mix in both channels.
    separation_iterations : int
        ``"nmf"``: multiplicative-update iterations learning each dictionary (once per call).
    separation_fit_iterations : int
        ``"nmf"``: iterations fitting a marked overlap with the two dictionaries fixed (a cost
        per second of overlap: 100 cost 2.4 s of CPU on a 10-minute call with 26 cut-ins).
    separation_train_step_s : float
        ``"nmf"``: the dictionaries learn from one spectrum every this many seconds of the
        single-talker speech (0.02 s halves the learning's cost: neighbouring 10 ms spectra of
        one voice are nearly alike).
    separation_nmf_fmax_hz : float
        ``"nmf"``: the dictionaries model the spectrum up to this frequency (8 kHz: all of a
        16 kHz call, sibilants included); a bin above it goes to each voice by that voice's
        share of the modelled band in its frame (a lower value halves the cost; on the
        interrupting-agent mix 4 kHz separated 0.5-1 dB less on the wideband copy).
    separation_pitch_range_st : float
        Each voice's pitch is looked for within this many semitones of its median pitch.
    separation_min_pitch_gap_st : float
        Voices whose median pitches are closer than this are not separated (their harmonics
        cannot be told apart and their pitch ranges overlap).
    separation_fft_s : float
        STFT window of the separation (64 ms: resolves the harmonics of a 100 Hz voice).
    separation_fmax_hz : float
        ``"harmonic"``: harmonics are assigned up to this frequency; the bins above, like the
        bins of neither voice's harmonics (consonants, noise), go to both channels at half
        power.
    newcomer_min_prior_s : float
        Someone must have been talking, alone and without a pause, for at least this long just
        before the stretch: a cut-in happens while the other party is talking. A stretch at the
        start of a turn is one voice that sounds like two (a shout: loud, with little pitch
        found and few dips), not an interruption.
    blas_threads : int or None
        Threads numpy's BLAS (OpenBLAS) may use while a mono call is diarized and separated
        and while the separated call is analysed (:func:`diarize`, :func:`diarize_frames`,
        ``models.recorded.analysis.analyze_separated``); None leaves the library's own pool.
        1 by default: the products here are small (12-dimensional Gaussians, a mel filterbank,
        the acoustic analysis's per-step cepstra), so the pool's threads mostly spin waiting
        for work: separating and analysing the 10-minute mono call of ``bench_diarization.py
        --speed`` cost 5.3 s of CPU with the pool and 3.8 s with one thread (the separated
        call's analysis 3.1-3.7 s -> 1.6-1.7 s; loaded 2-core machine, session 15,
        docs/benchmarks.md), with the same turns, separated channels and analysis. One thread
        also makes the order of the sums, and so the last bits of the turn confidences, the
        same on every machine (the live service already runs its BLAS on one thread:
        ``service.live.cpu.single_threaded_blas``).

    Raises
    ------
    ParameterError
        A value outside what the setting can mean (see each check's message), or feature
        options that are invalid (:class:`audio.speakers.SpeakerFeatureOptions`).
    """

    features: SpeakerFeatureOptions = field(default_factory=SpeakerFeatureOptions)
    pitch_weight: float = 0.0
    switch_penalty_nats: float = 12.0
    llr_scale: float = 0.2
    resegment_rounds: int = 2
    min_turn_s: float = 0.25
    bridge_gap_s: float = 0.3
    min_windows: int = 4
    masking_range_db: float = 40.0
    mask_ramp_s: float = 0.01
    mask_edge_s: float = 0.3
    role_words_window_s: float = 60.0
    role_first_turn_min_s: float = 1.0
    detect_overlap: bool = True
    overlap_prior_nats: float = 0.5
    overlap_enter_nats: float = 6.0
    overlap_near_change_s: float = 0.0
    overlap_prior_at_change_nats: float = 0.0
    latch_gap_s: float = 0.1
    overlap_model_frames: int = 3000
    overlap_level_match_db: float = 6.0
    interruption_confidence_factor: float = 0.5
    profile_max_distance_st: float = 3.0
    profile_margin_st: float = 2.0
    restarts: int = 0
    level_regression: bool = False
    init_method: str = "spectral"
    spectral_neighbours_fraction: float = 0.1
    newcomer_overlap: bool = True
    two_talker_window_s: float = 0.8
    two_talker_loud_db_under_peak: float = 12.0
    two_talker_dip_db_under_peak: float = 25.0
    two_talker_min_score: float = 0.7
    two_talker_extend_score: float = 0.4
    newcomer_min_overlap_s: float = 0.5
    newcomer_search_s: float = 4.0
    newcomer_min_prior_s: float = 1.0
    overlap_separation: bool = True
    separation_method: str = "nmf"
    separation_components: int = 32
    separation_train_s: float = 12.0
    separation_min_train_s: float = 3.0
    separation_iterations: int = 100
    separation_fit_iterations: int = 40
    separation_train_step_s: float = 0.01
    separation_nmf_fmax_hz: float = 8000.0
    separation_pitch_range_st: float = 7.0
    separation_min_pitch_gap_st: float = 4.0
    separation_fft_s: float = 0.064
    separation_fmax_hz: float = 4000.0
    blas_threads: int | None = 1

    def __post_init__(self) -> None:
        checks: list[tuple[str, float, bool, str]] = [
            ("pitch_weight", self.pitch_weight, self.pitch_weight >= 0, "0 or more"),
            (
                "switch_penalty_nats",
                self.switch_penalty_nats,
                self.switch_penalty_nats >= 0,
                "0 nats or more",
            ),
            ("llr_scale", self.llr_scale, self.llr_scale > 0, "a positive factor"),
            (
                "resegment_rounds",
                self.resegment_rounds,
                1 <= self.resegment_rounds <= 10,
                "1 to 10 rounds",
            ),
            ("min_turn_s", self.min_turn_s, self.min_turn_s >= 0, "0 s or more"),
            ("bridge_gap_s", self.bridge_gap_s, self.bridge_gap_s >= 0, "0 s or more"),
            ("min_windows", self.min_windows, self.min_windows >= 2, "2 windows or more"),
            (
                "masking_range_db",
                self.masking_range_db,
                0 < self.masking_range_db <= 120,
                "0 to 120 dB (40: the other voice falls below the speech gate)",
            ),
            ("mask_ramp_s", self.mask_ramp_s, 0 <= self.mask_ramp_s <= 0.1, "0 to 0.1 s"),
            ("mask_edge_s", self.mask_edge_s, 0 <= self.mask_edge_s <= 2, "0 to 2 s"),
            (
                "role_words_window_s",
                self.role_words_window_s,
                self.role_words_window_s > 0,
                "a positive number of seconds",
            ),
            (
                "role_first_turn_min_s",
                self.role_first_turn_min_s,
                self.role_first_turn_min_s >= 0,
                "0 s or more",
            ),
            ("overlap_prior_nats", self.overlap_prior_nats, True, "a finite number of nats"),
            (
                "overlap_near_change_s",
                self.overlap_near_change_s,
                self.overlap_near_change_s >= 0,
                "0 s or more",
            ),
            (
                "overlap_prior_at_change_nats",
                self.overlap_prior_at_change_nats,
                True,
                "a finite number of nats",
            ),
            ("latch_gap_s", self.latch_gap_s, self.latch_gap_s >= 0, "0 s or more"),
            (
                "overlap_enter_nats",
                self.overlap_enter_nats,
                self.overlap_enter_nats >= 0,
                "0 nats or more",
            ),
            ("restarts", self.restarts, 0 <= self.restarts <= 20, "0 to 20 restarts"),
            (
                "profile_max_distance_st",
                self.profile_max_distance_st,
                self.profile_max_distance_st > 0,
                "a positive number of semitones",
            ),
            (
                "profile_margin_st",
                self.profile_margin_st,
                self.profile_margin_st >= 0,
                "0 semitones or more",
            ),
            (
                "interruption_confidence_factor",
                self.interruption_confidence_factor,
                0 < self.interruption_confidence_factor <= 1,
                "a factor in (0, 1]",
            ),
            (
                "overlap_level_match_db",
                self.overlap_level_match_db,
                self.overlap_level_match_db > 0,
                "a positive level difference in dB",
            ),
            (
                "overlap_model_frames",
                self.overlap_model_frames,
                self.overlap_model_frames >= 100,
                "100 frames or more",
            ),
        ]
        checks += [
            (
                "two_talker_window_s",
                self.two_talker_window_s,
                0.05 <= self.two_talker_window_s <= 5,
                "0.05 to 5 s",
            ),
            (
                "two_talker_loud_db_under_peak",
                self.two_talker_loud_db_under_peak,
                self.two_talker_loud_db_under_peak > 0,
                "a positive number of dB",
            ),
            (
                "two_talker_dip_db_under_peak",
                self.two_talker_dip_db_under_peak,
                self.two_talker_dip_db_under_peak > self.two_talker_loud_db_under_peak,
                "more dB than two_talker_loud_db_under_peak",
            ),
            (
                "two_talker_min_score",
                self.two_talker_min_score,
                0 < self.two_talker_min_score <= 1,
                "a score in (0, 1]",
            ),
            (
                "two_talker_extend_score",
                self.two_talker_extend_score,
                0 < self.two_talker_extend_score <= self.two_talker_min_score,
                "a score in (0, two_talker_min_score]",
            ),
            (
                "newcomer_min_overlap_s",
                self.newcomer_min_overlap_s,
                self.newcomer_min_overlap_s >= 0,
                "0 s or more",
            ),
            (
                "separation_pitch_range_st",
                self.separation_pitch_range_st,
                0 < self.separation_pitch_range_st <= 12,
                "0 to 12 semitones",
            ),
            (
                "separation_min_pitch_gap_st",
                self.separation_min_pitch_gap_st,
                self.separation_min_pitch_gap_st >= 0,
                "0 semitones or more",
            ),
            (
                "separation_fft_s",
                self.separation_fft_s,
                0.016 <= self.separation_fft_s <= 0.256,
                "0.016 to 0.256 s",
            ),
            (
                "separation_fmax_hz",
                self.separation_fmax_hz,
                500 <= self.separation_fmax_hz <= 8000,
                "500 to 8000 Hz",
            ),
            (
                "newcomer_min_prior_s",
                self.newcomer_min_prior_s,
                self.newcomer_min_prior_s >= 0,
                "0 s or more",
            ),
            (
                "newcomer_search_s",
                self.newcomer_search_s,
                self.newcomer_search_s > 0,
                "a positive number of seconds",
            ),
        ]
        checks += [
            (
                "separation_components",
                self.separation_components,
                1 <= self.separation_components <= 256,
                "1 to 256 spectra",
            ),
            (
                "separation_train_s",
                self.separation_train_s,
                self.separation_train_s > 0,
                "a positive number of seconds",
            ),
            (
                "separation_min_train_s",
                self.separation_min_train_s,
                0 <= self.separation_min_train_s <= self.separation_train_s,
                "0 s to separation_train_s",
            ),
            (
                "separation_iterations",
                self.separation_iterations,
                1 <= self.separation_iterations <= 10_000,
                "1 to 10000 iterations",
            ),
            (
                "separation_nmf_fmax_hz",
                self.separation_nmf_fmax_hz,
                500 <= self.separation_nmf_fmax_hz <= 8000,
                "500 to 8000 Hz",
            ),
            (
                "separation_fit_iterations",
                self.separation_fit_iterations,
                1 <= self.separation_fit_iterations <= 10_000,
                "1 to 10000 iterations",
            ),
            (
                "separation_train_step_s",
                self.separation_train_step_s,
                0.01 <= self.separation_train_step_s <= 0.1,
                "0.01 to 0.1 s",
            ),
        ]
        if self.separation_method not in ("nmf", "harmonic"):
            raise ParameterError(
                f"diarization: separation_method = {self.separation_method!r}; pass 'nmf' or "
                "'harmonic'"
            )
        if self.init_method not in ("spectral", "ward"):
            raise ParameterError(
                f"diarization: init_method = {self.init_method!r}; pass 'spectral' or 'ward'"
            )
        checks.append(
            (
                "spectral_neighbours_fraction",
                self.spectral_neighbours_fraction,
                0 < self.spectral_neighbours_fraction <= 1,
                "a fraction of the windows in (0, 1]",
            )
        )
        for name, value, ok, wanted in checks:
            if not (np.isfinite(value) and ok):
                raise ParameterError(f"diarization: {name} = {value!r}; pass {wanted}")
        if self.blas_threads is not None and not (
            isinstance(self.blas_threads, int)
            and not isinstance(self.blas_threads, bool)
            and self.blas_threads >= 1
        ):
            raise ParameterError(
                f"diarization: blas_threads = {self.blas_threads!r}; pass a whole number of "
                "threads (1 or more), or None for the BLAS library's own pool"
            )
        if not isinstance(self.features, SpeakerFeatureOptions):
            raise ParameterError(
                f"diarization: features is a {type(self.features).__name__}; pass "
                "calltone.audio.speakers.SpeakerFeatureOptions"
            )

    def to_dict(self) -> dict[str, Any]:
        """Every setting by name (the analysis JSON's ``call.separation.config``)."""
        return asdict(self)


@dataclass(frozen=True)
class Turn:
    """One speaker's stretch of speech.

    Attributes
    ----------
    speaker : int
        0 or 1, in order of first appearance (0 speaks first).
    start_s, end_s : float
        Seconds from the start of the call.
    confidence : float
        0..1: how clearly the turn's frames favour this speaker over the other.
    """

    speaker: int
    start_s: float
    end_s: float
    confidence: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Diarization:
    """Who spoke when in a mono call.

    Attributes
    ----------
    turns : list of Turn
        In time order; speaker 0 is the first to speak.
    frame_speaker : np.ndarray of int8, shape (n_frames,)
        Per 10 ms frame: -1 no speech, 0 or 1 the speaker, 2 overlap (both).
    hop_s : float
        Frame hop.
    n_speakers : int
        1 when the call holds too little speech to split, else 2.
    confidence : float
        0..1: speech-time-weighted mean turn confidence.
    config : DiarizationConfig
        The settings this result was made with (said in the output).
    overlaps : list of (start_s, end_s)
        Stretches where both voices are active (``frame_speaker == 2``); the turns of both
        speakers cover them, so turns of the two speakers can overlap in time.
    """

    turns: list[Turn]
    frame_speaker: np.ndarray
    hop_s: float
    n_speakers: int
    confidence: float
    config: DiarizationConfig = field(default_factory=DiarizationConfig)
    overlaps: list[tuple[float, float]] = field(default_factory=list)
    speaker_pitch_hz: tuple[float | None, ...] = ()
    """Median pitch of each speaker's voiced frames (None: too few), for role evidence."""

    def overlap_s(self) -> float:
        """Seconds of overlapped speech marked."""
        return float(sum(e - s for s, e in self.overlaps))

    def speech_s(self, speaker: int) -> float:
        return float(sum(t.duration_s for t in self.turns if t.speaker == speaker))

    def first_speaker(self, min_turn_s: float = 0.0) -> int:
        """The speaker of the first turn at least ``min_turn_s`` long (of the first turn
        when none is)."""
        long_ = [t for t in self.turns if t.duration_s >= min_turn_s]
        first = long_[0] if long_ else (self.turns[0] if self.turns else None)
        return first.speaker if first is not None else 0


@dataclass(frozen=True)
class RoleDecision:
    """Which diarized speaker is the agent and why.

    Attributes
    ----------
    agent_speaker : int
        0 or 1 (speaker index in :class:`Diarization`).
    decided_by : str
        ``"words"`` (agent phrases), ``"first_speaker"``, ``"option_first"``/``"option_second"``.
    confidence : float
        0..1.
    evidence : list of str
        The agent phrases found (for the output), if any.
    """

    agent_speaker: int
    decided_by: str
    confidence: float
    evidence: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "agent_speaker": self.agent_speaker,
            "decided_by": self.decided_by,
            "confidence": round(self.confidence, 2),
            "evidence": list(self.evidence),
        }


def _gauss_loglik(x: np.ndarray, data: np.ndarray) -> np.ndarray:
    """Per-row log-likelihood of ``x`` under one full-covariance Gaussian fitted on ``data``."""
    mu = data.mean(axis=0)
    cov = np.cov(data, rowvar=False) + 1e-3 * np.eye(data.shape[1])
    _sign, logdet = np.linalg.slogdet(cov)
    inv = np.linalg.inv(cov)
    d = x - mu
    return -0.5 * (np.einsum("ij,jk,ik->i", d, inv, d) + logdet + x.shape[1] * np.log(2 * np.pi))


def _viterbi2(llr: np.ndarray, penalty: float) -> np.ndarray:
    """Two-state path maximising sum(+llr/2 for state 0, -llr/2 for state 1) - penalty*switches."""
    n = llr.size
    back = np.zeros((n, 2), dtype=np.int8)
    half = (llr / 2).tolist()
    s0, s1 = (half[0], -half[0]) if n else (0.0, 0.0)
    for i in range(1, n):
        m0, m1 = s1 - penalty, s0 - penalty
        if s0 >= m0:
            n0 = s0
        else:
            n0, back[i, 0] = m0, 1
        if s1 >= m1:
            n1, back[i, 1] = s1, 1
        else:
            n1 = m1
        s0, s1 = n0 + half[i], n1 - half[i]
    path = np.zeros(n, dtype=np.int8)
    if n:
        path[-1] = 0 if s0 >= s1 else 1
        for i in range(n - 1, 0, -1):
            path[i - 1] = back[i, path[i]]
    return path


def _viterbi3(
    score: np.ndarray,
    switch_penalty: float,
    enter_penalty: float,
    overlap_cost: float | np.ndarray,
) -> np.ndarray:
    """Three-state path (0, 1, 2 = both) maximising the summed per-frame ``score`` (n, 3) minus
    ``switch_penalty`` per change between 0 and 1, ``enter_penalty`` per entry into 2 and
    ``overlap_cost`` (one value, or one per frame) per frame in 2."""
    n = score.shape[0]
    back = np.zeros((n, 3), dtype=np.int8)
    cost = np.broadcast_to(np.asarray(overlap_cost, dtype=np.float64), (n,))
    sc = (score - np.stack([np.zeros(n), np.zeros(n), cost], axis=1)).tolist()
    p, q = switch_penalty, enter_penalty
    a, b, c = (sc[0][0], sc[0][1], sc[0][2]) if n else (0.0, 0.0, 0.0)
    for i in range(1, n):
        e0, e1, e2 = sc[i]
        # into 0: from 0 (free), 1 (switch), 2 (leaving overlap is free)
        n0, k0 = a, 0
        if b - p > n0:
            n0, k0 = b - p, 1
        if c > n0:
            n0, k0 = c, 2
        n1, k1 = b, 1
        if a - p > n1:
            n1, k1 = a - p, 0
        if c > n1:
            n1, k1 = c, 2
        n2, k2 = c, 2
        if a - q > n2:
            n2, k2 = a - q, 0
        if b - q > n2:
            n2, k2 = b - q, 1
        back[i, 0], back[i, 1], back[i, 2] = k0, k1, k2
        a, b, c = n0 + e0, n1 + e1, n2 + e2
    path = np.zeros(n, dtype=np.int8)
    if n:
        path[-1] = int(np.argmax([a, b, c]))
        for i in range(n - 1, 0, -1):
            path[i - 1] = back[i, path[i]]
    return path


def _overlap_pass(
    frames: SpeakerFrames,
    idx: np.ndarray,
    x: np.ndarray,
    frame_lab: np.ndarray,
    cfg: DiarizationConfig,
) -> tuple[np.ndarray, np.ndarray]:
    """Decode speaker 0 / speaker 1 / both for the speech frames ``idx`` (see
    ``DiarizationConfig.detect_overlap``); returns the labels and the 0-vs-1 frame LLR."""
    trained = [x[frame_lab == k] for k in (0, 1)]
    ll = [cfg.llr_scale * _gauss_loglik(x, t) for t in trained]
    if frames.mel_power is None or min(len(t) for t in trained) < 2 * x.shape[1]:
        return frame_lab, ll[0] - ll[1]
    rng = np.random.default_rng(0)  # the same call gives the same result
    m = cfg.overlap_model_frames
    pick = [rng.choice(idx[frame_lab == k], size=8 * m) for k in (0, 1)]
    level_db = 10 * np.log10(frames.mel_power.sum(axis=1) + 1e-12)
    close = np.abs(level_db[pick[0]] - level_db[pick[1]]) <= cfg.overlap_level_match_db
    if close.sum() < 100:
        return frame_lab, ll[0] - ll[1]
    pick = [pk[close][:m] for pk in pick]
    mixed = frames.cepstra(frames.mel_power[pick[0]] + frames.mel_power[pick[1]])
    llo = cfg.llr_scale * _gauss_loglik(x, mixed)
    score = np.stack([ll[0], ll[1], llo], axis=1)
    score -= score.max(axis=1, keepdims=True)
    cost = np.full(idx.size, cfg.overlap_prior_nats)
    if cfg.overlap_near_change_s > 0:
        cost[_near_latched_changes(idx, frame_lab, frames.hop_s, cfg)] = (
            cfg.overlap_prior_at_change_nats
        )
    path = _viterbi3(score, cfg.switch_penalty_nats, cfg.overlap_enter_nats, cost)
    return path.astype(np.int64), ll[0] - ll[1]


def _near_latched_changes(
    idx: np.ndarray, frame_lab: np.ndarray, hop_s: float, cfg: DiarizationConfig
) -> np.ndarray:
    """Mask over the speech frames ``idx``: within ``overlap_near_change_s`` of a change of
    speaker with no pause of ``latch_gap_s`` between the two (where overlap happens: a turn
    taken while the other is still talking leaves no gap, an ordinary exchange does)."""
    near = np.zeros(idx.size, dtype=bool)
    if idx.size < 2:
        return near
    gap_frames = round(cfg.latch_gap_s / hop_s)
    change = np.flatnonzero((np.diff(frame_lab) != 0) & (np.diff(idx) <= gap_frames + 1)) + 1
    reach = round(cfg.overlap_near_change_s / hop_s)
    for j in change.tolist():
        at = idx[j]
        near |= np.abs(idx - at) <= reach
    return near


def two_talker_score(frames: SpeakerFrames, cfg: DiarizationConfig) -> np.ndarray:
    """Per frame, 0..1: how much the mix around it sounds like two people talking at once.

    Over ``two_talker_window_s``: (fraction of the loud frames that the front end finds
    unvoiced) x (fraction of frames that are not dips). One talker alone is periodic when loud
    and leaves dips between syllables; two talkers at once give a mix whose loud frames have
    no single pitch (YIN's periodicity fails on two) and whose dips the other voice fills.
    Levels are each frame's feature-band level against the call's loud speech (90th percentile
    over the speech frames), so the score does not depend on the recording's gain.
    """
    n = len(frames)
    level = frames.band_level_dbfs if frames.band_level_dbfs is not None else frames.loudness_dbfs
    level = np.nan_to_num(np.asarray(level, dtype=np.float64)[:n], nan=-120.0)
    if not frames.speech.any():
        return np.zeros(n)
    peak = float(np.percentile(level[frames.speech], 90))
    loud = frames.speech & (level >= peak - cfg.two_talker_loud_db_under_peak)
    dip = level < peak - cfg.two_talker_dip_db_under_peak
    unvoiced_loud = loud & ~(frames.f0_hz[:n] > 0)
    w = max(1, round(cfg.two_talker_window_s / frames.hop_s))
    kernel = np.ones(w) / w
    loud_frac = np.convolve(loud.astype(np.float64), kernel, "same")
    unv_frac = np.convolve(unvoiced_loud.astype(np.float64), kernel, "same")
    dip_frac = np.convolve(dip.astype(np.float64), kernel, "same")
    return np.where(loud_frac > 0, unv_frac / np.maximum(loud_frac, 1e-9), 0.0) * (1 - dip_frac)


def _newcomer_overlaps(
    frames: SpeakerFrames, frame_speaker: np.ndarray, cfg: DiarizationConfig
) -> np.ndarray:
    """Frames to mark as overlap where one party cut in over the other
    (``DiarizationConfig.newcomer_overlap``): the stretches of speech that sound like two
    talkers (:func:`two_talker_score`) and touch a change between the two speakers with no
    pause of ``latch_gap_s`` (each stretch reaching ``two_talker_min_score`` somewhere and
    extended while it scores ``two_talker_extend_score``), cut to ``newcomer_search_s`` either side of the change, at least
    ``newcomer_min_overlap_s`` long, after ``newcomer_min_prior_s`` of one party talking
    alone without a pause. The party who was talking before the stretch keeps it in
    their channel; the other party's channel gets it too, so their turn starts where the two
    voices start and the interruption is theirs."""
    n = frame_speaker.size
    mark = np.zeros(n, dtype=bool)
    idx = np.flatnonzero((frame_speaker == 0) | (frame_speaker == 1))
    if idx.size < 2:
        return mark
    lab = frame_speaker[idx]
    gap = round(cfg.latch_gap_s / frames.hop_s)
    changes = idx[np.flatnonzero((np.diff(lab) != 0) & (np.diff(idx) <= gap + 1)) + 1]
    if changes.size == 0:
        return mark
    score = two_talker_score(frames, cfg)
    two = (score >= cfg.two_talker_extend_score) & (frame_speaker >= 0)
    reach = round(cfg.newcomer_search_s / frames.hop_s)
    min_len = max(1, round(cfg.newcomer_min_overlap_s / frames.hop_s))
    prior = max(1, round(cfg.newcomer_min_prior_s / frames.hop_s))
    for v, s, e in _runs(two.astype(np.int8)):
        if v != 1 or score[s:e].max() < cfg.two_talker_min_score:
            continue
        near = changes[(changes >= s - 1) & (changes <= e)]
        if near.size == 0:
            continue
        a, b = max(s, int(near[0]) - reach), min(e, int(near[-1]) + reach)
        if b - a < min_len or a < prior:
            continue
        before = frame_speaker[a - prior : a]
        if (before == before[-1]).all() and before[-1] in (0, 1):
            mark[a:b] = True
    return mark


def _runs(labels: np.ndarray) -> list[tuple[int, int, int]]:
    """(value, start, end) runs of an int array (end exclusive)."""
    if labels.size == 0:
        return []
    edges = np.flatnonzero(np.diff(labels)) + 1
    starts = np.concatenate([[0], edges])
    ends = np.concatenate([edges, [labels.size]])
    return [(int(labels[s]), int(s), int(e)) for s, e in zip(starts, ends, strict=True)]


def _resegment(
    x: np.ndarray,
    idx: np.ndarray,
    win_start: np.ndarray,
    win_end: np.ndarray,
    labels: np.ndarray,
    n: int,
    cfg: DiarizationConfig,
) -> tuple[float, np.ndarray, np.ndarray] | None:
    """Gaussian + Viterbi resegmentation of the speech frames ``x`` (at ``idx``) from window
    ``labels``; returns (path score, frame labels, scaled frame LLR), or None when one side
    has too few frames to fit a Gaussian. The path score (scaled log-likelihood of every frame
    under its speaker's Gaussian, minus the switch penalties) compares different starts."""
    votes = np.zeros((n, 2))
    for s, e, lab in zip(win_start, win_end, labels, strict=True):
        votes[s:e, lab] += 1
    frame_lab = np.argmax(votes[idx], axis=1)
    has_vote = votes[idx].sum(axis=1) > 0
    for _ in range(max(1, cfg.resegment_rounds)):
        trained = [x[has_vote & (frame_lab == k)] for k in (0, 1)]
        if min(len(t) for t in trained) < 2 * x.shape[1]:
            return None
        ll = [cfg.llr_scale * _gauss_loglik(x, t) for t in trained]
        llr = ll[0] - ll[1]
        frame_lab = _viterbi2(llr, cfg.switch_penalty_nats).astype(np.int64)
        has_vote = np.ones(idx.size, dtype=bool)
    switches = int(np.count_nonzero(np.diff(frame_lab)))
    score = float(np.where(frame_lab == 0, ll[0], ll[1]).sum()) - cfg.switch_penalty_nats * switches
    return score, frame_lab, llr


def diarize_frames(frames: SpeakerFrames, config: DiarizationConfig | None = None) -> Diarization:
    """Diarize from precomputed speaker frames (see module docstring)."""
    with blas_limit(config):
        d = _diarize_frames(frames, config)
    f0 = np.asarray(frames.f0_hz, dtype=np.float64)
    pitches: list[float | None] = []
    for k in range(d.n_speakers):
        own = f0[(d.frame_speaker == k) & (f0 > 0)]
        pitches.append(float(np.exp(np.median(np.log(own)))) if own.size >= 50 else None)
    return dataclasses.replace(d, speaker_pitch_hz=tuple(pitches))


def _diarize_frames(frames: SpeakerFrames, config: DiarizationConfig | None) -> Diarization:
    cfg = config or DiarizationConfig()
    hop = frames.hop_s
    n = len(frames)
    sp = frames.speech
    win = speaker_windows(frames, cfg.features)
    frame_speaker = np.where(sp, 0, -1).astype(np.int8)
    if len(win) < cfg.min_windows:
        return _finish(frame_speaker, np.zeros(n), sp, hop, cfg, n_speakers=1)
    emb = win.embeddings
    z = (emb - emb.mean(axis=0)) / (emb.std(axis=0) + 1e-9)
    z[:, -1] *= cfg.pitch_weight
    if cfg.level_regression and win.loudness_dbfs is not None:
        level = np.nan_to_num(win.loudness_dbfs - np.nanmean(win.loudness_dbfs))
        if float(level @ level) > 0:
            z = z - np.outer(level, (z.T @ level) / float(level @ level))
    starts = [_initial_split(z, cfg)]
    for seed in range(cfg.restarts):
        _centres, km = kmeans2(z, 2, seed=seed, minit="++")
        starts.append(km)
    idx = np.flatnonzero(sp)
    x = frames.mfcc[idx]
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for labels in starts:
        if np.unique(labels).size < 2:
            continue
        found = _resegment(x, idx, win.start_frame, win.end_frame, labels, n, cfg)
        if found is not None and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        return _finish(frame_speaker, np.zeros(n), sp, hop, cfg, n_speakers=1)
    _score, frame_lab, llr = best
    if cfg.detect_overlap:
        frame_lab, llr = _overlap_pass(frames, idx, x, frame_lab, cfg)
    frame_speaker[idx] = frame_lab
    if cfg.newcomer_overlap:
        frame_speaker[_newcomer_overlaps(frames, frame_speaker, cfg)] = 2
    full_llr = np.zeros(n)
    full_llr[idx] = llr
    return _finish(frame_speaker, full_llr, sp, hop, cfg, n_speakers=2)


def _initial_split(z: np.ndarray, cfg: DiarizationConfig) -> np.ndarray:
    """Window labels 0/1 that seed the resegmentation (``init_method``)."""
    if cfg.init_method == "ward":
        return np.asarray(fcluster(linkage(z, method="ward"), t=2, criterion="maxclust") - 1)
    return _spectral_split(z, cfg)


def _spectral_split(z: np.ndarray, cfg: DiarizationConfig) -> np.ndarray:
    """Two-way normalised-cut split of the windows: cosine affinity of the standardised
    embeddings, each window linked to its ``spectral_neighbours_fraction`` most similar
    windows (symmetrised), then the sign of the second eigenvector of the normalised graph
    Laplacian (Shi & Malik). A normalised cut weighs each side's total affinity, so it does
    not split off a handful of odd windows as one "speaker" the way a variance criterion can."""
    n = z.shape[0]
    u = z / (np.linalg.norm(z, axis=1, keepdims=True) + 1e-9)
    a = u @ u.T
    k = max(2, min(n - 1, round(cfg.spectral_neighbours_fraction * n)))
    keep = np.zeros_like(a, dtype=bool)
    nearest = np.argpartition(-a, k, axis=1)[:, : k + 1]
    np.put_along_axis(keep, nearest, True, axis=1)
    keep |= keep.T
    w = np.where(keep, np.maximum(a, 0.0), 0.0)
    np.fill_diagonal(w, 0.0)
    deg = w.sum(axis=1) + 1e-9
    d = 1.0 / np.sqrt(deg)
    # the two smallest eigenpairs of the normalised Laplacian I - S are the two largest of
    # S = D^-1/2 W D^-1/2: Lanczos (a few products with S) instead of a full O(n^3) solve, so
    # a 10-minute call's ~1500 windows cost milliseconds; a fixed start vector keeps it
    # deterministic
    s_mat = d[:, None] * w * d[None, :]
    if n <= 64:
        _vals, vecs = np.linalg.eigh(s_mat)
        vecs = vecs[:, ::-1][:, :2]
    else:
        _vals, vecs = scipy.sparse.linalg.eigsh(
            scipy.sparse.csr_matrix(s_mat), k=2, which="LA", v0=np.linspace(1.0, 2.0, n), tol=1e-8
        )
        vecs = vecs[:, np.argsort(_vals)[::-1]]
    # The random-walk (Shi-Malik) eigenvectors f = D^-1/2 v. On a connected graph the first is
    # constant and the second (the Fiedler vector) has zero degree-weighted mean. When the two
    # voices' windows form two separate components, both eigenvalues are 0 and the solver may
    # return any mix of the two component indicators: the combination with zero
    # degree-weighted mean is then the one that tells them apart (and on a connected graph it
    # is the Fiedler vector itself).
    f0, f1 = vecs[:, 0] * d, vecs[:, 1] * d
    f = float(deg @ f1) * f0 - float(deg @ f0) * f1
    return (f > 0).astype(np.int64)


def _finish(
    frame_speaker: np.ndarray,
    llr: np.ndarray,
    speech: np.ndarray,
    hop_s: float,
    cfg: DiarizationConfig,
    *,
    n_speakers: int,
) -> Diarization:
    """Bridge gaps, merge short turns, order speakers by first appearance, score turns."""
    lab = frame_speaker.copy()
    # bridge short non-speech gaps inside one speaker's talk
    runs = _runs(lab)
    bridge = round(cfg.bridge_gap_s / hop_s)
    for k in range(1, len(runs) - 1):
        v, s, e = runs[k]
        if v == -1 and e - s <= bridge and runs[k - 1][0] == runs[k + 1][0] >= 0:
            lab[s:e] = runs[k - 1][0]
    # merge short turns into the previous speaker turn (or the next one)
    min_len = round(cfg.min_turn_s / hop_s)
    changed = True
    while changed:
        changed = False
        runs = [r for r in _runs(lab) if r[0] >= 0]
        for k, (v, s, e) in enumerate(runs):
            if e - s >= min_len or len(runs) == 1:
                continue
            prev_ = runs[k - 1] if k > 0 and runs[k - 1][2] == s else None
            next_ = runs[k + 1] if k + 1 < len(runs) and runs[k + 1][1] == e else None
            nb = prev_ or next_
            if nb is not None and nb[0] != v:
                lab[s:e] = nb[0]
                changed = True
                break
    # speaker 0 = first to speak (overlap, 2, stays 2)
    spoken = lab[(lab == 0) | (lab == 1)]
    if spoken.size and spoken[0] == 1:
        lab = np.where((lab == 0) | (lab == 1), 1 - lab, lab).astype(np.int8)
        llr = -llr
    turns: list[Turn] = []
    weights, confs = [], []
    for k in (0, 1):
        active = np.where((lab == k) | (lab == 2), k, -1)
        for v, s, e in _runs(active):
            if v < 0:
                continue
            alone = speech[s:e] & (lab[s:e] == k)
            seg = llr[s:e][alone] if alone.any() else llr[s:e][speech[s:e]]
            signed = float(np.mean(seg)) * (1 if k == 0 else -1) if seg.size else 0.0
            conf = 1.0 / (1.0 + np.exp(-signed)) if n_speakers == 2 else 1.0
            turns.append(
                Turn(speaker=k, start_s=s * hop_s, end_s=e * hop_s, confidence=float(conf))
            )
            weights.append(e - s)
            confs.append(conf)
    turns.sort(key=lambda t: (t.start_s, t.speaker))
    overlaps = [(s * hop_s, e * hop_s) for v, s, e in _runs(lab) if v == 2]
    overall = float(np.average(confs, weights=weights)) if confs else 0.0
    return Diarization(
        turns=turns,
        frame_speaker=lab.astype(np.int8),
        hop_s=hop_s,
        n_speakers=n_speakers,
        confidence=overall,
        config=cfg,
        overlaps=overlaps,
    )


def diarize(samples: np.ndarray, config: DiarizationConfig | None = None) -> Diarization:
    """Who spoke when in mono 16 kHz ``samples`` (shape ``(n,)`` or ``(1, n)``)."""
    cfg = config or DiarizationConfig()
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    with blas_limit(cfg):
        # pushed in 10 s chunks as a live call is: the same frames as one whole-call push, and
        # ~5x less CPU on a 10-minute call (the front end's buffers stay small)
        stream = FeatureStream(1)
        step = 10 * cfg.features.sample_rate_hz
        blocks = [stream.push(x[None, i : i + step]) for i in range(0, x.size, step)]
        ch = concat_blocks([*blocks, stream.finish()]).channels[0]
        frames = speaker_frames(x, ch.speech, ch.f0_hz, ch.loudness_dbfs, cfg.features)
        return diarize_frames(frames, cfg)


AGENT_PHRASES: tuple[tuple[str, float], ...] = (
    (r"thank(s| you) for (calling|contacting|holding|your patience)", 3.0),
    (r"how (can|may|could) i (help|assist)", 3.0),
    (r"(what|how) can i do for you", 2.0),
    (r"my name is \w+", 1.5),
    (r"\w+ speaking\b", 1.5),
    (r"this is \w+ (from|at|with) ", 2.0),
    (r"(welcome to|you'?ve reached|you have reached)", 2.5),
    (r"(can|could|may) i (have|get|take) your (name|account|number|policy|date)", 2.0),
    (r"is there anything else", 2.0),
)


def assign_roles(
    diarization: Diarization,
    words: Sequence[tuple[float, float, str]] | None = None,
    *,
    mode: AgentSpeakerMode = "auto",
    agent_pitch_hz: float | None = None,
) -> RoleDecision:
    """Decide which speaker is the agent.

    Parameters
    ----------
    diarization : Diarization
        The call's turns.
    words : sequence of (start_s, end_s, text), optional
        Transcript segments (any granularity); each is credited to the speaker who talks most
        during it.
    mode : {"auto", "first", "second"}
        ``first``/``second``: the first/second speaker is the agent, no evidence needed.
        ``auto``: agent phrases decide when they favour one speaker, else the agent's saved
        voice profile (``agent_pitch_hz``) when one speaker's pitch is near it and the other's
        clearly not (``profile_max_distance_st``, ``profile_margin_st``), else the first speaker.
    agent_pitch_hz : float, optional
        The pitch of the agent's saved voice profile (``VoiceProfile.baseline.pitch_hz``).
    """
    if mode not in ("first", "second", "auto"):
        raise DiarizationError(
            f"--agent-speaker {mode!r}: expected first, second or auto; pass one of those"
        )
    if mode == "first":
        return RoleDecision(0, "option_first", 1.0)
    if mode == "second":
        return RoleDecision(1 if diarization.n_speakers == 2 else 0, "option_second", 1.0)
    scores = [0.0, 0.0]
    evidence: list[str] = []
    fs = diarization.frame_speaker
    hop = diarization.hop_s
    for start_s, end_s, text in words or ():
        s, e = int(start_s / hop), max(int(start_s / hop) + 1, int(end_s / hop))
        seg = fs[s:e]
        counts = [int(np.sum((seg == k) | (seg == 2))) for k in (0, 1)]
        if counts[0] == counts[1] == 0:
            continue
        who = int(np.argmax(counts))
        low = text.lower()
        for pattern, weight in AGENT_PHRASES:
            m = re.search(pattern, low)
            if m:
                early = 1.5 if start_s < diarization.config.role_words_window_s else 1.0
                scores[who] += weight * early
                evidence.append(f"speaker {who}: '{m.group(0)}' at {start_s:.1f} s")
    if diarization.n_speakers == 2 and max(scores) > 0 and scores[0] != scores[1]:
        agent = int(np.argmax(scores))
        margin = abs(scores[0] - scores[1]) / (scores[0] + scores[1])
        conf = 0.6 + 0.35 * margin * min(1.0, max(scores) / 3.0)
        return RoleDecision(agent, "words", float(conf), evidence)
    by_profile = role_from_profile(diarization, agent_pitch_hz)
    if by_profile is not None:
        return by_profile
    # first speaker: agents answer the call in most inbound recordings, but not all; a turn
    # shorter than role_first_turn_min_s does not count (a split-second label at the start is
    # often a wrongly attributed breath or backchannel, and an agent's greeting is longer)
    first = diarization.first_speaker(diarization.config.role_first_turn_min_s)
    conf = 0.6 if diarization.n_speakers == 2 else 0.5
    return RoleDecision(first, "first_speaker", conf, evidence)


def role_from_profile(d: Diarization, agent_pitch_hz: float | None) -> RoleDecision | None:
    """The speaker whose pitch is near the agent's saved profile, if only one is."""
    pitches = d.speaker_pitch_hz
    if agent_pitch_hz is None or agent_pitch_hz <= 0 or d.n_speakers != 2 or len(pitches) != 2:
        return None
    known = [p for p in pitches if p is not None]
    if len(known) != 2:
        return None
    dist = [abs(12.0 * float(np.log2(p / agent_pitch_hz))) for p in known]
    near = int(np.argmin(dist))
    margin = dist[1 - near] - dist[near]
    cfg = d.config
    if dist[near] > cfg.profile_max_distance_st or margin < cfg.profile_margin_st:
        return None
    conf = 0.6 + 0.35 * min(1.0, margin / (3.0 * cfg.profile_margin_st))
    return RoleDecision(
        near,
        "voice_profile",
        float(conf),
        [
            f"speaker {k}: median pitch {p:.0f} Hz, {dk:.1f} st from the agent's profile "
            f"({agent_pitch_hz:.0f} Hz)"
            for k, (p, dk) in enumerate(zip(known, dist, strict=True))
        ],
    )


def split_channels(
    samples: np.ndarray,
    diarization: Diarization,
    agent_speaker: int,
    *,
    sample_rate: int = 16_000,
) -> np.ndarray:
    """Mask a mono call into ``(2, n)``: row 0 the agent's frames, row 1 the customer's.

    Frames of the other speaker are attenuated by the diarization config's ``masking_range_db``
    (not zeroed, so each channel keeps a noise floor for the front end); non-speech frames are
    kept, at full level, in both rows (the line's background), except those within
    ``mask_edge_s`` of a speaker's speech, which go with that speaker (:func:`edge_owner`);
    overlap frames (2) are in both. Masks are ramped over ``mask_ramp_s`` so the cuts do not
    click.
    """
    cfg = diarization.config
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    fs = edge_owner(diarization.frame_speaker, max(0, round(cfg.mask_edge_s / diarization.hop_s)))
    hop = round(diarization.hop_s * sample_rate)
    low = 10 ** (-cfg.masking_range_db / 20)
    out = np.empty((2, x.size), dtype=np.float32)
    for row, spk in zip(out, (agent_speaker, 1 - agent_speaker), strict=True):
        gain = np.where((fs == spk) | (fs == 2) | (fs < 0), 1.0, low)
        g = np.repeat(gain, hop)
        if g.size < x.size:
            g = np.pad(g, (0, x.size - g.size), mode="edge")
        g = _ramped(g[: x.size], max(1, round(cfg.mask_ramp_s * sample_rate)))
        # x * g in float64, rounded into the row (what (x * g).astype(float32) gives, without
        # the 9.6 M-sample temporary of a 10-minute call)
        np.multiply(x, g, out=row, casting="same_kind")
    if not (cfg.overlap_separation and diarization.overlaps and diarization.n_speakers == 2):
        return out
    if cfg.separation_method == "nmf":
        dictionaries = speaker_dictionaries(x, diarization, sample_rate=sample_rate)
        if dictionaries is None:
            return out
        agent_first = (dictionaries[agent_speaker], dictionaries[1 - agent_speaker])

        def split(seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return nmf_split(seg, agent_first, cfg, sample_rate)

    else:
        pitches = diarization.speaker_pitch_hz
        p_agent, p_customer = pitches[agent_speaker], pitches[1 - agent_speaker]
        if p_agent is None or p_customer is None:
            return out
        if abs(12 * np.log2(p_agent / p_customer)) < cfg.separation_min_pitch_gap_st:
            return out
        pa, pc = p_agent, p_customer

        def split(seg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            return harmonic_split(seg, pa, pc, cfg, sample_rate)

    pad, ramp = round(0.1 * sample_rate), max(1, round(cfg.mask_ramp_s * sample_rate))
    for start_s, end_s in diarization.overlaps:
        a, b = round(start_s * sample_rate), min(x.size, round(end_s * sample_rate))
        lo, hi = max(0, a - pad), min(x.size, b + pad)
        if b - a < ramp * 2:
            continue
        parts = split(x[lo:hi])
        fade = np.ones(b - a)
        fade[:ramp] = np.linspace(0, 1, ramp)
        fade[-ramp:] = np.linspace(1, 0, ramp)
        for row, part in zip(out, parts, strict=True):
            row[a:b] = fade * part[a - lo : b - lo] + (1 - fade) * row[a:b]
    return out


def edge_owner(frame_speaker: np.ndarray, edge_frames: int) -> np.ndarray:
    """``frame_speaker`` with each non-speech frame (-1) within ``edge_frames`` of a frame of
    speaker 0 or 1 given to the nearer of the two (to the earlier speaker on a tie; a frame of
    overlap, 2, counts for neither: both channels already carry it). Further frames stay -1.

    >>> edge_owner(np.array([0, -1, -1, -1, -1, -1, 1], dtype=np.int8), 2).tolist()
    [0, 0, 0, -1, 1, 1, 1]
    """
    fs = np.asarray(frame_speaker, dtype=np.int8)
    if edge_frames <= 0 or fs.size == 0:
        return fs
    idx = np.arange(fs.size)
    big = fs.size + edge_frames + 1
    dist = []
    for spk in (0, 1):
        own = fs == spk
        if not own.any():
            dist.append(np.full(fs.size, big))
            continue
        # distance to the last frame of ``spk`` at or before i, and the first at or after i
        last = np.maximum.accumulate(np.where(own, idx, -big))
        nxt = np.minimum.accumulate(np.where(own, idx, 2 * big)[::-1])[::-1]
        dist.append(np.minimum(idx - last, nxt - idx))
    d0, d1 = dist
    out = fs.copy()
    gap = fs == -1
    out[gap & (d0 <= edge_frames) & (d0 <= d1)] = 0
    out[gap & (d1 <= edge_frames) & (d1 < d0)] = 1
    return out


def harmonic_split(
    x: np.ndarray,
    pitch_a_hz: float,
    pitch_b_hz: float,
    cfg: DiarizationConfig,
    sample_rate: int = 16_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Split a stretch ``x`` where two voices talk at once into (voice A, voice B).

    Per STFT frame the two pitches are found together: each voice's candidates lie within
    ``separation_pitch_range_st`` of its median pitch (quarter-semitone steps), and the pair
    whose harmonic combs (+-1 bin around each harmonic up to ``separation_fmax_hz``) cover the
    most power above the frame's mean, counting a bin both combs share once, wins. Searching
    the pair, not each voice alone, is what keeps a low voice's even harmonics (which also fit
    a comb an octave up) from being taken for the higher voice: they add nothing once the low
    voice's comb holds them. A bin of only A's comb goes to A, of only B's to B; a bin of both
    or of neither (consonants, noise, above ``separation_fmax_hz``) goes to both at half
    power. The mix phase is kept (inverse STFT).
    """
    import scipy.signal

    n_fft = round(cfg.separation_fft_s * sample_rate)
    hop = round(0.01 * sample_rate)
    xx = np.asarray(x, dtype=np.float64)
    if xx.size < n_fft:
        half = (xx * np.sqrt(0.5)).astype(np.float32)
        return half, half.copy()
    freqs, _t, spec = scipy.signal.stft(
        xx, fs=sample_rate, nperseg=n_fft, noverlap=n_fft - hop, boundary="even", padded=True
    )
    power = np.abs(spec) ** 2
    band = (freqs >= 80.0) & (freqs <= cfg.separation_fmax_hz)
    bin_hz = float(freqs[1] - freqs[0])
    steps = np.arange(-cfg.separation_pitch_range_st, cfg.separation_pitch_range_st + 1e-9, 0.25)

    def combs(median_hz: float) -> np.ndarray:
        masks = np.zeros((steps.size, freqs.size))
        for i, f0 in enumerate(median_hz * 2 ** (steps / 12)):
            harm = np.arange(1, int(cfg.separation_fmax_hz / f0) + 1) * f0
            centre = np.round(harm / bin_hz).astype(int)
            for d in (-1, 0, 1):
                masks[i, np.clip(centre + d, 0, freqs.size - 1)] = 1.0
        masks[:, ~band] = 0.0
        return masks

    comb_a, comb_b = combs(pitch_a_hz), combs(pitch_b_hz)
    inband = power * band[:, None]
    excess = inband - inband[band].mean(axis=0, keepdims=True)
    cover_a, cover_b = comb_a @ excess, comb_b @ excess  # (candidates, frames)
    half = np.sqrt(0.5)
    gain_a = np.full(power.shape, half)
    gain_b = np.full(power.shape, half)
    for k in range(power.shape[1]):
        shared = (comb_a * excess[:, k]) @ comb_b.T
        total = cover_a[:, k][:, None] + cover_b[:, k][None, :] - shared
        i, j = np.unravel_index(int(np.argmax(total)), total.shape)
        only_a, only_b = (comb_a[i] > 0) & (comb_b[j] == 0), (comb_b[j] > 0) & (comb_a[i] == 0)
        gain_a[only_a, k], gain_b[only_a, k] = 1.0, 0.0
        gain_a[only_b, k], gain_b[only_b, k] = 0.0, 1.0
    out = []
    for gain in (gain_a, gain_b):
        _t2, y = scipy.signal.istft(
            spec * gain, fs=sample_rate, nperseg=n_fft, noverlap=n_fft - hop, boundary=True
        )
        y = np.pad(y, (0, max(0, xx.size - y.size)))[: xx.size]
        out.append(y.astype(np.float32))
    return out[0], out[1]


_NMF_EPS = 1e-10


def blas_limit(config: DiarizationConfig | None) -> Any:
    """The BLAS thread limit of ``config.blas_threads`` as a context manager (nothing for
    None); see :class:`DiarizationConfig`."""
    return blas_threads_limit((config or DiarizationConfig()).blas_threads)


def _one_blas_thread() -> Any:
    """numpy's BLAS on one thread for the block: the NMF's products are small (a few hundred
    bins by 64 spectra), so a thread pool only adds contention on a shared machine (the
    separation of the interrupting-agent mix cost 4-8 s of CPU with OpenBLAS's pool under load,
    0.15 s on one thread), and the same order of summation gives the same separation on every
    machine (as models.speech.whisper_model does for Whisper's features)."""
    return blas_threads_limit(1)


def _stft_magnitude(x: np.ndarray, n_fft: int, hop: int) -> np.ndarray:
    """``|STFT|`` of ``x`` (Hann, ``n_fft`` samples, ``hop`` apart), bins x frames, float32."""
    import scipy.signal

    _f, _t, spec = scipy.signal.stft(
        np.asarray(x, dtype=np.float64),
        nperseg=n_fft,
        noverlap=n_fft - hop,
        boundary="even",
        padded=True,
    )
    return np.abs(spec).astype(np.float32)


def _kl_nmf(
    v: np.ndarray, w: np.ndarray | None, k: int, iterations: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Non-negative ``v ~= w @ h`` under the generalised Kullback-Leibler divergence
    (multiplicative updates, deterministic start). With ``w`` given it is kept fixed and only
    ``h`` is fitted; otherwise ``k`` unit-sum spectra are learned too."""
    rng = np.random.default_rng(seed)
    learn = w is None
    if w is None:
        w = (rng.random((v.shape[0], k)) + 0.1).astype(np.float32)
        w /= w.sum(axis=0, keepdims=True)
    h = (rng.random((w.shape[1], v.shape[1])) * float(v.mean()) + _NMF_EPS).astype(np.float32)
    for _ in range(iterations):
        h *= (w.T @ (v / (w @ h + _NMF_EPS))) / (w.sum(axis=0)[:, None] + _NMF_EPS)
        if learn:
            w *= ((v / (w @ h + _NMF_EPS)) @ h.T) / (h.sum(axis=1)[None, :] + _NMF_EPS)
            scale = w.sum(axis=0) + _NMF_EPS
            w /= scale
            h *= scale[:, None]
    return w, h


def _model_bins(n_fft: int, cfg: DiarizationConfig, sample_rate: int) -> int:
    """How many STFT bins (from 0 Hz) the NMF dictionaries model: up to ``separation_nmf_fmax_hz``."""
    return min(n_fft // 2 + 1, int(cfg.separation_nmf_fmax_hz * n_fft / sample_rate) + 1)


def speaker_dictionaries(
    samples: np.ndarray, diarization: Diarization, *, sample_rate: int = 16_000
) -> tuple[np.ndarray, np.ndarray] | None:
    """One spectral dictionary per speaker (``separation_components`` magnitude spectra,
    bins up to ``separation_fmax_hz`` x components) learned by NMF from the call's
    single-talker frames of that speaker, one spectrum every ``separation_train_step_s``.

    At most ``separation_train_s`` of each speaker's frames are used, runs nearest to the
    marked overlaps first; the quietest 30 % of those frames (pauses inside a turn) are left
    out. None when either speaker has less than ``separation_min_train_s`` (then nothing can
    be separated).
    """
    cfg = diarization.config
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    fs = diarization.frame_speaker
    hop_n = round(diarization.hop_s * sample_rate)
    n_fft = round(cfg.separation_fft_s * sample_rate)
    centres = np.array([(s + e) / 2 for s, e in diarization.overlaps] or [0.0])
    out = []
    for spk in (0, 1):
        runs = [(a, b) for lab, a, b in _runs(fs) if lab == spk]
        runs.sort(
            key=lambda r: float(np.min(np.abs(centres - (r[0] + r[1]) / 2 * diarization.hop_s)))
        )
        picked, total = [], 0.0
        for a, b in runs:
            if total >= cfg.separation_train_s:
                break
            take = min(b - a, round((cfg.separation_train_s - total) / diarization.hop_s))
            picked.append(x[a * hop_n : (a + take) * hop_n])
            total += take * diarization.hop_s
        if total < cfg.separation_min_train_s:
            return None
        step = max(1, round(cfg.separation_train_step_s * sample_rate))
        v = _stft_magnitude(np.concatenate(picked), n_fft, step)[
            : _model_bins(n_fft, cfg, sample_rate)
        ]
        energy = v.sum(axis=0)
        v = v[:, energy > np.percentile(energy, 30)]
        with _one_blas_thread():
            w, _h = _kl_nmf(v, None, cfg.separation_components, cfg.separation_iterations, seed=spk)
        out.append(w)
    return out[0], out[1]


def nmf_split(
    x: np.ndarray,
    dictionaries: tuple[np.ndarray, np.ndarray],
    cfg: DiarizationConfig,
    sample_rate: int = 16_000,
) -> tuple[np.ndarray, np.ndarray]:
    """Split a stretch ``x`` where two voices talk at once into (voice A, voice B) with the
    two speakers' spectral dictionaries (:func:`speaker_dictionaries`, A's first).

    The stretch's magnitude spectrogram is explained as ``W_A H_A + W_B H_B`` with the
    dictionaries fixed (KL-NMF); each time-frequency bin of the mix goes to A by the share
    ``|A|^2 / (|A|^2 + |B|^2)`` of the two estimates and to B by the rest (a Wiener-style
    mask, so the two parts add up to the mix), the mix phase kept. Works where the two
    voices' spectra differ (timbre and pitch range); two voices alike get similar shares.
    """
    import scipy.signal

    wa, wb = dictionaries
    n_fft = round(cfg.separation_fft_s * sample_rate)
    hop = round(0.01 * sample_rate)
    xx = np.asarray(x, dtype=np.float64)
    if xx.size < n_fft:
        half = (xx * 0.5).astype(np.float32)
        return half, half.copy()
    _f, _t, spec = scipy.signal.stft(
        xx, nperseg=n_fft, noverlap=n_fft - hop, boundary="even", padded=True
    )
    m = wa.shape[0]
    v = np.abs(spec[:m]).astype(np.float32)
    w = np.hstack([wa, wb])
    with _one_blas_thread():
        _w, h = _kl_nmf(v, w, 0, cfg.separation_fit_iterations, seed=2)
        ea, eb = (wa @ h[: wa.shape[1]]) ** 2, (wb @ h[wa.shape[1] :]) ** 2
    share = np.empty(spec.shape, dtype=np.float64)
    share[:m] = ea / (ea + eb + _NMF_EPS)
    # above the modelled band: the frame's share of the band (consonants, sibilants)
    share[m:] = (ea.sum(axis=0) / (ea.sum(axis=0) + eb.sum(axis=0) + _NMF_EPS))[None, :]
    out = []
    for gain in (share, 1.0 - share):
        _t2, y = scipy.signal.istft(spec * gain, nperseg=n_fft, noverlap=n_fft - hop, boundary=True)
        y = np.pad(y, (0, max(0, xx.size - y.size)))[: xx.size]
        out.append(y.astype(np.float32))
    return out[0], out[1]


def _ramped(g: np.ndarray, k: int) -> np.ndarray:
    """``np.convolve(g, np.ones(k) / k, mode="same")`` for a piecewise-constant gain.

    The moving average only differs from ``g`` where its window holds a change of ``g`` or
    reaches past either end (the convolution sees zeros there), so only those stretches are
    convolved: a 10-minute call has a few thousand turn edges, and convolving all 9.6 M
    samples per channel cost about 0.5 s of CPU. Elsewhere ``g`` is kept (the full convolution
    gave it to within a rounding error).
    """
    n = g.size
    if k <= 1 or n == 0:
        return g
    before, after = k // 2, (k - 1) // 2  # output i averages g[i - before : i + after + 1]
    changes = np.flatnonzero(g[1:] != g[:-1]) + 1  # g[c] != g[c - 1]
    # outputs whose window holds c - 1 and c: [c - after, c + before); the ends: [0, before)
    # and [n - after, n)
    lo = np.concatenate(([0], changes - after, [n - after]))
    hi = np.concatenate(([before], changes + before, [n]))
    lo, hi = np.clip(lo, 0, n), np.clip(hi, 0, n)
    out = g.copy()
    kernel = np.ones(k) / k
    a_run, b_run = 0, 0
    for a, b in [*zip(lo.tolist(), hi.tolist(), strict=True), (n + 1, n + 1)]:
        if a <= b_run:  # overlaps the stretch being gathered
            b_run = max(b_run, b)
            continue
        if b_run > a_run:
            # g[a_run - before : b_run + after] with zeros beyond either end (what the
            # convolution of the whole of g sees), without a padded copy of all of g
            window = _padded(g, a_run - before, b_run + after)
            out[a_run:b_run] = np.convolve(window, kernel, "valid")
        a_run, b_run = a, b
    return out


def _padded(g: np.ndarray, a: int, b: int) -> np.ndarray:
    """``g[a:b]`` with zeros where ``a:b`` reaches past either end of ``g``."""
    if a >= 0 and b <= g.size:
        return g[a:b]
    seg = np.zeros(b - a, dtype=g.dtype)
    lo, hi = max(a, 0), min(b, g.size)
    if hi > lo:
        seg[lo - a : hi - a] = g[lo:hi]
    return seg


SEPARATION_METHOD = (
    "mfcc normalised-cut+gauss-viterbi, overlap by a synthetic two-voice Gaussian and by "
    "two-talker stretches at pause-less speaker changes, the voices inside it split by "
    "per-speaker NMF dictionaries (audio/speakers.py, models/diarization.py)"
)
SEPARATION_NOTE = (
    "mono recording separated into two parties by diarization (--separate): channel 0 is the "
    "agent's turns, channel 1 the customer's; who is who and the turn boundaries are estimates, "
    "and overlapped speech is estimated (a cut-in over the other party is found when the mix "
    "sounds like two talkers next to a change of speaker; backchannels and short or quiet "
    "overlaps mostly are not; inside a marked overlap each channel holds its voice's share of "
    "the mix, separated with spectral dictionaries learned from the call's own single-talker "
    "speech, so words said there are less certain: their cues say so in evidence.in_overlap), "
    "so interruptions are lower confidence than on a two-channel recording (each "
    "interruption's evidence.confidence)"
)
INTERRUPTIONS_CONFIDENCE_NOTE = (
    "low: overlap in a mono mix is estimated; each interruption's evidence.confidence is the "
    "confidence of the turns it joins times interruption_confidence_factor"
)


@dataclass(frozen=True)
class Separation:
    """A mono call turned into a two-party call, and how."""

    samples: np.ndarray
    """``(2, n)``: row 0 agent, row 1 customer (see :func:`split_channels`)."""
    diarization: Diarization
    roles: RoleDecision

    def to_dict(self) -> dict[str, object]:
        """The analysis JSON's ``call.separation`` object."""
        d = self.diarization
        return {
            "method": SEPARATION_METHOD,
            "speakers_found": d.n_speakers,
            "diarization_confidence": round(d.confidence, 2),
            "role_decided_by": self.roles.decided_by,
            "role_confidence": round(self.roles.confidence, 2),
            "confidence": round(d.confidence * self.roles.confidence, 2),
            "role_evidence": self.roles.evidence[:5],
            "turns": len(d.turns),
            "speaker_pitch_hz": [None if f is None else round(f, 1) for f in d.speaker_pitch_hz],
            "overlap_s": round(d.overlap_s(), 2),
            "overlaps": len(d.overlaps),
            "interruptions_confidence": INTERRUPTIONS_CONFIDENCE_NOTE,
            "config": d.config.to_dict(),
        }

    def interruption_confidence(self, start_s: float, end_s: float) -> float:
        """0..1: how far an interruption found between ``start_s`` and ``end_s`` in the
        separated channels can be trusted: the mean confidence of the turns it touches (both
        parties') times ``interruption_confidence_factor`` (overlap and turn edges in a mono
        mix are estimates)."""
        d = self.diarization
        near = [t.confidence for t in d.turns if t.end_s >= start_s - 0.5 and t.start_s <= end_s]
        base = float(np.mean(near)) if near else d.confidence
        return base * d.config.interruption_confidence_factor

    def mark_interruptions(self, events: list[dict[str, Any]]) -> None:
        """Give the interruption events of a separated call (analysis JSON dicts) their lower
        ``evidence.confidence`` and say why (``evidence.separated``)."""
        for e in events:
            if e.get("kind") != "interruption":
                continue
            ev = e.setdefault("evidence", {})
            ev["confidence"] = round(self.interruption_confidence(e["start_s"], e["end_s"]), 2)
            ev["separated"] = "found in a mono call separated by diarization: lower confidence"

    def mark_overlap_phrases(self, events: list[dict[str, Any]]) -> None:
        """Say so in the evidence of every phrase cue (analysis JSON dicts) said inside marked
        overlap of a separated call (``evidence.in_overlap``): its words were heard in that
        party's share of a two-voice mix (:func:`split_channels` with ``overlap_separation``,
        or the whole mix without it), with less certainty than on a channel of its own. The
        cue itself is kept as found (neither dropped nor credited differently)."""
        spans = self.diarization.overlaps
        if not spans:
            return
        how = (
            f"separated from the mix ({self.diarization.config.separation_method})"
            if self.diarization.config.overlap_separation
            else "the whole mix"
        )
        for e in events:
            if e.get("kind") != "phrase":
                continue
            if any(e["start_s"] < b and e["end_s"] > a for a, b in spans):
                e.setdefault("evidence", {})["in_overlap"] = (
                    f"said while both parties talked (a marked overlap of a mono call); the words "
                    f"were heard in this party's share of the two voices, {how}: less certain "
                    "than on a channel of its own"
                )


def separate_mono(
    samples: np.ndarray,
    *,
    mode: AgentSpeakerMode = "auto",
    words: Sequence[tuple[float, float, str]] | None = None,
    config: DiarizationConfig | None = None,
    agent_pitch_hz: float | None = None,
) -> Separation:
    """Diarize mono ``samples``, decide the agent and mask them into two channels
    (``agent_pitch_hz``: the agent's saved voice profile, as role evidence)."""
    d = diarize(samples, config)
    roles = assign_roles(d, words, mode=mode, agent_pitch_hz=agent_pitch_hz)
    return Separation(split_channels(samples, d, roles.agent_speaker), d, roles)
