"""FastAPI dependencies: the shared hub, storage, settings and the authenticated user.

Tokens come as ``Authorization: Bearer ...`` or, where a browser cannot set headers (WebSockets,
links), a ``token`` query parameter or ``calltone_token`` cookie. Role checks live here so routes
state who may call them in their signature.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from service.live import CLOSE_POLICY, LiveHub, reject
from service.settings import Settings
from service.storage import Store, UserRecord

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
    user = store.authenticate(token)
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


def check_agent_access(user: UserRecord, agent_id: str) -> None:
    if not may_see_agent(user, agent_id):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"agent {user.name!r} can see only their own calls and alerts, not {agent_id!r}",
        )


async def socket_user(ws: WebSocket, hub: LiveHub, *roles: str) -> UserRecord | None:
    """Authenticate an accepted socket; on failure send an ``error`` and close with 1008."""
    token = token_of(ws)
    user = await hub.io(hub.store.authenticate, token) if token else None
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
    return user
