"""Browser pages: the supervisor board, the agent's alert view and the trainer's pages.

The pages are plain HTML, CSS and a little JavaScript from ``service/static`` (no build step,
nothing from the network); everything they show comes from the same REST and WebSocket API as
any other client, plus two board snapshots below.

Sign-in: ``POST /signin`` checks a pasted token and keeps it in the ``calltone_token`` cookie
(HttpOnly, SameSite=Strict, for the browser session), which :func:`service.deps.token_of`
already accepts, so the pages' ``fetch`` calls and WebSockets are authenticated without the
page's JavaScript ever holding the token. Each page checks the role on the server and sends
anyone else to the sign-in page, which says why.

``GET /v1/board`` is what a board loads when it opens (live calls with their state, open
escalation flags, recent take-a-break alerts, recent calls, and the feed id to resume the
supervisor feed after); ``GET /v1/board/live`` refreshes the live calls' states. A call's state
is derived from the live state of all its signals, as storage holds them (``signals`` on each
tile): ``flagged`` (an escalation flag nobody has acknowledged), ``yelling`` (a customer yelling
event still open), ``agent_tense`` (the agent's tone event is open, or the agent had a tone
event or a calm-down nudge within the last minute of the call), ``customer_raised`` (the
customer yelled within the last minute of the call) or ``calm``; so a tile never says calm while
one of its signals is not. A ``call_state`` entry on the supervisor feed, if a node writes one,
overrides it until the next refresh.

Flags on ended calls: ``POST /v1/board/flags/resolve`` acknowledges many at once (a board's
"Resolve all"), and a flag still open ``flag_auto_resolve_s`` after its call ended is
acknowledged by :data:`AUTO_RESOLVER` the next time a board loads or refreshes (the board shows
it as "closed on its own").

Wire it in the app factory with ``pages.install(app)``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import html
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from calltone.service.deps import (
    TOKEN_COOKIE,
    HubDep,
    SettingsDep,
    StoreDep,
    SupervisorUser,
    authenticate_client,
    get_store,
    locked_response_headers,
    token_of,
)
from calltone.service.ratelimit import SigninLockedError
from calltone.service.routes.schemas import MAX_ID
from calltone.service.storage import AlertRecord, CallRecord, EventRecord, NotFoundError, UserRecord

router = APIRouter(tags=["pages"])

STATIC_DIR = Path(__file__).resolve().parents[1] / "static"

PAGES: dict[str, tuple[str, ...]] = {
    "/board": ("supervisor", "admin"),
    "/agent": ("agent", "admin"),
    "/trainer": ("trainer", "admin"),
}
"""Each page and the roles that may open it."""
HOME = {"agent": "/agent", "supervisor": "/board", "trainer": "/trainer", "admin": "/board"}
ROLE_WORDS = {
    "supervisor": "supervisors",
    "admin": "admins",
    "agent": "agents",
    "trainer": "trainers",
}

RAISED_WINDOW_S = 60.0
"""A call stays ``customer_raised`` for this long (call audio) after the customer stops yelling."""
BREAKS_WINDOW = dt.timedelta(hours=1)
MAX_FLAGS = 100
RECENT_CALLS = 10

_HOST_RE = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
_JOB_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$")


# --------------------------------------------------------------------------------------------
# Who is asking


def page_user(request: Request) -> UserRecord | None:
    """The signed-in user of a page request (cookie, header or query token), or None.

    Raises :class:`SigninLockedError` (a 429 page, see :func:`install`) while the client's
    address is locked out for failed sign-ins."""
    token = token_of(request)
    if not token:
        return None
    return authenticate_client(request, get_store(request.app.state.hub), token)


def _page_of(path: str) -> str:
    """The page a path belongs to: ``/trainer/scorecards/x?y`` -> ``/trainer``."""
    return "/" + path.split("?", 1)[0].strip("/").split("/", 1)[0]


def _allowed_next(path: str | None, user: UserRecord) -> str | None:
    """``path`` if it is one of our pages and the user may open it (no open redirects)."""
    if not path or not path.startswith("/") or path.startswith("//"):
        return None
    roles = PAGES.get(_page_of(path))
    return path if roles and user.role in roles else None


# --------------------------------------------------------------------------------------------
# Responses


def _security_headers(request: Request) -> dict[str, str]:
    host = request.headers.get("host", "")
    sockets = f" ws://{host} wss://{host}" if _HOST_RE.match(host) else ""
    csp = (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        f"connect-src 'self'{sockets}; frame-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return {
        "Content-Security-Policy": csp,
        "X-Content-Type-Options": "nosniff",
        # same-origin, not no-referrer: with no-referrer Chrome sends "Origin: null" on the
        # sign-in form post, and the origin check below could not tell it from another site
        "Referrer-Policy": "same-origin",
        "Cache-Control": "no-store",
    }


@functools.lru_cache(maxsize=16)
def _static_page(name: str) -> str:
    return (STATIC_DIR / name).read_text(encoding="utf-8")


def _page(request: Request, name: str) -> HTMLResponse:
    return HTMLResponse(_static_page(name), headers=_security_headers(request))


def _to_signin(path: str, why: str | None = None) -> RedirectResponse:
    query = {"next": path, **({"why": why} if why else {})}
    return RedirectResponse("/signin?" + urlencode(query), status.HTTP_303_SEE_OTHER)


def _guarded(request: Request, page: str, file: str) -> Response:
    user = page_user(request)
    path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    if user is None:
        return _to_signin(path)
    if user.role not in PAGES[page]:
        return _to_signin(path, "role")
    return _page(request, file)


def _same_origin(request: Request) -> bool:
    """A form post from one of our pages (browsers send Origin on POST)."""
    origin = request.headers.get("origin")
    if origin is None:  # not a browser, or one too old to say
        return True
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


# --------------------------------------------------------------------------------------------
# Sign-in


def _signin_html(
    *, user: UserRecord | None, next_path: str, why: str | None, error: str | None
) -> str:
    esc = html.escape
    notes = []
    if error:
        notes.append(f'<p class="notice error" role="alert">{esc(error)}</p>')
    if user is not None:
        if why == "role":
            roles = PAGES.get(_page_of(next_path), ())
            who = " and ".join(ROLE_WORDS.get(r, r) for r in roles) or "other roles"
            notes.append(
                f'<p class="notice" role="status">You are signed in as <b>{esc(user.name)}</b> '
                f"({esc(user.role)}); {esc(next_path)} is for {esc(who)}. Sign in with another "
                "token, or go to your own page.</p>"
            )
        else:
            notes.append(
                f'<p class="notice" role="status">You are signed in as <b>{esc(user.name)}</b> '
                f"({esc(user.role)}).</p>"
            )
        notes.append(
            f'<p class="actions"><a class="button" href="{esc(HOME[user.role])}">Go to your page'
            '</a> <button form="signout" class="quiet" type="submit">Sign out</button></p>'
        )
    elif why == "expired":
        notes.append(
            '<p class="notice" role="status">Your token no longer works; sign in again.</p>'
        )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · calltone</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/style.css">
<script type="module" src="/static/signin.js"></script>
</head>
<body class="signin">
<main class="narrow">
<h1><span class="brand">calltone</span> Sign in</h1>
{"".join(notes)}
<form method="post" action="/signin" class="card" id="signin">
  <label for="token">Your access token</label>
  <input id="token" name="token" type="password" autocomplete="off" spellcheck="false"
         required aria-describedby="token-help">
  <p id="token-help" class="muted">An admin creates one with
    <code>calltone users add NAME --role ROLE</code>. It is kept in this browser session only.</p>
  <input type="hidden" name="next" value="{esc(next_path)}">
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/signout" id="signout"></form>
</main>
</body>
</html>
"""


@router.get("/signin", response_class=HTMLResponse, include_in_schema=False)
def signin_page(request: Request, next: str = "", why: str | None = None) -> HTMLResponse:
    user = page_user(request)
    body = _signin_html(user=user, next_path=next, why=why, error=None)
    response = HTMLResponse(body, headers=_security_headers(request))
    if user is None and request.cookies.get(TOKEN_COOKIE):
        _forget_cookie(response)  # a revoked or stale token: stop presenting it (issue 15)
    return response


def _forget_cookie(response: Response) -> None:
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")


@router.post("/signin", include_in_schema=False)
async def signin(request: Request) -> Response:
    """Check the token and keep it in an HttpOnly, SameSite=Strict session cookie."""
    if not _same_origin(request):
        return HTMLResponse("sign in from this server's own page", status.HTTP_403_FORBIDDEN)
    async with request.form(max_files=0, max_fields=4) as form:
        token = str(form.get("token") or "").strip()
        next_path = str(form.get("next") or "")
    hub = request.app.state.hub
    try:
        user = await hub.io(authenticate_client, request, hub.store, token) if token else None
    except SigninLockedError as exc:
        body = _signin_html(user=None, next_path=next_path, why=None, error=str(exc))
        headers = {**_security_headers(request), **locked_response_headers(exc)}
        return HTMLResponse(body, status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
    if user is None:
        body = _signin_html(
            user=None,
            next_path=next_path,
            why=None,
            error="That token is unknown or revoked. Check it, or ask an admin for a new one.",
        )
        return HTMLResponse(body, status.HTTP_401_UNAUTHORIZED, headers=_security_headers(request))
    target = _allowed_next(next_path, user) or HOME[user.role]
    response = RedirectResponse(target, status.HTTP_303_SEE_OTHER)
    response.set_cookie(
        TOKEN_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/signout", include_in_schema=False)
def signout(request: Request) -> Response:
    if not _same_origin(request):
        return HTMLResponse("sign out from this server's own page", status.HTTP_403_FORBIDDEN)
    response = RedirectResponse("/signin", status.HTTP_303_SEE_OTHER)
    response.delete_cookie(TOKEN_COOKIE, path="/", httponly=True, samesite="strict")
    return response


# --------------------------------------------------------------------------------------------
# Pages


@router.get("/", include_in_schema=False)
def home(request: Request) -> Response:
    user = page_user(request)
    if user is None:
        return RedirectResponse("/signin", status.HTTP_303_SEE_OTHER)
    return RedirectResponse(HOME[user.role], status.HTTP_303_SEE_OTHER)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    return RedirectResponse("/static/favicon.svg", status.HTTP_301_MOVED_PERMANENTLY)


@router.get("/board", include_in_schema=False)
def board_page(request: Request) -> Response:
    return _guarded(request, "/board", "board.html")


@router.get("/agent", include_in_schema=False)
def agent_page(request: Request) -> Response:
    return _guarded(request, "/agent", "agent.html")


@router.get("/trainer", include_in_schema=False)
def trainer_page(request: Request) -> Response:
    return _guarded(request, "/trainer", "trainer.html")


@router.get("/trainer/scorecards/{job_id}", include_in_schema=False)
def trainer_report_page(request: Request, job_id: str) -> Response:
    if not _JOB_RE.match(job_id):
        return HTMLResponse("no such scorecard", status.HTTP_404_NOT_FOUND)
    return _guarded(request, "/trainer", "report.html")


# --------------------------------------------------------------------------------------------
# Board snapshots (JSON)


AGENT_TONE_EVENTS = ("agent_tone", "rushing")
"""Agent events that make a tile ``agent_tense`` while open or recent."""
AGENT_TONE_ALERTS = ("calm_down",)
"""Agent nudges about their own voice: the tile is ``agent_tense`` while one is recent."""
AUTO_RESOLVER = "calltone.auto"
"""Who a flag is acknowledged by when it closes on its own after its call ended."""


def call_signals(
    call: CallRecord,
    events: Sequence[EventRecord],
    alerts: Sequence[AlertRecord],
    now: dt.datetime,
) -> dict[str, Any]:
    """Each signal of a call as it stands now: ``customer`` (calm, raised or yelling),
    ``agent`` (calm or tense) and ``open_flags`` (unacknowledged escalation flags)."""
    elapsed = (now - call.started_at).total_seconds() if call.state == "live" else 0.0
    position = max([elapsed] + [e.end_s for e in events] + [a.at_s for a in alerts])

    def recent(t: float) -> bool:
        return position - t <= RAISED_WINDOW_S

    yelling = [e for e in events if e.kind == "yelling" and e.speaker == "customer"]
    if any(e.extra.get("open") for e in yelling):
        customer = "yelling"
    elif any(recent(e.end_s) for e in yelling):
        customer = "raised"
    else:
        customer = "calm"
    tone = [e for e in events if e.kind in AGENT_TONE_EVENTS and e.speaker == "agent"]
    nudges = [a for a in alerts if a.kind in AGENT_TONE_ALERTS]
    tense = any(e.extra.get("open") or recent(e.end_s) for e in tone) or any(
        recent(a.at_s) for a in nudges
    )
    flags = [a for a in alerts if a.kind == "escalation_flag" and a.acked_at is None]
    return {"customer": customer, "agent": "tense" if tense else "calm", "open_flags": len(flags)}


def state_of(signals: dict[str, Any]) -> str:
    """The tile's one-word state: the most urgent of its signals."""
    if signals["open_flags"]:
        return "flagged"
    if signals["customer"] == "yelling":
        return "yelling"
    if signals["agent"] == "tense":
        return "agent_tense"
    if signals["customer"] == "raised":
        return "customer_raised"
    return "calm"


def call_state(
    call: CallRecord,
    events: Sequence[EventRecord],
    alerts: Sequence[AlertRecord],
    now: dt.datetime,
) -> str:
    """calm, customer_raised, agent_tense, yelling or flagged (see the module docstring)."""
    return state_of(call_signals(call, events, alerts, now))


def _tile(store: Any, call: CallRecord, now: dt.datetime) -> dict[str, Any]:
    events = store.list_events(call.call_id)
    alerts = store.alerts_after(0, call_id=call.call_id, limit=5000)
    last_event = max(events, key=lambda e: (e.start_s, e.end_s), default=None)
    signals = call_signals(call, events, alerts, now)
    return {
        "call_id": call.call_id,
        "agent_id": call.agent_id,
        "started_at": call.to_dict()["started_at"],
        "state": state_of(signals),
        "signals": signals,
        "last_alert": alerts[-1].to_dict() if alerts else None,
        "last_event": None
        if last_event is None
        else {
            "kind": last_event.kind,
            "speaker": last_event.speaker,
            "start_s": last_event.start_s,
            "open": bool(last_event.extra.get("open")),
        },
        "open_flags": [a.id for a in alerts if a.kind == "escalation_flag" and not a.acked_at],
    }


def _live_tiles(store: Any, now: dt.datetime) -> list[dict[str, Any]]:
    tiles = []
    for call in store.list_calls(state="live", limit=5000):
        try:
            tiles.append(_tile(store, call, now))
        except NotFoundError:  # ended and purged between the two reads
            continue
    return sorted(tiles, key=lambda t: t["started_at"])


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def resolve_stale_flags(store: Any, after_s: float, now: dt.datetime) -> list[AlertRecord]:
    """Acknowledge (as :data:`AUTO_RESOLVER`) open flags whose call ended ``after_s`` ago.

    Run when a board loads or refreshes: nobody needs a flag closed while no board is open.
    ``after_s`` 0 turns it off."""
    if after_s <= 0:
        return []
    closed = []
    ended: dict[str, bool] = {}
    for flag in store.recent_alerts(["escalation_flag"], unacked=True, limit=MAX_FLAGS):
        if flag.call_id not in ended:
            try:
                call = store.get_call(flag.call_id)
            except NotFoundError:
                ended[flag.call_id] = True
            else:
                ended[flag.call_id] = (
                    call.state != "live"
                    and call.ended_at is not None
                    and (now - call.ended_at).total_seconds() >= after_s
                )
        if ended[flag.call_id]:
            with contextlib.suppress(NotFoundError):
                closed.append(store.ack_alert(flag.id, by_user=AUTO_RESOLVER))
    return closed


class ResolveFlags(BaseModel):
    """Which open flags to acknowledge at once."""

    alert_ids: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(
        default_factory=list, max_length=MAX_FLAGS
    )
    ended_calls: bool = Field(
        False, description="also every open flag whose call is no longer live"
    )


@router.post("/v1/board/flags/resolve", tags=["board"])
async def resolve_flags(body: ResolveFlags, user: SupervisorUser, hub: HubDep) -> dict[str, Any]:
    """Acknowledge many escalation flags at once (a board's "Resolve all" for ended calls).
    Only escalation flags are touched; unknown ids are skipped. Returns the acknowledged ids."""

    def run() -> list[int]:
        store = hub.store
        ids = set(body.alert_ids)
        if body.ended_calls:
            live = {c.call_id for c in store.list_calls(state="live", limit=5000)}
            flags = store.recent_alerts(["escalation_flag"], unacked=True, limit=MAX_FLAGS)
            ids |= {f.id for f in flags if f.call_id not in live}
        done = []
        for alert_id in sorted(ids):
            try:
                alert = store.get_alert(alert_id)
            except NotFoundError:
                continue
            if alert.kind == "escalation_flag":
                done.append(store.ack_alert(alert_id, by_user=user.name).id)
        return done

    acked = await hub.io(run)
    await hub.announce_feed()
    return {"acked": acked}


@router.get("/v1/board", tags=["board"])
def board_snapshot(
    _: SupervisorUser,
    store: StoreDep,
    settings: SettingsDep,
    recent: Annotated[int, Query(ge=0, le=100)] = RECENT_CALLS,
) -> dict[str, Any]:
    """What a supervisor board shows when it opens; then resume ``WS /v1/supervisor/feed``
    with ``after=feed_after``. Flags: unacknowledged escalation flags, newest first; breaks:
    take-a-break alerts of the last hour."""
    now = _now()
    resolve_stale_flags(store, settings.flag_auto_resolve_s, now)
    feed_after = store.last_feed_id()  # first: anything newer arrives on the feed
    flags = store.recent_alerts(["escalation_flag"], unacked=True, limit=MAX_FLAGS)
    breaks = store.recent_alerts(["take_a_break"], since=now - BREAKS_WINDOW, limit=50)
    ended = [c for c in store.list_calls(limit=recent + 50) if c.state != "live"][:recent]
    return {
        "feed_after": feed_after,
        "now": now.isoformat(),
        "calls": _live_tiles(store, now),
        "flags": [a.to_dict() for a in flags],
        "breaks": [a.to_dict() for a in breaks],
        "recent": [
            {
                "call_id": c.call_id,
                "agent_id": c.agent_id,
                "state": c.state,
                "started_at": c.to_dict()["started_at"],
                "ended_at": c.to_dict()["ended_at"],
            }
            for c in ended
        ],
    }


@router.get("/v1/board/live", tags=["board"])
def board_live(_: SupervisorUser, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """The live calls with their current state (a board refreshes this every few seconds)."""
    now = _now()
    resolve_stale_flags(store, settings.flag_auto_resolve_s, now)
    return {"now": now.isoformat(), "calls": _live_tiles(store, now)}


# --------------------------------------------------------------------------------------------


def install(app: FastAPI) -> None:
    """Add the pages, the board snapshots and ``/static`` to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    def locked(request: Request, exc: Exception) -> Response:
        """A page opened with a token while the address is locked out: say so, and when."""
        assert isinstance(exc, SigninLockedError)
        body = _signin_html(user=None, next_path="", why=None, error=str(exc))
        headers = {**_security_headers(request), **locked_response_headers(exc)}
        response = HTMLResponse(body, status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
        if request.cookies.get(TOKEN_COOKIE):
            _forget_cookie(response)  # the cookie's token failed: do not keep sending it
        return response

    app.add_exception_handler(SigninLockedError, locked)
