"""Scoring recorded calls: one call, or an archive of them in parallel worker processes.

Why processes and not threads: the acoustic analysis is Python/numpy work that holds the GIL for
long stretches, so two calls only run side by side in two processes. Each worker loads the
Whisper model once (in its initializer) and keeps it for every call it scores, and the cores
are split between the workers (``cpu_threads``) so they do not oversubscribe the machine.
Workers write each call's scorecard JSON and HTML report themselves; the parent only collects a
one-line outcome per call, drives the progress bar and writes the CSV summary, so a large
archive never funnels reports through one process.

A call that fails (corrupt file, too short) is reported and the batch goes on; the CSV row says
what went wrong.
"""

from __future__ import annotations

import contextlib
import csv
import json
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from calltone.audio.decode import AV_SUFFIXES, SOUNDFILE_SUFFIXES
from calltone.audio.errors import CalltoneError, ParameterError
from calltone.models.tone.profile import VoiceProfile
from calltone.service.reports.audio import ReportAudioOptions

AUDIO_SUFFIXES = tuple(sorted(SOUNDFILE_SUFFIXES | AV_SUFFIXES))
SCORECARD_SUFFIX = ".scorecard.json"
REPORT_SUFFIX = ".html"
SUMMARY_CSV = "summary.csv"
NOT_APPLICABLE = "n/a"
NOT_MEASURED = "n/m"


class BatchInputError(CalltoneError):
    """The calls to score cannot be found or listed."""


@dataclass(frozen=True)
class ScoreOptions:
    """How each call is read, analysed, transcribed and scored (picklable, sent to workers)."""

    transcribe: bool = True
    model: str | None = None
    rubric_path: str | None = None
    config_path: str | None = None
    agent_channel: int | None = None
    customer_channel: int | None = None
    mono_role: str = "agent"
    customer_name: str | None = None
    agent_id: str | None = None
    cpu_threads: int = 0
    """Whisper threads in this process; 0: every core (one worker), set per worker in batches."""
    redact_transcripts: bool = True
    """Mask card and phone numbers in the stored transcript and report (models.speech.redact)."""
    pack_gap_s: float | None = None
    """Pack speech regions into shared Whisper windows (models.speech.transcriber): faster for archives,
    at some risk to short backchannels; None decodes each region on its own."""
    max_decoded_bytes: int | None = None
    """Refuse recordings whose samples take more than this once decoded (float32 at their own
    rate): a decompression bomb fails its job instead of taking the worker's memory."""
    full_context: bool = False
    """Encode every Whisper window as the full 30 s instead of its own audio (as ``calltone
    analyze --full-context``; see models.recorded.transcript.recorded_call_options)."""
    report_audio: ReportAudioOptions = field(default_factory=ReportAudioOptions)
    """The recording in the HTML report (a player that evidence items seek) and its size cap."""
    display_name: str | None = None
    """What the report calls the recording (an upload's own file name); default: the file's
    name with its folder (service.reports.audio.display_name)."""
    recorded_at: str | None = None
    """When the call was recorded, as shown in the report; default: the file's ``date`` tag,
    else (not for uploads) its modification time."""
    agent_profile: VoiceProfile | None = None
    """The agent's saved voice profile (``--agent-profile``): each call's agent baseline starts
    from it instead of the generic prior (models/tone/profile.py)."""
    separate: bool = False
    """A mono recording is diarized into agent and customer (``score --separate``; the 'mono'
    extra); the scorecard's ``call.mode`` is then ``separated``. Two-channel calls are read as
    usual."""
    agent_speaker: Literal["first", "second", "auto"] = "auto"
    """With ``separate``: which of the two voices is the agent's (``auto``: agent phrases in the
    first minute's words when transcribed, else the first speaker)."""

    def __post_init__(self) -> None:
        if self.agent_speaker not in ("first", "second", "auto"):
            raise ParameterError(
                f"agent_speaker {self.agent_speaker!r}: pass first, second or auto"
            )


@dataclass
class ScoredCall:
    """One call's results in memory."""

    call_id: str
    path: str
    scorecard: dict[str, Any]
    html: str
    analysis: dict[str, Any]
    timeline: dict[str, Any] | None
    wall_s: float


@dataclass(frozen=True)
class CallOutcome:
    """One line of a batch: what happened to one call (small, crosses process boundaries)."""

    call_id: str
    path: str
    ok: bool
    overall_score: float | None = None
    scores: dict[str, str] = field(default_factory=dict)
    error: str = ""
    wall_s: float = 0.0
    scorecard_path: str = ""
    report_path: str = ""


@dataclass(frozen=True)
class BatchReport:
    """What a batch produced."""

    outcomes: list[CallOutcome]
    summary_csv: Path
    wall_s: float
    workers: int

    @property
    def failed(self) -> list[CallOutcome]:
        return [o for o in self.outcomes if not o.ok]


# --------------------------------------------------------------------------------------------
# One call


_TRANSCRIBERS: dict[tuple[str | None, int, float | None, bool], Any] = {}


def _transcriber(options: ScoreOptions) -> Any:
    """One Transcriber per process and model (the Whisper model itself is cached too)."""
    from calltone.models.recorded.transcript import recorded_call_options
    from calltone.models.speech.transcriber import Transcriber

    key = (options.model, options.cpu_threads, options.pack_gap_s, options.full_context)
    if key not in _TRANSCRIBERS:
        # The same settings as `calltone analyze`: a scorecard quotes the same transcript.
        base = recorded_call_options(options.model, full_context=options.full_context)
        _TRANSCRIBERS[key] = Transcriber(
            replace(base, cpu_threads=options.cpu_threads, pack_gap_s=options.pack_gap_s)
        )
    return _TRANSCRIBERS[key]


def score_file(
    path: str | Path, options: ScoreOptions | None = None, *, call_id: str | None = None
) -> ScoredCall:
    """Analyse, transcribe and score one recording; render its HTML report.

    Raises
    ------
    CalltoneError
        Bad audio, a bad rubric or config file, or a Whisper model that cannot be loaded; the
        message names the problem and the fix.
    """
    from calltone.models.recorded.analysis import AnalyzeOptions
    from calltone.models.recorded.call import RecordedCallOptions, analyze_recording
    from calltone.models.scoring.rubric import cached_rubric
    from calltone.models.scoring.scorecard import score_call
    from calltone.models.tone.config import AnalysisConfig
    from calltone.service.reports.audio import (
        display_name,
        file_metadata,
        recorded_date,
        report_audio,
    )
    from calltone.service.reports.html import render_report

    o = options or ScoreOptions()
    t0 = time.perf_counter()
    rubric = cached_rubric(o.rubric_path)
    call = analyze_recording(
        path,
        RecordedCallOptions(
            read=AnalyzeOptions(
                agent_channel=o.agent_channel,
                customer_channel=o.customer_channel,
                mono_role="customer" if o.mono_role == "customer" else "agent",
                max_decoded_bytes=o.max_decoded_bytes,
            ),
            config=AnalysisConfig.from_toml(o.config_path) if o.config_path else AnalysisConfig(),
            profiles={"agent": o.agent_profile.baseline} if o.agent_profile is not None else None,
            keep_timeline=True,
            separate=o.separate,
            agent_speaker=o.agent_speaker,
            customer_name=o.customer_name,
        ),
        transcriber=_transcriber(o) if o.transcribe else None,
    )
    audio, session, doc, customer_name = call.audio, call.session, call.document, call.customer_name
    if o.redact_transcripts and doc["segments"]:
        from calltone.models.speech.redact import redact_segments

        doc["segments"] = redact_segments(doc["segments"])
    timeline = session.analysis.timeline.to_dict() if session.analysis.timeline else None
    cid = call_id or Path(path).stem
    tags = file_metadata(path)
    card = score_call(
        doc,
        rubric,
        timeline=timeline,
        customer_name=customer_name,
        call_id=cid,
        agent_id=o.agent_id or tags.get("artist"),
    ).to_dict()
    sound = report_audio(audio.samples, audio.sample_rate, doc["call"]["roles"], o.report_audio)
    page = render_report(
        card,
        doc,
        timeline,
        title=o.display_name or display_name(path),
        audio=sound.to_dict(),
        recorded=o.recorded_at or recorded_date(path, tags, use_mtime=o.display_name is None),
    )
    return ScoredCall(cid, str(path), card, page, doc, timeline, time.perf_counter() - t0)


def cell(criterion: dict[str, Any]) -> str:
    """A criterion's CSV cell: the score, ``n/a`` (not applicable) or ``n/m`` (not measured)."""
    if criterion["status"] == "not_applicable":
        return NOT_APPLICABLE
    if criterion["status"] == "not_measured" or criterion["score"] is None:
        return NOT_MEASURED
    return f"{criterion['score']:.1f}"


def score_to_files(path: str, call_id: str, out_dir: str, options: ScoreOptions) -> CallOutcome:
    """Score one call and write ``<call_id>.scorecard.json`` and ``<call_id>.html``.

    Never raises for a bad call: the outcome carries the error (a batch goes on).
    """
    t0 = time.perf_counter()
    try:
        scored = score_file(path, options, call_id=call_id)
        out = Path(out_dir)
        card_path = out / f"{call_id}{SCORECARD_SUFFIX}"
        report_path = out / f"{call_id}{REPORT_SUFFIX}"
        card_path.write_text(json.dumps(scored.scorecard, indent=2) + "\n", encoding="utf-8")
        report_path.write_text(scored.html, encoding="utf-8")
    except CalltoneError as exc:
        return CallOutcome(call_id, path, False, error=str(exc), wall_s=time.perf_counter() - t0)
    except Exception as exc:  # a bug or an OS error on one call must not end the batch
        return CallOutcome(
            call_id,
            path,
            False,
            error=f"{type(exc).__name__}: {exc} (unexpected; please report it with the file)",
            wall_s=time.perf_counter() - t0,
        )
    return CallOutcome(
        call_id,
        path,
        True,
        overall_score=scored.scorecard["overall_score"],
        scores={c["id"]: cell(c) for c in scored.scorecard["criteria"]},
        wall_s=time.perf_counter() - t0,
        scorecard_path=str(card_path),
        report_path=str(report_path),
    )


# --------------------------------------------------------------------------------------------
# Many calls


def find_calls(inputs: Sequence[str | Path]) -> list[Path]:
    """Expand files and folders (searched recursively for audio) into a list of recordings.

    Raises
    ------
    BatchInputError
        A path that does not exist, or nothing to score.
    """
    found: list[Path] = []
    for raw in inputs:
        p = Path(raw)
        if p.is_dir():
            inside = sorted(
                q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in AUDIO_SUFFIXES
            )
            if not inside:
                raise BatchInputError(
                    f"folder {str(p)!r} holds no recordings ({', '.join(AUDIO_SUFFIXES)}); "
                    "pass a folder of calls or the files themselves"
                )
            found += inside
        elif p.is_file():
            found.append(p)
        else:
            raise BatchInputError(f"{str(p)!r} does not exist; pass recordings or folders of them")
    unique: list[Path] = []
    seen: set[Path] = set()
    for p in found:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    if not unique:
        raise BatchInputError("nothing to score; pass one or more recordings or folders")
    return unique


def call_ids(paths: Sequence[Path]) -> list[str]:
    """Unique, file-name-safe ids: the file stem, with parent folders added where stems clash.

    ``samples/calm_call/call.wav`` and ``samples/escalation_call/call.wav`` become
    ``calm_call__call`` and ``escalation_call__call``.
    """
    parts = [list(p.resolve().with_suffix("").parts) for p in paths]
    depth = {i: 1 for i in range(len(paths))}
    while True:
        names = {i: "__".join(parts[i][-depth[i] :]) for i in depth}
        clash = {i for i in names if list(names.values()).count(names[i]) > 1}
        grow = {i for i in clash if depth[i] < len(parts[i])}
        if not grow:
            break
        for i in grow:
            depth[i] += 1
    out, used = [], set()
    for i in range(len(paths)):
        base = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in names[i]).strip("._")
        name, k = base or "call", 2
        while name in used:
            name, k = f"{base}_{k}", k + 1
        used.add(name)
        out.append(name)
    return out


ACOUSTIC_CALLS_PER_WORKER = 8
"""Without Whisper a 10-minute call scores in ~3 s, about what starting a worker costs, so
acoustic-only batches add a worker per 8 calls (docs/benchmarks.md)."""


def default_workers(n_calls: int, *, transcribe: bool = True) -> int:
    """One worker per core, never more than calls; fewer for short acoustic-only batches."""
    from calltone.models.speech.whisper_model import effective_threads

    wanted = n_calls if transcribe else n_calls // ACOUSTIC_CALLS_PER_WORKER
    return max(1, min(wanted, effective_threads(0)))


def _init_worker(options: ScoreOptions) -> None:
    """Load the rubric and the Whisper model once, before the first call arrives."""
    os.environ.setdefault("OMP_NUM_THREADS", str(max(1, options.cpu_threads)))
    import calltone.models.recorded.analysis
    import calltone.service.reports.html  # noqa: F401
    from calltone.models.scoring.rubric import cached_rubric

    cached_rubric(options.rubric_path)
    if options.transcribe:
        _ = _transcriber(options).model


PARENT_POLL_S = 1.0
"""How often a service's scoring worker checks that the server that started it is alive."""


def exit_with_parent(parent_pid: int | None = None, poll_s: float = PARENT_POLL_S) -> None:
    """Exit this process (at once, mid-call if need be) when its parent process is gone.

    A process pool's workers wait on a queue whose write end they hold themselves, so a
    SIGKILLed server left them alive (~140 MB each, for as long as the call being scored took).
    A daemon thread watches the parent pid instead. Pass ``parent_pid`` (the server's pid, taken
    before the worker was started): a parent that died while this worker was still importing
    would otherwise be mistaken for init, the new parent.
    """
    parent = os.getppid() if parent_pid is None else parent_pid
    if os.getppid() != parent:
        os._exit(3)

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != parent:
                os._exit(3)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def init_background_worker(options: ScoreOptions, nice: int, parent_pid: int | None = None) -> None:
    """A service's scoring worker: lower priority (live alerts come first), exits when the
    server (``parent_pid``) does, then set up as a batch's."""
    exit_with_parent(parent_pid)
    if nice > 0 and hasattr(os, "nice"):
        with contextlib.suppress(OSError):
            os.nice(nice)
    _init_worker(options)


def score_for_store(path: str, call_id: str, options: ScoreOptions) -> tuple[dict[str, Any], str]:
    """Score one uploaded call in a worker; return the scorecard JSON and the HTML report."""
    scored = score_file(path, options, call_id=call_id)
    return scored.scorecard, scored.html


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
"""Characters that make a spreadsheet read a cell as a formula (OWASP's CSV injection list)."""


def spreadsheet_safe(value: object) -> object:
    """``value`` as a CSV cell no spreadsheet runs: text starting with ``= + - @``, a tab or a
    carriage return gets a leading ``'`` (file names and error messages come from whoever named
    the recordings: ``=HYPERLINK(...)`` must stay text)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class SafeCsvWriter:
    """``csv.writer`` whose every cell goes through :func:`spreadsheet_safe`."""

    def __init__(self, fh: Any) -> None:
        self._writer = csv.writer(fh)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(v) for v in row])


def write_summary_csv(path: Path, outcomes: Iterable[CallOutcome], criteria: Sequence[str]) -> None:
    """One row per call, one column per criterion plus the overall score (cells made
    spreadsheet-safe)."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = SafeCsvWriter(fh)
        w.writerow(
            ["call_id", "path", "status", "overall", *criteria, "scorecard", "report", "error"]
        )
        for o in outcomes:
            w.writerow(outcome_row(o, criteria))


def outcome_row(o: CallOutcome, criteria: Sequence[str]) -> list[object]:
    """One call's cells of ``summary.csv`` (local and cluster scoring write the same columns)."""
    return [
        o.call_id,
        o.path,
        "ok" if o.ok else "failed",
        "" if o.overall_score is None else f"{o.overall_score:.1f}",
        *(o.scores.get(c, "") for c in criteria),
        o.scorecard_path,
        o.report_path,
        o.error,
    ]


def score_many(
    inputs: Sequence[str | Path],
    out_dir: str | Path,
    options: ScoreOptions | None = None,
    *,
    workers: int | None = None,
    progress: bool = True,
    on_outcome: Callable[[CallOutcome], None] | None = None,
) -> BatchReport:
    """Score every recording in ``inputs`` into ``out_dir``, in parallel, with a CSV summary.

    Parameters
    ----------
    inputs : sequence of path
        Recordings and folders of recordings.
    out_dir : path
        Created if needed; receives ``<id>.scorecard.json``, ``<id>.html`` and ``summary.csv``.
    workers : int, optional
        Worker processes (default: one per core, at most one per call). 1 scores in this
        process.
    progress : bool
        A tqdm progress bar on stderr.

    Raises
    ------
    BatchInputError, RubricError
        Before any work starts: missing inputs, an unusable output folder or a bad rubric.
    """
    from calltone.models.scoring.rubric import cached_rubric
    from calltone.models.speech.whisper_model import effective_threads

    o = options or ScoreOptions()
    rubric = cached_rubric(o.rubric_path)  # fail before starting workers
    if o.config_path:
        from calltone.models.tone.config import AnalysisConfig

        AnalysisConfig.from_toml(o.config_path)
    paths = find_calls(inputs)
    ids = call_ids(paths)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchInputError(
            f"cannot create output folder {str(out)!r} ({exc.strerror or exc}); pass --out DIR "
            "somewhere writable"
        ) from exc
    n_workers = max(
        1, min(workers or default_workers(len(paths), transcribe=o.transcribe), len(paths))
    )
    if o.cpu_threads == 0:
        o = replace(o, cpu_threads=max(1, effective_threads(0) // n_workers))
    t0 = time.perf_counter()
    outcomes: list[CallOutcome | None] = [None] * len(paths)
    bar = _progress(len(paths), progress)
    try:
        if n_workers == 1:
            _init_worker(o)
            for i, (p, cid) in enumerate(zip(paths, ids, strict=True)):
                outcomes[i] = _done(score_to_files(str(p), cid, str(out), o), bar, on_outcome)
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(
                n_workers, mp_context=ctx, initializer=_init_worker, initargs=(o,)
            ) as pool:
                futures: dict[Future[CallOutcome], int] = {
                    pool.submit(score_to_files, str(p), cid, str(out), o): i
                    for i, (p, cid) in enumerate(zip(paths, ids, strict=True))
                }
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        res = fut.result()
                    except BrokenProcessPool as exc:
                        res = CallOutcome(
                            ids[i],
                            str(paths[i]),
                            False,
                            error=f"worker process died ({exc}); is the machine out of memory? "
                            "retry with fewer --workers",
                        )
                    outcomes[i] = _done(res, bar, on_outcome)
    finally:
        if bar is not None:
            bar.close()
    done = [x for x in outcomes if x is not None]
    csv_path = out / SUMMARY_CSV
    write_summary_csv(csv_path, done, rubric.ids)
    return BatchReport(done, csv_path, time.perf_counter() - t0, n_workers)


def _progress(total: int, enabled: bool) -> Any:
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="call", file=sys.stderr, desc="scoring", dynamic_ncols=True)


def _done(
    outcome: CallOutcome, bar: Any, on_outcome: Callable[[CallOutcome], None] | None
) -> CallOutcome:
    if bar is not None:
        bar.update(1)
        if outcome.ok and outcome.overall_score is not None:
            bar.set_postfix_str(f"{outcome.call_id}: {outcome.overall_score:.0f}")
    if on_outcome is not None:
        on_outcome(outcome)
    return outcome
