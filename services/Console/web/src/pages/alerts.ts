// Alerts: the live list from the alert stream (no reload), newest first, with severity, evidence (the statistic
// against its threshold, the features that moved most) and the retrain each one caused; acknowledge from the page.
import { enc, get, num } from "../api";
import { encodeStrings, unary } from "../grpcweb";
import type { AlertList, Job } from "../types";
import { act, ago, badge, enumName, esc, fmt, when } from "../ui";
import type { Context } from "../main";

export async function alertsPage(main: HTMLElement, ctx: Context): Promise<() => void> {
  main.innerHTML = `<h1>Alerts <span class="muted small" id="alerts-state"></span></h1><section id="alerts"></section>`;
  let jobs: Job[] = [];
  const render = () => {
    (main.querySelector("#alerts-state") as HTMLElement).textContent = `live stream: ${ctx.alerts.state}`;
    const list = ctx.alerts.list();
    const target = main.querySelector("#alerts") as HTMLElement;
    if (list.length === 0) {
      target.innerHTML = `<p class="muted" id="no-alerts">No alerts. New ones appear here as Monitoring raises them.</p>`;
      return;
    }
    target.innerHTML = `<table class="alerts"><thead><tr><th>When</th><th>Model</th><th>Severity</th><th>Kind</th><th>Evidence</th><th>Top features</th><th>Retrain</th><th></th></tr></thead><tbody>${list
      .map((a) => {
        const retrain = jobs.find((j) => (j.spec?.alertIds ?? []).includes(a.alertId));
        const acknowledged = ctx.alerts.acknowledgements.get(a.alertId);
        const features = (a.topFeatures ?? []).slice(0, 3).map((f) => `${esc(f.feature)} PSI ${esc(fmt(num(f.psi), 3))}`).join("<br>");
        return `<tr class="alert" data-alert="${esc(a.alertId)}">
          <td title="${esc(a.detectedAt)}">${esc(ago(a.detectedAt))}</td>
          <td><a href="#/models/${enc(a.model)}">${esc(a.model)}</a> v${esc(a.version ?? 0)}</td>
          <td>${badge(enumName(a.severity, "SEVERITY_"))}</td>
          <td>${esc(kindOf(a.kind))}</td>
          <td>${esc(a.statistic)} ${esc(fmt(num(a.value), 4))} vs ${esc(fmt(num(a.threshold), 4))}<br><span class="muted small">${esc(a.summary)}</span></td>
          <td class="small">${features || "–"}</td>
          <td>${retrain ? `<a href="#/jobs">${esc(enumName(retrain.status?.state, "JOB_STATE_"))}${retrain.status?.modelVersion ? ` → v${esc(retrain.status.modelVersion)}` : ""}</a>` : "–"}</td>
          <td>${acknowledged
            ? `${badge("acknowledged")}<br><span class="small acknowledgement">acknowledged by ${esc(acknowledged.actor)} at ${esc(when(acknowledged.at))}</span>`
            : `<button type="button" class="ack" ${ctx.who.may.acknowledge ? "" : "disabled"}>Acknowledge</button>`}</td></tr>`;
      })
      .join("")}</tbody></table>`;
    target.querySelectorAll<HTMLButtonElement>("button.ack").forEach((button) => {
      const id = button.closest("tr")!.getAttribute("data-alert")!;
      const model = ctx.alerts.alerts.get(id)?.model ?? "";
      // Monitoring decides who acknowledged (the principal when authentication is on) and when: read it back rather
      // than guess, so the row says what a reload would.
      const acknowledge = async () => {
        await unary("/cascade.monitoring.v1.Monitoring/AcknowledgeAlert", encodeStrings({ 1: id, 2: ctx.who.authEnabled ? "" : "console" }));
        const listed = await get<AlertList>(`/v1/alerts?model=${enc(model)}&limit=1000`);
        ctx.alerts.acknowledged(listed.acknowledgements ?? {});
      };
      button.addEventListener("click", () => void act(button, "Acknowledge", acknowledge));
    });
  };
  const loadJobs = async () => {
    jobs = (await get<{ jobs?: Job[] }>("/v1/jobs?limit=200").catch(() => ({ jobs: [] as Job[] }))).jobs ?? [];
    render();
  };
  render();
  await loadJobs();
  const unsubscribe = ctx.alerts.onChange(render);
  const timer = window.setInterval(() => void loadJobs(), 5000);
  return () => {
    unsubscribe();
    window.clearInterval(timer);
  };
}

/** feature drift, prediction drift, performance drift, model load failed. */
function kindOf(kind: string | undefined): string {
  const name = enumName(kind, "DRIFT_KIND_");
  return ["feature", "prediction", "performance"].includes(name) ? `${name} drift` : name;
}
