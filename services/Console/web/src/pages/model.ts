// Model: its versions with their metrics on the same holdout and the gate's verdicts, actions by role (promote, roll
// back, canary and shadow, retrain), drift over time per feature and for the prediction with the thresholds drawn,
// the current window's drift and realised performance, a version's lineage, two versions side by side, the audit trail.
import { ApiError, enc, get, num, post, put } from "../api";
import { currentDriftChart, disposeCharts, distributionChart, driftChart, mergeVersions, Statistics, type Statistic } from "../charts";
import type { AuditEntry, Distribution, DriftHistory, LoadedModel, Model, ModelHealth, ModelVersion } from "../types";
import { act, badge, enumName, errorBox, esc, fmt, metrics, when } from "../ui";
import type { Context } from "../main";

export async function modelPage(main: HTMLElement, ctx: Context, name: string): Promise<() => void> {
  let statistic: Statistic = "psi";
  let distributionOf = ""; // the feature whose distribution is drawn; empty: the prediction
  let selected = 0;
  const compare = new Set<number>();

  main.innerHTML = `<h1>Model <span id="model-name">${esc(name)}</span></h1>
    <section id="summary"></section>
    <section id="actions" class="actions"></section>
    <h2>Versions</h2><section id="versions"><p class="muted">Loading…</p></section>
    <section id="compare"></section>
    <section id="lineage"></section>
    <h2>Drift over time</h2>
    <div class="toolbar">statistic <select id="statistic">${Object.entries(Statistics).map(([k, v]) => `<option value="${k}">${esc(v.label)}</option>`).join("")}</select>
      <span class="muted small">dashed lines: warning and critical thresholds</span></div>
    <section id="drift" class="charts"><p class="muted">Loading drift history…</p></section>
    <h2>Current window</h2><section id="health" class="split"></section>
    <h2>Distribution against the reference</h2>
    <div class="toolbar">of <select id="distribution-of"><option value="">prediction</option></select>
      <span class="muted small">share of values per reference bin (training deciles): training data and the current window</span></div>
    <section id="distribution" class="chart"></section>
    <h2>Audit trail</h2><section id="audit"></section>`;
  const section = (id: string) => main.querySelector(`#${id}`) as HTMLElement;

  let versions: ModelVersion[] = [];
  let audit: AuditEntry[] = [];

  const renderVersions = (model: Model) => {
    const verdict = (v: number) => audit.filter((a) => a.toVersion === v && ["Promoted", "ChallengerSet", "Rejected"].includes(a.action ?? "")).at(-1);
    section("versions").innerHTML = `<table class="versions"><thead><tr><th>Compare</th><th>Version</th><th>Status</th><th>Created</th><th>Holdout (candidate)</th><th>Champion on same holdout</th><th>Gate</th><th>Trigger</th></tr></thead><tbody>${versions
      .slice()
      .reverse()
      .map((v) => {
        const h = v.spec.holdout;
        const gate = verdict(v.meta.version);
        let gateText = "–";
        if (gate?.evidenceJson) {
          try {
            const d = JSON.parse(gate.evidenceJson);
            gateText = `${d.passed ? "passed" : "refused"}: ${d.metric ?? ""} ${fmt(num(d.candidateValue), 4)} vs ${fmt(num(d.championValue), 4)} (margin ${fmt(num(d.margin), 4)})`;
          } catch {
            gateText = gate.reason ?? "–";
          }
        } else if (gate) gateText = gate.reason ?? "–";
        const isChampion = model.championVersion === v.meta.version;
        return `<tr class="${selected === v.meta.version ? "selected" : ""}" data-version="${v.meta.version}">
          <td><input type="checkbox" class="compare" value="${v.meta.version}" ${compare.has(v.meta.version) ? "checked" : ""} aria-label="compare v${v.meta.version}"></td>
          <td><button type="button" class="link lineage-link">v${esc(v.meta.version)}</button>${isChampion ? " " + badge("champion") : ""}${model.challengerVersion === v.meta.version ? " " + badge("challenger") : ""}</td>
          <td>${esc(enumName(v.meta.status, "VERSION_STATUS_"))}</td>
          <td>${esc(when(v.meta.createdAt))}</td>
          <td>${metrics(h?.candidateMetrics)}${h?.holdoutRows ? ` <span class="muted">(${esc(num(h.holdoutRows))} rows)</span>` : ""}</td>
          <td>${h?.championVersion ? `v${esc(h.championVersion)}: ${metrics(h.championMetrics)}` : "–"}</td>
          <td>${esc(gateText)}</td>
          <td>${esc(v.spec.lineage?.triggerReason ?? "–")}</td></tr>`;
      })
      .join("")}</tbody></table>`;
    section("versions").querySelectorAll<HTMLButtonElement>(".lineage-link").forEach((a) =>
      a.addEventListener("click", () => {
        selected = Number(a.closest("tr")!.getAttribute("data-version"));
        renderVersions(model);
        renderLineage();
      }),
    );
    section("versions").querySelectorAll<HTMLInputElement>("input.compare").forEach((box) =>
      box.addEventListener("change", () => {
        const v = Number(box.value);
        if (box.checked) {
          compare.add(v);
          if (compare.size > 2) compare.delete([...compare][0]);
        } else compare.delete(v);
        renderVersions(model);
        renderCompare();
      }),
    );
  };

  const renderLineage = () => {
    const v = versions.find((x) => x.meta.version === selected);
    if (!v) {
      section("lineage").innerHTML = "";
      return;
    }
    const l = v.spec.lineage ?? {};
    const watermark = (l.watermark?.partitions ?? []).map((p) => `${num(p.partition)}:${num(p.offset)}`).join(", ");
    section("lineage").innerHTML = `<h2>Lineage of v${esc(selected)}</h2><dl class="lineage">
      <dt>Dataset</dt><dd>${esc(l.dataset ?? "–")} (schema v${esc(l.schemaVersion ?? 0)})</dd>
      <dt>Offset watermark</dt><dd>${esc(watermark || "–")}</dd>
      <dt>Feature view</dt><dd>${esc(l.featureView ?? "–")} v${esc(l.featureViewVersion ?? 0)}</dd>
      <dt>Code version</dt><dd><code>${esc(l.codeVersion ?? "–")}</code></dd>
      <dt>Training job</dt><dd><code>${esc(l.trainingJobId ?? "–")}</code></dd>
      <dt>Worker, device</dt><dd>${esc(l.worker ?? "–")}, ${esc(l.device ?? "–")}</dd>
      <dt>Training rows, duration</dt><dd>${esc(num(l.trainingRows))}, ${esc(l.duration ?? "–")}</dd>
      <dt>Parameters</dt><dd>${esc(Object.entries(l.parameters ?? {}).map(([k, p]) => `${k}=${p}`).join(", ") || "–")}</dd>
      <dt>Artifact</dt><dd><code>${esc(v.spec.artifactSha256 ?? "–")}</code></dd></dl>`;
  };

  const renderCompare = () => {
    const pair = [...compare].sort((a, b) => a - b).map((n) => versions.find((v) => v.meta.version === n)).filter((v): v is ModelVersion => !!v);
    if (pair.length !== 2) {
      section("compare").innerHTML = compare.size === 1 ? `<p class="muted">Tick a second version to compare.</p>` : "";
      return;
    }
    const [a, b] = pair;
    const keys = [...new Set([...Object.keys(a.spec.holdout?.candidateMetrics ?? {}), ...Object.keys(b.spec.holdout?.candidateMetrics ?? {})])];
    const params = [...new Set([...Object.keys(a.spec.lineage?.parameters ?? {}), ...Object.keys(b.spec.lineage?.parameters ?? {})])];
    const row = (label: string, x: unknown, y: unknown) => `<tr class="${String(x) !== String(y) ? "differs" : ""}"><th>${esc(label)}</th><td>${esc(x ?? "–")}</td><td>${esc(y ?? "–")}</td></tr>`;
    section("compare").innerHTML = `<h2>v${a.meta.version} and v${b.meta.version} side by side</h2><table class="compare"><thead><tr><th></th><th>v${a.meta.version}</th><th>v${b.meta.version}</th></tr></thead><tbody>
      ${row("status", enumName(a.meta.status, "VERSION_STATUS_"), enumName(b.meta.status, "VERSION_STATUS_"))}
      ${keys.map((k) => row(`holdout ${k}`, fmt(num(a.spec.holdout?.candidateMetrics?.[k]), 4), fmt(num(b.spec.holdout?.candidateMetrics?.[k]), 4))).join("")}
      ${row("holdout", a.spec.holdout?.holdoutFingerprint?.slice(0, 12), b.spec.holdout?.holdoutFingerprint?.slice(0, 12))}
      ${row("training rows", num(a.spec.lineage?.trainingRows), num(b.spec.lineage?.trainingRows))}
      ${row("feature view", `${a.spec.lineage?.featureView} v${a.spec.lineage?.featureViewVersion}`, `${b.spec.lineage?.featureView} v${b.spec.lineage?.featureViewVersion}`)}
      ${row("trigger", a.spec.lineage?.triggerReason, b.spec.lineage?.triggerReason)}
      ${params.map((k) => row(k, a.spec.lineage?.parameters?.[k], b.spec.lineage?.parameters?.[k])).join("")}
      </tbody></table>`;
  };

  const renderActions = (model: Model, live: LoadedModel | undefined) => {
    const may = ctx.who.may;
    const others = versions.filter((v) => v.meta.version !== model.championVersion).map((v) => v.meta.version).reverse();
    section("actions").innerHTML = `
      <div class="action"><label>Promote <select id="promote-version">${others.map((v) => `<option value="${v}">v${v}</option>`).join("")}</select></label>
        <label class="inline"><input type="checkbox" id="promote-force"> past the gate</label>
        <button id="promote" type="button" ${may.promote && others.length ? "" : "disabled"}>Promote</button></div>
      <div class="action"><button id="rollback" type="button" ${may.rollback ? "" : "disabled"}>Roll back</button></div>
      <div class="action"><label>Canary % <input id="canary" type="number" min="0" max="100" step="1" value="${esc(num(live?.canaryPercent))}"></label>
        <label class="inline"><input type="checkbox" id="shadow" ${live?.shadow ? "checked" : ""}> shadow</label>
        <button id="traffic" type="button" ${may.traffic ? "" : "disabled"}>Apply traffic</button></div>
      <div class="action"><button id="retrain" type="button" ${may.trigger ? "" : "disabled"}>Retrain</button></div>
      ${Object.values(may).some((m) => !m) ? `<p class="muted small">Some actions are disabled: your role (${esc(ctx.who.role ?? "none")}) may not take them.</p>` : ""}`;
    const button = (id: string) => section("actions").querySelector(`#${id}`) as HTMLButtonElement;
    const actor = ctx.who.authEnabled ? "" : "console";
    button("promote").addEventListener("click", () => {
      const version = (section("actions").querySelector("#promote-version") as HTMLSelectElement).value;
      const force = (section("actions").querySelector("#promote-force") as HTMLInputElement).checked;
      void act(button("promote"), `Promote v${version}`, () => post(`/v1/models/${enc(name)}/versions/${enc(version)}:promote`, { actor, reason: "promoted from the console", force }), load);
    });
    button("rollback").addEventListener("click", () =>
      void act(button("rollback"), "Roll back", () => post(`/v1/models/${enc(name)}:rollback`, { actor, reason: "rolled back from the console" }), load));
    button("traffic").addEventListener("click", () => {
      const canaryPercent = Number((section("actions").querySelector("#canary") as HTMLInputElement).value);
      const shadow = (section("actions").querySelector("#shadow") as HTMLInputElement).checked;
      void act(button("traffic"), "Traffic policy", () => put(`/v1/serving/${enc(name)}/traffic`, { canaryPercent, shadow }), load);
    });
    button("retrain").addEventListener("click", () =>
      void act(button("retrain"), "Retrain", () => post(`/v1/models/${enc(name)}/jobs`, { reason: "triggered from the console" })));
  };

  const renderDrift = async () => {
    const target = section("drift");
    try {
      const history = await get<DriftHistory>(`/v1/models/${enc(name)}/drift-history?limit=200`);
      const series = (history.series ?? []).filter((s) => (s.points ?? []).length > 0);
      if (series.length === 0) {
        target.innerHTML = `<p class="muted">No drift measured yet: windows are evaluated once a promoted version has served enough predictions.</p>`;
        return;
      }
      // Every monitored version on one time axis per feature (the prediction first), each window judged by the
      // thresholds of its own version: a retrain's new reference shows as a step in the dashed lines.
      target.innerHTML = "";
      for (const { label, versions, samples } of mergeVersions(series, statistic).values()) {
        const box = document.createElement("div");
        box.className = "chart";
        const span = versions.length > 1 ? `v${Math.min(...versions)}–v${Math.max(...versions)}` : `v${versions[0]}`;
        box.innerHTML = `<h3>${esc(label)} <span class="muted small">${esc(span)} drift · ${esc(Statistics[statistic].label)}</span></h3>`;
        target.appendChild(box);
        driftChart(box, samples, statistic);
      }
    } catch (e) {
      target.innerHTML = `<p class="muted">Drift history unavailable (${esc((e as Error).message)}); the current window's drift is below.</p>`;
    }
  };

  const renderHealth = async () => {
    const target = section("health");
    try {
      const health = await get<ModelHealth>(`/v1/models/${enc(name)}/health`);
      const scores = [...(health.prediction ? [{ ...health.prediction, feature: "prediction" }] : []), ...(health.features ?? [])];
      target.innerHTML = `<div class="chart" id="current-drift"><h3>Current drift per feature <span class="muted small">v${esc(health.version ?? 0)}, window of ${esc(health.windowSize ?? 0)}</span></h3></div>
        <div><h3>Realised performance</h3>${Object.keys(health.performance ?? {}).length
          ? `<table><tbody>${Object.entries(health.performance ?? {}).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(fmt(num(v), 4))}</td></tr>`).join("")}</tbody></table>`
          : `<p class="muted">No labels joined yet.</p>`}
          <p class="muted small">${esc(num(health.predictionsSeen))} predictions seen, ${esc(num(health.labelsJoined))} labels joined.</p>
          <h3>Detectors</h3><table><tbody>${(health.detectors ?? []).map((d) => `<tr><th>${esc(d.name)}</th><td>estimate ${esc(fmt(num(d.estimate), 4))}, ${esc(num(d.detections))} detections</td></tr>`).join("") || "<tr><td class='muted'>none</td></tr>"}</tbody></table>
          </div>`;
      if (scores.length) currentDriftChart(target.querySelector("#current-drift") as HTMLElement, scores, 0.1, 0.25);
      if (health.noReferenceProfile) target.insertAdjacentHTML("afterbegin", `<p class="muted">This version has no reference profile: no drift is measured.</p>`);
    } catch (e) {
      target.innerHTML = e instanceof ApiError && e.status === 404 ? `<p class="muted">Not monitored yet: no version has been promoted.</p>` : errorBox(e);
    }
  };

  const renderDistribution = async () => {
    const target = section("distribution");
    try {
      const d = await get<Distribution>(`/v1/models/${enc(name)}/distribution${distributionOf ? `?feature=${enc(distributionOf)}` : ""}`);
      // The selector lists the watched version's inputs (its own feature names, not a categorical column's).
      const features = versions.find((v) => v.meta.version === d.version)?.spec.featureNames ?? [];
      const select = main.querySelector("#distribution-of") as HTMLSelectElement;
      select.innerHTML = [`<option value="">prediction</option>`, ...features.map((f) => `<option value="${esc(f)}">${esc(f)}</option>`)].join("");
      select.value = distributionOf;
      const span = d.windowSize ? `window of ${esc(d.windowSize)} up to ${esc(when(d.windowEnd))}` : "no predictions in the window yet";
      target.innerHTML = `<h3>${esc(d.isPrediction ? "prediction" : d.feature)} <span class="muted small">v${esc(d.version ?? 0)} · reference of ${esc(num(d.referenceCount))} rows · ${span}</span></h3>`;
      distributionChart(target, d);
    } catch (e) {
      // 404: nothing watched yet; 400: no reference profile, or a feature the log withholds. Both are states, not faults.
      target.innerHTML = e instanceof ApiError && e.status === 404
        ? `<p class="muted">Not monitored yet: no version has been promoted.</p>`
        : e instanceof ApiError && e.status === 400
          ? `<p class="muted">${esc(e.message)}</p>`
          : errorBox(e);
    }
  };

  const renderAudit = () => {
    section("audit").innerHTML = audit.length === 0 ? `<p class="muted">No entries.</p>` : `<table class="audit"><thead><tr><th>Time</th><th>Who</th><th>Action</th><th>From → to</th><th>Why</th></tr></thead><tbody>${audit
      .slice()
      .reverse()
      .map((a) => `<tr><td>${esc(when(a.time))}</td><td>${esc(a.actor)}</td><td>${esc(a.action)}</td><td>v${esc(a.fromVersion ?? 0)} → v${esc(a.toVersion ?? 0)}</td><td>${esc(a.reason)}</td></tr>`)
      .join("")}</tbody></table>`;
  };

  // The registry pages its listings (at most 1,000 versions and 2 MiB a page): follow the pages to the last version.
  async function allVersions(model: string): Promise<{ versions: ModelVersion[] }> {
    const all: ModelVersion[] = [];
    let token = "";
    do {
      const page = await get<{ versions?: ModelVersion[]; nextPageToken?: string }>(
        `/v1/models/${enc(model)}/versions?page_size=1000${token ? `&page_token=${encodeURIComponent(token)}` : ""}`,
      );
      all.push(...(page.versions ?? []));
      token = page.nextPageToken ?? "";
    } while (token);
    return { versions: all };
  }

  // What the page last showed of the model's versions (champion, challenger, latest): a change means a promotion, a
  // rollback or a new version, and the page reloads for it.
  let shown = "";
  const versionsOf = (m: Model) => `${m.championVersion ?? 0}/${m.challengerVersion ?? 0}/${m.latestVersion ?? 0}`;

  async function load(): Promise<void> {
    try {
      const [model, list, log, serving] = await Promise.all([
        get<Model>(`/v1/models/${enc(name)}`),
        allVersions(name),
        get<{ entries?: AuditEntry[] }>(`/v1/models/${enc(name)}/audit`),
        get<{ models?: LoadedModel[] }>("/v1/serving").catch(() => ({ models: [] as LoadedModel[] })),
      ]);
      versions = list.versions ?? [];
      audit = log.entries ?? [];
      shown = versionsOf(model);
      if (!selected) selected = model.championVersion ?? versions.at(-1)?.meta.version ?? 0;
      const live = (serving.models ?? []).find((m) => m.model === name);
      section("summary").innerHTML = `<p>Champion <b id="champion">v${esc(model.championVersion ?? 0)}</b>${model.challengerVersion ? `, challenger <b>v${esc(model.challengerVersion)}</b>` : ""} · ${esc(versions.length)} versions${live ? ` · serving v${esc(live.version)}` : ""}${model.description ? ` · ${esc(model.description)}` : ""}</p>`;
      renderVersions(model);
      renderCompare();
      renderLineage();
      renderActions(model, live);
      renderAudit();
    } catch (e) {
      section("summary").innerHTML = errorBox(e);
    }
  }

  (main.querySelector("#statistic") as HTMLSelectElement).addEventListener("change", (e) => {
    statistic = (e.target as HTMLSelectElement).value as Statistic;
    void renderCharts();
  });
  (main.querySelector("#distribution-of") as HTMLSelectElement).addEventListener("change", (e) => {
    distributionOf = (e.target as HTMLSelectElement).value;
    void renderCharts();
  });
  const renderCharts = async () => {
    disposeCharts();
    await Promise.all([renderDrift(), renderHealth(), renderDistribution()]);
  };
  await load();
  await renderCharts();
  // Versions, audit and drift move while the page is open: follow them.
  let reloading: Promise<void> | null = null;
  const reload = () => (reloading ??= load().then(renderCharts).finally(() => (reloading = null)));
  const timer = window.setInterval(() => void reload(), 10000);
  // Promotions as they happen, as alerts do: one small GET every 2 s, and the whole page only when the versions moved.
  const watch = window.setInterval(() => {
    if (reloading) return;
    get<Model>(`/v1/models/${enc(name)}`)
      .then((m) => {
        if (versionsOf(m) === shown) return;
        shown = versionsOf(m); // once per change, even if the reload fails
        void reload();
      })
      .catch(() => undefined); // the 10 s reload shows the error
  }, 2000);
  return () => {
    window.clearInterval(timer);
    window.clearInterval(watch);
  };
}
