"""What the command line tells people about a recording before they trust its analysis.

Two things a decoder accepts silently but a person must hear about:

- **A WAV whose header and body disagree.** A copy cut short (the first 100 kB of a 1.5 MB
  call) decodes as a short call and would be reported as one; a header that declares less than
  the file holds hides the rest. The audio that is there is usable, so the analysis goes on, but
  a warning goes into the output's ``notes`` and to stderr, naming the problem and the fix.
- **A mono recording.** Both parties are mixed on one channel and calltone cannot yet separate
  them, so it cannot know who was shouting. Unless the user says who speaks (``--mono-role``),
  the analysis keeps its events but leaves out the alerts that would blame the agent for what may
  be the customer, and says so (:func:`mono_guard`).

Parsing is bounded: at most :data:`MAX_CHUNKS` RIFF chunk headers are read, each 8 bytes.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MAX_CHUNKS = 64
"""RIFF chunk headers read before giving up on finding ``fmt `` and ``data``."""
UNKNOWN_LENGTHS = (0, 0xFFFFFFFF, 0xFFFFFFF0)
"""``data`` sizes that streaming recorders write when the length was not known yet."""
MIN_MISSING_FRACTION = 0.01
"""A body short of its declared size by less than this share (and under a frame) is padding."""
AGENT_BLAMING_ALERTS = ("calm_down", "let_them_finish", "take_a_break")
"""Alerts that say the agent did something; on an unattributed mono mix they may be wrong."""


def _seconds(n_bytes: int, block_align: int, rate_hz: int) -> float:
    return n_bytes / block_align / rate_hz if block_align and rate_hz else 0.0


def wav_warnings(path: str | Path) -> list[str]:
    """Warnings for a RIFF/WAVE file whose ``data`` chunk size disagrees with the file.

    Returns an empty list for other formats, for consistent files, and for files too broken to
    parse (the decoder reports those as errors)."""
    p = Path(path)
    try:
        size = p.stat().st_size
        with p.open("rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
                return []
            block_align = rate_hz = 0
            offset = 12
            for _ in range(MAX_CHUNKS):
                fh.seek(offset)
                chunk = fh.read(8)
                if len(chunk) < 8:
                    return []
                cid, csize = chunk[:4], struct.unpack("<I", chunk[4:])[0]
                if cid == b"fmt ":
                    fmt = fh.read(16)
                    if len(fmt) < 16:
                        return []
                    _, _, rate_hz, _, block_align, _ = struct.unpack("<HHIIHH", fmt)
                elif cid == b"data":
                    return _data_warnings(p.name, size, offset + 8, csize, block_align, rate_hz)
                offset += 8 + csize + (csize & 1)
    except OSError:
        return []
    return []


def _data_warnings(
    name: str, size: int, start: int, declared: int, block_align: int, rate_hz: int
) -> list[str]:
    present = max(0, size - start)
    if declared in UNKNOWN_LENGTHS:
        return [
            f"{name}: the WAV header gives no length (a recording that was never finalised); "
            f"read to the end of the file: {_seconds(present, block_align, rate_hz):.1f} s"
        ]
    missing = declared - present
    if missing > max(block_align, MIN_MISSING_FRACTION * declared):
        return [
            f"{name} is truncated: its header promises "
            f"{_seconds(declared, block_align, rate_hz):.1f} s of audio but the file holds only "
            f"{_seconds(present, block_align, rate_hz):.1f} s ({present} of {declared} bytes); "
            "only that part was analysed. Copy or export the recording again."
        ]
    extra = present - declared - (declared & 1)
    if extra > max(block_align, MIN_MISSING_FRACTION * max(declared, 1)) and extra > 4096:
        return [
            f"{name}: its header declares {_seconds(declared, block_align, rate_hz):.1f} s of "
            f"audio but {extra} more bytes follow; only the declared part was analysed. Re-save "
            "the file (e.g. sox in.wav out.wav) if the recording is longer."
        ]
    return []


def mono_guard(doc: dict[str, Any], *, role_given: bool) -> dict[str, Any]:
    """Word a mono recording's analysis so it never blames the wrong party.

    With ``role_given`` (``--mono-role`` passed: the user knows who is on the recording) only a
    note says which party was assumed. Without it, alerts that say the agent did something
    (:data:`AGENT_BLAMING_ALERTS`) are left out and the note says why. Two-channel documents are
    returned unchanged."""
    call = doc.get("call") or {}
    if int(call.get("channels") or 0) != 1:
        return doc
    roles: Mapping[str, Any] = call.get("roles") or {}
    role = next((r for r, ch in roles.items() if ch is not None), "agent")
    if role_given:
        note = (
            f"mono recording: analysed as the {role} alone (--mono-role {role}); if both parties "
            "are on it, every event may be either of them, and interruptions need two channels"
        )
    else:
        dropped = [a for a in doc.get("alerts", []) if a.get("kind") in AGENT_BLAMING_ALERTS]
        doc["alerts"] = [a for a in doc.get("alerts", []) if a not in dropped]
        note = (
            "mono recording: both parties are mixed on one channel and calltone cannot yet tell "
            f"them apart, so it does not know who spoke; events are listed under the {role} "
            "role but may be the customer's"
            + (
                f", and {len(dropped)} alert(s) that would blame the agent "
                f"({', '.join(sorted({a['kind'] for a in dropped}))}) were left out"
                if dropped
                else ""
            )
            + ". Pass --mono-role agent or --mono-role customer if only one party is recorded; "
            "interruptions need two channels"
        )
    notes = [n for n in doc.get("notes", []) if not str(n).startswith("mono recording")]
    doc["notes"] = [note, *notes]
    return doc


MONO_REPLAY_NOTE = (
    "note: mono recording: both parties are mixed on one channel and the server analyses it as "
    "the agent's voice; alerts about the agent's own voice may really be about the customer, "
    "and interruptions need two channels: pass --separate to have the server tell the two "
    "parties apart live"
)
