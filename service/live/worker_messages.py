"""What the server and its analysis workers say to each other: typed requests and replies.

Each request names the call it is for and carries one of :data:`WorkerRequest`; the worker
answers with a :class:`Reply` (the request's result) or a :class:`Failure` (what went wrong,
reported to that call only). They travel pickled in frames of :mod:`.framing`, or are handed
over directly when the analysis runs in threads of the server process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from calltone.audio.channels import ChannelRoles
from calltone.audio.errors import CalltoneError
from calltone.audio.pcm import PcmFormat
from calltone.models.tone.alerts import AgentStrain, Alert, AlertConfig
from calltone.models.tone.baseline import BaselineSnapshot
from calltone.models.tone.config import AnalysisConfig
from calltone.models.tone.events import Event
from calltone.models.tone.session import SessionUpdate, UtteranceOptions

if TYPE_CHECKING:
    from calltone.models.separation_stream import StreamSeparationConfig


class AnalysisError(CalltoneError):
    """A call's analysis failed in its worker (or the worker died)."""


# -- requests -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenCall:
    """Create the call's session: everything the worker needs for it."""

    call_id: str
    agent_id: str
    roles: ChannelRoles
    fmt: PcmFormat
    config: AnalysisConfig
    alert_config: AlertConfig
    utterances: UtteranceOptions | None
    profiles: dict[str, BaselineSnapshot] | None = None
    """Saved voice profiles by role (``{"agent": ...}``) the call's baselines start from."""
    separation: StreamSeparationConfig | None = None
    """A mono mix to separate into agent and customer before the analysis (``separate``)."""


@dataclass(frozen=True)
class Step:
    """Analyse the call's next audio and the phrase cues its transcripts raised.

    After :class:`Finish` only cue events come (the analyzer takes no more audio).
    """

    pcm: bytes
    cue_events: list[Event]


@dataclass(frozen=True)
class Finish:
    """End the call's audio; the session stays for late cues until :class:`CloseCall`."""


@dataclass(frozen=True)
class EndOfCall:
    """Decide the end-of-call alerts (take-a-break) once the late cues are in."""

    strain: AgentStrain
    """This node's record of the agent's recent hard calls (a copy for this agent)."""
    wall_time_s: float
    """When the call ended (epoch seconds), for the hard-call window."""


@dataclass(frozen=True)
class CloseCall:
    """Forget the call's session."""


WorkerRequest = OpenCall | Step | Finish | EndOfCall | CloseCall


@dataclass(frozen=True)
class Request:
    """One request on the pipe: its id (replies come in order, matched by id) and call."""

    request_id: int
    call_id: str
    body: WorkerRequest


# -- replies --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finished:
    """The result of :class:`Finish`: the end of a call, as the service needs it."""

    final: SessionUpdate
    duration_s: float
    events: list[dict[str, Any]]
    metrics: dict[str, Any]
    notes: list[str]
    agent_baseline: BaselineSnapshot | None = None
    """The agent's final baseline (None: no agent channel), for their voice profile."""


@dataclass(frozen=True)
class Closed:
    """The result of :class:`EndOfCall`: the end-of-call alerts, and the agent's recent hard
    calls as the worker's copy of the strain record now holds them."""

    alerts: list[Alert]
    hard_calls: tuple[float, ...] = ()


WorkerResult = None | list[SessionUpdate] | Finished | Closed


@dataclass(frozen=True)
class Reply:
    """A request's result."""

    request_id: int
    result: WorkerResult


@dataclass(frozen=True)
class Failure:
    """A request that failed: ``problem`` says why (``TypeName: message``)."""

    request_id: int
    problem: str


WorkerReply = Reply | Failure
