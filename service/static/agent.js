// The agent's second screen: one large, calm alert at a time with its tip, Dismiss and
// "Not helpful" (stored as feedback), and a browser notification when the tab is hidden.
// Follows WS /v1/agents/{agent_id}/alerts and resumes after the last alert id it saw.
import { api, el, Feed, parseTime, serverNow, showConnection, showUser } from "/static/common.js";

const $ = (id) => document.getElementById(id);
const FRESH_MS = 120000;  // older alerts in a feed's backlog are history, not news

const view = {
  agentId: null,
  key: null,
  current: null,
  queue: [],
  inBacklog: true,
  notified: 0,
};

function announce(text) {
  $("announce").textContent = text;
}

function show() {
  const a = view.current;
  const card = $("alert");
  $("calm").hidden = Boolean(a);
  card.hidden = !a;
  if (!a) {
    delete card.dataset.alertId;
    return;
  }
  card.dataset.kind = a.kind;
  card.dataset.alertId = String(a.id);
  $("alert-message").textContent = a.message;
  $("alert-tip").textContent = a.tip;
  $("alert-source").textContent = a.source && a.source.title
    ? `From the guidance: ${a.source.title}` : "";
  $("dismiss").textContent = a.kind === "take_a_break" ? "OK" : "Dismiss";
  $("not-helpful").disabled = false;
  $("alert-more").textContent = view.queue.length
    ? `${view.queue.length} more after this one` : "";
}

function receive(alert) {
  const current = view.current;
  if (current && current.id === alert.id) return;
  if (!current || (current.kind === alert.kind && alert.kind !== "take_a_break")) {
    view.current = alert;  // a newer nudge of the same kind replaces the one showing
  } else {
    view.queue = view.queue.filter((q) => q.kind !== alert.kind || q.kind === "take_a_break");
    view.queue.push(alert);
  }
  show();
  notify(alert);
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
  view.current = view.queue.shift() || null;
  show();
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
  if (view.inBacklog && serverNow() - parseTime(alert.created_at) > FRESH_MS) return;
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

async function main() {
  const me = await api("/v1/me");
  showUser($("who"), me);
  let agentId = me.agent_id;
  if (me.role !== "agent") {
    $("nav").append(el("a", { href: "/board", text: "Board" }), " · ",
                    el("a", { href: "/trainer", text: "Trainer" }));
    agentId = new URLSearchParams(location.search).get("agent_id");
    if (!agentId) {
      $("pick").hidden = false;
      $("calm").hidden = true;
      return;
    }
    $("title").textContent = `Alerts of ${agentId}`;
  }
  view.agentId = agentId;
  view.key = `calltone.alerts.${agentId}.after`;
  $("dismiss").addEventListener("click", dismiss);
  $("not-helpful").addEventListener("click", notHelpful);
  setupPermission();
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
