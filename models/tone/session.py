"""A call session: the streaming core plus the alert policy, fed by a file or a live socket.

``CallSession`` is what both ``calltone analyze`` and the live WebSocket drive: push float audio
(or live PCM bytes) in, get :class:`SessionUpdate` out (events that opened or closed and the
alerts they raised), then ``finish``. Acoustic alerts never wait for transcription.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from calltone.audio.channels import ChannelRoles
from calltone.audio.pcm import PcmFormat, PcmStream
from calltone.models.tone.alerts import AgentStrain, Alert, AlertConfig, AlertPolicy
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.events import Event
from calltone.models.tone.stream import AnalysisResult, CallAnalyzer


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


@dataclass
class SessionResult:
    """The end of a call."""

    analysis: AnalysisResult
    alerts: list[Alert]
    final: SessionUpdate
    policy: AlertPolicy
    # Whether the end-of-call decision (take a break) is in ``alerts``; when it is not, late
    # events (transcript cues) go to ``policy`` first and then :meth:`conclude`.
    concluded: bool = True

    def conclude(
        self, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> list[Alert]:
        """Decide the end-of-call alerts now that every event is in; once per call."""
        if self.concluded:
            return []
        self.concluded = True
        alerts = self.policy.finish(
            self.analysis.duration_s, strain=strain, wall_time_s=wall_time_s
        )
        self.alerts.extend(alerts)
        return alerts


class CallSession:
    """Streaming analysis and alerting of one call.

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
    ) -> None:
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
        self.pcm = PcmStream(pcm) if pcm is not None else None
        self.call_id = call_id
        self.agent_id = agent_id

    @property
    def time_s(self) -> float:
        return self.analyzer.time_s

    def push(self, samples: np.ndarray) -> SessionUpdate:
        """Feed ``(n_channels, n)`` float32 samples at 16 kHz."""
        events = self.analyzer.push(samples)
        update = SessionUpdate(events, self.policy.on_events(events) if events else [])
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
        """Events from beside the acoustic path (phrase cues from the transcript)."""
        return SessionUpdate(events, self.policy.on_events(events))

    def finish(
        self,
        *,
        strain: AgentStrain | None = None,
        wall_time_s: float | None = None,
        conclude: bool = True,
    ) -> SessionResult:
        """End the audio. ``conclude=False`` leaves the end-of-call decision (take a break) to
        :meth:`SessionResult.conclude`, for callers with events still to come (transcript cues
        arrive after the audio: a manager request in the last seconds makes the call hard)."""
        tail = SessionUpdate()
        if self.pcm is not None:
            rest = self.pcm.flush()
            if rest.shape[1]:
                tail = self.push(rest)
        before = {id(e) for e in self.analyzer.events if not e.is_open}
        analysis = self.analyzer.finish()
        closed = [e for e in analysis.events if id(e) not in before]
        alerts = tail.alerts + self.policy.on_events(closed)
        result = SessionResult(
            analysis=analysis,
            alerts=list(self.policy.alerts),
            final=SessionUpdate(),
            policy=self.policy,
            concluded=False,
        )
        if conclude:
            alerts += result.conclude(strain=strain, wall_time_s=wall_time_s)
        result.final = SessionUpdate(
            tail.events + closed, alerts, tail.utterances + self._utterances(final=True)
        )
        self._result = result
        return result

    def conclude(
        self, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> list[Alert]:
        """The end-of-call alerts of a session finished with ``conclude=False`` (see
        :meth:`SessionResult.conclude`)."""
        if self._result is None:
            raise ValueError("conclude() ends a finished call; call finish(conclude=False) first")
        return self._result.conclude(strain=strain, wall_time_s=wall_time_s)
