// The supervisor board: live call tiles, open escalation flags (acknowledge), listen in,
// a call's detail, and who was sent a take-a-break. Loads GET /v1/board once, then follows
// WS /v1/supervisor/feed from there and refreshes call states from GET /v1/board/live.
import {
  api, AUTO_RESOLVER, cueWords, el, Feed, fmtClock, fmtDuration, kindWords, parseTime, serverNow,
  setServerTime, showConnection, showUser, STATE_RANK, STATE_WORDS, syncList, wsUrl,
} from "/static/common.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 3000;
const RECENT = 10;
const BREAKS_MS = 3600 * 1000;  // who was sent a take-a-break in the last hour

const board = {
  calls: new Map(),   // call_id -> tile data
  ended: new Set(),   // call ids the feed said ended (a slower refresh must not revive them)
  flags: new Map(),   // alert id -> open escalation flag
  breaks: [],         // take-a-break alerts, newest first
  recent: [],         // finished calls, newest first
  detailId: null,
};
let listening = null;
let renderQueued = false;

function announce(text) {
  $("announce").textContent = text;
}

function secondsSince(iso) {
  return (serverNow() - parseTime(iso)) / 1000;
}

// -- rendering ---------------------------------------------------------------------------------

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  const calls = [...board.calls.values()].sort((a, b) => a.started_at.localeCompare(b.started_at));
  syncList($("tiles"), calls, (c) => c.call_id, createTile, updateTile);
  $("tiles-empty").hidden = calls.length > 0;
  $("live-count").textContent = calls.length ? `(${calls.length})` : "";

  // flags on live calls first; those on ended calls collapse into a group resolved in bulk
  const flags = [...board.flags.values()].sort((a, b) => b.id - a.id);
  const live = flags.filter((f) => board.calls.has(f.call_id));
  const ended = flags.filter((f) => !board.calls.has(f.call_id));
  syncList($("flags"), live, (f) => f.id, createFlag, updateFlag);
  syncList($("flags-ended"), ended, (f) => f.id, createFlag, updateFlag);
  $("flags-empty").hidden = flags.length > 0;
  $("flag-count").textContent = live.length ? `(${live.length})` : "";
  $("ended-flags").hidden = ended.length === 0;
  $("ended-flags-count").textContent = String(ended.length);
  $("resolve-ended").textContent = `Resolve all ${ended.length}`;

  const hourAgo = serverNow() - BREAKS_MS;
  board.breaks = board.breaks.filter((a) => parseTime(a.created_at) >= hourAgo);
  syncList($("breaks"), board.breaks, (a) => a.id, createBreak, () => {});
  $("breaks-empty").hidden = board.breaks.length > 0;

  syncList($("recent"), board.recent, (c) => c.call_id, createRecent, updateRecent);
  $("recent-empty").hidden = board.recent.length > 0;
  tick();
}

function createTile(call) {
  return el("li", { class: "tile", "aria-label": `Call of ${call.agent_id}` },
    el("div", { class: "row" },
      el("span", { class: "agent", text: call.agent_id }),
      el("span", { class: "badge" })),
    el("div", { class: "row" },
      el("span", { class: "duration", "aria-label": "duration" }),
      el("span", { class: "callid", text: call.call_id })),
    el("p", { class: "signals" }),
    el("p", { class: "last" }),
    el("p", { class: "actions" },
      el("button", { type: "button", class: "quiet", onclick: () => openDetail(call.call_id),
                     text: "Details" }),
      el("button", { type: "button", class: "quiet listen-btn",
                     onclick: () => listen(call.call_id, call.agent_id), text: "Listen in" })));
}

function signalWords(s) {
  const customer = { calm: "calm", raised: "raised their voice", yelling: "yelling now" };
  const parts = [`Customer ${customer[s.customer] || s.customer}`,
                 `agent ${s.agent === "tense" ? "tense" : "calm"}`];
  if (s.open_flags) parts.push(`${s.open_flags} open flag${s.open_flags > 1 ? "s" : ""}`);
  return parts.join(" · ");
}

function updateTile(node, call) {
  node.dataset.state = call.state;
  node.dataset.callId = call.call_id;
  node.dataset.started = call.started_at;
  const badge = node.querySelector(".badge");
  badge.dataset.state = call.state;
  badge.textContent = STATE_WORDS[call.state] || call.state;
  const signals = node.querySelector(".signals");
  signals.textContent = call.signals ? signalWords(call.signals) : "";
  signals.hidden = !call.signals;
  const a = call.last_alert;
  node.querySelector(".last").textContent = a
    ? `${fmtDuration(a.at_s || 0)} ${kindWords(a.kind)}: ${a.message}` : "No alerts";
}

function createFlag(flag) {
  return el("li", { class: "flag" },
    el("p", { class: "what" }, `${flag.agent_id} · ${kindWords(flag.kind)}`),
    el("p", { text: flag.message }),
    el("p", { class: "muted" }, `${fmtClock(flag.created_at)} · call ${flag.call_id}`),
    el("p", { class: "actions" },
      el("button", { type: "button", class: "ack", onclick: (e) => acknowledge(flag, e.target),
                     text: "Acknowledge" }),
      el("button", { type: "button", class: "quiet listen-btn",
                     onclick: () => listen(flag.call_id, flag.agent_id), text: "Listen in" }),
      el("button", { type: "button", class: "quiet", onclick: () => openDetail(flag.call_id),
                     text: "Details" })));
}

function updateFlag(node, flag) {
  const live = board.calls.has(flag.call_id);
  node.dataset.alertId = flag.id;
  node.dataset.callId = flag.call_id;
  node.dataset.live = live ? "yes" : "no";
  node.querySelector(".listen-btn").hidden = !live;  // nothing to hear on an ended call
  node.querySelector(".what").textContent =
    `${flag.agent_id} · ${kindWords(flag.kind)}${live ? "" : " · call ended"}`;
}

function createBreak(alert) {
  return el("li", { dataset: { alertId: alert.id } },
    el("span", { class: "kind", text: alert.agent_id }), " ",
    el("span", { class: "muted" }, `at ${fmtClock(alert.created_at)}`),
    el("br"),
    el("span", { class: "muted", text: alert.message }));
}

function createRecent(call) {
  return el("li", {},
    el("button", { type: "button", class: "linklike", onclick: () => openDetail(call.call_id),
                   text: call.call_id }),
    " ", el("span", { class: "muted", text: call.agent_id }), " ",
    el("span", { class: "badge" }));
}

function updateRecent(node, call) {
  const badge = node.querySelector(".badge");
  badge.dataset.state = call.state;
  badge.textContent = STATE_WORDS[call.state] || call.state;
}

function tick() {
  for (const node of $("tiles").children) {
    const started = node.dataset.started;
    if (started) node.querySelector(".duration").textContent = fmtDuration(secondsSince(started));
  }
}

// -- data --------------------------------------------------------------------------------------

/** The least a tile's state is once an alert of a kind arrives (until the next refresh). */
const IMPLIED_STATE = {
  escalation_flag: "flagged",
  calm_down: "agent_tense",
  de_escalate: "customer_raised",
};

function raise(call, state) {
  if (!state || (STATE_RANK[state] || 0) <= (STATE_RANK[call.state] || 0)) return;
  call.state = state;
  const s = call.signals || { customer: "calm", agent: "calm", open_flags: 0 };
  if (state === "agent_tense") s.agent = "tense";
  if (state === "customer_raised" && s.customer === "calm") s.customer = "raised";
  if (state === "flagged") s.open_flags += 1;
  call.signals = s;
}

function applyLive(calls) {
  const fresh = new Map();
  for (const call of calls) {
    if (!board.ended.has(call.call_id)) fresh.set(call.call_id, call);
  }
  for (const [id, call] of board.calls) {  // started on the feed after this refresh was read
    if (!fresh.has(id) && call.fromFeedAt && Date.now() - call.fromFeedAt < 10000) {
      fresh.set(id, call);
    }
  }
  board.calls = fresh;
}

function addRecent(call) {
  board.recent = [call, ...board.recent.filter((c) => c.call_id !== call.call_id)].slice(0, RECENT);
}

function onFeed(msg) {
  if (msg.type !== "feed") return;
  const entry = msg.entry;
  const p = entry.payload || {};
  const call = board.calls.get(entry.call_id);
  switch (entry.kind) {
    case "call_started":
      if (!call && !board.ended.has(entry.call_id)) {
        board.calls.set(entry.call_id, {
          call_id: entry.call_id, agent_id: p.agent_id, started_at: entry.created_at,
          state: "calm", last_alert: null, open_flags: [], fromFeedAt: Date.now(),
        });
      }
      break;
    case "call_ended":
      board.ended.add(entry.call_id);
      board.calls.delete(entry.call_id);
      addRecent({ call_id: entry.call_id, agent_id: p.agent_id, state: p.state,
                  ended_at: entry.created_at });
      break;
    case "call_state":
      if (call && p.state) call.state = p.state;
      break;
    case "alert": {
      const alert = msg.alert || { id: p.alert_id, call_id: entry.call_id, agent_id: p.agent_id,
                                   kind: p.kind, message: p.message, created_at: entry.created_at };
      if (call) {
        call.last_alert = alert;
        raise(call, IMPLIED_STATE[alert.kind]);
      }
      if (alert.kind === "escalation_flag" && !alert.acked_at) {
        board.flags.set(alert.id, alert);
        announce(`Escalation flag on ${alert.agent_id}'s call: ${alert.message}`);
      } else if (alert.kind === "take_a_break" && !board.breaks.some((b) => b.id === alert.id)) {
        board.breaks = [alert, ...board.breaks];
      }
      break;
    }
    case "ack": {
      const flag = board.flags.get(p.alert_id);
      board.flags.delete(p.alert_id);
      if (flag && p.by_user === AUTO_RESOLVER) {
        announce(`The flag on ${flag.agent_id}'s ended call closed on its own.`);
      } else if (flag) {
        announce(`${flag.agent_id}'s flag was acknowledged by ${p.by_user}.`);
      }
      if (call) refreshLive();  // its state without the flag comes from storage
      break;
    }
    default:
      break;
  }
  scheduleRender();
  if (board.detailId && board.detailId === entry.call_id) refreshDetail();
}

async function refreshLive() {
  try {
    const live = await api("/v1/board/live");
    setServerTime(live.now);
    applyLive(live.calls);
    scheduleRender();
    if (board.detailId && board.calls.has(board.detailId)) refreshDetail();
  } catch (err) {
    announce(`Could not refresh the calls: ${err.message}`);
  }
}

async function resolveEnded(button) {
  const ids = [...board.flags.values()].filter((f) => !board.calls.has(f.call_id)).map((f) => f.id);
  if (!ids.length) return;
  button.disabled = true;
  try {
    const done = await api("/v1/board/flags/resolve", { method: "POST", json: { alert_ids: ids } });
    for (const id of done.acked) board.flags.delete(id);
    announce(`Resolved ${done.acked.length} flag${done.acked.length === 1 ? "" : "s"} on ended calls.`);
    scheduleRender();
  } catch (err) {
    announce(`Could not resolve the flags: ${err.message}`);
  } finally {
    button.disabled = false;
  }
}

async function acknowledge(flag, button) {
  button.disabled = true;
  try {
    await api(`/v1/alerts/${flag.id}/ack`, { method: "POST" });
    board.flags.delete(flag.id);  // the feed's ack entry tells every other board
    announce(`Acknowledged the flag on ${flag.agent_id}'s call.`);
    scheduleRender();
  } catch (err) {
    button.disabled = false;
    announce(`Could not acknowledge: ${err.message}`);
  }
}

// -- call detail -------------------------------------------------------------------------------

function at(seconds) {
  return el("span", { class: "t", text: fmtDuration(seconds) });
}

/** One row per event: a grown event is stored again under its id, a live event whose start was
 * refined can come back under a new id, and a phrase heard twice in overlapping transcript
 * windows is one phrase. Events of the same kind, speaker (and cue) that overlap in time are one;
 * the one stored last (the grown or final record) stands for them. */
function uniqueEvents(events) {
  const groups = new Map();
  events.forEach((e, order) => {
    const ev = e.evidence || {};
    const key = `${e.kind}|${e.speaker}|${e.kind === "phrase" ? ev.cue : ""}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push({ e, order });
  });
  const out = [];
  for (const items of groups.values()) {
    items.sort((x, y) => x.e.start_s - y.e.start_s);
    let run = null;
    for (const item of items) {
      const end = item.e.open ? Infinity : item.e.end_s;
      if (run && item.e.start_s <= run.end + 0.05) {
        if (item.order > run.best.order) run.best = item;
        run.end = Math.max(run.end, end);
      } else {
        if (run) out.push(run.best);
        run = { best: item, end };
      }
    }
    if (run) out.push(run.best);
  }
  return out.sort((x, y) => x.order - y.order).map((item) => item.e);
}

const POLARITY_WORDS = { good: "helped", bad: "hurt", signal: "noted" };

function eventRow(e) {
  const who = e.speaker ? ` (${e.speaker})` : "";
  const span = e.open ? " · ongoing" : ` until ${fmtDuration(e.end_s)}`;
  if (e.kind !== "phrase") {
    return el("li", { class: "event", dataset: { kind: e.kind } },
      at(e.start_s), el("span", { class: "kind", text: kindWords(e.kind) }), who, span);
  }
  const ev = e.evidence || {};
  const polarity = ev.polarity || "signal";
  return el("li", { class: `event phrase ${polarity}`,
                    dataset: { kind: "phrase", polarity, cue: ev.cue || "" } },
    at(e.start_s),
    el("span", { class: `pol ${polarity}`, text: POLARITY_WORDS[polarity] || polarity }),
    el("span", { class: "kind", text: cueWords(ev.cue) }), who,
    ev.quote ? el("q", { text: ev.quote }) : null);
}

function ackWords(a) {
  if (a.acked_by === AUTO_RESOLVER) return "Closed on its own after the call ended";
  return `Acknowledged by ${a.acked_by}`;
}

async function openDetail(callId) {
  board.detailId = callId;
  const section = $("detail");
  section.hidden = false;
  $("detail-h").textContent = `Call ${callId}`;
  await refreshDetail();
  section.focus();
}

async function refreshDetail() {
  const callId = board.detailId;
  if (!callId) return;
  let d;
  try {
    d = await api(`/v1/calls/${encodeURIComponent(callId)}`);
  } catch (err) {
    $("detail-summary").textContent = `Could not load the call: ${err.message}`;
    return;
  }
  if (board.detailId !== callId) return;
  const c = d.call;
  const length = c.ended_at
    ? fmtDuration((parseTime(c.ended_at) - parseTime(c.started_at)) / 1000)
    : fmtDuration(secondsSince(c.started_at)) + " so far";
  $("detail-summary").textContent =
    `Agent ${c.agent_id} · started ${fmtClock(c.started_at)} · ${length} · ${c.state}`;

  const items = [
    ...uniqueEvents(d.events).map((e) => ({ t: e.start_s, node: eventRow(e) })),
    ...d.alerts.map((a) => ({ t: a.at_s, node: el("li", { class: "alert" },
      at(a.at_s), el("span", { class: "kind", text: `Alert: ${kindWords(a.kind)}` }),
      ` to ${a.audience} · ${a.message}`) })),
  ].sort((x, y) => x.t - y.t);
  $("detail-timeline").replaceChildren(
    ...(items.length ? items.map((i) => i.node)
                     : [el("li", { class: "empty", text: "Nothing has happened yet." })]));

  const transcribing = c.meta && c.meta.transcribe;
  $("detail-transcript").replaceChildren(
    ...(d.segments.length
      ? d.segments.map((s) => el("li", {}, at(s.start_s),
          el("span", { class: `speaker ${s.speaker}`, text: s.speaker }), s.text))
      : [el("li", { class: "empty",
                    text: transcribing ? "No transcript yet." : "Not transcribed (transcription is off)." })]));

  $("detail-alerts").replaceChildren(
    ...(d.alerts.length
      ? d.alerts.map((a) => el("li", {},
          el("p", { class: "kind" }, `${kindWords(a.kind)} → ${a.audience} at ${fmtDuration(a.at_s)}`),
          el("p", { text: a.message }),
          el("p", { class: "muted", text: a.tip }),
          a.acked_at ? el("p", { class: "muted", text: ackWords(a) }) : null))
      : [el("li", { class: "empty", text: "No alerts on this call." })]));
}

function closeDetail() {
  board.detailId = null;
  $("detail").hidden = true;
}

// -- listening in ------------------------------------------------------------------------------

const MAX_AHEAD_S = 1.0;  // drop audio rather than fall further behind the live call

function stopListening(text) {
  const session = listening;
  listening = null;
  if (session) {
    session.ws.close();
    session.ctx.close();
  }
  if (text) {
    $("listen-text").textContent = text;
    setTimeout(() => { if (!listening) $("listen").hidden = true; }, 4000);
  } else {
    $("listen").hidden = true;
  }
}

async function listen(callId, agentId) {
  stopListening();
  const ctx = new AudioContext();
  if (ctx.state === "suspended") await ctx.resume().catch(() => {});
  const gain = ctx.createGain();
  gain.connect(ctx.destination);
  const ws = new WebSocket(wsUrl(`/v1/calls/${encodeURIComponent(callId)}/listen`));
  ws.binaryType = "arraybuffer";
  const session = { ws, ctx, callId, fmt: null, playAt: 0, frames: 0 };
  listening = session;
  const panel = $("listen");
  panel.hidden = false;
  panel.dataset.callId = callId;
  panel.dataset.frames = "0";
  $("listen-text").textContent = `Connecting to ${agentId}'s call…`;

  ws.onmessage = (event) => {
    if (listening !== session) return;
    if (typeof event.data === "string") {
      const msg = JSON.parse(event.data);
      if (msg.type === "start") {
        session.fmt = msg;
        $("listen-text").textContent =
          `Listening to ${agentId}'s call (agent in the left ear, customer in the right).`;
      } else if (msg.type === "end") {
        stopListening(`${agentId}'s call ended.`);
      } else if (msg.type === "error") {
        stopListening(`Cannot listen: ${msg.message}`);
      }
      return;
    }
    if (session.fmt) play(session, new Int16Array(event.data), gain);
  };
  ws.onclose = () => {
    if (listening === session) stopListening(`Stopped listening to ${agentId}'s call.`);
  };
}

function play(session, pcm, gain) {
  const { ctx, fmt } = session;
  const channels = fmt.channels || 1;
  const n = Math.floor(pcm.length / channels);
  if (!n) return;
  const now = ctx.currentTime;
  if (session.playAt < now + 0.05) session.playAt = now + 0.15;  // small jitter buffer
  if (session.playAt - now > MAX_AHEAD_S) return;
  const buffer = ctx.createBuffer(channels, n, fmt.sample_rate);
  for (let c = 0; c < channels; c++) {
    const out = buffer.getChannelData(c);
    for (let i = 0; i < n; i++) out[i] = pcm[i * channels + c] / 32768;
  }
  const source = ctx.createBufferSource();
  source.buffer = buffer;
  source.connect(gain);
  source.start(session.playAt);
  session.playAt += buffer.duration;
  session.frames += 1;
  $("listen").dataset.frames = String(session.frames);
}

// -- start -------------------------------------------------------------------------------------

async function main() {
  const me = await api("/v1/me");
  showUser($("who"), me);
  if (me.role === "admin") {
    $("nav").append(el("a", { href: "/agent", text: "Agent view" }), " · ",
                    el("a", { href: "/trainer", text: "Trainer" }));
  }
  $("detail-close").addEventListener("click", closeDetail);
  $("resolve-ended").addEventListener("click", (e) => resolveEnded(e.currentTarget));
  $("listen-stop").addEventListener("click", () => stopListening("Stopped listening."));

  const snap = await api("/v1/board");
  setServerTime(snap.now);
  applyLive(snap.calls);
  for (const flag of snap.flags) board.flags.set(flag.id, flag);
  board.breaks = snap.breaks;
  board.recent = snap.recent;
  render();
  new Feed("/v1/supervisor/feed", {
    after: snap.feed_after,
    idOf: (m) => (m.type === "feed" ? m.entry.id : null),
    onMessage: onFeed,
    onStatus: (s, why) => showConnection($("conn"), s, why),
  });
  setInterval(tick, 1000);
  setInterval(() => { if (!document.hidden) refreshLive(); }, REFRESH_MS);
}

main().catch((err) => announce(`The board could not start: ${err.message}`));
