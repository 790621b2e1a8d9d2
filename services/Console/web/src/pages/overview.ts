// Overview: every model with its champion, challenger, traffic policy, predictions per second, latest alert and
// feature freshness; then the pipeline's stages with their current figures.
import { enc, get, num } from "../api";
import type { Job, LoadedModel, Model, PipelineStatus, Policy } from "../types";
import { ago, badge, enumName, errorBox, esc, fmt, rate } from "../ui";
import type { Context } from "../main";

export async function overview(main: HTMLElement, ctx: Context): Promise<() => void> {
  main.innerHTML = `<h1>Overview</h1><section id="models"><p class="muted">Loading models…</p></section>
    <h2>Pipeline</h2><section id="pipeline" class="stages"><p class="muted">Loading figures…</p></section><p id="pipeline-note" class="muted small"></p>`;
  const render = async () => {
    const [models, serving, pipeline, jobs, policies] = await Promise.all([
      get<{ models?: Model[] }>("/v1/models"),
      get<{ models?: LoadedModel[] }>("/v1/serving").catch(() => ({ models: [] as LoadedModel[] })),
      get<PipelineStatus>("/v1/pipeline").catch((e: Error) => ({ error: e.message }) as PipelineStatus & { error?: string }),
      get<{ jobs?: Job[] }>("/v1/jobs?limit=200").catch(() => ({ jobs: [] as Job[] })),
      get<{ policies?: Policy[] }>("/v1/training-policies").catch(() => ({ policies: [] as Policy[] })),
    ]);
    const views = [...new Set((policies.policies ?? []).map((p) => p.spec?.featureView).filter((v): v is string => !!v))];
    const freshness = new Map<string, string>();
    await Promise.all(views.map(async (view) => {
      try {
        const status = await get<{ freshnessP50Ms?: number; freshnessP99Ms?: number; freshnessSamples?: string }>(`/v1/feature-views/${enc(view)}/status`);
        freshness.set(view, num(status.freshnessSamples) > 0 ? `p50 ${fmt(num(status.freshnessP50Ms), 0)} ms · p99 ${fmt(num(status.freshnessP99Ms), 0)} ms` : "no records yet");
      } catch (e) {
        freshness.set(view, "–");
      }
    }));
    const viewOf = new Map((policies.policies ?? []).map((p) => [p.spec?.model ?? "", p.spec?.featureView ?? ""]));
    const loaded = new Map((serving.models ?? []).map((m) => [m.model, m]));
    const perSecond = new Map((pipeline.predictions ?? []).map((p) => [p.model, p]));
    const list = models.models ?? [];
    $models(main).innerHTML = list.length === 0
      ? `<p class="muted">No models yet. Run <code>./cascade demo</code> or apply a training policy.</p>`
      : `<table class="models"><thead><tr><th>Model</th><th>Champion</th><th>Challenger</th><th>Traffic</th><th>Predictions</th><th>Latest alert</th><th>Feature freshness</th></tr></thead><tbody>${list.map((m) => {
          const live = loaded.get(m.name);
          const traffic = live && num(live.challengerVersion) > 0 ? (live.shadow ? `shadow v${live.challengerVersion}` : `canary ${fmt(num(live.canaryPercent), 1)}% → v${live.challengerVersion}`) : "champion only";
          const alert = ctx.alerts.latestFor(m.name);
          const view = viewOf.get(m.name) ?? "";
          return `<tr>
            <td><a class="model-link" href="#/models/${enc(m.name)}">${esc(m.name)}</a></td>
            <td>${m.championVersion ? `v${esc(m.championVersion)}` : "–"}${live ? ` <span class="muted">(serving v${esc(live.version)})</span>` : ""}</td>
            <td>${m.challengerVersion ? `v${esc(m.challengerVersion)}` : "–"}</td>
            <td>${esc(traffic)}</td>
            <td>${reached(pipeline, "serving") ? esc(rate(perSecond.get(m.name)?.predictionsPerSecond)) : `<span class="muted">unavailable</span>`}</td>
            <td>${alert ? `${badge(enumName(alert.severity, "SEVERITY_"))} ${esc(ago(alert.detectedAt))}` : `<span class="muted">none</span>`}</td>
            <td>${view ? `${esc(view)}: ${esc(freshness.get(view) ?? "–")}` : "–"}</td></tr>`;
        }).join("")}</tbody></table>`;

    const states = (jobs.jobs ?? []).map((j) => j.status?.state);
    const queued = states.filter((s) => s === "JOB_STATE_QUEUED").length;
    const running = states.filter((s) => s === "JOB_STATE_RUNNING").length;
    const error = (pipeline as { error?: string }).error;
    const stage = (title: string, body: string) => `<div class="stage"><h3>${esc(title)}</h3>${body}</div>`;
    const rows = (items: string[]) => (items.length ? `<ul>${items.join("")}</ul>` : `<p class="muted">nothing yet</p>`);
    $pipeline(main).innerHTML = error
      ? `<p class="error">Pipeline figures unavailable: ${esc(error)}</p>`
      : [
          stage("Ingestion", figures(pipeline, "ingestion", () => rows((pipeline.ingest ?? []).map((d) => `<li>${esc(d.dataset)}: <b>${esc(rate(d.acceptedPerSecond))}</b> <span class="muted">(${esc(num(d.acceptedTotal))} accepted, ${esc(num(d.rejectedTotal))} rejected)</span></li>`)))),
          stage("Features", figures(pipeline, "features", () => rows((pipeline.freshness ?? []).map((f) => `<li>${esc(f.featureView)}: freshness p50 <b>${esc(fmt(num(f.p50Ms), 0))} ms</b>, p99 ${esc(fmt(num(f.p99Ms), 0))} ms</li>`)))),
          // Each process reports the consumers it runs: the groups of the services that answered.
          stage("Consumer lag", (pipeline.sources ?? []).length === 0 ? `<p class="muted unavailable">unavailable</p>` : rows(lagByGroup(pipeline).map(([group, lag, topics]) => `<li title="${esc(topics.join(", "))}">${esc(group)}: <b>${esc(lag)}</b> <span class="muted small">(${topics.length} topic${topics.length === 1 ? "" : "s"})</span></li>`))),
          stage("Training", `<ul><li>queued: <b>${queued}</b></li><li>running: <b>${running}</b></li></ul>`),
          stage("Serving", figures(pipeline, "serving", () => rows((pipeline.predictions ?? []).map((p) => `<li>${esc(p.model)}: <b>${esc(rate(p.predictionsPerSecond))}</b>${num(p.canaryPerSecond) > 0 ? ` <span class="muted">(canary ${esc(rate(p.canaryPerSecond))})</span>` : ""}${num(p.shadowPerSecond) > 0 ? ` <span class="muted">(shadow ${esc(rate(p.shadowPerSecond))})</span>` : ""}</li>`)))),
          stage("Monitoring", `<ul><li>alerts seen: <b>${ctx.alerts.alerts.size}</b></li><li>stream: <b>${esc(ctx.alerts.state)}</b></li></ul>`),
        ].join("");
    const missing = FIGURE_AREAS.filter((area) => !reached(pipeline, area));
    (main.querySelector("#pipeline-note") as HTMLElement).textContent = error
      ? ""
      : `Rates over the last ${fmt(num(pipeline.rateWindowSeconds), 0)} s, from the totals of ${(pipeline.sources ?? []).map((s) => s.split(".").at(-1)).join(", ") || "no service"}.` +
        (missing.length ? ` Unavailable: ${missing.join(", ")} (not answering, or no metrics URL set).` : "");
  };
  const refresh = () => render().catch((e) => ($models(main).innerHTML = errorBox(e)));
  await refresh();
  const timer = window.setInterval(refresh, 5000);
  // A replay delivers many alerts at once: redraw once for them all.
  let pending = 0;
  const unsubscribe = ctx.alerts.onChange(() => {
    window.clearTimeout(pending);
    pending = window.setTimeout(() => void refresh(), 300);
  });
  return () => {
    window.clearInterval(timer);
    window.clearTimeout(pending);
    unsubscribe();
  };
}

const $models = (main: HTMLElement) => main.querySelector("#models") as HTMLElement;
const $pipeline = (main: HTMLElement) => main.querySelector("#pipeline") as HTMLElement;

/** The areas whose figures the stages show; each comes from that service's own totals. */
const FIGURE_AREAS = ["ingestion", "features", "serving"];

/**
 * Whether the console read the totals of `area`'s service (its gRPC name is in `sources`: `cascade.serving.v1.Serving`).
 * A service that did not answer is missing there, and only its figures are shown as unavailable.
 */
function reached(pipeline: PipelineStatus, area: string): boolean {
  return (pipeline.sources ?? []).some((source) => source.split(".")[1] === area);
}

/** A stage's figures, or "unavailable" when its service's totals could not be read. */
function figures(pipeline: PipelineStatus, area: string, body: () => string): string {
  return reached(pipeline, area) ? body() : `<p class="muted unavailable">unavailable</p>`;
}

/** Records not yet read per consumer group, over its topics (each topic's figure in the item's tooltip). */
function lagByGroup(pipeline: PipelineStatus): [string, number, string[]][] {
  const groups = new Map<string, { lag: number; topics: string[] }>();
  for (const l of pipeline.consumerLag ?? []) {
    const group = groups.get(l.group) ?? { lag: 0, topics: [] };
    group.lag += num(l.lag);
    group.topics.push(`${l.topic}: ${num(l.lag)}`);
    groups.set(l.group, group);
  }
  return [...groups].map(([name, g]) => [name, g.lag, g.topics]);
}
