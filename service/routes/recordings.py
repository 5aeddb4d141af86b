"""Recorded calls in, scorecards out: trainers upload a recording and fetch its scorecard.

``POST /v1/recordings`` (trainer or admin) takes a multipart upload, refuses it early when it is
larger than ``max_upload_bytes`` (from ``Content-Length``, and again while copying), checks the
format from the file's header alone (its decoded size within ``max_decoded_bytes``: no sample is
decoded in the server process), stores a ``queued`` job and returns its id at once (202). Scoring runs in
background worker processes at a lower CPU priority than the live alerts, each loading Whisper
once; the job goes ``queued → running → done | failed`` in storage, so any node can answer
``GET /v1/recordings/{job_id}`` and serve the scorecard JSON and HTML once it is done.

Agents may read their own scorecards (those uploaded with their ``agent_id``); trainers,
supervisors and admins read all of them.

Wire it in the app factory with ``recordings.install(app)``: that includes the router and stops
the workers (failing jobs still queued, with a message saying to upload again) at shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import importlib.util
import logging
import multiprocessing
import os
import re
import tempfile
import threading
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from starlette.datastructures import UploadFile

from calltone.audio.channels import resolve_roles
from calltone.audio.decode import (
    AV_SUFFIXES,
    SOUNDFILE_SUFFIXES,
    check_decoded_budget,
    check_sample_rate,
    probe_audio,
)
from calltone.audio.errors import (
    AudioError,
    CalltoneError,
    DecodedTooLargeError,
    UnsupportedFormatError,
)
from calltone.service.deps import CurrentUser, SettingsDep, StoreDep, hidden, require_role
from calltone.service.scoring.batch import (
    ScoreOptions,
    call_ids,
    init_background_worker,
    score_for_store,
)
from calltone.service.settings import Settings
from calltone.service.storage import ScorecardRecord, Store, UserRecord

log = logging.getLogger("calltone.recordings")

ACCEPTED_SUFFIXES = tuple(sorted(SOUNDFILE_SUFFIXES | AV_SUFFIXES))
MULTIPART_OVERHEAD_BYTES = 64 * 1024
"""Slack over max_upload_bytes for the multipart envelope and form fields."""
CHUNK_BYTES = 1 << 20
SCORING_WORKERS = 1
"""Background processes scoring uploads: one, so live alerts keep the other core."""
SCORING_NICE = 10
"""Niceness of those processes: under load the CPU goes to live calls first."""
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")
SCORECARD_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
    "media-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
)

router = APIRouter(tags=["recordings"])
TrainerUser = Annotated[UserRecord, Depends(require_role("trainer", "admin"))]


# --------------------------------------------------------------------------------------------
# Response bodies


class RecordingJob(BaseModel):
    job_id: str
    status: str = Field(..., description="queued, running, done or failed")
    call_id: str | None
    agent_id: str | None
    error: str | None = Field(None, description="why scoring failed (status failed)")
    overall_score: float | None = Field(
        None, description="0-100 once done; null if no criterion applied"
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    status_url: str
    scorecard_url: str
    html_url: str


def _job(rec: ScorecardRecord) -> dict[str, Any]:
    card = rec.scorecard_json or {}
    return {
        "job_id": rec.job_id,
        "status": rec.status,
        "call_id": rec.call_id,
        "agent_id": rec.agent_id,
        "error": rec.error,
        "overall_score": card.get("overall_score"),
        "created_at": rec.created_at,
        "updated_at": rec.updated_at,
        "status_url": f"/v1/recordings/{rec.job_id}",
        "scorecard_url": f"/v1/scorecards/{rec.job_id}",
        "html_url": f"/v1/scorecards/{rec.job_id}/html",
    }


# --------------------------------------------------------------------------------------------
# The background scorer


class ScoringQueue:
    """Scores uploaded recordings in worker processes and records each job's state in storage.

    One dispatcher thread per worker process marks a job ``running``, hands it to the process
    pool and stores the result; the uploaded file is deleted afterwards either way.
    """

    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.options = ScoreOptions(
            transcribe=settings.transcribe,
            model=settings.whisper_model,
            cpu_threads=1,
            max_decoded_bytes=settings.max_decoded_bytes,
        )
        workers, nice = SCORING_WORKERS, SCORING_NICE
        self.spool = spool_dir(settings)
        self.spool.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._pool = ProcessPoolExecutor(
            workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=init_background_worker,
            initargs=(self.options, nice, os.getpid()),
        )
        self._dispatch = ThreadPoolExecutor(workers, thread_name_prefix="scoring")
        self._pending: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self._closed = False
        self.check_slots = asyncio.Semaphore(2)
        """Uploads decoded at once for the format check (each holds a whole call in memory)."""

    def submit(
        self,
        job_id: str,
        path: Path,
        *,
        call_id: str,
        agent_id: str | None,
        options: ScoreOptions,
        filename: str,
    ) -> None:
        """Queue an uploaded file (owned by the queue from now on: deleted after scoring)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the scoring queue is closed")
            fut = self._dispatch.submit(
                self._run, job_id, path, call_id, agent_id, options, filename
            )
            self._pending[job_id] = fut
        fut.add_done_callback(lambda _f: self._forget(job_id))

    def _forget(self, job_id: str) -> None:
        with self._lock:
            self._pending.pop(job_id, None)

    def _run(
        self,
        job_id: str,
        path: Path,
        call_id: str,
        agent_id: str | None,
        options: ScoreOptions,
        filename: str,
    ) -> None:
        try:
            self.store.save_scorecard(job_id, call_id=call_id, agent_id=agent_id, status="running")
            try:
                card, page = self._pool.submit(
                    score_for_store, str(path), call_id, options
                ).result()
            except CalltoneError as exc:
                self._fail(job_id, call_id, agent_id, str(exc))
                return
            except BrokenProcessPool:
                why = (
                    "the service stopped while scoring this recording; upload it again"
                    if self._closed
                    else "the scoring worker died (out of memory?); upload the recording again"
                )
                self._fail(job_id, call_id, agent_id, why)
                return
            except Exception as exc:  # a bug: keep the service up and say so on the job
                log.exception("scoring job %s failed", job_id)
                self._fail(
                    job_id, call_id, agent_id, f"internal error: {type(exc).__name__}: {exc}"
                )
                return
            card["call"]["path"] = filename  # the trainer's file name, not the spool path
            self.store.save_scorecard(
                job_id,
                call_id=call_id,
                agent_id=agent_id,
                status="done",
                scorecard_json=card,
                html=page,
            )
        except Exception:
            log.exception("could not record the outcome of scoring job %s", job_id)
        finally:
            with contextlib.suppress(OSError):
                path.unlink()

    def _fail(self, job_id: str, call_id: str, agent_id: str | None, error: str) -> None:
        self.store.save_scorecard(
            job_id, call_id=call_id, agent_id=agent_id, status="failed", error=error
        )

    def close(self) -> None:
        """Stop the workers now; unfinished jobs are failed with a message to upload again."""
        with self._lock:
            self._closed = True
            pending = dict(self._pending)
        for job_id, fut in pending.items():
            if fut.cancel():
                with contextlib.suppress(Exception):
                    rec = self.store.get_scorecard(job_id)
                    self._fail(
                        job_id,
                        rec.call_id or job_id,
                        rec.agent_id,
                        "the service stopped before this recording was scored; upload it again",
                    )
        # a call being scored can take minutes: stop its worker rather than hold up shutdown
        # (its dispatcher then records the job as failed, saying to upload it again)
        for proc in list(getattr(self._pool, "_processes", {}).values()):
            with contextlib.suppress(Exception):
                proc.terminate()
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._dispatch.shutdown(wait=True, cancel_futures=True)
        # uploads of cancelled jobs: the spool holds only this queue's files
        for leftover in self.spool.iterdir() if self.spool.is_dir() else ():
            if leftover.is_file():
                leftover.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.spool.rmdir()


UPLOAD_MARK = "__upload"
"""Spooled uploads are named ``<job_id>__upload<suffix>``: the job they belong to."""
RECOVERED_ERROR = (
    "the service stopped (crash or restart) before this recording was scored; upload it again"
)


def spool_dir(settings: Settings) -> Path:
    """Where this node's uploads wait: fixed per database and node, so a restart finds (and
    sweeps) what a crash left behind, and two servers on one machine never share it."""
    if settings.upload_spool_dir:
        return Path(settings.upload_spool_dir)
    key = hashlib.sha256(f"{settings.db_url}|{settings.node_id or ''}".encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"calltone-uploads-{key}"


def recover_scoring(store: Store, settings: Settings) -> list[str]:
    """At start-up: fail the jobs a crash left ``queued`` or ``running`` and delete their
    uploads.

    A node's unfinished jobs are those whose upload is still in its spool; a single node
    (no ``node_id``) owns every job, so all its unfinished ones are failed even when the spool
    itself is gone (a reboot cleared the temp dir). Returns the failed job ids.
    """
    spool = spool_dir(settings)
    leftovers = sorted(spool.glob(f"*{UPLOAD_MARK}*")) if spool.is_dir() else []
    job_ids = {p.name.split(UPLOAD_MARK, 1)[0] for p in leftovers}
    if settings.node_id is None:
        job_ids |= {r.job_id for r in store.unfinished_scorecards()}
    failed = []
    for job_id in sorted(job_ids):
        with contextlib.suppress(CalltoneError):
            rec = store.get_scorecard(job_id)
            if rec.status in ("queued", "running"):
                store.save_scorecard(
                    job_id,
                    call_id=rec.call_id,
                    agent_id=rec.agent_id,
                    status="failed",
                    error=RECOVERED_ERROR,
                )
                failed.append(job_id)
    for path in leftovers:
        path.unlink(missing_ok=True)
    if failed or leftovers:
        log.warning(
            "start-up: %d scoring job(s) left unfinished by a crash marked failed, %d upload(s) "
            "deleted",
            len(failed),
            len(leftovers),
        )
    return failed


_QUEUE_LOCK = threading.Lock()


def get_scoring(request: Request, store: StoreDep, settings: SettingsDep) -> ScoringQueue:
    """The app's scoring queue, started on the first upload (workers cost memory)."""
    with _QUEUE_LOCK:
        queue: ScoringQueue | None = getattr(request.app.state, "scoring", None)
        if queue is None:
            queue = ScoringQueue(store, settings)
            request.app.state.scoring = queue
        return queue


ScoringDep = Annotated[ScoringQueue, Depends(get_scoring)]


def install(app: FastAPI) -> None:
    """Add the recording and scorecard routes, and stop the scoring workers at shutdown."""
    app.include_router(router)
    inner = app.router.lifespan_context

    @contextlib.asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            hub = getattr(app.state, "hub", None)
            if hub is not None:
                await asyncio.to_thread(recover_scoring, hub.store, hub.settings)
            try:
                yield state
            finally:
                queue = getattr(app.state, "scoring", None)
                if queue is not None:
                    await asyncio.to_thread(queue.close)

    app.router.lifespan_context = lifespan


# --------------------------------------------------------------------------------------------
# Routes


def _check_name(value: str | None, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not _NAME_RE.match(value):
        raise HTTPException(
            422,
            f"{what} {value!r} is not usable: letters, digits and . _ @ - (up to 128, starting "
            "with a letter or digit)",
        )
    return value


def _copy_limited(src: BinaryIO, dst: Path, limit: int) -> int:
    n = 0
    with dst.open("wb") as out:
        while chunk := src.read(CHUNK_BYTES):
            n += len(chunk)
            if n > limit:
                raise HTTPException(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    f"the recording is larger than the {limit} byte limit "
                    "(CALLTONE_MAX_UPLOAD_BYTES); upload a shorter or compressed file (FLAC, MP3)",
                )
            out.write(chunk)
    return n


def _check_audio(path: Path, agent_channel: int | None, max_decoded_bytes: int) -> None:
    """The format check, from the header alone: no sample is decoded in the server process (a
    few hundred KB of FLAC can decode to gigabytes). The scoring worker decodes, within the
    same budget, and a file whose header lied fails its job there."""
    probe = probe_audio(path)
    check_decoded_budget(probe, max_decoded_bytes, name=path.name)
    if probe.frames is None and path.suffix.lower() in SOUNDFILE_SUFFIXES:
        raise DecodedTooLargeError(
            f"{path.name}: the header does not say how long the recording is, so its decoded "
            "size cannot be checked; re-export it (e.g. `sox in.flac out.flac`)"
        )
    if probe.frames == 0:
        raise UnsupportedFormatError(f"{path.name}: the file holds no samples")
    check_sample_rate(probe.sample_rate_hz)
    resolve_roles(probe.channels, agent_channel=agent_channel)


def _agent_channel(raw: str | None) -> int | None:
    if raw in (None, ""):
        return None
    # str.isdigit() is true for '²' and other digits int() refuses: ASCII digits only
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2):
        raise HTTPException(422, f"agent_channel must be 0 or 1, got {raw!r}")
    return int(raw)


_TRUE = ("1", "true", "yes", "on")
_FALSE = ("", "0", "false", "no", "off")


def _separate(raw: str | None) -> bool:
    """The ``separate`` form field: diarize a mono upload into agent and customer."""
    value = (raw or "").strip().lower()
    if value not in _TRUE + _FALSE:
        raise HTTPException(422, f"separate must be true or false, got {raw!r}")
    if value in _TRUE and importlib.util.find_spec("librosa") is None:
        raise HTTPException(
            422,
            "separate=true needs librosa, which this server's install leaves out; install it "
            "with: python3 -m pip install 'calltone[mono]' (or upload without separate)",
        )
    return value in _TRUE


def _agent_speaker(raw: str | None) -> Literal["first", "second", "auto"]:
    """The ``agent_speaker`` form field (with ``separate``)."""
    value = (raw or "auto").strip().lower()
    if value == "first":
        return "first"
    if value == "second":
        return "second"
    if value == "auto":
        return "auto"
    raise HTTPException(422, f"agent_speaker must be first, second or auto, got {raw!r}")


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "the recording: WAV, FLAC, OGG, MP3 or M4A; two "
                            "channels = agent + customer",
                        },
                        "agent_id": {"type": "string", "description": "whose call it is"},
                        "call_id": {
                            "type": "string",
                            "description": "default: the file's name",
                        },
                        "customer_name": {"type": "string"},
                        "recorded_at": {
                            "type": "string",
                            "description": "when the call was recorded, as the report shows it",
                        },
                        "agent_channel": {"type": "integer", "description": "default 0"},
                        "separate": {
                            "type": "boolean",
                            "description": "a mono recording with both parties on it: "
                            "diarize it into agent and customer and score both (the "
                            "scorecard's call.mode is then 'separated'); default false",
                        },
                        "agent_speaker": {
                            "type": "string",
                            "enum": ["first", "second", "auto"],
                            "description": "with separate: which voice is the agent's (auto: "
                            "agent phrases in the first minute, else the first speaker)",
                        },
                    },
                }
            }
        },
    }
}


@router.post(
    "/v1/recordings",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RecordingJob,
    openapi_extra=_UPLOAD_BODY,
    responses={
        413: {"description": "larger than max_upload_bytes"},
        415: {"description": "not an audio format calltone reads"},
        422: {"description": "audio that cannot be analysed (too short, bad channels, ...)"},
    },
)
async def upload_recording(
    request: Request,
    user: TrainerUser,
    store: StoreDep,
    settings: SettingsDep,
    scoring: ScoringDep,
) -> object:
    """Upload a recorded call to be scored; poll ``status_url`` until it is ``done``."""
    limit = settings.max_upload_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit + MULTIPART_OVERHEAD_BYTES:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the upload is {int(declared)} bytes, over the {limit} byte limit "
            "(CALLTONE_MAX_UPLOAD_BYTES); upload a shorter or compressed file (FLAC, MP3)",
        )
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            "send multipart/form-data with the recording in a 'file' field (curl -F "
            "file=@call.wav -F agent_id=a17 ...)",
        )
    async with request.form(max_files=1, max_fields=10) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise HTTPException(422, "no 'file' field with the recording in the form")
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        agent_id = _check_name(fields.get("agent_id"), "agent_id")
        call_id = _check_name(fields.get("call_id"), "call_id")
        customer_name = (fields.get("customer_name") or "").strip()[:200] or None
        recorded_at = (fields.get("recorded_at") or "").strip()[:64] or None  # shown as text
        agent_channel = _agent_channel(fields.get("agent_channel"))
        separate = _separate(fields.get("separate"))
        agent_speaker = _agent_speaker(fields.get("agent_speaker"))
        suffix = Path(upload.filename or "").suffix.lower()
        if suffix not in ACCEPTED_SUFFIXES:
            raise HTTPException(
                status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
                f"{upload.filename or 'the upload'!r}: unsupported file type "
                f"{suffix or '(no extension)'!r}; send one of {', '.join(ACCEPTED_SUFFIXES)}",
            )
        job_id = f"sc-{uuid.uuid4().hex[:20]}"
        dest = scoring.spool / f"{job_id}{UPLOAD_MARK}{suffix}"
        try:
            await asyncio.to_thread(_copy_limited, upload.file, dest, limit)
        except BaseException:
            dest.unlink(missing_ok=True)
            raise
    filename = Path(upload.filename or dest.name).name
    try:
        async with scoring.check_slots:
            await asyncio.to_thread(_check_audio, dest, agent_channel, settings.max_decoded_bytes)
    except AudioError as exc:
        dest.unlink(missing_ok=True)
        # name the trainer's file, not the spool path
        message = str(exc).replace(str(dest), filename).replace(dest.name, filename)
        code = 415 if isinstance(exc, UnsupportedFormatError) else 422
        if isinstance(exc, DecodedTooLargeError):
            code = status.HTTP_413_CONTENT_TOO_LARGE
        raise HTTPException(code, message) from exc
    call = call_id or call_ids([Path(filename)])[0][:100]  # named after the trainer's file
    rec = await asyncio.to_thread(
        store.save_scorecard, job_id, call_id=call, agent_id=agent_id, status="queued"
    )
    options = ScoreOptions(
        transcribe=scoring.options.transcribe,
        model=scoring.options.model,
        cpu_threads=scoring.options.cpu_threads,
        max_decoded_bytes=scoring.options.max_decoded_bytes,
        agent_channel=agent_channel,
        customer_name=customer_name,
        agent_id=agent_id,
        display_name=filename,
        recorded_at=recorded_at,
        separate=separate,
        agent_speaker=agent_speaker,
    )
    scoring.submit(
        job_id,
        dest,
        call_id=call,
        agent_id=agent_id,
        options=options,
        filename=filename,
    )
    log.info("recording %s queued for scoring by %s (%s)", job_id, user.name, call)
    return _job(rec)


def _readable(user: UserRecord, rec: ScorecardRecord) -> None:
    if user.role == "agent" and rec.agent_id != user.agent_id:
        # worded as for a job that does not exist: ids must not be probed for existence
        raise hidden(f"no scorecard job {rec.job_id!r}; list_scorecards() lists them")


async def _record(store: Store, user: UserRecord, job_id: str) -> ScorecardRecord:
    rec = await asyncio.to_thread(store.get_scorecard, job_id)
    _readable(user, rec)
    return rec


def _done(rec: ScorecardRecord) -> None:
    if rec.status == "failed":
        raise HTTPException(
            status.HTTP_409_CONFLICT, f"scoring job {rec.job_id!r} failed: {rec.error}"
        )
    if rec.status != "done":
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"scoring job {rec.job_id!r} is {rec.status}; poll GET /v1/recordings/{rec.job_id} "
            "until its status is done",
        )


@router.get("/v1/recordings/{job_id}", response_model=RecordingJob)
async def recording_status(job_id: str, user: CurrentUser, store: StoreDep) -> object:
    """A scoring job's state: queued, running, done or failed (with the reason)."""
    return _job(await _record(store, user, job_id))


@router.get("/v1/scorecards/{job_id}")
async def get_scorecard(job_id: str, user: CurrentUser, store: StoreDep) -> object:
    """The ``calltone.scorecard/1`` JSON (docs/scorecard-json.md); 409 until it is done."""
    rec = await _record(store, user, job_id)
    _done(rec)
    return rec.scorecard_json


@router.get("/v1/scorecards/{job_id}/html", response_class=HTMLResponse)
async def get_scorecard_html(job_id: str, user: CurrentUser, store: StoreDep) -> HTMLResponse:
    """The self-contained HTML report (open it in a browser with ``?token=...``)."""
    rec = await _record(store, user, job_id)
    _done(rec)
    return HTMLResponse(
        rec.html or "",
        headers={
            "Content-Security-Policy": SCORECARD_CSP,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
        },
    )


@router.get("/v1/scorecards", response_model=list[RecordingJob])
async def list_scorecards(
    user: CurrentUser,
    store: StoreDep,
    agent_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 100,
) -> object:
    """Scoring jobs newest first, optionally for one agent; agents get only their own."""
    if user.role == "agent":
        if agent_id not in (None, user.agent_id):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"agent {user.name!r} can see only their own scorecards, not {agent_id!r}'s",
            )
        agent_id = user.agent_id
    recs = await asyncio.to_thread(store.list_scorecards, agent_id, limit)
    return [_job(r) for r in recs]
