"""The analysis-worker pipe: one framing module on both ends, typed requests and replies."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

from calltone.service.live.framing import (
    HEADER,
    MAX_FRAME_BYTES,
    FrameClosedError,
    encode_frame,
    read_frame,
    recv_frame,
    send_frame,
)
from calltone.service.live.worker_messages import (
    AnalysisError,
    CloseCall,
    Failure,
    Finish,
    Reply,
    Request,
    Step,
)
from calltone.service.live.workers import Worker, handle, serve_requests


def test_frames_round_trip_between_blocking_and_asyncio_ends() -> None:
    big = b"\x01" * (3 << 20)  # larger than one recv
    left, right = socket.socketpair()
    with left, right:
        sender = threading.Thread(target=send_frame, args=(left, Request(1, "c1", Step(big, []))))
        sender.start()
        got = recv_frame(right)
        sender.join()
        assert got == Request(1, "c1", Step(big, []))

        async def read_two() -> list[object]:
            reader, writer = await asyncio.open_connection(sock=right)
            writer.write(encode_frame(Reply(7, None)))
            send_frame(left, Failure(8, "ValueError: x"))  # the worker's end writes blocking
            out = [await read_frame(reader), recv_frame(left)]
            left.close()
            with pytest.raises(FrameClosedError):
                await read_frame(reader)
            writer.close()
            return out

        assert asyncio.run(read_two()) == [Failure(8, "ValueError: x"), Reply(7, None)]


def test_a_half_frame_is_a_closed_pipe() -> None:
    left, right = socket.socketpair()
    with right:
        left.sendall(encode_frame(Reply(1, None))[:-3])
        left.close()
        with pytest.raises(FrameClosedError):
            recv_frame(right)


def test_an_impossible_length_is_refused_before_reading_it() -> None:
    """A length prefix out of step (a torn pipe) fails at once on both ends, allocating nothing."""
    left, right = socket.socketpair()
    with left, right:
        left.sendall(HEADER.pack(MAX_FRAME_BYTES + 1))
        with pytest.raises(FrameClosedError, match="out of step"):
            recv_frame(right)

    async def read_async() -> None:
        reader = asyncio.StreamReader()
        reader.feed_data(HEADER.pack(1 << 62))
        reader.feed_eof()
        await read_frame(reader)

    with pytest.raises(FrameClosedError, match="out of step"):
        asyncio.run(read_async())


def test_the_worker_loop_answers_each_request_with_a_typed_reply() -> None:
    server, worker = socket.socketpair()
    thread = threading.Thread(target=serve_requests, args=(worker,), daemon=True)
    thread.start()
    with server, worker:
        send_frame(server, Request(1, "c1", CloseCall()))  # unknown calls close fine
        send_frame(server, Request(2, "c1", Finish()))  # no session: a failure, loop goes on
        send_frame(server, Request(3, "c1", CloseCall()))
        replies = [recv_frame(server) for _ in range(3)]
        server.shutdown(socket.SHUT_WR)
        thread.join(timeout=5)
    assert replies[0] == Reply(1, None) and replies[2] == Reply(3, None)
    assert isinstance(replies[1], Failure) and replies[1].request_id == 2
    assert "no live analysis for call 'c1'" in replies[1].problem
    assert not thread.is_alive()
    with pytest.raises(AnalysisError, match="no live analysis"):
        handle({}, "c2", Step(b"", []))


@pytest.mark.parametrize("process", [False, True])
def test_worker_methods_are_typed_and_failures_name_the_call(process: bool) -> None:
    async def run() -> None:
        worker = Worker(0, process=process)
        try:
            await worker.close_call("-")
            with pytest.raises(AnalysisError, match="no live analysis for call 'c9'"):
                await worker.finish("c9")
        finally:
            worker.close()

    asyncio.run(run())
