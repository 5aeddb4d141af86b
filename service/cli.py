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

from audio.errors import CalltoneError

EXIT_USAGE = 2


def _add_analyze(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("analyze", help="analyse a recorded call and print calltone.analysis/1 JSON")
    p.add_argument(
        "call", help="recording: WAV, FLAC, OGG, MP3 or M4A; two channels = agent + customer"
    )
    p.add_argument("--agent-channel", type=int, default=None, help="agent's channel (default 0)")
    p.add_argument(
        "--customer-channel", type=int, default=None, help="customer's channel (default 1)"
    )
    p.add_argument(
        "--mono-role",
        choices=["agent", "customer"],
        default="agent",
        help="who speaks in a mono recording (default agent)",
    )
    p.add_argument("--no-transcribe", action="store_true", help="acoustic analysis only (fast)")
    p.add_argument(
        "--model",
        default=None,
        help="CTranslate2 Whisper model directory (default: CALLTONE_WHISPER_MODEL or the bundled tiny.en)",
    )
    p.add_argument("--customer-name", default=None, help="the customer's name, if the CRM knows it")
    p.add_argument(
        "--config", default=None, help="TOML file overriding thresholds (see docs/config.md)"
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.add_argument("--out", default=None, help="write the output to this file instead of stdout")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="calltone",
        description="Call-tone monitoring: yelling, interruptions and agent tone in contact-centre calls.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    _add_analyze(sub)
    return parser


def cmd_analyze(args: argparse.Namespace) -> int:
    from models.analysis import AnalyzeOptions, analyze_file, to_document
    from models.config import AnalysisConfig
    from service.report import render_text

    config = AnalysisConfig.from_toml(args.config) if args.config else AnalysisConfig()
    options = AnalyzeOptions(
        agent_channel=args.agent_channel,
        customer_channel=args.customer_channel,
        mono_role=args.mono_role,
    )
    audio, session = analyze_file(args.call, options=options, config=config)
    parts: dict[str, Any] = {}
    if not args.no_transcribe:
        from models.pipeline import transcribe_session

        parts = transcribe_session(
            audio, session, model=args.model, customer_name=args.customer_name
        ).document_parts()
    doc = to_document(audio, session, **parts)
    text = render_text(doc) if args.format == "text" else json.dumps(doc, indent=2)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
    else:
        sys.stdout.write(text + "\n")
    return 0


COMMANDS = {"analyze": cmd_analyze}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CalltoneError as exc:
        print(f"calltone: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
