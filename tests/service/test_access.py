"""Access (issue 7, item 4), against a real server on loopback with a temporary SQLite file.

- Every route and socket of the app checks the token and the role: the table below names the
  roles allowed on each, and a test fails when the app has a route the table does not cover
  (or the table names one the app no longer has). Only the documented public routes are left
  out (health, API docs, static files, sign-in and sign-out, favicon).
- Agents cannot reach another agent's calls, alerts, feedback or scorecards (extends the
  scoping checks in test_service_live.py and test_service_recordings.py).
- Failed sign-ins are rate limited per client address (API, sockets, pages, sign-in form).
- Tokens are stored only as hashes; CORS is closed unless configured; no call audio,
  transcript text or token reaches the logs, even at debug level.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute
from starlette.routing import Mount, WebSocketRoute

from calltone.service.clients.replay import replay_samples
from calltone.service.deps import TOKEN_COOKIE
from calltone.service.ratelimit import SigninLimiter, SigninLockedError
from calltone.service.storage import NewAlert
from tests.support.service import LiveServer, read_feed, running_server, sample, socket_exchange

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

# --------------------------------------------------------------------------------------------
# Who may do what

ROLES = ("agent", "supervisor", "trainer", "admin")
ALL = frozenset(ROLES)
SUPERVISORS = frozenset({"supervisor", "admin"})
TRAINERS = frozenset({"trainer", "admin"})
AGENTS = frozenset({"agent", "admin"})
ADMIN = frozenset({"admin"})
FEED_READERS = frozenset({"agent", "supervisor", "admin"})

ROLE_USER = {"agent": "a1", "supervisor": "boss", "trainer": "tess", "admin": "root"}
"""The user each role is tested as (a1 is also the agent who owns the test call)."""

PUBLIC: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/health"),  # liveness for load balancers: counts only, no call data
        ("GET", "/openapi.json"),
        ("GET", "/docs"),
        ("GET", "/redoc"),
        ("MOUNT", "/docs/assets"),  # Swagger UI and ReDoc bundles (service/apidocs.py)
        ("MOUNT", "/static"),  # the pages' CSS and JavaScript
        ("GET", "/signin"),
        ("POST", "/signin"),  # checks a token itself (and is rate limited, see below)
        ("POST", "/signout"),  # only deletes the cookie
        ("GET", "/favicon.ico"),
    }
)
"""Routes that need no token, on purpose."""

API: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/v1/me"): ALL,
    ("GET", "/v1/calls"): ALL,  # agents: their own calls only
    ("GET", "/v1/calls/{call_id}"): ALL,
    ("GET", "/v1/alerts"): ALL,
    ("GET", "/v1/alerts/{alert_id}"): ALL,
    ("POST", "/v1/alerts/{alert_id}/ack"): SUPERVISORS,
    ("POST", "/v1/alerts/{alert_id}/feedback"): ALL,
    ("GET", "/v1/alerts/{alert_id}/feedback"): ALL,
    ("GET", "/v1/supervisor/feed"): SUPERVISORS,
    ("GET", "/v1/board"): SUPERVISORS,
    ("GET", "/v1/board/live"): SUPERVISORS,
    ("POST", "/v1/board/flags/resolve"): SUPERVISORS,
    ("GET", "/v1/agents/{agent_id}/profile"): FEED_READERS,  # agents: their own profile only
    ("DELETE", "/v1/agents/{agent_id}/profile"): SUPERVISORS,  # a reset: not the agent
    ("POST", "/v1/recordings"): TRAINERS,
    ("GET", "/v1/recordings/{job_id}"): ALL,  # agents: their own scorecards only
    ("GET", "/v1/scorecards"): ALL,
    ("GET", "/v1/scorecards/{job_id}"): ALL,
    ("GET", "/v1/scorecards/{job_id}/html"): ALL,
    ("GET", "/v1/users"): ADMIN,
    ("POST", "/v1/users"): ADMIN,
    ("DELETE", "/v1/users/{name}"): ADMIN,
    ("POST", "/v1/users/{name}/tokens"): ADMIN,
    ("POST", "/v1/tokens/revoke"): ADMIN,
}
"""JSON API: no or a bad token is 401, a role not listed is 403."""

PAGES: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/"): ALL,  # sends each role to its own page
    ("GET", "/board"): SUPERVISORS,
    ("GET", "/agent"): AGENTS,
    ("GET", "/trainer"): TRAINERS,
    ("GET", "/trainer/scorecards/{job_id}"): TRAINERS,
}
"""HTML pages: anyone else is sent to the sign-in page (303), which says why."""

SOCKETS: dict[tuple[str, str], frozenset[str]] = {
    ("WS", "/v1/calls/{call_id}/audio"): AGENTS,  # agents: their own agent_id only
    ("WS", "/v1/calls/{call_id}/listen"): SUPERVISORS,
    ("WS", "/v1/agents/{agent_id}/alerts"): FEED_READERS,  # agents: their own feed only
    ("WS", "/v1/supervisor/feed"): SUPERVISORS,
}
"""WebSockets: refused with an ``error`` message (unauthorized / forbidden) and close 1008."""

PLATFORM_SOCKETS: frozenset[tuple[str, str]] = frozenset(
    {
        ("WS", "/v1/audiohook"),  # Genesys: HTTP message signature with a per-key client secret
        ("WS", "/v1/twilio"),  # X-Twilio-Signature (account auth token) + a calltone_key
        ("WS", "/v1/fork"),  # FreeSWITCH: a per-source fork key (?token= or HTTP Basic)
    }
)
"""The contact-centre platforms' sockets (service/live/protocols/): no calltone token or role, each is
authenticated by its platform's own per-source key or signature (CALLTONE_AUDIOHOOK_KEYS,
CALLTONE_TWILIO_AUTH_TOKEN, CALLTONE_FORK_KEYS), tested in tests/test_protocols.py. Here: with no
source configured, none of them takes a calltone token, not even an admin's."""

CLOSE_POLICY = 1008
AUTH_CODES = {"unauthorized", "forbidden", "rate_limited"}
BAD_TOKEN = "ct_this-token-was-never-issued-0000000000000"


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route of ``app``: ``WS`` for sockets, ``MOUNT`` for mounts."""
    try:  # FastAPI >= 0.165 keeps included routers as lazy entries of app.routes
        from fastapi.routing import iter_route_contexts

        routes: list[Any] = list(iter_route_contexts(app.routes))
    except ImportError:  # older FastAPI: app.routes is already flat
        routes = list(app.routes)
    found: set[tuple[str, str]] = set()
    for route in routes:
        original = getattr(route, "original_route", route)
        if isinstance(original, Mount):
            found.add(("MOUNT", route.path))
        elif isinstance(original, APIWebSocketRoute | WebSocketRoute):
            found.add(("WS", route.path))
        else:
            found |= {(m, route.path) for m in route.methods or () if m != "HEAD"}
    return found


# --------------------------------------------------------------------------------------------
# A server with real data to point the routes at (so the answers are about access, not 404s)


@dataclass
class World:
    srv: LiveServer
    call_a1: str
    call_a2: str
    alert_a1: int
    flag_a1: int
    job_a1: str
    job_a2: str
    spare: list[str] = field(default_factory=list)

    def token(self, role: str) -> str:
        return self.srv.tokens[ROLE_USER[role]]

    def throwaway_user(self) -> str:
        name = f"tmp-{uuid.uuid4().hex[:10]}"
        self.srv.store.create_user(name, "agent")
        return name

    def fill(self, method: str, template: str) -> tuple[str, Any]:
        """A concrete path and JSON body for a route template."""
        alert = self.flag_a1 if template.endswith("/ack") else self.alert_a1
        name = ""
        if "{name}" in template:
            name = "a2" if template.endswith("/tokens") else self.throwaway_user()
        path = template.format(
            call_id=self.call_a1, alert_id=alert, job_id=self.job_a1, agent_id="a1", name=name
        )
        body: Any = None
        if template == "/v1/agents/{agent_id}/profile":  # a profile to read or reset each time
            self.srv.store.save_agent_profile("a1", VOICE_PROFILE)
        if (method, template) == ("POST", "/v1/users"):
            body = {"name": f"new-{uuid.uuid4().hex[:10]}", "role": "agent"}
        elif (method, template) == ("POST", "/v1/tokens/revoke"):
            body = {"token": self.srv.store.create_user(self.throwaway_user() + "x", "agent").token}
        elif template.endswith("/feedback") and method == "POST":
            body = {"helpful": True}
        elif (method, template) == ("POST", "/v1/board/flags/resolve"):
            body = {"alert_ids": [MISSING_ALERT_ID]}  # skipped: the flag stays for /ack
        return path, body


VOICE_PROFILE = {
    "schema": "calltone.voice_profile/1",
    "agent_id": "a1",
    "calls": 2,
    "voiced_s": 64.5,
    "updated_at": "2025-03-01T09:00:00Z",
    "baseline": {"loudness_dbfs": -24.0, "pitch_st": 5.0, "loudness_leq_dbfs": None},
}
MISSING_ALERT_ID = 999_999


def _short_call(srv: LiveServer, agent: str) -> str:
    """A real call: three seconds of a sample streamed over the audio socket."""
    call_id = f"{agent}-{uuid.uuid4().hex[:8]}"
    result = asyncio.run(
        replay_samples(
            sample("calm_call")[:, : 3 * 16000],
            server=srv.ws,
            agent_id=agent,
            token=srv.tokens[agent],
            call_id=call_id,
            speed=0,
        )
    )
    assert result.error is None and result.summary is not None, result.error
    return call_id


def _scorecard(srv: LiveServer, agent: str, call_id: str) -> str:
    job = f"sc-access-{agent}"
    srv.store.save_scorecard(
        job,
        call_id=call_id,
        agent_id=agent,
        status="done",
        scorecard_json={"schema": "calltone.scorecard/1", "call_id": call_id},
        html="<!doctype html><title>scorecard</title><p>scorecard</p>",
    )
    return job


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    db = tmp_path_factory.mktemp("access") / "calltone.db"
    # the limiter runs (the production path) but far above the bad tokens this module sends
    with running_server(f"sqlite:///{db}", signin_max_failures=100_000) as srv:
        for role, name in ROLE_USER.items():
            srv.user(name, role)
        srv.user("a2", "agent")
        call_a1, call_a2 = _short_call(srv, "a1"), _short_call(srv, "a2")
        alert = srv.store.add_alert(
            NewAlert.from_dict(
                {
                    "call_id": call_a1,
                    "kind": "de_escalate",
                    "audience": "agent",
                    "at_s": 1.0,
                    "message": "the customer is raising their voice",
                }
            )
        )
        flag = srv.store.add_alert(
            NewAlert.from_dict(
                {
                    "call_id": call_a1,
                    "kind": "escalation_flag",
                    "audience": "supervisor",
                    "at_s": 2.0,
                    "message": "the customer asked for a manager",
                }
            )
        )
        srv.store.add_alert(
            NewAlert.from_dict(
                {
                    "call_id": call_a2,
                    "kind": "de_escalate",
                    "audience": "agent",
                    "at_s": 1.0,
                    "message": "the customer is raising their voice",
                }
            )
        )
        yield World(
            srv,
            call_a1,
            call_a2,
            alert.id,
            flag.id,
            _scorecard(srv, "a1", call_a1),
            _scorecard(srv, "a2", call_a2),
        )


def _request(
    srv: LiveServer,
    method: str,
    path: str,
    token: str | None,
    body: Any = None,
    *,
    cookie: bool = False,
) -> httpx.Response:
    headers = {}
    if token is not None and not cookie:
        headers["Authorization"] = f"Bearer {token}"
    if token is not None and cookie:
        headers["Cookie"] = f"{TOKEN_COOKIE}={token}"
    return httpx.request(
        method, srv.http + path, headers=headers, json=body, timeout=30, follow_redirects=False
    )


# --------------------------------------------------------------------------------------------
# The table covers the app


def test_every_route_and_socket_is_in_the_access_table(world: World) -> None:
    app = world.srv.server.config.app  # the very app the server runs
    assert isinstance(app, FastAPI)
    found = app_routes(app)
    table = set(API) | set(PAGES) | set(SOCKETS) | PLATFORM_SOCKETS | PUBLIC
    assert len(found) >= 35, f"the route walk found too little: {sorted(found)}"
    untested = sorted(found - table)
    assert not untested, (
        f"routes with no access test: {untested}; add each to API, PAGES or SOCKETS in "
        "tests/test_access.py with the roles allowed (or to PLATFORM_SOCKETS or PUBLIC, with a "
        "reason)"
    )
    stale = sorted(table - found)
    assert not stale, f"the access table names routes the app no longer has: {stale}"


def test_public_routes_need_no_token(world: World) -> None:
    for path in ("/health", "/openapi.json", "/docs", "/signin", "/static/style.css"):
        r = _request(world.srv, "GET", path, None)
        assert r.status_code == 200, (path, r.status_code)
    assert _request(world.srv, "GET", "/favicon.ico", None).status_code == 301
    # /health carries counts, never call data
    assert "a1" not in _request(world.srv, "GET", "/health", None).text


# --------------------------------------------------------------------------------------------
# Each protected route


@pytest.mark.parametrize(("method", "template"), sorted(API), ids=lambda v: str(v))
def test_api_route_checks_token_and_role(world: World, method: str, template: str) -> None:
    allowed = API[(method, template)]
    srv = world.srv
    path, body = world.fill(method, template)
    none = _request(srv, method, path, None, body)
    assert none.status_code == 401, (method, path, none.status_code, none.text)
    assert none.headers.get("www-authenticate") == "Bearer"
    assert "missing token" in none.json()["detail"]
    bad = _request(srv, method, path, BAD_TOKEN, body)
    assert bad.status_code == 401, (method, path, bad.status_code, bad.text)
    assert "unknown or revoked" in bad.json()["detail"]
    for role in ROLES:
        path, body = world.fill(method, template)  # fresh throwaway ids for each attempt
        r = _request(srv, method, path, world.token(role), body)
        if role in allowed:
            assert r.status_code not in (401, 403, 429), (role, method, path, r.status_code, r.text)
            assert r.status_code < 500, (role, method, path, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, method, path, r.status_code, r.text)
            assert "this needs the role" in r.json()["detail"]
            assert role in r.json()["detail"], "the refusal says who you are"
            if template == "/v1/users/{name}":
                srv.store.get_user(path.rsplit("/", 1)[-1])  # still there: nothing happened


@pytest.mark.parametrize(("method", "template"), sorted(PAGES), ids=lambda v: str(v))
def test_page_checks_token_and_role(world: World, method: str, template: str) -> None:
    allowed = PAGES[(method, template)]
    srv = world.srv
    path, _ = world.fill(method, template)
    for token in (None, BAD_TOKEN):
        r = _request(srv, method, path, token, cookie=True)
        assert r.status_code == 303, (path, token, r.status_code)
        assert r.headers["location"].startswith("/signin"), r.headers["location"]
        assert "why=role" not in r.headers["location"]
    for role in ROLES:
        r = _request(srv, method, path, world.token(role), cookie=True)
        if role not in allowed:
            assert r.status_code == 303, (role, path, r.status_code)
            assert r.headers["location"].startswith("/signin?"), r.headers["location"]
            assert "why=role" in r.headers["location"]
        elif template == "/":
            assert r.status_code == 303 and not r.headers["location"].startswith("/signin")
        else:
            assert r.status_code == 200, (role, path, r.status_code)
            assert r.headers["content-type"].startswith("text/html")


def _start(agent_id: str = "a1") -> str:
    return json.dumps(
        {
            "type": "start",
            "agent_id": agent_id,
            "sample_rate": 16000,
            "channels": 2,
            "encoding": "pcm_s16le",
            "agent_channel": 0,
        }
    )


def _socket_allowed(world: World, template: str, role: str) -> list[dict[str, Any]]:
    """What an allowed role gets from a socket (it is never an auth error)."""
    srv = world.srv
    token = world.token(role)
    if template == "/v1/calls/{call_id}/audio":
        call_id = f"acc-{role}-{uuid.uuid4().hex[:8]}"
        replies, _ = asyncio.run(
            socket_exchange(
                srv.url(f"/v1/calls/{call_id}/audio", token),
                [_start(), json.dumps({"type": "stop"})],
            )
        )
        assert any(m["type"] == "summary" for m in replies), replies
        return replies
    if template == "/v1/calls/{call_id}/listen":
        replies, _ = asyncio.run(
            socket_exchange(srv.url(f"/v1/calls/{world.call_a1}/listen", token), [])
        )
        assert replies and replies[0].get("code") == "call_finished", replies  # past the check
        return replies
    path, _ = world.fill("WS", template)
    msgs = asyncio.run(
        read_feed(srv.url(path, token, after=0), until=lambda m: m["type"] == "ready", timeout_s=15)
    )
    assert any(m["type"] == "ready" for m in msgs), msgs
    return msgs


@pytest.mark.parametrize(("kind", "template"), sorted(SOCKETS), ids=lambda v: str(v))
def test_socket_checks_token_and_role(world: World, kind: str, template: str) -> None:
    allowed = SOCKETS[(kind, template)]
    srv = world.srv
    path, _ = world.fill(kind, template)
    if template.endswith("/audio"):
        path = f"/v1/calls/acc-refused-{uuid.uuid4().hex[:8]}/audio"
    first: list[str | bytes] = [_start()] if template.endswith("/audio") else []
    cases: list[tuple[str, str | None, str]] = [
        ("no token", None, "unauthorized"),
        ("bad token", BAD_TOKEN, "unauthorized"),
    ]
    cases += [(role, world.token(role), "forbidden") for role in ROLES if role not in allowed]
    for who, token, code in cases:
        replies, close = asyncio.run(socket_exchange(srv.url(path, token), first, timeout_s=5))
        assert replies and replies[0]["type"] == "error", (who, template, replies)
        assert replies[0]["code"] == code, (who, template, replies)
        assert close == CLOSE_POLICY, (who, template, close)
    for role in sorted(allowed):
        replies = _socket_allowed(world, template, role)
        codes = {m.get("code") for m in replies if m["type"] == "error"}
        assert not codes & AUTH_CODES, (role, template, replies)


async def _platform_answer(url: str, headers: dict[str, str]) -> tuple[int | None, Any]:
    """(HTTP status of a refused upgrade, None) or (None, the first message after accepting)."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus

    try:
        async with connect(url, additional_headers=headers, open_timeout=10) as ws:
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                return None, json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
            return None, None
    except InvalidStatus as exc:
        return exc.response.status_code, None


@pytest.mark.parametrize("template", sorted(t for _, t in PLATFORM_SOCKETS))
def test_platform_socket_does_not_take_a_calltone_token(world: World, template: str) -> None:
    admin = world.token("admin")
    headers = {"Authorization": f"Bearer {admin}"}
    if template == "/v1/audiohook":  # everything AudioHook needs but its signature
        headers |= {
            "Audiohook-Session-Id": str(uuid.uuid4()),
            "Audiohook-Organization-Id": str(uuid.uuid4()),
            "Audiohook-Correlation-Id": str(uuid.uuid4()),
            "X-API-KEY": "ah-not-configured",
        }
    calls_before = len(world.srv.store.list_calls(limit=1000))
    status, first = asyncio.run(_platform_answer(world.srv.url(template, admin), headers))
    if template == "/v1/audiohook":  # AudioHook refuses inside its own protocol
        assert status is None and first is not None, (status, first)
        assert first["type"] == "disconnect", first
        assert first["parameters"]["reason"] == "unauthorized", first
    else:  # Twilio and the fork are refused at the upgrade
        assert status == 403, (template, status, first)
    assert len(world.srv.store.list_calls(limit=1000)) == calls_before, "a call was started"


# --------------------------------------------------------------------------------------------
# Agents see only their own (what test_service_live / test_service_recordings do not cover)


def test_agent_cannot_read_another_agents_feedback_scorecards_or_call_alerts(
    world: World,
) -> None:
    srv = world.srv
    a1, a2, root = srv.tokens["a1"], srv.tokens["a2"], srv.tokens["root"]
    # feedback on a1's alert: a2 can neither read nor write it; a1 sees only their own answers
    fb = f"/v1/alerts/{world.alert_a1}/feedback"
    assert srv.post(fb, root, {"helpful": False, "comment": "admin note"}).status_code == 200
    assert srv.post(fb, a1, {"helpful": True}).status_code == 200
    # (404, worded as for a missing id: a refusal must not tell who owns an id; issue 15)
    assert srv.get(fb, a2).status_code == 404
    assert srv.post(fb, a2, {"helpful": True}).status_code == 404
    assert {f["by_user"] for f in srv.get(fb, a1).json()} == {"a1"}
    assert {"a1", "root"} <= {f["by_user"] for f in srv.get(fb, root).json()}
    # a2 asking for the alerts of a1's call by call id gets none of them
    listed = srv.get("/v1/alerts", a2, call_id=world.call_a1)
    assert listed.status_code == 200 and listed.json() == []
    assert srv.get("/v1/alerts", a1, call_id=world.call_a1).json(), "a1 does see them"
    assert {c["agent_id"] for c in srv.get("/v1/calls", a2, state="ended").json()} == {"a2"}
    # a1's scorecard: status, JSON and HTML are all refused to a2, listing shows only a2's
    for path in (
        f"/v1/recordings/{world.job_a1}",
        f"/v1/scorecards/{world.job_a1}",
        f"/v1/scorecards/{world.job_a1}/html",
    ):
        assert srv.get(path, a2).status_code == 404, path
        assert srv.get(path, a1).status_code == 200, path
    assert {j["job_id"] for j in srv.get("/v1/scorecards", a2).json()} == {world.job_a2}
    # the HTML link form (?token=) is checked the same way
    r = httpx.get(f"{srv.http}/v1/scorecards/{world.job_a1}/html", params={"token": a2})
    assert r.status_code == 404
    # an agent cannot stream a call as another agent, or listen in at all
    replies, close = asyncio.run(
        socket_exchange(srv.url(f"/v1/calls/x-{uuid.uuid4().hex[:6]}/audio", a2), [_start("a1")])
    )
    assert replies[0]["code"] == "forbidden" and close == CLOSE_POLICY


# --------------------------------------------------------------------------------------------
# Tokens at rest, CORS


def test_tokens_are_stored_only_as_sha256_hashes(world: World) -> None:
    srv = world.srv
    db = Path(srv.settings.db_url.removeprefix("sqlite:///"))
    tokens = [srv.tokens[name] for name in ("a1", "a2", "boss", "tess", "root")]
    raw = b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())
    assert len(raw) > 10_000
    for token in tokens:
        assert token.encode() not in raw, "a plaintext token is in the database file"
        assert token[3:].encode() not in raw, "the token's secret part is in the database file"
    with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        hashes = {row[0] for row in conn.execute("SELECT token_hash FROM tokens")}
    for token in tokens:
        assert hashlib.sha256(token.encode()).hexdigest() in hashes
    # a token one character off is refused (looked up by hash, compared in constant time)
    near = tokens[0][:-1] + ("A" if tokens[0][-1] != "A" else "B")
    assert srv.get("/v1/me", near).status_code == 401


def _preflight(srv: LiveServer, origin: str) -> httpx.Response:
    return httpx.options(
        srv.http + "/v1/calls",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        },
        timeout=30,
    )


def test_cors_is_closed_by_default(world: World) -> None:
    assert world.srv.settings.cors_origins == []
    pre = _preflight(world.srv, "https://evil.example")
    assert "access-control-allow-origin" not in pre.headers, pre.headers
    assert "access-control-allow-credentials" not in pre.headers
    simple = httpx.get(
        world.srv.http + "/v1/me",
        headers={
            "Origin": "https://evil.example",
            "Authorization": f"Bearer {world.token('admin')}",
        },
    )
    assert simple.status_code == 200 and "access-control-allow-origin" not in simple.headers


# --------------------------------------------------------------------------------------------
# Failed sign-ins are rate limited

MAX_FAILURES = 3
WINDOW_S = 5.0
CONSOLE = "https://console.example"


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    db = tmp_path_factory.mktemp("limited") / "calltone.db"
    with running_server(
        f"sqlite:///{db}",
        signin_max_failures=MAX_FAILURES,
        signin_window_s=WINDOW_S,
        cors_origins=[CONSOLE],
        analysis_processes=0,
    ) as srv:
        srv.user("a1", "agent")
        yield srv


def _client(address: str) -> httpx.Client:
    """HTTP from another loopback address (all of 127/8 is this machine): another client."""
    return httpx.Client(
        transport=httpx.HTTPTransport(local_address=address), timeout=30, follow_redirects=False
    )


def _me(client: httpx.Client, srv: LiveServer, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(srv.http + "/v1/me", headers=headers)


async def _ws_from(address: str, url: str) -> tuple[list[dict[str, Any]], int | None, str]:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    replies: list[dict[str, Any]] = []
    async with connect(url, local_addr=(address, 0)) as ws:
        with contextlib.suppress(ConnectionClosed, TimeoutError):
            while True:
                raw = await asyncio.wait_for(ws.recv(), timeout=5)
                msg = json.loads(raw)
                replies.append(msg)
                if msg["type"] == "ready":
                    break
    return replies, ws.close_code, ws.close_reason or ""


def _bad(i: int) -> str:
    """A different never-issued token each time (the same one repeated counts once)."""
    return f"ct_this-token-was-never-issued-{i:013d}"


def test_failed_tokens_lock_out_failing_tokens_but_never_a_valid_one(limited: LiveServer) -> None:
    srv = limited
    good = srv.tokens["a1"]
    here, elsewhere = "127.0.0.11", "127.0.0.12"
    with _client(here) as c, _client(elsewhere) as other:
        for i in range(MAX_FAILURES):
            assert _me(c, srv, _bad(i)).status_code == 401
        locked = _me(c, srv, _bad(99))
        locked_at = time.monotonic()
        assert locked.status_code == 429, locked.text
        retry_s = int(locked.headers["retry-after"])
        assert 1 <= retry_s <= WINDOW_S
        detail = locked.json()["detail"]
        assert "too many failed sign-ins" in detail and "CALLTONE_SIGNIN_MAX_FAILURES" in detail
        # during the lockout the right token still works, on every way in (issue 15: behind
        # NAT one stale browser must not lock the floor out)
        assert _me(c, srv, good).status_code == 200
        replies, close, _ = asyncio.run(_ws_from(here, srv.url("/v1/agents/a1/alerts", good)))
        assert replies[-1]["type"] == "ready", replies
        form = c.post(srv.http + "/signin", data={"token": good, "next": "/agent"})
        assert form.status_code == 303 and TOKEN_COOKIE in form.headers.get("set-cookie", "")
        page = c.get(srv.http + "/agent", headers={"Cookie": f"{TOKEN_COOKIE}={good}"})
        assert page.status_code == 200
        # failing tokens are told to back off, on every way in
        replies, close, reason = asyncio.run(
            _ws_from(here, srv.url("/v1/agents/a1/alerts", _bad(98)))
        )
        assert replies[0]["code"] == "rate_limited" and replies[0]["retry_after_s"] >= 1
        assert close == CLOSE_POLICY and "too many failed sign-ins" in reason
        form = c.post(srv.http + "/signin", data={"token": _bad(97)})
        assert form.status_code == 429 and "retry-after" in form.headers
        # another client address is not affected
        assert _me(other, srv, good).status_code == 200
        assert _me(other, srv, _bad(99)).status_code == 401
        # once the window has passed, a failing token is a plain 401 again
        time.sleep(max(0.0, locked_at + retry_s + 0.1 - time.monotonic()))
        assert _me(c, srv, _bad(96)).status_code == 401


def test_the_same_stale_token_counts_once_and_missing_tokens_do_not_count(
    limited: LiveServer,
) -> None:
    srv = limited
    good = srv.tokens["a1"]
    with _client("127.0.0.13") as c:
        for _ in range(5):
            assert _me(c, srv, None).status_code == 401  # no token: not a failed sign-in
        for _ in range(3 * MAX_FAILURES):  # a reconnect loop with one stale token
            assert _me(c, srv, BAD_TOKEN).status_code == 401
        for i in range(MAX_FAILURES - 2):
            assert _me(c, srv, _bad(200 + i)).status_code == 401
        assert _me(c, srv, good).status_code == 200  # successes do not count or reset
        assert _me(c, srv, _bad(300)).status_code == 401  # the Nth different one locks ...
        assert _me(c, srv, _bad(301)).status_code == 429  # ... the address for failing ones
        assert _me(c, srv, good).status_code == 200


def test_socket_and_form_failures_count_too(limited: LiveServer) -> None:
    srv = limited
    good = srv.tokens["a1"]
    here = "127.0.0.14"
    for i in range(MAX_FAILURES):
        replies, close, _ = asyncio.run(_ws_from(here, srv.url("/v1/supervisor/feed", _bad(i))))
        assert replies[0]["code"] == "unauthorized" and close == CLOSE_POLICY
    replies, close, _ = asyncio.run(_ws_from(here, srv.url("/v1/agents/a1/alerts", _bad(50))))
    assert replies[0]["code"] == "rate_limited" and close == CLOSE_POLICY
    with _client("127.0.0.15") as c:
        for i in range(MAX_FAILURES):
            r = c.post(srv.http + "/signin", data={"token": _bad(i)})
            assert r.status_code == 401 and "unknown or revoked" in r.text
        r = c.post(srv.http + "/signin", data={"token": _bad(50)})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
        r = c.post(srv.http + "/signin", data={"token": good})
        assert r.status_code == 303


def test_signin_page_clears_a_stale_cookie(limited: LiveServer) -> None:
    srv = limited
    with _client("127.0.0.16") as c:
        for _ in range(2 * MAX_FAILURES):
            r = c.get(srv.http + "/signin", headers={"Cookie": f"{TOKEN_COOKIE}={_bad(7)}"})
            assert r.status_code == 200
            cleared = r.headers.get("set-cookie", "")
            assert cleared.startswith(f'{TOKEN_COOKIE}=""') and "Max-Age=0" in cleared, cleared
        assert _me(c, srv, srv.tokens["a1"]).status_code == 200


def test_cors_opens_only_to_configured_origins(limited: LiveServer) -> None:
    """The check above could fail: with an origin configured, that origin (only) is let in."""
    ok = _preflight(limited, CONSOLE)
    assert ok.headers.get("access-control-allow-origin") == CONSOLE
    evil = _preflight(limited, "https://evil.example")
    assert "access-control-allow-origin" not in evil.headers


def test_limiter_memory_is_bounded_and_keeps_locked_addresses() -> None:
    now = [0.0]
    limiter = SigninLimiter(3, 10.0, max_addresses=100, clock=lambda: now[0])
    for i in range(3):
        limiter.failed("attacker", f"t{i}")
    with pytest.raises(SigninLockedError) as locked:
        limiter.check("attacker")
    assert locked.value.retry_after_whole_s == 10
    for i in range(1000):  # a spray of one failure each from many addresses
        now[0] += 0.001
        limiter.failed(f"10.0.{i // 250}.{i % 250}")
        assert len(limiter) <= 100
    now[0] = 9.0
    for i in range(1000):  # old entries have expired: they go before a locked one
        limiter.failed(f"10.1.{i // 250}.{i % 250}")
        now[0] += 0.0001
    assert len(limiter) <= 100
    now[0] = 10.5
    limiter.check("attacker")  # the lockout has passed
    off = SigninLimiter(0, 10.0)
    for i in range(50):
        off.failed("x", f"t{i}")
    off.check("x")
    assert len(off) == 0


# --------------------------------------------------------------------------------------------
# Nothing of the call in the logs

CLIENT_LOGGERS = ("websockets.client", "httpx", "httpcore")
"""The test's own client connections (not the server's logs)."""
_HEX_RUN = re.compile(r"(?:\b[0-9a-f]{2} ){8}")


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if not record.name.startswith(CLIENT_LOGGERS):
            self.records.append(record)

    def text(self) -> str:
        return "\n".join(f"{r.name}: {r.getMessage()}" for r in self.records)


@contextlib.contextmanager
def server_logs_at_debug() -> Iterator[_Records]:
    """Every server log record at DEBUG, as ``calltone serve --log-level debug`` would write:
    the root logger and uvicorn's (which do not propagate to the root)."""
    handler = _Records()
    names = ("", "uvicorn", "uvicorn.error", "uvicorn.access")
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    for lg in (loggers[0], loggers[1], loggers[3]):
        lg.addHandler(handler)
    try:
        yield handler
    finally:
        for lg in (loggers[0], loggers[1], loggers[3]):
            lg.removeHandler(handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def _assert_no_call_data(logs: _Records, tokens: list[str]) -> None:
    text = logs.text()
    for token in tokens:
        assert token not in text and token[3:] not in text, "a token is in the logs"
    assert not _HEX_RUN.search(text), f"audio bytes in the logs: {_HEX_RUN.search(text)}"
    for record in logs.records:
        args = record.args if isinstance(record.args, tuple) else ()
        for arg in args:
            assert not isinstance(arg, bytes | bytearray | memoryview | np.ndarray), record
    assert '"type":' not in text and "'type':" not in text, "socket JSON is in the logs"


def test_no_audio_json_or_token_in_debug_logs(world: World) -> None:
    srv = world.srv
    with server_logs_at_debug() as logs:
        _short_call(srv, "a1")
        asyncio.run(
            read_feed(
                srv.url("/v1/agents/a1/alerts", srv.tokens["a1"], after=0),
                until=lambda m: m["type"] == "ready",
            )
        )
    text = logs.text()
    # the server did log the sockets at debug (so the checks below look at something)
    assert "BINARY" in text and "content not logged" in text, text[:2000]
    assert "WebSocket /v1/calls/" in text and "token=***" in text
    _assert_no_call_data(logs, [srv.tokens["a1"]])


@pytest.mark.slow
def test_no_transcript_text_in_debug_logs_of_a_transcribed_call(tmp_path: Path) -> None:
    with running_server(
        f"sqlite:///{tmp_path / 't.db'}",
        transcribe=True,
        analysis_processes=0,
        transcription_backlog=64,
        transcription_drain_s=120,
    ) as srv:
        srv.user("a1", "agent")
        with server_logs_at_debug() as logs:
            result = srv.replay("escalation_call", "a1", call_id="logged-call")
    assert result.error is None and result.summary is not None
    segments = [m["segment"]["text"] for m in result.of_type("transcript")]
    heard = " ".join(segments).lower()
    names = [w for w in ("jones", "internet", "evening", "brightline", "manager") if w in heard]
    assert len(segments) >= 6 and len(names) >= 2, f"Whisper heard too little: {heard!r}"
    trigrams = {
        " ".join(words[i : i + 3])
        for seg in segments
        if len(words := re.findall(r"[a-z']+", seg.lower())) >= 3
        for i in range(len(words) - 2)
    }
    assert len(trigrams) >= 20
    assert len(logs.records) > 100, "debug logging was captured"
    text = " ".join(re.findall(r"[a-z']+", logs.text().lower()))
    leaked = [w for w in names if w in text] + [t for t in sorted(trigrams) if t in text]
    assert not leaked, f"transcript text in the logs: {leaked}"
    _assert_no_call_data(logs, [srv.tokens["a1"]])
