"""Scoring a call archive on a Dask distributed cluster (``calltone score --cluster``).

Why Dask: its scheduler and workers are ordinary processes a data team already knows how to run
(``dask scheduler``, ``dask worker``, the official container images, dask-jobqueue,
dask-kubernetes), it reschedules the tasks of a worker that dies, and its dashboard shows the
work. calltone only adds what scoring needs (docs/cluster.md):

- **One task per call.** The task hashes the recording (SHA-256 of its bytes), scores it with
  :func:`service.scoring.batch.score_file` (the same code as local scoring, so the scorecards are the
  same) and writes ``<call_id>.scorecard.json`` and ``<call_id>.html`` into ``--out``, a folder
  every worker shares. Only a small outcome travels back to the client.
- **The Whisper model loads once per worker**, in :class:`ScoringPlugin`'s ``setup`` (a Dask
  worker plugin), never per call; its Whisper threads are the host's cores shared between the
  workers on that host.
- **Back-pressure.** The client keeps at most ``in_flight`` calls submitted at once (a few per
  worker thread) and submits the next as each one finishes, so 100,000 queued files sit in the
  client as small :class:`CallEntry` records, not as tasks in the scheduler's memory.
- **Failures are rows.** A corrupt call is a ``failed`` row with its error; a worker that dies
  mid-call has its call rescheduled by Dask on another worker (up to Dask's
  ``distributed.scheduler.allowed-failures``, then a ``failed`` row naming the cause).
- **Resumable.** Every finished call is appended to ``<out>/scored.jsonl`` (call id, content
  hash, outcome). Re-running the same command passes each call's recorded hash to its task; a
  call whose bytes still hash the same and whose scorecard is still there is skipped.
- **Into the service** (``--db URL``): the client stores each scorecard (job id ``batch-<call
  id>``, agent id from the manifest) so the trainer pages list them per agent.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from distributed import WorkerPlugin

from calltone.audio.errors import CalltoneError
from calltone.service.environment import check_environment
from calltone.service.scoring.batch import (
    AUDIO_SUFFIXES,
    REPORT_SUFFIX,
    SCORECARD_SUFFIX,
    SUMMARY_CSV,
    BatchInputError,
    CallOutcome,
    SafeCsvWriter,
    ScoreOptions,
    call_ids,
    cell,
    default_workers,
    find_calls,
    outcome_row,
)
from calltone.service.scoring.cluster_settings import ClusterSettings
from calltone.service.settings import setting_names

PLUGIN_NAME = "calltone-scoring"
LEDGER_JSONL = "scored.jsonl"
LOCAL_CLUSTER = "local"
HASH_CHUNK_BYTES = 1 << 20
_CALL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
CALL_ID_MAX_CHARS = 94
"""So that ``batch-<call id>`` fits the service's 100-character job ids."""
MANIFEST_COLUMNS = ("path", "agent_id", "call_id", "date")


class ClusterError(CalltoneError):
    """The Dask cluster cannot be reached or used."""


class ManifestError(BatchInputError):
    """A manifest file that cannot be read as calls to score."""


def load_cluster_settings(**overrides: Any) -> ClusterSettings:
    """Settings from the environment, explicit values on top; a bad value is a CalltoneError
    (and so is an unknown ``CALLTONE_*`` variable, as for ``calltone serve``)."""
    check_environment(setting_names())
    try:
        return ClusterSettings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        lines = str(exc).splitlines()
        raise ClusterError(
            "bad cluster setting: " + "; ".join(x.strip() for x in lines[1:3])
        ) from None


# --------------------------------------------------------------------------------------------
# What to score


@dataclass(frozen=True)
class CallEntry:
    """One call to score: where it is (a path every worker sees, or an fsspec URL) and who."""

    path: str
    call_id: str
    agent_id: str | None = None
    date: str | None = None


def is_url(text: str) -> bool:
    """``s3://b/x.wav``, ``file:///x.wav``: fsspec URLs (a Windows drive ``C:\\`` is not one)."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", text))


def _fs(url: str) -> tuple[Any, str]:
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except (ImportError, ValueError) as exc:
        proto = url.split("://", 1)[0]
        raise BatchInputError(
            f"cannot open {url!r}: no filesystem for {proto}:// is installed ({exc}); install the "
            f"fsspec package for it (s3fs, gcsfs, adlfs...) on the client and every worker"
        ) from None


def _url_calls(url: str) -> list[str]:
    fs, root = _fs(url)
    proto = url.split("://", 1)[0]
    try:
        if fs.isdir(root):
            names = sorted(
                n for n in fs.find(root) if PurePosixPath(n).suffix.lower() in AUDIO_SUFFIXES
            )
            if not names:
                raise BatchInputError(
                    f"folder {url!r} holds no recordings ({', '.join(AUDIO_SUFFIXES)}); pass a "
                    "folder of calls or the files themselves"
                )
        elif fs.isfile(root):
            names = [root]
        else:
            raise BatchInputError(f"{url!r} does not exist; pass recordings or folders of them")
    except OSError as exc:
        raise BatchInputError(f"cannot list {url!r}: {exc}") from None
    return [n if "://" in n else f"{proto}://{n}" for n in names]


def _url_key(url: str) -> Path:
    """A path standing for a URL, so :func:`service.scoring.batch.call_ids` names it like a file."""
    return Path("/", url.split("://", 1)[1].lstrip("/"))


def expand_inputs(inputs: Sequence[str]) -> list[CallEntry]:
    """Files, folders and fsspec URLs into calls with unique file-name-safe ids.

    Local paths are made absolute: the workers may run in another folder (or on another
    machine that mounts the same share at the same place).
    """
    locals_: list[str] = [x for x in inputs if not is_url(x)]
    found: list[str] = [str(p.resolve()) for p in find_calls(locals_)] if locals_ else []
    for url in (x for x in inputs if is_url(x)):
        found += _url_calls(url)
    unique = list(dict.fromkeys(found))
    ids = call_ids([_url_key(x) if is_url(x) else Path(x) for x in unique])
    return [CallEntry(p, cid) for p, cid in zip(unique, ids, strict=True)]


def _check_call_id(value: str, where: str) -> str:
    if not _CALL_ID_RE.match(value) or len(value) > CALL_ID_MAX_CHARS:
        raise ManifestError(
            f"{where}: call_id {value!r} is not usable as a file name and job id; use 1-"
            f"{CALL_ID_MAX_CHARS} characters from letters, digits and . _ @ - (starting with a "
            "letter or digit)"
        )
    return value


def _check_date(value: str, where: str) -> str:
    try:
        if "T" in value or " " in value:
            dt.datetime.fromisoformat(value)
        else:
            dt.date.fromisoformat(value)
    except ValueError:
        raise ManifestError(
            f"{where}: date {value!r} is not an ISO date; write 2026-12-01 or 2026-12-01T09:30:00"
        ) from None
    return value


def read_manifest(path: str | Path, *, line_max_bytes: int = 65_536) -> list[CallEntry]:
    """A CSV (header row) or JSONL (one object per line) of ``path, agent_id, call_id, date``.

    Only ``path`` is required; relative paths are taken from the manifest's folder. Missing
    call ids are made from the file names as for folders.

    Raises
    ------
    ManifestError
        An unreadable file, an unknown column, a line that is too long or not JSON, a bad call
        id or date, or a call id used twice; the message names the line.
    """
    p = Path(path)
    kind = "jsonl" if p.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv"
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(
            f"cannot read manifest {str(p)!r} ({exc}); pass a UTF-8 CSV or JSONL file"
        ) from None
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if len(line.encode("utf-8")) > line_max_bytes:
            raise ManifestError(
                f"{p}:{n}: line longer than {line_max_bytes} bytes; is this a manifest? "
                "(CALLTONE_MANIFEST_LINE_MAX_BYTES)"
            )
    if kind == "jsonl":
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                raise ManifestError(f"{p}:{n}: not JSON ({exc}); one object per line") from None
            if not isinstance(obj, dict):
                raise ManifestError(f'{p}:{n}: expected an object like {{"path": ...}}')
            rows.append((n, obj))
    else:
        reader = csv.DictReader(io.StringIO(text))
        unknown = set(reader.fieldnames or ()) - set(MANIFEST_COLUMNS)
        if "path" not in (reader.fieldnames or ()) or unknown:
            raise ManifestError(
                f"{p}: the header must name the columns {', '.join(MANIFEST_COLUMNS)} (path "
                f"required); found {', '.join(reader.fieldnames or ['nothing'])}"
            )
        rows = [(reader.line_num, dict(r)) for r in reader]
    entries: list[tuple[str, str | None, str | None, str | None]] = []
    for n, row in rows:
        where = f"{p}:{n}"
        unknown = set(row) - set(MANIFEST_COLUMNS)
        if unknown:
            raise ManifestError(
                f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}; use "
                f"{', '.join(MANIFEST_COLUMNS)}"
            )
        values = {k: (None if row.get(k) in (None, "") else str(row[k]).strip()) for k in row}
        raw = values.get("path")
        if not raw:
            raise ManifestError(f"{where}: no path; every row names a recording")
        full = raw if is_url(raw) else str((p.parent / raw).resolve())
        if not is_url(full) and not Path(full).is_file():
            raise ManifestError(f"{where}: {raw!r} does not exist (paths are from {p.parent})")
        cid = values.get("call_id")
        agent = values.get("agent_id")
        date = values.get("date")
        entries.append(
            (
                full,
                None if cid is None else _check_call_id(cid, where),
                agent,
                None if date is None else _check_date(date, where),
            )
        )
    if not entries:
        raise ManifestError(f"manifest {str(p)!r} lists no calls")
    derived = call_ids([_url_key(e[0]) if is_url(e[0]) else Path(e[0]) for e in entries])
    out: list[CallEntry] = []
    seen: dict[str, int] = {}
    for i, ((full, cid, agent, date), auto) in enumerate(zip(entries, derived, strict=True)):
        call_id = cid or auto
        if call_id in seen:
            raise ManifestError(
                f"{p}:{rows[i][0]}: call_id {call_id!r} is also on line {seen[call_id]}; each "
                "call needs its own id"
            )
        seen[call_id] = rows[i][0]
        out.append(CallEntry(full, call_id, agent, date))
    return out


# --------------------------------------------------------------------------------------------
# On the workers


class ScoringPlugin(WorkerPlugin):
    """A Dask worker plugin: load the rubric and the Whisper model once per worker process.

    Its Whisper threads are the host's cores divided between the Dask workers on that host
    (or ``ScoreOptions.cpu_threads`` when set), so two workers on a 2-core machine take one
    core each, as local scoring's two processes do.
    """

    name = PLUGIN_NAME

    def __init__(self, options: ScoreOptions) -> None:
        self.options = options
        self.cpu_threads = max(1, options.cpu_threads)
        self.setups = 0

    async def setup(self, worker: Any) -> None:
        import asyncio

        from calltone.models.speech.whisper_model import effective_threads
        from calltone.service.scoring.batch import _init_worker

        same_host = 1
        with contextlib.suppress(Exception):  # an old scheduler: assume one worker per host
            ident = await worker.scheduler.identity()
            same_host = max(
                1,
                sum(1 for w in ident.get("workers", {}).values() if w.get("host") == worker.ip),
            )
        self.cpu_threads = self.options.cpu_threads or max(1, effective_threads(0) // same_host)
        options = replace(self.options, cpu_threads=self.cpu_threads)
        await asyncio.get_running_loop().run_in_executor(None, _init_worker, options)
        self.setups += 1

    def teardown(self, worker: Any) -> None:
        return None

    def transition(self, key: Any, start: str, finish: str, **kwargs: Any) -> None:
        return None


def whisper_model_loads() -> int:
    """How many Whisper models this process has loaded (runs on a worker via ``client.run``)."""
    from calltone.models.speech.whisper_model import _load_cached

    return int(_load_cached.cache_info().misses)


def executing_calls(dask_worker: Any) -> list[str]:
    """Keys of the calls this worker is scoring now (``client.run(executing_calls)``)."""
    return [str(ts.key) for ts in dask_worker.state.executing if "score" in str(ts.key)]


def plugin_setups(dask_worker: Any) -> int:
    """How many times this worker process ran :class:`ScoringPlugin`'s setup (0 if never)."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    return int(getattr(plugin, "setups", 0))


@dataclass(frozen=True)
class ClusterOutcome:
    """What one task sends back: the call's outcome, its content hash and where it ran."""

    outcome: CallOutcome
    content_sha256: str
    skipped: bool = False
    worker: str = ""
    pid: int = 0


def _hash_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(HASH_CHUNK_BYTES):
            h.update(chunk)
    return h.hexdigest()


def _fetch(url: str, dest_dir: str, max_bytes: int) -> tuple[str, str]:
    """Copy a URL's bytes to a local temporary file, hashing on the way; (file, sha256)."""
    fs, root = _fs(url)
    h = hashlib.sha256()
    fd, local = tempfile.mkstemp(suffix=PurePosixPath(root).suffix, dir=dest_dir)
    total = 0
    try:
        with os.fdopen(fd, "wb") as out, fs.open(root, "rb") as src:
            while chunk := src.read(HASH_CHUNK_BYTES):
                total += len(chunk)
                if total > max_bytes:
                    raise BatchInputError(
                        f"{url!r} is larger than {max_bytes} bytes "
                        "(CALLTONE_DASK_FETCH_MAX_BYTES); split it or raise the limit"
                    )
                h.update(chunk)
                out.write(chunk)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(local)
        raise
    return local, h.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and a rename: a worker killed mid-write leaves no half file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def score_entry(
    entry: CallEntry,
    out_dir: str,
    options: ScoreOptions,
    known_sha256: str | None = None,
    fetch_max_bytes: int = 4 << 30,
) -> ClusterOutcome:
    """One task: hash, skip if already scored with these bytes, else score and write files.

    Never raises for a bad call: the outcome carries the error (the batch goes on).
    """
    from calltone.service.scoring.batch import score_file

    worker_name = ""
    threads = max(1, options.cpu_threads)
    with contextlib.suppress(ValueError, ImportError):
        from distributed import get_worker

        worker = get_worker()
        worker_name = str(worker.address)
        plugin = worker.plugins.get(PLUGIN_NAME)
        if plugin is not None and options.cpu_threads == 0:
            threads = int(getattr(plugin, "cpu_threads", threads))
    o = replace(options, cpu_threads=threads, agent_id=entry.agent_id or options.agent_id)
    if entry.date:  # the manifest's date is the recording's, as the report shows it
        o = replace(o, recorded_at=entry.date)
    if is_url(entry.path) and o.display_name is None:
        from calltone.service.reports.audio import display_name

        # the report names the URL's file, not the worker's temporary copy (nor its mtime)
        o = replace(o, display_name=display_name(_url_key(entry.path)))
    out = Path(out_dir)
    card_path = out / f"{entry.call_id}{SCORECARD_SUFFIX}"
    report_path = out / f"{entry.call_id}{REPORT_SUFFIX}"
    t0 = time.perf_counter()
    local, sha, temp_dir = entry.path, "", ""
    pid = os.getpid()

    def failed(error: str) -> ClusterOutcome:
        outcome = CallOutcome(
            entry.call_id, entry.path, False, error=error, wall_s=time.perf_counter() - t0
        )
        return ClusterOutcome(outcome, sha, False, worker_name, pid)

    try:
        if is_url(entry.path):
            temp_dir = tempfile.mkdtemp(prefix="calltone-")
            local, sha = _fetch(entry.path, temp_dir, fetch_max_bytes)
        else:
            sha = _hash_file(entry.path)
        if known_sha256 == sha and card_path.is_file() and report_path.is_file():
            skipped = CallOutcome(entry.call_id, entry.path, True)
            return ClusterOutcome(skipped, sha, True, worker_name, pid)
        scored = score_file(local, o, call_id=entry.call_id)
        scored.scorecard["call"]["path"] = entry.path
        _write_atomic(card_path, json.dumps(scored.scorecard, indent=2) + "\n")
        _write_atomic(report_path, scored.html)
    except CalltoneError as exc:
        return failed(str(exc).replace(local, entry.path))
    except OSError as exc:
        return failed(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug on one call must not end the batch
        return failed(f"{type(exc).__name__}: {exc} (unexpected; please report it with the file)")
    finally:
        if temp_dir:
            shutil.rmtree(temp_dir, ignore_errors=True)
    outcome = CallOutcome(
        entry.call_id,
        entry.path,
        True,
        overall_score=scored.scorecard["overall_score"],
        scores={c["id"]: cell(c) for c in scored.scorecard["criteria"]},
        wall_s=time.perf_counter() - t0,
        scorecard_path=str(card_path),
        report_path=str(report_path),
    )
    return ClusterOutcome(outcome, sha, False, worker_name, pid)


# --------------------------------------------------------------------------------------------
# On the client


@dataclass(frozen=True)
class LedgerRecord:
    """One line of ``scored.jsonl``: a finished call."""

    outcome: CallOutcome
    content_sha256: str
    agent_id: str | None
    date: str | None

    def to_json(self) -> str:
        return json.dumps(
            {
                **asdict(self.outcome),
                "content_sha256": self.content_sha256,
                "agent_id": self.agent_id,
                "date": self.date,
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> LedgerRecord:
        d = json.loads(line)
        sha, agent, date = d.pop("content_sha256"), d.pop("agent_id"), d.pop("date")
        return cls(CallOutcome(**d), sha, agent, date)


def read_ledger(path: Path, *, line_max_bytes: int = 1 << 20) -> dict[str, LedgerRecord]:
    """The newest record per call id; unreadable lines (a client killed mid-write) are ignored."""
    records: dict[str, LedgerRecord] = {}
    if not path.is_file():
        return records
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if len(line) > line_max_bytes:
                continue
            with contextlib.suppress(ValueError, KeyError, TypeError):
                rec = LedgerRecord.from_json(line)
                records[rec.outcome.call_id] = rec
    return records


@dataclass
class ClusterReport:
    """What a cluster batch produced."""

    outcomes: list[CallOutcome]
    summary_csv: Path
    wall_s: float
    workers: int
    scheduler: str
    skipped: list[str] = field(default_factory=list)
    scored_by: dict[str, str] = field(default_factory=dict)
    """call id -> the worker address that scored it."""
    pids: dict[str, int] = field(default_factory=dict)
    """call id -> the worker process id that scored it."""
    db_saved: int = 0

    @property
    def failed(self) -> list[CallOutcome]:
        return [o for o in self.outcomes if not o.ok]


def job_id_for(call_id: str) -> str:
    """The service's scorecard job id for a batch-scored call (stable, so re-runs update it)."""
    return f"batch-{call_id}"


def write_cluster_summary(
    path: Path, records: Sequence[LedgerRecord], criteria: Sequence[str]
) -> None:
    """Local scoring's columns, then agent_id, date and content_sha256."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        w = SafeCsvWriter(fh)  # file names and errors never become formulas (issue 15)
        w.writerow(
            [
                "call_id",
                "path",
                "status",
                "overall",
                *criteria,
                "scorecard",
                "report",
                "error",
                "agent_id",
                "date",
                "content_sha256",
            ]
        )
        for r in records:
            w.writerow(
                [
                    *outcome_row(r.outcome, criteria),
                    r.agent_id or "",
                    r.date or "",
                    r.content_sha256,
                ]
            )
    os.replace(tmp, path)


@contextlib.contextmanager
def connect(
    address: str | None,
    *,
    n_calls: int,
    transcribe: bool,
    timeout_s: float,
    local_workers: int | None = None,
) -> Iterator[Any]:
    """A Dask client to ``address``, or to a LocalCluster for ``local`` (or no address) of
    ``local_workers`` single-threaded processes (default: as local scoring would start).

    Raises
    ------
    ClusterError
        The scheduler cannot be reached, or no worker joins it, within ``timeout_s``.
    """
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if address in (None, "", LOCAL_CLUSTER):
            n = local_workers or default_workers(n_calls, transcribe=transcribe)
            cluster = LocalCluster(
                n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None
            )
            address = cluster.scheduler_address
        try:
            client = Client(address, timeout=timeout_s, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"cannot reach the Dask scheduler at {address!r} within {timeout_s:g} s "
                f"({type(exc).__name__}); start one with `dask scheduler` and workers with "
                f"`dask worker {address}` (docs/cluster.md), or check --cluster / "
                "CALLTONE_DASK_SCHEDULER"
            ) from None
        try:
            try:
                client.wait_for_workers(1, timeout=timeout_s)
            except (TimeoutError, OSError):
                raise ClusterError(
                    f"no Dask worker joined the scheduler at {address!r} within {timeout_s:g} s; "
                    f"start some with `dask worker {address} --nthreads 1` (docs/cluster.md)"
                ) from None
            yield client
        finally:
            client.close()
    finally:
        if cluster is not None:
            cluster.close()


def _in_flight(client: Any, settings: ClusterSettings, override: int | None) -> int:
    if override is not None:
        return max(1, override)
    threads = sum(client.nthreads().values())
    return max(settings.dask_in_flight_min, settings.dask_in_flight_per_thread * threads)


def score_on_cluster(
    entries: Sequence[CallEntry],
    out_dir: str | Path,
    options: ScoreOptions,
    client: Any,
    *,
    settings: ClusterSettings | None = None,
    in_flight: int | None = None,
    db_url: str | None = None,
    progress: bool = True,
    on_outcome: Callable[[ClusterOutcome], None] | None = None,
) -> ClusterReport:
    """Score ``entries`` on the cluster behind ``client``; write ``summary.csv`` in ``out_dir``.

    At most ``in_flight`` calls are submitted at once (default: a few per worker thread, see
    :class:`ClusterSettings`); each finished call is appended to ``scored.jsonl`` before the
    next is submitted, so a killed client loses nothing and a re-run skips what is done.

    Raises
    ------
    BatchInputError, RubricError, ClusterError
        Before any work starts: an unusable output folder, a bad rubric or config, an
        unreachable database.
    """
    from distributed import KilledWorker, as_completed

    from calltone.models.scoring.rubric import cached_rubric

    s = settings or load_cluster_settings()
    rubric = cached_rubric(options.rubric_path)  # fail before any task runs
    if options.config_path:
        from calltone.models.tone.config import AnalysisConfig

        AnalysisConfig.from_toml(options.config_path)
    profile = getattr(options, "agent_profile", None)
    if profile is not None:
        others = sorted({e.agent_id for e in entries if e.agent_id not in (None, profile.agent_id)})
        if others:
            raise BatchInputError(
                f"--agent-profile is agent {profile.agent_id!r}'s but the manifest also lists "
                f"{', '.join(map(repr, others[:3]))}; score each agent's calls with their own "
                "profile, or leave --agent-profile out"
            )
    out = Path(out_dir).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BatchInputError(
            f"cannot create output folder {str(out)!r} ({exc.strerror or exc}); pass --out DIR "
            "on a share every worker can write"
        ) from exc
    store = None
    if db_url:
        from calltone.service.storage import Store

        store = Store(db_url)
    ledger_path = out / LEDGER_JSONL
    ledger = read_ledger(ledger_path)
    records: list[LedgerRecord | None] = [None] * len(entries)
    report = ClusterReport(
        [], out / SUMMARY_CSV, 0.0, len(client.nthreads()), client.scheduler.address
    )
    t0 = time.perf_counter()
    run = uuid.uuid4().hex[:8]
    window = _in_flight(client, s, in_flight)
    client.register_plugin(ScoringPlugin(options), name=PLUGIN_NAME)
    bar = _progress(len(entries), progress, client)
    counts = {"ok": 0, "failed": 0, "skipped": 0}
    pending = iter(enumerate(entries))
    index: dict[str, int] = {}
    ac = as_completed(loop=client.loop)

    def submit_next() -> bool:
        nxt = next(pending, None)
        if nxt is None:
            return False
        i, e = nxt
        known = ledger.get(e.call_id)
        fut = client.submit(
            score_entry,
            e,
            str(out),
            options,
            known.content_sha256 if known is not None and known.outcome.ok else None,
            s.dask_fetch_max_bytes,
            key=f"calltone-score-{run}-{i}",
            pure=False,
        )
        index[fut.key] = i
        ac.add(fut)
        return True

    try:
        with ledger_path.open("a", encoding="utf-8") as ledger_fh:
            for _ in range(window):
                if not submit_next():
                    break
            for fut in ac:
                i = index.pop(fut.key)
                e = entries[i]
                try:
                    res: ClusterOutcome = fut.result()
                except KilledWorker as exc:
                    res = _lost(
                        e,
                        f"the worker scoring it died each time it was tried ({exc}); "
                        "is the call too long for the workers' memory? see "
                        "docs/cluster.md (memory per worker)",
                    )
                except Exception as exc:  # the task could not run (unpicklable, worker missing)
                    res = _lost(e, f"{type(exc).__name__}: {exc}")
                fut.release()
                if res.skipped and e.call_id in ledger:
                    rec = ledger[e.call_id]
                    report.skipped.append(e.call_id)
                    counts["skipped"] += 1
                else:
                    rec = LedgerRecord(res.outcome, res.content_sha256, e.agent_id, e.date)
                    ledger_fh.write(rec.to_json() + "\n")
                    ledger_fh.flush()
                    counts["ok" if rec.outcome.ok else "failed"] += 1
                records[i] = rec
                report.scored_by[e.call_id] = res.worker
                report.pids[e.call_id] = res.pid
                if store is not None:
                    report.db_saved += _save(store, rec, e, skipped=res.skipped)
                if bar is not None:
                    bar.set_postfix(counts, refresh=False)
                    bar.update(1)
                if on_outcome is not None:
                    on_outcome(res)
                submit_next()
    finally:
        if bar is not None:
            bar.close()
        if store is not None:
            store.close()
    done = [r for r in records if r is not None]
    write_cluster_summary(report.summary_csv, done, rubric.ids)
    report.outcomes = [r.outcome for r in done]
    report.wall_s = time.perf_counter() - t0
    return report


def _lost(e: CallEntry, error: str) -> ClusterOutcome:
    return ClusterOutcome(CallOutcome(e.call_id, e.path, False, error=error), "")


def _save(store: Any, rec: LedgerRecord, e: CallEntry, *, skipped: bool) -> int:
    """Store one call's scorecard for the service's pages; 1 if a row was written."""
    from calltone.service.storage import NotFoundError

    job_id = job_id_for(e.call_id)
    if skipped:
        with contextlib.suppress(NotFoundError):
            if store.get_scorecard(job_id).status == "done":
                return 0
    o = rec.outcome
    if not o.ok:
        store.save_scorecard(
            job_id, call_id=e.call_id, agent_id=e.agent_id, status="failed", error=o.error
        )
        return 1
    card = json.loads(Path(o.scorecard_path).read_text(encoding="utf-8"))
    html = Path(o.report_path).read_text(encoding="utf-8")
    store.save_scorecard(
        job_id,
        call_id=e.call_id,
        agent_id=e.agent_id,
        status="done",
        scorecard_json=card,
        html=html,
    )
    return 1


def _progress(total: int, enabled: bool, client: Any) -> Any:
    """tqdm on stderr: calls done of total, rate and ETA, with ok/failed/skipped counts."""
    if not enabled:
        return None
    from tqdm import tqdm

    link = None
    with contextlib.suppress(Exception):
        if client.scheduler_info().get("services", {}).get("dashboard"):
            link = client.dashboard_link
    if link:
        print(f"calltone: Dask dashboard: {link}", file=sys.stderr)
    return tqdm(total=total, unit="call", file=sys.stderr, desc="scoring", dynamic_ncols=True)
