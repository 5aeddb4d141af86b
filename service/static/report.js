// One scorecard's report: waits until scoring is done, then shows the HTML report.
import { api, showUser } from "/static/common.js";

const $ = (id) => document.getElementById(id);

async function main() {
  showUser($("who"), await api("/v1/me"));
  const jobId = decodeURIComponent(location.pathname.split("/").pop());
  for (;;) {
    const job = await api(`/v1/recordings/${encodeURIComponent(jobId)}`);
    if (job.status === "failed") {
      $("status").textContent = `Scoring failed: ${job.error}`;
      return;
    }
    if (job.status === "done") {
      const score = job.overall_score === null ? "no score" : `${Math.round(job.overall_score)}/100`;
      $("title").textContent = `Scorecard · ${job.call_id} · ${score}`;
      document.title = `Scorecard ${job.call_id} · calltone`;
      $("status").textContent = job.agent_id ? `Agent ${job.agent_id}` : "";
      $("open-full").href = job.html_url;
      $("open-json").href = job.scorecard_url;
      $("links").hidden = false;
      const frame = $("report");
      frame.src = job.html_url;
      frame.hidden = false;
      return;
    }
    $("status").textContent = `This recording is ${job.status}; the report opens when it is scored.`;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

main().catch((err) => { $("status").textContent = `Could not open the scorecard: ${err.message}`; });
