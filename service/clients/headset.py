"""``calltone listen``: a headset streamed live, with a quiet earcon per alert.

An agent on a call looks at the customer, not at a screen, so ``listen`` plays a short, quiet
sound that differs per alert kind and prints the tip for a glance later. Earcons are synthesised
here with numpy (no audio files), so they can be tested without audio hardware.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import numpy as np

from calltone.audio.errors import ParameterError
from calltone.audio.pcm import encode_pcm_s16le
from calltone.service.clients.common import (
    FRAME_MS,
    SAMPLE_RATE_HZ,
    ClientError,
    socket_url,
)
from calltone.service.clients.replay import ReplayResult, format_message

HEADSET_INSTALL_HINT = (
    "install the headset extra and PortAudio: pip install 'calltone[headset]' "
    "(and on Debian/Ubuntu first: apt-get install portaudio19-dev)"
)


class HeadsetError(ClientError):
    """PortAudio, pyaudio or an audio device is missing."""


# -- earcons ------------------------------------------------------------------------------------

EARCON_NOTES_HZ: dict[str, list[tuple[float, float]]] = {
    # kind: [(frequency Hz, duration s)], 0 Hz = a pause. Soft, low-mid pitches; each kind has its
    # own contour so it can be told apart without looking.
    "de_escalate": [(660.0, 0.12), (0.0, 0.04), (440.0, 0.18)],  # falling: "bring it down"
    "let_them_finish": [(392.0, 0.25)],  # one low tone: "wait"
    "calm_down": [(523.0, 0.10), (0.0, 0.03), (523.0, 0.10), (0.0, 0.03), (349.0, 0.2)],
    "take_a_break": [(392.0, 0.1), (494.0, 0.1), (587.0, 0.22)],  # rising, gentle
    "escalation_flag": [(880.0, 0.08), (0.0, 0.06), (880.0, 0.08)],  # two short high beeps
}
DEFAULT_EARCON_VOLUME = 0.12
"""Peak amplitude (about -18 dBFS): audible under speech in a headset, never startling."""


def earcon(
    kind: str, *, volume: float = DEFAULT_EARCON_VOLUME, sample_rate_hz: int = SAMPLE_RATE_HZ
) -> np.ndarray:
    """A short, quiet tone pattern for an alert kind (mono float32, peak == ``volume``).

    Unknown kinds get a single neutral tone. Each note has 10 ms raised-cosine ramps so it does
    not click.
    """
    if not 0.0 <= volume <= 1.0:
        raise ParameterError(f"earcon volume {volume} must be between 0 (silent) and 1")
    notes = EARCON_NOTES_HZ.get(kind, [(523.0, 0.15)])
    parts = []
    ramp = int(0.01 * sample_rate_hz)
    for freq, dur in notes:
        n = int(dur * sample_rate_hz)
        if freq <= 0:
            parts.append(np.zeros(n, np.float32))
            continue
        t = np.arange(n) / sample_rate_hz
        tone = np.sin(2 * np.pi * freq * t) + 0.2 * np.sin(4 * np.pi * freq * t)
        env = np.ones(n)
        r = min(ramp, n // 2)
        if r:
            edge = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, r))
            env[:r] = edge
            env[n - r :] = edge[::-1]
        parts.append((tone * env).astype(np.float32))
    x = np.concatenate(parts) if parts else np.zeros(0, np.float32)
    peak = float(np.max(np.abs(x))) if x.size else 0.0
    return (x * (volume / peak) if peak > 0 else x).astype(np.float32)


# -- headset ------------------------------------------------------------------------------------


def _import_pyaudio() -> Any:
    try:
        import pyaudio
    except ImportError as exc:  # pyaudio not installed, or built without libportaudio
        raise HeadsetError(
            f"headset audio is not available ({exc}); {HEADSET_INSTALL_HINT}"
        ) from exc
    return pyaudio


class Headset:
    """Capture the agent's microphone and the call audio as two channels; play earcons.

    ``call_device`` None: the input device is read in stereo when it has two channels (channel 0
    the agent's microphone, channel 1 the call, as softphone loopback devices give them), else
    in mono (agent only: calm-down alerts, no customer yelling or interruptions).
    """

    def __init__(
        self,
        *,
        mic_device: int | None = None,
        call_device: int | None = None,
        output_device: int | None = None,
        frame_ms: int = FRAME_MS,
    ) -> None:
        self.pyaudio = _import_pyaudio()
        try:
            self.pa = self.pyaudio.PyAudio()
        except Exception as exc:
            raise HeadsetError(
                f"PortAudio failed to start ({exc}); {HEADSET_INSTALL_HINT}"
            ) from exc
        self.frames = SAMPLE_RATE_HZ * frame_ms // 1000
        self.output_device = output_device
        try:
            mic = (
                self.pa.get_device_info_by_index(mic_device)
                if mic_device is not None
                else self.pa.get_default_input_device_info()
            )
        except (OSError, ValueError) as exc:
            self.pa.terminate()
            raise HeadsetError(
                f"no audio input device ({exc}); plug in a headset, or pick one with --mic-device "
                "N (see `calltone listen --list-devices`)"
            ) from exc
        self.mic_index = int(mic["index"])
        self.stereo_mic = call_device is None and int(mic.get("maxInputChannels", 1)) >= 2
        self.channels = 2 if (self.stereo_mic or call_device is not None) else 1
        open_in = self._open_input
        self.mic = open_in(self.mic_index, 2 if self.stereo_mic else 1)
        self.call = open_in(call_device, 1) if call_device is not None else None

    def _open_input(self, index: int, channels: int) -> Any:
        try:
            return self.pa.open(
                format=self.pyaudio.paInt16,
                channels=channels,
                rate=SAMPLE_RATE_HZ,
                input=True,
                input_device_index=index,
                frames_per_buffer=self.frames,
            )
        except OSError as exc:
            raise HeadsetError(
                f"cannot open input device {index} at {SAMPLE_RATE_HZ} Hz x{channels} ({exc}); "
                "choose another with --mic-device/--call-device (`calltone listen --list-devices`)"
            ) from exc

    def read_frame(self) -> bytes:
        """One frame of interleaved 16-bit PCM (agent first when two channels)."""
        mic = self.mic.read(self.frames, exception_on_overflow=False)
        if self.call is None:
            return bytes(mic)
        call = self.call.read(self.frames, exception_on_overflow=False)
        both = np.empty((self.frames, 2), "<i2")
        both[:, 0] = np.frombuffer(mic, "<i2")
        both[:, 1] = np.frombuffer(call, "<i2")
        return both.tobytes()

    def play(self, samples: np.ndarray) -> None:
        out = self.pa.open(
            format=self.pyaudio.paInt16,
            channels=1,
            rate=SAMPLE_RATE_HZ,
            output=True,
            output_device_index=self.output_device,
        )
        try:
            out.write(encode_pcm_s16le(samples[None, :]))
        finally:
            out.close()

    def close(self) -> None:
        for s in (self.mic, self.call):
            if s is not None:
                with contextlib.suppress(Exception):
                    s.close()
        self.pa.terminate()


def list_devices() -> list[str]:
    pyaudio = _import_pyaudio()
    pa = pyaudio.PyAudio()
    try:
        out = []
        for i in range(pa.get_device_count()):
            d = pa.get_device_info_by_index(i)
            out.append(
                f"{i}: {d['name']} (in {d['maxInputChannels']}, out {d['maxOutputChannels']})"
            )
        return out
    finally:
        pa.terminate()


@dataclass
class EarconPlayer:
    """Plays earcons without blocking the socket (one at a time; a newer one waits)."""

    play: Callable[[np.ndarray], None]
    volume: float = DEFAULT_EARCON_VOLUME
    muted: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def alert(self, kind: str) -> bool:
        """Start the earcon for ``kind``; False when muted."""
        if self.muted or self.volume <= 0:
            return False
        sound = earcon(kind, volume=self.volume)

        def run() -> None:
            with self._lock, contextlib.suppress(Exception):
                self.play(sound)

        threading.Thread(target=run, daemon=True).start()
        return True


async def listen_headset(
    headset: Headset,
    *,
    server: str,
    agent_id: str,
    token: str,
    call_id: str,
    player: EarconPlayer,
    printer: Callable[[str], None] = print,
) -> ReplayResult:
    """Stream the headset to the server until Ctrl-C; earcon and tip for each alert."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    result = ReplayResult(call_id=call_id)
    url = socket_url(server, f"/v1/calls/{quote(call_id, safe='')}/audio", token=token)
    try:
        ws = await connect(url, open_timeout=10, compression=None)
    except OSError as exc:
        raise ClientError(
            f"cannot connect to {server} ({exc}); is `calltone serve` running?"
        ) from exc
    loop = asyncio.get_running_loop()
    frames: asyncio.Queue[bytes] = asyncio.Queue(maxsize=50)
    running = threading.Event()
    running.set()

    def capture() -> None:
        while running.is_set():
            data = headset.read_frame()
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_put_latest, frames, data)

    async def receive() -> None:
        with contextlib.suppress(ConnectionClosed):
            async for raw in ws:
                if isinstance(raw, bytes):
                    continue
                msg = json.loads(raw)
                result.messages.append(msg)
                if msg.get("type") == "alert":
                    player.alert(msg["alert"]["kind"])
                elif msg.get("type") == "summary":
                    result.summary = msg
                elif msg.get("type") == "error":
                    result.error = msg
                line = format_message(msg)
                if line:
                    printer(line)

    await ws.send(
        json.dumps(
            {
                "type": "start",
                "agent_id": agent_id,
                "sample_rate": SAMPLE_RATE_HZ,
                "channels": headset.channels,
                "encoding": "pcm_s16le",
                "agent_channel": 0,
            }
        )
    )
    if headset.channels == 1:
        printer("mono input: only your own voice is analysed; pass --call-device for the customer")
    receiver = asyncio.create_task(receive())
    reader = threading.Thread(target=capture, name="headset-capture", daemon=True)
    reader.start()
    try:
        while not receiver.done():
            await ws.send(await frames.get())
    except (asyncio.CancelledError, KeyboardInterrupt, ConnectionClosed):
        pass
    finally:
        running.clear()
        with contextlib.suppress(Exception):
            await ws.send(json.dumps({"type": "stop"}))
            await asyncio.wait_for(receiver, timeout=30)
        await ws.close()
    return result


def _put_latest(q: asyncio.Queue[bytes], data: bytes) -> None:
    """Keep live audio flowing: if the socket is behind, drop the oldest frame."""
    if q.full():
        q.get_nowait()
    q.put_nowait(data)
