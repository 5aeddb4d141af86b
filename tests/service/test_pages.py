"""The board's call states and the sign-in redirects, without a browser (see
test_pages_browser.py for the pages themselves)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from calltone.service.routes.pages import RAISED_WINDOW_S, _allowed_next, call_state
from calltone.service.storage import AlertRecord, CallRecord, EventRecord, UserRecord

T0 = dt.datetime(2026, 1, 1, 9, 0, tzinfo=dt.UTC)
CALL = CallRecord("c1", "a1", "live", {}, None, T0, None, None)


def _yelling(start_s: float, end_s: float, *, open_: bool = False) -> EventRecord:
    return EventRecord(
        "c1",
        f"yelling-customer-{start_s}",
        "yelling",
        "customer",
        start_s,
        end_s,
        {},
        {"open": open_},
    )


def _alert(kind: str, at_s: float, acked: bool = False) -> AlertRecord:
    return AlertRecord(
        1,
        "c1",
        "a1",
        kind,
        "supervisor",
        at_s,
        "m",
        "t",
        {},
        [],
        {},
        T0,
        T0 if acked else None,
        "boss" if acked else None,
    )


def _at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_call_states() -> None:
    assert call_state(CALL, [], [], _at(30)) == "calm"
    assert call_state(CALL, [_yelling(28, 29, open_=True)], [], _at(30)) == "yelling"
    closed = [_yelling(28, 32)]
    assert call_state(CALL, closed, [], _at(40)) == "customer_raised"
    assert call_state(CALL, closed, [], _at(32 + RAISED_WINDOW_S + 1)) == "calm"
    # a call replayed faster than real time: its audio position, not the wall clock, counts
    assert call_state(CALL, [*closed, _yelling(200, 201)], [], _at(10)) == "customer_raised"
    flag = _alert("escalation_flag", 38)
    assert call_state(CALL, closed, [flag], _at(40)) == "flagged"
    acked = _alert("escalation_flag", 38, acked=True)
    assert call_state(CALL, closed, [acked], _at(40)) == "customer_raised"


def _user(role: str) -> UserRecord:
    return UserRecord(1, "u", role, "u" if role == "agent" else None, T0)


def test_sign_in_goes_only_to_our_pages_the_user_may_open() -> None:
    cases: list[tuple[str, str, Any]] = [
        ("supervisor", "/board", "/board"),
        ("supervisor", "/agent", None),
        ("agent", "/agent", "/agent"),
        ("trainer", "/trainer/scorecards/sc-1", "/trainer/scorecards/sc-1"),
        ("admin", "/agent?agent_id=a1", "/agent?agent_id=a1"),
        ("admin", "//evil.example/board", None),
        ("admin", "https://evil.example/board", None),
        ("admin", "/v1/users", None),
        ("admin", "", None),
    ]
    for role, path, expected in cases:
        assert _allowed_next(path, _user(role)) == expected, (role, path)
