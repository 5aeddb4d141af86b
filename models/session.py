"""A call session: the streaming core plus the alert policy, fed by a file or a live socket.

``CallSession`` is what both ``calltone analyze`` and the live WebSocket drive: push float audio
(or live PCM bytes) in, get :class:`SessionUpdate` out (events that opened or closed and the
alerts they raised), then ``finish``. Acoustic alerts never wait for transcription.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from audio.channels import ChannelRoles
from audio.pcm import PcmFormat, PcmStream
from models.alerts import AgentStrain, Alert, AlertConfig, AlertPolicy
from models.config import AnalysisConfig
from models.events import Event
from models.stream import AnalysisResult, CallAnalyzer


@dataclass
class SessionUpdate:
    """What one push produced."""

    events: list[Event] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events or self.alerts)


@dataclass
class SessionResult:
    """The end of a call."""

    analysis: AnalysisResult
    alerts: list[Alert]
    final: SessionUpdate


class CallSession:
    """Streaming analysis and alerting of one call.

    Parameters
    ----------
    roles, n_channels, config
        As for :class:`~models.stream.CallAnalyzer`.
    alert_config : AlertConfig, optional
        Cooldowns and escalation rules.
    call_id, agent_id : str
        Stamped on every alert.
    pcm : PcmFormat, optional
        For live use: the format of the bytes given to :meth:`push_pcm`.
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
    ) -> None:
        self.analyzer = CallAnalyzer(roles=roles, n_channels=n_channels, config=config)
        self.policy = AlertPolicy(alert_config, call_id=call_id, agent_id=agent_id)
        self.pcm = PcmStream(pcm) if pcm is not None else None
        self.call_id = call_id
        self.agent_id = agent_id

    @property
    def time_s(self) -> float:
        return self.analyzer.time_s

    def push(self, samples: np.ndarray) -> SessionUpdate:
        """Feed ``(n_channels, n)`` float32 samples at 16 kHz."""
        events = self.analyzer.push(samples)
        return SessionUpdate(events, self.policy.on_events(events) if events else [])

    def push_pcm(self, data: bytes) -> SessionUpdate:
        """Feed one live binary frame (interleaved 16-bit PCM in the session's format)."""
        if self.pcm is None:
            raise ValueError("this session was not opened for PCM input; pass pcm=PcmFormat(...)")
        return self.push(self.pcm.decode(data))

    def add_events(self, events: list[Event]) -> SessionUpdate:
        """Events from beside the acoustic path (phrase cues from the transcript)."""
        return SessionUpdate(events, self.policy.on_events(events))

    def finish(
        self, *, strain: AgentStrain | None = None, wall_time_s: float | None = None
    ) -> SessionResult:
        tail = SessionUpdate()
        if self.pcm is not None:
            rest = self.pcm.flush()
            if rest.shape[1]:
                tail = self.push(rest)
        before = {id(e) for e in self.analyzer.events if not e.is_open}
        analysis = self.analyzer.finish()
        closed = [e for e in analysis.events if id(e) not in before]
        alerts = tail.alerts + self.policy.on_events(closed)
        alerts += self.policy.finish(analysis.duration_s, strain=strain, wall_time_s=wall_time_s)
        final = SessionUpdate(tail.events + closed, alerts)
        return SessionResult(analysis=analysis, alerts=list(self.policy.alerts), final=final)
