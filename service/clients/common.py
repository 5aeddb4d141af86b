"""What every live client shares: the server address, token, socket URLs and call ids."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any
from urllib.parse import urlencode

from calltone.audio.errors import CalltoneError

DEFAULT_SERVER = "ws://127.0.0.1:8765"
FRAME_MS = 20
SAMPLE_RATE_HZ = 16_000
TOKEN_ENV = "CALLTONE_TOKEN"


class ClientError(CalltoneError):
    """A client that cannot do what it was asked (no server, bad token, server error)."""


# -- socket helpers -----------------------------------------------------------------------------


def socket_url(server: str, path: str, *, token: str | None = None, **query: Any) -> str:
    """``ws://host:port`` + ``path`` + query (``http(s)://`` is turned into ``ws(s)://``)."""
    base = server.rstrip("/")
    if base.startswith("http://"):
        base = "ws://" + base[len("http://") :]
    elif base.startswith("https://"):
        base = "wss://" + base[len("https://") :]
    elif not base.startswith(("ws://", "wss://")):
        base = "ws://" + base
    params = {k: v for k, v in query.items() if v is not None}
    if token:
        params["token"] = token
    return base + path + ("?" + urlencode(params) if params else "")


def resolve_token(token: str | None) -> str:
    found = token or os.environ.get(TOKEN_ENV)
    if not found:
        raise ClientError(
            f"no token: pass --token or set {TOKEN_ENV} (an admin creates one with "
            "`calltone users add NAME --role agent`)"
        )
    return found


def new_call_id(agent_id: str) -> str:
    return f"{agent_id}-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
