"""Framing of the analysis-worker pipe, owned on both ends.

One frame is an 8-byte big-endian length followed by that many bytes of pickle. The server's
event loop writes requests with :func:`encode_frame` and reads replies with :func:`read_frame`
(asyncio streams, no thread between the loop and the pipe); the worker process reads requests
with :func:`recv_frame` and writes replies with :func:`send_frame` (a blocking socket). Both
ends use this module, so the format is defined once; it is private to a socketpair between a
server and the worker processes it spawned, which is why pickle is acceptable here.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from typing import Final

HEADER: Final = struct.Struct("!Q")
"""The length prefix: bytes of pickle that follow."""
MAX_FRAME_BYTES: Final = 256 << 20
"""The largest frame either end accepts: far above any step, finish or utterance message, so a
length prefix read out of step (a torn pipe) fails at once instead of allocating its size."""


class FrameClosedError(EOFError):
    """The other end closed the pipe (between frames or in the middle of one), or sent a length
    no frame can have."""


def _checked(size: int) -> int:
    if size > MAX_FRAME_BYTES:
        raise FrameClosedError(
            f"the analysis worker pipe announced a {size}-byte frame (limit {MAX_FRAME_BYTES}); "
            "the pipe is out of step and is dropped"
        )
    return size


def encode_frame(message: object) -> bytes:
    """``message`` as one frame (length prefix and pickle)."""
    body = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


async def read_frame(reader: asyncio.StreamReader) -> object:
    """The next message from an asyncio stream; :class:`FrameClosedError` at the end."""
    try:
        (size,) = HEADER.unpack(await reader.readexactly(HEADER.size))
        return pickle.loads(await reader.readexactly(_checked(size)))
    except asyncio.IncompleteReadError as exc:
        raise FrameClosedError("the analysis worker pipe closed") from exc


def send_frame(sock: socket.socket, message: object) -> None:
    """Write one message to a blocking socket."""
    sock.sendall(encode_frame(message))


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    left = size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            raise FrameClosedError("the analysis worker pipe closed")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def recv_frame(sock: socket.socket) -> object:
    """The next message from a blocking socket; :class:`FrameClosedError` at the end."""
    (size,) = HEADER.unpack(_recv_exactly(sock, HEADER.size))
    return pickle.loads(_recv_exactly(sock, _checked(size)))


__all__ = [
    "HEADER",
    "MAX_FRAME_BYTES",
    "FrameClosedError",
    "encode_frame",
    "read_frame",
    "recv_frame",
    "send_frame",
]
