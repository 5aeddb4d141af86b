"""The ``calltone`` command line.

Errors that calltone raises on purpose (bad audio, bad options) print one line naming the problem
and the fix, and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from calltone.audio.errors import CalltoneError

EXIT_USAGE = 2


def _add_analyze(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="analyse a recorded call and print calltone.analysis/1 JSON")
    p.add_argument(
        "call", help="recording: WAV, FLAC, OGG, MP3 or M4A; two channels = agent + customer"
    )
    p.add_argument("--agent-channel", type=int, default=None, help="agent's channel (default 0)")
    p.add_argument(
        "--agent-profile",
        default=None,
        metavar="FILE",
        help="the agent's voice profile (from `calltone profile build` or GET "
        "/v1/agents/ID/profile): the agent's baseline starts from it, not the generic prior",
    )
    p.add_argument(
        "--customer-channel", type=int, default=None, help="customer's channel (default 1)"
    )
    p.add_argument(
        "--mono-role",
        choices=["agent", "customer"],
        default=None,
        help="who speaks in a mono recording, if only one party is on it; without it a mono "
        "mix is analysed under the agent role and no alert blames the agent",
    )
    p.add_argument(
        "--separate",
        action="store_true",
        help="mono recording with both parties on it: diarize it into agent and customer "
        "(offline, estimated turns; interruptions lower confidence) and analyse both parties",
    )
    _add_agent_speaker(p)
    p.add_argument("--no-transcribe", action="store_true", help="acoustic analysis only (fast)")
    _add_full_context(p)
    p.add_argument(
        "--model",
        default=None,
        help="CTranslate2 Whisper model directory (default: CALLTONE_WHISPER_MODEL or the bundled tiny.en)",
    )
    p.add_argument("--customer-name", default=None, help="the customer's name, if the CRM knows it")
    p.add_argument(
        "--config",
        default=None,
        help="TOML file overriding thresholds, e.g. '[yelling]' then "
        "'yelling_db_over_baseline = 12' (every setting and its unit: models/tone/config.py)",
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.add_argument("--out", default=None, help="write the output to this file instead of stdout")


def _add_score(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "score",
        help="score recorded calls against the trainer's rubric: JSON scorecards, HTML reports, CSV",
    )
    p.add_argument(
        "calls",
        nargs="*",
        metavar="CALL",
        help="recordings, folders of them, or fsspec URLs (s3://..., with --cluster)",
    )
    p.add_argument(
        "--out",
        default="scorecards",
        help="output folder (default ./scorecards): <id>.scorecard.json, <id>.html and summary.csv",
    )
    p.add_argument(
        "--rubric",
        default=None,
        help="rubric TOML (default: the packaged models/scoring/rubric.toml)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="parallel worker processes (default: one per core, at most one per call; "
        "with --no-transcribe one per 8 calls)",
    )
    p.add_argument("--no-transcribe", action="store_true", help="acoustic criteria only (fast)")
    _add_full_context(p)
    p.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    p.add_argument(
        "--pack-gap-s",
        type=float,
        default=None,
        help="pack speech regions into shared Whisper windows (e.g. 1.0): ~2x faster for "
        "archives, but Whisper may drop or move words (docs/scorecard-json.md)",
    )
    p.add_argument("--agent-channel", type=int, default=None, help="agent's channel (default 0)")
    p.add_argument(
        "--customer-channel", type=int, default=None, help="customer's channel (default 1)"
    )
    p.add_argument("--mono-role", choices=["agent", "customer"], default="agent")
    p.add_argument(
        "--separate",
        action="store_true",
        help="mono recordings with both parties on them: diarize each into agent and customer "
        "(offline, estimated turns) and score both parties; two-channel calls are read as usual",
    )
    _add_agent_speaker(p)
    p.add_argument("--agent-id", default=None, help="the agent these calls belong to")
    p.add_argument(
        "--recorded-at",
        default=None,
        help="when the call was recorded, as the report should show it (default: the file's "
        "date tag, else its modification time)",
    )
    p.add_argument(
        "--agent-profile",
        default=None,
        metavar="FILE",
        help="the agent's voice profile (from `calltone profile build` or GET "
        "/v1/agents/ID/profile): the agent's baseline starts from it, not the generic prior",
    )
    p.add_argument("--customer-name", default=None, help="the customer's name (one call)")
    p.add_argument("--model", default=None, help="CTranslate2 Whisper model directory")
    p.add_argument("--config", default=None, help="TOML file overriding detector thresholds")
    c = p.add_argument_group("cluster (Dask distributed; docs/cluster.md)")
    c.add_argument(
        "--cluster",
        default=None,
        metavar="URL",
        help="score on this Dask scheduler, one task per call (tcp://HOST:8786; 'local' starts "
        "one here; default $CALLTONE_DASK_SCHEDULER, else local worker processes)",
    )
    c.add_argument(
        "--manifest",
        default=None,
        metavar="FILE",
        help="CSV or JSONL listing path, agent_id, call_id, date per call (implies a cluster)",
    )
    c.add_argument(
        "--db",
        default=None,
        metavar="URL",
        help="also store each scorecard in the service database (URL or SQLite file) so the "
        "trainer pages list them (implies a cluster)",
    )
    c.add_argument(
        "--in-flight",
        type=int,
        default=None,
        metavar="N",
        help="calls submitted to the cluster at once (default: 4 per worker thread, at least 8)",
    )


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve", help="run the live service (WebSocket audio in, alerts out; OpenAPI at /docs)"
    )
    p.add_argument("--host", default=None, help="bind address (default 127.0.0.1, loopback only)")
    p.add_argument("--port", type=int, default=None, help="TCP port (default 8765)")
    p.add_argument(
        "--db", default=None, help="database URL or SQLite file (default sqlite:///./calltone.db)"
    )
    p.add_argument("--bus", default=None, help="memory:// (default) or redis://host:6379/0")
    p.add_argument("--no-transcribe", action="store_true", help="no live Whisper transcription")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    p.add_argument(
        "--demo",
        action="store_true",
        help="demo users and the sample calls replayed live on a loop (127.0.0.1 only)",
    )


def _add_users(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("users", help="manage users and their tokens")
    users = p.add_subparsers(dest="users_command", required=True)
    add = users.add_parser("add", help="add a user and print their first token")
    add.add_argument("name", help="user name; an agent's name is its agent id")
    add.add_argument("--role", required=True, choices=["agent", "supervisor", "trainer", "admin"])
    add.add_argument("--db", default=None, help="database URL or SQLite file")
    token = users.add_parser("token", help="print a new token for an existing user")
    token.add_argument("name")
    token.add_argument("--db", default=None)
    ls = users.add_parser("list", help="list users")
    ls.add_argument("--db", default=None)


def _add_purge(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "purge",
        help="delete calls that ended, and scorecards finished, more than N days ago "
        "(what `serve` does on its retention schedule)",
    )
    p.add_argument(
        "--older-than-days",
        type=float,
        default=None,
        help="cut-off in days (default: $CALLTONE_RETENTION_DAYS, 90)",
    )
    p.add_argument("--db", default=None, help="database URL or SQLite file")


def _add_client_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--agent", required=True, help="the agent's id (their user name)")
    p.add_argument("--server", default=None, help="service URL (default ws://127.0.0.1:8765)")
    p.add_argument("--token", default=None, help="bearer token (default: $CALLTONE_TOKEN)")
    p.add_argument("--call-id", default=None, help="call id (default: agent-date-random)")


def _add_replay(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("replay", help="stream a recording to a running server as if live")
    p.add_argument("call", help="recording (WAV, FLAC, OGG, MP3, M4A); two channels")
    _add_client_options(p)
    p.add_argument(
        "--speed", type=float, default=1.0, help="1 = real time, 4 = 4x, 0 = as fast as possible"
    )
    p.add_argument("--agent-channel", type=int, default=0, help="agent's channel (default 0)")
    p.add_argument(
        "--separate",
        action="store_true",
        help="send the call as one channel mixing both parties and have the server separate "
        "them live (a softphone that can only send the mix; docs/diarization.md)",
    )
    p.add_argument(
        "--agent-speaker",
        choices=("auto", "first", "second"),
        default="auto",
        help="with --separate: which speaker of the mix is the agent (auto: the agent's saved "
        "voice profile on the server when it tells the voices apart, else the first speaker)",
    )
    p.add_argument("--json", action="store_true", help="print every server message as JSON")
    from calltone.service.clients.platforms import add_protocol_options

    add_protocol_options(p)  # --protocol audiohook|twilio|fork (issue 18)


def _add_listen(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "listen", help="stream a headset live; a quiet earcon and the tip for each alert"
    )
    _add_client_options(p)
    p.add_argument("--mic-device", type=int, default=None, help="input device of the microphone")
    p.add_argument(
        "--call-device", type=int, default=None, help="input device carrying the call audio"
    )
    p.add_argument("--output-device", type=int, default=None, help="where earcons play")
    p.add_argument("--volume", type=float, default=None, help="earcon peak 0-1 (default 0.12)")
    p.add_argument("--mute", action="store_true", help="print tips only, no earcons")
    p.add_argument("--list-devices", action="store_true", help="list audio devices and exit")


def _add_agent_speaker(p: argparse.ArgumentParser) -> None:
    """``--agent-speaker`` of the recorded commands (``analyze``, ``score``) with ``--separate``."""
    p.add_argument(
        "--agent-speaker",
        choices=["first", "second", "auto"],
        default="auto",
        help="with --separate: which speaker is the agent (auto: agent phrases in the first "
        "minute's words, else the --agent-profile voice, else the first speaker)",
    )


def _add_full_context(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--full-context",
        action="store_true",
        help="encode every Whisper window as a full 30 s (~1.4x slower transcription; slightly "
        "different words, see docs/benchmarks.md)",
    )


def _add_profile(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("profile", help="agent voice profiles (docs/voice-profiles.md)")
    profile = p.add_subparsers(dest="profile_command", required=True)
    b = profile.add_parser(
        "build",
        help="build an agent's voice profile from recordings of their calls (acoustic analysis)",
    )
    b.add_argument("calls", nargs="+", metavar="CALL", help="recordings of the agent's calls")
    b.add_argument("--agent", required=True, help="the agent's id (their user name)")
    b.add_argument("--agent-channel", type=int, default=None, help="agent's channel (default 0)")
    b.add_argument(
        "--customer-channel", type=int, default=None, help="customer's channel (default 1)"
    )
    b.add_argument("--config", default=None, help="TOML file overriding detector thresholds")
    b.add_argument("--out", required=True, help="the profile file to write (JSON)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calltone",
        description="Call-tone monitoring: yelling, interruptions and agent tone in contact-centre calls.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_analyze(sub)
    _add_score(sub)
    _add_serve(sub)
    _add_users(sub)
    _add_purge(sub)
    _add_replay(sub)
    _add_listen(sub)
    _add_profile(sub)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    from calltone.models.recorded.analysis import AnalyzeOptions
    from calltone.models.recorded.call import RecordedCallOptions, analyze_recording
    from calltone.models.tone.config import AnalysisConfig
    from calltone.service.inputcheck import mono_guard, wav_warnings
    from calltone.service.reports.text import render_text

    if args.separate:
        require_extra("analyze --separate", "mono", ("librosa",))
    options = RecordedCallOptions(
        read=AnalyzeOptions(
            agent_channel=args.agent_channel,
            customer_channel=args.customer_channel,
            mono_role=args.mono_role or "agent",
        ),
        config=AnalysisConfig.from_toml(args.config) if args.config else AnalysisConfig(),
        profiles=_agent_profiles(args.agent_profile),
        separate=args.separate,
        agent_speaker=args.agent_speaker,
        customer_name=args.customer_name,
    )
    warnings = wav_warnings(args.call)
    transcriber = None
    if not args.no_transcribe:
        from calltone.models.recorded.transcript import recorded_call_options
        from calltone.models.speech.transcriber import Transcriber

        transcriber = Transcriber(recorded_call_options(args.model, full_context=args.full_context))
    doc = analyze_recording(args.call, options, transcriber=transcriber).document
    doc["notes"] = [*warnings, *doc.get("notes", [])]
    doc = mono_guard(doc, role_given=args.mono_role is not None)
    if args.mono_role is None and doc["call"]["channels"] == 1:
        warnings.append(doc["notes"][0])
    for warning in warnings:  # also in the output's notes; here so nobody misses them
        print(f"calltone: warning: {warning}", file=sys.stderr)
    text = render_text(doc) if args.format == "text" else json.dumps(doc, indent=2)
    if args.out:
        try:
            with open(args.out, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        except OSError as exc:
            raise CalltoneError(
                f"--out {args.out}: cannot write ({exc.strerror}); pass a file in an existing folder"
            ) from None
    else:
        sys.stdout.write(text + "\n")
    return 0


def _agent_profiles(path: str | None) -> dict[str, Any] | None:
    """``--agent-profile FILE`` as the session's ``profiles`` (a bad file: ProfileError)."""
    if path is None:
        return None
    from calltone.models.tone.profile import VoiceProfile

    return {"agent": VoiceProfile.load(path).baseline}


def cmd_profile(args: argparse.Namespace) -> int:
    from calltone.models.tone.config import AnalysisConfig
    from calltone.models.tone.profile import MIN_PROFILE_VOICED_S
    from calltone.service.live.profiles import build_profile

    config = AnalysisConfig.from_toml(args.config) if args.config else AnalysisConfig()
    profile, calls = build_profile(
        args.calls,
        args.agent,
        agent_channel=args.agent_channel,
        customer_channel=args.customer_channel,
        config=config,
        on_call=lambda c: print(c.line(), flush=True),
    )
    failed = [c for c in calls if c.error is not None]
    if profile is None:
        heard = [(c.baseline.own_s, c.path) for c in calls if c.baseline is not None]
        most = f" (most: {max(heard)[0]:.1f} s in {max(heard)[1]})" if heard else ""
        raise CalltoneError(
            f"no call had {MIN_PROFILE_VOICED_S:g} s of voiced speech of agent {args.agent!r}"
            f"{most}, so no profile was written; pass longer calls of this agent, or check "
            "--agent-channel"
        )
    try:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(profile.to_json() + "\n")
    except OSError as exc:
        raise CalltoneError(
            f"--out {args.out}: cannot write ({exc.strerror}); pass a file in an existing folder"
        ) from None
    print(
        f"wrote {args.out}: agent {profile.agent_id}, {profile.calls} of {len(calls)} call(s), "
        f"{profile.voiced_s:.1f} s of voiced speech, pitch {profile.baseline.pitch_hz:.0f} Hz, "
        f"level {profile.baseline.loudness_dbfs:.1f} dBFS"
    )
    if failed:
        print(f"calltone: error: {len(failed)} call(s) could not be read (above)", file=sys.stderr)
        return EXIT_USAGE
    return 0


def _db_url(db: str | None) -> str | None:
    """``--db`` takes a URL or a plain SQLite file path."""
    if db is None or "://" in db:
        return db
    from calltone.service.storage import sqlite_url

    return sqlite_url(db)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from calltone.service.app import create_app, preflight
    from calltone.service.guard import CONNECTIONS, protocol_classes
    from calltone.service.logsafe import install_log_filters
    from calltone.service.settings import load_settings

    settings = load_settings(
        host=args.host,
        port=args.port,
        db_url=_db_url(args.db),
        bus_url=args.bus,
        transcribe=False if args.no_transcribe else None,
    )
    if args.demo:  # issue 6: demo users, sample calls replayed as live calls, loopback only
        from calltone.service.demo import start_demo

        settings, app = start_demo(settings, db_given=args.db is not None)
    else:
        preflight(settings)
        app = create_app(settings)
    install_log_filters()  # create_app installs them too; the demo app is built elsewhere
    # per-address connection caps and request-head deadlines (service/guard.py, issue 15)
    CONNECTIONS.configure(
        max_per_address=settings.max_connections_per_address,
        header_timeout_s=settings.http_header_timeout_s,
    )
    http_protocol, ws_protocol = protocol_classes(CONNECTIONS)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        http=http_protocol,
        ws=ws_protocol,
        log_level=args.log_level,
        ws_max_size=max(4 * settings.max_frame_bytes, 1 << 20),
        ws_per_message_deflate=False,  # PCM does not compress; deflate only costs CPU
        timeout_graceful_shutdown=10,
    )
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    from calltone.service.settings import load_settings
    from calltone.service.storage import Store

    url = _db_url(args.db) or load_settings().db_url
    with Store(url) as store:
        if args.users_command == "add":
            if any(u.name == args.name for u in store.list_users()):
                raise CalltoneError(
                    f"user {args.name!r} already exists; print a new token for them with: "
                    f"calltone users token {args.name}" + (f" --db {args.db}" if args.db else "")
                )
            created = store.create_user(args.name, args.role)
            print(created.token)
            print(
                f"created {args.role} {args.name!r}; the token above is shown once",
                file=sys.stderr,
            )
        elif args.users_command == "token":
            print(store.issue_token(args.name))
        else:
            users = store.list_users()
            for user in users:
                print(f"{user.name}\t{user.role}")
            if not users:
                print(
                    "no users yet; add one with: calltone users add NAME --role "
                    "agent|supervisor|trainer|admin",
                    file=sys.stderr,
                )
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    import math

    from calltone.service.retention import sweep
    from calltone.service.settings import load_settings
    from calltone.service.storage import Store

    settings = load_settings()
    days = settings.retention_days if args.older_than_days is None else args.older_than_days
    if not (math.isfinite(days) and days > 0):
        raise CalltoneError(
            f"--older-than-days {days}: give a positive number of days (retention_days = 0 "
            "means keep everything, so there is nothing to purge)"
        )
    url = _db_url(args.db) or settings.db_url
    with Store(url) as store:
        result = sweep(store, retention_days=days)
    deleted = ", ".join(f"{n} {k}" for k, n in result.deleted.items()) or "nothing"
    print(f"deleted {deleted} (ended before {result.cutoff.isoformat(timespec='seconds')})")
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    import asyncio

    from calltone.service.clients.common import DEFAULT_SERVER, resolve_token
    from calltone.service.clients.replay import format_message, load_call, replay_samples

    if args.speed < 0:
        raise CalltoneError(f"--speed {args.speed} must be >= 0 (0 = as fast as possible)")
    if args.protocol != "calltone":  # as a contact-centre platform streams it (issue 18)
        from calltone.service.clients.platforms import run_cli

        return run_cli(args, load_call(args.call), args.server or DEFAULT_SERVER)
    from calltone.service.inputcheck import MONO_REPLAY_NOTE, wav_warnings

    token = resolve_token(args.token)
    for warning in wav_warnings(args.call):
        print(f"calltone: warning: {warning}", file=sys.stderr)
    samples = load_call(args.call)
    if args.separate:
        print(
            "calltone: mode: separated live (one channel mixing both parties; the server "
            f"separates them, agent speaker: {args.agent_speaker}; alerts come ~2 s later)",
            file=sys.stderr,
        )
    elif samples.shape[0] == 1:
        print(f"calltone: {MONO_REPLAY_NOTE}", file=sys.stderr)

    def show(msg: dict[str, Any]) -> None:
        if msg.get("type") == "error" and msg.get("code") == "unauthorized" and not args.json:
            print(
                "calltone: error: the server refused the token (unknown or revoked): pass "
                "--token T or set CALLTONE_TOKEN; an admin prints a new one with "
                "calltone users token NAME",
                file=sys.stderr,
                flush=True,
            )
            return
        line = json.dumps(msg) if args.json else format_message(msg)
        if line:
            print(line, flush=True)

    result = asyncio.run(
        replay_samples(
            samples,
            server=args.server or DEFAULT_SERVER,
            agent_id=args.agent,
            token=token,
            call_id=args.call_id,
            speed=args.speed,
            agent_channel=args.agent_channel,
            on_message=show,
            separate=args.separate,
            agent_speaker=args.agent_speaker,
        )
    )
    if result.error is not None:
        return EXIT_USAGE
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    import asyncio

    from calltone.service.clients.common import DEFAULT_SERVER, new_call_id, resolve_token
    from calltone.service.clients.headset import (
        DEFAULT_EARCON_VOLUME,
        EarconPlayer,
        Headset,
        list_devices,
        listen_headset,
    )

    if args.list_devices:
        print("\n".join(list_devices()))
        return 0
    volume = DEFAULT_EARCON_VOLUME if args.volume is None else args.volume
    if not 0.0 <= volume <= 1.0:
        raise CalltoneError(f"--volume {volume} must be between 0 and 1")
    token = resolve_token(args.token)
    headset = Headset(
        mic_device=args.mic_device, call_device=args.call_device, output_device=args.output_device
    )
    try:
        result = asyncio.run(
            listen_headset(
                headset,
                server=args.server or DEFAULT_SERVER,
                agent_id=args.agent,
                token=token,
                call_id=args.call_id or new_call_id(args.agent),
                player=EarconPlayer(headset.play, volume=volume, muted=args.mute),
            )
        )
    finally:
        headset.close()
    return EXIT_USAGE if result.error is not None else 0


def cmd_score(args: argparse.Namespace) -> int:
    from calltone.service.scoring.batch import ScoreOptions, score_many

    if args.workers is not None and args.workers < 1:
        raise CalltoneError(f"--workers {args.workers}: use 1 or more")
    if args.in_flight is not None and args.in_flight < 1:
        raise CalltoneError(f"--in-flight {args.in_flight}: use 1 or more")
    if not args.calls and not args.manifest:
        raise CalltoneError("nothing to score; pass recordings, folders or --manifest FILE")
    if args.separate:
        require_extra("score --separate", "mono", ("librosa",))
    agent_profile = None
    if args.agent_profile is not None:
        from calltone.models.tone.profile import VoiceProfile

        agent_profile = VoiceProfile.load(args.agent_profile)
        if args.agent_id is not None and args.agent_id != agent_profile.agent_id:
            raise CalltoneError(
                f"--agent-profile {args.agent_profile} is agent {agent_profile.agent_id!r}'s, "
                f"not --agent-id {args.agent_id!r}'s; pass that agent's profile"
            )
    options = ScoreOptions(
        transcribe=not args.no_transcribe,
        model=args.model,
        rubric_path=args.rubric,
        config_path=args.config,
        agent_channel=args.agent_channel,
        customer_channel=args.customer_channel,
        mono_role=args.mono_role,
        customer_name=args.customer_name,
        agent_id=args.agent_id,
        recorded_at=args.recorded_at,
        pack_gap_s=args.pack_gap_s,
        full_context=args.full_context,
        agent_profile=agent_profile,
        separate=args.separate,
        agent_speaker=args.agent_speaker,
    )
    import os
    import re

    # Dask is an extra: only a cluster run (a scheduler, a manifest, --db or URL inputs)
    # imports it, so local scoring works from the lean default install.
    url = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+://")
    address = args.cluster or os.environ.get("CALLTONE_DASK_SCHEDULER") or None
    needs_cluster = args.manifest or args.db or any(url.match(c) for c in args.calls)
    if address or needs_cluster:
        require_extra("score --cluster", "cluster", ("distributed",))
        if args.db:
            require_extra("score --db", "serve", ("sqlalchemy", "alembic"))
        from calltone.service.scoring.cluster import load_cluster_settings

        cluster_settings = load_cluster_settings()
        address = args.cluster or cluster_settings.dask_scheduler
        return _score_on_cluster(args, options, address, cluster_settings)
    report = score_many(
        args.calls, args.out, options, workers=args.workers, progress=not args.no_progress
    )
    for o in report.outcomes:
        if o.ok:
            overall = "n/a" if o.overall_score is None else f"{o.overall_score:.0f}"
            sys.stdout.write(f"{o.call_id}\toverall {overall}\t{o.report_path}\n")
        else:
            print(f"calltone: error: {o.path}: {o.error}", file=sys.stderr)
    sys.stdout.write(
        f"{len(report.outcomes) - len(report.failed)} of {len(report.outcomes)} call(s) scored "
        f"in {report.wall_s:.1f} s with {report.workers} worker(s); summary {report.summary_csv}\n"
    )
    return EXIT_USAGE if report.failed else 0


def _score_on_cluster(
    args: argparse.Namespace, options: Any, address: str | None, settings: Any
) -> int:
    """``calltone score`` on Dask (service/scoring/cluster.py); a LocalCluster when no address is set."""
    from calltone.service.scoring.cluster import (
        connect,
        expand_inputs,
        read_manifest,
        score_on_cluster,
    )

    entries = expand_inputs(args.calls) if args.calls else []
    if args.manifest:
        entries += read_manifest(args.manifest, line_max_bytes=settings.manifest_line_max_bytes)
    seen: set[str] = set()
    for e in entries:
        if e.call_id in seen:
            raise CalltoneError(
                f"call id {e.call_id!r} is given twice (CALL arguments and --manifest); "
                "give each call once"
            )
        seen.add(e.call_id)
    if args.workers is not None and address not in (None, "", "local"):
        raise CalltoneError(
            f"--workers {args.workers} sets local processes; a Dask cluster scores with its "
            "workers: start more with `dask worker SCHEDULER --nthreads 1` (docs/cluster.md)"
        )
    with connect(
        address,
        n_calls=len(entries),
        transcribe=options.transcribe,
        timeout_s=settings.dask_connect_timeout_s,
        local_workers=args.workers,
    ) as client:
        report = score_on_cluster(
            entries,
            args.out,
            options,
            client,
            settings=settings,
            in_flight=args.in_flight,
            db_url=_db_url(args.db),
            progress=not args.no_progress,
        )
    for o in report.outcomes:
        if not o.ok:
            print(f"calltone: error: {o.path}: {o.error}", file=sys.stderr)
    scored = len(report.outcomes) - len(report.failed) - len(report.skipped)
    sys.stdout.write(
        f"{scored} call(s) scored, {len(report.skipped)} already done, {len(report.failed)} "
        f"failed, in {report.wall_s:.1f} s on {report.workers} Dask worker(s) at "
        f"{report.scheduler}; summary {report.summary_csv}\n"
    )
    return EXIT_USAGE if report.failed else 0


COMMANDS = {
    "analyze": cmd_analyze,
    "score": cmd_score,
    "serve": cmd_serve,
    "users": cmd_users,
    "purge": cmd_purge,
    "replay": cmd_replay,
    "listen": cmd_listen,
    "profile": cmd_profile,
}


# What each command needs beyond the lean default install (``pip install calltone`` has what
# ``analyze``, ``profile`` and local ``score`` need), and the extra that brings it.
EXTRAS_NEEDED: dict[str, tuple[str, tuple[str, ...]]] = {
    "serve": ("serve", ("fastapi", "uvicorn", "sqlalchemy", "alembic", "multipart", "twilio")),
    "users": ("serve", ("sqlalchemy", "alembic")),
    "purge": ("serve", ("sqlalchemy", "alembic")),
    "replay": ("serve", ("websockets", "httpx")),
    "listen": ("headset", ("websockets", "pyaudio")),
}


def require_extra(command: str, extra: str, modules: Sequence[str]) -> None:
    """Refuse with the install command when a module of an optional extra is missing."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise CalltoneError(
            f"`calltone {command}` needs {', '.join(missing)}, which the default install leaves "
            f"out; install them with: python3 -m pip install 'calltone[{extra}]'"
        )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command in EXTRAS_NEEDED:
            extra, modules = EXTRAS_NEEDED[args.command]
            require_extra(args.command, extra, modules)
        return COMMANDS[args.command](args)
    except CalltoneError as exc:
        print(f"calltone: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print(
            "calltone: error: not enough memory for this analysis; check the --config values "
            "(window lengths) and split very long recordings",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
