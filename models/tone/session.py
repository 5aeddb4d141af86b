"""A call session: the streaming core plus the alert policy, fed by a file or a live socket.

``CallSession`` is what both ``calltone analyze`` and the live WebSocket drive: push float audio
(or live PCM bytes) in, get :class:`SessionUpdate` out (events that opened or closed and the
alerts they raised), then ``finish`` when the audio ends and ``close`` when the last events
(transcript cues) are in. Acoustic alerts never wait for transcription.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from calltone.audio.channels import ChannelRoles
from calltone.audio.errors import CalltoneError
from calltone.audio.pcm import PcmFormat, PcmStream
from calltone.models.tone.alerts import AgentStrain, Alert, AlertConfig, AlertPolicy
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.events import Event
from calltone.models.tone.stream import AnalysisResult, CallAnalyzer

if TYPE_CHECKING:
    from calltone.models.separation_stream import StreamSeparationConfig, StreamSeparator


@dataclass(frozen=True)
class Utterance:
    """A closed stretch of one party's speech with its audio, ready to transcribe."""

    speaker: str
    start_s: float
    end_s: float
    samples: np.ndarray  # float32, 16 kHz, starting at start_s

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class UtteranceOptions:
    """How speech runs are grouped into utterances for live transcription."""

    merge_gap_s: float = 0.6
    max_utterance_s: float = 20.0
    pad_s: float = 0.15
    keep_audio_s: float = 45.0


@dataclass
class SessionUpdate:
    """What one push produced."""

    events: list[Event] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    utterances: list[Utterance] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.alerts or self.utterances)


class _Ring:
    """Fixed-size circular buffer of one channel's recent samples (bounded memory)."""

    def __init__(self, capacity: int) -> None:
        self.buf = np.zeros(capacity, np.float32)
        self.written = 0  # total samples ever written

    def append(self, x: np.ndarray) -> None:
        cap = self.buf.size
        if x.size > cap:
            self.written += x.size - cap
            x = x[-cap:]
        i = self.written % cap
        first = min(cap - i, x.size)
        self.buf[i : i + first] = x[:first]
        self.buf[: x.size - first] = x[first:]
        self.written += x.size

    def slice(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) by absolute index, clipped to what is still held."""
        cap = self.buf.size
        a = max(a, self.written - cap, 0)
        b = min(b, self.written)
        if b <= a:
            return np.zeros(0, np.float32)
        idx = np.arange(a, b) % cap
        return self.buf[idx].copy()


class CallLifecycleError(CalltoneError):
    """A call session was used out of order (its steps are push, finish, add_events, close)."""


@dataclass(frozen=True)
class SessionResult:
    """The end of a call's audio: its analysis, the last update, and the session (still open
    to events from beside the acoustic path until :meth:`close`)."""

    analysis: AnalysisResult
    final: SessionUpdate
    session: CallSession = field(repr=False)

    @property
    def alerts(self) -> list[Alert]:
        """Every alert of the call so far, in the order raised."""
        return list(self.session.policy.alerts)

    @property
    def closed(self) -> bool:
        return self.session.closed

    def add_events(self, events: list[Event]) -> list[Alert]:
        """As :meth:`CallSession.add_events`; returns the alerts they raised."""
        return self.session.add_events(events).alerts

    def close(
        self, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> list[Alert]:
        """As :meth:`CallSession.close`."""
        return self.session.close(strain=strain, wall_time_s=wall_time_s)


class CallSession:
    """Streaming analysis and alerting of one call.

    A call's steps, in order: :meth:`push` (or :meth:`push_pcm`) its audio; :meth:`finish`
    when the audio ends; :meth:`add_events` for events found beside the acoustic path (phrase
    cues from the transcript, which may arrive after the audio); :meth:`close` when no more
    events will come, which decides the end-of-call alerts (take a break).

    Parameters
    ----------
    roles, n_channels, config
        As for :class:`~models.tone.stream.CallAnalyzer`.
    alert_config : AlertConfig, optional
        Cooldowns and escalation rules.
    call_id, agent_id : str
        Stamped on every alert.
    pcm : PcmFormat, optional
        For live use: the format of the bytes given to :meth:`push_pcm`.
    profiles : dict, optional
        Saved voice profiles by role, as for :class:`~models.tone.stream.CallAnalyzer`.
    """

    def __init__(
        self,
        *,
        roles: ChannelRoles,
        n_channels: int,
        config: AnalysisConfig | None = None,
        alert_config: AlertConfig | None = None,
        call_id: str = "",
        agent_id: str = "",
        pcm: PcmFormat | None = None,
        utterances: UtteranceOptions | None = None,
        keep_timeline: bool = False,
        profiles: dict[str, BaselineSnapshot] | None = None,
        separation: StreamSeparationConfig | None = None,
    ) -> None:
        # A mono mix of both parties, separated live into a two-party call before the analysis
        # (models/separation_stream.py): the analysis sees channel 0 = agent, 1 = customer.
        self.separator: StreamSeparator | None = None
        if separation is not None:
            from calltone.models.separation_stream import StreamSeparator

            agent = (profiles or {}).get("agent")
            self.separator = StreamSeparator(
                separation, agent_pitch_hz=agent.pitch_hz if agent is not None else None
            )
            roles, n_channels = ChannelRoles(agent=0, customer=1), 2
        self.analyzer = CallAnalyzer(
            roles=roles,
            n_channels=n_channels,
            config=config,
            keep_timeline=keep_timeline,
            profiles=profiles,
        )
        self.roles = roles
        self.utt = utterances
        self._sr = self.analyzer.config.features.sample_rate_hz
        self._rings = (
            {str(p): _Ring(round(utterances.keep_audio_s * self._sr)) for p in roles.present}
            if utterances is not None
            else {}
        )
        self._pending: dict[str, tuple[float, float] | None] = {p: None for p in roles.present}
        self.policy = AlertPolicy(alert_config, call_id=call_id, agent_id=agent_id)
        self._result: SessionResult | None = None
        self.closed = False
        self.pcm = PcmStream(pcm) if pcm is not None else None
        self.call_id = call_id
        self.agent_id = agent_id

    @property
    def time_s(self) -> float:
        return self.analyzer.time_s

    def push(self, samples: np.ndarray) -> SessionUpdate:
        """Feed ``(n_channels, n)`` float32 samples at 16 kHz (a separated call: ``(1, n)`` of
        the mono mix; its two-party audio reaches the analysis the separator's delay later)."""
        if self.separator is not None:
            samples = self.separator.push(samples)
            if samples.shape[1] == 0:
                return SessionUpdate()
        return self._analyse(samples)

    def _analyse(self, samples: np.ndarray) -> SessionUpdate:
        events = self.analyzer.push(samples)
        # The policy reads every update (an event that opened and grew within this push as it
        # opened, then as it grew), not only the merged ones returned, in the order they act.
        updates = sorted(self.analyzer.last_updates, key=self.policy.order_key)  # stable
        update = SessionUpdate(events, self.policy.on_events(updates) if updates else [])
        if self.utt is not None:
            x = np.asarray(samples, dtype=np.float32)
            for p, ring in self._rings.items():
                ring.append(x[getattr(self.roles, p)] if x.ndim == 2 else x)
            update.utterances = self._utterances(final=False)
        return update

    def _utterances(self, *, final: bool) -> list[Utterance]:
        """Group finished speech runs into utterances and cut their audio from the ring."""
        opts = self.utt
        if opts is None:
            return []
        ready: list[tuple[str, float, float]] = []
        for run in self.analyzer.drain_speech_runs():
            pend = self._pending[run.speaker]
            if pend is not None and (
                run.start_s - pend[1] < opts.merge_gap_s
                and run.end_s - pend[0] <= opts.max_utterance_s
            ):
                self._pending[run.speaker] = (pend[0], run.end_s)
                continue
            if pend is not None:
                ready.append((run.speaker, *pend))
            self._pending[run.speaker] = (run.start_s, run.end_s)
        now = self.analyzer.time_s
        for p, pend in self._pending.items():
            if pend is None:
                continue
            going = self.analyzer.open_run_start_s(p)
            joins = going is not None and going - pend[1] < opts.merge_gap_s
            if final or (not joins and now - pend[1] >= opts.merge_gap_s):
                ready.append((p, *pend))
                self._pending[p] = None
        out = []
        for p, a_s, b_s in sorted(ready, key=lambda r: r[1]):
            a = max(0.0, a_s - opts.pad_s)
            x = self._rings[p].slice(round(a * self._sr), round((b_s + opts.pad_s) * self._sr))
            out.append(Utterance(p, a, a + x.size / self._sr, x))
        return out

    def push_pcm(self, data: bytes) -> SessionUpdate:
        """Feed one live binary frame (interleaved 16-bit PCM in the session's format)."""
        if self.pcm is None:
            raise ValueError("this session was not opened for PCM input; pass pcm=PcmFormat(...)")
        return self.push(self.pcm.decode(data))

    def add_events(self, events: list[Event]) -> SessionUpdate:
        """Events from beside the acoustic path (phrase cues from the transcript), before or
        after :meth:`finish` but not after :meth:`close`."""
        if self.closed:
            raise CallLifecycleError(
                f"call {self.call_id!r} is closed; add its events before calling close()"
            )
        return SessionUpdate(events, self.policy.on_events(events))

    def finish(self) -> SessionResult:
        """End the audio: close open events and return the result. The end-of-call decision
        waits for :meth:`close`: transcript cues arrive after the audio, and a manager request
        in the last seconds makes the call hard."""
        if self._result is not None:
            return self._result
        tail = SessionUpdate()
        if self.pcm is not None:
            rest = self.pcm.flush()
            if rest.shape[1]:
                tail = self.push(rest)
        if self.separator is not None:
            held = self.separator.finish()  # the audio still waiting for its speaker
            if held.shape[1]:
                more = self._analyse(held)
                tail = SessionUpdate(
                    tail.events + more.events,
                    tail.alerts + more.alerts,
                    tail.utterances + more.utterances,
                )
        closed = self.analyzer.end_audio()
        analysis = self.analyzer.result()
        final = SessionUpdate(
            tail.events + closed,
            tail.alerts + self.policy.on_events(closed),
            tail.utterances + self._utterances(final=True),
        )
        self._result = SessionResult(analysis=analysis, final=final, session=self)
        return self._result

    def close(
        self, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> list[Alert]:
        """Decide the end-of-call alerts (take a break) now that every event is in.

        ``strain`` (with ``wall_time_s``, epoch seconds) is the agent's record of recent hard
        calls: a hard call is added to it, and several within the window say so in the alert.
        Closing a closed session returns no alerts.
        """
        if self._result is None:
            raise CallLifecycleError(
                f"call {self.call_id!r} is still taking audio; call finish() before close()"
            )
        if self.closed:
            return []
        self.closed = True
        return self.policy.finish(
            self._result.analysis.duration_s, strain=strain, wall_time_s=wall_time_s
        )
