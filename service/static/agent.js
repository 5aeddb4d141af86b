// The agent's second screen: the newest alert of the current call in front, large and calm, with
// its time and call, its tip, Dismiss and "Not helpful" (stored as feedback); older alerts fold
// into a short history with their times. An alert whose call has ended fades on its own (an
// agent on a headset will not dismiss cards mid-call), and so does one that has grown stale.
// Follows WS /v1/agents/{agent_id}/alerts and resumes after the last alert id it saw.
import {
  api, el, Feed, fmtClock, fmtDuration, kindWords, parseTime, serverNow, showConnection, showUser,
} from "/static/common.js";

const $ = (id) => document.getElementById(id);
const FRESH_MS = 120000;  // older alerts in a feed's backlog are history, not news
const STALE_MS = 180000;  // an alert still in front after this long fades (the moment is gone)
const BREAK_STALE_MS = 900000;  // a take-a-break is about the time after a call: longer
const FADE_MS = 6000;  // how long an ended call's alert stays, faded, before it goes
const CALL_CHECK_MS = 3000;  // how often the front alert's call is checked (still live?)
const HISTORY = 8;

const view = {
  agentId: null,
  key: null,
  current: null,   // the alert in front
  history: [],     // earlier alerts, newest first
  ended: new Set(),  // call ids known to have ended
  inBacklog: true,
  notified: 0,
  fadeTimer: null,
};

function announce(text) {
  $("announce").textContent = text;
}

function ageMs(alert) {
  return serverNow() - parseTime(alert.created_at);
}

function whenWords(alert) {
  const parts = [fmtClock(alert.created_at)];
  if (alert.call_id) parts.push(`call ${alert.call_id}`);
  if (typeof alert.at_s === "number") parts.push(`${fmtDuration(alert.at_s)} into the call`);
  return parts.join(" · ");
}

function show() {
  const a = view.current;
  const card = $("alert");
  $("calm").hidden = Boolean(a);
  card.hidden = !a;
  if (!a) {
    delete card.dataset.alertId;
    delete card.dataset.ended;
  } else {
    card.dataset.kind = a.kind;
    card.dataset.alertId = String(a.id);
    card.dataset.callId = a.call_id;
    const ended = view.ended.has(a.call_id) && a.kind !== "take_a_break";
    card.dataset.ended = ended ? "yes" : "no";
    card.classList.toggle("fading", ended);
    $("alert-when").textContent = whenWords(a) + (ended ? " · the call has ended" : "");
    $("alert-message").textContent = a.message;
    $("alert-tip").textContent = a.tip;
    $("alert-source").textContent = a.source && a.source.title
      ? `From the guidance: ${a.source.title}` : "";
    $("dismiss").textContent = a.kind === "take_a_break" ? "OK" : "Dismiss";
    $("not-helpful").disabled = false;
  }
  const items = view.history.slice(0, HISTORY);
  $("history").hidden = items.length === 0;
  $("history-count").textContent = String(items.length);
  $("history-list").replaceChildren(...items.map((h) => el("li", {
    dataset: { alertId: h.id, kind: h.kind },
  }, el("span", { class: "t", text: fmtClock(h.created_at) }),
     el("span", { class: "kind", text: kindWords(h.kind) }), " ",
     el("span", { text: h.message }), " ",
     el("span", { class: "muted", text: `call ${h.call_id}` }))));
}

function toHistory(alert) {
  if (!alert) return;
  view.history = [alert, ...view.history.filter((h) => h.id !== alert.id)].slice(0, HISTORY);
}

function receive(alert) {
  const current = view.current;
  if (current && current.id === alert.id) return;
  if (current && current.id > alert.id) {  // arrived late: it is history already
    toHistory(alert);
    view.history.sort((x, y) => y.id - x.id);
  } else {
    toHistory(current);  // the newest alert goes in front; the one it replaces is history
    view.current = alert;
    clearTimeout(view.fadeTimer);
    view.fadeTimer = null;
  }
  show();
  notify(alert);
  checkCall();
}

function retire() {
  toHistory(view.current);
  view.current = null;
  clearTimeout(view.fadeTimer);
  view.fadeTimer = null;
  show();
}

/** Stale or ended-call alerts leave the front on their own. */
function age() {
  const a = view.current;
  if (!a) return;
  const limit = a.kind === "take_a_break" ? BREAK_STALE_MS : STALE_MS;
  if (ageMs(a) > limit) {
    retire();
    return;
  }
  if (view.ended.has(a.call_id) && a.kind !== "take_a_break" && !view.fadeTimer) {
    show();
    view.fadeTimer = setTimeout(() => {
      view.fadeTimer = null;
      if (view.current === a) retire();
    }, FADE_MS);
  }
}

async function checkCall() {
  const a = view.current;
  if (!a || a.kind === "take_a_break" || view.ended.has(a.call_id)) return;
  try {
    const d = await api(`/v1/calls/${encodeURIComponent(a.call_id)}`);
    if (d.call.state !== "live") view.ended.add(a.call_id);
  } catch (err) {
    if (err.status === 404) view.ended.add(a.call_id);  // gone: purged, so long over
  }
  age();
}

function notify(alert) {
  if (document.visibilityState !== "hidden") return;
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const n = new Notification(alert.message, {
    body: alert.tip, tag: `calltone-${alert.kind}`, silent: true,
  });
  n.onclick = () => {
    window.focus();
    n.close();
  };
  view.notified += 1;
  document.body.dataset.notified = String(view.notified);
}

function dismiss() {
  retire();
}

async function notHelpful() {
  const a = view.current;
  if (!a) return;
  $("not-helpful").disabled = true;
  try {
    await api(`/v1/alerts/${a.id}/feedback`, { method: "POST", json: { helpful: false } });
    announce("Thanks. Noted that this tip did not help.");
    dismiss();
  } catch (err) {
    $("not-helpful").disabled = false;
    announce(`Could not save your feedback: ${err.message}`);
  }
}

function onMessage(msg) {
  if (msg.type === "ready") {
    view.inBacklog = false;
    return;
  }
  if (msg.type === "error") {
    announce(msg.message);
    return;
  }
  if (msg.type !== "alert") return;
  const alert = msg.alert;
  sessionStorage.setItem(view.key, String(alert.id));
  if (view.inBacklog && ageMs(alert) > FRESH_MS) {
    toHistory(alert);
    view.history.sort((x, y) => y.id - x.id);
    show();
    return;
  }
  receive(alert);
}

function setupPermission() {
  const bar = $("permission");
  if (!("Notification" in window) || Notification.permission !== "default") return;
  if (localStorage.getItem("calltone.notifications") === "no") return;
  bar.hidden = false;
  $("permission-yes").addEventListener("click", async () => {
    bar.hidden = true;
    const answer = await Notification.requestPermission();
    announce(answer === "granted"
      ? "Notifications are on while this tab is in the background."
      : "Notifications stay off.");
  });
  $("permission-no").addEventListener("click", () => {
    localStorage.setItem("calltone.notifications", "no");
    bar.hidden = true;
  });
}

/** An admin with no agent chosen: agents on a live call (and recently) to pick from. */
async function choose() {
  $("pick").hidden = false;
  $("calm").hidden = true;
  const conn = $("conn");
  conn.dataset.state = "idle";
  conn.textContent = "Choose an agent";
  $("title").textContent = "Alerts of an agent";
  let calls = [];
  try {
    calls = await api("/v1/calls?limit=100");
  } catch (err) {
    announce(`Could not list the calls: ${err.message}`);
  }
  const agents = new Map();  // agent -> live?
  for (const c of calls) agents.set(c.agent_id, agents.get(c.agent_id) || c.state === "live");
  const sorted = [...agents].sort((x, y) => Number(y[1]) - Number(x[1]) || x[0].localeCompare(y[0]));
  $("pick-agents").replaceChildren(...sorted.map(([id, live]) => el("li", {},
    el("a", { class: "button quiet", href: `/agent?agent_id=${encodeURIComponent(id)}`,
              dataset: { agentId: id, live: live ? "yes" : "no" } },
      id, live ? el("span", { class: "muted", text: " · on a call" }) : null))));
  $("pick-none").hidden = sorted.length > 0;
  $("pick-agent").focus();
}

async function main() {
  const me = await api("/v1/me");
  showUser($("who"), me);
  let agentId = me.agent_id;
  if (me.role !== "agent") {
    $("nav").append(el("a", { href: "/board", text: "Board" }), " · ",
                    el("a", { href: "/trainer", text: "Trainer" }));
    agentId = new URLSearchParams(location.search).get("agent_id");
    if (!agentId) {
      await choose();
      return;
    }
    $("title").textContent = `Alerts of ${agentId}`;
  }
  view.agentId = agentId;
  view.key = `calltone.alerts.${agentId}.after`;
  $("dismiss").addEventListener("click", dismiss);
  $("not-helpful").addEventListener("click", notHelpful);
  setupPermission();
  setInterval(() => {
    if (view.current && !view.ended.has(view.current.call_id)) checkCall();
    else age();
  }, CALL_CHECK_MS);
  new Feed(`/v1/agents/${encodeURIComponent(agentId)}/alerts`, {
    after: Number(sessionStorage.getItem(view.key) || 0),
    idOf: (m) => (m.type === "alert" ? m.alert.id : null),
    onMessage,
    onStatus: (state, why) => {
      if (state !== "live") view.inBacklog = true;
      showConnection($("conn"), state, why);
    },
  });
}

main().catch((err) => announce(`This page could not start: ${err.message}`));
