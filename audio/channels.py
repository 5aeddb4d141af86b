"""Which channel is the agent and which the customer.

Contact-centre recorders put one party on each channel; calltone's default is channel 0 = agent,
channel 1 = customer. A mono file is one speaker whose role the caller names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from calltone.audio.errors import ChannelLayoutError

Role = Literal["agent", "customer"]
ROLES: tuple[Role, Role] = ("agent", "customer")


@dataclass(frozen=True)
class ChannelRoles:
    """Map from role to source channel index; ``None`` when that party is absent (mono)."""

    agent: int | None = 0
    customer: int | None = 1

    def as_dict(self) -> dict[str, int | None]:
        return {"agent": self.agent, "customer": self.customer}

    @property
    def present(self) -> list[Role]:
        return [r for r in ROLES if getattr(self, r) is not None]

    @property
    def two_party(self) -> bool:
        return self.agent is not None and self.customer is not None


def resolve_roles(
    n_channels: int,
    *,
    agent_channel: int | None = None,
    customer_channel: int | None = None,
    mono_role: Role = "agent",
) -> ChannelRoles:
    """Decide the channel roles for a recording with ``n_channels`` channels.

    Parameters
    ----------
    n_channels : int
        Channels in the recording (1 for mono).
    agent_channel, customer_channel : int, optional
        Explicit indices; with two channels the one not named takes the other role.
    mono_role : {"agent", "customer"}
        Who the single speaker of a mono recording is.
    """
    if n_channels < 1:
        raise ChannelLayoutError("the audio has no channels; pass a recording with 1 or 2 channels")
    for name, idx in (("agent", agent_channel), ("customer", customer_channel)):
        if idx is not None and not 0 <= idx < n_channels:
            raise ChannelLayoutError(
                f"--{name}-channel {idx} does not exist: the audio has {n_channels} channel(s), "
                f"numbered 0-{n_channels - 1}"
            )
    if n_channels == 1:
        if mono_role not in ROLES:
            raise ChannelLayoutError(
                f"--mono-role must be 'agent' or 'customer', not {mono_role!r}"
            )
        return (
            ChannelRoles(agent=0, customer=None)
            if mono_role == "agent"
            else ChannelRoles(agent=None, customer=0)
        )
    if n_channels == 2:
        if agent_channel is None and customer_channel is None:
            agent_channel = 0
        if agent_channel is None:
            agent_channel = 1 - int(customer_channel or 0)
        if customer_channel is None:
            customer_channel = 1 - agent_channel
    elif agent_channel is None or customer_channel is None:
        raise ChannelLayoutError(
            f"the audio has {n_channels} channels; name both parties with "
            "--agent-channel N --customer-channel M"
        )
    if agent_channel == customer_channel:
        raise ChannelLayoutError(
            f"agent and customer are both on channel {agent_channel}; give them different channels"
        )
    return ChannelRoles(agent=agent_channel, customer=customer_channel)


def select_role_channels(samples: np.ndarray, roles: ChannelRoles) -> dict[Role, np.ndarray]:
    """Return each present party's mono signal from ``(channels, n)`` samples."""
    out: dict[Role, np.ndarray] = {}
    for role in roles.present:
        idx = getattr(roles, role)
        out[role] = samples[idx]
    return out
