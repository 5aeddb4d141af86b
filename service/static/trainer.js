// Trainer pages: upload a recording to be scored (POST /v1/recordings) and list the scorecards.
import { api, el, fmtClock, pad2, parseTime, showUser, syncList } from "/static/common.js";

const $ = (id) => document.getElementById(id);
let timer = null;

function when(iso) {
  const d = new Date(parseTime(iso));
  return `${d.toLocaleDateString()} ${fmtClock(iso)}`;
}

function createRow() {
  return el("tr", {},
    el("td", { class: "when" }), el("td", { class: "call" }), el("td", { class: "agent" }),
    el("td", { class: "status" }), el("td", { class: "num score" }), el("td", { class: "link" }));
}

function updateRow(row, job) {
  row.dataset.jobId = job.job_id;
  row.dataset.status = job.status;
  row.querySelector(".when").textContent = when(job.created_at);
  row.querySelector(".call").textContent = job.call_id || "";
  row.querySelector(".agent").textContent = job.agent_id || "—";
  const status = row.querySelector(".status");
  status.textContent = job.status === "failed" ? `failed: ${job.error}` : job.status;
  row.querySelector(".score").textContent =
    job.overall_score === null || job.overall_score === undefined
      ? "—" : String(Math.round(job.overall_score));
  const link = row.querySelector(".link");
  if (job.status === "done" && !link.querySelector("a")) {
    link.replaceChildren(el("a", { href: `/trainer/scorecards/${encodeURIComponent(job.job_id)}`,
                                   text: "Open report" }));
  } else if (job.status !== "done") {
    link.replaceChildren();
  }
}

async function refresh() {
  clearTimeout(timer);
  let jobs = [];
  try {
    jobs = await api("/v1/scorecards?limit=100");
  } catch (err) {
    $("upload-status").textContent = `Could not list the scorecards: ${err.message}`;
  }
  syncList($("cards"), jobs, (j) => j.job_id, createRow, updateRow);
  $("cards-empty").hidden = jobs.length > 0;
  $("cards-table").hidden = jobs.length === 0;
  const busy = jobs.some((j) => j.status === "queued" || j.status === "running");
  timer = setTimeout(refresh, busy ? 2000 : 20000);
}

async function upload(event) {
  event.preventDefault();
  const form = $("upload");
  const data = new FormData(form);
  for (const key of ["agent_id", "call_id", "customer_name"]) {
    if (!String(data.get(key) || "").trim()) data.delete(key);
  }
  const file = data.get("file");
  if (file && file.lastModified) {  // the report's date: the file's own, as the trainer's disk has it
    const d = new Date(file.lastModified);
    data.set("recorded_at", `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} `
                            + `${pad2(d.getHours())}:${pad2(d.getMinutes())} (file date)`);
  }
  const button = $("upload-btn");
  button.disabled = true;
  $("upload-status").textContent = `Uploading ${file.name}…`;
  try {
    const job = await api("/v1/recordings", { method: "POST", body: data });
    $("upload-status").textContent =
      `${file.name} is queued for scoring (job ${job.job_id}); it appears below when done.`;
    form.reset();
    await refresh();
  } catch (err) {
    $("upload-status").textContent = `Could not score ${file.name}: ${err.message}`;
  } finally {
    button.disabled = false;
  }
}

async function main() {
  $("upload").addEventListener("submit", upload);
  $("upload-btn").disabled = false;
  const me = await api("/v1/me");
  showUser($("who"), me);
  if (me.role === "admin") {
    $("nav").append(el("a", { href: "/board", text: "Board" }), " · ",
                    el("a", { href: "/agent", text: "Agent view" }));
  }
  await refresh();
}

main().catch((err) => { $("upload-status").textContent = `This page could not start: ${err.message}`; });
