// Shared helpers for the calltone pages: REST calls, resuming feeds, small DOM builders.
// The session cookie authenticates fetch and WebSocket calls; this code never sees the token.

/** Build an element: el("p", {class: "x", text: "hi"}, child, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

/** Difference between the server's clock and ours (ms): from responses' Date header (1 s
 * resolution) until a page reports the server's exact time with setServerTime(). */
export const clock = { offsetMs: 0, exact: false };

/** Milliseconds since the epoch of an ISO time (microseconds trimmed for Date.parse). */
export function parseTime(iso) {
  return Date.parse(String(iso).replace(/(\.\d{3})\d+/, "$1"));
}

export function setServerTime(iso) {
  const t = parseTime(iso);
  if (!Number.isNaN(t)) {
    clock.offsetMs = t - Date.now();
    clock.exact = true;
  }
}

/** Call the REST API; a 401 sends the browser back to sign in. */
export async function api(path, { method = "GET", json, body } = {}) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (body !== undefined) {
    init.body = body;
  }
  const response = await fetch(path, init);
  const date = Date.parse(response.headers.get("date") || "");
  if (!Number.isNaN(date) && !clock.exact) clock.offsetMs = date - Date.now();
  if (response.status === 401) {
    location.assign("/signin?why=expired&next=" + encodeURIComponent(location.pathname));
    throw new ApiError(401, "signed out");
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = { detail: text };
  }
  if (!response.ok) {
    const detail = data && data.detail ? data.detail : response.statusText;
    throw new ApiError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return data;
}

export function serverNow() {
  return Date.now() + clock.offsetMs;
}

export function wsUrl(path, params = {}) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

/**
 * A feed socket that resumes where it left off: it reconnects with ?after=<last id seen>
 * after a drop (1 s, then slower up to 15 s) and stops for good when the server refuses it.
 * idOf(message) gives the id of an item message (null for others).
 */
export class Feed {
  constructor(path, { after = 0, idOf, onMessage, onStatus }) {
    this.path = path;
    this.after = after;
    this.idOf = idOf;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.delayMs = 1000;
    this.stopped = false;
    this.refusal = null;
    this.connect();
  }

  connect() {
    if (this.stopped) return;
    this.onStatus(this.ws ? "reconnecting" : "connecting");
    const ws = new WebSocket(wsUrl(this.path, { after: this.after }));
    this.ws = ws;
    ws.onmessage = (event) => {
      let msg;
      try {
        msg = JSON.parse(event.data);
      } catch {
        return;
      }
      if (msg.type === "error") {
        this.refusal = msg;
      } else if (msg.type === "ready") {
        this.delayMs = 1000;
        this.onStatus("live");
      }
      const id = this.idOf(msg);
      if (id !== null && id !== undefined) this.after = Math.max(this.after, id);
      this.onMessage(msg);
    };
    ws.onclose = (event) => {
      if (this.stopped) return;
      if (event.code === 1008 || event.code === 1007) {  // refused: retrying will not help
        this.stopped = true;
        this.onStatus("closed", this.refusal ? this.refusal.message : "the server refused");
        return;
      }
      this.onStatus("reconnecting");
      setTimeout(() => this.connect(), this.delayMs);
      this.delayMs = Math.min(this.delayMs * 2, 15000);
    };
  }

  close() {
    this.stopped = true;
    if (this.ws) this.ws.close();
  }
}

/** Show the connection state in the header's status element. */
export function showConnection(node, state, why) {
  node.dataset.state = state;
  const words = {
    connecting: "Connecting…",
    live: "Live",
    reconnecting: "Reconnecting…",
    closed: "Disconnected" + (why ? ": " + why : ""),
  };
  node.textContent = words[state] || state;
}

/** Fill the header's "signed in as" line. */
export function showUser(node, me) {
  node.textContent = `${me.name} · ${me.role}`;
}

export function pad2(n) {
  return String(n).padStart(2, "0");
}

/** 75 -> "1:15"; 3725 -> "1:02:05". */
export function fmtDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}:${pad2(m)}:${pad2(s % 60)}` : `${m}:${pad2(s % 60)}`;
}

/** An ISO time as local HH:MM. */
export function fmtClock(iso) {
  const d = new Date(parseTime(iso));
  return Number.isNaN(d.getTime()) ? "" : `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** How urgent a tile state is: a board never shows a calmer state than one of its signals. */
export const STATE_RANK = { calm: 0, customer_raised: 1, agent_tense: 2, yelling: 3, flagged: 4 };

/** The phrase cue names as people say them. */
const CUE_WORDS = {
  customer_name_used: "used the customer's name",
};

export function cueWords(cue) {
  return CUE_WORDS[cue] || String(cue || "phrase").replaceAll("_", " ");
}

/** The automatic resolver's name (service/routes/pages.py AUTO_RESOLVER). */
export const AUTO_RESOLVER = "calltone.auto";

const KIND_WORDS = {
  de_escalate: "De-escalate",
  let_them_finish: "Let them finish",
  calm_down: "Calm down",
  take_a_break: "Take a break",
  escalation_flag: "Escalation flag",
  yelling: "Yelling",
  interruption: "Interruption",
  agent_tone: "Agent tone",
  dead_air: "Dead air",
  phrase: "Phrase",
  rushing: "Rushing",
};

export function kindWords(kind) {
  return KIND_WORDS[kind] || String(kind).replaceAll("_", " ");
}

export const STATE_WORDS = {
  calm: "Calm",
  customer_raised: "Customer raised",
  agent_tense: "Agent tense",
  yelling: "Yelling",
  flagged: "Flagged",
  ended: "Ended",
  interrupted: "Interrupted",
};

/** Keep a list's children in step with items, one element per key, updated in place. */
export function syncList(container, items, keyOf, create, update) {
  const existing = new Map();
  for (const child of [...container.children]) {
    if (child.dataset.key) existing.set(child.dataset.key, child);
  }
  let previous = null;
  for (const item of items) {
    const key = String(keyOf(item));
    let node = existing.get(key);
    if (node) existing.delete(key);
    else {
      node = create(item);
      node.dataset.key = key;
    }
    update(node, item);
    const wanted = previous ? previous.nextElementSibling : container.firstElementChild;
    if (wanted !== node) container.insertBefore(node, wanted);
    previous = node;
  }
  for (const node of existing.values()) node.remove();
  for (const child of [...container.children]) {
    if (!child.dataset.key) child.remove();
  }
}
