"""FastAPI dependencies: the shared hub, storage, settings and the authenticated user.

Tokens come as ``Authorization: Bearer ...`` or, where a browser cannot set headers (WebSockets,
links), a ``token`` query parameter or ``calltone_token`` cookie. Role checks live here so routes
state who may call them in their signature.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketState

from calltone.service.live.hub import LiveHub
from calltone.service.live.protocols.calltone import CLOSE_POLICY, reject
from calltone.service.ratelimit import SigninLimiter, SigninLockedError
from calltone.service.settings import Settings
from calltone.service.storage import AlertRecord, Store, UserRecord
from calltone.service.storage.auth import hash_token

TOKEN_QUERY = "token"
TOKEN_COOKIE = "calltone_token"

_bearer = HTTPBearer(auto_error=False, description="a calltone token (`calltone users add`)")


def get_hub(conn: HTTPConnection) -> LiveHub:
    hub: LiveHub = conn.app.state.hub
    return hub


HubDep = Annotated[LiveHub, Depends(get_hub)]


def get_settings(hub: HubDep) -> Settings:
    return hub.settings


def get_store(hub: HubDep) -> Store:
    return hub.store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[Store, Depends(get_store)]


def token_of(conn: HTTPConnection) -> str | None:
    """The token a request or socket carries, from header, query or cookie."""
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return conn.query_params.get(TOKEN_QUERY) or conn.cookies.get(TOKEN_COOKIE)


def client_address(conn: HTTPConnection) -> str:
    """The peer address failed sign-ins are counted against."""
    return conn.client.host if conn.client else "unknown"


def signin_limiter(conn: HTTPConnection) -> SigninLimiter:
    limiter: SigninLimiter = conn.app.state.signin_limiter
    return limiter


def authenticate_client(conn: HTTPConnection, store: Store, token: str) -> UserRecord | None:
    """The user holding ``token``, or None; a failure counts against the client's address.

    A valid token is always accepted. Raises :class:`~service.ratelimit.SigninLockedError` for
    a failing token while the address is locked out (429 instead of 401). Blocking (a database
    read): call it from a thread.
    """
    user = store.authenticate(token, max_age_s=_token_max_age_s(conn))
    if user is not None:
        return user
    limiter = signin_limiter(conn)
    address = client_address(conn)
    limiter.check(address)  # locked already: 429 rather than 401
    limiter.failed(address, hash_token(token)[:32])
    return None


def _token_max_age_s(conn: HTTPConnection) -> float | None:
    hub = getattr(conn.app.state, "hub", None)
    days = float(getattr(getattr(hub, "settings", None), "token_ttl_days", 0.0) or 0.0)
    return days * 86_400.0 if days > 0 else None


_WATCHERS: set[asyncio.Task[None]] = set()


async def _watch_token(
    ws: WebSocket, hub: LiveHub, token: str, handler: asyncio.Task[Any] | None
) -> None:
    """Close ``ws`` (1008) once its token is revoked, expired or its user deleted.

    Revocation used to leave open sockets streaming: a supervisor feed kept receiving call
    events after its token was revoked and its user deleted. Every open socket re-reads its
    token every ``auth_recheck_s`` (any node's revocation is seen: it is in storage). The watch
    ends with the socket's handler task, so a closed socket leaves no task behind.
    """
    every_s = hub.settings.auth_recheck_s
    max_age_s = _token_max_age_s(ws)
    while True:
        if handler is not None:
            done, _ = await asyncio.wait({handler}, timeout=every_s)
            if done:
                return
        else:
            await asyncio.sleep(every_s)
        if ws.client_state == WebSocketState.DISCONNECTED or (
            ws.application_state == WebSocketState.DISCONNECTED
        ):
            return
        try:
            user = await hub.io(hub.store.authenticate, token, max_age_s=max_age_s)
        except Exception:  # storage briefly unavailable: keep the socket, try again
            continue
        if user is None:
            await reject(
                ws,
                "token_revoked",
                "this socket's token was revoked or expired, or its user deleted; sign in again",
                CLOSE_POLICY,
            )
            return


def locked_response_headers(exc: SigninLockedError) -> dict[str, str]:
    return {"Retry-After": str(exc.retry_after_whole_s)}


def current_user(
    conn: HTTPConnection,
    store: StoreDep,
    _creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> UserRecord:
    token = token_of(conn)
    if not token:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "missing token: send 'Authorization: Bearer <token>' (create one with "
            "`calltone users add NAME --role ROLE`)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        user = authenticate_client(conn, store, token)
    except SigninLockedError as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers=locked_response_headers(exc)
        ) from exc
    if user is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "unknown or revoked token; ask an admin for a new one",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user


CurrentUser = Annotated[UserRecord, Depends(current_user)]


def require_role(*roles: str) -> Callable[[UserRecord], UserRecord]:
    """A dependency that lets only ``roles`` through (403 otherwise)."""

    def check(user: CurrentUser) -> UserRecord:
        if user.role not in roles:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"this needs the role {' or '.join(roles)}; you are {user.role} {user.name!r}",
            )
        return user

    return check


AdminUser = Annotated[UserRecord, Depends(require_role("admin"))]
SupervisorUser = Annotated[UserRecord, Depends(require_role("supervisor", "admin"))]


def may_see_agent(user: UserRecord, agent_id: str) -> bool:
    """Agents see only their own calls and alerts; every other role sees everyone's."""
    return user.role != "agent" or user.agent_id == agent_id


AGENT_AUDIENCES = ("agent", "both")
"""The alert audiences an agent may read (supervisor-only flags stay with supervisors)."""


def may_see_alert(user: UserRecord, alert: AlertRecord) -> bool:
    """Agents see their own alerts meant for agents; every other role sees all of them."""
    if user.role != "agent":
        return True
    return alert.agent_id == user.agent_id and alert.audience in AGENT_AUDIENCES


def alert_for(user: UserRecord, alert: AlertRecord) -> dict[str, Any]:
    """An alert as ``user`` may read it: agents are not told which supervisor acknowledged it."""
    out = alert.to_dict()
    if user.role == "agent":
        out["acked_by"] = None
        out["acked_at"] = None
    return out


def hidden(not_found_message: str) -> HTTPException:
    """The 404 for a record the user may not see, worded exactly as storage words one that does
    not exist: a 403 naming the owner told an agent who owned any (sequential) call or alert id."""
    return HTTPException(status.HTTP_404_NOT_FOUND, not_found_message)


def check_agent_access(user: UserRecord, agent_id: str) -> None:
    if not may_see_agent(user, agent_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"agent {user.name!r} can see only their own calls and alerts, not {agent_id!r}",
        )


async def socket_user(ws: WebSocket, hub: LiveHub, *roles: str) -> UserRecord | None:
    """Authenticate an accepted socket; on failure send an ``error`` and close with 1008.

    A client address locked out for failed sign-ins gets ``rate_limited`` (with
    ``retry_after_s``) and a close reason saying when to retry.
    """
    token = token_of(ws)
    try:
        user = await hub.io(authenticate_client, ws, hub.store, token) if token else None
    except SigninLockedError as exc:
        with contextlib.suppress(Exception):
            await ws.send_text(
                json.dumps(
                    {
                        "type": "error",
                        "code": "rate_limited",
                        "message": str(exc),
                        "retry_after_s": exc.retry_after_whole_s,
                    }
                )
            )
            await ws.close(
                CLOSE_POLICY,
                f"too many failed sign-ins; retry in {exc.retry_after_whole_s} s",
            )
        return None
    if user is None:
        await reject(
            ws,
            "unauthorized",
            "missing, unknown or revoked token: pass ?token=... or 'Authorization: Bearer ...'",
            CLOSE_POLICY,
        )
        return None
    if roles and user.role not in roles:
        await reject(
            ws,
            "forbidden",
            f"this socket needs the role {' or '.join(roles)}; you are {user.role}",
            CLOSE_POLICY,
        )
        return None
    if token:
        watcher = asyncio.create_task(
            _watch_token(ws, hub, token, asyncio.current_task()), name="token-watch"
        )
        _WATCHERS.add(watcher)
        watcher.add_done_callback(_WATCHERS.discard)
    return user
