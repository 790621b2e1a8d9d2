// Jobs: queued, running (with progress: rounds done of rounds planned), finished and failed jobs with their trigger
// and worker; trigger a retrain of a model, cancel a job that has not finished.
import { enc, get, num, post } from "../api";
import type { Job, Model } from "../types";
import { act, badge, enumName, errorBox, esc, when } from "../ui";
import type { Context } from "../main";

export async function jobsPage(main: HTMLElement, ctx: Context): Promise<() => void> {
  main.innerHTML = `<h1>Jobs</h1>
    <div class="toolbar"><label>Model <select id="trigger-model"></select></label>
      <button id="trigger" type="button" ${ctx.who.may.trigger ? "" : "disabled"}>Trigger training</button></div>
    <section id="jobs"><p class="muted">Loading…</p></section>`;
  const select = main.querySelector("#trigger-model") as HTMLSelectElement;
  const models = (await get<{ models?: Model[] }>("/v1/models").catch(() => ({ models: [] as Model[] }))).models ?? [];
  select.innerHTML = models.map((m) => `<option>${esc(m.name)}</option>`).join("");
  const trigger = main.querySelector("#trigger") as HTMLButtonElement;
  trigger.addEventListener("click", () => void act(trigger, `Training ${select.value}`, () => post(`/v1/models/${enc(select.value)}/jobs`, { reason: "triggered from the console" }), () => void render()));

  const render = async () => {
    const target = main.querySelector("#jobs") as HTMLElement;
    try {
      const jobs = (await get<{ jobs?: Job[] }>("/v1/jobs?limit=100")).jobs ?? [];
      target.innerHTML = jobs.length === 0 ? `<p class="muted">No jobs yet.</p>` : `<table class="jobs"><thead><tr><th>Job</th><th>Model</th><th>Trigger</th><th>State</th><th>Progress</th><th>Worker</th><th>Queued</th><th>Finished</th><th>Result</th><th></th></tr></thead><tbody>${jobs
        .map((j) => {
          const s = j.status ?? {};
          const state = enumName(s.state, "JOB_STATE_");
          const done = num(s.roundsDone);
          const planned = num(s.roundsPlanned);
          const progress = planned > 0 ? `<progress max="${planned}" value="${done}"></progress> <span class="small">${done}/${planned} rounds</span>` : state === "queued" ? "waiting" : "–";
          const open = s.state === "JOB_STATE_QUEUED" || s.state === "JOB_STATE_RUNNING";
          return `<tr data-job="${esc(j.id)}"><td><code>${esc(j.id.slice(0, 12))}</code></td><td>${esc(j.spec?.model)}</td>
            <td>${esc(enumName(j.spec?.trigger, "TRIGGER_KIND_"))}<br><span class="muted small">${esc(j.spec?.triggerReason)}</span></td>
            <td>${badge(state)}${s.attempts && s.attempts > 1 ? ` <span class="small">attempt ${esc(s.attempts)}</span>` : ""}</td>
            <td>${progress}</td><td>${esc(s.worker ?? "–")}${s.device ? ` <span class="muted small">(${esc(s.device)})</span>` : ""}</td>
            <td>${esc(when(s.queuedAt))}</td><td>${esc(when(s.finishedAt))}</td>
            <td>${s.modelVersion ? `v${esc(s.modelVersion)}${s.promoted ? " " + badge("promoted") : ""}` : s.error ? `<span class="error small">${esc(s.error)}</span>` : "–"}</td>
            <td>${open ? `<button type="button" class="cancel" ${ctx.who.may.cancel ? "" : "disabled"}>Cancel</button>` : ""}</td></tr>`;
        })
        .join("")}</tbody></table>`;
      target.querySelectorAll<HTMLButtonElement>("button.cancel").forEach((button) => {
        const id = button.closest("tr")!.getAttribute("data-job")!;
        button.addEventListener("click", () => void act(button, "Cancel", () => post(`/v1/jobs/${enc(id)}:cancel`), () => void render()));
      });
    } catch (e) {
      target.innerHTML = errorBox(e);
    }
  };
  await render();
  const timer = window.setInterval(() => void render(), 2000);
  return () => window.clearInterval(timer);
}
